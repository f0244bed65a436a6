import Synchronization
import SystemCalls
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
    /// Signalled at each drain, for a source waiting for room (`waitForRoom`).
    private let drained = Wakeup()

    private struct Queue {
        /// Blocks handed over whole (`post(contentsOf:)`), oldest first, and the events they hold:
        /// they come before `events`. Kept as they came, so the reader copies no event; the
        /// consumer joins them when it drains.
        var blocks: [[SourceEvent]] = []
        var blockedCount = 0
        var events: [SourceEvent] = []
        var count: Int { blockedCount + events.count }
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
    /// Fewer events than this handed over at once are copied into the queue, not kept as a block.
    static let smallestBlock = 64

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
            if let limit, q.count >= limit, case .decoded(.frame(let frame)) = event, case .arm = frame.body {
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

    /// Appends events in order under one lock: a replay catching up hands over hundreds of
    /// frames at a time, so the consumer and the reader meet once per block, not once per line.
    /// An inbox that drops arm samples takes them one by one (`post`), as its threshold asks.
    public func post(contentsOf events: [SourceEvent]) {
        guard shedArmSamplesAbove == nil else {
            for event in events { post(event) }
            return
        }
        queue.withLock { q in
            guard !events.isEmpty else { return }
            if let run = q.run {
                q.events.append(.dropped(run))
                q.run = nil
            }
            // A few events (one at a replay's pace, a source's own word) join the queue: kept as a
            // block each, they would hold an array apiece until the drain.
            if events.count < Self.smallestBlock {
                q.events.append(contentsOf: events)
                return
            }
            if !q.events.isEmpty {
                q.blocks.append(q.events)
                q.blockedCount += q.events.count
                q.events = []
            }
            q.blocks.append(events)
            q.blockedCount += events.count
        }
    }

    /// Takes every pending event, oldest first (a run of drops under way comes last).
    public func drain() -> [SourceEvent] {
        let (blocks, taken) = queue.withLock { q in
            if let run = q.run {
                q.events.append(.dropped(run))
                q.run = nil
            }
            // Swapped, not cleared keeping capacity: `taken` shares the buffer, so keeping it
            // would allocate a copy at the flood's peak size on every drain.
            let taken = (q.blocks, q.events)
            q.blocks = []
            q.blockedCount = 0
            q.events = []
            return taken
        }
        drained.signal()
        guard !blocks.isEmpty else { return taken }
        if blocks.count == 1 && taken.isEmpty { return blocks[0] }
        // Joined here, on the consumer's thread, outside the lock.
        var joined: [SourceEvent] = []
        joined.reserveCapacity(blocks.reduce(taken.count) { $0 + $1.count })
        for block in blocks { joined.append(contentsOf: block) }
        joined.append(contentsOf: taken)
        return joined
    }

    /// Waits while more than `limit` events wait (or until `stopped`): a replay reading ahead
    /// holds its memory bounded, and goes on as soon as the consumer drains, not a poll later.
    public func waitForRoom(below limit: Int, unless stopped: () -> Bool) {
        while count > limit && !stopped() { drained.wait(seconds: 0.01) }
    }

    /// How many blocks handed over whole wait (tests: a replay at its pace keeps none).
    var blocksWaiting: Int { queue.withLock { $0.blocks.count } }

    /// How many events are waiting.
    public var count: Int { queue.withLock { $0.count } }

    public var isEmpty: Bool { queue.withLock { $0.count == 0 && $0.run == nil } }

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
