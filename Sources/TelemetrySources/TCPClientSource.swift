import NIOCore
import NIOPosix
import SessionCore
import Synchronization
import Telemetry

/// `surgtop live HOST:PORT`: connects to a telemetry gateway and keeps reconnecting for ever.
///
/// Every connection gets a fresh `FrameStream` (the arms come from its session frame) and
/// starts with `.reset` then `.state(.connected(peer:))`. Before the first connection the
/// state is `.connecting(attempt:)`; after a connection is lost it is
/// `.reconnecting(lostAt:attempt:reason:)`, where `lostAt` stays the moment the data stopped
/// for the whole outage. Attempts follow `Backoff`. Those rules live in `ConnectionTimeline`,
/// a value tested without sockets; this class only carries them out on its event loop.
///
/// A session frame of a format version other than 1 refuses that stream: the connection is
/// closed (the error is reported first, nothing after it is decoded) and retried with the same
/// backoff as a refused connection: a refused stream never resets the backoff. With a `backlog` (the
/// inbox's `countProvider`), reading pauses while the consumer is far behind (see `SourceInbox`).
///
/// It never writes to the socket: data flows one way, so a console can never command a robot.
///
/// Threads: one NIO event loop of its own. Every event is emitted from that loop, so they
/// reach the sink in order. `stop()` may be called from any thread, including from the sink.
public final class TCPClientSource: TelemetrySource {
    public let host: String
    public let port: Int
    public let backoff: Backoff
    public let mode: SessionMode = .live
    /// "HOST:PORT" (IPv6 in brackets).
    public let label: String

    private let limits: LineReceiver.Limits
    /// `--record`: gets the bytes as received.
    private let tap: WireTap?
    private let group: MultiThreadedEventLoopGroup
    private let loop: any EventLoop
    private let state: Mutex<State>

    private struct State {
        var sink: (@Sendable (SourceEvent) -> Void)?
        var started = false
        var stopped = false
        var channel: (any Channel)?
        var retry: Scheduled<Void>?
        /// Outages, attempts and backoff. Only the event loop changes it.
        var timeline: ConnectionTimeline
    }

    /// - backlog: the consumer's pending events (`SourceInbox.countProvider`); reading pauses
    ///   while `holdBackAbove` or more wait.
    /// - handshakeTimeout: seconds a connection has to deliver its first valid frame
    ///   (`telemetry.handshake_s`).
    /// - silenceTimeout: seconds without a valid frame, once one came, after which the connection
    ///   is closed and dialled again (`telemetry.reconnect_after_s`).
    /// - arrivals: measuring only (`SURGTOP_LATENCY_LOG`): told when each read returns.
    public init(host: String, port: Int, backoff: Backoff = .standard, backlog: (@Sendable () -> Int)? = nil,
                holdBackAbove: Int = SourceInbox.holdBackThreshold,
                handshakeTimeout: Double = TCPListenerSource.defaultHandshakeTimeout,
                silenceTimeout: Double = TCPListenerSource.defaultReconnectAfter, tap: WireTap? = nil,
                arrivals: LatencyProbe? = nil) {
        self.tap = tap
        self.host = host
        self.port = port
        self.backoff = backoff
        // A gateway that sends nothing (at first, or any more: half-open after a reboot) is
        // redialled rather than waited on until TCP keepalive gives up.
        self.limits = LineReceiver.Limits(handshakeTimeout: TCPListenerSource.positive(handshakeTimeout, or: TCPListenerSource.defaultHandshakeTimeout),
                                          idleTimeout: TCPListenerSource.positive(silenceTimeout, or: TCPListenerSource.defaultReconnectAfter),
                                          backlog: backlog, holdBackAbove: holdBackAbove, arrivals: arrivals)
        let label = AddressSyntax.join(host, port)
        self.label = label
        self.state = Mutex(State(timeline: ConnectionTimeline(label: label, backoff: backoff)))
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.loop = group.next()
    }

    public convenience init(_ address: HostPort, backoff: Backoff = .standard, backlog: (@Sendable () -> Int)? = nil) {
        self.init(host: address.host, port: address.port, backoff: backoff, backlog: backlog)
    }

    public func start(sink: @escaping @Sendable (SourceEvent) -> Void) {
        let first = state.withLock { s -> SourceState? in
            guard !s.started, !s.stopped else { return nil }
            s.started = true
            s.sink = sink
            return s.timeline.start()
        }
        guard let first else { return }
        loop.execute {
            self.emit(.state(first))
            self.connect()
        }
    }

