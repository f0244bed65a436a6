import Foundation
import Testing
@testable import MCAP

@Suite("MCAP damage: truncated files, bad CRCs and hostile lengths are reported, never a trap")
struct DamageTests {
    static let small = Sample(channels: 3, count: 60, compression: .zstd(level: 3), chunkSize: 256)

    private func patch(_ bytes: inout [UInt8], at offset: Int, _ value: some FixedWidthInteger) {
        withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<offset + $0.count, with: $0) }
    }

    @Test("a file cut at every byte: the scan yields every message of the chunks that are whole", arguments: [MCAPCompression.zstd(level: 3), .none])
    func truncatedEverywhere(compression: MCAPCompression) throws {
        var sample = Self.small
        sample.compression = compression
        let full = try sample.bytes()
        let chunks = try MCAPReader(bytes: full).chunkIndexes
        let headerLength = full[9..<17].reversed().reduce(0) { $0 << 8 | Int($1) }  // little-endian UInt64
        let headerEnd = 8 + 9 + headerLength
        for cut in 0..<full.count {
            let bytes = Array(full[0..<cut])
            guard cut >= headerEnd else {
                #expect(throws: MCAPError.self) { try MCAPReader(bytes: bytes) }
                continue
            }
            let reader = try MCAPReader(bytes: bytes)
            #expect(!reader.hasSummary)
            let messages = try reader.all(order: .file)
            // The chunks wholly inside the cut, and the messages they hold (times are unique and rising).
            let whole = chunks.filter { Int($0.chunkStartOffset + $0.chunkLength) <= cut }
            let expected = whole.last.map { last in (0..<sample.count).filter { Sample.time($0) <= last.messageEndTime } } ?? []
            #expect(messages.map(\.sequence) == expected.map(UInt32.init), "cut at \(cut)")
            #expect(messages.allSatisfy { Array($0.data) == Sample.payload(Int($0.sequence)) })
            guard case .noSummary(_, let cutAt)? = reader.problems.first else {
                Issue.record("cut at \(cut): no summary is not reported: \(reader.problems)")
                continue
            }
            if let inside = chunks.first(where: { Int($0.chunkStartOffset) < cut && cut < Int($0.chunkStartOffset + $0.chunkLength) }) {
                #expect(cutAt == Int(inside.chunkStartOffset))
                #expect(reader.problems.first!.description.hasSuffix("file ends inside a record at byte \(inside.chunkStartOffset)"))
            }
        }
    }

    @Test("a chunk whose CRC does not match is an error, read anyway with ignoreCRC and reported")
    func chunkCRCMismatch() throws {
        var sample = Self.small
        sample.compression = .none
        var bytes = try sample.bytes()
        let chunk = try #require(try MCAPReader(bytes: bytes).chunkIndexes.first)
        // The uncompressed_crc field: after opcode, length, start time, end time and size.
        patch(&bytes, at: Int(chunk.chunkStartOffset) + 9 + 24, UInt32(0xDEAD_BEEF))
        let strict = try MCAPReader(bytes: bytes)
        #expect(throws: MCAPError.self) { try strict.all() }
        do {
            _ = try strict.all()
        } catch {
            #expect("\(error)".contains("CRC mismatch in the chunk at byte \(chunk.chunkStartOffset): the file says 0xdeadbeef"))
        }
        let lenient = try MCAPReader(bytes: bytes, options: .init(ignoreCRC: true))
        #expect(try lenient.all().count == sample.count)
        #expect(lenient.problems.contains { if case .crcMismatch(let what, 0xDEAD_BEEF, _) = $0 { what.contains("chunk") } else { false } })
        let unchecked = try MCAPReader(bytes: bytes, options: .init(verifyCRCs: false))
        #expect(try unchecked.all().count == sample.count && unchecked.problems.isEmpty)
    }

    @Test("a changed byte inside an uncompressed chunk fails its CRC")
    func chunkContentChanged() throws {
        var sample = Self.small
        sample.compression = .none
        var bytes = try sample.bytes()
        let chunk = try #require(try MCAPReader(bytes: bytes).chunkIndexes.first)
        let last = Int(chunk.chunkStartOffset + chunk.chunkLength) - 3  // inside the last message's JSON
        bytes[last] ^= 0x01
        #expect(throws: MCAPError.self) { try MCAPReader(bytes: bytes).all() }
    }

    @Test("a summary whose CRC does not match is used anyway with ignoreCRC, and the mismatch listed")
    func summaryCRCMismatch() throws {
        var bytes = try Self.small.bytes()
        patch(&bytes, at: bytes.count - 8 - 4, UInt32(1))
        let lenient = try MCAPReader(bytes: bytes, options: .init(ignoreCRC: true))
        #expect(lenient.hasSummary)
        #expect(lenient.problems.map(\.description) == ["CRC mismatch in the summary section: the file says 0x00000001, the bytes give \(hexOf(try Self.small.bytes()))"])
        #expect(try lenient.all().count == Self.small.count)
    }

    private func hexOf(_ good: [UInt8]) -> String {
        let crc = UInt32(good[good.count - 12]) | UInt32(good[good.count - 11]) << 8 | UInt32(good[good.count - 10]) << 16 | UInt32(good[good.count - 9]) << 24
        let digits = String(crc, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }

    @Test("a changed byte in the data section fails the Data End CRC")
    func dataSectionCRC() throws {
        var bytes = try Self.small.bytes()
        bytes[26] ^= 0x20  // inside the Header's library name, which nothing else checks
        let reader = try MCAPReader(bytes: bytes)
        guard case .mismatched = try reader.verifyDataSectionCRC() else {
            Issue.record("the data section CRC was not checked")
            return
        }
        #expect(reader.problems.map(\.description).contains { $0.hasPrefix("CRC mismatch in the data section") })
    }

    @Test("a record claiming 2^63 bytes is an error or a cut, never a trap or an allocation")
    func hostileRecordLength() throws {
        var header = mcapMagic + [Opcode.header.rawValue]
        header += withUnsafeBytes(of: (UInt64(1) << 63).littleEndian, Array.init)
        #expect(throws: MCAPError.self) { try MCAPReader(bytes: header) }

        let good = try Self.small.bytes()
        var file = Array(good.prefix(8 + 9 + Int(good[9])))  // magic and Header
        file += [Opcode.message.rawValue] + withUnsafeBytes(of: UInt64.max.littleEndian, Array.init) + [UInt8](repeating: 7, count: 64)
        let reader = try MCAPReader(bytes: file)
        #expect(try reader.all().isEmpty)
        #expect(reader.problems == [.noSummary(reason: "the file has no Footer", cutAt: file.count - 64 - 9)])
    }

    @Test("a chunk declaring a huge uncompressed size is skipped and reported; the others are read")
    func hugeDeclaredChunk() throws {
        var bytes = try Self.small.bytes()
        let chunks = try MCAPReader(bytes: bytes).chunkIndexes
        patch(&bytes, at: Int(chunks[0].chunkStartOffset) + 9 + 16, UInt64(1) << 62)
        let reader = try MCAPReader(bytes: bytes, options: .init(verifyCRCs: false))
        let messages = try reader.all()
        let inFirst = (0..<Self.small.count).filter { Sample.time($0) <= chunks[0].messageEndTime }.count
        #expect(inFirst > 0 && messages.count == Self.small.count - inFirst)
        #expect(messages.first.map { $0.logTime > chunks[0].messageEndTime } == true)
        #expect(reader.problems.map(\.description).contains { $0.contains("declares 4611686018427387904 uncompressed bytes, more than the limit") })
    }

    @Test("a zstd chunk that holds more than it declares is skipped, not overrun")
    func zstdOverrun() throws {
        var bytes = try Self.small.bytes()
        let chunk = try #require(try MCAPReader(bytes: bytes).chunkIndexes.first)
        patch(&bytes, at: Int(chunk.chunkStartOffset) + 9 + 16, chunk.uncompressedSize / 2)
        let reader = try MCAPReader(bytes: bytes, options: .init(verifyCRCs: false))
        #expect(try reader.all().count < Self.small.count)
        #expect(reader.problems.contains { if case .skipped = $0 { true } else { false } })
    }

    @Test("a chunk index pointing outside the data section: the summary is set aside and the file scanned")
    func chunkIndexOutside() throws {
        var bytes = try Self.small.bytes()
        let group = try #require(try MCAPReader(bytes: bytes).summaryOffsets.first { $0.groupOpcode == Opcode.chunkIndex.rawValue })
        patch(&bytes, at: Int(group.groupStart) + 9 + 16, UInt64(1) << 63)
        let reader = try MCAPReader(bytes: bytes, options: .init(verifyCRCs: false))
        #expect(!reader.hasSummary && reader.chunkIndexes.isEmpty)
        #expect(reader.problems.first?.description.hasPrefix("the summary at byte") == true)
        #expect(reader.problems.first?.description.contains("a Chunk Index points at bytes 9223372036854775808+") == true)
        #expect(try reader.all().count == Self.small.count)
        #expect(try reader.metadata().count == 1)
    }

    @Test("messages outside chunks are read, through the summary or by scanning")
    func messagesOutsideChunks() throws {
        // A file as a minimal writer makes it: Channel and Messages bare in the data section, no chunk.
        var w = ByteWriter()
        w.bytes = mcapMagic
        w.record(.header) { w in w.string(""); w.string("hand") }
        Channel(id: 4, schemaID: 0, topic: "/events", messageEncoding: "json", metadata: [:]).write(to: &w)
        for k in 0..<5 {
            w.record(.message) { w in w.u16(4); w.u32(UInt32(k)); w.u64(UInt64(100 - k)); w.u64(0); w.bytes += Array("{}".utf8) }
        }
        let cut = try MCAPReader(bytes: w.bytes)
        #expect(try cut.all().map(\.logTime) == [96, 97, 98, 99, 100])
        #expect(try cut.all(order: .file).map(\.sequence) == [0, 1, 2, 3, 4])
        #expect(cut.channels[4]?.topic == "/events")
    }

    @Test("not an MCAP file: a clear error")
    func notMCAP() {
        #expect(throws: MCAPError("not an MCAP file: it does not start with the MCAP magic.")) { try MCAPReader(bytes: Array("{\"type\":\"hello\"}\n".utf8)) }
        #expect(throws: MCAPError.self) { try MCAPReader(bytes: []) }
    }

    @Test("thousands of random byte changes: every read ends in messages, problems or an error, never a trap")
    func randomDamage() throws {
        let original = try Sample(channels: 3, count: 80, chunkSize: 300).bytes()
        var generator = SplitMix(seed: 13)
        for _ in 0..<3_000 {
            var bytes = original
            for _ in 0..<Int(generator.next() % 4 + 1) {
                bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
            }
            if generator.next() % 4 == 0 { bytes.removeLast(Int(generator.next() % UInt64(bytes.count))) }
            guard let reader = try? MCAPReader(bytes: bytes, options: .init(ignoreCRC: true)) else { continue }
            _ = try? reader.all()
            _ = try? reader.all(order: .file, from: Sample.time(40))
            _ = try? reader.metadata()
            _ = try? reader.verifyDataSectionCRC()
        }
    }
}

/// A small seeded generator, so that a failure is repeatable.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
