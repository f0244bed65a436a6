/// One known key's value as the single pass over a line found it.
struct FieldSlot {
    enum Tag: UInt8 {
        /// `value` holds the number (possibly infinite: reported only if the frame uses it).
        case number
        /// `start`/`end` delimit the raw bytes; `flag` says whether they hold escapes.
        case string
        /// `flag` holds the value.
        case boolean
        case null
        /// An array of numbers, copied to the line's scratch buffer at `end`, `count` long.
        case numbers
        /// Anything else (an object, a mixed array…): re-read from `start` by `FieldReader`, which words the error.
        case other
    }

    var tag: Tag
    var flag = false
    /// Where the value starts in the line (for a string, its first byte after the quote).
    var start: Int32
    var end: Int32 = 0
    var count: Int32 = 0
    var value: Double = 0
}

/// The values of the known keys of one line. Slots and scratch live in stack buffers owned by
/// `decodeObject`; a bit per key says which slots this line wrote.
struct LineFields {
    /// Doubles for the number arrays of one line; a line needing more takes the slower path.
    static let scratchCapacity = 256

    let slots: UnsafeMutablePointer<FieldSlot>
    let scratch: UnsafeMutablePointer<Double>
    var present: UInt64 = 0
    var scratchUsed = 0

    init(slots: UnsafeMutablePointer<FieldSlot>, scratch: UnsafeMutablePointer<Double>) {
        self.slots = slots
        self.scratch = scratch
    }

    subscript(key: Key) -> FieldSlot? {
        present & (1 << UInt64(key.rawValue)) != 0 ? slots[key.rawValue] : nil
    }

    /// Reads the value at the cursor for `key`, validating it as JSON whatever its type.
    @inline(__always)
    mutating func read(_ key: Key, _ s: inout JSONScanner) throws {
        guard s.i < s.count else { throw s.unexpected(expecting: "a value") }
        let start = Int32(s.i)
        var slot = FieldSlot(tag: .other, start: start)
        switch s.base[s.i] {
        case UInt8(ascii: "\""):
            let raw = try s.scanString()
            slot.tag = .string
            slot.start = Int32(raw.start)
            slot.end = Int32(raw.end)
            slot.flag = raw.hasEscapes
        case UInt8(ascii: "-"), 0x30...0x39:
            slot.tag = .number
            slot.value = try s.scanNumberUnchecked()
        case UInt8(ascii: "["):
            if key.holdsNumbers, let count = readNumbers(&s) {
                slot.tag = .numbers
                slot.end = Int32(scratchUsed)
                slot.count = Int32(count)
                scratchUsed += count
            } else {
                try s.skipValue(depth: 1)
            }
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            slot.tag = .boolean
            slot.flag = try s.scanBool()
        case UInt8(ascii: "n"):
            guard s.matchLiteral("null") else { throw s.unexpected(expecting: "null") }
            slot.tag = .null
        default:
            try s.skipValue(depth: 1)
        }
        slots[key.rawValue] = slot
        present |= 1 << UInt64(key.rawValue)
    }

    /// An array of finite numbers into the scratch buffer after `scratchUsed`; nil (cursor
    /// unmoved) for anything else, which the caller then validates the general way.
    private func readNumbers(_ s: inout JSONScanner) -> Int? {
        var probe = s
        probe.i += 1
        probe.skipWhitespace()
        if probe.peek() == UInt8(ascii: "]") {
            s.i = probe.i + 1
            return 0
        }
        var n = 0
        while true {
            let c = probe.peek()
            guard scratchUsed + n < Self.scratchCapacity, c == UInt8(ascii: "-") || c &- 0x30 < 10,
                  let value = try? probe.scanNumberUnchecked(), value.isFinite else { return nil }
            scratch[scratchUsed + n] = value
            n += 1
            probe.skipWhitespace()
            let next = probe.peek()
            probe.i += 1
            if next == UInt8(ascii: ",") {
                probe.skipWhitespace()
            } else if next == UInt8(ascii: "]") {
                s.i = probe.i
                return n
            } else {
                return nil
            }
        }
    }
}

/// Typed access to one line's known fields: the fast answer from the slot, or, when the value
/// is not of the expected type, `FieldReader`'s error from its position in the line.
struct FieldValues {
    var fields: LineFields
    var reader: FieldReader

    func has(_ key: Key) -> Bool { fields[key] != nil }

    func isNull(_ key: Key) -> Bool { fields[key]?.tag == .null }

