/// The keys that work now (replay adds space, +/- and ←/→), and the layout's name at the right.
enum FooterPanel {
    static func render(_ p: PanelContext, area: Rect, into buffer: inout CellBuffer) {
        guard !area.isEmpty else { return }
        var area = area
        let y = area.y + area.height - 1
        if let note = p.view.footerNote {
            // An answer to a key comes first, the keys after it in what room is left.
            let shown = TerminalText.sanitize(note) + "  "
            let width = min(area.width, buffer.columns(of: shown))
            buffer.put(shown, x: area.x, y: y, width: width, style: p.theme.bold, ellipsis: p.ellipsis)
            area = Rect(x: area.x + width, y: area.y, width: area.width - width, height: area.height)
            guard !area.isEmpty else { return }
        }
        let keys = KeyHelp.bindings(for: p.view.mode, glyphs: p.glyphs, extra: p.view.extraKeys)
        let right = "layout: " + TerminalText.sanitize(p.layoutName)
        let rightWidth = buffer.columns(of: right)
        // Roomy key caps when they fit, tight ones otherwise, so every key stays listed.
        let roomy = spans(p, keys, padded: true)
        let tight = spans(p, keys, padded: false)
        let roomyWidth = buffer.columns(of: roomy)
        let tightWidth = buffer.columns(of: tight)
        if roomyWidth + rightWidth + 2 <= area.width {
            buffer.put(roomy, x: area.x, y: y, width: area.width, ellipsis: p.ellipsis)
            buffer.put(right, x: area.maxX - rightWidth, y: y, width: rightWidth, style: p.theme.label)
        } else if tightWidth + rightWidth + 2 <= area.width {
            buffer.put(tight, x: area.x, y: y, width: area.width, ellipsis: p.ellipsis)
            buffer.put(right, x: area.maxX - rightWidth, y: y, width: rightWidth, style: p.theme.label)
        } else {
            // Too narrow for every key: leave out the general ones first (the help lists them all,
            // and `?` says so), never cutting a key in half.
            var shown = keys
            var line = tight
            for key in dropOrder(keys) where buffer.columns(of: line) > area.width {
                shown.removeAll { $0 == key }
                line = spans(p, shown.map { $0.key == "?" ? $0.withShort("all keys") : $0 }, padded: false)
            }
            buffer.put(line, x: area.x, y: y, width: area.width, ellipsis: p.ellipsis)
        }
    }

    /// The keys a narrow footer leaves out, first to last: the finer ways to find a moment of a
    /// replay and navigation, the caption band's key, then the alarm extras, then the history and the jump to an alarm.
    /// Quit, help, pause, speed, ±5 s and acknowledging the selected alarm stay.
    static func dropOrder(_ keys: [KeyBinding]) -> [KeyBinding] {
        let order = ["start/end", "loop", "frame", "bookmark", "scroll", "focus", "layout", "caption", "go to", "event",
                     "alarm log", "ack all", "audio pause", "history", "alarm"]
        return order.compactMap { short in keys.first { $0.short == short } }
    }

    static func spans(_ p: PanelContext, _ keys: [KeyBinding], padded: Bool) -> [Span] {
        var out: [Span] = []
        for (k, key) in keys.enumerated() {
            if k > 0 { out.append(Span(" ")) }
            out.append(Span(padded ? " " + key.footerKey + " " : key.footerKey, p.theme.key))
            out.append(Span(" " + key.short))
        }
        return out
    }
}
