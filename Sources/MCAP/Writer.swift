#if canImport(Glibc)
import Glibc
#endif

/// Where a writer's bytes go, in order. The writer never seeks back.
public protocol MCAPSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// A file written as it goes (created or truncated). `close()` when done; the writer does not close it.
public final class MCAPFileSink: MCAPSink {
    private var descriptor: Int32
    public let path: String

    public init(path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw MCAPError("cannot create \(path): \(String(cString: strerror(errno))).") }
    }

    /// Writes to `descriptor`, opened by the caller (a temporary file created exclusively) and closed by
    /// `close`; errors name `name`, the file people asked for, not the descriptor's temporary path.
    public init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        path = name
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw MCAPError("cannot write \(path): \(String(cString: strerror(errno))).")
            }
            done += n
        }
    }

    public func close() throws {
        guard descriptor >= 0 else { return }
        let result = Glibc.close(descriptor)
        descriptor = -1
        if result != 0 { throw MCAPError("cannot close \(path): \(String(cString: strerror(errno))).") }
    }

    deinit { if descriptor >= 0 { _ = Glibc.close(descriptor) } }
}

/// Bytes kept in memory (tests, small files).
public final class MCAPMemorySink: MCAPSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws { self.bytes.append(contentsOf: bytes) }
}

/// Chunk compression, chosen by the caller.
public enum MCAPCompression: Sendable, Equatable {
    case none
    /// zstd at a level (1 is fastest; 3 is zstd's default).
    case zstd(level: Int)

    var name: String {
        switch self {
        case .none: ""
        case .zstd: "zstd"
        }
    }
}

/// Writes an indexed MCAP file as it goes: magic and Header; Schema, Channel and Message records
/// gathered into Chunks (each Schema and Channel also bare just before the first chunk that holds it),
/// each followed by a Message Index per channel; Metadata between chunks;
/// then Data End, the summary (Schemas, Channels, Statistics, Chunk Indexes, Metadata Indexes),
/// Summary Offsets, Footer and magic. At most one chunk is held in memory.
public final class MCAPWriter {
    public struct Options: Sendable {
        public var compression: MCAPCompression
        /// A chunk is closed once its uncompressed records reach this many bytes.
        public var chunkSize: Int
        public var profile: String
        public var library: String

        public init(compression: MCAPCompression = .zstd(level: 3), chunkSize: Int = 1 << 20,
                    profile: String = "", library: String = "surgtop MCAP") {
            self.compression = compression
            self.chunkSize = chunkSize
            self.profile = profile
            self.library = library
        }
    }

    private let sink: MCAPSink
    private let options: Options
    private let compressor: ZstdCompressor?
    /// Bytes handed to the sink so far: every offset the file records.
    private var position: UInt64 = 0
    private var dataCRC = CRC32()
    private var finished = false

    private var schemas: [Schema] = []
    private var channels: [Channel] = []
    private var statistics = Statistics()
    private var chunkIndexes: [ChunkIndex] = []
    private var metadataIndexes: [MetadataIndex] = []

    /// Schema and Channel records added since the last chunk, written bare before the next one as well as
    /// inside it: a reader that seeks in a file cut before its summary still finds them without decompressing.
    private var definitions = ByteWriter()
    // The open chunk.
    private var chunk = ByteWriter()
    private var chunkMessages = 0
    private var chunkStart: UInt64 = .max
    private var chunkEnd: UInt64 = 0
    /// By channel id: (log time, offset in the chunk) of its messages in the open chunk, in the order written.
    private var chunkIndex: [[(UInt64, UInt64)]] = []
    /// By channel id: its messages so far (arrays, not the statistics' map: this is counted per message).
    private var channelMessageCounts: [UInt64] = []
    /// The compressor's output, reused from chunk to chunk.
    private var compressed: [UInt8] = []

    /// Starts the file: writes the magic and the Header.
    public init(sink: MCAPSink, options: Options = Options()) throws {
        self.sink = sink
        self.options = options
        if case .zstd(let level) = options.compression { compressor = ZstdCompressor(level: level) } else { compressor = nil }
        var w = ByteWriter()
        w.bytes = mcapMagic
        w.record(.header) { w in w.string(options.profile); w.string(options.library) }
        try emit(w.bytes)
    }

    /// Registers a schema and returns its id (1, 2, …).
    @discardableResult
    public func addSchema(name: String, encoding: String, data: [UInt8]) throws -> UInt16 {
        try checkOpen()
        guard schemas.count < Int(UInt16.max) else { throw MCAPError("an MCAP file holds at most 65535 schemas.") }
        let schema = Schema(id: UInt16(schemas.count + 1), name: name, encoding: encoding, data: data)
        schemas.append(schema)
        schema.write(to: &chunk)
        schema.write(to: &definitions)
        return schema.id
    }

