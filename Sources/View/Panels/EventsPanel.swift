import SessionCore

/// The recent event log with session times, newest at the bottom. The scroll offset counts
/// lines back from the newest, so new events never push what you are reading away.
enum EventsPanel {
    /// The most recent events the panel asks rows for before it shares the spare rows.
    static let recentRows = 12

    /// Rows the panel asks of the layout for `count` events: its border and the recent ones in
    /// steps of four (one row for "no events yet").
    static func contentRows(events count: Int) -> Int {
        count == 0 ? 3 : 2 + min(recentRows, PanelDemand.steps(count, of: 4))
    }

    static func render(_ p: PanelContext, area: Rect, into buffer: inout CellBuffer) -> Int {
        var events = p.state.events
        // Captions are for the committee and the band shows them; the list tells the technical
        // story. Without a band in the layout they are listed, so none is lost.
        if p.captionBand { events.removeAll(where: \.isCaption) }
        let offset = p.view.scrollOffset(.events)
        // Only the last screenful plus the scroll offset is ever needed.
        let wanted = min(events.count, max(0, area.height) + offset)
        let title = PanelID.events.title + " (\(events.count))"
        let inner = p.frame(.events, title: title, area: area, into: &buffer)
        guard !inner.isEmpty else { return 0 }
        let fullOffset = LogView.maxOffset(count: events.count, height: inner.height)
        let back = min(offset, fullOffset)
        // "+N more" counts the events not shown, older and newer; scrolled back, how many of
        // them are newer, so a reader knows the newest are below.
        if let more = p.moreTag(events.count - min(events.count, inner.height)) {
            let newer = back > 0 ? Span(p.glyphs.down + " \(back) newer", p.theme.accent) : nil
            _ = p.frame(.events, title: title, tags: [newer, more].compactMap { $0 }, area: area, into: &buffer)
        }
        guard !events.isEmpty else {
            p.placeholder("no events yet", area: inner, into: &buffer)
            return 0
        }
        let wide = inner.width >= 60
        let shown = events.suffix(wanted)
        var longestKind = 0
        for event in shown { longestKind = max(longestKind, buffer.columns(of: event.kind)) }
        let kindWidth = min(wide ? 18 : 12, longestKind)
        var lines: [[Span]] = []
        lines.reserveCapacity(wanted)
        for event in shown {
            var spans = [
                Span(Format.clock(event.t, tenths: wide) + " ", p.theme.label),
                Span(TerminalText.fit(event.kind, width: kindWidth, alignment: .left, ellipsis: p.ellipsis) + " ",
                     p.theme.accent),
            ]
            if let text = event.text { spans.append(Span(text)) }
            lines.append(spans)
        }
        // `lines` holds the newest `wanted` events: the offset is relative to the newest anyway.
        LogView(lines: lines, offset: back, ellipsis: p.ellipsis).render(into: &buffer, area: inner)
        return fullOffset
    }
}
