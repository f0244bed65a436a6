import SessionCore
import Telemetry

/// How bad a value is, on the same three steps as IEC 60601-1-8 alarm priorities, so a value
/// past its "high" threshold looks like a high-priority alarm (red, `***`) everywhere on screen.
public enum Severity: Int, Sendable, Comparable, CaseIterable {
    case ok, low, medium, high

    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }

    /// The IEC text marker ("" when all is well), readable without colour.
    public var marker: String {
        switch self {
        case .ok: ""
        case .low: "*"
        case .medium: "**"
        case .high: "***"
        }
    }

    public init(_ priority: AlarmPriority) {
        switch priority {
        case .low: self = .low
        case .medium: self = .medium
        case .high: self = .high
        }
    }
}

/// The palette. With colours, meaning is carried by colour and attributes; in monochrome
/// (no colours, or NO_COLOR) every style drops its colours and keeps attributes, and the
/// panels add text markers (`***`, `!`, `[STALE]`) so nothing depends on colour alone.
public struct Theme: Sendable, Equatable {
    public let colors: Bool

    public init(colors: Bool) {
        self.colors = colors
    }

    public static let color = Theme(colors: true)
    public static let monochrome = Theme(colors: false)

    /// Colours unless the environment sets NO_COLOR (any value, see no-color.org) or the
    /// terminal has none.
    public static func detect(environment: [String: String], terminalHasColors: Bool = true) -> Theme {
        if let v = environment["NO_COLOR"], !v.isEmpty { return .monochrome }
        return Theme(colors: terminalHasColors)
    }

    /// A style with `fg` when colours are on, and the attributes either way.
    @inline(__always)
    public func style(_ fg: Color, _ attributes: Style.Attributes = []) -> Style {
        colors ? Style(fg: fg, attributes: attributes) : Style(attributes: attributes)
    }

    // MARK: - text

    public var plain: Style { .plain }
    public var bold: Style { .bold }
    /// Labels and secondary text.
    public var label: Style { style(.default, .dim) }
    public var dim: Style { style(.default, .dim) }
    /// Something in a good state (UP, ENGAGED, following).
    public var good: Style { style(.green) }
    /// An informative accent (event kinds, units).
    public var accent: Style { style(.cyan) }

    /// A value's style by severity: monochrome keeps plain / plain / bold / bold+reverse.
    public func severity(_ s: Severity) -> Style {
        switch s {
        case .ok: .plain
        case .low: style(.cyan)
        case .medium: style(.yellow, .bold)
        case .high: colors ? Style(fg: .red, attributes: .bold) : Style(attributes: [.bold, .reverse])
        }
    }

    /// The style of a gauge or sparkline cell by severity (never reversed: a reversed block
    /// would look empty).
    public func bar(_ s: Severity) -> Style {
        switch s {
        case .ok: style(.green)
        case .low: style(.cyan)
        case .medium: style(.yellow, .bold)
        case .high: style(.red, .bold)
        }
    }

    /// A badge: reversed text in the severity's colour.
    public func badge(_ s: Severity) -> Style {
        switch s {
        case .ok: style(.green, [.reverse, .bold])
        case .low: style(.cyan, [.reverse, .bold])
        case .medium: style(.yellow, [.reverse, .bold])
        case .high: style(.red, [.reverse, .bold])
        }
    }

    /// An alarm row: high red, medium yellow, low cyan; bold until acknowledged.
    public func alarm(_ priority: AlarmPriority, acknowledged: Bool) -> Style {
        let attrs: Style.Attributes = acknowledged ? [] : [.bold]
        switch priority {
        case .high: return style(.red, attrs)
        case .medium: return style(.yellow, attrs)
        case .low: return style(.cyan, acknowledged ? [.dim] : [])
        }
    }

    /// The alarm marker cell: reversed while unacknowledged, so it stands out in monochrome too.
    public func alarmMarker(_ priority: AlarmPriority, acknowledged: Bool) -> Style {
        var s = alarm(priority, acknowledged: acknowledged)
        if !acknowledged { s.attributes.insert(.reverse) }
        return s
    }

    /// The mode badge: each mode its own colour, so a demo or a replay never looks live.
    public func mode(_ mode: SessionMode) -> Style {
        switch mode {
        case .live: style(.green, [.reverse, .bold])
        case .replay: style(.blue, [.reverse, .bold])
        case .demo: style(.magenta, [.reverse, .bold])
        }
    }

    // MARK: - chrome

    public var border: Style { style(.default, .dim) }
    public var focusedBorder: Style { style(.cyan, .bold) }
    public var title: Style { .bold }
    public var focusedTitle: Style { style(.cyan, [.bold, .reverse]) }
    /// Column headers of tables.
    public var header: Style { style(.default, [.bold, .underline]) }
    /// Data that stopped updating: a reversed yellow tag.
    public var stale: Style { style(.yellow, [.reverse, .bold]) }
    /// A path that is down, an arm in FAULT, energy being delivered: reversed red.
    public var critical: Style { style(.red, [.reverse, .bold]) }
    /// A key in the footer and the help.
    public var key: Style { style(.default, .reverse) }
}
