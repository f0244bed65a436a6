import SessionCore

/// What a render produced that the console loop needs back.
public struct RenderOutcome: Sendable, Equatable {
    /// Where each panel went.
    public var placements: [Placement]
    /// The largest useful scroll offset of each scrollable panel on this screen; the console
    /// clamps its offsets to it so that scrolling back up responds at once.
    public var maxScroll: [PanelID: Int]
    /// Entry rows the alarm log or history overlay showed, when one is open.
    public var alarmLogRows: Int?
    /// The panels' demands as laid out on this screen, for the next (`ViewContext.layoutMemory`).
    public var layoutMemory = LayoutMemory()

    public init(placements: [Placement] = [], maxScroll: [PanelID: Int] = [:]) {
        self.placements = placements
        self.maxScroll = maxScroll
    }
}

/// The whole screen as a pure function of the session state and the view context.
public enum ConsoleView {
    /// Draws every panel of `layout` into `buffer` (cleared first), then the overlay.
    @discardableResult
    public static func render(state: SessionState, context: ViewContext, layout: Layout,
                              into buffer: inout CellBuffer) -> RenderOutcome {
        buffer.fill(buffer.area)
        buffer.asciiOnly = !context.glyphs.unicode
        // A caption band, shown or hidden with `c`: the key is listed, and a hidden band's rows
        // go to the other panels.
        let captionBand = layout.panels.contains(.caption)
        var context = context
        if captionBand { context.extraKeys.append(KeyHelp.caption) }
        let layout = context.captionHidden ? layout.hiding(.caption) : layout
        var p = PanelContext(state: state, view: context, layoutName: layout.name)
        p.captionBand = captionBand
        var outcome = RenderOutcome()
        // No panel gets more rows than the screen has: demands past that need not be counted.
        let screenRows = buffer.height
        var memory = LayoutMemory()
        outcome.placements = LayoutEngine.split(buffer.area, layout.root) { id, options, width in
            context.layoutMemory.demand(id, width: width, asked: PanelDemand.rows(id, options, width: width, p, limit: screenRows),
                                        now: context.now, next: &memory)
        }
        outcome.layoutMemory = memory
        for placement in outcome.placements {
            let rect = placement.rect
            switch placement.panel {
            case .header: HeaderPanel.render(p, area: rect, options: placement.options, into: &buffer)
            case .link: outcome.maxScroll[.link] = LinkPanel.render(p, area: rect, options: placement.options, into: &buffer)
            case .arms: outcome.maxScroll[.arms] = ArmsPanel.render(p, area: rect, into: &buffer)
            case .instruments: outcome.maxScroll[.instruments] = InstrumentsPanel.render(p, area: rect, into: &buffer)
            case .alarms: outcome.maxScroll[.alarms] = AlarmsPanel.render(p, area: rect, into: &buffer)
            case .events: outcome.maxScroll[.events] = EventsPanel.render(p, area: rect, into: &buffer)
            case .timeline: TimelinePanel.render(p, area: rect, into: &buffer)
            case .caption: CaptionPanel.render(p, area: rect, into: &buffer)
            case .tips: TipsPanel.render(p, area: rect, into: &buffer)
            case .footer: FooterPanel.render(p, area: rect, into: &buffer)
            }
        }
        if case .alarmLog(let log) = context.overlay {
            outcome.alarmLogRows = AlarmLogOverlay.render(p, log, area: buffer.area, into: &buffer)
        } else if case .history(let history) = context.overlay {
            outcome.alarmLogRows = HistoryOverlay.render(p, history, area: buffer.area, into: &buffer)
        } else {
            drawOverlay(p, into: &buffer)
        }
        return outcome
    }

    /// Draws what `LayoutChoice.resolve` decided: a layout, or the terminal-too-small notice.
    @discardableResult
    public static func render(state: SessionState, context: ViewContext, choice: LayoutChoice,
                              into buffer: inout CellBuffer) -> RenderOutcome {
        switch choice {
        case .layout(let layout):
            return render(state: state, context: context, layout: layout, into: &buffer)
        case .tooSmall(let need, let have):
            buffer.fill(buffer.area)
            buffer.asciiOnly = !context.glyphs.unicode
            let p = PanelContext(state: state, view: context, layoutName: "")
            // The state and the highest alarm on the top line, so a small window hides no alarm.
            SmallTerminalStatus.render(p, y: 0, into: &buffer)
            Overlays.tooSmall(need: need, have: have, glyphs: context.glyphs, theme: context.theme, top: 1, into: &buffer)
            // A quit confirmation must stay visible even on a tiny terminal.
            if context.overlay == .confirmQuit {
                drawOverlay(p, into: &buffer)
            }
            return RenderOutcome()
        }
    }

    static func drawOverlay(_ p: PanelContext, into buffer: inout CellBuffer) {
        guard let overlay = p.view.overlay else { return }
        switch overlay {
        case .help: Overlays.help(p, area: buffer.area, into: &buffer)
        case .confirmQuit: Overlays.confirmQuit(p, area: buffer.area, into: &buffer)
        case .message(let title, let lines): Overlays.message(p, title: title, text: lines, area: buffer.area, into: &buffer)
        case .alarmLog(let log): AlarmLogOverlay.render(p, log, area: buffer.area, into: &buffer)
        case .prompt(let prompt): PromptOverlay.render(p, prompt, area: buffer.area, into: &buffer)
        case .history(let history): HistoryOverlay.render(p, history, area: buffer.area, into: &buffer)
        }
    }
}
