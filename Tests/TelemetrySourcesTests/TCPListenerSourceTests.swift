import NIOCore
import NIOPosix
import Telemetry
import Testing
import TelemetrySources

@Suite("TCP listener source")
struct TCPListenerSourceTests {
    @Test("accepts a pushing gateway, refuses a second one, accepts the next after the first leaves")
    func oneGatewayAtATime() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { TCPTest.release(group) }
        // No handshake time to race: this test's task may resume seconds late on a busy machine.
        let listener = TCPListenerSource(address: ListenAddress(port: 0), handshakeTimeout: 3_600)
        defer { listener.stop() }
        try listener.bind()
        let port = try #require(listener.boundPort)
        #expect(port > 0)
        #expect(listener.boundAddress == "127.0.0.1:\(port)")
        #expect(listener.label == "listen 127.0.0.1:\(port)")
        #expect(listener.mode == .live)

        let events = TCPTest.Events()
        listener.start(sink: events.sink)
        #expect(events.states == [.listening(address: "127.0.0.1:\(port)")])

        // The first gateway pushes a session.
        let first = try await TCPTest.Peer.connect(port: port, group: group)
        try await first.send(TCPTest.session("G1", arms: ["PSM1"]) + TCPTest.arm("PSM1", t: 0.1))
        try await TCPTest.eventually("the first gateway's frames") { events.frames.count == 2 }
        #expect(events.all.filter { TCPTest.log($0) == nil }.map(TCPTest.brief) == [
            "listening", "reset", "connected", "session 0.0", "arm PSM1 0.1",
        ])
        #expect(events.states.last == .connected(peer: first.address))

        // A second one while the first is connected: closed at once, logged, never decoded.
        let second = try await TCPTest.Peer.connect(port: port, group: group)
        try? await second.send("{\"this\": \"is ignored\"\n")
        try await TCPTest.eventually("the second gateway to be closed") { second.isClosed }
        try await TCPTest.eventually("the refusal in the log") {
            events.logs.contains { $0.hasPrefix("refused a second gateway") }
        }
        #expect(events.logs.contains("refused a second gateway from \(second.address) while \(first.address) is connected"),
                "logs: \(events.logs)")
        try await first.send(TCPTest.arm("PSM1", t: 0.2))
        try await TCPTest.eventually("the first gateway still decoded") { events.frames.count == 3 }
        #expect(events.all.compactMap(TCPTest.decodeError).isEmpty)

        // The first leaves: back to listening, and a new gateway is accepted with a fresh stream.
        await first.close()
        try await TCPTest.eventually("listening again") { events.states.last == .listening(address: "127.0.0.1:\(port)") }
        #expect(events.logs.contains { $0.hasPrefix("gateway \(first.address) disconnected") })

        let settled = events.all.count
        let third = try await TCPTest.Peer.connect(port: port, group: group)
        try await third.send("oops\n" + TCPTest.session("G3", arms: ["ECM"]) + TCPTest.arm("ECM", t: 1))
        try await TCPTest.eventually("the third gateway's frames") { events.frames.count == 5 }
        let resumed = events.all[settled...].filter { TCPTest.log($0) == nil }.map(TCPTest.brief)
        #expect(Array(resumed) == ["reset", "connected", "error line 1", "session 0.0", "arm ECM 1.0"])
        #expect(events.states.last == .connected(peer: third.address))

        // The listener never wrote a byte to anyone.
        #expect(first.received.isEmpty && second.received.isEmpty && third.received.isEmpty)
        await third.close()
        listener.stop()
        listener.stop()
    }

    @Test("a port in use is one clear error, from bind() and from start()")
    func portInUse() async throws {
        let holder = TCPListenerSource(address: ListenAddress(port: 0))
        defer { holder.stop() }
        try holder.bind()
        let port = try #require(holder.boundPort)

        let second = TCPListenerSource(address: ListenAddress(port: port))
        defer { second.stop() }
        let error = #expect(throws: ListenError.self) { try second.bind() }
        #expect(error?.description == "cannot listen on 127.0.0.1:\(port): port \(port) is already in use")

        let third = TCPListenerSource(address: ListenAddress(host: "127.0.0.1", port: port))
        defer { third.stop() }
        let events = TCPTest.Events()
        third.start(sink: events.sink)
        #expect(events.states == [.failed("cannot listen on 127.0.0.1:\(port): port \(port) is already in use")])
    }

    @Test("an address that is not this machine's is a clear error")
    func foreignAddress() {
        // 192.0.2.0/24 is TEST-NET-1: never assigned to a host.
        let listener = TCPListenerSource(address: ListenAddress(host: "192.0.2.1", port: 0))
        defer { listener.stop() }
        let error = #expect(throws: ListenError.self) { try listener.bind() }
        #expect(error?.description == "cannot listen on 192.0.2.1:0: 192.0.2.1 is not an address of this machine")
    }
}
