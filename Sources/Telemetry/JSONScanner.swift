#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a line is not valid JSON, or not a valid frame.
struct ScanError: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// A byte-level RFC 8259 scanner over one line. It validates as it goes
/// (number grammar, string escapes, UTF-8, nesting) and hands typed values to
/// the frame decoder without building an intermediate tree.
struct JSONScanner {
    let base: UnsafePointer<UInt8>
    let count: Int
    var i = 0
    /// Nesting limit for skipped values, so a hostile line cannot exhaust the stack.
    static let maxDepth = 512

    init(base: UnsafePointer<UInt8>, count: Int) {
        self.base = base
        self.count = count
    }

    @inline(__always) var atEnd: Bool { i >= count }

    @inline(__always) func peek() -> UInt8 {
        i < count ? base[i] : 0
    }

    @inline(__always) mutating func skipWhitespace() {
        while i < count {
            let c = base[i]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { i += 1 } else { return }
        }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(ScanError) {
        skipWhitespace()
        guard i < count, base[i] == byte else { throw unexpected(expecting: what) }
        i += 1
    }

    func unexpected(expecting what: String) -> ScanError {
        if i >= count { return ScanError("unexpected end of line, expected \(what)") }
        let c = base[i]
        let shown = (c >= 0x20 && c < 0x7F) ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(String(c, radix: 16))"
        return ScanError("unexpected \(shown) at column \(i + 1), expected \(what)")
    }

    // MARK: strings

    /// A string token: its raw bytes between the quotes and whether it holds escapes.
    struct RawString {
        var start: Int
        var end: Int
        var hasEscapes: Bool
    }

    /// Scans a string starting at `"`, validating escapes and UTF-8.
    mutating func scanString() throws(ScanError) -> RawString {
        skipWhitespace()
        guard i < count, base[i] == UInt8(ascii: "\"") else { throw unexpected(expecting: "a string") }
        i += 1
        let start = i
        var escapes = false
        while true {
            // Skip eight plain bytes at a time: stop at a quote, a backslash, a control byte or a non-ASCII byte.
            while i + 8 <= count {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                let special = Self.specialStringBytes(word)
                if special == 0 {
                    i += 8
                } else {
                    i += special.trailingZeroBitCount >> 3
                    break
                }
            }
            guard i < count else { throw ScanError("unterminated string") }
            let c = base[i]
            if c == UInt8(ascii: "\"") {
                let raw = RawString(start: start, end: i, hasEscapes: escapes)
                i += 1
                return raw
            } else if c == UInt8(ascii: "\\") {
                escapes = true
                try scanEscape()
            } else if c < 0x20 {
                throw ScanError("unescaped control character 0x\(String(c, radix: 16)) in string at column \(i + 1)")
            } else if c < 0x80 {
                i += 1
            } else {
                try scanUTF8Sequence()
            }
        }
    }

    /// A mask whose lowest set bit falls in the first byte of `word` that ends a plain run of
    /// string bytes (`"`, `\\`, below 0x20, or 0x80 and above). Borrows only ever run from a
    /// flagged byte to the ones after it, so the lowest flag is exact.
    @inline(__always) static func specialStringBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        let hasControl = (word &- ones &* 0x20) & ~word
        return (hasQuote | hasBackslash | hasControl | word) & highs
    }

    /// The fast path for object keys: a key of at most 16 plain ASCII bytes, read as two
    /// little-endian words (zero-padded) straight from the line. Nil, cursor unmoved, for
    /// anything else (escapes, UTF-8, a long key, the end of the line near), which then takes `scanString`.
    @inline(__always) mutating func scanShortPlainKey() -> (length: Int, first: UInt64, second: UInt64)? {
        skipWhitespace()
        guard i + 17 <= count, base[i] == UInt8(ascii: "\"") else { return nil }
        let first = UInt64(littleEndian: UnsafeRawPointer(base + i + 1).loadUnaligned(as: UInt64.self))
        let special = Self.specialStringBytes(first)
        if special != 0 {
            let n = special.trailingZeroBitCount >> 3
            guard base[i + 1 + n] == UInt8(ascii: "\"") else { return nil }
            i += n + 2
            return (n, n == 0 ? 0 : first & (~0 >> UInt64(64 - 8 * n)), 0)
        }
        let second = UInt64(littleEndian: UnsafeRawPointer(base + i + 9).loadUnaligned(as: UInt64.self))
        let special2 = Self.specialStringBytes(second)
        guard special2 != 0 else { return nil }
        let n = special2.trailingZeroBitCount >> 3
        guard base[i + 9 + n] == UInt8(ascii: "\"") else { return nil }
        i += n + 10
        return (8 + n, first, n == 0 ? 0 : second & (~0 >> UInt64(64 - 8 * n)))
    }

