import Foundation
import SessionCore
import Synchronization
import Telemetry
import Testing
@testable import TelemetrySources

/// A file in memory: what was written, the flushes, and a disk that fails or is slow on demand.
final class MemoryOutput: RecordingOutput, @unchecked Sendable {
    let path: String
    private let lock = Mutex(Contents())
    private let failure: String?
    private let delay: Double

    struct Contents {
        var written: [UInt8] = []
        var flushes = 0
        var closed = false
    }

    init(path: String, failure: String? = nil, delay: Double = 0) {
        self.path = path
        self.failure = failure
        self.delay = delay
    }

    var contents: Contents { lock.withLock { $0 } }
    var text: String { String(decoding: contents.written, as: UTF8.self) }
    var lines: [String] { text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }

    func write(_ bytes: [UInt8]) throws(SourceError) {
        if let failure { throw SourceError("writing '\(path)' failed: \(failure)") }
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        lock.withLock { $0.written += bytes }
    }

    func flush() throws(SourceError) { lock.withLock { $0.flushes += 1 } }
    var bytesOnDisk: Int? { lock.withLock { $0.written.count } }
    func close() throws(SourceError) { lock.withLock { $0.closed = true } }
}

/// The files a recorder opened, by path.
final class MemoryDisk: Sendable {
    let files = Mutex<[(String, MemoryOutput)]>([])
    let failure: String?
    let delay: Double

    init(failure: String? = nil, delay: Double = 0) {
        self.failure = failure
        self.delay = delay
    }

    var opener: RecorderCore.Opener {
        { [self] path throws(SourceError) in
            let file = MemoryOutput(path: path, failure: failure, delay: delay)
            files.withLock { $0.append((path, file)) }
            return file
        }
    }

    func file(_ path: String) -> MemoryOutput? { files.withLock { $0.first { $0.0 == path }?.1 } }
    var paths: [String] { files.withLock { $0.map(\.0) } }
}

enum RecorderLines {
    static func session(_ id: String, t: Double = 0) -> String {
        #"{"t":\#(t),"type":"session","v":1,"id":"\#(id)","arms":[]}"#
    }

    static func link(_ t: Double) -> String {
        #"{"t":\#(t),"type":"link","path":"primary","rtt_ms":80,"up":true}"#
    }

    static func bytes(_ lines: [String]) -> [UInt8] { Array((lines.joined(separator: "\n") + "\n").utf8) }
}

@Suite("Recorder (--record)")
struct WireRecorderTests {
    typealias L = RecorderLines

    @Test("every line is written exactly as received, bad ones too, whatever the chunking")
    func exactBytes() throws {
        let disk = MemoryDisk()
        var core = try RecorderCore(path: "/r/case.ndjson", now: 0, open: disk.opener, exists: { _ in false })
        let received = L.bytes([L.session("A"), L.link(0.5) + "\r", "not json at all", "", L.link(1)])
        core.handle(.connected(peer: "gw"), now: 0)
        // Split anywhere: lines straddle chunks.
        for piece in [received[0..<7], received[7..<60], received[60...]] { core.handle(.bytes(Array(piece)), now: 0) }
        core.finish()
        #expect(disk.file("/r/case.ndjson")?.contents.written == received)
        #expect(disk.file("/r/case.ndjson")?.contents.closed == true)
    }

    @Test("flushes once a second has passed since the last flush, never on every write")
    func flushCadence() throws {
        let disk = MemoryDisk()
        var core = try RecorderCore(path: "/r/case.ndjson", now: 100, open: disk.opener, exists: { _ in false })
        let file = try #require(disk.file("/r/case.ndjson"))
        core.handle(.bytes(L.bytes([L.session("A"), L.link(0.1)])), now: 100.2)
        core.tick(now: 100.2)
        core.tick(now: 100.9)
        #expect(file.contents.flushes == 0)
        #expect(file.contents.written.isEmpty, "held until the flush (or 64 KiB)")
        core.tick(now: 101.0)
        #expect(file.contents.flushes == 1)
        #expect(file.lines == [L.session("A"), L.link(0.1)])
        core.handle(.bytes(L.bytes([L.link(0.2)])), now: 101.5)
        core.tick(now: 101.9)
        #expect(file.contents.flushes == 1)
        core.tick(now: 102.05)
        #expect(file.contents.flushes == 2)
        #expect(file.lines.last == L.link(0.2))
        #expect(core.status.bytesOnDisk == file.contents.written.count)
    }

