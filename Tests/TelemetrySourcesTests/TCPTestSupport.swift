import NIOCore
import NIOPosix
import SessionCore
import Synchronization
import Telemetry
import Testing
import TelemetrySources

/// Helpers for the TCP tests, in one namespace so they cannot clash with other test files.
enum TCPTest {
    struct Timeout: Error, CustomStringConvertible {
        var description: String
    }

    /// Polls `condition` every few milliseconds until it holds, or fails after `seconds`.
    static func eventually(_ what: String, within seconds: Double = 10,
                           _ condition: () throws -> Bool) async throws {
        let deadline = MonotonicClock.now() + seconds
        while try !condition() {
            if MonotonicClock.now() > deadline {
                Issue.record("timed out after \(seconds) s waiting for \(what)")
                throw Timeout(description: "timed out waiting for \(what)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Shuts a test's event loop group down without waiting (usable in `defer`).
    static func release(_ group: MultiThreadedEventLoopGroup) {
        group.shutdownGracefully { _ in }
    }

    // MARK: - frames as text

    static func session(_ id: String, arms: [String], t: Double = 0) -> String {
        let descriptors = arms.map {
            ArmDescriptor(id: $0, kind: .psm, joints: [JointDescriptor(name: "yaw", unit: .rad)])
        }
        return FrameEncoder().encode(Frame(t: t, body: .session(SessionInfo(id: id, arms: descriptors))))
    }

    static func arm(_ arm: String, t: Double, seq: Int? = nil) -> String {
        FrameEncoder().encode(Frame(t: t, seq: seq, body: .arm(ArmSample(arm: arm, position: [0.25]))))
    }

    // MARK: - events

    /// Everything a source reported, through a real `SourceInbox`.
    final class Events: Sendable {
        let inbox = SourceInbox()
        private let seen = Mutex<[SourceEvent]>([])

        var sink: @Sendable (SourceEvent) -> Void { inbox.sink }

        /// Every event so far, oldest first.
        var everything: [SourceEvent] {
            let new = inbox.drain()
            return seen.withLock { list in
                list.append(contentsOf: new)
                return list
            }
        }

        /// All events so far but the connection events (`connections`), oldest first.
        var all: [SourceEvent] {
            everything.filter { if case .connection = $0 { false } else { true } }
        }

        /// The connection events (for the Events panel) so far, oldest first.
        var connections: [ConnectionEvent] {
            everything.compactMap { if case .connection(let c) = $0 { c } else { nil } }
        }

        var states: [SourceState] { all.compactMap(TCPTest.state) }
        var frames: [Frame] { all.compactMap(TCPTest.frame) }
        var logs: [String] { all.compactMap(TCPTest.log) }
    }

    static func state(_ e: SourceEvent) -> SourceState? {
        if case .state(let s) = e { return s }
        return nil
    }

    static func frame(_ e: SourceEvent) -> Frame? {
        if case .decoded(.frame(let f)) = e { return f }
        return nil
    }

    static func log(_ e: SourceEvent) -> String? {
        if case .log(let l) = e { return l }
        return nil
    }

    static func isReset(_ e: SourceEvent) -> Bool {
        if case .reset = e { return true }
        return false
    }

    static func decodeError(_ e: SourceEvent) -> DecodeError? {
        if case .decoded(.error(let d)) = e { return d }
        return nil
    }

    /// A short text per event, to compare sequences readably.
    static func brief(_ e: SourceEvent) -> String {
        switch e {
        case .reset: return "reset"
        case .checkpoint(let c): return "checkpoint \(c.t)"
        case .resumed(let c): return "resumed \(c.t)"
        case .seeked(let id): return "seeked \(id)"
        case .log: return "log"
        case .connection(let c): return "connection \(c.text)"
        case .dropped(let run): return "dropped \(run.count)"
        case .recording: return "recording"
        case .state(let s):
            switch s {
            case .connecting(let n): return "connecting \(n)"
            case .listening: return "listening"
            case .connected: return "connected"
            case .reconnecting(_, let n, _): return "reconnecting \(n)"
            case .paused: return "paused"
            case .ended: return "ended"
            case .failed: return "failed"
            }
        case .decoded(let outcome):
            switch outcome {
            case .frame(let f):
                if case .arm(let a) = f.body { return "arm \(a.arm) \(f.t)" }
                return "\(f.typeName.rawValue) \(f.t)"
            case .blank: return "blank"
            case .unknownType(let t): return "unknown \(t)"
            case .error(let d): return "error line \(d.line)"
            }
        }
    }

    // MARK: - a gateway the client connects to

    /// A telemetry gateway on 127.0.0.1: accepts consoles, sends them text, counts what they send.
    final class Gateway: Sendable {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        private let state = Mutex<(server: (any Channel)?, connections: [any Channel], accepted: Int, received: Int)>(
            (nil, [], 0, 0))

        /// While set, every new connection is closed as soon as it is accepted.
        let hangsUp = Atomic<Bool>(false)

        var acceptedCount: Int { state.withLock { $0.accepted } }
        /// Bytes the consoles sent us: must stay 0.
        var receivedBytes: Int { state.withLock { $0.received } }

        /// Listens on 127.0.0.1 (port 0: any free port); returns the port.
        func listen(port: Int = 0) async throws -> Int {
            let server = try await ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { [self] channel in
                    state.withLock {
                        $0.connections.append(channel)
                        $0.accepted += 1
                    }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(Counter(gateway: self))
                    }
                }
                .bind(host: "127.0.0.1", port: port)
                .get()
            state.withLock { $0.server = server }
            return server.localAddress!.port!
        }

        fileprivate func count(_ n: Int) {
            state.withLock { $0.received += n }
        }

        func closeListener() async throws {
            let server = state.withLock { s in
                defer { s.server = nil }
                return s.server
            }
            try await server?.close()
        }

        /// Sends text to the most recent connection.
        func send(_ text: String) async throws {
            let channel = state.withLock { $0.connections.last }
            guard let channel else { throw Timeout(description: "no connection to send to") }
            try await channel.writeAndFlush(ByteBuffer(string: text))
        }

        /// Closes every accepted connection.
        func dropConnections() async throws {
            let channels = state.withLock { s in
                defer { s.connections = [] }
                return s.connections
            }
            for channel in channels { try? await channel.close() }
        }

        func shutdown() async {
            try? await closeListener()
            try? await dropConnections()
            try? await group.shutdownGracefully()
        }
    }

    private final class Counter: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let gateway: Gateway

        init(gateway: Gateway) {
            self.gateway = gateway
        }

        func channelActive(context: ChannelHandlerContext) {
            context.fireChannelActive()
            if gateway.hangsUp.load(ordering: .sequentiallyConsistent) { context.close(promise: nil) }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            gateway.count(unwrapInboundIn(data).readableBytes)
        }
    }

    // MARK: - a peer that connects (a pushing gateway, or a simulator client)

    /// A TCP connection from 127.0.0.1 that records what it receives.
    final class Peer: Sendable {
        let channel: any Channel
        fileprivate let box: Box

        final class Box: Sendable {
            let received = Mutex<[UInt8]>([])
            let closed = Atomic<Bool>(false)
            let address = Mutex("?")
        }

        /// "127.0.0.1:54321", as the other end names us (recorded when the connection came up:
        /// a refused connection may be closed before `connect` returns).
        var address: String { box.address.withLock { $0 } }

        private init(channel: any Channel, box: Box) {
            self.channel = channel
            self.box = box
            channel.closeFuture.whenComplete { [box] _ in box.closed.store(true, ordering: .sequentiallyConsistent) }
        }

        /// Connects to 127.0.0.1:port. With `reading: false` it never reads (a stalled client).
        /// `greeting` is sent as soon as the connection is up, from its event loop: a test task
        /// that resumes late on a busy machine cannot make it miss a listener's handshake time.
        static func connect(port: Int, group: any EventLoopGroup, reading: Bool = true,
                            greeting: String? = nil) async throws -> Peer {
            let box = Box()
            let channel = try await ClientBootstrap(group: group)
                .channelOption(ChannelOptions.autoRead, value: reading)
                .channelOption(ChannelOptions.socketOption(.so_rcvbuf), value: reading ? 1 << 16 : 4096)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(Collector(box: box, greeting: greeting))
                    }
                }
                .connect(host: "127.0.0.1", port: port)
                .get()
            return Peer(channel: channel, box: box)
        }

        var isClosed: Bool { box.closed.load(ordering: .sequentiallyConsistent) }
        var received: [UInt8] { box.received.withLock { $0 } }

        /// What we received, decoded line by line.
        var outcomes: [DecodeOutcome] {
            var stream = FrameStream()
            var out: [DecodeOutcome] = []
            stream.feed(received) { out.append($0) }
            return out
        }

        var frames: [Frame] {
            outcomes.compactMap { if case .frame(let f) = $0 { f } else { nil } }
        }

        func send(_ text: String) async throws {
            try await channel.writeAndFlush(ByteBuffer(string: text))
        }

        func close() async {
            try? await channel.close()
        }
    }

    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let box: Peer.Box
        let greeting: String?

        init(box: Peer.Box, greeting: String?) {
            self.box = box
            self.greeting = greeting
        }

        func channelActive(context: ChannelHandlerContext) {
            if let a = context.localAddress, let ip = a.ipAddress, let port = a.port {
                box.address.withLock { $0 = "\(ip):\(port)" }
            }
            context.fireChannelActive()
            if let greeting { context.writeAndFlush(NIOAny(ByteBuffer(string: greeting)), promise: nil) }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            box.received.withLock { $0.append(contentsOf: buffer.readableBytesView) }
        }
    }
}
