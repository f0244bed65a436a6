import NIOCore
import NIOPosix
import SessionCore
import Synchronization
import Telemetry

/// `surgtop live --listen [ADDR:]PORT`: waits for a gateway that pushes telemetry to us.
///
/// Binding is separate from starting so that the command line can fail early and clearly:
///
///     let source = TCPListenerSource(address: try ListenAddress(parsing: "7000"))
///     do { try source.bind() } catch { print("surgtop: \(error)"); exit(1) }
///     // "cannot listen on 127.0.0.1:7000: port 7000 is already in use"
///     source.start(sink: inbox.sink)
///
/// (`start` binds by itself when `bind` was not called, and reports a failure as
/// `.state(.failed(message))`.) Nothing is accepted before `start`: early gateways wait in
/// the kernel's backlog.
///
/// One gateway at a time: while one is connected, another one is refused (closed at once)
/// and the refusal is logged. Each gateway starts with `.reset` and `.connected(peer:)`, with
/// a fresh `FrameStream`; when it leaves the state goes back to `.listening(address:)`.
///
/// The slot is not held for nothing: a gateway that has sent no valid frame within
/// `handshakeTimeout` seconds of connecting (silent, or trickling a byte at a time) is dropped,
/// so is one that sends none for `silenceTimeout` seconds after a frame, and so is one whose session frame declares a format version other than 1 (its
/// stream is refused after the error is reported). All are logged and reported as
/// `.connection` events, and the listener goes on listening.
/// With a `backlog` (the inbox's `countProvider`), reading pauses while the consumer is far
/// behind (see `SourceInbox`). It never writes to a connection.
public final class TCPListenerSource: TelemetrySource {
    public let address: ListenAddress
    public let mode: SessionMode = .live
    /// Seconds a gateway has, from connecting, to send its first valid frame.
    public let handshakeTimeout: Double

    private let limits: LineReceiver.Limits
    /// `--record`: gets the bytes as received.
    private let tap: WireTap?
    private let group: MultiThreadedEventLoopGroup
    private let state = Mutex(State())

    private struct State {
        var sink: (@Sendable (SourceEvent) -> Void)?
        var started = false
        var stopped = false
        var server: (any Channel)?
        var boundAddress: String?
        var boundPort: Int?
        var gateway: (channel: any Channel, peer: String)?
    }

    /// The default `handshakeTimeout`, as the alarm settings' `telemetry.handshake_s`.
    public static let defaultHandshakeTimeout = 5.0
    /// The default silence before a connection is dropped, as `telemetry.reconnect_after_s`.
    public static let defaultReconnectAfter = 5.0

    /// `seconds` when it is a usable timeout (finite, above 0), else `fallback`.
    static func positive(_ seconds: Double, or fallback: Double) -> Double {
        seconds.isFinite && seconds > 0 ? seconds : fallback
    }

    /// Does not bind yet: call `bind()` (or `start`).
    /// - handshakeTimeout: seconds a gateway has to send its first valid frame (positive).
    /// - silenceTimeout: seconds without a valid frame, once one came, after which a gateway is
    ///   dropped (positive).
    /// - backlog: the consumer's pending events (`SourceInbox.countProvider`); reading pauses
    ///   while `holdBackAbove` or more wait.
    /// - arrivals: measuring only (`SURGTOP_LATENCY_LOG`): told when each read returns.
    public init(address: ListenAddress, handshakeTimeout: Double = TCPListenerSource.defaultHandshakeTimeout,
                silenceTimeout: Double = TCPListenerSource.defaultReconnectAfter,
                backlog: (@Sendable () -> Int)? = nil, holdBackAbove: Int = SourceInbox.holdBackThreshold,
                tap: WireTap? = nil, arrivals: LatencyProbe? = nil) {
        self.tap = tap
        self.address = address
        let handshake = Self.positive(handshakeTimeout, or: Self.defaultHandshakeTimeout)
        self.handshakeTimeout = handshake
        self.limits = LineReceiver.Limits(handshakeTimeout: handshake,
                                          idleTimeout: Self.positive(silenceTimeout, or: Self.defaultReconnectAfter),
                                          backlog: backlog, holdBackAbove: holdBackAbove, arrivals: arrivals)
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    }

    /// "listen 127.0.0.1:7000" (with the bound port once bound).
    public var label: String { "listen \(boundAddress ?? address.description)" }

    /// The port actually bound (useful with port 0), once `bind()` succeeded.
    public var boundPort: Int? { state.withLock { $0.boundPort } }

    /// "127.0.0.1:7000" once bound.
    public var boundAddress: String? { state.withLock { $0.boundAddress } }

