/// The keys that work now (replay adds space, +/- and ←/→), and the layout's name at the right.
enum FooterPanel {
    static func render(_ p: PanelContext, area: Rect, into buffer: inout CellBuffer) {
        guard !area.isEmpty else { return }
        let keys = KeyHelp.bindings(for: p.view.mode, glyphs: p.glyphs, extra: p.view.extraKeys)
        let y = area.y + area.height - 1
        let right = "layout: " + TerminalText.sanitize(p.layoutName)
        let rightWidth = TerminalText.columns(of: right)
        // Roomy key caps when they fit, tight ones otherwise, so every key stays listed.
        let roomy = spans(p, keys, padded: true)
        let tight = spans(p, keys, padded: false)
        let roomyWidth = roomy.reduce(0) { $0 + $1.columns }
        let tightWidth = tight.reduce(0) { $0 + $1.columns }
        if roomyWidth + rightWidth + 2 <= area.width {
            buffer.put(roomy, x: area.x, y: y, width: area.width, ellipsis: p.ellipsis)
            buffer.put(right, x: area.maxX - rightWidth, y: y, width: rightWidth, style: p.theme.label)
        } else if tightWidth + rightWidth + 2 <= area.width {
            buffer.put(tight, x: area.x, y: y, width: area.width, ellipsis: p.ellipsis)
            buffer.put(right, x: area.maxX - rightWidth, y: y, width: rightWidth, style: p.theme.label)
        } else {
            buffer.put(roomyWidth <= area.width ? roomy : tight, x: area.x, y: y, width: area.width, ellipsis: p.ellipsis)
        }
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
