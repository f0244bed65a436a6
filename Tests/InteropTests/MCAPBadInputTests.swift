import Foundation
@testable import Interop
import MCAP
import Telemetry
import TelemetrySources
import Testing

@Suite("Bad MCAP input: reported, never a crash", .serialized)
struct MCAPBadInputTests {
    let lines = [session] + (1...400).map { armLine(Double($0) / 10, seq: $0 + 1, Double($0) / 1000) }

    @Test("a recording cut before its summary is read by scanning, said in a note, frames up to the cut")
    func truncated() throws {
        let dir = TestFiles.directory()
        let whole = dir.appendingPathComponent("whole.mcap").path
        try SurgtopMCAPFixture.write(lines: lines, to: whole, chunkSize: 2000)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        let cut = dir.appendingPathComponent("cut.mcap").path
        try bytes.prefix(bytes.count * 6 / 10).write(to: URL(fileURLWithPath: cut))

        let all = frames(try outcomes(whole).outcomes)
        let (read, reader) = try outcomes(cut)
        let got = frames(read)
        #expect(got.count > 100 && got.count < all.count)
        // The last frame may have lost the parts that lay past the cut; it keeps its time and sequence.
        #expect(Array(got.dropLast()) == Array(all.prefix(got.count - 1)))
        #expect(got.last?.t == all[got.count - 1].t && got.last?.seq == all[got.count - 1].seq)
        #expect(read.allSatisfy { if case .frame = $0 { true } else { false } })
        #expect(reader.problem == nil)
        let note = try #require(reader.notes.first)
        #expect(note.contains("has no summary (the file has no Footer): read by scanning; the file ends inside a record at byte"))
    }

