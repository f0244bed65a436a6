import Foundation
import Interop
import SessionCore
import Telemetry
import TelemetrySources
import Testing

/// The gesture events of `read` as "kind label frame", the frame the event's time is (t × 30).
private func eventList(_ read: ReadBack) -> [String] {
    read.events.map { "\($0.event.kind) \($0.event.text ?? "") \(Int(($0.t * 30).rounded()))" }
}

@Suite("JIGSAWS at the edges: the last row, the end of the file, byte order marks, odd tokens")
struct JIGSAWSEdgeTests {
    @Test("a gesture that runs to the last row ends just after it, also when the next one starts past the end")
    func gestureToTheLastRow() throws {
        let kinematics = SyntheticJIGSAWS.write(SyntheticJIGSAWS(rows: 30).text())
        let read = try ReadBack.read(kinematics, transcription: SyntheticJIGSAWS.write("1 30 G1\n31 40 G2\n", name: "T.txt"))
        #expect(eventList(read) == ["gesture G1 0", "gesture_end G1 30"])
        #expect(read.notes.contains { $0.hasSuffix("gesture G2 (frames 31–40) starts after the last frame, 30; left out") }, "\(read.notes)")
        #expect(!read.notes.contains { $0.contains("G1") }, "G1 ends at the last row, as transcribed: \(read.notes)")

        // The report's segment holds all 30 rows, its duration the transcription's 1 s.
        let recording = try JIGSAWSRecording(kinematicsPath: kinematics,
                                             transcriptionPath: SyntheticJIGSAWS.write("1 30 G1\n31 40 G2\n", name: "T.txt"))
        var builder = SessionReportBuilder()
        RecordingReader(foreign: recording, path: kinematics).decodeAll { builder.add($0); return true }
        let segments = try #require(builder.finish().skills).segments.filter { $0.kind == "gesture" }
        #expect(segments.map(\.label) == ["G1"])
        #expect(segments.first.map { abs($0.start) < 1e-9 && abs($0.end - 1) < 1e-9 } == true, "\(segments)")
    }

    @Test("a gesture that runs past the last row, the next one after it, ends there, both noted")
    func gesturePastTheLastRow() throws {
        let kinematics = SyntheticJIGSAWS.write(SyntheticJIGSAWS(rows: 30).text())
        let read = try ReadBack.read(kinematics, transcription: SyntheticJIGSAWS.write("1 35 G1\n36 40 G2\n", name: "T.txt"))
        #expect(eventList(read) == ["gesture G1 0", "gesture_end G1 30"])
        #expect(read.notes.contains { $0.hasSuffix("gesture G1 (frames 1–35) ends after the last frame, 30; it ends there") }, "\(read.notes)")
        #expect(read.notes.contains { $0.hasSuffix("gesture G2 (frames 36–40) starts after the last frame, 30; left out") }, "\(read.notes)")
    }

    @Test("a cut-off last row (no LF, too few numbers) is no frame for the last gesture to end at or start on")
    func cutOffLastRow() throws {
        let text = SyntheticJIGSAWS(rows: 30).text() + "0.01 0.02 0.0"
        let kinematics = SyntheticJIGSAWS.write(text)
        let over = try ReadBack.read(kinematics, transcription: SyntheticJIGSAWS.write("1 40 G1\n", name: "T.txt"))
        #expect(over.arms.count == 120)
        #expect(eventList(over) == ["gesture G1 0", "gesture_end G1 30"])
        #expect(over.notes.contains { $0.hasSuffix("line 31: 3 numbers, not 76; row skipped") }, "\(over.notes)")
        #expect(over.notes.contains { $0.hasSuffix("gesture G1 (frames 1–40) ends after the last frame, 30; it ends there") }, "\(over.notes)")
        // A gesture transcribed on the cut-off row alone has no data: it is left out, not made a segment.
        let on = try ReadBack.read(kinematics, transcription: SyntheticJIGSAWS.write("1 30 G1\n31 31 G2\n", name: "T.txt"))
        #expect(eventList(on) == ["gesture G1 0", "gesture_end G1 30"])
        #expect(on.notes.contains { $0.hasSuffix("gesture G2 (frames 31–31) starts after the last frame, 30; left out") }, "\(on.notes)")
    }

    @Test("a gesture starting on a bad row inside the file starts at that row's time, before the next good row")
    func gestureOnABadRow() throws {
        var lines = SyntheticJIGSAWS(rows: 10).text().split(separator: "\n").map(String.init)
        lines[4] = "1 2 3"
        lines[5] = ""
        let kinematics = SyntheticJIGSAWS.write(lines.joined(separator: "\n") + "\n")
        let read = try ReadBack.read(kinematics, transcription: SyntheticJIGSAWS.write("1 4 G1\n5 8 G2\n", name: "T.txt"))
        #expect(eventList(read) == ["gesture G1 0", "gesture G2 4", "gesture_end G2 8"])
        #expect(zip(read.frames, read.frames.dropFirst()).allSatisfy { $0.t <= $1.t })
    }

