/// The record types of an MCAP file (mcap.dev/spec), their encoding and their bounds-checked decoding.

/// The 8 bytes that open and close every MCAP file: `0x89 M C A P 0 \r \n` (major version 0).
public let mcapMagic: [UInt8] = [0x89, 0x4D, 0x43, 0x41, 0x50, 0x30, 0x0D, 0x0A]

/// A clear one-sentence error about an MCAP file or a write.
public struct MCAPError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Record opcodes (the spec's names).
public enum Opcode: UInt8, Sendable {
    case header = 0x01, footer = 0x02, schema = 0x03, channel = 0x04, message = 0x05, chunk = 0x06
    case messageIndex = 0x07, chunkIndex = 0x08, attachment = 0x09, attachmentIndex = 0x0A, statistics = 0x0B
    case metadata = 0x0C, metadataIndex = 0x0D, summaryOffset = 0x0E, dataEnd = 0x0F
}

public struct Header: Sendable, Equatable {
    public var profile: String
    public var library: String
}

public struct Footer: Sendable, Equatable {
    /// Where the summary section starts, 0 when there is none.
    public var summaryStart: UInt64
    /// Where the Summary Offset records start, 0 when there are none.
    public var summaryOffsetStart: UInt64
    /// CRC-32 of the summary section up to this field, 0 when not set.
    public var summaryCRC: UInt32
}

public struct Schema: Sendable, Equatable {
    /// Never 0 (0 on a channel means "no schema").
    public var id: UInt16
    public var name: String
    /// For example `jsonschema`, `ros2msg`.
    public var encoding: String
    public var data: [UInt8]
}

public struct Channel: Sendable, Equatable {
    public var id: UInt16
    /// 0 when the channel has no schema.
    public var schemaID: UInt16
    public var topic: String
    /// For example `json`, `cdr`.
    public var messageEncoding: String
    public var metadata: [String: String]
}

/// A message; `data` shares the buffer of the chunk it came from.
public struct Message: Sendable, Equatable {
    public var channelID: UInt16
    public var sequence: UInt32
    /// Nanoseconds.
    public var logTime: UInt64
    /// Nanoseconds.
    public var publishTime: UInt64
    public var data: ArraySlice<UInt8>
}

public struct ChunkIndex: Sendable, Equatable {
    public var messageStartTime: UInt64
    public var messageEndTime: UInt64
    /// Offset of the Chunk record (its opcode) from the start of the file.
    public var chunkStartOffset: UInt64
    /// Length of the whole Chunk record, opcode and length included.
    public var chunkLength: UInt64
    /// Channel id → offset of that channel's Message Index record after the chunk.
    public var messageIndexOffsets: [UInt16: UInt64]
    /// Length of all the Message Index records after the chunk.
    public var messageIndexLength: UInt64
    /// `""` (none) or `zstd`.
    public var compression: String
    public var compressedSize: UInt64
    public var uncompressedSize: UInt64
}

public struct Statistics: Sendable, Equatable {
    public var messageCount: UInt64 = 0
    public var schemaCount: UInt16 = 0
    public var channelCount: UInt32 = 0
    public var attachmentCount: UInt32 = 0
    public var metadataCount: UInt32 = 0
    public var chunkCount: UInt32 = 0
    public var messageStartTime: UInt64 = 0
    public var messageEndTime: UInt64 = 0
    public var channelMessageCounts: [UInt16: UInt64] = [:]
    public init() {}
}

/// A named map of strings, for what a file says of itself (issue 13: the epoch used without `started_at`).
public struct Metadata: Sendable, Equatable {
    public var name: String
    public var values: [String: String]
    public init(name: String, values: [String: String]) {
        self.name = name
        self.values = values
    }
}

public struct MetadataIndex: Sendable, Equatable {
    /// Offset of the Metadata record from the start of the file.
    public var offset: UInt64
    /// Length of the whole Metadata record.
    public var length: UInt64
    public var name: String
}

public struct SummaryOffset: Sendable, Equatable {
    public var groupOpcode: UInt8
    public var groupStart: UInt64
    public var groupLength: UInt64
}

// MARK: - Encoding

/// Little-endian encoding into a growing byte array.
struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    // Appended as typed bytes: Array copies those with one memcpy, raw bytes one by one.
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0.assumingMemoryBound(to: UInt8.self)) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0.assumingMemoryBound(to: UInt8.self)) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0.assumingMemoryBound(to: UInt8.self)) } }
    mutating func string(_ s: String) {
        u32(UInt32(s.utf8.count))
        bytes.append(contentsOf: s.utf8)
    }
    mutating func map(_ m: [String: String]) {
        // Sorted so that a file is the same bytes every time it is written.
        let pairs = m.sorted { $0.key < $1.key }
        u32(UInt32(pairs.reduce(0) { $0 + 8 + $1.key.utf8.count + $1.value.utf8.count }))
        for (key, value) in pairs { string(key); string(value) }
    }

    /// Appends a record: opcode, content length, then what `content` writes.
    mutating func record(_ opcode: Opcode, _ content: (inout ByteWriter) -> Void) {
        u8(opcode.rawValue)
        let lengthAt = bytes.count
        u64(0)
        content(&self)
        let length = UInt64(bytes.count - lengthAt - 8).littleEndian
        withUnsafeBytes(of: length) { bytes.replaceSubrange(lengthAt..<lengthAt + 8, with: $0) }
    }
}

