import Foundation
import Testing
@testable import MCAP

/// Files built record by record, for shapes the writer never makes.
private struct HandMade {
    var w = ByteWriter()

    init() {
        w.bytes = mcapMagic
        w.record(.header) { w in w.string(""); w.string("hand") }
    }

    var offset: UInt64 { UInt64(w.bytes.count) }

    static func message(channel: UInt16, sequence: UInt32, time: UInt64, data: [UInt8] = Array("{}".utf8)) -> [UInt8] {
        var m = ByteWriter()
        m.record(.message) { w in w.u16(channel); w.u32(sequence); w.u64(time); w.u64(time); w.bytes += data }
        return m.bytes
    }

    /// An uncompressed Chunk holding `records`, with its CRC.
    mutating func chunk(_ records: [UInt8], start: UInt64, end: UInt64) {
        w.record(.chunk) { w in
            w.u64(start); w.u64(end); w.u64(UInt64(records.count)); w.u32(CRC32.checksum(records)); w.string("")
            w.u64(UInt64(records.count)); w.bytes += records
        }
    }

    mutating func footer(summaryStart: UInt64) {
        w.record(.footer) { w in w.u64(summaryStart); w.u64(0); w.u32(0) }
        w.bytes += mcapMagic
    }
}

private func channelRecord(_ id: UInt16, _ topic: String) -> [UInt8] {
    var w = ByteWriter()
    Channel(id: id, schemaID: 0, topic: topic, messageEncoding: "json", metadata: [:]).write(to: &w)
    return w.bytes
}

private func patch(_ bytes: inout [UInt8], at offset: Int, _ value: some FixedWidthInteger) {
    withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<offset + $0.count, with: $0) }
}

@Suite("MCAP defensive reading: channels after a seek, bounded memory, damage skipped and reading goes on", .serialized)
struct DefensiveReadingTests {
    @Test("a file cut before its summary, read from a later time, still knows its channels and schemas")
    func truncatedSeekKnowsChannels() throws {
        let full = try Sample().bytes()
        let summaryStart = Int(try #require(try MCAPReader(bytes: full).footer).summaryStart)
        let reader = try MCAPReader(bytes: Array(full[0..<summaryStart - 20]))
        let messages = try reader.all(from: Sample.time(1_500))
        #expect(messages.count == 500)
        #expect(reader.channels.count == 5 && reader.channels[3]?.topic == Sample.topic(3))
        #expect(reader.schemas[1]?.name == "JointState")
        let chunks = try MCAPReader(bytes: full).chunkIndexes
        #expect(reader.chunksDecompressed == chunks.filter { $0.messageEndTime >= Sample.time(1_500) }.count,
                "the writer's bare definitions spare the reader the earlier chunks")
    }

    @Test("without a summary, a channel defined only inside an earlier chunk is found when a seek skips that chunk")
    func channelOnlyInsideSkippedChunk() throws {
        var file = HandMade()
        file.chunk(channelRecord(7, "/PSM1/measured_js") + HandMade.message(channel: 7, sequence: 0, time: 10), start: 10, end: 10)
        file.chunk(HandMade.message(channel: 7, sequence: 1, time: 20), start: 20, end: 20)
        let reader = try MCAPReader(bytes: file.w.bytes)
        #expect(try reader.all(from: 20).map(\.sequence) == [1])
        #expect(reader.channels[7]?.topic == "/PSM1/measured_js")
        #expect(reader.chunksDecompressed == 2, "the earlier chunk was opened for its channel")
        #expect(reader.problems.count == 1)  // the missing summary, nothing else
    }

    @Test("an lz4 chunk is reported as unsupported and skipped; the next chunk is read")
    func lz4Skipped() throws {
        var file = HandMade()
        file.w.bytes += channelRecord(1, "/events")
        let stored: [UInt8] = [4, 0x22, 0x4D, 0x18, 0, 0, 0, 0]
        file.w.record(.chunk) { w in w.u64(1); w.u64(1); w.u64(30); w.u32(0); w.string("lz4"); w.u64(UInt64(stored.count)); w.bytes += stored }
        file.chunk(HandMade.message(channel: 1, sequence: 9, time: 2), start: 2, end: 2)
        let reader = try MCAPReader(bytes: file.w.bytes)
        #expect(try reader.all().map(\.sequence) == [9])
        #expect(reader.problems.map(\.description).contains { $0.contains("its compression \"lz4\" is not supported") })
    }

