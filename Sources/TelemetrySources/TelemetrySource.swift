import SessionCore
import Telemetry

/// Everything a source reports, in order, to whoever consumes it.
public enum SourceEvent: Sendable {
    /// A decoded line: a frame, an unknown type, a decode error (blank lines are not reported).
    case decoded(DecodeOutcome)
    /// The source's state changed.
    case state(SourceState)
    /// Start over: a new connection or a seek backwards. The session state should be rebuilt
    /// from the frames that follow.
    case reset
    /// A replay can resume from here: the state as it stands now, after every frame before
    /// this event, is the state at this checkpoint.
    case checkpoint(ReplayCheckpoint)
    /// A seek went back (or ahead) to this checkpoint: the state should be the one kept for it;
    /// the frames that follow come after it.
    case resumed(ReplayCheckpoint)
    /// The seek with this number (`PlaybackControl.seek`) is carried out: what follows comes
    /// from where it led (after its `.reset` or `.resumed`, if it needed one).
    case seeked(Int)
    /// Something worth a line in the log (a refused second gateway, a retry…).
    case log(String)
    /// A live network source's connection changed: connected, could not connect, lost,
    /// dropped, or a second gateway refused (for the Events panel and the header).
    case connection(ConnectionEvent)
    /// Arm samples dropped here, in this place of the stream, because the consumer fell behind
    /// (see `SourceInbox`): only arm samples are ever dropped, and only a live source's.
    case dropped(DroppedFrames)
    /// `--record`: how the recording stands (size, behind, failed), from the recorder's thread.
    case recording(RecordingStatus)
}

/// A run of arm samples that a live source's inbox dropped, unapplied, because the consumer
/// could not keep up with a flood: how many, and enough of their `t` and `seq` for the frames
/// after them to be checked for order and sequence gaps as if the run had been applied (so the
/// console's own drops never count as frames lost upstream, and gaps upstream inside the run
/// still do).
public struct DroppedFrames: Sendable, Equatable {
    /// Frames in the run.
    public private(set) var count = 0
    /// `t` of the first and the last frame of the run.
    public private(set) var firstT = 0.0
    public private(set) var lastT = 0.0
    /// The first and the last sequence number in the run (nil when no frame of it had one).
    public private(set) var firstSeq: Int?
    public private(set) var lastSeq: Int?
    /// Within the run: frames whose `t` was lower than their predecessor's, sequence gaps and
    /// the frames missing in them (spec §2), as `StreamOrder` counts them.
    public private(set) var outOfOrder = 0
    public private(set) var sequenceGaps = 0
    public private(set) var missingFrames = 0

    public init() {}

    /// Adds the next dropped frame.
    public mutating func add(_ frame: Frame) {
        if count == 0 {
            firstT = frame.t
        } else if frame.t < lastT {
            outOfOrder += 1
        }
        lastT = frame.t
        if let seq = frame.seq {
            if firstSeq == nil { firstSeq = seq }
            if let lastSeq, let missing = Self.missing(after: lastSeq, before: seq) {
                sequenceGaps += 1
                missingFrames = missingFrames.saturatingAdd(missing)
            }
            lastSeq = seq
        }
        count += 1
    }

    /// The frames missing between sequence numbers `a` and `b` when `b` skips ahead of `a + 1`
    /// (nil otherwise), without overflowing on numbers from the wire.
    public static func missing(after a: Int, before b: Int) -> Int? {
        guard b > a else { return nil }
        let (difference, overflow) = b.subtractingReportingOverflow(a)
        if overflow { return Int.max }
        return difference > 1 ? difference - 1 : nil
    }
}

/// A source of telemetry: file, standard input, TCP client, TCP listener or the simulator.
/// It runs on its own threads and never waits on the consumer's screen: events go to `sink`,
/// which must be cheap and thread-safe (see `SourceInbox`).
public protocol TelemetrySource: AnyObject, Sendable {
    /// What kind of session this source delivers.
    var mode: SessionMode { get }
    /// A short description for the header and logs (a path, HOST:PORT, "simulator seed 7").
    var label: String { get }
    /// Starts delivering events. Called once.
    func start(sink: @escaping @Sendable (SourceEvent) -> Void)
    /// Starts delivering events into `inbox` (called once, instead of `start(sink:)`): a source
    /// that can hand events over in blocks (`FileSource` catching up) does so, one lock a block.
    func start(inbox: SourceInbox)
    /// Stops delivering and releases sockets, files and threads. Idempotent.
    func stop()
    /// Where a session frame of the same id may start a new session (`SessionClock`): a live
    /// network source reports its connections (`.afterReconnect`); a file or standard input,
    /// even under `live -`, does not (`.anywhere`). A wrapper forwards its source's.
    var restartRule: SessionClock.RestartRule { get }
}

extension TelemetrySource {
    public var restartRule: SessionClock.RestartRule { mode == .live ? .afterReconnect : .anywhere }

    public func start(inbox: SourceInbox) { start(sink: inbox.sink) }
}
