import Foundation
import Synchronization
import Telemetry
import Testing
@testable import TelemetrySources

/// Replaying recordings: plain and gzip files, their length for the timeline, pacing and seeks.
@Suite("File replay", .serialized)
struct FileSourceTests {
    /// A recording of `seconds` of one arm at 10 Hz, as text lines.
    static func recording(seconds: Int) -> String {
        let encoder = FrameEncoder()
        var lines = [TCPTest.session("REC", arms: ["PSM1"])]
        for k in 0...(seconds * 10) {
            let t = Double(k) / 10
            lines.append(encoder.encode(Frame(t: t, body: .arm(ArmSample(arm: "PSM1", position: [t])))))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func write(_ text: String, name: String, gzip: Bool = false) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("surgtop-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let plain = dir.appendingPathComponent(name).path
        try text.write(toFile: plain, atomically: true, encoding: .utf8)
        guard gzip else { return plain }
        #expect(system("gzip -f '\(plain)'") == 0, "gzip is needed to make a compressed recording")
        return plain + ".gz"
    }

    /// Collects a source's events.
    final class Collector: Sendable {
        let events = Mutex<[SourceEvent]>([])
        var sink: @Sendable (SourceEvent) -> Void { { [self] e in events.withLock { $0.append(e) } } }
        var times: [Double] {
            events.withLock { $0.compactMap { if case .decoded(.frame(let f)) = $0 { f.t } else { nil } } }
        }
        var resets: Int { events.withLock { $0.filter { if case .reset = $0 { true } else { false } }.count } }
        var ended: Bool { events.withLock { $0.contains { if case .state(.ended) = $0 { true } else { false } } } }
    }

    @Test("a plain recording's length is read from its tail at once")
    func plainLength() throws {
        let path = try Self.write(Self.recording(seconds: 30), name: "a.ndjson")
        #expect(RecordingReader.lastTimestamp(path: path) == 30)
        #expect(RecordingLength(path: path).seconds == 30)
    }

    @Test("a recording written with spaces around its colons (`\"t\": 20`) still has its length")
    func spacedLength() throws {
        // The last line is an arm frame, which decodes only after its session frame: its `t` is read by hand.
        let text = #"{"type": "session", "t": 0, "v": 1, "id": "S", "arms": [{"id": "PSM1", "kind": "PSM", "joints": []}]}"# + "\n"
            + #"{"type": "arm", "t" : 20, "arm": "PSM1", "position": []}"# + "\n"
        let path = try Self.write(text, name: "spaced.ndjson")
        #expect(RecordingReader.lastTimestamp(path: path) == 20)
    }

    @Test("a gzip recording's length is found in the background, by reading it to the end")
    func gzipLength() async throws {
        let path = try Self.write(Self.recording(seconds: 600), name: "b.ndjson", gzip: true)
        #expect(RecordingReader.lastTimestamp(path: path) == nil, "no tail to read without decompressing")
        let length = RecordingLength(path: path)
        try await TCPTest.eventually("the gzip length") { length.seconds != nil }
        #expect(length.seconds == 600)
        #expect(RecordingLength(path: "-").seconds == nil, "standard input has no length")
    }

    @Test("as fast as possible, every frame arrives in order and the source says it ended")
    func fastReplay() async throws {
        let source = FileSource(path: try Self.write(Self.recording(seconds: 20), name: "c.ndjson", gzip: true), paced: false)
        let collector = Collector()
        source.start(sink: collector.sink)
        try await TCPTest.eventually("the end of the recording") { collector.ended }
        let times = collector.times
        #expect(times.count == 202 && times.first == 0 && times.last == 20)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test("at the end of a recording a seek ahead is answered and a seek back still replays")
    func seeksAfterTheEnd() async throws {
        let path = try Self.write(Self.recording(seconds: 5), name: "e.ndjson")
        let control = PlaybackControl(speed: 1_000)
        let source = FileSource(path: path, paced: true, control: control)
        defer { source.stop() }
        let collector = Collector()
        source.start(sink: collector.sink)
        try await TCPTest.eventually("the end") { collector.ended }
        let ahead = control.seek(to: 60)
        try await TCPTest.eventually("the seek ahead answered") {
            collector.events.withLock { $0.contains { if case .seeked(ahead) = $0 { true } else { false } } }
        }
        let back = control.seek(to: 2)
        try await TCPTest.eventually("the seek back carried out") {
            collector.events.withLock { $0.contains { if case .seeked(back) = $0 { true } else { false } } }
        }
        #expect(collector.resets == 2, "the recording is read again")
    }

    @Test("a paced replay starts at --from, and a seek back starts over from the beginning")
    func seekBack() async throws {
        let path = try Self.write(Self.recording(seconds: 60), name: "d.ndjson")
        let control = PlaybackControl(speed: 1)
        let source = FileSource(path: path, paced: true, from: 30, control: control)
        defer { source.stop() }
        let collector = Collector()
        source.start(sink: collector.sink)
        try await TCPTest.eventually("the frames up to 30 s") { collector.times.contains(30) }
        #expect(collector.resets == 1)
        #expect(!collector.times.contains(31), "after --from, frames come in session time")
        control.seek(to: 10)
        try await TCPTest.eventually("the restart") { collector.resets == 2 }
        try await TCPTest.eventually("the frames up to 10 s again") { collector.times.filter { $0 == 10 }.count == 2 }
        // After the second reset the recording is read again from its first frame.
        let replayed = collector.events.withLock { events in
            events.split { if case .reset = $0 { true } else { false } }.last!
                .compactMap { if case .decoded(.frame(let f)) = $0 { f.t } else { nil } }
        }
        #expect(replayed.first == 0)
        #expect(!replayed.contains(12), "past the seek point, frames come in session time again")
    }

    @Test("a FIFO is read once: a seek back is refused with a log line, never a reopen that waits for a writer")
    func fifoSeekBack() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("surgtop-fifo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let fifo = dir.appendingPathComponent("f.ndjson").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let text = Self.recording(seconds: 20)
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: fifo) {
                handle.write(Data(text.utf8))
                try? handle.close()
            }
        }
        writer.start()
        let control = PlaybackControl(speed: 4)
        let source = FileSource(path: fifo, paced: true, control: control)
        defer { source.stop() }
        let collector = Collector()
        source.start(sink: collector.sink)
        try await TCPTest.eventually("the frames up to 3 s") { collector.times.contains(3) }
        let back = control.seek(to: 0)
        try await TCPTest.eventually("the seek back answered") {
            collector.events.withLock { $0.contains { if case .seeked(back) = $0 { true } else { false } } }
        }
        #expect(collector.events.withLock { $0.contains { if case .log(let line) = $0 { line.contains("a pipe cannot seek back") } else { false } } })
        #expect(collector.resets == 1, "not reopened")
        #expect(!collector.events.withLock { $0.contains { if case .checkpoint = $0 { true } else { false } } }, "no checkpoints kept for nothing")
    }
}
