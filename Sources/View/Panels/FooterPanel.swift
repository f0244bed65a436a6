/// The keys that work now (replay adds space, +/- and ←/→), and the layout's name at the right.
enum FooterPanel {
    static func render(_ p: PanelContext, area: Rect, into buffer: inout CellBuffer) {
        guard !area.isEmpty else { return }
        let keys = KeyHelp.bindings(for: p.view.mode, glyphs: p.glyphs, extra: p.view.extraKeys)
        var spans: [Span] = []
        for (k, key) in keys.enumerated() {
            if k > 0 { spans.append(Span(" ")) }
            spans.append(Span(" " + key.footerKey + " ", p.theme.key))
            spans.append(Span(" " + key.short))
        }
        let right = "layout: " + TerminalText.sanitize(p.layoutName)
        let rightWidth = TerminalText.columns(of: right)
        let keysWidth = spans.reduce(0) { $0 + $1.columns }
        let y = area.y + area.height - 1
        if keysWidth + rightWidth + 2 <= area.width {
            buffer.put(spans, x: area.x, y: y, width: area.width - rightWidth - 1, ellipsis: p.ellipsis)
            buffer.put(right, x: area.maxX - rightWidth, y: y, width: rightWidth, style: p.theme.label)
        } else {
            buffer.put(spans, x: area.x, y: y, width: area.width, ellipsis: p.ellipsis)
        }
    }
}
