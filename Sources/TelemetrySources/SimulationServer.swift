import NIOCore
import NIOPosix
import Simulator
import Synchronization
import Telemetry

/// `surgtop sim --serve [ADDR:]PORT`: one simulated live session, served to any number of
/// TCP clients (consoles, `nc`, a recorder…) as telemetry v1.
///
/// The session runs in real time from `start()`, whether or not anyone is watching: every
/// 10 ms the simulator is advanced to the elapsed session time and the new frames are sent,
/// as one buffer, to every client. Every client, however late, first gets the session frame
/// then a `sync` frame (the robot alarms active and the instruments mounted, both at the
/// current t; spec §4), then the live stream from that moment on.
///
/// A client that does not keep up is dropped (and logged) once more than `maxQueuedBytes`
/// (4 MB by default) wait for it, so it can neither hold up the others nor grow memory.
/// Clients only read: whatever they send is discarded.
///
/// It prints nothing; log lines (client connected, disconnected, dropped) go to `onLog`,
/// which is called on the server's own thread.
public final class SimulationServer: Sendable {
    /// By default a client with more than this many bytes waiting to be sent is dropped.
    public static let defaultMaxQueuedBytes = 4 * 1024 * 1024
    /// How often the simulator is advanced and frames are sent.
    static let tickInterval = TimeAmount.milliseconds(10)

    public let address: ListenAddress
    public let options: SimulatorOptions
    /// A client with more than this many bytes waiting to be sent is dropped.
    public let maxQueuedBytes: Int
    private let onLog: (@Sendable (String) -> Void)?
    private let group: MultiThreadedEventLoopGroup
    private let loop: any EventLoop
    private let state: Mutex<State>

    private struct Client {
        var channel: any Channel
        var peer: String
    }

    private struct State {
        var started = false
        var stopped = false
        var server: (any Channel)?
        var timer: RepeatedTask?
        var boundPort: Int?
        var boundAddress: String?
        /// The session; only the event loop touches it once started.
        var simulator: SessionSimulator
        /// Where the next session comes from once a scenario's story is told.
        var tour: SessionTour
        /// Monotonic time of session t = 0.
        var startWall = 0.0
        var clients: [ObjectIdentifier: Client] = [:]
    }

    /// `onLog` receives one line per client connected, disconnected or dropped. With
    /// `scenarios`, they are played in turn, looping, each a new session sent to every client.
    public init(address: ListenAddress, options: SimulatorOptions, scenarios: [Scenario] = [],
                maxQueuedBytes: Int = SimulationServer.defaultMaxQueuedBytes,
                onLog: (@Sendable (String) -> Void)? = nil) {
        self.address = address
        self.options = options
        self.maxQueuedBytes = max(1, maxQueuedBytes)
        self.onLog = onLog
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.loop = group.next()
        var tour = SessionTour(options: options, scenarios: scenarios)
        self.state = Mutex(State(simulator: tour.next(), tour: tour))
    }

    /// The port actually bound (useful with port 0), once started.
    public var boundPort: Int? { state.withLock { $0.boundPort } }

    /// "127.0.0.1:7000" once started.
    public var boundAddress: String? { state.withLock { $0.boundAddress } }

    /// Clients connected now.
    public var clientCount: Int { state.withLock { $0.clients.count } }

