/// Terminal colours the view may ask for. The backend maps them to curses pairs, or drops them
/// in monochrome, where `Style.attributes` alone must keep meaning readable.
public enum Color: UInt8, Sendable, Equatable, CaseIterable {
    case `default`, black, red, green, yellow, blue, magenta, cyan, white
}

/// How a cell is drawn: colours plus attributes. Attributes survive a monochrome terminal.
public struct Style: Sendable, Equatable, Hashable {
    public struct Attributes: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let bold = Attributes(rawValue: 1 << 0)
        public static let dim = Attributes(rawValue: 1 << 1)
        public static let reverse = Attributes(rawValue: 1 << 2)
        public static let underline = Attributes(rawValue: 1 << 3)
        public static let blink = Attributes(rawValue: 1 << 4)
    }

    public var fg: Color
    public var bg: Color
    public var attributes: Attributes

    public init(fg: Color = .default, bg: Color = .default, attributes: Attributes = []) {
        self.fg = fg
        self.bg = bg
        self.attributes = attributes
    }

    public static let plain = Style()
    public static let bold = Style(attributes: .bold)
    public static let dim = Style(attributes: .dim)
    public static let reverse = Style(attributes: .reverse)
}

/// One terminal cell: a grapheme (one or two columns wide) and its style.
/// The second column of a wide character holds `Cell.continuation`.
public struct Cell: Sendable, Equatable {
    public var character: Character
    public var style: Style

    public init(_ character: Character = " ", _ style: Style = .plain) {
        self.character = character
        self.style = style
    }

    public static let blank = Cell()
    /// Placeholder for the right half of a double-width character; backends skip it.
    public static let continuation = Cell("\u{0}")
}

/// A rectangle of cells, in columns and rows from the top-left corner.
public struct Rect: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var isEmpty: Bool { width <= 0 || height <= 0 }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var description: String { "\(width)x\(height)+\(x)+\(y)" }

    /// The rectangle shrunk by `by` cells on every side.
    public func inset(_ by: Int) -> Rect {
        Rect(x: x + by, y: y + by, width: width - 2 * by, height: height - 2 * by)
    }

    public func intersection(_ other: Rect) -> Rect {
        let x0 = max(x, other.x), y0 = max(y, other.y)
        let x1 = min(maxX, other.maxX), y1 = min(maxY, other.maxY)
        return Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }
}

/// A terminal-independent screen: widgets draw into it, a backend presents it.
/// Drawing outside the buffer is clipped silently, so widgets never need to bounds-check.
public struct CellBuffer: Sendable, Equatable {
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var cells: [Cell]
    /// Text is written in ASCII (`ASCIIText`: "≥" as ">="): the terminal has no UTF-8 locale.
    /// `ConsoleView.render` sets it from the view context's glyphs.
    public var asciiOnly = false

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    /// Sets one cell if it lies inside the buffer (and inside `clip`, when given).
    @inline(__always)
    public mutating func set(_ x: Int, _ y: Int, _ character: Character, _ style: Style, clip: Rect? = nil) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        if let clip, x < clip.x || y < clip.y || x >= clip.maxX || y >= clip.maxY { return }
        cells[y * width + x] = Cell(character, style)
    }

    /// Fills a rectangle with one character and style.
    public mutating func fill(_ rect: Rect, _ character: Character = " ", _ style: Style = .plain) {
        let r = rect.intersection(area)
        guard !r.isEmpty else { return }
        for y in r.y..<r.maxY {
            for x in r.x..<r.maxX { cells[y * width + x] = Cell(character, style) }
        }
    }

    /// Writes text from (x, y), at most `maxWidth` columns (clipped to the buffer), and returns
    /// the number of columns used. Text must already be sanitised (see `TerminalText`).
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, style: Style = .plain, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = min(maxWidth ?? Int.max, width - x)
        var col = 0
        for ch in text {
            let w = TerminalText.columns(of: ch)
            if col + w > limit { break }
            if x + col >= 0 {
                cells[y * width + x + col] = Cell(ch, style)
                if w == 2, x + col + 1 < width { cells[y * width + x + col + 1] = .continuation }
            }
            col += w
        }
        return col
    }

    /// The rows as plain text, trailing spaces kept (tests compare whole lines).
    public var lines: [String] {
        (0..<height).map { row in
            var s = ""
            for x in 0..<width {
                let c = cells[row * width + x]
                if c == .continuation { continue }
                s.append(c.character)
            }
            return s
        }
    }

    /// The rows with trailing spaces removed, joined by newlines: what `--snapshot` prints.
    public var text: String {
        lines.map { line in
            var l = Substring(line)
            while l.last == " " { l = l.dropLast() }
            return String(l)
        }.joined(separator: "\n")
    }
}

extension Cell {
    /// True for `Cell.continuation`, the right half of a wide character.
    @inline(__always)
    public var isContinuation: Bool { character.unicodeScalars.first?.value == 0 }
}

/// A stretch of one row to redraw: columns `x ..< x + width` of row `y`.
public struct CellSpan: Sendable, Equatable, CustomStringConvertible {
    public var y: Int
    public var x: Int
    public var width: Int

    public init(y: Int, x: Int, width: Int) {
        self.y = y
        self.x = x
        self.width = width
    }

    public var endX: Int { x + width }
    public var description: String { "row \(y) columns \(x)..<\(endX)" }
}

/// What a terminal must redraw to go from the buffer on screen to the next one
/// (`CellBuffer.changes(from:)`).
public enum CellChanges: Sendable, Equatable {
    /// Every cell: nothing comparable is on screen (the first frame, a new size, after a resize).
    case all
    /// These stretches, top to bottom and left to right; none at all means nothing to present.
    case spans([CellSpan])

    /// True when nothing needs presenting.
    public var isEmpty: Bool {
        if case .spans(let spans) = self { return spans.isEmpty }
        return false
    }
}

extension CellBuffer {
    /// The stretches of this buffer that differ from `previous`, the buffer on screen: `.all`
    /// when there is none or its size differs. A stretch grows over every cell that is half of a
    /// wide character, before or now, so a terminal that redraws it never overwrites half of a
    /// wide character (curses would keep the other half as a dangling extension cell and shift
    /// the rest of the line).
    public func changes(from previous: CellBuffer?) -> CellChanges {
        guard let previous, previous.width == width, previous.height == height else { return .all }
        var spans: [CellSpan] = []
        cells.withUnsafeBufferPointer { now in
            previous.cells.withUnsafeBufferPointer { before in
                for y in 0..<height {
                    let row = y * width
                    var x = 0
                    while x < width {
                        if now[row + x] == before[row + x] {
                            x += 1
                            continue
                        }
                        var start = x
                        while start > 0 && (now[row + start].isContinuation || before[row + start].isContinuation) {
                            start -= 1
                        }
                        var end = x + 1  // exclusive
                        while end < width && (now[row + end] != before[row + end]
                            || now[row + end].isContinuation || before[row + end].isContinuation) {
                            end += 1
                        }
                        spans.append(CellSpan(y: y, x: start, width: end - start))
                        x = end
                    }
                }
            }
        }
        return .spans(spans)
    }
}
