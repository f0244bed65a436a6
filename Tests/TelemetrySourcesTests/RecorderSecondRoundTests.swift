import Foundation
import SessionCore
import Synchronization
import Telemetry
import Testing
@testable import TelemetrySources

/// A disk whose first write never returns (a FIFO nobody reads, a hung NFS mount) until the
/// test lets it go.
final class StuckDisk: Sendable {
    let gate = DispatchSemaphore(value: 0)
    let writing = Atomic<Bool>(false)

    final class File: RecordingOutput, @unchecked Sendable {
        let path: String
        let disk: StuckDisk
        init(path: String, disk: StuckDisk) {
            self.path = path
            self.disk = disk
        }
        func write(_ bytes: [UInt8]) throws(SourceError) {
            disk.writing.store(true, ordering: .releasing)
            disk.gate.wait()
        }
        func flush() throws(SourceError) {}
        var bytesOnDisk: Int? { 0 }
        func close() throws(SourceError) {}
    }

    var opener: RecorderCore.Opener { { [self] path throws(SourceError) in File(path: path, disk: self) } }
}

/// A source that says what it is told to, for `RecordedSource`.
final class SilentSource: TelemetrySource {
    let mode: SessionMode
    let label = "scripted"
    init(mode: SessionMode) { self.mode = mode }
    func start(sink: @escaping @Sendable (SourceEvent) -> Void) {}
    func stop() {}
}

@Suite("Recorder (--record), second round of fixes")
struct RecorderSecondRoundTests {
    typealias L = RecorderLines

    func bytes(of text: String) -> [UInt8] { Array(text.utf8) }

    func tapAll(_ recorder: WireRecorder, _ stream: [UInt8]) {
        var offset = 0
        while offset < stream.count {
            let size = min(4096, stream.count - offset)
            feed(recorder.tap, Array(stream[offset..<offset + size]))
            offset += size
        }
    }

    @Test("quitting while a write never returns gives up after the wait: no hang, every byte counted as unwritten")
    func quitWithWriteStuckForever() throws {
        let disk = StuckDisk()
        defer { for _ in 0..<8 { disk.gate.signal() } }  // let the stuck thread go once the test is over
        let recorder = try WireRecorder(path: "/r/fifo.ndjson", recordsFrames: false, capacity: 64 << 20,
                                        clock: { ProcessInfo.processInfo.systemUptime }, open: disk.opener, exists: { _ in false })
        let stream = L.bytes([L.session("A")] + (0..<20_000).map { L.link(Double($0) / 1000) })
        tapAll(recorder, stream)
        recorder.start { _ in }
        let deadline = Date().addingTimeInterval(10)
        while !disk.writing.load(ordering: .acquiring) && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        let writing = disk.writing.load(ordering: .acquiring)
        #expect(writing, "the recorder's thread is inside the write")
        let began = Date()
        let said = try #require(recorder.finish(timeout: 0.3))
        let took = Date().timeIntervalSince(began)
        #expect(took < 0.3 + WireRecorder.closeGrace + 1, "gave up in \(took) s")
        let unwritten = try #require(Int(said.split(separator: " ")[3]), "\(said)")
        #expect(said.hasPrefix("recording not finished: \(unwritten) bytes unwritten"))
        #expect(unwritten == stream.count, "nothing reached the disk: every byte is counted: \(said)")
        #expect(said.contains("a write never returned"), "\(said)")
        #expect(recorder.finish(timeout: 0.3) == nil, "said once")
    }

    @Test("a wrapped source keeps its restart rule: standard input anywhere, a TCP client after a reconnect")
    func restartRuleForwarded() throws {
        let disk = MemoryDisk()
        let recorder = try WireRecorder(path: "/r/w.ndjson", recordsFrames: false, capacity: 1 << 20,
                                        clock: { 0 }, open: disk.opener, exists: disk.exists)
        let standardInput = FileSource(path: "-", mode: .live, paced: false)
        #expect(standardInput.restartRule == .anywhere)
        #expect(recorder.wrapping(standardInput).restartRule == .anywhere)
        let client = TCPClientSource(host: "127.0.0.1", port: 9)
        #expect(client.restartRule == .afterReconnect)
        #expect(recorder.wrapping(client).restartRule == .afterReconnect)
        #expect(SilentSource(mode: .replay).restartRule == .anywhere)
    }

