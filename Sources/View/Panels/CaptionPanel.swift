import SessionCore
import Telemetry

/// The caption band: what a scenario tells its audience now (the latest `caption` event),
/// across the screen in a reversed band that starts with "DEMO ›", word-wrapped to the band's
/// rows (one or two), the last cut with an ellipsis. A caption stays until the next replaces
/// it; a new session starts with an empty band. `c` hides the band (`Layout.hiding`).
enum CaptionPanel {
    /// Characters of a caption considered: two lines of the widest terminal, and a bound on
    /// the work a hostile text can ask of every frame.
    static let longest = 600

    static func render(_ p: PanelContext, area: Rect, into buffer: inout CellBuffer) {
        guard !area.isEmpty else { return }
        guard let caption = p.state.currentCaption, let text = caption.text else { return }
        let band = p.theme.style(.cyan, [.reverse])
        buffer.fill(area, " ", band)
        let marker = (p.view.mode == .demo ? "DEMO " : "CAPTION ") + (p.glyphs.unicode ? "›" : ">") + " "
        let markerWidth = min(area.width, buffer.columns(of: marker))
        buffer.put(" " + marker, x: area.x, y: area.y, width: area.width, style: p.theme.style(.cyan, [.reverse, .bold]))
        let x = area.x + 1 + markerWidth
        let width = area.maxX - 1 - x
        guard width > 0 else { return }
        let lines = wrap(buffer.spelled(String(text.prefix(longest))), width: width, lines: area.height)
        for (k, line) in lines.enumerated() {
            buffer.put(line, x: x, y: area.y + k, width: width, style: band, ellipsis: p.ellipsis)
        }
    }

    /// `text` (sanitised) word-wrapped to at most `lines` lines of `width` columns; a word longer
    /// than a line is broken, and text left over ends the last line with "…" (the caller's
    /// `put` cuts it).
    static func wrap(_ text: String, width: Int, lines: Int) -> [String] {
        guard width > 0, lines > 0 else { return [] }
        var out: [String] = []
        var line = ""
        var used = 0
        let words = text.split(separator: " ", omittingEmptySubsequences: true)
        for (k, word) in words.enumerated() {
            var word = Substring(word)
            var wordWidth = TerminalText.columns(of: String(word))
            if used > 0 && used + 1 + wordWidth <= width {
                line += " " + word
                used += 1 + wordWidth
                continue
            }
            if used > 0 {
                if out.count == lines - 1 {
                    // The last line: what does not fit runs on, for `put` to end with "…".
                    out.append(line + " " + words[k...].joined(separator: " "))
                    return out
                }
                out.append(line)
                line = ""
                used = 0
            }
            // A word wider than a line is broken at the line's width, by columns.
            while wordWidth > width && out.count < lines - 1 {
                var head = "", headWidth = 0
                while let c = word.first, headWidth + TerminalText.columns(of: c) <= width {
                    head.append(c)
                    headWidth += TerminalText.columns(of: c)
                    word = word.dropFirst()
                }
                if head.isEmpty, let c = word.first {
                    // A character wider than the whole line (a wide one in one column) cannot
                    // be drawn on any line: left out, so the rest of the word still shows.
                    wordWidth -= TerminalText.columns(of: c)
                    word = word.dropFirst()
                    continue
                }
                out.append(head)
                wordWidth -= headWidth
            }
            line = String(word)
            used = wordWidth
            if out.count == lines - 1 && wordWidth > width {
                out.append(([line] + words[(k + 1)...].map(String.init)).joined(separator: " "))
                return out
            }
        }
        if !line.isEmpty { out.append(line) }
        return out
    }
}
