#if canImport(Glibc)
import Glibc
#endif

/// The bytes of a file, memory-mapped (a recording may be gigabytes: nothing is copied), or owned.
final class FileBytes: @unchecked Sendable {  // immutable after init
    let raw: UnsafeRawBufferPointer
    private let release: () -> Void

    /// The open file, for `copy`; -1 for bytes in memory.
    private let fd: Int32

    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MCAPError("cannot open \(path): \(String(cString: strerror(errno))).") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw MCAPError("cannot read \(path): \(String(cString: strerror(errno))).")
        }
        let size = Int(info.st_size)
        guard size > 0 else { close(fd); throw MCAPError("\(path) is empty, not an MCAP file.") }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            close(fd)
            throw MCAPError("cannot map \(path): \(String(cString: strerror(errno))).")
        }
        self.fd = fd
        raw = UnsafeRawBufferPointer(start: base, count: size)
        release = { munmap(base, size); close(fd) }
    }

    init(bytes: [UInt8]) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
        fd = -1
        raw = UnsafeRawBufferPointer(start: buffer.baseAddress, count: bytes.count)
        release = { buffer.deallocate() }
    }

    deinit { release() }

    /// A copy of `range`, read with pread rather than through the mapping: a file truncated while it is
    /// read (`cp new.mcap session.mcap` during a replay) then reads short, which is an error, where a
    /// mapped page past the new end would kill the process with SIGBUS.
    func copy(_ range: Range<Int>) throws -> [UInt8] {
        guard range.lowerBound >= 0, range.upperBound <= raw.count else {
            throw MCAPError("bytes \(range.lowerBound)..<\(range.upperBound) lie outside the file of \(raw.count) bytes.")
        }
        guard fd >= 0 else { return Array(raw[range]) }
        var bytes = [UInt8](repeating: 0, count: range.count)
        var done = 0
        while done < range.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, range.count - done, off_t(range.lowerBound + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw MCAPFileChanged(offset: range.lowerBound + done, size: raw.count) }
            done += n
        }
        return bytes
    }
}

/// The file is shorter than when it was opened (or cannot be read on): what was read stands, nothing after.
public struct MCAPFileChanged: Error, CustomStringConvertible, Sendable, Equatable {
    public let offset: Int
    public let size: Int
    public var description: String {
        "the file changed or is shorter than when it was opened (\(size) bytes): it cannot be read at byte \(offset)"
    }
}

/// Something found in a file that does not stop it being read.
public enum MCAPProblem: Sendable, Equatable, CustomStringConvertible {
    /// No usable summary: the file was read by scanning its records. `cutAt` is the offset of the record
    /// the file ends inside, if it does.
    case noSummary(reason: String, cutAt: Int?)
    /// A CRC that does not match its bytes (read anyway because `ignoreCRC` was set, or the data section's).
    case crcMismatch(what: String, expected: UInt32, actual: UInt32)
    /// A damaged record that was skipped.
    case skipped(what: String, offset: Int, reason: String)

    public var description: String {
        switch self {
        case .noSummary(let reason, let cutAt):
            "no summary (\(reason)): read by scanning" + (cutAt.map { "; file ends inside a record at byte \($0)" } ?? "")
        case .crcMismatch(let what, let expected, let actual):
            "CRC mismatch in \(what): the file says \(hex(expected)), the bytes give \(hex(actual))"
        case .skipped(let what, let offset, let reason):
            "\(what) at byte \(offset) skipped: \(reason)"
        }
    }
}

private func hex(_ v: UInt32) -> String {
    let digits = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}

/// What a data section CRC check found.
public enum CRCCheck: Sendable, Equatable {
    case matched
    /// The file records no CRC (0) or has no Data End record.
    case notRecorded
    case mismatched(expected: UInt32, actual: UInt32)
}

/// Reads an MCAP file: through its summary and indexes when it has them; otherwise (a truncated
/// recording) by scanning its records, which is reported in `problems`, not fatal.
public final class MCAPReader {
    public struct Options: Sendable {
        /// Check each chunk's uncompressed CRC and the summary CRC where the file records them.
        public var verifyCRCs: Bool
        /// A CRC mismatch is then a problem reported, not an error.
        public var ignoreCRC: Bool
        /// The largest uncompressed chunk accepted: a chunk declaring more is skipped, never allocated.
        public var maxChunkSize: Int
        /// The most uncompressed bytes a cursor holds at once while merging chunks that overlap in time;
        /// past it the rest is read in file order (reported in `problems`).
        public var maxHeldBytes: Int

