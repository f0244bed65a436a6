/// Numbers three rows tall, readable from across a room: half-block digits on a Unicode
/// terminal, seven-segment `_ |` digits in ASCII. Other characters are skipped.
public struct BigText {
    public var text: String
    public var style: Style
    public var glyphs: Glyphs

    public init(_ text: String, style: Style, glyphs: Glyphs) {
        self.text = text
        self.style = style
        self.glyphs = glyphs
    }

    static let blocks: [Character: [String]] = [
        "0": ["█▀█", "█ █", "▀▀▀"], "1": ["▀█ ", " █ ", "▀▀▀"], "2": ["▀▀█", "█▀▀", "▀▀▀"],
        "3": ["▀▀█", " ▀█", "▀▀▀"], "4": ["█ █", "▀▀█", "  ▀"], "5": ["█▀▀", "▀▀█", "▀▀▀"],
        "6": ["█▀▀", "█▀█", "▀▀▀"], "7": ["▀▀█", "  █", "  ▀"], "8": ["█▀█", "█▀█", "▀▀▀"],
        "9": ["█▀█", "▀▀█", "▀▀▀"], ".": [" ", " ", "▀"], "-": ["   ", "▀▀▀", "   "], " ": [" ", " ", " "],
    ]

    static let segments: [Character: [String]] = [
        "0": [" _ ", "| |", "|_|"], "1": ["   ", "  |", "  |"], "2": [" _ ", " _|", "|_ "],
        "3": [" _ ", " _|", " _|"], "4": ["   ", "|_|", "  |"], "5": [" _ ", "|_ ", " _|"],
        "6": [" _ ", "|_ ", "|_|"], "7": [" _ ", "  |", "  |"], "8": [" _ ", "|_|", "|_|"],
        "9": [" _ ", "|_|", " _|"], ".": [" ", " ", "."], "-": ["   ", " _ ", "   "], " ": [" ", " ", " "],
    ]

    private var font: [Character: [String]] { glyphs.unicode ? BigText.blocks : BigText.segments }

    /// Columns the text takes (one blank column between characters).
    public var width: Int {
        var w = 0
        var n = 0
        for ch in text {
            guard let rows = font[ch] else { continue }
            w += rows[0].count
            n += 1
        }
        return n == 0 ? 0 : w + n - 1
    }

    /// Draws from the top-left of `area` (three rows), clipped to it.
    public func render(into buffer: inout CellBuffer, area: Rect) {
        var x = area.x
        for ch in text {
            guard let rows = font[ch] else { continue }
            for (dy, row) in rows.enumerated() where dy < area.height {
                var cx = x
                for c in row {
                    if c != " " { buffer.set(cx, area.y + dy, c, style, clip: area) }
                    cx += 1
                }
            }
            x += rows[0].count + 1
        }
    }
}