    /// Binds the listening socket now. Idempotent. Throws a `ListenError` whose description is
    /// one sentence, e.g. "cannot listen on 127.0.0.1:7000: port 7000 is already in use".
    /// Blocks briefly; do not call it on a NIO event loop thread.
    public func bind() throws(ListenError) {
        let done = state.withLock { s -> Bool? in
            if s.stopped { return nil }
            return s.server != nil
        }
        guard let done else { throw ListenError("cannot listen on \(address): the listener was stopped") }
        if done { return }
        let delegate = LineReceiver.Delegate(
            opened: { [self] channel, peer in opened(channel, peer: peer) },
            decoded: { [self] outcome in emit(.decoded(outcome)) },
            log: { [self] line in emit(.log(line)) },
            received: tap,
            closed: { [self] channel, peer, ending in closed(channel, peer: peer, ending) }
        )
        let server: any Channel
        do {
            server = try ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(ChannelOptions.backlog, value: 16)
                // Accept nothing until `start` has a sink to report to.
                .serverChannelOption(ChannelOptions.autoRead, value: false)
                .childChannelOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(LineReceiver(delegate: delegate, limits: self.limits))
                    }
                }
                .bind(host: address.host, port: address.port)
                .wait()
        } catch {
            throw ListenError(SocketErrorText.bindFailure(error, address: address))
        }
        let port = server.localAddress?.port
        let text = server.localAddress?.peerText ?? address.description
        let keep = state.withLock { s -> Bool in
            guard !s.stopped, s.server == nil else { return false }
            s.server = server
            s.boundPort = port
            s.boundAddress = text
            return true
        }
        if !keep { server.close(promise: nil) }
    }

    public func start(sink: @escaping @Sendable (SourceEvent) -> Void) {
        let go = state.withLock { s in
            guard !s.started, !s.stopped else { return false }
            s.started = true
            s.sink = sink
            return true
        }
        guard go else { return }
        do {
            try bind()
        } catch {
            emit(.state(.failed(error.description)))
            return
        }
        guard let server = state.withLock({ $0.server }) else { return }
        emit(.state(.listening(address: boundAddress ?? address.description)))
        server.setOption(ChannelOptions.autoRead, value: true).whenFailure { [self] error in
            emit(.state(.failed("cannot accept connections on \(address): \(SocketErrorText.reason(error))")))
        }
    }

    /// Closes the gateway's connection and the listening socket (the port is free when it
    /// returns, unless called on a NIO thread) and shuts the event loop down. No event is
    /// reported afterwards. Idempotent; any thread, including the sink's.
    public func stop() {
        let (wasStopped, server, gateway) = state.withLock { s in
            let taken = (s.stopped, s.server, s.gateway?.channel)
            s.stopped = true
            s.sink = nil
            s.server = nil
            s.gateway = nil
            return taken
        }
        guard !wasStopped else { return }
        TCPClientSource.shutDown(group, closing: [gateway, server].compactMap { $0 })
    }

    // MARK: - on the event loop

    private func emit(_ event: SourceEvent) {
        if let sink = state.withLock({ $0.sink }) { sink(event) }
    }

    private enum Admission {
        case accept
        case refuse(current: String)
        case stopped
    }

    private func opened(_ channel: any Channel, peer: String) -> Bool {
        let admission = state.withLock { s -> Admission in
            if s.stopped { return .stopped }
            if let current = s.gateway { return .refuse(current: current.peer) }
            s.gateway = (channel, peer)
            return .accept
        }
        switch admission {
        case .stopped:
            return false
        case .refuse(let current):
            emit(.connection(.refusedGateway(peer: peer, current: current)))
            emit(.log("refused a second gateway from \(peer) while \(current) is connected"))
            return false
        case .accept:
            emit(.reset)
            emit(.state(.connected(peer: peer)))
            emit(.connection(.gatewayConnected(peer: peer)))
            emit(.log("gateway \(peer) connected"))
            return true
        }
    }

    private func closed(_ channel: any Channel, peer: String, _ ending: LineReceiver.Ending) {
        let listening = state.withLock { s -> String? in
            if let g = s.gateway, g.channel === channel { s.gateway = nil }
            return s.stopped ? nil : (s.boundAddress ?? address.description)
        }
        guard let listening else { return }
        emit(.connection(ending.byConsole ? .dropped(peer: peer, reason: ending.reason, reconnecting: false)
                                          : .lost(peer: peer, reason: ending.reason)))
        if ending.byConsole {
            emit(.log("dropped gateway \(peer): \(ending.reason); listening for another"))
        } else {
            emit(.log("gateway \(peer) disconnected: \(ending.reason)"))
        }
        emit(.state(.listening(address: listening)))
    }
}