        public init(verifyCRCs: Bool = true, ignoreCRC: Bool = false, maxChunkSize: Int = 256 << 20, maxHeldBytes: Int = 512 << 20) {
            self.verifyCRCs = verifyCRCs
            self.ignoreCRC = ignoreCRC
            self.maxChunkSize = maxChunkSize
            self.maxHeldBytes = maxHeldBytes
        }
    }

    /// In which order `messages` yields.
    public enum Order: Sendable {
        /// By log time (ties in file order), merging chunks that overlap in time.
        case logTime
        /// As the records lie in the file.
        case file
    }

    public let header: Header
    /// The Footer, when the file ends with one.
    public private(set) var footer: Footer?
    /// Whether the summary section was read (otherwise the file was scanned).
    public private(set) var hasSummary = false
    /// By id. Without a summary, these grow as scanning meets them (chunks are read as messages are).
    public private(set) var schemas: [UInt16: Schema] = [:]
    public private(set) var channels: [UInt16: Channel] = [:]
    public private(set) var statistics: Statistics?
    public private(set) var chunkIndexes: [ChunkIndex] = []
    public private(set) var metadataIndexes: [MetadataIndex] = []
    public private(set) var summaryOffsets: [SummaryOffset] = []
    /// What was found that did not stop the file being read, each once: a chunk read again (a second
    /// cursor, a seek) reports nothing new.
    public private(set) var problems: [MCAPProblem] = []
    private var reported: Set<String> = []
    /// Size of the file in bytes.
    public var size: Int { file.raw.count }

    private let file: FileBytes
    private let options: Options
    private let decompressor = ZstdDecompressor()
    /// The places messages are read from: chunks, and runs of messages outside chunks.
    private var blocks: [Block] = []
    /// Offset of the Data End record, when there is one.
    private var dataEnd: Int?
    private var scannedMetadata: [Int] = []
    /// Chunks whose Schema and Channel records have been read (without a summary, they define channels).
    private var chunksWithDefinitionsRead: Set<Int> = []
    /// How many chunks have been decompressed (seeking must not decompress the ones before the time).
    public private(set) var chunksDecompressed = 0

    struct Block {
        var startTime: UInt64
        var endTime: UInt64
        var offset: Int
        var length: Int
        var isChunk: Bool
        /// The uncompressed bytes it holds once loaded, as declared (bounded by `maxChunkSize` when loaded).
        var size: Int
    }

    /// Opens (memory-maps) a file.
    public convenience init(path: String, options: Options = Options()) throws {
        try self.init(file: FileBytes(path: path), options: options)
    }

    /// Reads bytes in memory.
    public convenience init(bytes: [UInt8], options: Options = Options()) throws {
        try self.init(file: FileBytes(bytes: bytes), options: options)
    }

