/// The alarm log overlay (`l`): nearly the whole screen, its file's path in the title, every
/// entry kept this session (newest at the bottom), the current search match highlighted, and
/// its own keys on its last line. The top line stays the console's status with the highest
/// active alarm (as on a terminal too small for any layout), so an alarm raised while someone
/// reads the log is seen, not only heard.
enum AlarmLogOverlay {
    /// Draws `log` over the panels; returns how many entry rows it showed (the console scrolls
    /// by pages of that many and keeps a match in view with it).
    @discardableResult
    static func render(_ p: PanelContext, _ log: AlarmLogBrowser, area: Rect, into buffer: inout CellBuffer) -> Int {
        let count = log.lines.count
        let entries = count == 1 ? "1 entry" : "\(count) entries"
        // The note on what the file holds takes the path's room first: it says which file it is.
        let note = log.pathNote.map { " (" + TerminalText.sanitize($0) + ")" } ?? ""
        let boxWidth = area.width - (area.width >= 84 ? 4 : 0)
        let room = max(8, boxWidth - TerminalText.columns(of: entries) - (note.isEmpty ? 32 : TerminalText.columns(of: note) + 24))
        let dot = " " + p.glyphs.dot + " "
        let title = "Alarm log" + dot + shortPath(log.path, width: room, ellipsis: p.ellipsis) + note + dot + entries
        return renderList(p, log, title: title, empty: "No alarm activity yet.", highlighted: log.match, area: area,
                          into: &buffer) { x, y, width, buffer in footer(p, log, x: x, y: y, width: width, into: &buffer) }
    }

    /// The list overlay the alarm log and the history (`h`) share: the status line on top, a box
    /// of `log`'s lines with `highlighted` in reverse, and `footer` drawn on its last line.
    /// Returns how many entry rows it showed.
    static func renderList(_ p: PanelContext, _ log: AlarmLogBrowser, title: String, empty: String, highlighted: Int?,
                           area: Rect, into buffer: inout CellBuffer,
                           footer: (_ x: Int, _ y: Int, _ width: Int, _ buffer: inout CellBuffer) -> Void) -> Int {
        guard area.height >= 2 else { return 0 }
        buffer.fill(Rect(x: area.x, y: area.y, width: area.width, height: 1))
        SmallTerminalStatus.render(p, y: area.y, into: &buffer)
        let box = Rect(x: area.x + (area.width >= 84 ? 2 : 0), y: area.y + 1,
                       width: area.width - (area.width >= 84 ? 4 : 0), height: area.height - (area.height >= 30 ? 2 : 1))
        guard box.width >= 20, box.height >= 4 else { return 0 }
        buffer.fill(box)
        let inner = Box(title: title, focused: true, glyphs: p.glyphs, theme: p.theme).render(into: &buffer, area: box)
        guard inner.height >= 2, inner.width >= 4 else { return 0 }
        let content = Rect(x: inner.x + 1, y: inner.y, width: inner.width - 2, height: inner.height - 1)
        let rows = content.height
        // A full page, whatever page the browser last knew of (the first frame after opening).
        var log = log
        log.rows = rows
        log.scroll(by: 0)
        if log.lines.isEmpty {
            buffer.put(empty, x: content.x, y: content.y, width: content.width, style: p.theme.dim)
        } else {
            let top = log.top(rows: rows)
            for row in 0..<rows {
                let k = top + row
                guard k < log.lines.count, k <= log.bottom else { break }
                let style = k == highlighted ? Style(attributes: [.reverse, .bold]) : Style.plain
                if k == highlighted { buffer.band(x: content.x, y: content.y + row, width: content.width, style: style) }
                let line = TerminalText.sanitize(log.lines[k])
                let shown = log.column > 0 ? p.ellipsis + String(line.dropFirst(log.column + 1)) : line
                buffer.put(shown, x: content.x, y: content.y + row, width: content.width, style: style, ellipsis: p.ellipsis)
            }
        }
        footer(content.x, inner.maxY - 1, content.width, &buffer)
        return rows
    }

    /// The overlay's keys, or the search being typed and what it found.
    static func footer(_ p: PanelContext, _ log: AlarmLogBrowser, x: Int, y: Int, width: Int, into buffer: inout CellBuffer) {
        let t = p.theme
        var spans = searchSpans(p, log)
        if !log.editing {
            let arrows = p.glyphs.unicode ? "↑↓←→" : "arrows"
            // How to close it first: `q` does not quit from here, so a narrow footer says so.
            spans += [Span("Esc l", t.key), Span(" close  "), Span(arrows, t.key), Span(" PgUp PgDn scroll  "),
                      Span("/", t.key), Span(" search  "), Span("n N", t.key), Span(" next/prev  "),
                      Span("a A p", t.key), Span(" alarms  "), Span("q", t.key), Span(" quits once closed")]
        }
        buffer.put(spans, x: x, y: y, width: width, ellipsis: p.ellipsis)
    }

    /// The search being typed (all the footer shows then), or what the last one found (shown
    /// first: it matters more than the keys when the line is short).
    static func searchSpans(_ p: PanelContext, _ log: AlarmLogBrowser) -> [Span] {
        let t = p.theme
        if log.editing {
            return [Span("/", t.key), Span(" " + TerminalText.sanitize(log.query) + "_  "),
                    Span(" Enter ", t.key), Span(" find  "), Span(" Esc ", t.key), Span(" cancel")]
        }
        if let found = log.matchPosition { return [Span("match \(found.index) of \(found.count)  ", t.bold)] }
        if log.notFound { return [Span("no entry contains \"\(TerminalText.sanitize(log.query))\"  ", t.bold)] }
        return []
    }

    /// The log file's path, its end kept when it is too long ("…/state/surgtop/OR3_….alarms.log").
    static func shortPath(_ path: String?, width: Int, ellipsis: String) -> String {
        guard let path else { return "no file" }
        let clean = TerminalText.sanitize(path)
        guard TerminalText.columns(of: clean) > width else { return clean }
        var tail = ""
        for ch in clean.reversed() {
            if TerminalText.columns(of: String(ch) + tail) > width - TerminalText.columns(of: ellipsis) { break }
            tail = String(ch) + tail
        }
        return ellipsis + tail
    }
}
