import Foundation
import Glibc
@testable import Interop
@testable import MCAP
import Synchronization
import Telemetry
@testable import TelemetrySources
import Testing

/// What a review of reading MCAP back found: files changed under a read, stale seek tables, notes
/// repeated on seeks, invalid JSON let through, unbounded messages, files breaking the spec.
@Suite("Reading MCAP back: files changed under a read, seek tables, notes, bounds", .serialized)
struct MCAPReadingReviewTests {
    let lines = [session] + (1...400).map { armLine(Double($0) / 10, seq: $0 + 1, Double($0) / 1000) }

    @Test("a file truncated while it is read stops the read with a sentence, never SIGBUS")
    func truncatedWhileRead() throws {
        let path = TestFiles.directory().appendingPathComponent("shrinks.mcap").path
        try SurgtopMCAPFixture.write(lines: lines, to: path, chunkSize: 2000, compression: .none)
        let recording = try openMCAP(path)
        var buffer = [UInt8](repeating: 0, count: 100)
        #expect(buffer.withUnsafeMutableBytes { recording.read(into: $0) } == 100)
        #expect(truncate(path, 0) == 0)  // `cp new.mcap session.mcap` begins so
        let rest = text(of: recording)
        #expect(rest.count < 20_000)
        let problem = try #require(recording.problem)
        #expect(problem.hasPrefix("recording '\(path)' could not be read on at byte "))
        #expect(problem.hasSuffix("it changed or is shorter than when it was opened"))
    }

    @Test("a line break inside a JSON string makes a bad line; outside strings it is white space")
    func lineBreakInString() throws {
        let path = TestFiles.directory().appendingPathComponent("breaks.mcap").path
        var messages = SurgtopMCAPFixture.messages([session])
        messages.append(FixtureMessage(topic: "/events", schema: "surgtop.event", sequence: 1, logTime: 946_684_801_000_000_000,
                                       data: Array("{\"t\":1,\"type\":\"event\",\"kind\":\"note\",\"text\":\"a\nb\"}".utf8)))
        messages.append(FixtureMessage(topic: "/events", schema: "surgtop.event", sequence: 2, logTime: 946_684_802_000_000_000,
                                       data: Array("{\"t\":2,\r\n\"type\":\"event\",\"kind\":\"note\",\"text\":\"a\\\"\\\\\"}".utf8)))
        try SurgtopMCAPFixture.write(messages, to: path)
        let (read, reader) = try outcomes(path)
        #expect(read.count == 3)
        let errors = read.compactMap { if case .error(let e) = $0 { e.line } else { nil } }
        #expect(errors == [2], "the event with a line break in its text is bad")
        #expect(frames(read).map(\.t) == [0, 2])
        #expect(reader.notes.last?.hasPrefix("1 message could not be read as telemetry (each is a bad line): channel '/events' at log time 946684801.") == true)
        // Same length as the message: the offsets after it do not move.
        let produced = text(of: try openMCAP(path)).split(separator: 0x0A, omittingEmptySubsequences: false)
        #expect(produced[1].count == messages[1].data.count)
    }