    private init(file: FileBytes, options: Options) throws {
        self.file = file
        self.options = options
        let raw = file.raw
        guard raw.count >= 8, raw.prefix(8).elementsEqual(mcapMagic) else {
            throw MCAPError("not an MCAP file: it does not start with the MCAP magic.")
        }
        guard raw.count >= 17, raw[8] == Opcode.header.rawValue else {
            throw MCAPError("not an MCAP file: no Header record after the magic.")
        }
        var r = ByteReader(raw, what: "the Header record")
        _ = try r.slice(count: 9)
        let length = try r.u64()
        var content = ByteReader(try r.slice(count: length), what: "the Header record")
        header = try Header(&content)
        let dataStart = 8 + 9 + Int(length)

        var summaryCRCMismatch = false
        if let footerAt = try readFooter(), let footer, footer.summaryStart != 0 {
            let summaryStart = Int(exactly: footer.summaryStart) ?? -1
            if summaryStart >= 8 + 9, summaryStart <= footerAt {
                // A summary that fails its CRC cannot be trusted (unless `ignoreCRC`): the data section is scanned instead.
                do {
                    summaryCRCMismatch = !summaryCRCMatches(from: summaryStart, footerAt: footerAt)
                    if !summaryCRCMismatch { try readSummary(from: summaryStart, footerAt: footerAt) }
                } catch {
                    // A damaged summary: the data section can still be scanned.
                    (hasSummary, schemas, channels, statistics, chunkIndexes, metadataIndexes, summaryOffsets) = (false, [:], [:], nil, [], [], [])
                    report(.skipped(what: "the summary", offset: summaryStart, reason: "\(error)"))
                }
            } else {
                report(.skipped(what: "the summary", offset: footerAt, reason: "the Footer puts it at byte \(footer.summaryStart), outside the file"))
            }
        }
        if !hasSummary {
            let reason = footer == nil ? "the file has no Footer"
                : footer?.summaryStart == 0 ? "the Footer points at none"
                : summaryCRCMismatch ? "its CRC does not match" : "the summary cannot be used"
            try scan(from: dataStart, noSummary: reason)
        } else if chunkIndexes.isEmpty && statistics?.messageCount != 0 {
            // Messages outside chunks, which no index lists (without Statistics, there may be some).
            try scan(from: dataStart, noSummary: nil)
        } else {
            blocks = chunkIndexes.map {
                Block(startTime: $0.messageStartTime, endTime: $0.messageEndTime, offset: Int($0.chunkStartOffset),
                      length: Int($0.chunkLength), isChunk: true, size: Int(clamping: $0.uncompressedSize))
            }
        }
        // File order, so that a block's number is where it lies (`messages(inBlock:)`).
        blocks.sort { $0.offset < $1.offset }
    }

    // MARK: - Blocks

    /// How many places hold messages: chunks, and runs of messages outside chunks.
    public var blockCount: Int { blocks.count }

    /// Where the `index`-th block (in file order) starts in the file.
    public func blockOffset(_ index: Int) -> Int { blocks[index].offset }

    /// The messages of the `index`-th block in file order, as they lie: what a seek table jumps to.
    /// A damaged chunk gives none (and a problem); a CRC mismatch throws unless `ignoreCRC`.
    public func messages(inBlock index: Int) throws -> [Message] {
        try load(blocks[index])
    }