    @Test("a UTF-8 byte order mark before the first row, or the first gesture, is skipped")
    func byteOrderMark() throws {
        let bom = "\u{FEFF}"
        let synthetic = SyntheticJIGSAWS(rows: 3)
        let read = try ReadBack.read(SyntheticJIGSAWS.write(bom + synthetic.text()),
                                     transcription: SyntheticJIGSAWS.write(bom + "1 2 G1\n3 3 G2\n", name: "T.txt"))
        #expect(read.notes.isEmpty, "\(read.notes)")
        #expect(read.arms.count == 12)
        #expect(read.arms.first?.sample.tip?.array == synthetic.rows[0][0].tip)
        #expect(eventList(read) == ["gesture G1 0", "gesture G2 2", "gesture_end G2 3"])
        #expect(read.fileBytesRead == read.fileSize)
        // A mark alone is an empty file.
        do {
            _ = try JIGSAWSRecording(kinematicsPath: SyntheticJIGSAWS.write(bom + "\n"), transcriptionPath: nil)
            Issue.record("a file of a byte order mark opened")
        } catch {
            #expect("\(error)".hasSuffix("is empty: it should hold rows of 76 numbers"), "\(error)")
        }
    }

    @Test("a bad token's bytes that are not printable ASCII are shown as \\xNN, so a note never shows a look-alike")
    func oddTokens() throws {
        let good = JIGSAWSBadInputTests.good
        func note(_ token: [UInt8]) throws -> String {
            var bytes = Array(good[0..<4].joined(separator: " ").utf8) + [0x20] + token
            bytes += Array((" " + good[5..<76].joined(separator: " ") + "\n").utf8)
            bytes += Array(SyntheticJIGSAWS(rows: 1).text().utf8)
            let path = SyntheticJIGSAWS.write("")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return try #require(try ReadBack.read(path).notes.first)
        }
        let cases: [([UInt8], String)] = [
            (Array("\u{2212}0.5".utf8), "column 5, '\\xE2\\x88\\x920.5', is not a number"),  // a typographic minus
            (Array("1\u{00A0}2".utf8), "column 5, '1\\xC2\\xA02', is not a number"),  // a no-break space
            (Array("\u{FEFF}0.5".utf8), "column 5, '\\xEF\\xBB\\xBF0.5', is not a number"),  // invisible
            (Array("\u{1B}[2J1".utf8), "column 5, '\\x1B[2J1', is not a number"),
            ([0x31, 0xFF, 0x32], "column 5, '1\\xFF2', is not a number"),  // no UTF-8
            (Array("1'\\x41".utf8), "column 5, '1\\x27\\x5Cx41', is not a number"),  // a quote and a backslash
        ]
        for (token, reason) in cases {
            let shown = try note(token)
            #expect(shown.hasSuffix("line 1: \(reason); row skipped"), "\(shown)")
        }
        // Long tokens stay short in a note, escapes and all.
        let long = try note([UInt8](repeating: 0x01, count: 60))
        let token = try #require(long.split(separator: "column 5, ").last?.split(separator: ", is not").first)
        #expect(token.hasPrefix("'\\x01\\x01") && token.hasSuffix("…'") && token.count <= 90, "\(long)")
    }
}

@Suite("JIGSAWS transcriptions are bounded, and their events made a few at a time")
struct JIGSAWSBoundsTests {
    @Test("a transcription over 1 MB is refused with a clear error")
    func tooLarge() throws {
        let kinematics = SyntheticJIGSAWS.write(SyntheticJIGSAWS(rows: 2).text())
        let big = SyntheticJIGSAWS.write(String(repeating: "\n", count: (1 << 20) + 1), name: "T.txt")
        do {
            _ = try JIGSAWSRecording(kinematicsPath: kinematics, transcriptionPath: big)
            Issue.record("a 1 MB transcription opened")
        } catch {
            #expect("\(error)".contains("is larger than 1 MB: a JIGSAWS transcription is a few dozen lines"), "\(error)")
        }
        let fits = SyntheticJIGSAWS.write(String(repeating: "\n", count: 1 << 20), name: "T.txt")
        #expect(try JIGSAWSRecording(kinematicsPath: kinematics, transcriptionPath: fits).notes.contains { $0.hasSuffix("holds no gesture") })
    }

