import NIOCore
import Telemetry

/// The inbound end of a telemetry connection (TCP client and listener): bytes in, decode
/// outcomes out. It owns the connection's `FrameStream`, so every connection starts afresh
/// (line numbers from 1, arms from the new session frame).
///
/// It only reads. Nothing in this module ever writes to a telemetry connection: data flows
/// one way, gateway to console, so a console can never command the robot.
///
/// Lives on its channel's event loop, like every channel handler.
final class LineReceiver: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// What the owner does with a connection. All called on the channel's event loop.
    struct Delegate: Sendable {
        /// The connection is up. Return false to refuse it: it is closed without reading.
        var opened: @Sendable (_ channel: any Channel, _ peer: String) -> Bool
        /// A decoded line (never `.blank`).
        var decoded: @Sendable (DecodeOutcome) -> Void
        /// The accepted connection is over; a last line without LF has already been decoded.
        /// `receivedBytes` tells whether the connection delivered anything.
        var closed: @Sendable (_ channel: any Channel, _ peer: String, _ reason: String, _ receivedBytes: Int) -> Void
    }

    private let delegate: Delegate
    private var stream = FrameStream()
    private var accepted = false
    private var ended = false
    private var peer = "?"
    private var receivedBytes = 0
    /// Why the connection ended, when an error said so before the close.
    private var failure: String?

    init(delegate: Delegate) {
        self.delegate = delegate
    }

    func channelActive(context: ChannelHandlerContext) {
        peer = context.remoteAddress?.peerText ?? "unknown peer"
        stream.reset()
        if delegate.opened(context.channel, peer) {
            accepted = true
        } else {
            context.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard accepted, !ended else { return }
        let buffer = unwrapInboundIn(data)
        receivedBytes += buffer.readableBytes
        let decoded = delegate.decoded
        buffer.withUnsafeReadableBytes { bytes in
            stream.feed(bytes) { outcome in
                if outcome != .blank { decoded(outcome) }
            }
        }
    }

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
        guard accepted, !ended else { return }
        ended = true
        let decoded = delegate.decoded
        stream.finish { outcome in
            if outcome != .blank { decoded(outcome) }
        }
        delegate.closed(channel, peer, failure ?? "connection closed by peer", receivedBytes)
    }
}
