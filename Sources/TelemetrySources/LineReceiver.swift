import NIOCore
import Telemetry

/// The inbound end of a telemetry connection (TCP client and listener): bytes in, decode
/// outcomes out. It owns the connection's `FrameStream`, so every connection starts afresh
/// (line numbers from 1, arms from the new session frame).
///
/// It only reads. Nothing in this module ever writes to a telemetry connection: data flows
/// one way, gateway to console, so a console can never command the robot.
///
/// It closes the connection itself (and says why in `Ending`) when:
/// - a session frame declares a format version other than 1: the stream is refused (spec §3)
///   after its error is reported; nothing after that line is decoded;
/// - with a `handshakeTimeout`, no valid frame arrived within it of connecting (a silent or
///   trickling peer must not hold the listener's only gateway slot);
/// - with an `idleTimeout` (`telemetry.reconnect_after_s`), nothing arrived for that long since
///   the last valid frame (a peer that falls silent, or a half-open connection from a gateway
///   that rebooted, would otherwise hold the listener's slot, or the client's only connection,
///   until TCP keepalive gives up, hours later). The watch starts at the first valid frame: until
///   then the handshake is the deadline (without one, the idle time counts from connecting).
///   A line of an unknown type counts as activity (a newer gateway's heartbeat: the spec says
///   unknown types are ignored, not errors); a bad line does not. While reading is held back
///   (below) the peer is not silent, the console is behind: the watch pauses and restarts on resume.
///
/// With a `backlog`, it stops reading while the consumer's inbox holds `holdBackAbove` events
/// or more, and reads again once it is under half of that: TCP flow control then holds the
/// peer back, so a flood the inbox may not drop cannot grow it without bound.
///
/// Lives on its channel's event loop, like every channel handler.
final class LineReceiver: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// How an accepted connection ended.
    struct Ending: Sendable {
        /// One phrase: "connection closed by peer", "connection reset by peer", or why the
        /// console closed it.
        var reason: String
        /// The console closed it (a refused version, a peer silent past the handshake).
        var byConsole: Bool
        var receivedBytes: Int
        /// Valid frames decoded from it.
        var receivedFrames: Int
        /// Seconds without a valid frame when the console closed it for silence, as measured (the
        /// data stopped that long before the end); nil for any other ending.
        var silence: Double? = nil
    }

    /// What the owner does with a connection. All called on the channel's event loop.
    struct Delegate: Sendable {
        /// The connection is up. Return false to refuse it: it is closed without reading.
        var opened: @Sendable (_ channel: any Channel, _ peer: String) -> Bool
        /// A decoded line (never `.blank`).
        var decoded: @Sendable (DecodeOutcome) -> Void
        /// A line for the log (reading paused because the consumer fell behind…).
        var log: @Sendable (String) -> Void = { _ in }
        /// The bytes as received, before they are decoded (`--record`).
        var received: WireTap?
        /// The accepted connection is over; a last line without LF has already been decoded.
        var closed: @Sendable (_ channel: any Channel, _ peer: String, _ ending: Ending) -> Void
    }

    /// Limits on one connection.
    struct Limits: Sendable {
        /// Close a connection that has sent no valid frame this many seconds after it opened.
        var handshakeTimeout: Double?
        /// Close a connection that sends nothing for this many seconds after a valid frame
        /// (noticed within a tenth of it, at most a second and at least `minimumCheckPeriod`,
        /// late). Counted from connecting when there is no `handshakeTimeout`.
        var idleTimeout: Double?
        /// The consumer's pending events (`SourceInbox.countProvider`).
        var backlog: (@Sendable () -> Int)?
        var holdBackAbove = SourceInbox.holdBackThreshold
        /// Measuring only (`SURGTOP_LATENCY_LOG`): told when each read returns; nil otherwise.
        /// Given only to the full-screen live console's source: a headless run or a snapshot
        /// neither stamps reads nor opens (and empties) the log.
        var arrivals: LatencyProbe?
    }

    private let delegate: Delegate
    private let limits: Limits
    private var stream = FrameStream()
    private var accepted = false
    private var ended = false
    private var peer = "?"
    private var receivedBytes = 0
    private var receivedFrames = 0
    /// Set once the console decided to close the connection: nothing more is decoded.
    private var closing = false
    /// Why the connection ended, when the console or an error said so before the close.
    private var failure: String?
    private var byConsole = false
    /// Seconds of silence when the console closed the connection for it.
    private var silence: Double?
    private var handshake: Scheduled<Void>?
    /// Checks about ten times per `idleTimeout` how long ago the last activity (a valid frame or
    /// a line of an unknown type) was, on the loop's own clock (read once per read, not per frame).
    private var idleWatch: RepeatedTask?
    private var lastActivity: NIODeadline?
    private var activity = 0
    /// The shortest period of the silence checks, whatever the timeout.
    static let minimumCheckPeriod = 0.1
    private var resumeCheck: RepeatedTask?
    private var holdBackLogged = false

    init(delegate: Delegate, limits: Limits = Limits()) {
        self.delegate = delegate
        self.limits = limits
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.remoteAddress?.peerText ?? "unknown peer"
        stream.reset()
        if delegate.opened(context.channel, peer) {
            accepted = true
            if let seconds = limits.handshakeTimeout, seconds.isFinite, seconds > 0 {
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                handshake = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(min(seconds, 1e6) * 1e9))) {
                    let (receiver, context) = bound.value
                    receiver.handshakeExpired(context: context, after: seconds)
                }
            }
            // Until the first valid frame the handshake is the deadline.
            if limits.handshakeTimeout == nil { watchForSilence(context: context) }
        } else {
            context.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard accepted, !ended, !closing else { return }
        limits.arrivals?.readReturned()
        let buffer = unwrapInboundIn(data)
        receivedBytes += buffer.readableBytes
        var refused: String?
        let framesBefore = receivedFrames, activityBefore = activity
        buffer.withUnsafeReadableBytes { bytes in
            delegate.received?(bytes)
            stream.feed(bytes) { outcome in
                guard refused == nil else { return }  // nothing after a refused session frame
                deliver(outcome, refused: &refused)
            }
        }
        if activity != activityBefore { lastActivity = context.eventLoop.now }
        if framesBefore == 0, receivedFrames > 0, idleWatch == nil { watchForSilence(context: context) }
        if let refused {
            close(context: context, reason: refused)
            return
        }
        holdBackIfBehind(context: context)
    }

    /// Hands one outcome on; a session frame of an unknown version refuses the stream.
    private func deliver(_ outcome: DecodeOutcome, refused: inout String?) {
        switch outcome {
        case .blank:
            return
        case .frame:
            receivedFrames += 1
            activity &+= 1
            if receivedFrames == 1 {
                handshake?.cancel()
                handshake = nil
            }
        case .error(let error):
            if case .unsupportedVersion(let version) = error.kind {
                refused = "refused its stream: its session frame declares telemetry format version \(version), "
                    + "and this console reads version 1 only"
            }
        case .unknownType:
            activity &+= 1
        }
        delegate.decoded(outcome)
    }

    /// Starts the idle watch: at the first valid frame, or at connecting without a handshake
    /// time. It looks every tenth of `idleTimeout` (at most every second, at least every
    /// `minimumCheckPeriod`), so a silence is noticed at most that late.
    private func watchForSilence(context: ChannelHandlerContext) {
        guard let timeout = limits.idleTimeout, timeout.isFinite, timeout > 0 else { return }
        let seconds = min(timeout, 1e6)
        let period = max(Self.minimumCheckPeriod, min(seconds / 10, 1))
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let every = TimeAmount.nanoseconds(Int64(period * 1e9))
        lastActivity = context.eventLoop.now
        idleWatch = context.eventLoop.scheduleRepeatedTask(initialDelay: every, delay: every) { _ in
            let (receiver, context) = bound.value
            receiver.checkSilence(context: context, after: seconds)
        }
    }

    private func checkSilence(context: ChannelHandlerContext, after seconds: Double) {
        // Reading held back: the console is behind, not the peer silent.
        guard accepted, !ended, !closing, resumeCheck == nil, let lastActivity else { return }
        let quiet = Double((context.eventLoop.now - lastActivity).nanoseconds) / 1e9
        guard quiet >= seconds else { return }
        idleWatch?.cancel()
        idleWatch = nil
        silence = quiet
        let text = NumberText.trimmed(quiet, 1)
        close(context: context, reason: receivedFrames == 0
            ? "sent no valid frame within \(text) s of connecting (\(byteCount) received)"
            : "sent no valid frame for \(text) s (silent, or a half-open connection)")
    }

    private var byteCount: String { receivedBytes == 1 ? "1 byte" : "\(receivedBytes) bytes" }

    private func handshakeExpired(context: ChannelHandlerContext, after seconds: Double) {
        handshake = nil
        guard accepted, !ended, !closing, receivedFrames == 0 else { return }
        silence = seconds
        close(context: context, reason: "sent no valid frame within \(NumberText.trimmed(seconds, 1)) s of connecting (\(byteCount) received)")
    }

    /// The console closes the connection, for `reason`.
    private func close(context: ChannelHandlerContext, reason: String) {
        closing = true
        byConsole = true
        if failure == nil { failure = reason }
        context.close(promise: nil)
    }

    // MARK: - holding a flood back

    private func holdBackIfBehind(context: ChannelHandlerContext) {
        guard let backlog = limits.backlog, resumeCheck == nil, backlog() >= limits.holdBackAbove else { return }
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
        if !holdBackLogged {
            holdBackLogged = true
            delegate.log("falling behind \(peer): the console cannot apply frames as fast as they come; "
                + "reading paused while \(limits.holdBackAbove) or more wait (the gateway is held back)")
        }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        resumeCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(2), delay: .milliseconds(2)) { _ in
            let (receiver, context) = bound.value
            receiver.resumeIfCaughtUp(context: context)
        }
    }

    private func resumeIfCaughtUp(context: ChannelHandlerContext) {
        guard let backlog = limits.backlog else { return }
        if ended || closing {
            resumeCheck?.cancel()
            resumeCheck = nil
            return
        }
        guard backlog() < max(1, limits.holdBackAbove / 2) else { return }
        resumeCheck?.cancel()
        resumeCheck = nil
        if lastActivity != nil { lastActivity = context.eventLoop.now }  // the silence counts from here
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
    }

    // MARK: - the end

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if failure == nil { failure = SocketErrorText.reason(error) }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finishOnce(channel: context.channel)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finishOnce(channel: context.channel)
    }

    private func finishOnce(channel: any Channel) {
        handshake?.cancel()
        handshake = nil
        idleWatch?.cancel()
        idleWatch = nil
        resumeCheck?.cancel()
        resumeCheck = nil
        guard accepted, !ended else { return }
        ended = true
        if !closing {
            var refused: String?
            stream.finish { outcome in
                guard refused == nil else { return }
                deliver(outcome, refused: &refused)
            }
            if let refused, failure == nil {
                failure = refused
                byConsole = true
            }
        }
        delegate.closed(channel, peer, Ending(reason: failure ?? "connection closed by peer", byConsole: byConsole,
                                              receivedBytes: receivedBytes, receivedFrames: receivedFrames,
                                              silence: silence))
    }
}
