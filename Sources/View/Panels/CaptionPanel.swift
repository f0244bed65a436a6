import SessionCore

/// The demo's caption band: the latest `caption` event, across the screen.
enum CaptionPanel {
    static func render(_ p: PanelContext, area: Rect, into buffer: inout CellBuffer) {
        guard !area.isEmpty else { return }
        guard let caption = p.state.events.last(where: { $0.kind == "caption" })?.text else { return }
        buffer.put(caption, x: area.x, y: area.y, width: area.width, style: p.theme.accent, ellipsis: p.ellipsis)
    }
}