    /// The uncompressed CRC the `index`-th block's Chunk record gives (0 when it records none); nil for a
    /// run of messages outside chunks, or a chunk that cannot be read. With its offset, it tells whether a
    /// block is still the one a seek table learnt about.
    public func blockCRC(_ index: Int) -> UInt32? {
        guard blocks[index].isChunk, let head = try? file.copy(blocks[index].offset..<min(blocks[index].offset + 9 + 28, size)),
              head.count == 9 + 28, head[0] == Opcode.chunk.rawValue else { return nil }
        return head.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 9 + 24, as: UInt32.self).littleEndian }
    }

    /// Sets the schemas and channels to those a reader of the same file knew at a place: a read resumed
    /// there (a later chunk of a file without a summary, which defines them as it goes) then knows what
    /// the read that got there knew, and no more, so both read the same messages.
    public func setDefinitions(schemas: [UInt16: Schema], channels: [UInt16: Channel]) {
        self.schemas = schemas
        self.channels = channels
    }

    // MARK: - Messages

    /// The messages with log time at or after `start` (a seek: chunks that end before it are never
    /// decompressed), in `order`. Without a summary, `.logTime` merges what the chunk headers say of time.
    public func messages(order: Order = .logTime, from start: UInt64 = 0) -> MessageCursor {
        var chosen = blocks.filter { $0.endTime >= start }
        switch order {
        case .logTime: chosen.sort { ($0.startTime, $0.offset) < ($1.startTime, $1.offset) }
        case .file: chosen.sort { $0.offset < $1.offset }
        }
        return MessageCursor(reader: self, order: order, start: start, blocks: chosen)
    }

    /// Pulls messages one at a time; at most the chunks overlapping in time are held decompressed, and no
    /// more than `maxHeldBytes` of them: past that the rest is read in file order, and a problem says so.
    public struct MessageCursor {
        let reader: MCAPReader
        private(set) var order: Order
        let start: UInt64
        private(set) var blocks: [Block]
        var nextBlock = 0
        var pending: [Message] = []
        var pendingIndex = 0
        /// The blocks whose messages may still be pending: the last log time each holds, and its size.
        private var held: [(lastTime: UInt64, size: Int)] = []
        /// The most bytes held at once so far.
        private(set) var peakHeldBytes = 0
        /// Whether messages still come in log-time order (false once the cursor fell back to file order).
        public var inLogTimeOrder: Bool { order == .logTime }

        init(reader: MCAPReader, order: Order, start: UInt64, blocks: [Block]) {
            (self.reader, self.order, self.start, self.blocks) = (reader, order, start, blocks)
        }

        /// The next message, or nil at the end. Throws on a CRC mismatch (unless `ignoreCRC`); the next call
        /// goes on with the next chunk.
        public mutating func next() throws -> Message? {
            while nextBlock < blocks.count {
                if pendingIndex < pending.count {
                    // In log-time order, a chunk that starts before the next pending message must be merged first.
                    guard order == .logTime, blocks[nextBlock].startTime <= pending[pendingIndex].logTime else { break }
                    let now = pending[pendingIndex].logTime
                    held.removeAll { $0.lastTime < now }
                    if held.reduce(blocks[nextBlock].size, { $0 + $1.size }) > reader.options.maxHeldBytes {
                        fallBackToFileOrder()
                        break
                    }
                } else {
                    held.removeAll()
                }
                let block = blocks[nextBlock]
                nextBlock += 1  // before loading: a chunk that fails is skipped by the next call
                let loaded = try reader.load(block).filter { $0.logTime >= start }
                held.append((loaded.map(\.logTime).max() ?? 0, block.size))
                peakHeldBytes = max(peakHeldBytes, held.reduce(0) { $0 + $1.size })
                pending = order == .logTime ? merge(Array(pending[pendingIndex...]), sortedByTime(loaded)) : Array(pending[pendingIndex...]) + loaded
                pendingIndex = 0
            }
            guard pendingIndex < pending.count else { return nil }
            defer { pendingIndex += 1 }
            return pending[pendingIndex]
        }

        /// Too much overlaps in time to merge within the limit: the pending messages, then the remaining
        /// chunks one at a time as they lie in the file.
        private mutating func fallBackToFileOrder() {
            reader.report(.skipped(
                what: "log-time order", offset: blocks[nextBlock].offset,
                reason: "the chunks overlapping in time there hold more than \(reader.options.maxHeldBytes) bytes; the rest is read in file order"))
            order = .file
            blocks[nextBlock...].sort { $0.offset < $1.offset }
        }

        private func sortedByTime(_ messages: [Message]) -> [Message] {
            messages.enumerated().sorted { ($0.element.logTime, $0.offset) < ($1.element.logTime, $1.offset) }.map(\.element)
        }

        /// Merges two time-sorted runs; on equal times `a` (read earlier) comes first.
        private func merge(_ a: [Message], _ b: [Message]) -> [Message] {
            if a.isEmpty { return b }
            var result: [Message] = []
            result.reserveCapacity(a.count + b.count)
            var i = 0, j = 0
            while i < a.count, j < b.count {
                if b[j].logTime < a[i].logTime { result.append(b[j]); j += 1 } else { result.append(a[i]); i += 1 }
            }
            result += a[i...]
            result += b[j...]
            return result
        }
    }

    /// Every Metadata record (through the Metadata Indexes, or as scanning found them).
    public func metadata() throws -> [Metadata] {
        let offsets = hasSummary && !metadataIndexes.isEmpty ? metadataIndexes.map { Int(clamping: $0.offset) } : scannedMetadata
        return try offsets.map { offset in
            try record(at: offset, expecting: .metadata, what: "the Metadata record").withUnsafeBytes { raw in
                var content = ByteReader(raw, what: "the Metadata record")
                return try Metadata(&content)
            }
        }
    }

    /// Checks the data section CRC in the Data End record (reads the whole data section). A mismatch is
    /// also added to `problems`.
    public func verifyDataSectionCRC() throws -> CRCCheck {
        guard let dataEnd else { return .notRecorded }
        let expected = try record(at: dataEnd, expecting: .dataEnd, what: "the Data End record").withUnsafeBytes { raw in
            var content = ByteReader(raw, what: "the Data End record")
            return try content.u32()
        }
        guard expected != 0 else { return .notRecorded }
        var crc = CRC32()
        for start in stride(from: 0, to: dataEnd, by: 8 << 20) {
            try file.copy(start..<min(start + (8 << 20), dataEnd)).withUnsafeBytes { crc.update($0) }
        }
        guard crc.value == expected else {
            report(.crcMismatch(what: "the data section", expected: expected, actual: crc.value))
            return .mismatched(expected: expected, actual: crc.value)
        }
        return .matched
    }

    // MARK: - Reading records

    /// The content of the record at `offset`, checked to be `opcode` and to fit the file.
    /// Read with pread (`FileBytes.copy`), not through the mapping: the file may have shrunk since it was opened.
    private func record(at offset: Int, expecting opcode: Opcode, what: String) throws -> [UInt8] {
        guard offset >= 8, offset < file.raw.count else { throw MCAPError("\(what) is said to be at byte \(offset), outside the file.") }
        let head = try file.copy(offset..<min(offset + 9, file.raw.count))
        let (op, length) = try head.withUnsafeBytes { raw in
            var r = ByteReader(raw, what: what)
            return (try r.u8(), try r.u64())
        }
        guard op == opcode.rawValue else { throw MCAPError("\(what) at byte \(offset) has opcode \(op), not \(opcode.rawValue).") }
        guard let count = Int(exactly: length), count <= file.raw.count - offset - 9 else {
            throw MCAPError("\(what) declares \(length) bytes at byte \(offset) but only \(file.raw.count - offset - 9) remain.")
        }
        return try file.copy(offset + 9..<offset + 9 + count)
    }

    /// Reads the Footer if the file ends with one and the closing magic; returns its offset.
    private func readFooter() throws -> Int? {
        let raw = file.raw
        let footerAt = raw.count - 8 - 29
        guard footerAt >= 8 + 9, raw.suffix(8).elementsEqual(mcapMagic), raw[footerAt] == Opcode.footer.rawValue else { return nil }
        var r = ByteReader(UnsafeRawBufferPointer(rebasing: raw[footerAt...]), what: "the Footer record")
        _ = try r.u8()
        guard try r.u64() == 20 else { return nil }
        footer = try Footer(&r)
        if let footer, footer.summaryStart == 0, isDataEnd(at: footerAt - 13) { dataEnd = footerAt - 13 }
        return footerAt
    }

    /// Whether a Data End record (opcode, length 4, CRC) lies at `offset`, just after the Header.
    private func isDataEnd(at offset: Int) -> Bool {
        let raw = file.raw
        guard offset >= 8 + 9, offset + 13 <= raw.count, raw[offset] == Opcode.dataEnd.rawValue else { return false }
        return raw[offset + 1] == 4 && raw[offset + 2..<offset + 9].allSatisfy { $0 == 0 }
    }

    /// The summary CRC covers the summary section and the Footer up to the CRC field. A mismatch is a
    /// problem; the summary is then used only with `ignoreCRC`.
    private func summaryCRCMatches(from summaryStart: Int, footerAt: Int) -> Bool {
        guard options.verifyCRCs, let expected = footer?.summaryCRC, expected != 0 else { return true }
        var crc = CRC32()
        crc.update(UnsafeRawBufferPointer(rebasing: file.raw[summaryStart..<footerAt + 1 + 8 + 16]))
        guard crc.value != expected else { return true }
        report(.crcMismatch(what: "the summary section", expected: expected, actual: crc.value))
        return options.ignoreCRC
    }

    private func readSummary(from summaryStart: Int, footerAt: Int) throws {
        let raw = file.raw
        var r = ByteReader(UnsafeRawBufferPointer(rebasing: raw[summaryStart..<footerAt]), what: "the summary section")
        var found = false
        var indexedChunks: Set<UInt64> = []
        while r.remaining > 0 {
            let op = try r.u8()
            var content = ByteReader(try r.slice(count: try r.u64()), what: "a summary record")
            switch Opcode(rawValue: op) {
            case .schema: let s = try Schema(&content); if schemas[s.id] == nil { schemas[s.id] = s }
            case .channel: let c = try Channel(&content); if channels[c.id] == nil { channels[c.id] = c }
            case .statistics: statistics = try Statistics(&content)
            case .chunkIndex:
                let index = try ChunkIndex(&content)
                let (end, overflow) = index.chunkStartOffset.addingReportingOverflow(index.chunkLength)
                guard !overflow, end <= UInt64(summaryStart), index.chunkStartOffset >= 8 else {
                    throw MCAPError("a Chunk Index points at bytes \(index.chunkStartOffset)+\(index.chunkLength), outside the data section.")
                }
                // A chunk listed twice would be read twice.
                if indexedChunks.insert(index.chunkStartOffset).inserted { chunkIndexes.append(index) }
            case .metadataIndex: metadataIndexes.append(try MetadataIndex(&content))
            case .summaryOffset: summaryOffsets.append(try SummaryOffset(&content))
            default: break  // attachment indexes and records this reader does not know
            }
            found = true
        }
        hasSummary = found
        if isDataEnd(at: summaryStart - 13) { dataEnd = summaryStart - 13 }
    }

    /// Adds `problem` to `problems` unless the same one (kind, place and reason) is there already.
    fileprivate func report(_ problem: MCAPProblem) {
        if reported.insert(problem.description).inserted { problems.append(problem) }
    }

    private func crcMismatch(_ what: String, _ expected: UInt32, _ actual: UInt32) throws {
        guard options.ignoreCRC else {
            throw MCAPError("CRC mismatch in \(what): the file says \(hex(expected)), the bytes give \(hex(actual)).")
        }
        report(.crcMismatch(what: what, expected: expected, actual: actual))
    }

    /// Hops record to record through the data section (chunks are not decompressed here): finds chunks,
    /// runs of messages outside chunks, schemas, channels, metadata and Data End, and where the file is cut.
    private func scan(from start: Int, noSummary reason: String?) throws {
        let raw = file.raw
        var offset = start
        var cutAt: Int?
        var loose: Block?
        func endLoose() { if let run = loose { blocks.append(run); loose = nil } }
        scanning: while offset < raw.count {
            guard raw.count - offset >= 9 else { cutAt = offset; break }
            var r = ByteReader(UnsafeRawBufferPointer(rebasing: raw[offset...]), what: "a record")
            let op = try r.u8()
            let length = try r.u64()
            guard length <= UInt64(r.remaining) else { cutAt = offset; break }
            var content = ByteReader(try r.slice(count: length), what: "the record at byte \(offset)")
            let next = offset + 9 + Int(length)
            do {
                switch Opcode(rawValue: op) {
                case .message:
                    _ = try content.u16(); _ = try content.u32()
                    let time = try content.u64()
                    if loose == nil { loose = Block(startTime: time, endTime: time, offset: offset, length: 0, isChunk: false, size: 0) }
                    loose!.startTime = min(loose!.startTime, time)
                    loose!.endTime = max(loose!.endTime, time)
                    loose!.length = next - loose!.offset
                    loose!.size = loose!.length
                    if loose!.length >= 1 << 20 { endLoose() }  // read a block at a time, as chunks are
                // The first definition of an id wins, as in chunks (`parse`).
                case .schema: let s = try Schema(&content); if schemas[s.id] == nil { schemas[s.id] = s }
                case .channel: let c = try Channel(&content); if channels[c.id] == nil { channels[c.id] = c }
                case .chunk:
                    endLoose()
                    let startTime = try content.u64(), endTime = try content.u64(), size = try content.u64()
                    blocks.append(Block(startTime: startTime, endTime: endTime, offset: offset, length: next - offset, isChunk: true,
                                        size: Int(clamping: size)))
                case .metadata: endLoose(); scannedMetadata.append(offset)
                case .dataEnd: endLoose(); dataEnd = offset; break scanning
                case .footer: break scanning
                default: endLoose()  // message indexes, attachments, records this reader does not know
                }
            } catch {
                endLoose()
                report(.skipped(what: "a record with opcode \(op)", offset: offset, reason: "\(error)"))
            }
            offset = next
        }
        endLoose()
        if let reason { report(.noSummary(reason: reason, cutAt: cutAt)) }
    }

    /// The messages of one block in file order; registers the schemas and channels it meets. A damaged
    /// chunk is skipped and reported; a CRC mismatch throws unless `ignoreCRC`.
    fileprivate func load(_ block: Block) throws -> [Message] {
        guard let records = try uncompressed(block) else { return [] }
        let messages = parse(records, of: block, keepMessages: true)
        // Without a summary, a channel is defined in the chunk that first uses it, which a seek may have passed.
        if !hasSummary, messages.contains(where: { channels[$0.channelID] == nil }) {
            for earlier in blocks where earlier.isChunk && earlier.offset < block.offset && !chunksWithDefinitionsRead.contains(earlier.offset) {
                if let records = try? uncompressed(earlier) { _ = parse(records, of: earlier, keepMessages: false) }
            }
        }
        return messages
    }

    /// The uncompressed records of a block, its CRC checked; nil (and a problem) when the chunk is damaged.
    private func uncompressed(_ block: Block) throws -> [UInt8]? {
        guard block.isChunk else {
            guard block.length <= options.maxChunkSize else {  // one huge message outside chunks: never allocated
                problems.append(.skipped(what: "the messages outside chunks", offset: block.offset,
                                         reason: "they take \(block.length) bytes, more than the limit of \(options.maxChunkSize)"))
                return nil
            }
            return try file.copy(block.offset..<block.offset + block.length)
        }
        let records: [UInt8], expectedCRC: UInt32
        do {
            (records, expectedCRC) = try unpackChunk(at: block.offset)
        } catch let changed as MCAPFileChanged {
            throw changed  // not damage in the chunk: the file is no longer the one opened
        } catch {
            report(.skipped(what: "the chunk", offset: block.offset, reason: "\(error)"))
            return nil
        }
        chunksDecompressed += 1
        if options.verifyCRCs, expectedCRC != 0 {
            let actual = CRC32.checksum(records)
            if actual != expectedCRC { try crcMismatch("the chunk at byte \(block.offset)", expectedCRC, actual) }
        }
        return records
    }

    /// The messages in a block's records (when `keepMessages`), registering the Schemas and Channels on the way.
    private func parse(_ records: [UInt8], of block: Block, keepMessages: Bool) -> [Message] {
        if block.isChunk { chunksWithDefinitionsRead.insert(block.offset) }
        var messages: [Message] = []
        var at = 0
        while at < records.count {
            do {
                try records.withUnsafeBytes { raw in
                    var r = ByteReader(UnsafeRawBufferPointer(rebasing: raw[at...]), what: "a record in the chunk at byte \(block.offset)")
                    let op = try r.u8()
                    let length = try r.u64()
                    var content = ByteReader(try r.slice(count: length), what: r.what)
                    let contentStart = at + 9
                    switch Opcode(rawValue: op) {
                    case .message where keepMessages:
                        let channelID = try content.u16(), sequence = try content.u32()
                        let logTime = try content.u64(), publishTime = try content.u64()
                        let dataStart = contentStart + content.position
                        messages.append(Message(channelID: channelID, sequence: sequence, logTime: logTime, publishTime: publishTime,
                                                data: records[dataStart..<contentStart + Int(length)]))
                    case .schema: let s = try Schema(&content); if schemas[s.id] == nil { schemas[s.id] = s }
                    case .channel: let c = try Channel(&content); if channels[c.id] == nil { channels[c.id] = c }
                    default: break
                    }
                    at = contentStart + Int(length)
                }
            } catch {
                report(.skipped(what: "the rest of the chunk", offset: block.offset, reason: "\(error)"))
                break
            }
        }
        return messages
    }

    /// The uncompressed records of the Chunk at `offset` (size capped) and the CRC it records.
    private func unpackChunk(at offset: Int) throws -> ([UInt8], UInt32) {
        try record(at: offset, expecting: .chunk, what: "the chunk").withUnsafeBytes { raw in
            var r = ByteReader(raw, what: "the chunk")
            return try unpackChunk(&r)
        }
    }

    private func unpackChunk(_ r: inout ByteReader) throws -> ([UInt8], UInt32) {
        _ = try r.u64(); _ = try r.u64()
        let declared = try r.u64()
        let expectedCRC = try r.u32()
        let compression = try r.string()
        let stored = try r.slice(count: try r.u64())
        guard let size = Int(exactly: declared), size <= options.maxChunkSize else {
            throw MCAPError("it declares \(declared) uncompressed bytes, more than the limit of \(options.maxChunkSize).")
        }
        let records: [UInt8]
        switch compression {
        case "":
            guard stored.count == size else { throw MCAPError("it declares \(size) bytes but stores \(stored.count) uncompressed.") }
            records = Array(stored)
        case "zstd": records = try decompressor.decompress(stored, size: size)
        default: throw MCAPError("its compression \"\(compression)\" is not supported (only zstd and none).")
        }
        return (records, expectedCRC)
    }
}