    @Test("a chunk whose CRC does not match stops reading with a sentence naming it; --ignore-crc reads it with a note")
    func badCRC() throws {
        let dir = TestFiles.directory()
        let path = dir.appendingPathComponent("crc.mcap").path
        try SurgtopMCAPFixture.write(lines: lines, to: path, chunkSize: 2000, compression: .none)
        // Change one digit of a tip inside a chunk in the middle of the file (uncompressed: it lies as written).
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let needle = Data(#""tip":[0.01,0.02,0.2"#.utf8)
        let at = try #require(bytes.range(of: needle)).upperBound - 1
        bytes[at] = UInt8(ascii: "7")
        try bytes.write(to: URL(fileURLWithPath: path))

        let (stopped, reader) = try outcomes(path)
        let problem = try #require(reader.problem)
        #expect(problem.hasPrefix("recording '\(path)': CRC mismatch in the chunk at byte "))
        #expect(problem.hasSuffix("; reading stopped there (--ignore-crc reads it anyway)"))
        let all = frames(try outcomes(path, options: InteropOptions(ignoreCRC: true)).outcomes)
        #expect(frames(stopped).count < 201, "read \(frames(stopped).count) frames")
        // The frames before the damaged chunk (the last one without its parts inside it).
        let before = frames(stopped)
        #expect(before.count > 100 && Array(before.dropLast()) == Array(all.prefix(before.count - 1)))

        let (read, ignoring) = try outcomes(path, options: InteropOptions(ignoreCRC: true))
        #expect(ignoring.problem == nil)
        #expect(frames(read).count == lines.count)
        #expect(frames(read).contains { if case .arm(let arm) = $0.body { arm.tip?.last == 0.7 } else { false } })
        #expect(ignoring.notes.contains { $0.hasPrefix("CRC mismatch in the chunk at byte") && $0.hasSuffix("(read anyway: --ignore-crc)") })
        #expect(ignoring.notes.contains { $0.contains("CRC mismatch in the data section") && $0.hasSuffix("(read anyway: --ignore-crc)") })
    }

    @Test("channels in another encoding or with a foreign schema are listed once each and skipped")
    func foreignChannels() throws {
        let dir = TestFiles.directory()
        var messages = SurgtopMCAPFixture.messages(lines)
        for k in stride(from: messages.count - 1, to: 0, by: -7) {
            let time = messages[k].logTime
            messages.insert(FixtureMessage(topic: "/camera/image", schema: "foxglove.CompressedImage", encoding: "protobuf", schemaEncoding: "protobuf",
                                           sequence: 0, logTime: time, data: [0x0A, 0x02, 0xFF, 0x00]), at: k)
            messages.insert(FixtureMessage(topic: "/diagnostics", schema: "other.Diagnostics", sequence: 9, logTime: time,
                                           data: Array(#"{"t":1,"type":"event","kind":"note"}"#.utf8)), at: k)
        }
        let path = dir.appendingPathComponent("mixed.mcap").path
        try SurgtopMCAPFixture.write(messages, to: path)
        let clean = dir.appendingPathComponent("clean.mcap").path
        try SurgtopMCAPFixture.write(lines: lines, to: clean)

        let (read, reader) = try outcomes(path)
        #expect(read == (try outcomes(clean).outcomes))
        #expect(reader.notes.sorted() == [
            "channel '/camera/image' skipped: its message encoding is 'protobuf', not surgtop's json",
            "channel '/diagnostics' skipped: its schema 'other.Diagnostics' is not one of surgtop's",
        ])
    }

    @Test("a message that is not valid JSON is a bad line, counted with its channel and log time")
    func badJSONMessage() throws {
        let dir = TestFiles.directory()
        var messages = SurgtopMCAPFixture.messages([session, armLine(1, seq: 2, 0.1), armLine(2, seq: 3, 0.2)])
        let broken = FixtureMessage(topic: "/events", schema: "surgtop.event", sequence: 3, logTime: 946_684_801_500_000_000,
                                    data: Array("{\"t\":1.5,\"type\":\"event\",\n\"kind\":".utf8))
        messages.insert(broken, at: 6)
        messages.append(FixtureMessage(topic: "/events", schema: "surgtop.event", sequence: 4, logTime: 946_684_803_000_000_000, data: []))
        let path = dir.appendingPathComponent("bad.mcap").path
        try SurgtopMCAPFixture.write(messages, to: path)

        let (read, reader) = try outcomes(path)
        #expect(frames(read).count == 3)
        let errors = read.compactMap { if case .error(let e) = $0 { e } else { nil } }
        #expect(errors.map(\.line) == [3, 5])  // the event between the two arm frames, then the empty one
        let note = try #require(reader.notes.last)
        #expect(note.hasPrefix("2 messages could not be read as telemetry (each is a bad line): channel '/events' at log time 946684801.500000000 s: "))
        #expect(note.contains("channel '/events' at log time 946684803.000000000 s: line is a JSON null, not an object"))
    }

    @Test("a channel naming a schema the file does not define, and a message on no channel, are skipped and said")
    func unknownSchemaAndChannel() throws {
        var raw = RawMCAP()
        raw.schema(id: 1, name: "surgtop.session")
        raw.channel(id: 0, schema: 1, topic: "/session")
        raw.channel(id: 1, schema: 42, topic: "/ghost")
        raw.message(channel: 0, sequence: 0, logTime: 1, session)
        raw.message(channel: 1, sequence: 1, logTime: 2, #"{"t":1,"type":"event","kind":"note"}"#)
        raw.message(channel: 7, sequence: 2, logTime: 3, #"{"t":2,"type":"event","kind":"note"}"#)
        let path = TestFiles.directory().appendingPathComponent("ghost.mcap").path
        try Data(raw.bytes()).write(to: URL(fileURLWithPath: path))

        let (read, reader) = try outcomes(path)
        #expect(frames(read).count == 1)
        #expect(reader.notes.contains("channel '/ghost' skipped: it names schema 42, which the file does not define"))
        #expect(reader.notes.contains("messages on channel 7 skipped: the file defines no such channel before them"))
        #expect(reader.notes.contains { $0.contains("has no summary (the Footer points at none): read by scanning") })
    }

    @Test("sequences that wrap past 2³² still keep frames apart and merge each frame's parts")
    func hugeSequence() throws {
        let parts = SurgtopMCAPFixture.messages([session, armLine(1, seq: 2, 0.1), armLine(2, seq: 3, 0.2), armLine(3, seq: 4, 0.3)])
        var messages: [FixtureMessage] = []
        var ordinal: UInt32 = .max - 1
        var previous: UInt32?
        for var m in parts {
            if let previous, previous != m.sequence { ordinal &+= 1 }
            previous = m.sequence
            m.sequence = ordinal
            messages.append(m)
        }
        let dir = TestFiles.directory()
        let path = dir.appendingPathComponent("wrap.mcap").path
        try SurgtopMCAPFixture.write(messages, to: path)
        let read = frames(try outcomes(path).outcomes)
        #expect(read.count == 4)
        #expect(read.map(\.t) == [0, 1, 2, 3])
    }

    @Test("a zero-length file, a directory, a file that is not MCAP and an MCAP file of other channels each fail in one sentence")
    func unreadable() throws {
        let dir = TestFiles.directory()
        let empty = dir.appendingPathComponent("empty.mcap").path
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        let folder = dir.appendingPathComponent("x.mcap").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let text = dir.appendingPathComponent("text.mcap").path
        try session.write(toFile: text, atomically: true, encoding: .utf8)
        var raw = RawMCAP(profile: "")
        raw.schema(id: 1, name: "foxglove.Log")
        raw.channel(id: 0, schema: 1, topic: "/rosout", encoding: "protobuf")
        raw.message(channel: 0, sequence: 0, logTime: 1, "x")
        let other = dir.appendingPathComponent("other.mcap").path
        try Data(raw.bytes()).write(to: URL(fileURLWithPath: other))

        let expected = [
            (empty, "cannot read recording '\(empty)': it is empty (0 bytes), not an MCAP file"),
            (folder, "cannot open recording '\(folder)': it is a directory"),
            (text, "cannot read recording '\(text)': not an MCAP file: it does not start with the MCAP magic"),
            (other, "cannot read recording '\(other)': it holds neither surgtop's channels (schemas surgtop.…) nor ROS 2 ones (cdr): message encodings 'protobuf'; schemas 'foxglove.Log'"),
        ]
        for (path, sentence) in expected {
            #expect(throws: SourceError(sentence)) { try RecordingReader(path: path) }
        }
    }
}