    @Test("a gzip recording cut after a flush (kill -9) decodes every line up to that flush")
    func gzipFullFlushSurvivesTruncation() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("surgtop-rec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("case.ndjson.gz").path
        var core = try RecorderCore(path: path, now: 0)
        var lines = [L.session("A")]
        for k in 1...2000 { lines.append(L.link(Double(k) / 100)) }
        core.handle(.bytes(L.bytes(lines)), now: 0.5)
        core.tick(now: 1.0)  // the full flush
        // More after the flush, still in zlib's buffer when the process is killed.
        core.handle(.bytes(L.bytes([L.link(99), L.link(100)])), now: 1.2)
        core.tick(now: 1.3)
        // What a kill -9 leaves is what is on disk now: read a copy, never finished.
        let copy = dir.appendingPathComponent("copy.ndjson.gz").path
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let reader = try RecordingReader(path: copy)
        var frames = 0, errors = 0
        reader.decodeAll { outcome in
            if case .frame = outcome { frames += 1 } else { errors += 1 }
            return true
        }
        #expect(frames == lines.count)
        #expect(errors == 0)
        #expect(reader.problem?.contains("truncated") == true)
        core.finish()
    }

    @Test("a session frame with a different id starts a new file next to FILE; the same id goes on")
    func newSessionNewFile() throws {
        let disk = MemoryDisk()
        var core = try RecorderCore(path: "/r/case.ndjson.gz", now: 0, open: disk.opener, exists: { _ in false })
        core.handle(.connected(peer: "gw"), now: 0)
        core.handle(.bytes(L.bytes([L.session("OR3-01"), L.link(1), L.session("OR3-01", t: 1.5), L.link(2)])), now: 0)
        core.handle(.bytes(L.bytes([L.session("../../etc/OR 4", t: 0), L.link(0.1)])), now: 0)
        core.finish()
        #expect(disk.paths == ["/r/case.ndjson.gz", "/r/case.etc_OR_4.ndjson.gz"])
        let first = try #require(disk.file("/r/case.ndjson.gz"))
        let second = try #require(disk.file("/r/case.etc_OR_4.ndjson.gz"))
        #expect(first.lines == [L.session("OR3-01"), L.link(1), L.session("OR3-01", t: 1.5), L.link(2)])
        #expect(first.contents.closed, "the old session's file is finished before the new one starts")
        #expect(second.lines == [L.session("../../etc/OR 4", t: 0), L.link(0.1)])
        #expect(core.status.files == 2)
        #expect(core.status.path == "/r/case.etc_OR_4.ndjson.gz")
        #expect(core.takeMessages() == ["a new session (../../etc/OR 4) began: recording it to '/r/case.etc_OR_4.ndjson.gz'"])
    }

