import SessionCore

/// The recent event log with session times, newest at the bottom. The scroll offset counts
/// lines back from the newest, so new events never push what you are reading away.
enum EventsPanel {
    /// The most recent events the panel asks rows for before it shares the spare rows.
    static let recentRows = 12

    /// Rows the panel asks of the layout for `count` listed events: its border and the recent
    /// ones (one row for "no events yet"). The layout holds rows a while once given
    /// (`LayoutMemory`), so it asks for exactly what it lists.
    static func contentRows(events count: Int) -> Int {
        count == 0 ? 3 : 2 + min(recentRows, count)
    }

    /// What the panel asks of the layout: its recent lines; with older ones beyond them it
    /// also grows into spare rows (fewer would leave those rows blank).
    static func demand(listed: Int) -> Demand {
        Demand(want: contentRows(events: listed), fill: listed > recentRows)
    }

    /// Whether captions are listed: the band shows them where the layout has one, and when
    /// `c` hid it the list is the only place left to read them.
    static func listsCaptions(_ p: PanelContext) -> Bool {
        !p.captionBand || p.view.captionHidden
    }

    /// How many events the panel lists, counted without copying the log.
    static func listedCount(_ p: PanelContext) -> Int {
        let events = p.state.events
        return listsCaptions(p) ? events.count : events.count - events.lazy.filter(\.isCaption).count
    }

    /// The newest `n` listed events, oldest first, read back from the newest: only the lines
    /// a screen can show are ever gathered.
    static func newest(_ n: Int, _ p: PanelContext) -> [EventEntry] {
        let captions = listsCaptions(p)
        var out: [EventEntry] = []
        out.reserveCapacity(max(0, n))
        for event in p.state.events.reversed() {
            guard out.count < n else { break }
            if captions || !event.isCaption { out.append(event) }
        }
        return out.reversed()
    }

    static func render(_ p: PanelContext, area: Rect, into buffer: inout CellBuffer) -> Int {
        // Captions are for the committee and the band shows them; the list tells the technical
        // story. Without a band on screen they are listed, so none is lost.
        let count = listedCount(p)
        let offset = p.view.scrollOffset(.events)
        // Only the last screenful plus the scroll offset is ever needed.
        let wanted = min(count, max(0, area.height) + offset)
        let title = PanelID.events.title + " (\(count))"
        let inner = p.frame(.events, title: title, area: area, into: &buffer)
        guard !inner.isEmpty else { return 0 }
        let fullOffset = LogView.maxOffset(count: count, height: inner.height)
        let back = min(offset, fullOffset)
        // "+N more" counts the events not shown, older and newer; scrolled back, how many of
        // them are newer, so a reader knows the newest are below.
        if let more = p.moreTag(count - min(count, inner.height)) {
            let newer = back > 0 ? Span(p.glyphs.down + " \(back) newer", p.theme.accent) : nil
            _ = p.frame(.events, title: title, tags: [newer, more].compactMap { $0 }, area: area, into: &buffer)
        }
        guard count > 0 else {
            p.placeholder("no events yet", area: inner, into: &buffer)
            return 0
        }
        let wide = inner.width >= 60
        let shown = newest(wanted, p)
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
