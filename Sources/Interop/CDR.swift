/// Why a CDR buffer cannot be decoded: one phrase for a person ("ends inside a float64 at byte 40").
public struct CDRError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Reads a ROS 2 message serialised as XCDR1 (plain CDR), the encoding of `message_encoding: cdr`.
///
/// The buffer starts with a 4-byte encapsulation header: `00 01` little-endian, `00 00` big-endian, then two
/// option bytes. Each primitive is aligned to its own size (at most 8), counted from the byte after the header.
/// A string is a uint32 length that counts its terminating NUL, the bytes, then the NUL; a sequence is a uint32
/// count, then its elements.
///
/// Everything from the buffer is checked before it is used: a count or length is compared with the bytes left
/// before anything is allocated for it (a count of 2³² − 1 in a 20-byte buffer is an error, not a 32 GB array).
/// No input makes it trap.
public struct CDRReader {
    /// The whole buffer, header included (one copy of the message, none per field).
    private let bytes: [UInt8]
    /// Bytes after the header.
    private let count: Int
    /// The next byte to read, counted from the byte after the encapsulation header (the origin of alignment).
    public private(set) var position = 0
    public let isBigEndian: Bool

    public init(_ data: some Collection<UInt8>) throws(CDRError) {
        bytes = Array(data)
        guard bytes.count >= 4 else {
            throw CDRError("is \(bytes.count) bytes long, too short for the 4-byte CDR encapsulation header")
        }
        switch (bytes[0], bytes[1]) {
        case (0x00, 0x01): isBigEndian = false
        case (0x00, 0x00): isBigEndian = true
        default:
            throw CDRError("has encapsulation \(Self.hex(bytes[0]))\(Self.hex(bytes[1])), not plain CDR (0001 little-endian or 0000 big-endian)")
        }
        count = bytes.count - 4
    }

    /// Bytes not yet read.
    public var remaining: Int { count - position }

    // MARK: - Primitives

    public mutating func uint8() throws(CDRError) -> UInt8 {
        try need(1, "a byte")
        defer { position += 1 }
        return bytes[4 + position]
    }

    /// A CDR boolean: one byte, 0 or 1. Anything else is damage, not `true`.
    public mutating func bool() throws(CDRError) -> Bool {
        let at = position
        switch try uint8() {
        case 0: return false
        case 1: return true
        case let other: throw CDRError("has \(other) for a boolean at byte \(at + 4) (0 or 1)")
        }
    }

    public mutating func uint32() throws(CDRError) -> UInt32 {
        try align(4)
        try need(4, "a 4-byte integer")
        defer { position += 4 }
        return UInt32(truncatingIfNeeded: word(at: position, size: 4))
    }

    public mutating func int32() throws(CDRError) -> Int32 {
        Int32(bitPattern: try uint32())
    }

    public mutating func float64() throws(CDRError) -> Double {
        try align(8)
        try need(8, "a float64")
        defer { position += 8 }
        return Double(bitPattern: word(at: position, size: 8))
    }

    /// A string: its length counts the terminating NUL, which must be there. Bytes that are not UTF-8 become
    /// U+FFFD (the text is sanitised again before anyone sees it).
    public mutating func string() throws(CDRError) -> String {
        let at = position
        let length = Int(try uint32())
        guard length >= 1 else { throw CDRError("has a string of length 0 at byte \(at + 4): CDR counts its NUL, so at least 1") }
        try need(length, "a string of \(length) bytes")
        guard bytes[4 + position + length - 1] == 0 else {
            throw CDRError("has a string at byte \(at + 4) that does not end with NUL")
        }
        defer { position += length }
        return String(decoding: bytes[4 + position..<4 + position + length - 1], as: UTF8.self)
    }

    // MARK: - Sequences

    /// A `float64[]` (sequence<double>): the count checked against the bytes left before the array is made.
    public mutating func float64s() throws(CDRError) -> [Double] {
        let count = try sequenceCount(minimumElementBytes: 8, what: "float64")
        guard count > 0 else { return [] }
        try align(8)
        try need(count * 8, "\(count) float64s")
        var out: [Double] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try float64()) }
        return out
    }

    /// A `string[]`: every string takes at least 5 bytes (length and NUL), which bounds the count.
    public mutating func strings() throws(CDRError) -> [String] {
        let count = try sequenceCount(minimumElementBytes: 5, what: "string")
        var out: [String] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try string()) }
        return out
    }

    /// A sequence's element count, refused when even the smallest elements could not fit in the bytes left.
    public mutating func sequenceCount(minimumElementBytes: Int, what: String) throws(CDRError) -> Int {
        let at = position
        let count = Int(try uint32())
        guard count <= remaining / max(1, minimumElementBytes) else {
            throw CDRError("declares \(count) \(what) elements at byte \(at + 4), but only \(remaining) bytes follow")
        }
        return count
    }

    // MARK: - Layout

    /// Skips the padding before a primitive of `size` bytes.
    public mutating func align(_ size: Int) throws(CDRError) {
        let padding = (size - position % size) % size
        guard padding > 0 else { return }
        try need(padding, "padding")
        position += padding
    }

    private func need(_ count: Int, _ what: String) throws(CDRError) {
        guard count >= 0, count <= remaining else {
            throw CDRError("ends at byte \(self.count + 4), inside \(what) at byte \(position + 4)")
        }
    }

    /// The unsigned integer of `size` bytes at `at`, in the buffer's byte order (checked by the caller).
    private func word(at: Int, size: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<size {
            let byte = UInt64(bytes[4 + (isBigEndian ? at + i : at + size - 1 - i)])
            value = value << 8 | byte
        }
        return value
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }
}