    /// 4000 frames up to t = 9, one stray link at t = 900, then the same id's session frame
    /// re-sent at t = 9.5 (the gateway's arms changed).
    static let strayThenResent: [String] = {
        var lines = [L.session("A")]
        for k in 1...4000 { lines.append(L.link(Double(k) / 1000 * 2.25)) }
        lines.append(L.link(900))
        lines.append(L.session("A", t: 9.5))
        lines.append(L.link(9.6))
        return lines
    }()

    /// Where a console (`SessionClock`, the rule given) starts sessions in these lines.
    func consoleSplits(_ lines: [String], rule: SessionClock.RestartRule, reconnectBefore: Set<Int> = []) -> [Int] {
        var clock = SessionClock(rule: rule)
        var splits: [Int] = []
        for (k, line) in lines.enumerated() {
            if reconnectBefore.contains(k) { clock.reconnect() }
            var decoder = FrameDecoder()
            guard case .frame(let frame) = Array(line.utf8).withUnsafeBytes({ decoder.decode($0) }) else { continue }
            if clock.observe(frame)?.startsNewSession == true { splits.append(k) }
        }
        return splits
    }

    @Test("a stray frame far ahead does not make the re-sent session frame a restart: one file, as the console keeps one session",
          arguments: [SessionClock.RestartRule.afterReconnect, .anywhere])
    func strayFrameKeepsSession(rule: SessionClock.RestartRule) throws {
        let disk = MemoryDisk()
        var core = try RecorderCore(path: "/r/s.ndjson", now: 0, open: disk.opener, exists: disk.exists)
        core.setRestartRule(rule)
        core.handle(.connected(peer: "gw"), now: 0)
        core.handle(.bytes(L.bytes(Self.strayThenResent)), now: 0)
        core.finish()
        #expect(consoleSplits(Self.strayThenResent, rule: rule).isEmpty)
        #expect(disk.paths == ["/r/s.ndjson"])
        #expect(try #require(disk.file("/r/s.ndjson")).lines == Self.strayThenResent)
    }

    @Test("a gateway that restarts its clock: a TCP source splits only on a new connection, standard input anywhere, as the console")
    func restartSplitsAsTheConsole() throws {
        let before = [L.session("A", t: 100), L.link(120), L.link(130)]
        let after = [L.session("A", t: 0), L.link(1)]
        // TCP: the same connection goes on (a re-sent session frame never restarts it there)...
        var tcp = try RecorderCore(path: "/r/t.ndjson", now: 0, open: MemoryDisk().opener, exists: { _ in false })
        tcp.setRestartRule(.afterReconnect)
        tcp.handle(.connected(peer: "gw"), now: 0)
        tcp.handle(.bytes(L.bytes(before + after)), now: 0)
        #expect(tcp.status.files == 1)
        #expect(consoleSplits(before + after, rule: .afterReconnect, reconnectBefore: [0]).isEmpty)
        // ...a new connection whose clock went back is a new session.
        let tcpDisk = MemoryDisk()
        var reconnected = try RecorderCore(path: "/r/t.ndjson", now: 0, open: tcpDisk.opener, exists: tcpDisk.exists)
        reconnected.setRestartRule(.afterReconnect)
        reconnected.handle(.connected(peer: "gw"), now: 0)
        reconnected.handle(.bytes(L.bytes(before)), now: 0)
        reconnected.handle(.lost(reason: "reset"), now: 0)
        reconnected.handle(.connected(peer: "gw"), now: 0)
        reconnected.handle(.bytes(L.bytes(after)), now: 0)
        reconnected.finish()
        #expect(consoleSplits(before + after, rule: .afterReconnect, reconnectBefore: [0, before.count]) == [before.count])
        #expect(tcpDisk.paths == ["/r/t.ndjson", "/r/t.A.ndjson"])
        #expect(try #require(tcpDisk.file("/r/t.A.ndjson")).lines.first == after[0])
        // Standard input (`live -`): no connections, the clock alone.
        let stdinDisk = MemoryDisk()
        var stdin = try RecorderCore(path: "/r/i.ndjson", now: 0, open: stdinDisk.opener, exists: stdinDisk.exists)
        stdin.setRestartRule(.anywhere)
        stdin.handle(.bytes(L.bytes(before + after)), now: 0)
        stdin.finish()
        #expect(consoleSplits(before + after, rule: .anywhere) == [before.count])
        #expect(stdinDisk.paths == ["/r/i.ndjson", "/r/i.A.ndjson"])
    }