    /// Closes the connection, cancels any retry and shuts the event loop down. No event is
    /// reported afterwards. Idempotent; any thread, including the sink's. Off NIO's threads
    /// it returns once the socket is closed; the loop thread ends shortly after.
    public func stop() {
        let (wasStopped, channel, retry) = state.withLock { s in
            let was = s.stopped
            s.stopped = true
            s.sink = nil
            let taken = (was, s.channel, s.retry)
            s.channel = nil
            s.retry = nil
            return taken
        }
        guard !wasStopped else { return }
        retry?.cancel()
        Self.shutDown(group, closing: channel.map { [$0] } ?? [])
    }

    // MARK: - on the event loop

    private func emit(_ event: SourceEvent) {
        if let sink = state.withLock({ $0.sink }) { sink(event) }
    }

    private func connect() {
        guard !state.withLock({ $0.stopped }) else { return }
        let delegate = LineReceiver.Delegate(
            opened: { [self] channel, peer in opened(channel, peer: peer) },
            decoded: { [self] outcome in emit(.decoded(outcome)) },
            log: { [self] line in emit(.log(line)) },
            received: tap,
            closed: { [self] channel, peer, ending in lost(channel, peer: peer, ending) }
        )
        ClientBootstrap(group: loop)
            .connectTimeout(.seconds(5))
            .channelOption(ChannelOptions.socketOption(.so_keepalive), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(LineReceiver(delegate: delegate, limits: self.limits))
                }
            }
            .connect(host: host, port: port)
            .whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    // `opened` has normally claimed it already; a stop may have come in between.
                    if state.withLock({ $0.stopped }) { channel.close(promise: nil) }
                case .failure(let error):
                    failed(reason: SocketErrorText.reason(error))
                }
            }
    }

    private func opened(_ channel: any Channel, peer: String) -> Bool {
        let now = MonotonicClock.now()
        let opened = state.withLock { s -> (log: String?, outage: Double?)? in
            guard !s.stopped else { return nil }
            s.channel = channel
            let outage = s.timeline.lostAt.map { Swift.max(0, now - $0) }
            return (s.timeline.connected(peer: peer, at: now), outage)
        }
        guard let opened else { return false }
        emit(.reset)
        emit(.state(.connected(peer: peer)))
        emit(.connection(.connected(peer: peer, afterOutage: opened.outage)))
        if let log = opened.log { emit(.log(log)) }
        return true
    }

    /// A connection attempt failed: report it and schedule the next one.
    private func failed(reason: String) {
        let retry = state.withLock { s -> ConnectionTimeline.Retry? in
            guard !s.stopped else { return nil }
            return s.timeline.attemptFailed(reason: reason)
        }
        guard let retry else { return }
        emit(.connection(.cannotConnect(target: label, reason: reason)))
        carryOut(retry)
    }

    /// An established connection ended (the last line has been decoded already).
    private func lost(_ channel: any Channel, peer: String, _ ending: LineReceiver.Ending) {
        let now = MonotonicClock.now()
        let retry = state.withLock { s -> ConnectionTimeline.Retry? in
            if s.channel === channel { s.channel = nil }
            guard !s.stopped else { return nil }
            return s.timeline.connectionEnded(reason: ending.reason, byConsole: ending.byConsole,
                                              receivedBytes: ending.receivedBytes,
                                              receivedFrames: ending.receivedFrames, silence: ending.silence, at: now)
        }
        guard let retry else { return }
        emit(.connection(ending.byConsole ? .dropped(peer: peer, reason: ending.reason, reconnecting: true)
                                          : .lost(peer: peer, reason: ending.reason)))
        carryOut(retry)
    }

    private func carryOut(_ retry: ConnectionTimeline.Retry) {
        emit(.state(retry.state))
        if let log = retry.log { emit(.log(log)) }
        scheduleConnect(after: retry.delay)
    }

    private func scheduleConnect(after delay: Double) {
        state.withLock { s in
            guard !s.stopped else { return }
            s.retry = loop.scheduleTask(in: .nanoseconds(Int64(delay * 1e9))) { [self] in
                state.withLock { $0.retry = nil }
                connect()
            }
        }
    }

    // MARK: - helpers shared with the listener and the server

    /// Closes a source's channels and shuts its event loop group down, never blocking one of
    /// NIO's threads. Off the event loop it waits for the channels to be closed (so a port is
    /// free again when `stop` returns) but not for the threads to end: a synchronous group
    /// shutdown needs Dispatch threads, which can be slow to come when the caller's own pool
    /// (Swift concurrency's, on a small machine) is the one waiting.
    static func shutDown(_ group: MultiThreadedEventLoopGroup, closing channels: [any Channel]) {
        let closed = channels.map { $0.close() }
        if MultiThreadedEventLoopGroup.currentEventLoop == nil {
            for future in closed { try? future.wait() }
        }
        group.shutdownGracefully { _ in }
    }
}
