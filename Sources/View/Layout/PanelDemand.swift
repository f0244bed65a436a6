import SessionCore

/// How many rows each panel's content can use at a width, border included: what the layout
/// engine serves before it gives spare rows to the panels that fill. Lists that change with
/// the session (alarms, events) ask in steps, so an alarm coming and going does not move every
/// panel on the screen each time.
enum PanelDemand {
    static func rows(_ id: PanelID, _ options: PanelOptions, width: Int, _ p: PanelContext) -> Demand {
        switch id {
        case .header: .init(want: options.large ? 3 : 2)
        case .caption: .init(want: 2)
        case .footer: .init(want: 1)
        // The timeline: its border, the bar and a row for its markers.
        case .timeline: .init(want: 4)
        // Charts and the tool-tip canvas draw in every row they get.
        case .link, .tips: .fills
        case .arms: .init(want: ArmsPanel.contentRows(p.state.arms, width: width))
        case .instruments: .init(want: InstrumentsPanel.contentRows(p.state))
        case .alarms: .init(want: AlarmsPanel.contentRows(alarms: p.alarms.count))
        // A log always has older lines to show: it asks for its recent ones, then grows.
        case .events: .init(want: EventsPanel.contentRows(events: p.state.events.count), fill: true)
        }
    }

    /// `n` rounded up to a whole number of `step`s.
    static func steps(_ n: Int, of step: Int) -> Int {
        (max(0, n) + step - 1) / step * step
    }
}
