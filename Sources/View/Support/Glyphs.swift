/// The characters the view draws with: Unicode box drawing and block elements on a UTF-8
/// terminal, plain ASCII otherwise (under `LANG=C` curses drops every non-ASCII glyph).
public struct Glyphs: Sendable, Equatable {
    /// The set of border characters for one box style.
    public struct BoxSet: Sendable, Equatable {
        public var horizontal: Character
        public var vertical: Character
        public var topLeft: Character
        public var topRight: Character
        public var bottomLeft: Character
        public var bottomRight: Character
    }

    public let unicode: Bool
    /// An unfocused panel's border.
    public let box: BoxSet
    /// The focused panel's border (double lines, or `=` in ASCII).
    public let focusedBox: BoxSet
    /// A full gauge cell, and the partial cells for 1/8 … 7/8 (index 1…7; index 0 is the empty cell).
    public let gaugeFull: Character
    public let gaugeEighths: [Character]
    /// The unfilled part of a gauge track.
    public let gaugeEmpty: Character
    /// Sparkline levels, lowest first (8 of them).
    public let spark: [Character]
    /// A vertical separator between side-by-side blocks.
    public let separator: Character
    /// A mark on the timeline where an event happened.
    public let tick: Character
    public let ellipsis: String
    public let up: String
    public let down: String
    public let arrow: String
    public let degree: String
    public let dot: String
    public let times: String
    public let energy: String
    public let play: String
    public let pause: String
    /// A value that is not known (yet).
    public let none: String
    public let plusMinus: String

    public init(unicode: Bool) {
        self.unicode = unicode
        if unicode {
            box = BoxSet(horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘")
            focusedBox = BoxSet(horizontal: "═", vertical: "║", topLeft: "╔", topRight: "╗", bottomLeft: "╚", bottomRight: "╝")
            gaugeFull = "█"
            gaugeEighths = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
            gaugeEmpty = "·"
            spark = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
            separator = "│"
            tick = "╵"
            ellipsis = "…"
            up = "▲"
            down = "▼"
            arrow = "→"
            degree = "°"
            dot = "·"
            times = "×"
            energy = "⚡"
            play = "▶"
            pause = "❚❚"
            none = "—"
            plusMinus = "±"
        } else {
            box = BoxSet(horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+")
            focusedBox = BoxSet(horizontal: "=", vertical: "|", topLeft: "#", topRight: "#", bottomLeft: "#", bottomRight: "#")
            gaugeFull = "#"
            // Partial cells: '-' for a small part, '=' for half or more.
            gaugeEighths = [" ", "-", "-", "-", "=", "=", "=", "="]
            gaugeEmpty = "."
            spark = ["_", ".", ",", "-", "=", "+", "*", "#"]
            separator = "|"
            tick = "'"
            ellipsis = "~"
            up = "^"
            down = "v"
            arrow = "->"
            degree = "deg"
            dot = "|"
            times = "x"
            energy = "!!"
            play = ">"
            pause = "||"
            none = "-"
            plusMinus = "+-"
        }
    }

    public static let utf8 = Glyphs(unicode: true)
    public static let ascii = Glyphs(unicode: false)

    /// Unicode when the locale's character set is UTF-8 (LC_ALL, else LC_CTYPE, else LANG).
    public static func detect(environment: [String: String]) -> Glyphs {
        let locale = [environment["LC_ALL"], environment["LC_CTYPE"], environment["LANG"]]
            .compactMap { $0 }.first { !$0.isEmpty } ?? ""
        let lower = locale.lowercased()
        return Glyphs(unicode: lower.contains("utf-8") || lower.contains("utf8"))
    }
}