    /// Binds and starts the session clock. Throws a `ListenError` whose description is one
    /// sentence, e.g. "cannot listen on 127.0.0.1:7000: port 7000 is already in use".
    /// Blocks briefly; do not call it on a NIO event loop thread.
    public func start() throws(ListenError) {
        let go = state.withLock { s -> Bool? in
            if s.stopped { return nil }
            if s.started { return false }
            s.started = true
            return true
        }
        guard let go else { throw ListenError("cannot listen on \(address): the simulation server was stopped") }
        guard go else { return }

        let server: any Channel
        do {
            server = try ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(ChannelOptions.backlog, value: 64)
                .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(ChannelOptions.writeBufferWaterMark,
                                    value: .init(low: self.maxQueuedBytes / 4, high: self.maxQueuedBytes))
                // A client that shuts its sending side (`nc … < /dev/null`) still gets the stream.
                .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
                .childChannelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ClientHandler(server: self))
                    }
                }
                .bind(host: address.host, port: address.port)
                .wait()
        } catch {
            state.withLock { $0.started = false }
            throw ListenError(SocketErrorText.bindFailure(error, address: address))
        }

        let port = server.localAddress?.port
        let text = server.localAddress?.peerText ?? address.description
        let kept = state.withLock { s -> Bool in
            guard !s.stopped else { return false }
            s.server = server
            s.boundPort = port
            s.boundAddress = text
            s.startWall = MonotonicClock.now()
            // The simulator's first frame is its session frame at t = 0. Every client gets
            // the session frame when it joins, so this one is not sent as well.
            _ = s.simulator.next()
            s.timer = loop.scheduleRepeatedTask(initialDelay: Self.tickInterval, delay: Self.tickInterval) { [self] _ in
                tick()
            }
            return true
        }
        if !kept {
            server.close(promise: nil)
            throw ListenError("cannot listen on \(address): the simulation server was stopped")
        }
    }

    /// Closes every connection and stops the session. Idempotent; any thread.
    public func stop() {
        let (wasStopped, timer, server, clients) = state.withLock { s in
            let taken = (s.stopped, s.timer, s.server, s.clients.values.map(\.channel))
            s.stopped = true
            s.timer = nil
            s.server = nil
            s.clients = [:]
            return taken
        }
        guard !wasStopped else { return }
        timer?.cancel()
        TCPClientSource.shutDown(group, closing: clients + [server].compactMap { $0 })
    }

    // MARK: - on the event loop

    private func log(_ line: String) {
        onLog?(line)
    }

    /// Advances the session to now and sends what happened to every client.
    private func tick() {
        let now = MonotonicClock.now()
        let encoder = FrameEncoder()
        let (bytes, clients) = state.withLock { s -> ([UInt8], [Client]) in
            guard !s.stopped else { return ([], []) }
            let sending = !s.clients.isEmpty
            var bytes: [UInt8] = []
            // Bounded per tick (the rest waits for the next one), should the machine have slept.
            var budget = 100_000
            while budget > 0 {
                let due = now - s.startWall
                if let end = s.simulator.endTime, due > end, s.simulator.nextTime > end {
                    // The story is told: the next session starts, its session frame sent to all.
                    s.simulator = s.tour.next()
                    s.startWall += end
                    continue
                }
                guard s.simulator.nextTime <= min(due, s.simulator.endTime ?? .infinity) else { break }
                let frame = s.simulator.next()
                if sending { encoder.encode(frame, into: &bytes) }
                budget -= 1
            }
            return (bytes, Array(s.clients.values))
        }
        guard !bytes.isEmpty else { return }
        let buffer = ByteBuffer(bytes: bytes)
        for client in clients {
            if client.channel.isWritable {
                client.channel.writeAndFlush(buffer, promise: nil)
            } else {
                drop(client.channel, peer: client.peer)
            }
        }
    }

    fileprivate func joined(_ channel: any Channel, peer: String) -> Bool {
        let admitted = state.withLock { s -> (greeting: String, count: Int)? in
            guard !s.stopped else { return nil }
            s.clients[ObjectIdentifier(channel)] = Client(channel: channel, peer: peer)
            // At the time of the last frame sent, without a seq (not part of the numbering);
            // taken under the lock, so no frame sent to the others falls between them.
            let encoder = FrameEncoder()
            return (encoder.encode(s.simulator.sessionFrame) + encoder.encode(s.simulator.syncFrame), s.clients.count)
        }
        guard let admitted else { return false }
        channel.writeAndFlush(ByteBuffer(string: admitted.greeting), promise: nil)
        log("client \(peer) connected (\(Self.clients(admitted.count)))")
        return true
    }

    fileprivate func left(_ channel: any Channel, peer: String, reason: String?) {
        let count = state.withLock { s -> Int? in
            guard s.clients.removeValue(forKey: ObjectIdentifier(channel)) != nil, !s.stopped else { return nil }
            return s.clients.count
        }
        guard let count else { return }
        log("client \(peer) disconnected\(reason.map { ": \($0)" } ?? "") (\(Self.clients(count)))")
    }

    /// Drops a client that is not reading, before its queue grows any further.
    fileprivate func drop(_ channel: any Channel, peer: String) {
        let count = state.withLock { s -> Int? in
            guard s.clients.removeValue(forKey: ObjectIdentifier(channel)) != nil else { return nil }
            return s.clients.count
        }
        channel.close(promise: nil)
        guard let count else { return }
        log("dropped client \(peer): it is not reading fast enough, over \(Self.sizeText(maxQueuedBytes)) waiting (\(Self.clients(count)))")
    }

    private static func sizeText(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MB" : bytes >= 1 << 10 ? "\(bytes >> 10) KB" : "\(bytes) bytes"
    }

    private static func clients(_ n: Int) -> String {
        n == 1 ? "1 client" : "\(n) clients"
    }
}

/// One client of the simulation server: registers it, discards what it sends, drops it when
/// it stops reading. On the server's event loop.
private final class ClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let server: SimulationServer
    private var peer = "?"
    private var joined = false
    private var failure: String?

    init(server: SimulationServer) {
        self.server = server
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.remoteAddress?.peerText ?? "unknown peer"
        joined = server.joined(context.channel, peer: peer)
        if !joined { context.close(promise: nil) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Clients only read; anything they send is discarded.
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // `.inputClosed`: the client will send nothing more; it keeps receiving.
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if joined, !context.channel.isWritable {
            server.drop(context.channel, peer: peer)
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if failure == nil { failure = SocketErrorText.reason(error) }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if joined {
            joined = false
            server.left(context.channel, peer: peer, reason: failure)
        }
        context.fireChannelInactive()
    }
}
