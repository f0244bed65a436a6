import Foundation
@testable import Interop
import MCAP
import Telemetry
import TelemetrySources
import Testing

/// Everything a RecordingReader decodes from `path`, blank lines aside.
func outcomes(_ path: String, options: InteropOptions = InteropOptions()) throws -> (outcomes: [DecodeOutcome], reader: RecordingReader) {
    InteropOptions.current = options
    defer { InteropOptions.current = InteropOptions() }
    let reader = try RecordingReader(path: path)
    var all: [DecodeOutcome] = []
    reader.decodeAll { all.append($0); return true }
    return (all, reader)
}

func frames(_ outcomes: [DecodeOutcome]) -> [Frame] {
    outcomes.compactMap { if case .frame(let frame) = $0 { frame } else { nil } }
}

/// The NDJSON a foreign recording produces, whole.
func text(of recording: ForeignRecording) -> [UInt8] {
    var all: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = buffer.withUnsafeMutableBytes { recording.read(into: $0) }
        if n == 0 { return all }
        all += buffer[0..<n]
    }
}

func openMCAP(_ path: String, ignoreCRC: Bool = false) throws -> SurgtopMCAPRecording {
    let recording = try ForeignRecordings.open(path: path, format: .mcap, options: InteropOptions(ignoreCRC: ignoreCRC))
    return try #require(recording as? SurgtopMCAPRecording)
}

let session = #"{"t":0,"type":"session","v":1,"id":"MC-1","started_at":"2026-11-24T08:00:00Z","arms":[{"id":"PSM1","kind":"PSM","joints":[{"name":"yaw","unit":"rad","min":-1.5,"max":1.5},{"name":"pitch","unit":"rad"}]}]}"#

func armLine(_ t: Double, seq: Int, _ x: Double) -> String {
    #"{"t":\#(t),"type":"arm","seq":\#(seq),"arm":"PSM1","state":"ENABLED","homed":true,"following":true,"position":[\#(x),0.25],"velocity":[0,0.5],"effort":[1.5,-2],"tip":[0.01,0.02,\#(x)],"orientation":[0,0,0,1],"twist":[0,0,0,0,0,0.125],"jaw":\#(x / 2)}"#
}

