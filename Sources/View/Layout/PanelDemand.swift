import SessionCore

/// How many rows each panel's content can use at a width, border included: what the layout
/// engine serves before it gives spare rows to the panels that fill. Lists that change with
/// the session (alarms, events) ask for exactly what they list: the console holds a panel's
/// rows a while after it wants fewer (`LayoutMemory`), so an alarm coming and going does not
/// move every panel on the screen each time.
enum PanelDemand {
    /// `limit`: the most rows any panel could get (the screen's height); a panel whose content
    /// needs more may answer just "more than that".
    static func rows(_ id: PanelID, _ options: PanelOptions, width: Int, _ p: PanelContext, limit: Int = .max) -> Demand {
        switch id {
        case .header: .init(want: options.large ? 3 : 2)
        case .caption: .init(want: 2)
        case .footer: .init(want: 1)
        // The timeline: its border, the bar and a row for its markers.
        case .timeline: .init(want: 4)
        // Charts and the tool-tip canvas draw in every row they get.
        case .link, .tips: .fills
        case .arms: .init(want: ArmsPanel.contentRows(p.state.arms, width: width, limit: limit))
        case .instruments: .init(want: InstrumentsPanel.contentRows(p.state))
        case .alarms: .init(want: AlarmsPanel.contentRows(alarms: p.alarms.count))
        // It asks for its recent lines; with older ones beyond them it grows into spare rows.
        case .events: EventsPanel.demand(listed: EventsPanel.listedCount(p))
        }
    }
}
