/// A bordered box with a title on its top edge and optional tags at the right of it
/// ("STALE 3.4 s", "2 DOWN"). A focused box has a double border and a highlighted title.
public struct Box {
    public var title: String
    public var tags: [Span]
    public var focused: Bool
    public var glyphs: Glyphs
    public var theme: Theme

    public init(title: String, tags: [Span] = [], focused: Bool = false, glyphs: Glyphs, theme: Theme) {
        self.title = title
        self.tags = tags
        self.focused = focused
        self.glyphs = glyphs
        self.theme = theme
    }

    /// Draws the box and returns the area inside the border.
    @discardableResult
    public func render(into buffer: inout CellBuffer, area: Rect) -> Rect {
        guard area.width >= 2, area.height >= 2 else { return Rect(x: area.x, y: area.y, width: 0, height: 0) }
        let set = focused ? glyphs.focusedBox : glyphs.box
        let style = focused ? theme.focusedBorder : theme.border
        let x0 = area.x, y0 = area.y, x1 = area.maxX - 1, y1 = area.maxY - 1
        for x in (x0 + 1)..<x1 {
            buffer.set(x, y0, set.horizontal, style)
            buffer.set(x, y1, set.horizontal, style)
        }
        for y in (y0 + 1)..<y1 {
            buffer.set(x0, y, set.vertical, style)
            buffer.set(x1, y, set.vertical, style)
        }
        buffer.set(x0, y0, set.topLeft, style)
        buffer.set(x1, y0, set.topRight, style)
        buffer.set(x0, y1, set.bottomLeft, style)
        buffer.set(x1, y1, set.bottomRight, style)
        drawTitle(into: &buffer, area: area)
        return area.inset(1)
    }

    /// Title at the left of the top edge, tags at its right; tags win the space (they carry
    /// state), the title is cut with an ellipsis.
    private func drawTitle(into buffer: inout CellBuffer, area: Rect) {
        let room = area.width - 4   // a corner and a border cell on each side
        guard room > 0 else { return }
        var tagWidth = 0
        for tag in tags { tagWidth += buffer.columns(of: tag.text) + 2 }
        tagWidth = min(tagWidth, room)
        let titleRoom = tags.isEmpty ? room : room - tagWidth - 1
        let titleStyle = focused ? theme.focusedTitle : theme.title
        if titleRoom >= 3 || tags.isEmpty {
            let text = TerminalText.fit(title, width: max(0, titleRoom - 2), ellipsis: glyphs.ellipsis)
            buffer.put(" " + text + " ", x: area.x + 2, y: area.y, width: titleRoom, style: titleStyle,
                       ellipsis: glyphs.ellipsis)
        }
        guard !tags.isEmpty else { return }
        var x = area.maxX - 2 - tagWidth
        let end = area.maxX - 2
        for tag in tags {
            guard x < end else { break }
            x += buffer.put(" " + TerminalText.sanitize(tag.text) + " ", x: x, y: area.y, width: end - x,
                            style: tag.style, ellipsis: glyphs.ellipsis)
        }
    }
}
