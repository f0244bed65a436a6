import NIOCore
import NIOPosix
import Synchronization
import Telemetry
import Testing
import TelemetrySources

/// What the TCP sources do with peers that would otherwise stop or hold the console: a
/// gateway that never sends a frame, one that trickles bytes, a session frame of another
/// format version, and a flood.
@Suite("TCP sources: silent peers, refused versions, floods")
struct TCPGuardTests {
    static let fast = Backoff(initial: 0.02, factor: 2, max: 0.08)

    static func sessionV(_ version: Int, id: String = "G2") -> String {
        #"{"t":0,"type":"session","v":\#(version),"id":"\#(id)","arms":[{"id":"PSM1","kind":"PSM","joints":[{"name":"yaw","unit":"rad"}]}]}"# + "\n"
    }

    static func isListening(_ state: SourceState?) -> Bool {
        if case .listening = state { return true }
        return false
    }

    static func unsupported(_ e: SourceEvent) -> Int? {
        if case .decoded(.error(let d)) = e, case .unsupportedVersion(let v) = d.kind { return v }
        return nil
    }

    // MARK: - item 6: the listener's only slot

    @Test("the listener drops a gateway that sends nothing within the handshake time; the next one is accepted")
    func silentGatewayIsDropped() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { TCPTest.release(group) }
        let listener = TCPListenerSource(address: ListenAddress(port: 0), handshakeTimeout: 0.3)
        defer { listener.stop() }
        let events = TCPTest.Events()
        listener.start(sink: events.sink)
        let port = try #require(listener.boundPort)
        #expect(listener.handshakeTimeout == 0.3)

