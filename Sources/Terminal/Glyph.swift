import CCurses

/// A `Character` as curses draws it: a spacing code point and up to four combining marks
/// (0 ends the list), with the columns it takes. Built straight from the unicode scalars, so
/// presenting a cell allocates nothing.
struct Glyph {
    var base: UInt32
    var mark1: UInt32 = 0
    var mark2: UInt32 = 0
    var mark3: UInt32 = 0
    var mark4: UInt32 = 0
    /// 1 or 2. A width-2 glyph covers the cell to its right.
    var width: Int = 1

    static let space = Glyph(base: 0x20)
    static let replacement = Glyph(base: 0x3F) // "?"

    init(base: UInt32) { self.base = base }

    /// The glyph for a character. Without unicode (a non-UTF-8 locale, where curses would drop
    /// the character silently) anything beyond ASCII becomes `?`; a combining mark on an ASCII
    /// letter is dropped. Spacing code points after the first (flags, ZWJ sequences) are dropped
    /// too: curses keeps one spacing character per cell.
    @inline(__always)
    init(_ character: Character, unicode: Bool) {
        var scalars = character.unicodeScalars.makeIterator()
        guard let first = scalars.next() else {
            self = .space
            return
        }
        let value = first.value
        if value >= 0x20 && value < 0x7F {
            base = value
            guard unicode, let next = scalars.next() else { return }
            self.appendMarks(first: next, rest: &scalars)
            return
        }
        guard unicode, value > 0x9F else {
            self = .replacement // non-ASCII without UTF-8, or a control character
            return
        }
        switch surg_wcwidth(value) {
        case 1:
            base = value
        case 2:
            base = value
            width = 2
        case 0:
            // A lone combining mark or zero-width character: show it on a space.
            base = 0x20
            mark1 = value
            if let next = scalars.next() { appendMarks(first: next, rest: &scalars, from: 2) }
            return
        default:
            self = .replacement // not printable in this locale
            return
        }
        if let next = scalars.next() { appendMarks(first: next, rest: &scalars) }
    }

    private mutating func appendMarks(first: Unicode.Scalar, rest: inout Character.UnicodeScalarView.Iterator, from start: Int = 1) {
        var slot = start
        var scalar: Unicode.Scalar? = first
        while let s = scalar, slot <= 4 {
            guard surg_wcwidth(s.value) == 0 else { return }
            switch slot {
            case 1: mark1 = s.value
            case 2: mark2 = s.value
            case 3: mark3 = s.value
            default: mark4 = s.value
            }
            slot += 1
            scalar = rest.next()
        }
    }
}
