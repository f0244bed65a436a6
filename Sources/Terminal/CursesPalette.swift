import CCurses
import View

/// Turns a `Style` into curses attributes and a colour pair, through two small tables so
/// `present` does no hashing and no allocation per cell. Pairs are made on first use: a
/// terminal may offer fewer pairs (64 for xterm and screen) than the 80 colour combinations.
struct CursesPalette {
    private static let colorCount = Color.allCases.count

    let colors: Bool
    /// Attributes for each of the 32 combinations of `Style.Attributes`.
    private let attributeTable: [attr_t]
    /// Pair number for `fg * colorCount + bg`, or -1 while not yet made.
    private var pairTable: [Int16]
    private var nextPair: Int32 = 1
    private let maxPairs: Int32
    /// Whether the terminal's own colours are available as -1 (use_default_colors succeeded).
    private let defaultColors: Bool

    init(colors: Bool, defaultColors: Bool, maxPairs: Int32) {
        self.colors = colors
        self.defaultColors = defaultColors
        self.maxPairs = maxPairs
        var table = [attr_t](repeating: surg_A_NORMAL(), count: 32)
        for bits in 0..<32 {
            let set = Style.Attributes(rawValue: UInt8(bits))
            var a = surg_A_NORMAL()
            if set.contains(.bold) { a |= surg_A_BOLD() }
            if set.contains(.dim) { a |= surg_A_DIM() }
            if set.contains(.reverse) { a |= surg_A_REVERSE() }
            if set.contains(.underline) { a |= surg_A_UNDERLINE() }
            if set.contains(.blink) { a |= surg_A_BLINK() }
            table[bits] = a
        }
        attributeTable = table
        pairTable = [Int16](repeating: -1, count: Self.colorCount * Self.colorCount)
        pairTable[0] = 0 // default on default: the terminal's own colours, pair 0
    }

    @inline(__always)
    func attributes(_ style: Style) -> attr_t {
        attributeTable[Int(style.attributes.rawValue & 0x1F)]
    }

    @inline(__always)
    mutating func pair(_ style: Style) -> Int16 {
        guard colors else { return 0 }
        let key = Int(style.fg.rawValue) * Self.colorCount + Int(style.bg.rawValue)
        let known = pairTable[key]
        if known >= 0 { return known }
        return makePair(key: key, style: style)
    }

    private mutating func makePair(key: Int, style: Style) -> Int16 {
        guard nextPair < maxPairs, nextPair <= Int32(Int16.max) else {
            // Out of pairs: keep the foreground if that pair exists, else the terminal's colours.
            let fallback = Int(style.fg.rawValue) * Self.colorCount
            return pairTable[fallback] >= 0 ? pairTable[fallback] : 0
        }
        let pair = Int16(nextPair)
        guard init_pair(pair, cursesColor(style.fg, background: false), cursesColor(style.bg, background: true)) != ERR else {
            pairTable[key] = 0
            return 0
        }
        nextPair += 1
        pairTable[key] = pair
        return pair
    }

    private func cursesColor(_ color: Color, background: Bool) -> Int16 {
        switch color {
        case .default:
            if defaultColors { return -1 }
            return Int16(background ? COLOR_BLACK : COLOR_WHITE)
        case .black: return Int16(COLOR_BLACK)
        case .red: return Int16(COLOR_RED)
        case .green: return Int16(COLOR_GREEN)
        case .yellow: return Int16(COLOR_YELLOW)
        case .blue: return Int16(COLOR_BLUE)
        case .magenta: return Int16(COLOR_MAGENTA)
        case .cyan: return Int16(COLOR_CYAN)
        case .white: return Int16(COLOR_WHITE)
        }
    }
}
