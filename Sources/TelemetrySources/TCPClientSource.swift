import NIOCore
import NIOPosix
import Synchronization
import Telemetry

/// Capped exponential backoff between connection attempts.
public struct Backoff: Sendable, Equatable {
    /// Delay after the first failure, in seconds.
    public var initial: Double
    /// Growth per further failure.
    public var factor: Double
    /// The delay never exceeds this many seconds.
    public var max: Double

    public init(initial: Double, factor: Double = 2, max: Double) {
        self.initial = initial
        self.factor = factor
        self.max = max
    }

    /// 0.25 s, 0.5 s, 1 s, 2 s, 4 s, then 5 s for ever.
    public static let standard = Backoff(initial: 0.25, factor: 2, max: 5)

    /// Seconds to wait before the next attempt after `n` consecutive failures (0 when n ≤ 0).
    public func delay(afterFailures n: Int) -> Double {
        guard n > 0 else { return 0 }
        var d = initial
        var i = 1
        while i < n, i < 64, d < max {
            d *= factor
            i += 1
        }
        return Swift.min(d, max)
    }
}

/// `surgtop live HOST:PORT`: connects to a telemetry gateway and keeps reconnecting for ever.
///
/// Every connection gets a fresh `FrameStream` (the arms come from its session frame) and
/// starts with `.reset` then `.state(.connected(peer:))`. Before the first connection the
/// state is `.connecting(attempt:)`; after a connection is lost it is
/// `.reconnecting(lostAt:attempt:reason:)`, where `lostAt` stays the moment the data stopped
/// for the whole outage. Attempts follow `Backoff`.
///
/// A session frame of a format version other than 1 refuses that stream: the connection is
/// closed (the error is reported first, nothing after it is decoded) and retried with the same
/// backoff as a refused connection, since it did not deliver telemetry. With a `backlog` (the
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
    private let group: MultiThreadedEventLoopGroup
    private let loop: any EventLoop
    private let state = Mutex(State())

    private struct State {
        var sink: (@Sendable (SourceEvent) -> Void)?
        var started = false
        var stopped = false
        var channel: (any Channel)?
        var retry: Scheduled<Void>?
        // Only the event loop touches the rest.
        /// Number of the attempt in progress or about to be made, counted per outage.
        var attempt = 0
        /// Consecutive failures, for the backoff. A connection that delivered data resets it.
        var failures = 0
        /// When the data stopped (monotonic seconds), for the current outage.
        var lostAt: Double?
        /// The last failure reason logged, so a retry that fails the same way is not logged again.
        var lastLoggedFailure: String?
        /// Whether the end of the current outage has been logged.
        var reconnectLogged = false
    }

    /// - backlog: the consumer's pending events (`SourceInbox.countProvider`); reading pauses
    ///   while `holdBackAbove` or more wait.
    public init(host: String, port: Int, backoff: Backoff = .standard, backlog: (@Sendable () -> Int)? = nil,
                holdBackAbove: Int = SourceInbox.holdBackThreshold) {
        self.host = host
        self.port = port
        self.backoff = backoff
        self.limits = LineReceiver.Limits(handshakeTimeout: nil, backlog: backlog, holdBackAbove: holdBackAbove)
        self.label = AddressSyntax.join(host, port)
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.loop = group.next()
    }

    public convenience init(_ address: HostPort, backoff: Backoff = .standard, backlog: (@Sendable () -> Int)? = nil) {
        self.init(host: address.host, port: address.port, backoff: backoff, backlog: backlog)
    }

    public func start(sink: @escaping @Sendable (SourceEvent) -> Void) {
        let go = state.withLock { s in
            guard !s.started, !s.stopped else { return false }
            s.started = true
            s.sink = sink
            s.attempt = 1
            return true
        }
        guard go else { return }
        loop.execute {
            self.emit(.state(.connecting(attempt: 1)))
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
            closed: { [self] channel, _, ending in lost(channel, ending) }
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
        let (accepted, outage) = state.withLock { s -> (Bool, Double?) in
            guard !s.stopped else { return (false, nil) }
            s.channel = channel
            // Logged once per outage, however many empty connections it takes.
            guard let lostAt = s.lostAt, !s.reconnectLogged else { return (true, nil) }
            s.reconnectLogged = true
            return (true, lostAt)
        }
        guard accepted else { return false }
        emit(.reset)
        emit(.state(.connected(peer: peer)))
        if let outage {
            let seconds = MonotonicClock.now() - outage
            emit(.log("reconnected to \(label) (\(peer)) after \(Self.seconds(seconds))"))
        }
        return true
    }

    /// A connection attempt failed: report it and schedule the next one.
    private func failed(reason: String) {
        let report = state.withLock { s -> (SourceEvent, String?, Double)? in
            guard !s.stopped else { return nil }
            s.failures += 1
            s.attempt += 1
            let delay = backoff.delay(afterFailures: s.failures)
            var log: String?
            if s.lastLoggedFailure != reason {
                s.lastLoggedFailure = reason
                log = "cannot connect to \(label): \(reason); retrying"
            }
            if let lostAt = s.lostAt {  // set only once a connection had been made
                return (.state(.reconnecting(lostAt: lostAt, attempt: s.attempt, reason: reason)), log, delay)
            }
            return (.state(.connecting(attempt: s.attempt)), log, delay)
        }
        guard let (event, log, delay) = report else { return }
        emit(event)
        if let log { emit(.log(log)) }
        scheduleConnect(after: delay)
    }

    /// An established connection ended (the last line has been decoded already).
    private func lost(_ channel: any Channel, _ ending: LineReceiver.Ending) {
        let reason = ending.reason
        let report = state.withLock { s -> (SourceEvent, String?, Double)? in
            if s.channel === channel { s.channel = nil }
            guard !s.stopped else { return nil }
            var log: String?
            if ending.receivedFrames > 0 || s.lostAt == nil {
                // A connection that delivered telemetry ends the outage; this is a new one.
                s.lostAt = MonotonicClock.now()
                s.failures = 0
                s.attempt = 0
                s.reconnectLogged = false
                log = ending.byConsole ? "dropped the connection to \(label): \(reason); retrying"
                    : "lost \(label): \(reason); reconnecting"
            } else if s.lastLoggedFailure != reason {
                // A connection that ended before any telemetry (nothing, only bad lines, or a
                // refused stream): the outage goes on, and the backoff grows.
                if ending.byConsole {
                    log = "dropped the connection to \(label): \(reason); retrying"
                } else if ending.receivedBytes == 0 {
                    log = "\(label) closed the connection before sending anything: \(reason); retrying"
                } else {
                    log = "\(label) closed the connection before sending a valid frame: \(reason); retrying"
                }
            }
            s.lastLoggedFailure = reason
            s.failures += 1
            s.attempt += 1
            let lostAt = s.lostAt!
            return (.state(.reconnecting(lostAt: lostAt, attempt: s.attempt, reason: reason)), log,
                    backoff.delay(afterFailures: s.failures))
        }
        guard let (event, log, delay) = report else { return }
        emit(event)
        if let log { emit(.log(log)) }
        scheduleConnect(after: delay)
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

    static func seconds(_ s: Double) -> String {
        s < 10 ? "\((s * 10).rounded() / 10) s" : "\(Int(saturating: s.rounded())) s"
    }
}