extension Schema {
    func write(to w: inout ByteWriter) {
        w.record(.schema) { w in
            w.u16(id); w.string(name); w.string(encoding)
            w.u32(UInt32(data.count)); w.bytes.append(contentsOf: data)
        }
    }
}

extension Channel {
    func write(to w: inout ByteWriter) {
        w.record(.channel) { w in
            w.u16(id); w.u16(schemaID); w.string(topic); w.string(messageEncoding); w.map(metadata)
        }
    }
}

extension ChunkIndex {
    func write(to w: inout ByteWriter) {
        w.record(.chunkIndex) { w in
            w.u64(messageStartTime); w.u64(messageEndTime); w.u64(chunkStartOffset); w.u64(chunkLength)
            let offsets = messageIndexOffsets.sorted { $0.key < $1.key }
            w.u32(UInt32(offsets.count * 10))
            for (channel, offset) in offsets { w.u16(channel); w.u64(offset) }
            w.u64(messageIndexLength); w.string(compression); w.u64(compressedSize); w.u64(uncompressedSize)
        }
    }
}

extension Statistics {
    func write(to w: inout ByteWriter) {
        w.record(.statistics) { w in
            w.u64(messageCount); w.u16(schemaCount); w.u32(channelCount); w.u32(attachmentCount)
            w.u32(metadataCount); w.u32(chunkCount); w.u64(messageStartTime); w.u64(messageEndTime)
            let counts = channelMessageCounts.sorted { $0.key < $1.key }
            w.u32(UInt32(counts.count * 10))
            for (channel, count) in counts { w.u16(channel); w.u64(count) }
        }
    }
}

// MARK: - Decoding