    @Test("a chunk listed twice in the summary is read once")
    func duplicateChunkIndex() throws {
        let sample = Sample(channels: 2, count: 10, chunkSize: 1 << 20)
        let good = try sample.bytes()
        let original = try MCAPReader(bytes: good)
        let footer = try #require(original.footer)
        let group = try #require(original.summaryOffsets.first { $0.groupOpcode == Opcode.chunkIndex.rawValue })
        // The summary up to its Summary Offsets, the Chunk Index group once more, a Footer without offsets or CRC.
        var file = HandMade()
        file.w.bytes = Array(good[0..<Int(footer.summaryOffsetStart)])
        file.w.bytes += good[Int(group.groupStart)..<Int(group.groupStart + group.groupLength)]
        file.footer(summaryStart: footer.summaryStart)
        let reader = try MCAPReader(bytes: file.w.bytes)
        #expect(reader.hasSummary && reader.chunkIndexes.count == original.chunkIndexes.count)
        #expect(try reader.all().count == 10)
    }

    @Test("chunks overlapping in time past maxHeldBytes: the rest is read in file order, every message once, reported")
    func overlapCap() throws {
        let sink = MCAPMemorySink()
        let writer = try MCAPWriter(sink: sink, options: .init(compression: .zstd(level: 1), chunkSize: 1))
        let channel = try writer.addChannel(topic: "/video", messageEncoding: "json", schemaID: 0)
        for k in 0..<12 {  // twelve chunks of one message each, all at the same time
            try writer.addMessage(channelID: channel, sequence: UInt32(k), logTime: 0, data: [UInt8](repeating: UInt8(k), count: 1_000))
        }
        try writer.finish()

        let merged = try MCAPReader(bytes: sink.bytes)
        var all = merged.messages()
        while try all.next() != nil {}
        #expect(all.peakHeldBytes > 10_000 && merged.problems.isEmpty, "without a tight limit all twelve are merged")

        let capped = try MCAPReader(bytes: sink.bytes, options: .init(maxHeldBytes: 4_000))
        var cursor = capped.messages()
        var sequences: [UInt32] = []
        while let message = try cursor.next() { sequences.append(message.sequence) }
        #expect(sequences.sorted() == Array(0..<12))
        #expect(cursor.peakHeldBytes <= 4_000)
        #expect(capped.problems.map(\.description).contains { $0.contains("more than 4000 bytes; the rest is read in file order") })
    }

    @Test("a chunk with a bad CRC throws once; the next call goes on with the next chunk")
    func badChunkCRCThenContinue() throws {
        var sample = DamageTests.small
        sample.compression = .none
        var bytes = try sample.bytes()
        let chunks = try MCAPReader(bytes: bytes).chunkIndexes
        patch(&bytes, at: Int(chunks[0].chunkStartOffset) + 9 + 24, UInt32(0xDEAD_BEEF))
        var cursor = try MCAPReader(bytes: bytes).messages()
        #expect(throws: MCAPError.self) { try cursor.next() }
        let firstOfSecond = (0..<sample.count).first { Sample.time($0) >= chunks[1].messageStartTime }
        #expect(try cursor.next()?.sequence == firstOfSecond.map(UInt32.init))
        var rest = 1
        while try cursor.next() != nil { rest += 1 }
        #expect(rest == sample.count - firstOfSecond!)
    }

    @Test("a summary without Statistics or Chunk Indexes: the messages outside chunks are still read")
    func summaryWithoutStatistics() throws {
        var file = HandMade()
        file.w.bytes += channelRecord(1, "/events")
        for k in 0..<3 { file.w.bytes += HandMade.message(channel: 1, sequence: UInt32(k), time: UInt64(k)) }
        file.w.record(.dataEnd) { w in w.u32(0) }
        let summaryStart = file.offset
        file.w.bytes += channelRecord(1, "/events")
        file.footer(summaryStart: summaryStart)
        let reader = try MCAPReader(bytes: file.w.bytes)
        #expect(reader.hasSummary && reader.statistics == nil)
        #expect(try reader.all().map(\.sequence) == [0, 1, 2])
    }

