import NIOCore
import NIOPosix
import Synchronization
import Telemetry
import Testing
import TelemetrySources

@Suite("TCP client source")
struct TCPClientSourceTests {
    static let fast = Backoff(initial: 0.02, factor: 2, max: 0.08)

    @Test("standard backoff: 0.25, 0.5, 1, 2, 4, then 5 s")
    func standardBackoff() {
        let delays = (1...9).map { Backoff.standard.delay(afterFailures: $0) }
        #expect(delays == [0.25, 0.5, 1, 2, 4, 5, 5, 5, 5])
        #expect(Backoff.standard.delay(afterFailures: 0) == 0)
        #expect(Backoff.standard.delay(afterFailures: Int.max) == 5)
        #expect(TCPClientSourceTests.fast.delay(afterFailures: 3) == 0.08)
    }

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

    @Test("connection refused at start: connecting attempts until the gateway appears")
    func refusedAtStart() async throws {
        let gateway = TCPTest.Gateway()
        let port = try await gateway.listen()
        try await gateway.closeListener()

        let events = TCPTest.Events()
        let source = TCPClientSource(host: "127.0.0.1", port: port, backoff: Self.fast)
        defer { source.stop() }
        source.start(sink: events.sink)
        try await TCPTest.eventually("three attempts") { events.states.contains(.connecting(attempt: 3)) }
        let failures = events.logs.filter { $0.hasPrefix("cannot connect to") }
        #expect(failures == ["cannot connect to 127.0.0.1:\(port): connection refused; retrying"],
                "a failure that repeats is logged once")

        _ = try await gateway.listen(port: port)
        try await TCPTest.eventually("the connection") {
            events.states.contains(.connected(peer: "127.0.0.1:\(port)")) && gateway.acceptedCount == 1
        }
        try await gateway.send(TCPTest.session("S", arms: ["PSM1"]))
        try await TCPTest.eventually("the session frame") { events.frames.count == 1 }

        let briefs = events.all.filter { TCPTest.log($0) == nil }.map(TCPTest.brief)
        let reset = try #require(briefs.firstIndex(of: "reset"))
        #expect(briefs[..<reset].allSatisfy { $0.hasPrefix("connecting ") })
        #expect(Array(briefs[reset...]) == ["reset", "connected", "session 0.0"])
        #expect(gateway.receivedBytes == 0)
        source.stop()
        await gateway.shutdown()
    }

    @Test("connections that close before any data do not end the outage: lostAt stays, logs do not repeat")
    func emptyConnectionsKeepTheOutage() async throws {
        let gateway = TCPTest.Gateway()
        let port = try await gateway.listen()
        let events = TCPTest.Events()
        let source = TCPClientSource(host: "127.0.0.1", port: port, backoff: Self.fast)
        defer { source.stop() }
        source.start(sink: events.sink)
        try await TCPTest.eventually("the first connection") { gateway.acceptedCount == 1 }
        try await gateway.send(TCPTest.session("S1", arms: ["PSM1"]))
        try await TCPTest.eventually("the session frame") { events.frames.count == 1 }

        // The gateway now hangs up on every console at once.
        gateway.hangsUp.store(true, ordering: .sequentiallyConsistent)
        try await gateway.dropConnections()
        try await TCPTest.eventually("three empty reconnections") { gateway.acceptedCount >= 4 }
        try await TCPTest.eventually("their losses") {
            events.states.contains { if case .reconnecting(_, 4, _) = $0 { true } else { false } }
        }
        let losses = events.states.compactMap { s -> (Double, Int)? in
            if case .reconnecting(let at, let n, _) = s { return (at, n) }
            return nil
        }
        #expect(losses.map(\.1).prefix(4) == [1, 2, 3, 4], "attempts count on through the empty connections")
        #expect(losses.allSatisfy { $0.0 == losses[0].0 }, "lostAt is when the data stopped")
        #expect(events.logs.filter { $0.hasPrefix("lost ") }.count == 1)
        #expect(events.logs.filter { $0.hasPrefix("reconnected ") }.count == 1)
        #expect(!events.logs.contains { $0.contains("before sending anything") }, "same reason, not logged again")

        // Back to normal: the next connection carries data, and a later loss is a new outage.
        gateway.hangsUp.store(false, ordering: .sequentiallyConsistent)
        let accepted = gateway.acceptedCount
        try await TCPTest.eventually("a connection that stays") {
            gateway.acceptedCount > accepted && events.states.last.map { if case .connected = $0 { true } else { false } } == true
        }
        try await gateway.send(TCPTest.session("S2", arms: ["PSM1"]))
        try await TCPTest.eventually("the new session") { events.frames.count == 2 }
        try await gateway.dropConnections()
        try await TCPTest.eventually("a new outage") { events.logs.filter { $0.hasPrefix("lost ") }.count == 2 }
        let last = events.states.compactMap { s -> (Double, Int)? in
            if case .reconnecting(let at, let n, _) = s { return (at, n) }
            return nil
        }.last
        #expect(last?.1 == 1)
        #expect((last?.0 ?? 0) > losses[0].0)
        #expect(gateway.receivedBytes == 0)
        source.stop()
        await gateway.shutdown()
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
