import Synchronization
import Telemetry

/// A thread-safe mailbox between a source's threads and the loop that applies frames.
/// Sources append; the loop drains everything at once, so neither side waits on the other for long.
///
/// Bounded for live network sources. A gateway can send far faster than the console applies
/// frames (a flood of 900,000 frames/s grew an unbounded inbox by 70 MB in 50 s), so an inbox
/// made with `live()` keeps its memory bounded in two steps:
///
/// - while `shedArmSamplesAbove` events wait, a new arm sample is dropped instead of queued:
///   the console stays current, showing the latest samples it could apply. Nothing else is ever
///   dropped (session, sync, link, instrument, alarm and event frames, errors, source events).
///   Each run of drops is queued, in its place in the stream, as one `.dropped(DroppedFrames)`
///   event, so the consumer can tell and show it, and sequence numbers stay checkable;
/// - the TCP sources stop reading from their socket while `holdBackAbove` events wait (they
///   are given `countProvider`), so a flood of frames that cannot be dropped holds the gateway
///   back through TCP flow control instead of growing the inbox.
///
/// A replay never drops: `FileSource` waits for room instead (a recording can wait, a live
/// gateway cannot), and its inbox is made with `init()`.
public final class SourceInbox: Sendable {
    /// Arm samples are dropped while at least this many events wait; nil: nothing is dropped.
    public let shedArmSamplesAbove: Int?
    private let queue = Mutex(Queue())

    private struct Queue {
        var events: [SourceEvent] = []
        /// The run of drops under way, queued as `.dropped` before the next event or at the drain.
        var run: DroppedFrames?
        var droppedTotal = 0
    }

    /// For a live TCP source: arm samples are dropped while this many events wait. At the
    /// spec's highest rates (several arms at 1,000 Hz) the console drains a few hundred events
    /// at a time; this is over a second of them.
    public static let liveShedThreshold = 10_000
    /// A TCP source stops reading while this many events wait, and reads again below half of it.
    public static let holdBackThreshold = 20_000

    /// An unbounded inbox: for sources that wait for room themselves (`FileSource`) or send
    /// little (the simulator).
    public init() {
        shedArmSamplesAbove = nil
    }

    /// An inbox that drops arm samples while `shedArmSamplesAbove` events wait.
    public init(shedArmSamplesAbove: Int) {
        self.shedArmSamplesAbove = max(1, shedArmSamplesAbove)
    }

    /// The inbox of a live network source (`surgtop live HOST:PORT`, `--listen`).
    public static func live() -> SourceInbox {
        SourceInbox(shedArmSamplesAbove: liveShedThreshold)
    }

    /// Appends one event (called from any thread), or drops it when it is an arm sample and
    /// the inbox is over its threshold.
    public func post(_ event: SourceEvent) {
        let limit = shedArmSamplesAbove
        queue.withLock { q in
            if let limit, q.events.count >= limit, case .decoded(.frame(let frame)) = event, case .arm = frame.body {
                if q.run == nil { q.run = DroppedFrames() }
                q.run!.add(frame)
                q.droppedTotal += 1
                return
            }
            if let run = q.run {
                q.events.append(.dropped(run))
                q.run = nil
            }
            q.events.append(event)
        }
    }

    /// Takes every pending event, oldest first (a run of drops under way comes last).
    public func drain() -> [SourceEvent] {
        queue.withLock { q in
            if let run = q.run {
                q.events.append(.dropped(run))
                q.run = nil
            }
            // Swapped, not cleared keeping capacity: `taken` shares the buffer, so keeping it
            // would allocate a copy at the flood's peak size on every drain.
            let taken = q.events
            q.events = []
            return taken
        }
    }

    /// How many events are waiting.
    public var count: Int { queue.withLock { $0.events.count } }

    public var isEmpty: Bool { queue.withLock { $0.events.isEmpty && $0.run == nil } }

    /// Arm samples dropped since the inbox was made.
    public var droppedFrames: Int { queue.withLock { $0.droppedTotal } }

    /// A closure reporting `count`, for sources that pause while the consumer catches up.
    public var countProvider: @Sendable () -> Int {
        { [self] in count }
    }

    /// The sink to hand to `TelemetrySource.start`.
    public var sink: @Sendable (SourceEvent) -> Void {
        { [self] event in post(event) }
    }
}
