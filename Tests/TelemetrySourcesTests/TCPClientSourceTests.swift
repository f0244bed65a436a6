import NIOCore
import NIOPosix
import Synchronization
import Telemetry
import Testing
import TelemetrySources

@Suite("TCP client source")
struct TCPClientSourceTests {
    static let fast = Backoff(initial: 0.02, factor: 2, max: 0.08)

    @Test("label and mode")
    func labelAndMode() {
        let a = TCPClientSource(host: "127.0.0.1", port: 7000)
        #expect(a.label == "127.0.0.1:7000")
        #expect(a.mode == .live)
        a.stop()
        let b = TCPClientSource(try! HostPort(parsing: "[::1]:7001"))
        #expect(b.label == "[::1]:7001")
        b.stop()
        b.stop()
    }

    @Test("decodes a session, reports a lost connection, resumes with a fresh stream; never writes")
    func decodeLoseAndResume() async throws {
        let gateway = TCPTest.Gateway()
        let port = try await gateway.listen()
        let events = TCPTest.Events()
        let source = TCPClientSource(host: "127.0.0.1", port: port, backoff: Self.fast)
        defer { source.stop() }
        source.start(sink: events.sink)

        try await TCPTest.eventually("the first connection") { gateway.acceptedCount == 1 }
        try await gateway.send(TCPTest.session("S1", arms: ["PSM1"]) + TCPTest.arm("PSM1", t: 0.01) + "\n"
            + String(TCPTest.arm("PSM1", t: 0.02).dropLast()))
        try await TCPTest.eventually("2 frames") { events.frames.count == 2 }
        #expect(events.all.map(TCPTest.brief) == [
            "connecting 1", "reset", "connected", "session 0.0", "arm PSM1 0.01",
        ])
        #expect(events.states.contains(.connected(peer: "127.0.0.1:\(port)")))

        // The gateway goes away: the listener first, then the connection. The last line,
        // which has no LF, is decoded before the loss is reported.
        let before = MonotonicClock.now()
        try await gateway.closeListener()
        try await gateway.dropConnections()
        try await TCPTest.eventually("two refused reconnection attempts") {
            events.states.filter { if case .reconnecting = $0 { true } else { false } }.count >= 3
        }
        let after = MonotonicClock.now()
        let lost = events.states.compactMap { s -> (Double, Int, String)? in
            if case .reconnecting(let at, let n, let why) = s { return (at, n, why) }
            return nil
        }
        #expect(lost[0].1 == 1 && lost[0].2 == "connection closed by peer")
        #expect(lost[1].1 == 2 && lost[1].2 == "connection refused")
        #expect(lost[2].1 == 3 && lost[2].2 == "connection refused")
        #expect(lost.allSatisfy { $0.0 == lost[0].0 }, "lostAt stays the moment the data stopped")
        #expect(lost[0].0 >= before && lost[0].0 <= after)
        let briefs = events.all.map(TCPTest.brief)
        let lastArm = try #require(briefs.firstIndex(of: "arm PSM1 0.02"))
        let firstLoss = try #require(briefs.firstIndex(of: "reconnecting 1"))
        #expect(lastArm < firstLoss)
        #expect(events.logs.contains { $0.contains("lost 127.0.0.1:\(port): connection closed by peer") })

        // The gateway comes back on the same port with a new session.
        let settled = events.all.count
        _ = try await gateway.listen(port: port)
        try await TCPTest.eventually("the second connection") { gateway.acceptedCount == 2 }
        try await gateway.send("not json\n" + TCPTest.session("S2", arms: ["ECM"], t: 0) + TCPTest.arm("ECM", t: 0.5))
        try await TCPTest.eventually("the new session's frames") { events.frames.count == 5 }
        let resumed = Array(events.all[settled...]).filter { TCPTest.log($0) == nil }.map(TCPTest.brief)
        let reconnect = try #require(resumed.firstIndex(of: "reset"))
        #expect(Array(resumed[reconnect...]) == [
            "reset", "connected", "error line 1", "session 0.0", "arm ECM 0.5",
        ])
        // Fresh stream: line numbers restart, and the arms are those of the new session.
        #expect(events.all.compactMap(TCPTest.decodeError).map(\.line) == [1])
        #expect(events.logs.contains { $0.hasPrefix("reconnected to 127.0.0.1:\(port)") })

        // Never a byte from the console.
        #expect(gateway.receivedBytes == 0)
        source.stop()
        let count = events.all.count
        await gateway.shutdown()
        try await Task.sleep(for: .milliseconds(30))
        #expect(events.all.count == count, "nothing is reported after stop")
    }

    @Test("stop while retrying returns at once and is idempotent")
    func stopWhileRetrying() async throws {
        let gateway = TCPTest.Gateway()
        let port = try await gateway.listen()
        try await gateway.closeListener()
        await gateway.shutdown()

        let events = TCPTest.Events()
        let source = TCPClientSource(host: "127.0.0.1", port: port, backoff: Backoff(initial: 10, max: 10))
        source.start(sink: events.sink)
        try await TCPTest.eventually("a failed attempt") { events.states.contains(.connecting(attempt: 2)) }
        let t0 = MonotonicClock.now()
        source.stop()
        source.stop()
        #expect(MonotonicClock.now() - t0 < 1)
    }

    @Test("stop from inside the sink (on the source's own thread) does not deadlock")
    func stopFromSink() async throws {
        let gateway = TCPTest.Gateway()
        let port = try await gateway.listen()
        let source = TCPClientSource(host: "127.0.0.1", port: port, backoff: Self.fast)
        let stopped = Atomic<Bool>(false)
        source.start { event in
            if case .state(.connected) = event {
                source.stop()
                stopped.store(true, ordering: .sequentiallyConsistent)
            }
        }
        try await TCPTest.eventually("stop from the sink") { stopped.load(ordering: .sequentiallyConsistent) }
        source.stop()
        await gateway.shutdown()
    }
}