    /// Registers a channel and returns its id (0, 1, …). `schemaID` 0 means no schema.
    @discardableResult
    public func addChannel(topic: String, messageEncoding: String, schemaID: UInt16, metadata: [String: String] = [:]) throws -> UInt16 {
        try checkOpen()
        guard schemaID == 0 || Int(schemaID) <= schemas.count else {
            throw MCAPError("channel \(topic) names schema \(schemaID), which was not added.")
        }
        guard channels.count <= Int(UInt16.max) else { throw MCAPError("an MCAP file holds at most 65536 channels.") }
        let channel = Channel(id: UInt16(channels.count), schemaID: schemaID, topic: topic,
                              messageEncoding: messageEncoding, metadata: metadata)
        channels.append(channel)
        chunkIndex.append([])
        channelMessageCounts.append(0)
        channel.write(to: &chunk)
        channel.write(to: &definitions)
        return channel.id
    }

    /// Adds a message to the open chunk; the chunk is written out once it reaches the chunk size, unless
    /// `mayEndChunk` is false: then the message that follows goes in the same chunk (the messages of one
    /// frame are never split across chunks).
    public func addMessage(channelID: UInt16, sequence: UInt32 = 0, logTime: UInt64, publishTime: UInt64? = nil,
                           data: some Collection<UInt8>, mayEndChunk: Bool = true) throws {
        let done: Void? = try data.withContiguousStorageIfAvailable { buffer in
            try addMessage(channelID: channelID, sequence: sequence, logTime: logTime, publishTime: publishTime,
                           bytes: UnsafeRawBufferPointer(buffer), mayEndChunk: mayEndChunk)
        }
        if done == nil {
            try Array(data).withUnsafeBytes { bytes in
                try addMessage(channelID: channelID, sequence: sequence, logTime: logTime, publishTime: publishTime,
                               bytes: bytes, mayEndChunk: mayEndChunk)
            }
        }
    }

