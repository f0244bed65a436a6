import SessionCore

/// A top-down view of each PSM's tool-tip trail.
enum TipsPanel {
    static func render(_ p: PanelContext, area: Rect, into buffer: inout CellBuffer) {
        let inner = p.frame(.tips, title: PanelID.tips.title, area: area, into: &buffer)
        p.placeholder("tool-tip canvas", area: inner, into: &buffer)
    }
}