    @Test("gestures past the 10,000th are left out and noted; those before are read")
    func tooManyGestures() throws {
        let kinematics = SyntheticJIGSAWS.write(SyntheticJIGSAWS(rows: 10).text())
        let lines = (0..<10_000).map { "\(20 + $0) \(20 + $0) G2\n" }.joined() + "1 5 G9\n"
        let read = try ReadBack.read(kinematics, transcription: SyntheticJIGSAWS.write(lines, name: "T.txt"))
        #expect(eventList(read).isEmpty, "G9, on line 10,001, is left out")
        #expect(read.notes.contains { $0.hasSuffix("holds more than 10000 gestures: a JIGSAWS transcription has a few dozen; line 10001 and those after it left out") }, "\(read.notes)")
        #expect(read.notes.contains("… and 9995 more gestures out of range, not listed"), "\(read.notes)")
    }

    @Test("thousands of gestures over a long run of blank lines all come, in order, and seek like the rest")
    func eventsOverABlankRun() throws {
        let rows = SyntheticJIGSAWS(rows: 2).text().split(separator: "\n").map(String.init)
        let kinematics = SyntheticJIGSAWS.write(rows[0] + "\n" + String(repeating: "\n", count: 5_000) + rows[1] + "\n")
        // One-frame gestures with a gap after each: a start and an end each, 3,000 events in all.
        let transcription = SyntheticJIGSAWS.write((1...1_500).map { "\(2 * $0) \(2 * $0) G\($0 % 15 + 1)\n" }.joined(), name: "T.txt")
        let recording = try JIGSAWSRecording(kinematicsPath: kinematics, transcriptionPath: transcription)
        let all = ReadBack.bytes(of: recording, chunk: 500)
        let read = try ReadBack.read(kinematics, transcription: transcription)
        let events = eventList(read)
        #expect(events.count == 3_000)
        #expect(events.first == "gesture G2 1" && events.last == "gesture_end G1 3000")
        #expect(zip(read.frames, read.frames.dropFirst()).allSatisfy { $0.t <= $1.t })
        #expect(read.arms.map { Int(($0.t * 30).rounded()) } == [0, 0, 0, 0, 5001, 5001, 5001, 5001])
        #expect(read.notes.contains { $0.contains("5000 rows skipped") }, "\(read.notes)")
        // Reading again from anywhere gives the same bytes.
        let starts = [0] + all.indices.filter { all[$0] == 0x0A }.map { $0 + 1 }.dropLast()
        for offset in [starts[starts.count / 2], starts[1], starts[starts.count - 2], 0] {
            #expect(recording.seek(to: offset))
            #expect(ReadBack.bytes(of: recording, chunk: 333) == Array(all[offset...]), "from \(offset)")
        }
        #expect(recording.notes == read.notes)
    }
}

@Suite("A failed JIGSAWS seek changes nothing")
struct JIGSAWSSeekTests {
    @Test("a seek into a line or past the end fails and reading goes on where it was")
    func failedSeek() throws {
        let kinematics = SyntheticJIGSAWS.write(SyntheticJIGSAWS(rows: 1_300) { row, _, a in a.tip[1] = Double(row) * 1e-4 }.text())
        let transcription = SyntheticJIGSAWS.write("10 600 G1\n700 1250 G2\n", name: "T.txt")
        let all = ReadBack.bytes(of: try JIGSAWSRecording(kinematicsPath: kinematics, transcriptionPath: transcription))
        let recording = try JIGSAWSRecording(kinematicsPath: kinematics, transcriptionPath: transcription)
        var buffer = [UInt8](repeating: 0, count: 5_000)
        #expect(buffer.withUnsafeMutableBytes { recording.read(into: $0) } == 5_000)
        let lineStart = all.indices.first { all[$0] == 0x0A && $0 > 400_000 }! + 1
        for bad in [lineStart + 7, all.count + 1, -1, lineStart - 1] {
            #expect(!recording.seek(to: bad), "seek to \(bad)")
        }
        var position = 5_000
        #expect(ReadBack.bytes(of: recording, chunk: 100).prefix(2_000) == all[position..<(position + 2_000)])
        // From a place far on (past checkpoints) too: a failed seek back into the middle of a line keeps it.
        #expect(recording.seek(to: lineStart))
        #expect(buffer.withUnsafeMutableBytes { recording.read(into: $0) } == 5_000)
        position = lineStart + 5_000
        #expect(!recording.seek(to: 13))
        #expect(!recording.seek(to: all.count + 40))
        #expect(ReadBack.bytes(of: recording, chunk: 4_096) == Array(all[position...]))
    }
}
