import Foundation
import Testing
@testable import MCAP

@Suite("MCAP round trip: what the writer writes, the reader reads back")
struct RoundTripTests {
    @Test("every message comes back, in log-time order, with both compressions", arguments: [MCAPCompression.zstd(level: 3), .none])
    func roundTrip(compression: MCAPCompression) throws {
        let sample = Sample(compression: compression)
        let reader = try MCAPReader(bytes: try sample.bytes())
        #expect(reader.hasSummary)
        #expect(reader.problems.isEmpty)
        #expect(reader.chunkIndexes.count > 3, "the messages span several chunks")
        #expect(reader.chunkIndexes.allSatisfy { $0.compression == (compression == .none ? "" : "zstd") })
        let messages = try reader.all()
        #expect(messages.count == sample.count)
        for (k, message) in messages.enumerated() {
            #expect(message.channelID == UInt16(k % sample.channels))
            #expect(message.sequence == UInt32(k))
            #expect(message.logTime == Sample.time(k) && message.publishTime == Sample.time(k))
            #expect(Array(message.data) == Sample.payload(k))
        }
        #expect(reader.channels.count == sample.channels)
        #expect(reader.channels[2] == Channel(id: 2, schemaID: 1, topic: Sample.topic(2), messageEncoding: "json", metadata: ["arm": "PSM2"]))
        #expect(reader.schemas[1]?.name == "JointState" && reader.schemas[1]?.encoding == "jsonschema")
        #expect(try reader.metadata() == [Metadata(name: "surgtop", values: ["epoch": "2023-11-14T22:13:20Z"])])
        #expect(try reader.verifyDataSectionCRC() == .matched)
    }

    @Test("zstd chunks are smaller than the records they hold")
    func compresses() throws {
        let zstd = try Sample(compression: .zstd(level: 3)).bytes()
        let plain = try Sample(compression: .none).bytes()
        #expect(zstd.count * 2 < plain.count)
    }

    @Test("the writer streams to a file and the reader maps it")
    func fileRoundTrip() throws {
        let path = temporaryFile("session.mcap")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let sink = try MCAPFileSink(path: path)
        try Sample().write(to: sink)
        try sink.close()
        let reader = try MCAPReader(path: path)
        #expect(reader.size == (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int))
        #expect(try reader.all().count == Sample().count)
    }

    @Test("the summary counts what was written, and its chunk indexes point at the chunks")
    func summaryContents() throws {
        let sample = Sample(channels: 4, count: 1_001)
        let bytes = try sample.bytes()
        let reader = try MCAPReader(bytes: bytes)
        let stats = try #require(reader.statistics)
        #expect(stats.messageCount == 1_001)
        #expect(stats.channelCount == 4 && stats.schemaCount == 1 && stats.metadataCount == 1)
        #expect(stats.chunkCount == UInt32(reader.chunkIndexes.count))
        #expect(stats.messageStartTime == Sample.time(0) && stats.messageEndTime == Sample.time(1_000))
        #expect(stats.channelMessageCounts == [0: 251, 1: 250, 2: 250, 3: 250])
        var previousEnd: UInt64 = 0
        for index in reader.chunkIndexes {
            let at = Int(index.chunkStartOffset)
            #expect(bytes[at] == Opcode.chunk.rawValue)
            #expect(index.chunkStartOffset >= previousEnd)
            previousEnd = index.chunkStartOffset + index.chunkLength
            // The Message Indexes follow the chunk, one per channel, each where the chunk index says.
            #expect(index.messageIndexOffsets.count == 4)
            for (channel, offset) in index.messageIndexOffsets {
                #expect(bytes[Int(offset)] == Opcode.messageIndex.rawValue)
                #expect(UInt16(bytes[Int(offset) + 9]) | UInt16(bytes[Int(offset) + 10]) << 8 == channel)
                #expect(offset >= previousEnd && offset < previousEnd + index.messageIndexLength)
            }
        }
        // Summary Offsets name each group once, and the Footer points at them.
        let groups = reader.summaryOffsets.map(\.groupOpcode)
        #expect(groups == [Opcode.schema, .channel, .statistics, .chunkIndex, .metadataIndex].map(\.rawValue))
        #expect(try #require(reader.footer).summaryCRC != 0)
    }

