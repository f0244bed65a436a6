import NIOCore
import NIOPosix
import SessionCore
import Telemetry
import Testing
import TelemetrySources

/// What the TCP sources tell of their connections, over real sockets: why a connect fails, a
/// gateway that connects and then says nothing (dropped and redialled after
/// `telemetry.reconnect_after_s`, not left "connected" for ever), and a connection event for
/// each connect, drop, reconnection and refused second gateway.
@Suite("TCP sources: connection truth")
struct ConnectionTruthTests {
    static let fast = Backoff(initial: 0.02, factor: 2, max: 0.08)

    static func reconnecting(_ states: [SourceState]) -> [(lostAt: Double, reason: String)] {
        states.compactMap { if case .reconnecting(let at, _, let why) = $0 { (at, why) } else { nil } }
    }

    @Test("a refused port: the reason is reported with each failed attempt")
    func refusedPort() async throws {
        let gateway = TCPTest.Gateway()
        let port = try await gateway.listen()
        await gateway.shutdown()  // nothing listens there any more
        let events = TCPTest.Events()
        let source = TCPClientSource(host: "127.0.0.1", port: port, backoff: Self.fast)
        defer { source.stop() }
        source.start(sink: events.sink)
        try await TCPTest.eventually("three failed attempts") { events.connections.count >= 3 }
        #expect(events.connections.prefix(3).allSatisfy {
            $0 == .cannotConnect(target: "127.0.0.1:\(port)", reason: "connection refused")
        })
    }

    @Test("an unknown host: cannot resolve it, said with the host's name")
    func unknownHost() async throws {
        let events = TCPTest.Events()
        let source = TCPClientSource(host: "no.such.host.invalid", port: 7000, backoff: Self.fast)
        defer { source.stop() }
        source.start(sink: events.sink)
        try await TCPTest.eventually("a failed attempt", within: 20) { !events.connections.isEmpty }
        #expect(events.connections.first == .cannotConnect(target: "no.such.host.invalid:7000",
                                                            reason: "cannot resolve no.such.host.invalid"))
    }

    @Test("a gateway that accepts and sends nothing is dropped after handshake_s and redialled; the outage dates from the connect")
    func silentFromTheStart() async throws {
        let gateway = TCPTest.Gateway()
        let port = try await gateway.listen()
        defer { Task { await gateway.shutdown() } }
        let events = TCPTest.Events()
        // The silence between frames may be far longer: handshake_s bounds the wait for the first.
        let source = TCPClientSource(host: "127.0.0.1", port: port, backoff: Self.fast, handshakeTimeout: 0.3,
                                     silenceTimeout: 3_600)
        defer { source.stop() }
        let started = MonotonicClock.now()
        source.start(sink: events.sink)
        try await TCPTest.eventually("dialled again", within: 10) { gateway.acceptedCount >= 2 }
        let dropped = try #require(Self.reconnecting(events.states).first)
        #expect(dropped.reason == "sent no valid frame within 0.3 s of connecting (0 bytes received)")
        #expect(dropped.lostAt >= started, "the data was lost from the connect on, not from the drop")
        let connections = events.connections
        #expect(connections.first == .connected(peer: "127.0.0.1:\(port)", afterOutage: nil))
        #expect(connections.dropFirst().first == .dropped(peer: "127.0.0.1:\(port)", reason: dropped.reason, reconnecting: true))
        try await TCPTest.eventually("the reconnection reported") { events.connections.count >= 3 }
        guard case .connected(_, let outage?) = events.connections[2] else {
            Issue.record("expected a reconnection, found \(events.connections)")
            return
        }
        #expect(outage >= 0.3, "it counts the silence too: \(outage)")
        #expect(gateway.receivedBytes == 0, "never a byte to the gateway")
    }

    @Test("a gateway that sends its session frame and then nothing is dropped and redialled")
    func silentAfterTheSession() async throws {
        let gateway = TCPTest.Gateway()
        let port = try await gateway.listen()
        defer { Task { await gateway.shutdown() } }
        let events = TCPTest.Events()
        let source = TCPClientSource(host: "127.0.0.1", port: port, backoff: Self.fast, handshakeTimeout: 3_600,
                                     silenceTimeout: 1)
        defer { source.stop() }
        source.start(sink: events.sink)
        try await TCPTest.eventually("connected") { gateway.acceptedCount == 1 }
        try await gateway.send(TCPTest.session("S1", arms: ["PSM1"]))
        try await TCPTest.eventually("the session frame") { events.frames.count == 1 }
        let sessionAt = MonotonicClock.now()
        try await TCPTest.eventually("dropped", within: 10) { !Self.reconnecting(events.states).isEmpty }
        let dropped = try #require(Self.reconnecting(events.states).first)
        // The silence as measured: 1 s, or a check (a tenth of it) more on a loaded machine.
        #expect(dropped.reason.hasPrefix("sent no valid frame for 1"), "\(dropped.reason)")
        #expect(dropped.reason.hasSuffix(" s (silent, or a half-open connection)"))
        // The drop comes 1 s or more after the frame: half of that tells them apart under load.
        #expect(dropped.lostAt <= sessionAt + 0.5, "the data stopped at the session frame, not at the drop")
        try await TCPTest.eventually("dialled again") { gateway.acceptedCount >= 2 }
        #expect(events.connections.contains(.dropped(peer: "127.0.0.1:\(port)", reason: dropped.reason, reconnecting: true)))
    }

    @Test("the listener reports a gateway's connect and drop, and a refused second gateway, as connection events")
    func listenerEvents() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { TCPTest.release(group) }
        // 3 s of silence: room for the second gateway to be refused on a loaded machine first.
        let listener = TCPListenerSource(address: ListenAddress(port: 0), handshakeTimeout: 3_600, silenceTimeout: 3)
        defer { listener.stop() }
        let events = TCPTest.Events()
        listener.start(sink: events.sink)
        let port = try #require(listener.boundPort)
        let first = try await TCPTest.Peer.connect(port: port, group: group, greeting: TCPTest.session("G1", arms: ["PSM1"]))
        try await TCPTest.eventually("the first gateway") { events.frames.count == 1 }
        let second = try await TCPTest.Peer.connect(port: port, group: group)
        try await TCPTest.eventually("the second refused", within: 20) { second.isClosed }
        try await TCPTest.eventually("the first dropped once silent", within: 30) { first.isClosed }
        try await TCPTest.eventually("its drop reported", within: 20) { events.connections.count >= 3 }
        let connections = events.connections
        #expect(connections.prefix(2) == [
            .gatewayConnected(peer: first.address),
            .refusedGateway(peer: second.address, current: first.address),
        ], "\(connections)")
        guard case .dropped(first.address, let reason, false)? = connections.dropFirst(2).first else {
            Issue.record("expected the first gateway dropped, found \(connections)")
            return
        }
        #expect(reason.hasPrefix("sent no valid frame for 3") && reason.hasSuffix(" s (silent, or a half-open connection)"), "\(reason)")
    }
}