    private mutating func scanEscape() throws(ScanError) {
        i += 1
        guard i < count else { throw ScanError("unterminated escape") }
        switch base[i] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
             UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            i += 1
        case UInt8(ascii: "u"):
            i += 1
            let unit = try hex4()
            if unit >= 0xD800 && unit <= 0xDBFF {
                // A high surrogate must be followed by an escaped low surrogate.
                guard i + 1 < count, base[i] == UInt8(ascii: "\\"), base[i + 1] == UInt8(ascii: "u") else {
                    throw ScanError("lone high surrogate \\u\(String(unit, radix: 16, uppercase: true)) in string")
                }
                i += 2
                let low = try hex4()
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw ScanError("high surrogate not followed by a low surrogate in string")
                }
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw ScanError("lone low surrogate \\u\(String(unit, radix: 16, uppercase: true)) in string")
            }
        default:
            throw ScanError("invalid escape '\\\(Character(Unicode.Scalar(base[i])))' in string")
        }
    }

    private mutating func hex4() throws(ScanError) -> UInt32 {
        guard i + 4 <= count else { throw ScanError("truncated \\u escape") }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = base[i + k]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw ScanError("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
        }
        i += 4
        return v
    }

    /// Validates one multi-byte UTF-8 sequence (no overlongs, no surrogates, ≤ U+10FFFF).
    private mutating func scanUTF8Sequence() throws(ScanError) {
        let c = base[i]
        var need: Int
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        switch c {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lo = 0xA0
        case 0xE1...0xEC, 0xEE, 0xEF: need = 2
        case 0xED: need = 2; hi = 0x9F
        case 0xF0: need = 3; lo = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; hi = 0x8F
        default: throw ScanError("invalid UTF-8 byte 0x\(String(c, radix: 16)) at column \(i + 1)")
        }
        var k = 1
        while need > 0 {
            guard i + k < count else { throw ScanError("truncated UTF-8 sequence at column \(i + 1)") }
            let b = base[i + k]
            guard b >= lo && b <= hi else { throw ScanError("invalid UTF-8 sequence at column \(i + 1)") }
            lo = 0x80
            hi = 0xBF
            k += 1
            need -= 1
        }
        i += k
    }

    /// The decoded text of a scanned string.
    func text(_ raw: RawString) -> String {
        let buffer = UnsafeBufferPointer(start: base + raw.start, count: raw.end - raw.start)
        if !raw.hasEscapes { return String(decoding: buffer, as: UTF8.self) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(buffer.count)
        var k = 0
        func hex(_ at: Int) -> UInt32 {
            var v: UInt32 = 0
            for n in 0..<4 {
                let c = buffer[at + n]
                let d: UInt32 = c <= 0x39 ? UInt32(c - 0x30) : (c <= 0x46 ? UInt32(c - 0x41 + 10) : UInt32(c - 0x61 + 10))
                v = v << 4 | d
            }
            return v
        }
        while k < buffer.count {
            let c = buffer[k]
            guard c == UInt8(ascii: "\\") else {
                bytes.append(c)
                k += 1
                continue
            }
            let e = buffer[k + 1]
            k += 2
            switch e {
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex(k)
                k += 4
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    let low = hex(k + 2)
                    k += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                bytes.append(contentsOf: UTF8.encode(Unicode.Scalar(scalar)!)!)
            default: bytes.append(e)  // \" \\ \/
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether a scanned string without escapes equals `literal`.
    @inline(__always) func equals(_ raw: RawString, _ literal: StaticString) -> Bool {
        let n = raw.end - raw.start
        guard !raw.hasEscapes && n == literal.utf8CodeUnitCount else { return false }
        // Short literals (frame types, states) as one word: no call.
        if n <= 8 && raw.start + 8 <= count {
            return word(at: raw.start, length: n) == Self.word(literal)
        }
        return memcmp(base + raw.start, literal.utf8Start, n) == 0
    }

    /// The `length` (1...8) bytes at `position` as a little-endian word, zero-padded;
    /// eight bytes from `position` must lie within the line.
    @inline(__always) func word(at position: Int, length: Int) -> UInt64 {
        let w = UInt64(littleEndian: UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
        return length >= 8 ? w : w & ~(~UInt64(0) << UInt64(8 * length))
    }

    /// A literal's first eight bytes as a little-endian word, zero-padded (folded at compile time).
    @inline(__always) static func word(_ literal: StaticString) -> UInt64 {
        var w: UInt64 = 0
        let p = literal.utf8Start
        for k in 0..<min(8, literal.utf8CodeUnitCount) { w |= UInt64(p[k]) << UInt64(8 * k) }
        return w
    }

    // MARK: numbers

    /// Scans a number per RFC 8259's grammar; a value beyond Double's range is an error.
    mutating func scanNumber() throws(ScanError) -> Double {
        let start = i
        let value = try scanNumberUnchecked()
        guard value.isFinite else { throw ScanError("number out of range at column \(start + 1)") }
        return value
    }

    /// Scans a number per RFC 8259's grammar. Exact for the common case (a mantissa
    /// below 2^53 and a power of ten up to 22, Clinger's fast path); otherwise strtod.
    /// Digits are read eight at a time where eight bytes remain. A value beyond
    /// Double's range comes back infinite, for the caller to report when it uses it.
    mutating func scanNumberUnchecked() throws(ScanError) -> Double {
        skipWhitespace()
        let start = i
        var negative = false
        if i < count && base[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < count else { throw unexpected(expecting: "a number") }
        var mantissa: UInt64 = 0
        var digits = 0  // every mantissa digit read, leading fraction zeros included
        var exponent = 0
        let first = base[i] &- 0x30
        if first == 0 {
            i += 1
            if i < count && base[i] &- 0x30 < 10 { throw ScanError("leading zero in number at column \(start + 1)") }
        } else if first < 10 {
            digits = readDigits(into: &mantissa)
        } else {
            throw unexpected(expecting: "a number")
        }
        if i < count && base[i] == UInt8(ascii: ".") {
            i += 1
            let fraction = readDigits(into: &mantissa)
            guard fraction > 0 else { throw ScanError("digit expected after '.' at column \(i + 1)") }
            digits += fraction
            exponent = -fraction
        }
        if i < count && (base[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < count && (base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-")) {
                expNegative = base[i] == UInt8(ascii: "-")
                i += 1
            }
            guard i < count, base[i] &- 0x30 < 10 else { throw ScanError("digit expected in exponent at column \(i + 1)") }
            var e = 0
            while i < count, base[i] &- 0x30 < 10 {
                if e < 100_000 { e = e * 10 + Int(base[i] &- 0x30) }
                i += 1
            }
            exponent += expNegative ? -e : e
        }
        let value: Double
        // ≤ 19 digits cannot overflow the mantissa; ≤ 2^53 makes it an exact double.
        if digits <= 19 && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            let m = Double(mantissa)
            let magnitude = exponent < 0 ? m / Self.powerOfTen(-exponent) : m * Self.powerOfTen(exponent)
            value = negative ? -magnitude : magnitude
        } else {
            value = slowParse(from: start, to: i)
        }
        return value
    }

    /// Reads a run of decimal digits into `mantissa` (wrapping on overflow, which the
    /// caller detects by the count) and returns how many there were.
    @inline(__always) private mutating func readDigits(into mantissa: inout UInt64) -> Int {
        let from = i
        while i + 8 <= count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            let run = Self.leadingDigitCount(word)
            if run > 0 {
                mantissa = mantissa &* Self.integerPowerOfTen(run) &+ Self.digitsValue(word, run)
                i += run
            }
            if run < 8 { return i - from }
        }
        while i < count {
            let d = base[i] &- 0x30
            guard d < 10 else { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            i += 1
        }
        return i - from
    }

    /// How many of the eight bytes (first byte least significant) are ASCII digits before the first that is not.
    @inline(__always) static func leadingDigitCount(_ word: UInt64) -> Int {
        // A byte is a digit when its high nibble is 3 and adding 6 keeps it so. A carry out of a
        // non-digit byte can only disturb bytes after it, which do not matter.
        let highNibble = (word & 0xF0F0_F0F0_F0F0_F0F0) ^ 0x3030_3030_3030_3030
        let lowNibble = ((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) ^ 0x3030_3030_3030_3030
        let notDigit = highNibble | lowNibble
        return notDigit == 0 ? 8 : notDigit.trailingZeroBitCount >> 3
    }

    /// The value of the first `n` (1...8) digit bytes of `word`, combined pairwise in three multiplications.
    @inline(__always) static func digitsValue(_ word: UInt64, _ n: Int) -> UInt64 {
        // Move the n digits to the top; the bytes shifted in read as leading zeros.
        var v = word << UInt64(64 - 8 * n)
        v = ((v & 0x0F0F_0F0F_0F0F_0F0F) &* 2561) >> 8
        v = ((v & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16
        return ((v & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32
    }

    @inline(__always) static func integerPowerOfTen(_ n: Int) -> UInt64 {
        switch n {
        case 1: 10
        case 2: 100
        case 3: 1000
        case 4: 10000
        case 5: 100_000
        case 6: 1_000_000
        case 7: 10_000_000
        default: 100_000_000
        }
    }

    /// 10^e for 0 ≤ e ≤ 22, every one an exact double.
    @inline(__always) static func powerOfTen(_ e: Int) -> Double {
        switch e {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    private func slowParse(from start: Int, to end: Int) -> Double {
        let n = end - start
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { buf in
            for k in 0..<n { buf[k] = CChar(bitPattern: base[start + k]) }
            buf[n] = 0
            return strtod(buf.baseAddress!, nil)
        }
    }

    // MARK: literals and skipping

    mutating func scanBool() throws(ScanError) -> Bool {
        skipWhitespace()
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw unexpected(expecting: "true or false")
    }

    @inline(__always) mutating func matchLiteral(_ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard i + n <= count, memcmp(base + i, literal.utf8Start, n) == 0 else { return false }
        i += n
        return true
    }

    /// The JSON type of the value at the cursor, for error messages and dispatch.
    enum ValueKind: String {
        case object, array, string, number, boolean, null
    }

    mutating func peekKind() throws(ScanError) -> ValueKind {
        skipWhitespace()
        guard i < count else { throw ScanError("unexpected end of line, expected a value") }
        switch base[i] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case UInt8(ascii: "\""): return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .boolean
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), 0x30...0x39: return .number
        default: throw unexpected(expecting: "a value")
        }
    }

    /// Validates and skips any value, nested or not.
    mutating func skipValue(depth: Int = 0) throws(ScanError) {
        guard depth < Self.maxDepth else { throw ScanError("nesting deeper than \(Self.maxDepth) levels") }
        switch try peekKind() {
        case .object:
            i += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "}") {
                i += 1
                return
            }
            while true {
                _ = try scanString()
                try expect(UInt8(ascii: ":"), "':'")
                try skipValue(depth: depth + 1)
                skipWhitespace()
                if peek() == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                try expect(UInt8(ascii: "}"), "',' or '}'")
                return
            }
        case .array:
            i += 1
            skipWhitespace()
            if peek() == UInt8(ascii: "]") {
                i += 1
                return
            }
            while true {
                try skipValue(depth: depth + 1)
                skipWhitespace()
                if peek() == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                try expect(UInt8(ascii: "]"), "',' or ']'")
                return
            }
        case .string: _ = try scanString()
        case .number: _ = try scanNumberUnchecked()  // the one number grammar; its value unused
        case .boolean: _ = try scanBool()
        case .null:
            guard matchLiteral("null") else { throw unexpected(expecting: "null") }
        }
    }
}
