/// The fast path for the commonest line there is: an arm frame written the way `FrameEncoder`,
/// the simulator and the spec's examples write it, `{"t":…,"type":"arm","seq":…,"arm":…,…}`
/// with its members in `FrameEncoder`'s order and no whitespace.
///
/// It reads the line front to back, once, knowing what comes next, so it needs no key table,
/// no slots and no second pass. It accepts only lines the general path would decode to the very
/// same frame; on any surprise (another order, whitespace, an unknown or repeated key, an escape,
/// an exponent, a long number, a wrong length, any error) it gives up and the general path
/// decodes the line, and words the error, as before.
extension FrameDecoder {
    /// The arm frame in `line`, or nil when the line is not of the common shape.
    func decodeArmLine(_ base: UnsafePointer<UInt8>, _ n: Int) -> Frame? {
        guard n >= 32, !armIDWords.isEmpty else { return nil }
        var s = JSONScanner(base: base, count: n)
        guard s.bytes(at: 0, equal: #"{"t":"#) else { return nil }
        s.i = 5
        guard let t = s.fastNumber(), abs(t) <= Frame.timeLimit,
              s.i + 13 <= n, s.bytes(at: s.i, equal: #","type":"arm""#) else { return nil }
        s.i += 13
        var seq: Int?
        if s.i + 7 <= n, s.bytes(at: s.i, equal: #","seq":"#) {
            s.i += 7
            // The general path's rule for an integer, so both take the same numbers.
            guard let value = s.fastNumber(), value == value.rounded(.towardZero), abs(value) < 9.0e15 else { return nil }
            seq = Int(value)
        }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: LineFields.scratchCapacity) { scratch in
            guard let arm = armMembers(&s, scratch.baseAddress!) else { return nil }
            return Frame(t: t, seq: seq, body: .arm(arm))
        }
    }

    /// The members after `type` and `seq`, in `FrameEncoder`'s order, up to the closing brace
    /// that must end the line. The number arrays are gathered in `scratch`, back to back in
    /// `ArmSample.Run` order (the order they are written in), then copied into the frame's one buffer.
    private func armMembers(_ s: inout JSONScanner, _ scratch: UnsafeMutablePointer<Double>) -> ArmSample? {
        let n = s.count
        var armIndex = -1
        var state: OperatingState?
        var homed: Bool?
        var following: Bool?
        var jaw: Double?
        var lengths: (Int32, Int32, Int32, Int32, Int32, Int32) = (-1, -1, -1, -1, -1, -1)
        var used = 0
        var last = -1  // the order of the member before: each must come later, so none repeats
        while true {
            guard s.i < n else { return nil }
            let c = s.base[s.i]
            s.i += 1
            if c == UInt8(ascii: "}") { break }
            guard c == UInt8(ascii: ","), let key = Self.knownKey(&s, after: last),
                  let order = Self.armMemberOrder(key), order > last,
                  s.i < n, s.base[s.i] == UInt8(ascii: ":") else { return nil }
            last = order
            s.i += 1
            guard armIndex >= 0 || key == .arm else { return nil }
            switch key {
            case .arm:
                guard let (start, length) = s.fastPlainString() else { return nil }
                armIndex = armIndexOf(s, start, length)
                guard armIndex >= 0 else { return nil }
            case .state:
                guard let (start, length) = s.fastPlainString(), length <= 8 else { return nil }
                switch s.word(at: start, length: length) {
                case JSONScanner.word("ENABLED"): state = .enabled
                case JSONScanner.word("DISABLED"): state = .disabled
                case JSONScanner.word("PAUSED"): state = .paused
                case JSONScanner.word("FAULT"): state = .fault
                default: return nil
                }
            case .homed:
                guard let flag = s.fastBool() else { return nil }
                homed = flag
            case .following:
                guard let flag = s.fastBool() else { return nil }
                following = flag
            case .jaw:
                guard let value = s.fastNumber() else { return nil }
                jaw = value
            default:  // one of the six number arrays: `order` 4...9 is its `ArmSample.Run`
                let run = order - 4
                // `arm` comes first, so the joint count is known here.
                let expected = run < 3 ? declaredArms[armIndex].joints.count : (run == 3 ? 3 : run == 4 ? 4 : 6)
                guard used + expected <= LineFields.scratchCapacity,
                      s.fastNumbers(into: scratch + used, count: expected) else { return nil }
                used += expected
                switch run {
                case 0: lengths.0 = Int32(expected)
                case 1: lengths.1 = Int32(expected)
                case 2: lengths.2 = Int32(expected)
                case 3: lengths.3 = Int32(expected)
                case 4: lengths.4 = Int32(expected)
                default: lengths.5 = Int32(expected)
                }
            }
        }
        guard s.i == n, armIndex >= 0 else { return nil }
        let values = ReadingsStorage.make(count: used) { $0.initialize(from: scratch, count: used) }
        var arm = ArmSample(arm: declaredArms[armIndex].id, values: values, lengths: lengths)
        arm.state = state
        arm.homed = homed
        arm.following = following
        arm.jaw = jaw
        return arm
    }

    /// The member key at the cursor: first tried against the keys that may come after the one
    /// before (`last`), in order, as quoted words (usually the first candidate is it); then read
    /// as words and identified; near the line's end (the last member), scanned.
    @inline(__always) private static func knownKey(_ s: inout JSONScanner, after last: Int) -> Key? {
        if s.i + 16 <= s.count {
            var order = last + 1
            while order <= 10 {
                let (key, quoted): (Key, StaticString) = switch order {
                case 0: (.arm, #""arm""#)
                case 1: (.state, #""state""#)
                case 2: (.homed, #""homed""#)
                case 3: (.following, #""following""#)
                case 4: (.position, #""position""#)
                case 5: (.velocity, #""velocity""#)
                case 6: (.effort, #""effort""#)
                case 7: (.tip, #""tip""#)
                case 8: (.orientation, #""orientation""#)
                case 9: (.twist, #""twist""#)
                default: (.jaw, #""jaw""#)
                }
                if s.quotedKey(quoted) { return key }
                order += 1
            }
        }
        if let plain = s.scanShortPlainKey() { return Key.identify(length: plain.length, plain.first, plain.second) }
        guard let raw = try? s.scanString() else { return nil }
        return Key.identify(s, raw)
    }

    /// Where a key sits in `FrameEncoder`'s order for arm frames; nil for a key not written there.
    @inline(__always) private static func armMemberOrder(_ key: Key) -> Int? {
        switch key {
        case .arm: 0
        case .state: 1
        case .homed: 2
        case .following: 3
        case .position: 4
        case .velocity: 5
        case .effort: 6
        case .tip: 7
        case .orientation: 8
        case .twist: 9
        case .jaw: 10
        default: nil
        }
    }

    /// The declared arm with this id (plain bytes at `start`), or −1.
    @inline(__always) private func armIndexOf(_ s: JSONScanner, _ start: Int, _ length: Int) -> Int {
        if length <= 8 {
            let word = s.word(at: start, length: length)
            for k in armIDWords.indices where armIDWords[k].length == length && armIDWords[k].word == word { return k }
            return -1
        }
        let bytes = UnsafeBufferPointer(start: s.base + start, count: length)
        return declaredArms.firstIndex { $0.id.utf8.elementsEqual(bytes) } ?? -1
    }
}

extension JSONScanner {
    /// A mask with the high bit set in every byte of `word` that is not an ASCII digit (exact
    /// for every byte: no carry crosses a byte).
    @inline(__always) static func nonDigitBytes(_ word: UInt64) -> UInt64 {
        let x = word ^ 0x3030_3030_3030_3030  // a digit becomes 0...9
        // Bit 7 is set where x ≥ 0x80, or where its low seven bits are 10 or more.
        return (x | ((x & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080
    }

    /// A number at the cursor, for the fast path: a finite value exactly as `scanNumberUnchecked`
    /// gives it, or nil where that would throw or give infinity.
    ///
    /// The common shape (a sign, 1–7 integer digits, 1–7 fraction digits, no exponent) is read
    /// with two unaligned loads and no loop: at most 14 digits, so the mantissa is below 2^53 and
    /// one division by an exact power of ten is correctly rounded (Clinger). Anything else, and
    /// any number near the end of the line, takes the general scan.
    @inline(__always) mutating func fastNumber() -> Double? {
        // 24 bytes cover the sign, a load of eight at the integer and one at the fraction.
        guard i + 24 <= count else { return generalNumber() }
        let negative = base[i] == UInt8(ascii: "-")
        var q = i &+ (negative ? 1 : 0)
        let integer = UInt64(littleEndian: UnsafeRawPointer(base + q).loadUnaligned(as: UInt64.self))
        let intMask = Self.nonDigitBytes(integer)
        let intLength = intMask.trailingZeroBitCount >> 3  // 8 when all eight are digits
        // No digit, eight or more, or a leading zero (an error the general scan words).
        guard intLength > 0, intLength < 8, intLength == 1 || base[q] != UInt8(ascii: "0") else { return generalNumber() }
        // Most joint values have one integer digit: no need to combine digits for it.
        var mantissa = intLength == 1 ? integer & 0x0F : Self.digitsValue(integer, intLength)
        q &+= intLength
        var fractionLength = 0
        if base[q] == UInt8(ascii: ".") {
            let fraction = UnsafeRawPointer(base + q + 1).loadUnaligned(as: UInt64.self)
            fractionLength = Self.nonDigitBytes(UInt64(littleEndian: fraction)).trailingZeroBitCount >> 3
            guard fractionLength > 0, fractionLength < 8 else { return generalNumber() }
            mantissa = mantissa &* Self.smallPowersOfTen[fractionLength] &+ Self.digitsValue(UInt64(littleEndian: fraction), fractionLength)
            q &+= 1 &+ fractionLength
        }
        guard base[q] | 0x20 != UInt8(ascii: "e") else { return generalNumber() }
        i = q
        // A table, not a switch: the fraction length varies from number to number, and a jump
        // table's indirect branch mispredicted on about every other one. The sign is set as a bit
        // for the same reason. The mantissa is below 2^53: the signed conversion is exact.
        let magnitude = Double(Int64(bitPattern: mantissa)) / Self.exactPowersOfTen[fractionLength]
        return Double(bitPattern: magnitude.bitPattern | (negative ? 1 << 63 : 0))
    }

    /// 10^0 ... 10^7, as integers and as (exact) doubles.
    private static var smallPowersOfTen: SIMD8<UInt64> { SIMD8(1, 10, 100, 1000, 10000, 100_000, 1_000_000, 10_000_000) }
    private static var exactPowersOfTen: SIMD8<Double> { SIMD8(1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7) }

    /// `scanNumberUnchecked` itself, as nil where it throws or the value is not finite.
    private mutating func generalNumber() -> Double? {
        guard let value = try? scanNumberUnchecked(), value.isFinite else { return nil }
        return value
    }

    /// `[` then exactly `count` numbers separated by commas, then `]`, into `out`; no whitespace
    /// but before a number (which the general scan then reads).
    @inline(__always) mutating func fastNumbers(into out: UnsafeMutablePointer<Double>, count expected: Int) -> Bool {
        guard i < count, base[i] == UInt8(ascii: "[") else { return false }
        i += 1
        if expected == 0 {
            guard i < count, base[i] == UInt8(ascii: "]") else { return false }
            i += 1
            return true
        }
        for k in 0..<expected {
            guard let value = fastNumber(), i < count else { return false }
            out[k] = value
            let next = base[i]
            i += 1
            guard next == (k == expected - 1 ? UInt8(ascii: "]") : UInt8(ascii: ",")) else { return false }
        }
        return true
    }

    /// An opening quote, then plain printable ASCII up to the closing quote (at most 15 bytes):
    /// where the bytes start and how many. Nil for anything else (an escape, UTF-8, a long string).
    @inline(__always) mutating func fastPlainString() -> (start: Int, length: Int)? {
        guard i + 17 <= count, base[i] == UInt8(ascii: "\"") else { return nil }
        let start = i + 1
        var length = Self.specialStringBytes(UInt64(littleEndian: UnsafeRawPointer(base + start).loadUnaligned(as: UInt64.self)))
            .trailingZeroBitCount >> 3
        if length == 8 {
            let second = Self.specialStringBytes(UInt64(littleEndian: UnsafeRawPointer(base + start + 8).loadUnaligned(as: UInt64.self)))
            guard second != 0 else { return nil }
            length += second.trailingZeroBitCount >> 3
        }
        guard base[start + length] == UInt8(ascii: "\"") else { return nil }
        i = start + length + 1
        return (start, length)
    }

    /// Whether the cursor is at `quoted` (a key with its quotes, at most 16 bytes; 16 bytes
    /// must remain), compared as two words; if so, the cursor moves past it.
    @inline(__always) mutating func quotedKey(_ quoted: StaticString) -> Bool {
        let n = quoted.utf8CodeUnitCount
        let first = word(at: i, length: min(n, 8))
        guard first == Self.word(quoted) else { return false }
        if n > 8 {
            let rest = word(at: i + 8, length: n - 8)
            var expected: UInt64 = 0
            for k in 8..<n { expected |= UInt64(quoted.utf8Start[k]) << UInt64(8 * (k - 8)) }
            guard rest == expected else { return false }
        }
        i += n
        return true
    }

    /// `true` or `false`, nothing around it.
    @inline(__always) mutating func fastBool() -> Bool? {
        guard i + 8 <= count else { return nil }
        let w = word(at: i, length: 8)
        if w & 0xFFFF_FFFF == Self.word("true") {
            i += 4
            return true
        }
        if w & 0xFF_FFFF_FFFF == Self.word("false") {
            i += 5
            return false
        }
        return nil
    }
}
