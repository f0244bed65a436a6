/// A surface of dots, two wide and four tall per cell, drawn with Unicode braille (U+2800…U+28FF)
/// the way btop draws its graphs. Each cell takes the style of the last dot set in it, since a
/// terminal cell has one colour, unless an earlier dot was set with a higher `rank` (a chart
/// ranks its dots by alarm priority, so a cell a threshold crosses shows the worse colour).
/// Without Unicode a cell with dots becomes one ASCII mark that says where in the cell they
/// are (`'` top half, `.` bottom half, `:` both).
///
/// Dot (0, 0) is the top-left dot; x grows to the right and y downwards. Dots outside the
/// canvas are ignored, so callers may plot values that run off the scale.
public struct BrailleCanvas: Sendable {
    /// Size in cells.
    public let width: Int
    public let height: Int
    private var dots: [UInt8]
    private var styles: [Style]
    private var ranks: [UInt8]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        dots = [UInt8](repeating: 0, count: self.width * self.height)
        styles = [Style](repeating: .plain, count: self.width * self.height)
        ranks = [UInt8](repeating: 0, count: self.width * self.height)
    }

    /// Size in dots.
    public var dotWidth: Int { width * 2 }
    public var dotHeight: Int { height * 4 }

    /// Braille bit of the dot at column `dx` (0–1) and row `dy` (0–3) of a cell.
    private static let bit: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]

    /// Sets one dot. The cell takes `style` unless a dot of a higher `rank` set it before.
    public mutating func set(dotX x: Int, dotY y: Int, style: Style = .plain, rank: UInt8 = 0) {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
        let cell = (y / 4) * width + x / 2
        dots[cell] |= Self.bit[x & 1][y & 3]
        if rank >= ranks[cell] {
            styles[cell] = style
            ranks[cell] = rank
        }
    }

    /// Whether any dot of the cell at (`column`, `row`) is set.
    public func isSet(column: Int, row: Int) -> Bool {
        guard column >= 0, row >= 0, column < width, row < height else { return false }
        return dots[row * width + column] != 0
    }

    /// A straight line of dots between two dots, both ends included (Bresenham). Ends far
    /// outside the canvas are clamped first so that a wild value costs no more than the canvas.
    public mutating func line(from a: (x: Int, y: Int), to b: (x: Int, y: Int), style: Style = .plain) {
        Self.forEachDot(from: a, to: b, limit: lineLimit) { x, y in set(dotX: x, dotY: y, style: style) }
    }

    /// How far outside the canvas a line's ends are clamped to.
    public var lineLimit: Int { 4 * (dotWidth + dotHeight) + 8 }

    /// Calls `body` with every dot of the line from `a` to `b` (as `line` draws it, ends clamped
    /// to ±`limit`), so a caller can style each dot by where it lies.
    public static func forEachDot(from a: (x: Int, y: Int), to b: (x: Int, y: Int), limit: Int,
                                  _ body: (Int, Int) -> Void) {
        var x0 = min(max(a.x, -limit), limit), y0 = min(max(a.y, -limit), limit)
        let x1 = min(max(b.x, -limit), limit), y1 = min(max(b.y, -limit), limit)
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var err = dx + dy
        while true {
            body(x0, y0)
            if x0 == x1 && y0 == y1 { return }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x0 += sx }
            if e2 <= dx { err += dx; y0 += sy }
        }
    }

    /// Draws the cells that have dots, with their top-left cell at (`x`, `y`); empty cells are
    /// left as they are, so a canvas can be drawn over threshold lines or a grid.
    public func render(into buffer: inout CellBuffer, x: Int, y: Int) {
        let unicode = !buffer.asciiOnly
        for row in 0..<height {
            for column in 0..<width {
                let bits = dots[row * width + column]
                guard bits != 0 else { continue }
                let character: Character
                if unicode {
                    character = Character(Unicode.Scalar(0x2800 + UInt32(bits))!)
                } else {
                    let top = bits & 0x1B != 0, bottom = bits & 0xE4 != 0
                    character = top && bottom ? ":" : top ? "'" : "."
                }
                buffer.set(x + column, y + row, character, styles[row * width + column])
            }
        }
    }
}