@Suite("Reading surgtop's MCAP back as NDJSON", .serialized)
struct SurgtopMCAPReadingTests {
    @Test("an arm frame's parts (state, joints, jaw, tip, twist) become one arm line again, without the joint names")
    func mergesArmParts() throws {
        let dir = TestFiles.directory()
        let path = dir.appendingPathComponent("one.mcap").path
        try SurgtopMCAPFixture.write(lines: [session, armLine(0.5, seq: 2, 0.125)], to: path)
        let messages = SurgtopMCAPFixture.messages([session, armLine(0.5, seq: 2, 0.125)])
        #expect(messages.count == 6)  // the session, then five parts
        let lines = String(decoding: text(of: try openMCAP(path)), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[1] == #"{"t":0.5,"type":"arm","seq":2,"arm":"PSM1","state":"ENABLED","homed":true,"following":true,"position":[0.125,0.25],"velocity":[0,0.5],"effort":[1.5,-2],"jaw":0.0625,"tip":[0.01,0.02,0.125],"orientation":[0,0,0,1],"twist":[0,0,0,0,0,0.125]}"#)
        let original = try outcomes(write([session, armLine(0.5, seq: 2, 0.125)], in: dir))
        #expect(frames(try outcomes(path).outcomes) == frames(original.outcomes))
    }

    @Test("a simulated session reads back as the same frames, in the same order, with the same line numbers")
    func simulatedRoundTrip() throws {
        let dir = TestFiles.directory()
        let lines = try TestFiles.simulated(in: dir)
        let path = dir.appendingPathComponent("sim.mcap").path
        try SurgtopMCAPFixture.write(lines: lines, to: path)
        let mcap = try outcomes(path)
        let ndjson = try outcomes(dir.appendingPathComponent("sim.ndjson").path)
        #expect(mcap.outcomes.count == lines.count)
        #expect(mcap.outcomes == ndjson.outcomes)
        #expect(mcap.reader.problem == nil)
        #expect(mcap.reader.notes.isEmpty)
    }

    @Test("frames whose t goes back stay where they are, and count as out of order")
    func outOfOrderKept() throws {
        let dir = TestFiles.directory()
        let lines = [session, armLine(1, seq: 2, 0.1), #"{"t":3,"type":"event","seq":3,"kind":"note","text":"late"}"#,
                     armLine(2, seq: 4, 0.2), #"{"t":0.5,"type":"link","seq":5,"rtt_ms":80}"#, armLine(2.5, seq: 6, 0.3)]
        let path = dir.appendingPathComponent("order.mcap").path
        try SurgtopMCAPFixture.write(lines: lines, to: path)
        let read = frames(try outcomes(path).outcomes)
        #expect(read.map(\.t) == [0, 1, 3, 2, 0.5, 2.5])
        #expect(read == frames(try outcomes(write(lines, in: dir)).outcomes))
    }

    @Test("a frame whose parts straddle two chunks is still one line, and a seek lands on it whole")
    func partsAcrossChunks() throws {
        let dir = TestFiles.directory()
        let lines = [session] + (1...300).map { armLine(Double($0) / 10, seq: $0 + 1, Double($0) / 1000) }
        let path = dir.appendingPathComponent("straddle.mcap").path
        try SurgtopMCAPFixture.write(lines: lines, to: path, chunkSize: 1000)
        // The writer closes a chunk by size, so some chunk starts inside a frame: its first message has
        // the sequence of the chunk before's last one.
        let reader = try MCAPReader(path: path)
        var straddles = 0
        var last: UInt32?
        for block in 0..<reader.blockCount {
            let messages = try reader.messages(inBlock: block)
            if let first = messages.first, first.sequence == last { straddles += 1 }
            last = messages.last?.sequence
        }
        #expect(straddles > 10)
        #expect(try outcomes(path).outcomes == outcomes(write(lines, in: dir)).outcomes)

        // Seeking to each line, through chunks that start inside a frame, gives what a read from the start gave.
        let whole = text(of: try openMCAP(path))
        let starts = [0] + whole.indices.filter { whole[$0] == 0x0A }.map { $0 + 1 }.dropLast()
        for start in stride(from: starts.count - 1, to: 0, by: -37).map({ starts[$0] }) {
            let again = try openMCAP(path)
            #expect(again.seek(to: start))
            #expect(text(of: again) == Array(whole[start...]))
        }
    }

    @Test("a seek back jumps to the chunk holding the offset through the chunk index, decompressing from there only")
    func seekThroughChunkIndex() throws {
        let dir = TestFiles.directory()
        let lines = try TestFiles.simulated(seconds: 30, in: dir)
        let path = dir.appendingPathComponent("seek.mcap").path
        try SurgtopMCAPFixture.write(lines: lines, to: path, chunkSize: 16 * 1024)
        let first = try openMCAP(path)
        let whole = text(of: first)
        let chunks = first.chunksDecompressed
        #expect(chunks > 20)
        // A line near the end, then one in the middle: a new reader (the replay opens one per restart).
        for fraction in [0.95, 0.5] {
            var start = Int(Double(whole.count) * fraction)
            while whole[start - 1] != 0x0A { start += 1 }
            let again = try openMCAP(path)
            #expect(again.seek(to: start))
            let rest = text(of: again)
            #expect(rest == Array(whole[start...]))
            // From the chunk holding it to the end, not from the start (one more where a frame straddles).
            let expected = Double(chunks) * (1 - fraction)
            #expect(Double(again.chunksDecompressed) <= expected + 2, "decompressed \(again.chunksDecompressed) of \(chunks)")
        }
        // Back within one reader: the same bytes again.
        let one = try openMCAP(path)
        _ = text(of: one)
        #expect(one.seek(to: 0))
        #expect(text(of: one) == whole)
    }

    @Test("a replay's checkpoints (positions a read handed out) resume a new reader exactly where they were, as for NDJSON")
    func resumeAtCheckpoints() throws {
        let dir = TestFiles.directory()
        let lines = try TestFiles.simulated(in: dir)
        let path = dir.appendingPathComponent("resume.mcap").path
        try SurgtopMCAPFixture.write(lines: lines, to: path, chunkSize: 8 * 1024)
        let reader = try RecordingReader(path: path)
        var all: [DecodeOutcome] = []
        var checkpoints: [(index: Int, position: RecordingPosition)] = []
        reader.decodeAll(from: nil) { outcome, position in
            all.append(outcome)
            if all.count % 97 == 0 { checkpoints.append((all.count, position())) }
            return true
        }
        #expect(checkpoints.count > 15)
        for (index, position) in checkpoints.reversed() {
            let again = try RecordingReader(path: path)
            var rest: [DecodeOutcome] = []
            again.decodeAll(from: position) { outcome, _ in rest.append(outcome); return true }
            #expect(again.problem == nil)
            #expect(rest == Array(all[index...]), "from line \(index)")
        }
    }

    @Test("the last frame's t, for the replay timeline, is read from the last chunk and matches the NDJSON's")
    func lastTimestamp() throws {
        let dir = TestFiles.directory()
        let lines = try TestFiles.simulated(in: dir)
        let path = dir.appendingPathComponent("end.mcap").path
        try SurgtopMCAPFixture.write(lines: lines, to: path)
        let expected = try #require(RecordingReader.lastTimestamp(path: dir.appendingPathComponent("sim.ndjson").path))
        #expect(RecordingReader.lastTimestamp(path: path) == expected)
        #expect(RecordingLength.measure(path: path) == expected)
    }

    /// Writes NDJSON lines to a file beside the MCAP one, to compare with.
    func write(_ lines: [String], in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("same.ndjson").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
