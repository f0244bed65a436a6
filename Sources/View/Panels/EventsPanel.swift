import SessionCore

/// The recent event log with session times, newest at the bottom. The scroll offset counts
/// lines back from the newest, so new events never push what you are reading away.
enum EventsPanel {
    static func render(_ p: PanelContext, area: Rect, into buffer: inout CellBuffer) -> Int {
        let events = p.state.events
        let offset = p.view.scrollOffset(.events)
        var tags: [Span] = []
        // Only the last screenful plus the scroll offset is ever needed.
        let wanted = min(events.count, max(0, area.height) + offset)
        let maxOffset = LogView.maxOffset(count: events.count, height: max(1, area.height - 2))
        if offset > 0 && maxOffset > 0 {
            tags.append(Span(p.glyphs.up + " \(min(offset, maxOffset)) older", p.theme.accent))
        }
        let inner = p.frame(.events, title: PanelID.events.title + " (\(events.count))", tags: tags, area: area,
                            into: &buffer)
        guard !inner.isEmpty else { return 0 }
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
        let fullOffset = LogView.maxOffset(count: events.count, height: inner.height)
        // `lines` holds the newest `wanted` events: the offset is relative to the newest anyway.
        LogView(lines: lines, offset: min(offset, fullOffset), ellipsis: p.ellipsis).render(into: &buffer, area: inner)
        return fullOffset
    }
}
