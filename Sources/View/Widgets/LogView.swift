/// A scrolling log: newest line at the bottom, `offset` lines scrolled back into the past.
public struct LogView {
    public var lines: [[Span]]
    /// Lines scrolled back from the newest (0 follows the newest); clamped.
    public var offset: Int
    public var ellipsis: String

    public init(lines: [[Span]], offset: Int = 0, ellipsis: String = "…") {
        self.lines = lines
        self.offset = offset
        self.ellipsis = ellipsis
    }

    /// The largest useful offset for an area of `height` rows.
    public static func maxOffset(count: Int, height: Int) -> Int {
        max(0, count - height)
    }

    public func render(into buffer: inout CellBuffer, area: Rect) {
        guard !area.isEmpty else { return }
        let off = min(max(0, offset), LogView.maxOffset(count: lines.count, height: area.height))
        let end = lines.count - off
        let start = max(0, end - area.height)
        for (row, k) in (start..<end).enumerated() {
            buffer.put(lines[k], x: area.x, y: area.y + row, width: area.width, ellipsis: ellipsis)
        }
    }
}
