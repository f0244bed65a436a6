import NIOCore
import NIOPosix
import SessionCore
import Synchronization
import Telemetry
import Testing
import TelemetrySources

/// What the TCP sources do with peers that would otherwise stop or hold the console, end to end
/// over real sockets: a gateway that never sends a frame, and a flood. The rest (trickling
/// peers, refused versions, the deadline to the millisecond, the client's backoff) is tested
/// without sockets in `LineReceiverTests` and `ConnectionTimelineTests`.
@Suite("TCP sources: silent peers, floods")
struct TCPGuardTests {
    static func isListening(_ state: SourceState?) -> Bool {
        if case .listening = state { return true }
        return false
    }

    // MARK: - item 6: the listener's only slot

    @Test("the listener drops a gateway that sends nothing within the handshake time; the next one is accepted")
    func silentGatewayIsDropped() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { TCPTest.release(group) }
        let listener = TCPListenerSource(address: ListenAddress(port: 0), handshakeTimeout: 0.3, silenceTimeout: 0.3)
        defer { listener.stop() }
        let events = TCPTest.Events()
        listener.start(sink: events.sink)
        let port = try #require(listener.boundPort)
        #expect(listener.handshakeTimeout == 0.3)

        // Timed from before the connect: the test's task may resume late on a busy machine.
        let connectedAt = MonotonicClock.now()
        let silent = try await TCPTest.Peer.connect(port: port, group: group)
        // (It may be dropped already when this looks: a busy machine can be slower than 0.3 s.)
        try await TCPTest.eventually("the silent gateway accepted") { events.states.contains(.connected(peer: silent.address)) }
        try await TCPTest.eventually("the silent gateway dropped", within: 5) { silent.isClosed }
        let waited = MonotonicClock.now() - connectedAt
        // The deadline to the millisecond is LineReceiverTests' business; here, only not early.
        #expect(waited >= 0.3, "dropped after \(waited) s")
        try await TCPTest.eventually("listening again") { Self.isListening(events.states.last) }
        #expect(events.logs.contains("dropped gateway \(silent.address): sent no valid frame within 0.3 s of connecting (0 bytes received); listening for another"),
                "logs: \(events.logs)")

        // The real gateway now gets the slot (how long it keeps it while it sends is timed on the
        // embedded clock in LineReceiverTests; a loaded machine's sleeps are too coarse here).
        let real = try await TCPTest.Peer.connect(port: port, group: group, greeting: TCPTest.session("G1", arms: ["PSM1"]))
        try await TCPTest.eventually("the real gateway's session") { events.frames.count == 1 }
        #expect(events.states.contains(.connected(peer: real.address)))
        // Once silent it is dropped too: a peer that sent one frame must not hold the slot either.
        try await TCPTest.eventually("the real gateway dropped once silent", within: 5) { real.isClosed }
        try await TCPTest.eventually("its drop logged", within: 5) {
            events.logs.contains { $0.contains("sent no valid frame for 0.3 s") }
        }
        #expect(silent.received.isEmpty && real.received.isEmpty, "the listener never writes")
        await real.close()
    }

    // MARK: - item 11: a flood

    @Test("a flood the inbox may not drop holds the gateway back instead of growing the inbox; nothing is lost")
    func linkFloodIsHeldBack() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { TCPTest.release(group) }
        let inbox = SourceInbox(shedArmSamplesAbove: 500)
        // No handshake time to race: the flood is written once the test's task resumes.
        let listener = TCPListenerSource(address: ListenAddress(port: 0), handshakeTimeout: 3_600,
                                         backlog: inbox.countProvider, holdBackAbove: 2_000)
        defer { listener.stop() }
        listener.start(sink: inbox.sink)
        let port = try #require(listener.boundPort)

        let n = 40_000
        var text = TCPTest.session("FLOOD", arms: ["PSM1"])
        let encoder = FrameEncoder()
        for k in 1...n { text += encoder.encode(Frame(t: Double(k) / 1000, body: .link(LinkSample(path: "primary", rttMs: 80)))) }
        let peer = try await TCPTest.Peer.connect(port: port, group: group)
        let written: EventLoopFuture<Void> = peer.channel.writeAndFlush(ByteBuffer(string: text))
        var most = 0
        // Nobody drains: the flood gets as far as the limit (however busy the machine)…
        try await TCPTest.eventually("the flood as far as the limit", within: 20) {
            most = max(most, inbox.count)
            return most >= 2_000
        }
        // …and no further while it stays undrained.
        let settle = MonotonicClock.now() + 0.5
        while MonotonicClock.now() < settle {
            most = max(most, inbox.count)
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(most < 2_000 + 9_000, "reading paused near the limit (a read is up to 4 × 64 KiB): \(most) waited")

        // Drained, it reads on: every frame arrives, none dropped.
        var links = 0
        var logs: [String] = []
        try await TCPTest.eventually("every link frame", within: 20) {
            for event in inbox.drain() {
                if let f = TCPTest.frame(event), case .link = f.body { links += 1 }
                if let l = TCPTest.log(event) { logs.append(l) }
            }
            return links == n
        }
        #expect(inbox.droppedFrames == 0)
        #expect(logs.contains { $0.hasPrefix("falling behind 127.0.0.1:") && $0.contains("reading paused") }, "logs: \(logs)")
        try await written.get()
        await peer.close()
    }
}