        let silent = try await TCPTest.Peer.connect(port: port, group: group)
        let connectedAt = MonotonicClock.now()
        try await TCPTest.eventually("the silent gateway accepted") { events.states.last == .connected(peer: silent.address) }
        try await TCPTest.eventually("the silent gateway dropped", within: 3) { silent.isClosed }
        let waited = MonotonicClock.now() - connectedAt
        #expect(waited >= 0.25 && waited < 2, "dropped after \(waited) s")
        try await TCPTest.eventually("listening again") { Self.isListening(events.states.last) }
        #expect(events.logs.contains("dropped gateway \(silent.address): sent no valid frame within 0.3 s of connecting (0 bytes received); listening for another"),
                "logs: \(events.logs)")

        // The real gateway now gets the slot and keeps it past the handshake time.
        let real = try await TCPTest.Peer.connect(port: port, group: group)
        try await real.send(TCPTest.session("G1", arms: ["PSM1"]))
        try await TCPTest.eventually("the real gateway's session") { events.frames.count == 1 }
        try await Task.sleep(for: .milliseconds(500))
        #expect(!real.isClosed)
        #expect(events.states.last == .connected(peer: real.address))
        #expect(silent.received.isEmpty && real.received.isEmpty, "the listener never writes")
        await real.close()
    }

    @Test("a gateway trickling a byte at a time (slowloris) is dropped too, and cannot keep out the real one")
    func slowlorisIsDropped() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { TCPTest.release(group) }
        let listener = TCPListenerSource(address: ListenAddress(port: 0), handshakeTimeout: 0.4)
        defer { listener.stop() }
        let events = TCPTest.Events()
        listener.start(sink: events.sink)
        let port = try #require(listener.boundPort)

        let slow = try await TCPTest.Peer.connect(port: port, group: group)
        let text = Array(TCPTest.session("SLOW", arms: ["PSM1"]).utf8)
        var sent = 0
        while !slow.isClosed && sent < text.count && sent < 60 {
            try? await slow.send(String(decoding: text[sent...sent], as: UTF8.self))
            sent += 1
            try await Task.sleep(for: .milliseconds(25))
        }
        try await TCPTest.eventually("the slow gateway dropped", within: 3) { slow.isClosed }
        #expect(sent < 40, "dropped after \(sent) bytes")
        try await TCPTest.eventually("the drop logged") {
            events.logs.contains { $0.hasPrefix("dropped gateway \(slow.address): sent no valid frame within 0.4 s of connecting (") }
        }
        #expect(events.frames.isEmpty)

        let real = try await TCPTest.Peer.connect(port: port, group: group)
        try await real.send(TCPTest.session("G1", arms: ["PSM1"]) + TCPTest.arm("PSM1", t: 0.1))
        try await TCPTest.eventually("the real gateway's frames") { events.frames.count == 2 }
        #expect(!events.logs.contains { $0.hasPrefix("refused a second gateway") })
        await real.close()
    }

    // MARK: - item 7: a session frame with v ≠ 1

    @Test("the listener refuses a version 2 stream, drops that gateway, and goes on listening")
    func listenerRefusesVersion() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { TCPTest.release(group) }
        let listener = TCPListenerSource(address: ListenAddress(port: 0))
        defer { listener.stop() }
        let events = TCPTest.Events()
        listener.start(sink: events.sink)
        let port = try #require(listener.boundPort)

        let v2 = try await TCPTest.Peer.connect(port: port, group: group)
        try await v2.send(Self.sessionV(2) + TCPTest.arm("PSM1", t: 0.1) + TCPTest.arm("PSM1", t: 0.2))
        try await TCPTest.eventually("the version 2 gateway dropped", within: 3) { v2.isClosed }
        try await TCPTest.eventually("listening again") { Self.isListening(events.states.last) }
        #expect(events.all.compactMap(Self.unsupported) == [2], "the refusal is reported once")
        #expect(events.frames.isEmpty, "nothing after the refused session frame is decoded")
        #expect(events.logs.contains("dropped gateway \(v2.address): refused its stream: its session frame declares telemetry format version 2, and this console reads version 1 only; listening for another"),
                "logs: \(events.logs)")

        let v1 = try await TCPTest.Peer.connect(port: port, group: group)
        try await v1.send(TCPTest.session("G1", arms: ["PSM1"]) + TCPTest.arm("PSM1", t: 0.1))
        try await TCPTest.eventually("the version 1 gateway's frames") { events.frames.count == 2 }
        #expect(events.states.last == .connected(peer: v1.address))
        await v1.close()
    }

    @Test("the client refuses a version 2 stream, closes, and keeps retrying with backoff; logged once")
    func clientRefusesVersion() async throws {
        let gateway = TCPTest.Gateway()
        let port = try await gateway.listen()
        let events = TCPTest.Events()
        let source = TCPClientSource(host: "127.0.0.1", port: port, backoff: Self.fast)
        defer { source.stop() }
        source.start(sink: events.sink)

        // Every connection gets a version 2 session frame.
        for n in 1...3 {
            try await TCPTest.eventually("connection \(n)") { gateway.acceptedCount == n }
            try await TCPTest.eventually("connected \(n)") {
                events.states.filter { if case .connected = $0 { true } else { false } }.count == n
            }
            try await gateway.send(Self.sessionV(2))
        }
        try await TCPTest.eventually("a fourth attempt", within: 3) { gateway.acceptedCount >= 4 }
        let refusals = events.logs.filter { $0.contains("refused its stream") }
        #expect(refusals == ["dropped the connection to 127.0.0.1:\(port): refused its stream: its session frame declares telemetry format version 2, and this console reads version 1 only; retrying"],
                "logs: \(events.logs)")
        let attempts = events.states.compactMap { s -> Int? in
            if case .reconnecting(_, let n, _) = s { return n }
            return nil
        }
        #expect(Array(attempts.prefix(3)) == [1, 2, 3], "refused streams do not end the outage: the backoff grows")
        #expect(events.frames.isEmpty)
        #expect(gateway.receivedBytes == 0)
        source.stop()
        await gateway.shutdown()
    }

    // MARK: - item 11: a flood

    @Test("a flood of arm samples into the listener: the inbox stays bounded, drops are reported in place")
    func armFloodIsBounded() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { TCPTest.release(group) }
        let inbox = SourceInbox(shedArmSamplesAbove: 500)
        let listener = TCPListenerSource(address: ListenAddress(port: 0), backlog: inbox.countProvider, holdBackAbove: 5_000)
        defer { listener.stop() }
        listener.start(sink: inbox.sink)
        let port = try #require(listener.boundPort)

        let n = 30_000
        var text = TCPTest.session("FLOOD", arms: ["PSM1"])
        for k in 1...n { text += TCPTest.arm("PSM1", t: Double(k) / 1000, seq: k) }
        let peer = try await TCPTest.Peer.connect(port: port, group: group)
        let written: EventLoopFuture<Void> = peer.channel.writeAndFlush(ByteBuffer(string: text))
        var most = 0
        // Nobody drains while the flood comes in.
        try await TCPTest.eventually("the flood read", within: 10) {
            most = max(most, inbox.count)
            return inbox.droppedFrames >= n - 500
        }
        try await written.get()
        try await Task.sleep(for: .milliseconds(50))
        most = max(most, inbox.count)
        #expect(most <= 501, "at most the threshold (+1 run) waited: \(most)")

        let events = inbox.drain()
        let arms = events.compactMap(TCPTest.frame).filter { if case .arm = $0.body { true } else { false } }
        let runs = events.compactMap { e -> DroppedFrames? in if case .dropped(let r) = e { r } else { nil } }
        #expect(arms.count + runs.reduce(0) { $0 + $1.count } == n, "every sample is either delivered or counted")
        #expect(runs.allSatisfy { $0.sequenceGaps == 0 })
        #expect(runs.first?.firstSeq == arms.last.map { ($0.seq ?? 0) + 1 }, "the run starts where delivery stopped")
        await peer.close()
    }

    @Test("a flood the inbox may not drop holds the gateway back instead of growing the inbox; nothing is lost")
    func linkFloodIsHeldBack() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { TCPTest.release(group) }
        let inbox = SourceInbox(shedArmSamplesAbove: 500)
        let listener = TCPListenerSource(address: ListenAddress(port: 0), backlog: inbox.countProvider, holdBackAbove: 2_000)
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
        let settle = MonotonicClock.now() + 1
        while MonotonicClock.now() < settle {
            most = max(most, inbox.count)
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(most >= 2_000, "the flood got as far as the limit: \(most)")
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