    @Test("session ids become safe file names: no '/', no '..', no controls, bounded, never empty or reused")
    func fileNames() {
        #expect(RecordingFileName.sanitisedId("OR3-20261124-01") == "OR3-20261124-01")
        #expect(RecordingFileName.sanitisedId("../../etc/passwd") == "etc_passwd")
        #expect(RecordingFileName.sanitisedId("a\u{1B}[2Jb\u{202E}c") == "a_2Jb_c")
        #expect(RecordingFileName.sanitisedId("..") == "session")
        #expect(RecordingFileName.sanitisedId("") == "session")
        #expect(RecordingFileName.sanitisedId(String(repeating: "x", count: 5000)).count == RecordingFileName.maxIdLength)
        #expect(RecordingFileName.path(forSession: "B", nextTo: "/d/case.ndjson", exists: { _ in false }) == "/d/case.B.ndjson")
        #expect(RecordingFileName.path(forSession: "B", nextTo: "run.log", exists: { _ in false }) == "run.log.B.ndjson")
        let taken: Set = ["/d/case.B.ndjson.gz", "/d/case.B-2.ndjson.gz"]
        #expect(RecordingFileName.path(forSession: "B", nextTo: "/d/case.ndjson.gz", exists: { taken.contains($0) })
                == "/d/case.B-3.ndjson.gz")
    }

    @Test("drops and reconnects are connection events at the session time; a line the drop cut is ended")
    func connectionEvents() throws {
        let disk = MemoryDisk()
        var core = try RecorderCore(path: "/r/c.ndjson", now: 0, open: disk.opener, exists: { _ in false })
        core.handle(.connected(peer: "10.0.0.5:7000"), now: 0)
        core.handle(.bytes(Array((L.bytes([L.session("A"), L.link(2.5)]) + Array(#"{"t":2.6,"ty"#.utf8)))), now: 0)
        core.handle(.lost(reason: "connection reset by peer"), now: 0)
        core.handle(.connected(peer: "10.0.0.5:7000"), now: 0)
        core.handle(.bytes(L.bytes([L.session("A", t: 7), L.link(7.1)])), now: 0)
        core.finish()
        let lines = try #require(disk.file("/r/c.ndjson")).lines
        #expect(lines == [
            L.session("A"), L.link(2.5), #"{"t":2.6,"ty"#,
            #"{"t":2.5,"type":"event","kind":"connection","text":"connection lost: connection reset by peer"}"#,
            L.session("A", t: 7),
            #"{"t":7,"type":"event","kind":"connection","text":"reconnected to 10.0.0.5:7000"}"#,
            L.link(7.1),
        ])
    }

    @Test("a write error (a full disk) stops the recording with the reason; later input is ignored")
    func writeErrorReported() throws {
        let disk = MemoryDisk(failure: "No space left on device")
        var core = try RecorderCore(path: "/r/c.ndjson", now: 0, open: disk.opener, exists: { _ in false })
        core.handle(.bytes(L.bytes([L.session("A"), L.link(1)])), now: 0)
        #expect(core.status.failure == nil, "nothing written yet")
        core.tick(now: 1)
        #expect(core.status.failure == "writing '/r/c.ndjson' failed: No space left on device")
        #expect(core.takeMessages() == ["recording stopped: writing '/r/c.ndjson' failed: No space left on device; monitoring goes on"])
        core.handle(.bytes(L.bytes([L.link(2)])), now: 2)
        core.tick(now: 3)
        core.finish()
        #expect(core.takeMessages().isEmpty)
    }

    @Test("writing to /dev/full: the recorder reports 'No space left on device' and keeps taking input")
    func devFull() throws {
        let recorder = try WireRecorder(path: "/dev/full")
        let events = Mutex<[SourceEvent]>([])
        recorder.start { event in events.withLock { $0.append(event) } }
        tapBytes(recorder.tap, L.bytes([L.session("A")] + (0..<2000).map { L.link(Double($0)) }))
        let deadline = Date().addingTimeInterval(5)
        while recorder.status.failure == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(recorder.status.failure == "writing '/dev/full' failed: No space left on device")
        tapBytes(recorder.tap, L.bytes([L.link(3000)]))
        recorder.finish()
        let logs = events.withLock { $0 }.compactMap { event -> String? in
            if case .log(let line) = event { return line }
            return nil
        }
        #expect(logs.contains("recording stopped: writing '/dev/full' failed: No space left on device; monitoring goes on"))
        #expect(events.withLock { $0 }.contains { event in
            if case .recording(let status) = event { return status.failure != nil }
            return false
        })
    }

    @Test("a slow disk never holds the source back: what does not fit is dropped and counted, line by line")
    func slowDiskDoesNotBlock() throws {
        let disk = MemoryDisk(delay: 0.05)
        let recorder = try WireRecorder(path: "/r/slow.ndjson", recordsFrames: false, capacity: 16 << 10,
                                        clock: { ProcessInfo.processInfo.systemUptime }, open: disk.opener,
                                        exists: { _ in false })
        recorder.start { _ in }
        var lines = [L.session("A")]
        for k in 1...20_000 { lines.append(L.link(Double(k) / 1000)) }
        let stream = L.bytes(lines)
        let started = Date()
        var offset = 0, n = 0
        while offset < stream.count {
            // Chunks of odd sizes, as TCP delivers them: lines straddle chunks.
            let size = min(stream.count - offset, 977 + (n % 7) * 301)
            tapBytes(recorder.tap, Array(stream[offset..<offset + size]))
            offset += size
            n += 1
        }
        let producing = Date().timeIntervalSince(started)
        #expect(producing < 0.5, "the source's thread was held \(producing) s by the disk")
        #expect(recorder.status.behind || recorder.status.lostLines > 0 || disk.file("/r/slow.ndjson")!.contents.written.count < stream.count)
        recorder.finish(timeout: 30)
        let status = recorder.status
        #expect(status.lostLines > 0)
        let written = try #require(disk.file("/r/slow.ndjson")).lines
        let kept = written.filter { !$0.contains(#""kind":"recording""#) }
        let notes = written.filter { $0.contains(#""kind":"recording""#) }
        #expect(!notes.isEmpty, "the file says where lines are missing")
        // Every line received is either in the file, whole, or counted as lost.
        #expect(kept.count + status.lostLines == lines.count)
        #expect(Set(kept).isSubset(of: Set(lines)))
        #expect(status.lostBytes > 0)
    }
}

/// Hands a tap bytes from an array.
private func tapBytes(_ tap: WireTap, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { tap($0) }
}