    /// Where the value of `key` starts (for values read by `FieldReader` itself).
    func position(_ key: Key) -> Int? {
        guard let slot = fields[key] else { return nil }
        return slot.tag == .string ? Int(slot.start) - 1 : Int(slot.start)
    }

    mutating func number(_ key: Key) throws -> Double? {
        guard let slot = fields[key] else { return nil }
        if slot.tag == .number, slot.value.isFinite { return slot.value }
        return try reader.number(key, at: position(key)!)
    }

    mutating func integer(_ key: Key) throws -> Int? {
        guard let slot = fields[key] else { return nil }
        if slot.tag == .number, slot.value == slot.value.rounded(.towardZero), abs(slot.value) < 9.0e15 {
            return Int(slot.value)
        }
        return try reader.integer(key, at: position(key)!)
    }

    mutating func bool(_ key: Key) throws -> Bool? {
        guard let slot = fields[key] else { return nil }
        if slot.tag == .boolean { return slot.flag }
        return try reader.bool(key, at: position(key)!)
    }

    mutating func rawString(_ key: Key) throws -> JSONScanner.RawString? {
        guard let slot = fields[key] else { return nil }
        if slot.tag == .string { return JSONScanner.RawString(start: Int(slot.start), end: Int(slot.end), hasEscapes: slot.flag) }
        return try reader.rawString(key, at: position(key)!)
    }

    mutating func string(_ key: Key, expected: String = "a string") throws -> String? {
        guard let slot = fields[key] else { return nil }
        if slot.tag == .string {
            return reader.scanner.text(JSONScanner.RawString(start: Int(slot.start), end: Int(slot.end), hasEscapes: slot.flag))
        }
        return try reader.string(key, at: position(key)!, expected: expected)
    }

    /// An arm frame's number arrays, each checked for its length (the arm's joint count, or
    /// 3, 4 and 6 for tip, orientation and twist), packed into one buffer.
    mutating func armRuns(arm: String, joints: Int) throws -> ArmSample {
        var total = 0
        var inScratch = true
        for k in 0..<6 {
            guard let slot = fields[Self.runKey(k)] else { continue }
            guard slot.tag == .numbers else {
                inScratch = false
                continue
            }
            try FieldError.checkLength(Self.runKey(k), Int(slot.count), k < 3 ? joints : Self.fixedLength(k), arm: k < 3 ? arm : nil)
            total += Int(slot.count)
        }
        guard inScratch else { return try armRunsApart(arm: arm, joints: joints) }
        let fields = self.fields
        let values = ReadingsStorage.make(count: total) { buffer in
            var at = 0
            for k in 0..<6 {
                guard let slot = fields[Self.runKey(k)] else { continue }
                (buffer + at).initialize(from: fields.scratch + Int(slot.end), count: Int(slot.count))
                at += Int(slot.count)
            }
        }
        func length(_ k: Int) -> Int32 { fields[Self.runKey(k)].map { $0.count } ?? -1 }
        return ArmSample(arm: arm, values: values, lengths: (length(0), length(1), length(2), length(3), length(4), length(5)))
    }

    /// The general path, when some array was not a plain array of numbers: `FieldReader` reads
    /// each one and words the error.
    private mutating func armRunsApart(arm: String, joints: Int) throws -> ArmSample {
        var runs: [[Double]?] = []
        for k in 0..<6 {
            let key = Self.runKey(k)
            guard let slot = fields[key] else {
                runs.append(nil)
                continue
            }
            let length = k < 3 ? joints : Self.fixedLength(k)
            if slot.tag == .numbers {
                try FieldError.checkLength(key, Int(slot.count), length, arm: k < 3 ? arm : nil)
                runs.append(Array(UnsafeBufferPointer(start: fields.scratch + Int(slot.end), count: Int(slot.count))))
            } else {
                runs.append(try reader.numbers(key, at: position(key)!, length: length, arm: k < 3 ? arm : nil))
            }
        }
        return ArmSample(arm: arm, position: runs[0], velocity: runs[1], effort: runs[2],
                         tip: runs[3], orientation: runs[4], twist: runs[5])
    }

    @inline(__always) private static func runKey(_ k: Int) -> Key {
        switch k {
        case 0: .position
        case 1: .velocity
        case 2: .effort
        case 3: .tip
        case 4: .orientation
        default: .twist
        }
    }

    /// Tip, orientation and twist lengths.
    @inline(__always) private static func fixedLength(_ k: Int) -> Int {
        k == 3 ? 3 : k == 4 ? 4 : 6
    }
}