    @Test("a message longer than a line may be, and an arm frame whose merged parts are, become a placeholder one byte over the limit")
    func overLongMessages() throws {
        let path = TestFiles.directory().appendingPathComponent("long.mcap").path
        var messages = SurgtopMCAPFixture.messages([session, armLine(0.1, seq: 2, 0.1)])
        let long = String(repeating: "x", count: 70_000)
        messages.append(FixtureMessage(topic: "/events", schema: "surgtop.event", sequence: 2, logTime: 946_684_801_000_000_000,
                                       data: Array(#"{"t":1,"type":"event","kind":"note","text":"\#(long)"}"#.utf8)))
        // Two parts of one arm frame, each under the limit, together over it.
        let zeros = Array(repeating: "0", count: 20_000).joined(separator: ",")
        for (topic, field) in [("/PSM1/measured_js", "position"), ("/PSM1/measured_cp", "tip")] {
            messages.append(FixtureMessage(topic: topic, schema: "surgtop.x", sequence: 3, logTime: 946_684_802_000_000_000,
                                           data: Array(#"{"t":2,"type":"arm","seq":3,"arm":"PSM1","\#(field)":[\#(zeros)]}"#.utf8)))
        }
        messages += SurgtopMCAPFixture.messages([session, armLine(0.1, seq: 2, 0.1), armLine(3, seq: 4, 0.3)]).suffix(5).map {
            var m = $0; m.sequence = 4; return m
        }
        try SurgtopMCAPFixture.write(messages, to: path, chunkSize: 1 << 20)
        let produced = text(of: try openMCAP(path)).split(separator: 0x0A, omittingEmptySubsequences: false)
        #expect(produced.count == 6)  // session, arm, long event, long arm frame, arm, and after the last LF
        #expect(produced[2].count == FrameDecoder.maxLineBytes + 1)
        #expect(produced[3].count == FrameDecoder.maxLineBytes + 1)
        let (read, _) = try outcomes(path)
        let tooLong = read.compactMap { if case .error(let e) = $0, e.kind == .tooLong { e.line } else { nil } }
        #expect(tooLong == [3, 4])
        #expect(frames(read).map(\.t) == [0, 0.1, 3])
    }

    @Test("a file rewritten in place with the same size and modification time gets a new seek table")
    func staleTableKey() throws {
        let dir = TestFiles.directory()
        let path = dir.appendingPathComponent("rewritten.mcap").path
        try SurgtopMCAPFixture.write(lines: lines, to: path, chunkSize: 2000, compression: .none)
        _ = text(of: try openMCAP(path))
        let before = MCAPSeekTables.table(path: path)
        #expect(before.start(atOrBefore: .max) != nil, "the read noted its chunks")
        var info = stat()
        #expect(stat(path, &info) == 0)
        // Another recording of the same size (one digit changed, in a fresh file), written over it in place.
        let other = dir.appendingPathComponent("other.mcap").path
        try SurgtopMCAPFixture.write(lines: lines.map { $0.replacingOccurrences(of: "\"homed\":true", with: "\"homed\":fals") }.map {
            $0.replacingOccurrences(of: "fals,", with: "false,").replacingOccurrences(of: "\"following\":true", with: "\"following\":tru ")
        }, to: other, chunkSize: 2000, compression: .none)
        let replacement = try Data(contentsOf: URL(fileURLWithPath: other))
        #expect(replacement.count == Int(info.st_size))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.write(contentsOf: replacement)
        try handle.close()
        var times = [info.st_atim, info.st_mtim]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        var now = stat()
        #expect(stat(path, &now) == 0 && now.st_mtim.tv_nsec == info.st_mtim.tv_nsec && now.st_mtim.tv_sec == info.st_mtim.tv_sec)

        #expect(MCAPSeekTables.table(path: path) !== before)
        let whole = text(of: try openMCAP(other))
        let again = try openMCAP(path)
        let middle = whole.count / 2
        let start = (middle..<whole.count).first { whole[$0 - 1] == 0x0A }!
        #expect(again.seek(to: start))
        #expect(text(of: again) == Array(whole[start...]))
    }

    @Test("a seek table entry whose chunk CRC no longer matches is never jumped to: the table is dropped and the read is right")
    func staleEntryCRC() throws {
        let path = TestFiles.directory().appendingPathComponent("entry.mcap").path
        try SurgtopMCAPFixture.write(lines: lines, to: path, chunkSize: 2000, compression: .none)
        let whole = text(of: try openMCAP(path))
        let table = MCAPSeekTables.table(path: path)
        let known = try #require(table.start(atOrBefore: whole.count / 2))
        var wrong = known.entry
        wrong.blockCRC = (wrong.blockCRC ?? 0) &+ 1
        wrong.offset = known.entry.offset - 1  // a stale place: one byte off
        table.record(block: known.block, wrong)
        let again = try openMCAP(path)
        #expect(again.seek(to: known.entry.offset))
        #expect(text(of: again) == Array(whole[known.entry.offset...]))
        #expect(table.start(atOrBefore: known.entry.offset - 1).map { $0.entry.offset } != known.entry.offset - 1)
    }

    @Test("a file without a summary seeks back through the chunks a read noted, decompressing from there only")
    func seekWithoutSummary() throws {
        let dir = TestFiles.directory()
        let whole = dir.appendingPathComponent("whole.mcap").path
        try SurgtopMCAPFixture.write(lines: lines, to: whole, chunkSize: 2000)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: whole))
        let cut = dir.appendingPathComponent("cut.mcap").path
        try bytes.prefix(bytes.count * 9 / 10).write(to: URL(fileURLWithPath: cut))
        let first = try openMCAP(cut)
        let all = text(of: first)
        let chunks = first.chunksDecompressed
        #expect(chunks > 10)
        #expect(first.notes.first?.contains("has no summary") == true)
        let start = (all.count * 3 / 4..<all.count).first { all[$0 - 1] == 0x0A }!
        let again = try openMCAP(cut)
        #expect(again.seek(to: start))
        #expect(text(of: again) == Array(all[start...]))
        // From a chunk a read noted near it (one that starts with a whole frame), not from the start.
        #expect(again.chunksDecompressed < chunks / 3, "decompressed \(again.chunksDecompressed) of \(chunks)")
    }

    @Test("a chunk using a channel a later chunk defines: its messages are skipped and said, the later ones read; an id defined twice keeps its first definition wherever a read starts")
    func channelDefinedLater() throws {
        let path = TestFiles.directory().appendingPathComponent("later.mcap").path
        func event(_ t: Int) -> String { #"{"t":\#(t),"type":"event","kind":"note","text":"n\#(t)"}"# }
        var file = ByteWriter()
        file.bytes = mcapMagic
        file.record(.header) { w in w.string(SurgtopMCAPProfile.profile); w.string("hand-made") }
        func chunk(_ fill: (inout ByteWriter) -> Void) {
            var records = ByteWriter()
            fill(&records)
            file.record(.chunk) { w in
                w.u64(0); w.u64(UInt64.max); w.u64(UInt64(records.bytes.count)); w.u32(0); w.string("")
                w.u64(UInt64(records.bytes.count)); w.bytes += records.bytes
            }
        }
        func message(_ w: inout ByteWriter, channel: UInt16, t: Int, _ data: String) {
            w.record(.message) { w in w.u16(channel); w.u32(UInt32(t)); w.u64(UInt64(t)); w.u64(UInt64(t)); w.bytes += Array(data.utf8) }
        }
        chunk { w in
            Schema(id: 1, name: "surgtop.session", encoding: "jsonschema", data: Array("{}".utf8)).write(to: &w)
            Channel(id: 1, schemaID: 1, topic: "/session", messageEncoding: "json", metadata: [:]).write(to: &w)
            message(&w, channel: 1, t: 0, session)
            message(&w, channel: 2, t: 1, event(1))
        }
        chunk { w in
            Schema(id: 2, name: "surgtop.event", encoding: "jsonschema", data: Array("{}".utf8)).write(to: &w)
            Channel(id: 2, schemaID: 2, topic: "/events", messageEncoding: "json", metadata: [:]).write(to: &w)
            message(&w, channel: 2, t: 2, event(2))
        }
        chunk { w in
            Channel(id: 2, schemaID: 2, topic: "/elsewhere", messageEncoding: "protobuf", metadata: [:]).write(to: &w)
            message(&w, channel: 2, t: 3, event(3))
        }
        for t in 4...6 { chunk { w in message(&w, channel: 2, t: t, event(t)) } }
        file.record(.dataEnd) { w in w.u32(0) }
        file.record(.footer) { w in w.u64(0); w.u64(0); w.u32(0) }
        file.bytes += mcapMagic
        try Data(file.bytes).write(to: URL(fileURLWithPath: path))

        let (read, reader) = try outcomes(path)
        #expect(frames(read).map(\.t) == [0, 2, 3, 4, 5, 6])
        #expect(reader.notes.contains("messages on channel 2 skipped: the file defines no such channel before them"))
        let first = try openMCAP(path)
        let whole = text(of: first)
        // A read that starts at the third chunk (where channel 2 is defined again) reads what the first did.
        let third = try #require(String(decoding: whole, as: UTF8.self).range(of: event(3))).lowerBound.utf16Offset(in: String(decoding: whole, as: UTF8.self))
        let again = try openMCAP(path)
        #expect(again.seek(to: third))
        #expect(text(of: again) == Array(whole[third...]))
        #expect(again.chunksDecompressed < first.chunksDecompressed)
        // Back to the start within one reader, which by now knows channel 2: the same lines as the first time.
        #expect(first.seek(to: 0))
        #expect(text(of: first) == whole)
    }

    @Test("replay --from in a ROS 2 bag is not checked against an end only reading through tells: the console starts at once")
    func fromDoesNotReadThrough() throws {
        let bag = ROS2Fixtures.dvrk
        #expect(RecordingReader.lastTimestamp(path: bag) == nil)
        #expect(try ReplayStart.resolve("3", path: bag).get() == 3)
        #expect(RecordingLength.measure(path: bag).map { $0 > 5 } == true, "the timeline's end is still found (in the background)")
    }

    @Test("a replay stepping back again and again logs the bad-message note once, with the count of the whole file")
    func notesAcrossRestarts() async throws {
        let dir = TestFiles.directory()
        let lines = [session] + (1...300).map { armLine(Double($0) / 10, seq: $0 + 1, Double($0) / 1000) }
        // After each arm frame's last part, an event cut short: a bad message every frame.
        let messages = SurgtopMCAPFixture.messages(lines).flatMap { m in
            m.topic != "/PSM1/measured_cv" ? [m]
                : [m, FixtureMessage(topic: "/events", schema: "surgtop.event", sequence: m.sequence, logTime: m.logTime,
                                     data: Array(#"{"t":1,"type":"event","kind":"#.utf8))]
        }
        let path = dir.appendingPathComponent("bad.mcap").path
        try SurgtopMCAPFixture.write(messages, to: path, chunkSize: 4096)

        let control = PlaybackControl(speed: 1, paused: true)
        let source = FileSource(path: path, paced: true, from: 20, control: control)
        defer { source.stop() }
        let events = Mutex<[SourceEvent]>([])
        source.start { event in events.withLock { $0.append(event) } }
        func restarts() -> Int { events.withLock { $0.filter { if case .reset = $0 { true } else { false } }.count } }
        func badNotes() -> [String] {
            events.withLock { $0.compactMap { if case .log(let text) = $0, text.contains("could not be read as telemetry") { text } else { nil } } }
        }
        func eventually(_ what: String, _ condition: () -> Bool) async throws {
            for _ in 0..<200 where !condition() { try await Task.sleep(nanoseconds: 25_000_000) }
            #expect(condition(), "\(what)")
        }
        try await eventually("paused at --from") {
            events.withLock { $0.contains { if case .decoded(.frame(let f)) = $0 { f.t >= 19.9 } else { false } } }
        }
        for k in 1...6 {  // `,` pressed again and again: each reads again from the start to one frame before
            _ = control.stepFrameBack(from: nil)
            try await eventually("step back \(k)") { restarts() >= k + 1 }
        }
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(badNotes().isEmpty, "no note while reads are cut short: \(badNotes())")
        control.setSpeed(64)
        control.togglePause()
        try await eventually("the end") { !badNotes().isEmpty }
        #expect(badNotes().count == 1)
        #expect(badNotes().first?.hasPrefix("300 messages could not be read as telemetry") == true, "\(badNotes())")
    }

    @Test("a data section CRC mismatch alone (every chunk matches its own) fails check without --ignore-crc, exit 1")
    func dataSectionCRC() throws {
        let path = TestFiles.directory().appendingPathComponent("header.mcap").path
        try SurgtopMCAPFixture.write(lines: lines, to: path, chunkSize: 2000)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let at = try #require(bytes.range(of: Data("surgtop tests".utf8))).lowerBound  // the Header's library: outside every chunk
        bytes[at] = UInt8(ascii: "S")
        try bytes.write(to: URL(fileURLWithPath: path))

        let stopped = try TestFiles.surgtop(["check", path])
        #expect(stopped.status == 1, "\(stopped.stdout)")
        #expect(stopped.stdout.contains("recording '\(path)': CRC mismatch in the data section: the file says 0x"))
        #expect(stopped.stdout.contains("; --ignore-crc reads it anyway"))
        #expect(!stopped.stdout.contains("though every chunk"))
        let read = try TestFiles.surgtop(["check", path, "--ignore-crc"])
        #expect(read.status == 0, "\(read.stdout)")
        #expect(read.stdout.contains("CRC mismatch in the data section") && read.stdout.contains("(read anyway: --ignore-crc)"))
    }

    @Test("a summary whose CRC does not match is set aside: the file is scanned, every frame read, a note says so, exit 0")
    func summaryCRC() throws {
        let path = TestFiles.directory().appendingPathComponent("summary.mcap").path
        try SurgtopMCAPFixture.write(lines: lines, to: path, chunkSize: 2000)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count - 12] ^= 0xFF  // the Footer's summary CRC
        try bytes.write(to: URL(fileURLWithPath: path))

        let run = try TestFiles.surgtop(["check", path])
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.stdout.contains("\(lines.count) frames"))
        #expect(run.stdout.contains("CRC mismatch in the summary section"))
        #expect(run.stdout.contains("has no summary (its CRC does not match): read by scanning"))
    }

    @Test("check says how lines are numbered truly: by sequence for surgtop's MCAP, by frames made for a ROS 2 bag")
    func lineNumbering() throws {
        let path = TestFiles.directory().appendingPathComponent("numbered.mcap").path
        try SurgtopMCAPFixture.write(lines: lines, to: path)
        let own = try TestFiles.surgtop(["check", path])
        #expect(own.stdout.contains("line N is the file's Nth frame in file order, its messages' sequence N-1"))
        let bag = try TestFiles.surgtop(["check", ROS2Fixtures.dvrk])
        #expect(bag.stdout.contains("(read as NDJSON: line N is the Nth frame made of the file, in file order)"), "\(bag.stdout)")
        #expect(!bag.stdout.contains("sequence N-1"))
    }
}