    @Test("a listener's drop is recorded with the reason the source gave, not only 'the gateway left'")
    func dropReasonFromConnectionEvent() throws {
        let disk = MemoryDisk()
        let recorder = try WireRecorder(path: "/r/l.ndjson", recordsFrames: false, capacity: 1 << 20,
                                        clock: { ProcessInfo.processInfo.systemUptime }, open: disk.opener, exists: disk.exists)
        var connection = WireRecorder.Connection()
        recorder.observe(.state(.connected(peer: "10.0.0.7:40000")), connection: &connection)
        feed(recorder.tap, L.bytes([L.session("A"), L.link(3)]))
        recorder.observe(.connection(.dropped(peer: "10.0.0.7:40000", reason: "sent no valid frame for 5.0 s", reconnecting: false)),
                         connection: &connection)
        recorder.observe(.state(.listening(address: "0.0.0.0:7000")), connection: &connection)
        recorder.observe(.state(.connected(peer: "10.0.0.8:40001")), connection: &connection)
        feed(recorder.tap, L.bytes([L.session("A", t: 9), L.link(10)]))
        recorder.observe(.connection(.lost(peer: "10.0.0.8:40001", reason: "connection reset by peer")), connection: &connection)
        recorder.observe(.state(.listening(address: "0.0.0.0:7000")), connection: &connection)
        recorder.start { _ in }
        recorder.finish()
        let texts = try #require(disk.file("/r/l.ndjson")).lines.filter { $0.contains(#""kind":"connection""#) }
        #expect(texts == [
            #"{"t":3,"type":"event","kind":"connection","text":"connection lost: dropped by the console: sent no valid frame for 5.0 s"}"#,
            #"{"t":9,"type":"event","kind":"connection","text":"reconnected to 10.0.0.8:40001"}"#,
            #"{"t":10,"type":"event","kind":"connection","text":"connection lost: connection reset by peer"}"#,
        ])
    }

    @Test("after a write error the recorder sleeps until stopped and copies nothing more")
    func failedRecorderIsIdle() throws {
        let disk = MemoryDisk(failure: "No space left on device")
        let recorder = try WireRecorder(path: "/r/f.ndjson", recordsFrames: false, capacity: 64 << 20,
                                        clock: { ProcessInfo.processInfo.systemUptime }, open: disk.opener, exists: disk.exists)
        recorder.start { _ in }
        tapAll(recorder, L.bytes([L.session("A")] + (0..<2000).map { L.link(Double($0)) }))
        let deadline = Date().addingTimeInterval(10)
        while recorder.status.failure == nil && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(recorder.status.failure != nil)
        Thread.sleep(forTimeInterval: 0.1)
        let before = recorder.rounds.load(ordering: .relaxed)
        tapAll(recorder, L.bytes((0..<2000).map { L.link(Double($0)) }))
        #expect(recorder.queuedBytes == 0, "nothing is copied into the queue once the recording stopped")
        Thread.sleep(forTimeInterval: 0.5)
        let rounds = recorder.rounds.load(ordering: .relaxed) - before
        #expect(rounds <= 2, "the thread woke \(rounds) times in 0.5 s")
        let began = Date()
        #expect(recorder.finish() == nil)
        #expect(Date().timeIntervalSince(began) < 1, "stopping wakes it at once")
    }

    @Test("the size at the end is the closed file's: a gzip file's trailer and held data included, and reported last")
    func finalSizeAfterClose() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("surgtop-rec2-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("case.ndjson.gz").path
        let recorder = try WireRecorder(path: path)
        let statuses = Mutex<[RecordingStatus]>([])
        recorder.start { event in if case .recording(let status) = event { statuses.withLock { $0.append(status) } } }
        tapAll(recorder, L.bytes([L.session("A")] + (0..<3000).map { L.link(Double($0) / 100) }))
        tapAll(recorder, L.bytes([L.session("B")] + (0..<3000).map { L.link(Double($0) / 100) }))
        recorder.finish()
        let first = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? -1
        let second = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("case.B.ndjson.gz").path)[.size] as? Int ?? -1
        #expect(first > 0 && second > 0)
        #expect(recorder.status.bytesOnDisk == first + second)
        #expect(statuses.withLock { $0.last?.bytesOnDisk } == first + second, "the last status reported has the final size")
    }

    @Test("a connection that ends before its session frame (a refused gateway retrying) adds no event pair; its lines are counted then")
    func lostBeforeSessionFrame() throws {
        let disk = MemoryDisk()
        var core = try RecorderCore(path: "/r/v.ndjson", now: 0, open: disk.opener, exists: disk.exists)
        core.setRestartRule(.afterReconnect)
        core.handle(.connected(peer: "gw"), now: 0)
        core.handle(.bytes(L.bytes([L.session("A"), L.link(2)])), now: 0)
        core.handle(.lost(reason: "reset"), now: 0)
        _ = core.takeMessages()
        let refused = #"{"t":0,"type":"session","v":2,"id":"A","arms":[]}"#
        for _ in 0..<3 {
            core.handle(.connected(peer: "gw"), now: 0)
            core.handle(.bytes(L.bytes([refused, L.link(0.1)])), now: 0)
            core.handle(.lost(reason: "refused the stream: version 2"), now: 0)
        }
        #expect(core.status.lostLines == 6)
        #expect(core.takeMessages() == Array(repeating: "recording: 2 lines (\(refused.utf8.count + 1 + L.link(0.1).utf8.count + 1) bytes) received on a connection that ended before its session frame were not recorded (their session was unknown)", count: 3))
        // The next connection that shows its session frame: one "reconnected", no count carried over.
        core.handle(.connected(peer: "gw"), now: 0)
        core.handle(.bytes(L.bytes([L.session("A", t: 5), L.link(6)])), now: 0)
        core.finish()
        let lines = try #require(disk.file("/r/v.ndjson")).lines
        #expect(lines.filter { $0.contains("reconnected to gw") }.count == 1)
        #expect(lines.filter { $0.contains("connection lost") }.count == 1)
        #expect(lines.filter { $0.contains("on this connection before its session frame") }.isEmpty)
        #expect(lines.filter { $0.contains("ended before its session frame") }.count == 3)
        #expect(core.status.lostLines == 6)
    }

    @Test("the recorder reads a line's t by a byte scan, as the decoder would")
    func timestampScan() {
        let t = { (text: String) in Array(text.utf8).withUnsafeBytes { RecorderCore.timestamp($0) } }
        #expect(t(L.link(12.5)) == 12.5)
        #expect(t(#"{"type":"link", "t" : 7e1}"#) == 70)
        #expect(t(#"{"type":"event","text":"\"t\":5","t":3}"#) == 3)
        #expect(t(#"{"t":2e9,"type":"link"}"#) == nil, "beyond the decoder's limit")
        #expect(t("not json") == nil)
    }
}

/// Bytes through a tap, as a source's reading thread hands them.
private func feed(_ tap: WireTap, _ bytes: [UInt8]) {
    bytes.withUnsafeBytes { tap($0) }
}
