/// The panels a layout can place. The raw value is the name used in layout files.
public enum PanelID: String, Sendable, Hashable, CaseIterable, Comparable {
    case header, caption, link, tips, arms, instruments, alarms, events, timeline, footer

    public static func < (a: PanelID, b: PanelID) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The title shown on the panel's border.
    public var title: String {
        switch self {
        case .header: "Session"
        case .caption: "Caption"
        case .link: "Link"
        case .tips: "Tool tips"
        case .arms: "Arms"
        case .instruments: "Instruments"
        case .alarms: "Alarms"
        case .events: "Events"
        case .timeline: "Timeline"
        case .footer: "Keys"
        }
    }

    /// Whether Tab can focus the panel (the header and footer have nothing to scroll).
    public var isFocusable: Bool {
        switch self {
        case .header, .caption, .footer, .timeline, .tips: false
        default: true
        }
    }
}
