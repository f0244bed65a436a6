/// The top-level members of one JSON object, as byte ranges: enough to merge an arm frame's parts
/// without re-encoding a number. It finds boundaries and does not validate: the merged line is
/// decoded by `FrameDecoder`, which does. Never recursive, so a deeply nested value cannot overflow.
struct JSONMembers {
    struct Member {
        /// The key, quotes included.
        var key: Range<Int>
        var value: Range<Int>
    }

    let bytes: UnsafeRawBufferPointer
    let members: [Member]

    /// Nil when `bytes` is not one object (trailing white space allowed).
    init?(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        var found: [Member] = []
        var i = Self.skipSpace(bytes, 0)
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else { return nil }
        i = Self.skipSpace(bytes, i + 1)
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), let keyEnd = Self.endOfString(bytes, i) else { return nil }
                let key = i..<keyEnd
                i = Self.skipSpace(bytes, keyEnd)
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                i = Self.skipSpace(bytes, i + 1)
                guard let valueEnd = Self.endOfValue(bytes, i), valueEnd > i else { return nil }
                found.append(Member(key: key, value: i..<valueEnd))
                i = Self.skipSpace(bytes, valueEnd)
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: ",") {
                    i = Self.skipSpace(bytes, i + 1)
                    continue
                }
                guard bytes[i] == UInt8(ascii: "}") else { return nil }
                i += 1
                break
            }
        }
        guard Self.skipSpace(bytes, i) == bytes.count else { return nil }
        members = found
    }

    /// The raw value of the last member named `name` (the spec: a later duplicate wins).
    func value(_ name: StaticString) -> UnsafeRawBufferPointer? {
        guard let member = members.last(where: { isKey($0, name) }) else { return nil }
        return UnsafeRawBufferPointer(rebasing: bytes[member.value])
    }

    /// Whether `member`'s key is `"name"` (written without escapes, as every writer does).
    func isKey(_ member: Member, _ name: StaticString) -> Bool {
        Self.equal(bytes, from: member.key.lowerBound + 1, count: member.key.count - 2, name)
    }

    /// Whether `count` bytes from `start` are `text` (a plain loop: this runs for every member of every message).
    static func equal(_ bytes: UnsafeRawBufferPointer, from start: Int, count: Int, _ text: StaticString) -> Bool {
        guard count == text.utf8CodeUnitCount else { return false }
        let wanted = text.utf8Start
        for i in 0..<count where bytes[start + i] != wanted[i] { return false }
        return true
    }

    /// The number a member holds (`t`), when it is a finite JSON number.
    func number(_ name: StaticString) -> Double? {
        guard let raw = value(name), let first = raw.first,
              first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
              let value = Double(String(decoding: raw, as: UTF8.self)), value.isFinite else { return nil }
        return value
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    private static func skipSpace(_ bytes: UnsafeRawBufferPointer, _ start: Int) -> Int {
        var i = start
        while i < bytes.count, isSpace(bytes[i]) { i += 1 }
        return i
    }

    /// Just past the closing quote of the string opening at `start`.
    private static func endOfString(_ bytes: UnsafeRawBufferPointer, _ start: Int) -> Int? {
        var i = start + 1
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\\"): i += 2
            case UInt8(ascii: "\""): return i + 1
            default: i += 1
            }
        }
        return nil
    }

    /// Just past the value starting at `start`: a string, an object or array (brackets counted,
    /// strings skipped), or a literal or number (up to a delimiter).
    private static func endOfValue(_ bytes: UnsafeRawBufferPointer, _ start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return endOfString(bytes, start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var i = start
            while i < bytes.count {
                switch bytes[i] {
                case UInt8(ascii: "\""):
                    guard let end = endOfString(bytes, i) else { return nil }
                    i = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return i + 1 }
                default: break
                }
                i += 1
            }
            return nil
        default:
            var i = start
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: ",") || b == UInt8(ascii: "}") || b == UInt8(ascii: "]") || isSpace(b) { break }
                i += 1
            }
            return i
        }
    }
}
