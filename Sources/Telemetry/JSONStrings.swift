/// Strings of a JSON line: validated in place (escapes, UTF-8), compared to the keys the
/// decoder knows eight bytes at a time, and turned into text only when a value is kept.
extension JSONScanner {
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
        return bytes(at: raw.start, equal: literal)
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
}
