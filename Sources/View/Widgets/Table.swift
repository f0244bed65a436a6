/// Rows of cells under a header, in columns of fixed or shared width, each cell cut with an
/// ellipsis and aligned. Scrolls by whole rows.
public struct Table {
    public struct Column: Sendable, Equatable {
        public var title: String
        public var width: SizeConstraint
        public var alignment: TextAlignment

        public init(_ title: String, _ width: SizeConstraint, _ alignment: TextAlignment = .left) {
            self.title = title
            self.width = width
            self.alignment = alignment
        }
    }

    public struct Row: Sendable, Equatable {
        public var cells: [Span]
        /// When set, the whole row (gaps included) is drawn in this style, overriding the cells'.
        public var style: Style?

        public init(_ cells: [Span], style: Style? = nil) {
            self.cells = cells
            self.style = style
        }
    }

    public var columns: [Column]
    public var rows: [Row]
    public var showHeader: Bool
    /// Index of the first row shown; clamped.
    public var offset: Int
    public var headerStyle: Style
    public var ellipsis: String

    public init(columns: [Column], rows: [Row], showHeader: Bool = true, offset: Int = 0,
                headerStyle: Style = .bold, ellipsis: String = "…") {
        self.columns = columns
        self.rows = rows
        self.showHeader = showHeader
        self.offset = offset
        self.headerStyle = headerStyle
        self.ellipsis = ellipsis
    }

    /// Column widths for a table `total` columns wide, one blank column between neighbours.
    public static func widths(_ columns: [Column], total: Int) -> [Int] {
        let gaps = max(0, columns.count - 1)
        return LayoutEngine.sizes(total: total - gaps, columns.map(\.width))
    }

    /// Rows that fit under the header in `height` rows.
    public func visibleRows(height: Int) -> Int {
        max(0, height - (showHeader ? 1 : 0))
    }

    /// The largest useful offset for an area `height` rows tall.
    public func maxOffset(height: Int) -> Int {
        max(0, rows.count - visibleRows(height: height))
    }

    public func render(into buffer: inout CellBuffer, area: Rect) {
        guard !area.isEmpty else { return }
        let widths = Table.widths(columns, total: area.width)
        var y = area.y
        if showHeader {
            var x = area.x
            for (column, w) in zip(columns, widths) {
                if w > 0 {
                    buffer.put(column.title, x: x, y: y, width: w, style: headerStyle, alignment: column.alignment,
                               ellipsis: ellipsis)
                }
                x += w + 1
            }
            y += 1
        }
        let first = min(max(0, offset), maxOffset(height: area.height))
        var k = first
        while y < area.maxY, k < rows.count {
            let row = rows[k]
            if let style = row.style { buffer.band(x: area.x, y: y, width: area.width, style: style) }
            var x = area.x
            for (i, w) in widths.enumerated() where i < row.cells.count {
                if w > 0 {
                    let cell = row.cells[i]
                    buffer.put(cell.text, x: x, y: y, width: w, style: row.style ?? cell.style,
                               alignment: columns[i].alignment, ellipsis: ellipsis)
                }
                x += w + 1
            }
            y += 1
            k += 1
        }
    }
}