    @Test("a summary whose CRC does not match is set aside: reported, and the file is read by scanning")
    func summaryCRCMismatchScans() throws {
        var bytes = try DamageTests.small.bytes()
        patch(&bytes, at: bytes.count - 8 - 4, UInt32(1))
        let reader = try MCAPReader(bytes: bytes)
        #expect(!reader.hasSummary)
        guard case .crcMismatch("the summary section", 1, _)? = reader.problems.first else {
            Issue.record("the mismatch is not reported first: \(reader.problems)")
            return
        }
        #expect(reader.problems.dropFirst() == [.noSummary(reason: "its CRC does not match", cutAt: nil)])
        #expect(try reader.all().count == DamageTests.small.count)
        #expect(try reader.metadata().count == 1)
        #expect(try reader.verifyDataSectionCRC() == .matched)
    }

    @Test("a byte 0x0F thirteen bytes before the Footer is not taken for Data End unless its length is 4")
    func dataEndLookalike() throws {
        var file = HandMade()
        file.w.bytes += channelRecord(1, "/events")
        // The message's last 13 bytes look like a Data End opcode with length 5.
        file.w.bytes += HandMade.message(channel: 1, sequence: 0, time: 1, data: [0x0F, 5, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4])
        file.footer(summaryStart: 0)
        let reader = try MCAPReader(bytes: file.w.bytes)
        #expect(try reader.verifyDataSectionCRC() == .notRecorded)
        #expect(try reader.all().count == 1)
    }
}

@Suite("MCAP zstd: decompression is bounded by what a chunk holds, not by what it claims", .serialized)
struct BoundedDecompressionTests {
    /// The peak resident memory since the last reset, in bytes (Linux: VmHWM, reset through clear_refs).
    private static func resetPeak() { try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8) }
    private static func peak() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    @Test("a 10-byte chunk declaring 256 MiB is rejected without allocating 256 MiB")
    func tinyChunkHugeClaim() throws {
        var file = HandMade()
        file.w.bytes += channelRecord(1, "/events")
        let stored: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x58, 0x01, 0x02, 0x03, 0x04]  // a zstd frame header, then nothing
        let declared = UInt64(256 << 20)
        file.w.record(.chunk) { w in
            w.u64(1); w.u64(1); w.u64(declared); w.u32(0); w.string("zstd"); w.u64(UInt64(stored.count)); w.bytes += stored
        }
        let reader = try MCAPReader(bytes: file.w.bytes)
        Self.resetPeak()
        let before = Self.peak()
        #expect(try reader.all().isEmpty)
        #expect(Self.peak() - before < 64 << 20, "peak resident memory grew by \(Self.peak() - before) bytes")
        #expect(reader.problems.contains { if case .skipped("the chunk", _, _) = $0 { true } else { false } })
    }

    @Test("a zstd frame stating a content size other than the chunk's is rejected, naming both")
    func frameSizeDiffers() throws {
        let data = [UInt8](repeating: 42, count: 100)
        let compressed = try ZstdCompressor(level: 3).compress(data)
        let decompressor = ZstdDecompressor()
        #expect(throws: MCAPError("the chunk declares 200 uncompressed bytes but its zstd frame holds 100.")) {
            try compressed.withUnsafeBytes { try decompressor.decompress($0, size: 200) }
        }
        #expect(try compressed.withUnsafeBytes { try decompressor.decompress($0, size: 100) } == data)
    }

    @Test("frames without a content size, several frames, and large chunks decompress exactly; more than declared is refused")
    func streamed() throws {
        var generator = SplitMix(seed: 3)
        let big = (0..<(3 << 20)).map { k in k % 7 == 0 ? UInt8(truncatingIfNeeded: generator.next()) : UInt8(k % 251) }
        let small = Array("{\"k\":1}".utf8)
        let compressor = ZstdCompressor(level: 1)
        let two = try compressor.compress(big) + compressor.compress(small)  // two frames, one after the other
        let decompressor = ZstdDecompressor()
        #expect(try two.withUnsafeBytes { try decompressor.decompress($0, size: big.count + small.count) } == big + small)
        #expect(throws: MCAPError("the chunk declares \(big.count) uncompressed bytes but holds more.")) {
            try two.withUnsafeBytes { try decompressor.decompress($0, size: big.count) }
        }
        #expect(throws: MCAPError.self) {
            try two.dropLast(3).withUnsafeBytes { try decompressor.decompress($0, size: big.count + small.count) }
        }
    }
}
