import NIOCore
import NIOPosix
import Simulator
import Synchronization
import Telemetry
import Testing
import TelemetrySources

@Suite("Simulation server")
struct SimulationServerTests {
    static func options(armRateHz: Double = 100, includeMasters: Bool = false) -> SimulatorOptions {
        SimulatorOptions(seed: 7, armRateHz: armRateHz, linkRateHz: 5, includeMasters: includeMasters, sessionID: "SIM-TEST")
    }

    final class Logs: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        var sink: @Sendable (String) -> Void { { [self] line in lines.withLock { $0.append(line) } } }
    }

    /// t never decreases and every frame decodes.
    static func checkStream(_ peer: TCPTest.Peer) {
        let outcomes = peer.outcomes
        #expect(!outcomes.contains { if case .error = $0 { true } else { false } }, "every line decodes")
        let times = peer.frames.map(\.t)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 <= $1 }, "t never decreases")
        let seqs = peer.frames.dropFirst().compactMap(\.seq)
        #expect(zip(seqs, seqs.dropFirst()).allSatisfy { $1 == $0 + 1 }, "no frame is lost")
    }

    @Test("two clients; the late one starts with a session frame at the current time; t increases")
    func twoClients() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { TCPTest.release(group) }
        let logs = Logs()
        let server = SimulationServer(address: ListenAddress(port: 0), options: Self.options(), onLog: logs.sink)
        defer { server.stop() }
        try server.start()
        let port = try #require(server.boundPort)
        #expect(server.boundAddress == "127.0.0.1:\(port)")
        #expect(server.clientCount == 0)

        let early = try await TCPTest.Peer.connect(port: port, group: group)
        try await TCPTest.eventually("frames for the first client") {
            (early.frames.last?.t ?? 0) >= 0.25
        }
        let first = try #require(early.frames.first)
        guard case .session(let info) = first.body else {
            Issue.record("the first line is not a session frame: \(first)")
            return
        }
        #expect(info.id == "SIM-TEST")

        // Everything the first client has before the second joins is no later than the join.
        let before = try #require(early.frames.last?.t)
        let late = try await TCPTest.Peer.connect(port: port, group: group)
        try await TCPTest.eventually("both clients counted") { server.clientCount == 2 }
        // Anything a client sends is discarded; it stays connected.
        try await late.send("please stop the robot\n")
        try await TCPTest.eventually("frames for the late client") { late.frames.count >= 10 }
        let lateFirst = try #require(late.frames.first)
        guard case .session = lateFirst.body else {
            Issue.record("the late client's first line is not a session frame: \(lateFirst)")
            return
        }
        #expect(lateFirst.t >= before, "the session frame carries the current session time")
        #expect(lateFirst.seq == nil)
        #expect(lateFirst.t > 0.2)
        // Then `sync` (spec §4), at the same time and outside the numbering too.
        let lateSync = late.frames[1]
        guard case .sync(let sync) = lateSync.body else {
            Issue.record("the late client's second line is not a sync frame: \(lateSync)")
            return
        }
        #expect(lateSync.t == lateFirst.t && lateSync.seq == nil)
        #expect(sync.instruments?.map(\.arm) == ["PSM1", "PSM2", "PSM3"])
        if case .sync = early.frames[1].body {} else { Issue.record("the first client got no sync frame either") }
        #expect(late.frames.dropFirst().allSatisfy { $0.t >= lateFirst.t })
        #expect(!late.frames.dropFirst().contains { if case .session = $0.body { true } else { false } })

        // Both receive the same live stream from then on.
        try await TCPTest.eventually("the streams to advance") { (late.frames.last?.t ?? 0) > lateFirst.t + 0.1 }
        let t = try #require(late.frames.last?.t)
        try await TCPTest.eventually("the early client to catch up") { (early.frames.last?.t ?? 0) >= t }
        Self.checkStream(early)
        Self.checkStream(late)
        let lateStream = Array(late.frames.dropFirst(2))
        let earlyFrames = early.frames
        let join = try #require(earlyFrames.firstIndex { $0.seq == lateStream.first?.seq })
        #expect(Array(earlyFrames[join...].prefix(lateStream.count)) == lateStream, "one stream for everyone")
        #expect(!late.isClosed)

        await early.close()
        try await TCPTest.eventually("one client left") { server.clientCount == 1 }
        #expect(logs.all.filter { $0.contains(" connected (") }.count == 2)
        #expect(logs.all.contains { $0.hasPrefix("client \(early.address) disconnected") })

        server.stop()
        try await TCPTest.eventually("the late client to be closed by stop") { late.isClosed }
        #expect(server.clientCount == 0)
        server.stop()
    }

    @Test("the TCP client source decodes the served session without an error")
    func clientSourceOnServer() async throws {
        let server = SimulationServer(address: ListenAddress(port: 0), options: Self.options(includeMasters: true))
        defer { server.stop() }
        try server.start()
        let port = try #require(server.boundPort)
        let events = TCPTest.Events()
        let source = TCPClientSource(host: "127.0.0.1", port: port, backoff: Backoff(initial: 0.02, max: 0.1))
        defer { source.stop() }
        source.start(sink: events.sink)
        try await TCPTest.eventually("a tenth of a second of session") { (events.frames.last?.t ?? 0) > 0.1 }
        let briefs = events.all.map(TCPTest.brief)
        #expect(Array(briefs.prefix(3)) == ["connecting 1", "reset", "connected"])
        #expect(briefs.count > 3 && briefs[3].hasPrefix("session "))
        #expect(events.all.compactMap(TCPTest.decodeError).isEmpty)
        #expect(events.frames.contains { if case .arm(let a) = $0.body { a.arm == "MTML" } else { false } })
        source.stop()
    }

    @Test("a port in use is one clear error")
    func portInUse() throws {
        let first = SimulationServer(address: ListenAddress(port: 0), options: Self.options())
        defer { first.stop() }
        try first.start()
        let port = try #require(first.boundPort)
        let second = SimulationServer(address: ListenAddress(port: port), options: Self.options())
        defer { second.stop() }
        let error = #expect(throws: ListenError.self) { try second.start() }
        #expect(error?.description == "cannot listen on 127.0.0.1:\(port): port \(port) is already in use")
        #expect(second.boundPort == nil)
    }

    @Test("a client that stops reading is dropped; the others go on")
    func slowClientDropped() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { TCPTest.release(group) }
        let logs = Logs()
        // The fastest session, so that the queue fills quickly behind a client that does not
        // read. Not a smaller limit than 2 MB: a server whose loop a busy machine starves for a
        // while catches up in one burst, and a burst over the limit drops every client.
        let server = SimulationServer(address: ListenAddress(port: 0),
                                      options: Self.options(armRateHz: 1000, includeMasters: true),
                                      maxQueuedBytes: 2 << 20, onLog: logs.sink)
        #expect(server.maxQueuedBytes == 2 << 20)
        defer { server.stop() }
        try server.start()
        let port = try #require(server.boundPort)
        let stalled = try await TCPTest.Peer.connect(port: port, group: group, reading: false)
        let reader = try await TCPTest.Peer.connect(port: port, group: group)
        try await TCPTest.eventually("the stalled client to be dropped", within: 30) {
            logs.all.contains { $0.hasPrefix("dropped client \(stalled.address)") }
        }
        #expect(!logs.all.contains { $0.hasPrefix("dropped client \(reader.address)") }, "logs: \(logs.all)")
        try await TCPTest.eventually("one client left") { server.clientCount == 1 }
        let before = reader.received.count
        try await TCPTest.eventually("the reader to keep receiving") { reader.received.count > before }
        #expect(!reader.isClosed)
    }
}