/// Bounds-checked little-endian reads from bytes the file supplies: every length is checked against
/// what remains before it is used, so a hostile length is an error, never a trap or a huge allocation.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var position: Int
    /// What is being read, for the error ("a Channel record").
    let what: String

    init(_ bytes: UnsafeRawBufferPointer, what: String) {
        self.bytes = bytes
        self.position = 0
        self.what = what
    }

    var remaining: Int { bytes.count - position }

    private mutating func take(_ count: Int) throws -> UnsafeRawBufferPointer {
        guard count >= 0, count <= remaining else {
            throw MCAPError("\(what) is cut short: it needs \(count) more bytes at byte \(position) of \(bytes.count).")
        }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
    }

    private mutating func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let raw = try take(MemoryLayout<T>.size)
        return T(littleEndian: raw.loadUnaligned(as: T.self))
    }

    mutating func u8() throws -> UInt8 { try integer(UInt8.self) }
    mutating func u16() throws -> UInt16 { try integer(UInt16.self) }
    mutating func u32() throws -> UInt32 { try integer(UInt32.self) }
    mutating func u64() throws -> UInt64 { try integer(UInt64.self) }

    /// `count` bytes, where `count` comes from the file.
    mutating func slice<T: FixedWidthInteger>(count: T) throws -> UnsafeRawBufferPointer {
        guard let n = Int(exactly: count), n <= remaining else {
            throw MCAPError("\(what) declares \(count) bytes at byte \(position) but only \(remaining) remain.")
        }
        return try take(n)
    }

    mutating func rest() -> UnsafeRawBufferPointer { (try? take(remaining)) ?? UnsafeRawBufferPointer(start: nil, count: 0) }

    mutating func string() throws -> String {
        // Invalid UTF-8 is repaired (U+FFFD) rather than refused: a name is still worth showing.
        String(decoding: try slice(count: try u32()), as: UTF8.self)
    }

    mutating func bytesArray() throws -> [UInt8] { Array(try slice(count: try u32())) }

    /// A uint32-length-prefixed group, read by `element` until its bytes are used up.
    mutating func group(_ element: (inout ByteReader) throws -> Void) throws {
        var inner = ByteReader(try slice(count: try u32()), what: what)
        while inner.remaining > 0 { try element(&inner) }
    }

    mutating func map() throws -> [String: String] {
        var result: [String: String] = [:]
        try group { r in
            let key = try r.string()
            result[key] = try r.string()
        }
        return result
    }
}

extension Header {
    init(_ r: inout ByteReader) throws {
        profile = try r.string()
        library = try r.string()
    }
}

extension Footer {
    init(_ r: inout ByteReader) throws {
        summaryStart = try r.u64()
        summaryOffsetStart = try r.u64()
        summaryCRC = try r.u32()
    }
}

extension Schema {
    init(_ r: inout ByteReader) throws {
        id = try r.u16()
        name = try r.string()
        encoding = try r.string()
        data = try r.bytesArray()
        guard id != 0 else { throw MCAPError("a Schema record has id 0, which the spec reserves for \"no schema\".") }
    }
}

extension Channel {
    init(_ r: inout ByteReader) throws {
        id = try r.u16()
        schemaID = try r.u16()
        topic = try r.string()
        messageEncoding = try r.string()
        metadata = try r.map()
    }
}

extension ChunkIndex {
    init(_ r: inout ByteReader) throws {
        messageStartTime = try r.u64()
        messageEndTime = try r.u64()
        chunkStartOffset = try r.u64()
        chunkLength = try r.u64()
        var offsets: [UInt16: UInt64] = [:]
        try r.group { r in offsets[try r.u16()] = try r.u64() }
        messageIndexOffsets = offsets
        messageIndexLength = try r.u64()
        compression = try r.string()
        compressedSize = try r.u64()
        uncompressedSize = try r.u64()
    }
}

extension Statistics {
    init(_ r: inout ByteReader) throws {
        messageCount = try r.u64()
        schemaCount = try r.u16()
        channelCount = try r.u32()
        attachmentCount = try r.u32()
        metadataCount = try r.u32()
        chunkCount = try r.u32()
        messageStartTime = try r.u64()
        messageEndTime = try r.u64()
        var counts: [UInt16: UInt64] = [:]
        try r.group { r in counts[try r.u16()] = try r.u64() }
        channelMessageCounts = counts
    }
}

extension Metadata {
    init(_ r: inout ByteReader) throws {
        name = try r.string()
        values = try r.map()
    }
}

extension MetadataIndex {
    init(_ r: inout ByteReader) throws {
        offset = try r.u64()
        length = try r.u64()
        name = try r.string()
    }
}

extension SummaryOffset {
    init(_ r: inout ByteReader) throws {
        groupOpcode = try r.u8()
        groupStart = try r.u64()
        groupLength = try r.u64()
    }
}
