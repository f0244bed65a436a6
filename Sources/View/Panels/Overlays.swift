import SessionCore
import Telemetry

/// What is drawn over the panels: the help, the quit confirmation, a message, and the
/// terminal-too-small notice.
enum Overlays {
    /// A box of `lines` centred in `area`, the box cleared first.
    static func centredBox(_ p: PanelContext, title: String, lines: [[Span]], area: Rect, into buffer: inout CellBuffer) {
        let contentWidth = max(buffer.columns(of: title) + 4,
                               lines.map { buffer.columns(of: $0) }.max() ?? 0)
        let w = min(area.width, contentWidth + 4)
        let h = min(area.height, lines.count + 2)
        guard w >= 4, h >= 3 else {
            // No room for a box: the first line alone.
            if let first = lines.first { buffer.put(first, x: area.x, y: area.y, width: area.width, ellipsis: p.ellipsis) }
            return
        }
        let box = Rect(x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h)
        buffer.fill(box)
        let inner = Box(title: title, focused: true, glyphs: p.glyphs, theme: p.theme).render(into: &buffer, area: box)
        let content = Rect(x: inner.x + 1, y: inner.y, width: inner.width - 2, height: inner.height)
        for (row, line) in lines.prefix(content.height).enumerated() {
            buffer.put(line, x: content.x, y: content.y + row, width: content.width, ellipsis: p.ellipsis)
        }
    }

    static func help(_ p: PanelContext, area: Rect, into buffer: inout CellBuffer) {
        let keys = KeyHelp.bindings(for: p.view.mode, glyphs: p.glyphs, extra: p.view.extraKeys)
        let keyWidth = keys.map { TerminalText.columns(of: $0.key) }.max() ?? 1
        var lines: [[Span]] = []
        var section = ""
        for key in keys {
            if key.section != section {
                if !lines.isEmpty { lines.append([]) }
                lines.append([Span(key.section, p.theme.header)])
                section = key.section
            }
            lines.append([Span(TerminalText.fit(key.key, width: keyWidth, alignment: .left), p.theme.bold),
                          Span("  " + key.help)])
        }
        lines.append([])
        lines.append([Span("Esc or ? closes this help", p.theme.dim)])
        if lines.count + 2 > area.height {
            lines = compactHelp(p, keys, width: area.width - 4)
        }
        centredBox(p, title: "Keys", lines: lines, area: area, into: &buffer)
    }

    /// The help for a terminal too short for a sentence a key: each section's keys with their
    /// footer words, wrapped to `width`, so every key is still listed.
    static func compactHelp(_ p: PanelContext, _ keys: [KeyBinding], width: Int) -> [[Span]] {
        var lines: [[Span]] = []
        var line: [Span] = []
        var used = 0
        var section = ""
        for key in keys {
            if key.section != section {
                if !line.isEmpty { lines.append(line) }
                lines.append([Span(key.section, p.theme.header)])
                line = []
                used = 0
                section = key.section
            }
            let item = [Span(key.footerKey, p.theme.bold), Span(" " + key.short + "  ")]
            let columns = item.reduce(0) { $0 + TerminalText.columns(of: $1.text) }
            if used > 0 && used + columns > width {
                lines.append(line)
                line = []
                used = 0
            }
            line += item
            used += columns
        }
        if !line.isEmpty { lines.append(line) }
        lines.append([Span("Esc or ? closes; a taller terminal tells each key in a sentence", p.theme.dim)])
        return lines
    }

    static func confirmQuit(_ p: PanelContext, area: Rect, into buffer: inout CellBuffer) {
        let lines: [[Span]] = [
            [Span("Stop watching this live session?")],
            [],
            [Span(" y ", p.theme.key), Span(" quit   "), Span(" any other key ", p.theme.key), Span(" stay")],
        ]
        centredBox(p, title: "Quit", lines: lines, area: area, into: &buffer)
    }

    static func message(_ p: PanelContext, title: String, text: [String], area: Rect, into buffer: inout CellBuffer) {
        // Spelled in ASCII before the box is measured, so ">=" for "≥" still fits in it.
        let spell = { (line: String) in p.glyphs.unicode ? TerminalText.sanitize(line) : ASCIIText.transliterate(TerminalText.sanitize(line)) }
        centredBox(p, title: spell(title), lines: text.map { [Span(spell($0))] }, area: area, into: &buffer)
    }

    /// "terminal too small: need at least 80×24, have 60×20", centred in the rows from `top`,
    /// on three lines if it must.
    static func tooSmall(need: TerminalSize, have: TerminalSize, glyphs: Glyphs, theme: Theme, top: Int = 0,
                         into buffer: inout CellBuffer) {
        let x = glyphs.times
        let sentence = "terminal too small: need at least \(need.width)\(x)\(need.height), have \(have.width)\(x)\(have.height)"
        let lines: [String]
        if TerminalText.columns(of: sentence) <= buffer.width {
            lines = [sentence]
        } else {
            lines = ["terminal too small:", "need at least \(need.width)\(x)\(need.height),",
                     "have \(have.width)\(x)\(have.height)"]
        }
        let first = top + max(0, (buffer.height - top - lines.count) / 2)
        for (k, line) in lines.enumerated() {
            buffer.put(line, x: 0, y: first + k, width: buffer.width, style: theme.severity(.medium), alignment: .center,
                       ellipsis: glyphs.ellipsis)
        }
    }
}