    @Test("seeking to a log time decompresses only the chunks from there on")
    func seek() throws {
        let sample = Sample()
        let reader = try MCAPReader(bytes: try sample.bytes())
        let from = Sample.time(1_234)
        let messages = try reader.all(from: from)
        #expect(messages.map(\.sequence) == Array(1_234..<UInt32(sample.count)))
        let needed = reader.chunkIndexes.filter { $0.messageEndTime >= from }.count
        #expect(needed < reader.chunkIndexes.count)
        #expect(reader.chunksDecompressed == needed, "only the chunks that reach the time are decompressed")
        var cursor = reader.messages(from: from)
        _ = try cursor.next()
        #expect(cursor.nextBlock == 1, "the first message comes from the first chunk that reaches the time")
        #expect(try reader.all(from: Sample.time(sample.count) + 1).isEmpty)
    }

    @Test("log-time order merges chunks that overlap in time; file order keeps the records' order")
    func overlappingChunks() throws {
        let sink = MCAPMemorySink()
        let writer = try MCAPWriter(sink: sink, options: .init(compression: .none, chunkSize: 200))
        let channel = try writer.addChannel(topic: "/events", messageEncoding: "json", schemaID: 0)
        // Two interleaved runs written one after the other: even times, then odd times.
        let times = Array(stride(from: 0, to: 40, by: 2)) + Array(stride(from: 1, to: 40, by: 2))
        for (k, t) in times.enumerated() {
            try writer.addMessage(channelID: channel, sequence: UInt32(k), logTime: UInt64(t) + 10, data: Array("{}".utf8))
        }
        try writer.finish()
        let reader = try MCAPReader(bytes: sink.bytes)
        #expect(try reader.all().map(\.logTime) == (0..<40).map { UInt64($0) + 10 })
        #expect(try reader.all(order: .file).map(\.logTime) == times.map { UInt64($0) + 10 })
        #expect(try reader.all(from: 30).map(\.logTime) == (20..<40).map { UInt64($0) + 10 })
    }

    @Test("a file with channels but no messages has a summary and no chunks")
    func noMessages() throws {
        let sink = MCAPMemorySink()
        let writer = try MCAPWriter(sink: sink)
        try writer.addChannel(topic: "/alarms", messageEncoding: "json", schemaID: 0)
        try writer.finish()
        let reader = try MCAPReader(bytes: sink.bytes)
        #expect(reader.hasSummary && reader.chunkIndexes.isEmpty && reader.problems.isEmpty)
        #expect(reader.channels[0]?.topic == "/alarms")
        #expect(try reader.all().isEmpty)
    }

    @Test("the writer refuses a message on a channel it was not given, and writing after finish")
    func writerMisuse() throws {
        let writer = try MCAPWriter(sink: MCAPMemorySink())
        #expect(throws: MCAPError.self) { try writer.addMessage(channelID: 3, logTime: 1, data: [UInt8]()) }
        #expect(throws: MCAPError.self) { try writer.addChannel(topic: "/x", messageEncoding: "json", schemaID: 9) }
        try writer.finish()
        #expect(throws: MCAPError.self) { try writer.finish() }
    }

    @Test("CRC-32 is zlib's: the check value of \"123456789\"")
    func crcCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        var pieces = CRC32()
        pieces.update(Array("1234".utf8))
        pieces.update(Array("56789".utf8))
        #expect(pieces.value == 0xCBF4_3926)
    }

    @Test("CRC-32 eight bytes a step equals the bit-by-bit definition, for every length and alignment")
    func crcMatchesDefinition() {
        func bitwise(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            var c: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                c ^= UInt32(byte)
                for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            }
            return c ^ 0xFFFF_FFFF
        }
        var generator = SplitMix(seed: 32)
        let data = (0..<300).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        for start in 0..<9 {
            for end in start...data.count where (end - start) % 7 == 0 || end - start < 20 {
                #expect(CRC32.checksum(data[start..<end]) == bitwise(data[start..<end]), "bytes \(start)..<\(end)")
            }
        }
    }
}
