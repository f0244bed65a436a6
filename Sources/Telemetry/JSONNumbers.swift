/// Numbers of a JSON line, per RFC 8259's grammar: exact and fast for the common case,
/// digits read eight at a time.
extension JSONScanner {
    /// Scans a number per RFC 8259's grammar; a value beyond Double's range is an error.
    mutating func scanNumber() throws(ScanError) -> Double {
        let start = i
        let value = try scanNumberUnchecked()
        guard value.isFinite else { throw ScanError("number out of range at column \(start + 1)") }
        return value
    }

    /// Scans a number per RFC 8259's grammar. Exact for the common case (a mantissa
    /// below 2^53 and a power of ten up to 22, Clinger's fast path); otherwise the standard library's parser.
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

    /// Beyond the fast path: the standard library's parser, correctly rounded like `strtod`
    /// but blind to the C locale, which the console sets from the environment (under a locale
    /// with a decimal comma, `strtod` read 0.30000000000000004 as 0).
    private func slowParse(from start: Int, to end: Int) -> Double {
        Double(String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)) ?? .nan
    }
}