    /// The same for bytes in memory: not generic, so a caller in another module copies them with one memcpy.
    public func addMessage(channelID: UInt16, sequence: UInt32 = 0, logTime: UInt64, publishTime: UInt64? = nil,
                           bytes data: UnsafeRawBufferPointer, mayEndChunk: Bool = true) throws {
        try checkOpen()
        guard Int(channelID) < channels.count else { throw MCAPError("a message names channel \(channelID), which was not added.") }
        chunkIndex[Int(channelID)].append((logTime, UInt64(chunk.bytes.count)))
        // The length is known up front, so the record's 31 header bytes are laid out on the stack and appended
        // at once (not patched afterwards as `record` does): this runs for every message.
        var header: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &header) { h in
            h.storeBytes(of: Opcode.message.rawValue, toByteOffset: 0, as: UInt8.self)
            h.storeBytes(of: UInt64(2 + 4 + 8 + 8 + data.count).littleEndian, toByteOffset: 1, as: UInt64.self)
            h.storeBytes(of: channelID.littleEndian, toByteOffset: 9, as: UInt16.self)
            h.storeBytes(of: sequence.littleEndian, toByteOffset: 11, as: UInt32.self)
            h.storeBytes(of: logTime.littleEndian, toByteOffset: 15, as: UInt64.self)
            h.storeBytes(of: (publishTime ?? logTime).littleEndian, toByteOffset: 23, as: UInt64.self)
            chunk.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: h[0..<31]).assumingMemoryBound(to: UInt8.self))
        }
        chunk.bytes.append(contentsOf: data.assumingMemoryBound(to: UInt8.self))
        chunkMessages += 1
        chunkStart = min(chunkStart, logTime)
        chunkEnd = max(chunkEnd, logTime)
        if statistics.messageCount == 0 { statistics.messageStartTime = logTime; statistics.messageEndTime = logTime }
        statistics.messageCount += 1
        statistics.messageStartTime = min(statistics.messageStartTime, logTime)
        statistics.messageEndTime = max(statistics.messageEndTime, logTime)
        channelMessageCounts[Int(channelID)] += 1
        if mayEndChunk && chunk.bytes.count >= options.chunkSize { try closeChunk() }
    }

    /// Writes a Metadata record (outside chunks, as the spec requires) and indexes it in the summary.
    public func addMetadata(_ metadata: Metadata) throws {
        try checkOpen()
        var w = ByteWriter()
        w.record(.metadata) { w in w.string(metadata.name); w.map(metadata.values) }
        metadataIndexes.append(MetadataIndex(offset: position, length: UInt64(w.bytes.count), name: metadata.name))
        statistics.metadataCount += 1
        try emit(w.bytes)
    }

    /// Closes the open chunk and writes Data End, the summary, the Summary Offsets, the Footer and the
    /// closing magic. The sink is not closed.
    public func finish() throws {
        try checkOpen()
        try closeChunk()
        // Schemas or channels added after the last message: written bare only.
        try emitDefinitions()
        chunk = ByteWriter()
        var dataEnd = ByteWriter()
        dataEnd.record(.dataEnd) { w in w.u32(dataCRC.value) }
        try emit(dataEnd.bytes)
        finished = true

        for (id, count) in channelMessageCounts.enumerated() where count > 0 { statistics.channelMessageCounts[UInt16(id)] = count }
        statistics.schemaCount = UInt16(schemas.count)
        statistics.channelCount = UInt32(channels.count)
        let summaryStart = position
        var summary = ByteWriter()
        var offsets: [SummaryOffset] = []
        func group(_ opcode: Opcode, _ write: (inout ByteWriter) -> Void) {
            let start = summary.bytes.count
            write(&summary)
            if summary.bytes.count > start {
                offsets.append(SummaryOffset(groupOpcode: opcode.rawValue, groupStart: summaryStart + UInt64(start),
                                             groupLength: UInt64(summary.bytes.count - start)))
            }
        }
        group(.schema) { w in for s in schemas { s.write(to: &w) } }
        group(.channel) { w in for c in channels { c.write(to: &w) } }
        group(.statistics) { w in statistics.write(to: &w) }
        group(.chunkIndex) { w in for c in chunkIndexes { c.write(to: &w) } }
        group(.metadataIndex) { w in
            for m in metadataIndexes {
                w.record(.metadataIndex) { w in w.u64(m.offset); w.u64(m.length); w.string(m.name) }
            }
        }
        let summaryOffsetStart = summaryStart + UInt64(summary.bytes.count)
        for o in offsets {
            summary.record(.summaryOffset) { w in w.u8(o.groupOpcode); w.u64(o.groupStart); w.u64(o.groupLength) }
        }
        // The summary CRC covers the summary and the Footer up to (not including) the CRC itself.
        summary.record(.footer) { w in w.u64(summaryStart); w.u64(summaryOffsetStart); w.u32(0) }
        let summaryCRC = CRC32.checksum(summary.bytes.dropLast(4))
        withUnsafeBytes(of: summaryCRC.littleEndian) { summary.bytes.replaceSubrange(summary.bytes.count - 4..<summary.bytes.count, with: $0) }
        summary.bytes.append(contentsOf: mcapMagic)
        try emit(summary.bytes)
    }

    // MARK: -

    private func checkOpen() throws {
        if finished { throw MCAPError("the MCAP file is already finished.") }
    }

    private func emit(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try emit($0) }
    }

    private func emit(_ raw: UnsafeRawBufferPointer) throws {
        try sink.write(raw)
        if !finished { dataCRC.update(raw) }
        position += UInt64(raw.count)
    }

    private func emitDefinitions() throws {
        guard !definitions.bytes.isEmpty else { return }
        try emit(definitions.bytes)
        definitions = ByteWriter()
    }

    /// Writes the open chunk (if it holds a message) and its Message Indexes, and indexes it. The chunk's
    /// buffer and the compressor's output are kept for the next chunk: no fresh memory per chunk.
    private func closeChunk() throws {
        guard chunkMessages > 0 else { return }
        let uncompressedSize = chunk.bytes.count
        let storedSize = try chunk.bytes.withUnsafeBytes { records in
            try compressor?.compress(records, into: &compressed) ?? records.count
        }
        var head = ByteWriter()
        head.u8(Opcode.chunk.rawValue)
        let contentLength = 8 + 8 + 8 + 4 + 4 + options.compression.name.utf8.count + 8 + storedSize
        head.u64(UInt64(contentLength))
        head.u64(chunkStart); head.u64(chunkEnd); head.u64(UInt64(uncompressedSize))
        head.u32(chunk.bytes.withUnsafeBytes { CRC32.checksum($0) }); head.string(options.compression.name)
        head.u64(UInt64(storedSize))
        try emitDefinitions()
        let chunkOffset = position
        try emit(head.bytes)
        if compressor == nil {
            try chunk.bytes.withUnsafeBytes { try emit($0) }
        } else {
            try compressed.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<storedSize])) }
        }

        let indexStart = position
        var indexes = ByteWriter()
        var offsets: [UInt16: UInt64] = [:]
        for (id, entries) in chunkIndex.enumerated() where !entries.isEmpty {
            let channelID = UInt16(id)
            offsets[channelID] = indexStart + UInt64(indexes.bytes.count)
            indexes.record(.messageIndex) { w in
                w.u16(channelID)
                w.u32(UInt32(entries.count * 16))
                for (time, offset) in entries { w.u64(time); w.u64(offset) }
            }
        }
        try emit(indexes.bytes)
        chunkIndexes.append(ChunkIndex(messageStartTime: chunkStart, messageEndTime: chunkEnd, chunkStartOffset: chunkOffset,
                                       chunkLength: UInt64(head.bytes.count + storedSize), messageIndexOffsets: offsets,
                                       messageIndexLength: UInt64(indexes.bytes.count), compression: options.compression.name,
                                       compressedSize: UInt64(storedSize), uncompressedSize: UInt64(uncompressedSize)))
        statistics.chunkCount += 1
        chunk.bytes.removeAll(keepingCapacity: true)
        chunkMessages = 0
        chunkStart = .max
        chunkEnd = 0
        for id in chunkIndex.indices { chunkIndex[id].removeAll(keepingCapacity: true) }
    }
}
