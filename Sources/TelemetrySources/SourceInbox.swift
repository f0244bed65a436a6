import Synchronization

/// A thread-safe mailbox between a source's threads and the loop that applies frames.
/// Sources append; the loop drains everything at once, so neither side waits on the other for long.
public final class SourceInbox: Sendable {
    private let events = Mutex<[SourceEvent]>([])

    public init() {}

    /// Appends one event (called from any thread).
    public func post(_ event: SourceEvent) {
        events.withLock { $0.append(event) }
    }

    /// Takes every pending event, oldest first.
    public func drain() -> [SourceEvent] {
        events.withLock { pending in
            let taken = pending
            pending.removeAll(keepingCapacity: true)
            return taken
        }
    }

    /// How many events are waiting.
    public var count: Int { events.withLock { $0.count } }

    public var isEmpty: Bool { count == 0 }

    /// A closure reporting `count`, for sources that pause while the consumer catches up.
    public var countProvider: @Sendable () -> Int {
        { [self] in count }
    }

    /// The sink to hand to `TelemetrySource.start`.
    public var sink: @Sendable (SourceEvent) -> Void {
        { [self] event in post(event) }
    }
}
