/// The robot alarms `alarm` frames cleared, numbered so the alarm engine sees every one even
/// though it evaluates only now and then (every tenth of a second of session time in a replay,
/// each batch live): an alarm raised and cleared between two evaluations is logged raised and
/// cleared at its own times, as an evaluation after every frame would log it.
public struct RobotClearRecord: Sendable, Equatable {
    /// The latest clear's number.
    public var generation = 0
    /// The latest clears (at most `kept`, enough for any one evaluation), oldest first.
    public private(set) var cleared: [Clear] = []

    public struct Clear: Sendable, Equatable {
        /// The number of this clear.
        public var generation: Int
        /// The alarm as it stood when cleared (its `raisedAt` is its latest raise).
        public var alarm: DeviceAlarm
        /// Session time of the clearing frame.
        public var t: Double
    }

    public static let kept = 1024

    public init() {}

    mutating func append(_ alarm: DeviceAlarm, at t: Double) {
        generation &+= 1
        cleared.append(Clear(generation: generation, alarm: alarm, t: t))
        // Trimmed in halves, so a flood of clears does not move the whole record each time.
        if cleared.count >= 2 * Self.kept { cleared.removeFirst(Self.kept) }
    }

    /// Forgets the clears numbered up to `generation` (the engine has logged them), so a state
    /// kept at a checkpoint carries none of them.
    public mutating func forget(through generation: Int) {
        guard let first = cleared.first, first.generation <= generation else { return }
        cleared.removeAll { $0.generation <= generation }
    }

    /// The clears numbered after `generation` (those the engine has not taken), oldest first.
    public func cleared(after generation: Int) -> ArraySlice<Clear> {
        let first = cleared.firstIndex { $0.generation > generation } ?? cleared.endIndex
        return cleared[first...]
    }
}
