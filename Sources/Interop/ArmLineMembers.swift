/// The top-level members of an arm frame's line, as byte ranges of their values, so that each CRTK part's
/// message copies the numbers' text instead of re-formatting doubles: faster, and the values stay exact.
///
/// Only for a line the frame decoder has accepted: it is then valid JSON, so this scanner only tracks
/// strings and nesting and needs no error paths. A later duplicate key wins, as in the decoder.
final class ArmLineMembers {
    /// The members an arm part carries (and the common ones), in the order written.
    enum Member: Int, CaseIterable {
        case t, seq, arm, state, homed, following, position, velocity, effort, jaw, tip, orientation, twist
    }

    /// Each member's value as `starts[k]..<ends[k]` in the line; `ends[k]` is 0 when absent. Raw storage:
    /// this runs for every arm frame, and arrays would check uniqueness on every store.
    private let starts = UnsafeMutablePointer<Int>.allocate(capacity: Member.allCases.count)
    private let ends = UnsafeMutablePointer<Int>.allocate(capacity: Member.allCases.count)
    /// What each byte is to the scanner (`ByteClass`), so that the loops test one table entry per byte.
    private let classes = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)

    private enum ByteClass {
        static let plain: UInt8 = 0, quote: UInt8 = 1, open: UInt8 = 2, close: UInt8 = 3, comma: UInt8 = 4
        static let space: UInt8 = 5, backslash: UInt8 = 6
    }

    init() {
        starts.initialize(repeating: 0, count: Member.allCases.count)
        ends.initialize(repeating: 0, count: Member.allCases.count)
        classes.initialize(repeating: ByteClass.plain, count: 256)
        classes[Int(UInt8(ascii: "\""))] = ByteClass.quote
        classes[Int(UInt8(ascii: "\\"))] = ByteClass.backslash
        for c in "[{".utf8 { classes[Int(c)] = ByteClass.open }
        for c in "]}".utf8 { classes[Int(c)] = ByteClass.close }
        classes[Int(UInt8(ascii: ","))] = ByteClass.comma
        for c in [0x20, 0x09, 0x0A, 0x0D] { classes[c] = ByteClass.space }
    }

    deinit {
        starts.deallocate()
        ends.deallocate()
        classes.deallocate()
    }

    @inline(__always) func has(_ member: Member) -> Bool { ends[member.rawValue] > 0 }

    /// A bit per member the line has, by `Member.rawValue`.
    private(set) var present: UInt16 = 0

    @inline(__always) func range(_ member: Member) -> Range<Int>? {
        let k = member.rawValue
        return ends[k] > 0 ? starts[k]..<ends[k] : nil
    }

    /// Finds the members of the object on `line` (whitespace around it allowed).
    func scan(_ line: UnsafeBufferPointer<UInt8>) {
        ends.update(repeating: 0, count: Member.allCases.count)
        present = 0
        guard let p = line.baseAddress else { return }
        let n = line.count
        let classes = self.classes
        var i = 0
        @inline(__always) func skipWhitespace() {
            while i < n, classes[Int(p[i])] == ByteClass.space { i += 1 }
        }
        /// From an opening quote to just past the closing one.
        @inline(__always) func skipString() {
            i += 1
            while i < n {
                let c = classes[Int(p[i])]
                if c == ByteClass.backslash { i += 2; continue }
                i += 1
                if c == ByteClass.quote { return }
            }
        }
        skipWhitespace()
        guard i < n, p[i] == UInt8(ascii: "{") else { return }
        i += 1
        while true {
            skipWhitespace()
            guard i < n, p[i] == UInt8(ascii: "\"") else { return }  // `}`: the end of the object
            let keyStart = i + 1
            // A plain key (the usual case) ends at the first quote; one with an escape is read the long way.
            i = keyStart
            while i < n, classes[Int(p[i])] != ByteClass.quote, classes[Int(p[i])] != ByteClass.backslash { i += 1 }
            let key: Member?
            if i < n, p[i] == UInt8(ascii: "\"") {
                key = Self.member(named: UnsafeBufferPointer(rebasing: line[keyStart..<i]))
                i += 1
            } else {
                i = keyStart - 1
                skipString()
                key = Self.member(line, keyStart, i - 1)
            }
            skipWhitespace()
            i += 1  // the colon
            skipWhitespace()
            let valueStart = i
            var depth = 0
            while i < n {
                // Inside an array of numbers, eight bytes a step while none is a quote or bracket.
                while depth > 0, i + 8 <= n, !Self.hasStructuralByte(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)) {
                    i += 8
                }
                guard i < n else { break }
                let c = classes[Int(p[i])]
                if c == ByteClass.plain || (depth > 0 && c >= ByteClass.comma) { i += 1; continue }
                if c == ByteClass.quote {
                    skipString()
                    if depth == 0 { break }
                    continue
                }
                if c == ByteClass.open {
                    depth += 1
                } else if c == ByteClass.close {
                    if depth == 0 { break }  // the object's end after a number or literal
                    depth -= 1
                    if depth == 0 { i += 1; break }
                } else if depth == 0 {
                    break  // a comma or whitespace after a number or literal
                }
                i += 1
            }
            if let key {
                starts[key.rawValue] = valueStart
                ends[key.rawValue] = i
                present |= 1 << key.rawValue
            }
            skipWhitespace()
            guard i < n, p[i] == UInt8(ascii: ",") else { return }
            i += 1
        }
    }

    /// Whether any of the eight bytes of `word` is `"`, `[`, `]`, `{` or `}` (SWAR: a byte equal to the one
    /// sought becomes zero, and a zero byte is found by the borrow it causes).
    @inline(__always) private static func hasStructuralByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZero(_ v: UInt64) -> Bool { (v &- ones) & ~v & highs != 0 }
        let folded = word | 0x2020_2020_2020_2020  // [ and ] become { and }
        return hasZero(word ^ 0x2222_2222_2222_2222) || hasZero(folded ^ 0x7B7B_7B7B_7B7B_7B7B)
            || hasZero(folded ^ 0x7D7D_7D7D_7D7D_7D7D)
    }

    /// The member named by the key's bytes `start..<end`; nil for any other key. A key written with escapes
    /// (`"po\u0073ition"`) is unescaped first: the decoder reads it as the same key.
    private static func member(_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Member? {
        let length = end - start
        guard length > 0, length <= maxEscapedKeyBytes else { return nil }
        var hasEscape = false
        for k in start..<end where line[k] == UInt8(ascii: "\\") {
            hasEscape = true
            break
        }
        if hasEscape {
            guard let key = unescaped(UnsafeBufferPointer(rebasing: line[start..<end])) else { return nil }
            return key.withUnsafeBufferPointer { member(named: $0) }
        }
        return member(named: UnsafeBufferPointer(rebasing: line[start..<end]))
    }

    /// The longest key that can still name a member: its longest name, "orientation", with every character
    /// escaped as `\uXXXX` (6 bytes). Longer keys are some other member, skipped without unescaping.
    static let maxEscapedKeyBytes = 6 * 11

    private static func member(named key: UnsafeBufferPointer<UInt8>) -> Member? {
        @inline(__always) func equals(_ literal: StaticString) -> Bool {
            let l = literal.utf8Start
            for k in 0..<key.count where l[k] != key[k] { return false }
            return true
        }
        switch key.count {
        case 1: return equals("t") ? .t : nil
        case 3: return equals("seq") ? .seq : equals("arm") ? .arm : equals("jaw") ? .jaw : equals("tip") ? .tip : nil
        case 5: return equals("state") ? .state : equals("homed") ? .homed : equals("twist") ? .twist : nil
        case 6: return equals("effort") ? .effort : nil
        case 8: return equals("position") ? .position : equals("velocity") ? .velocity : nil
        case 9: return equals("following") ? .following : nil
        case 11: return equals("orientation") ? .orientation : nil
        default: return nil
        }
    }

    /// A key's bytes with its escapes resolved, when they all stand for ASCII (the only keys that can match).
    private static func unescaped(_ key: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        var k = 0
        while k < key.count {
            let c = key[k]
            guard c == UInt8(ascii: "\\") else { out.append(c); k += 1; continue }
            guard k + 1 < key.count else { return nil }
            switch key[k + 1] {
            case UInt8(ascii: "u"):
                guard k + 6 <= key.count else { return nil }
                var value: UInt32 = 0
                for h in key[(k + 2)..<(k + 6)] {
                    guard let digit = hexValue(h) else { return nil }
                    value = value << 4 | digit
                }
                guard value < 0x80 else { return nil }
                out.append(UInt8(value))
                k += 6
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
                out.append(key[k + 1])
                k += 2
            default:
                return nil  // \b \f \n \r \t: control characters, in no member's name
            }
        }
        return out
    }

    private static func hexValue(_ h: UInt8) -> UInt32? {
        switch h {
        case 0x30...0x39: UInt32(h - 0x30)
        case 0x41...0x46: UInt32(h - 0x41 + 10)
        case 0x61...0x66: UInt32(h - 0x61 + 10)
        default: nil
        }
    }
}
