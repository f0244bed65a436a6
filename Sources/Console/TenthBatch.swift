import TelemetrySources

/// A recording's events gathered a tenth of a second of session time at a time, to be applied
/// as one `SessionDriver.step` evaluated at the tenth's last frame. `--snapshot` and the marker
/// pass read a recording this way, so what they find does not depend on how the reading thread
/// and the applying one happen to interleave, and no alarm moves out of its tenth.
struct TenthBatch {
    private var events: [SourceEvent] = []
    private var index = Int.min
    private var time = 0.0

    /// Whether a frame at `t` starts another tenth: the one gathered must be taken first.
    func startsNewTenth(at t: Double) -> Bool {
        !events.isEmpty && Int(saturating: (t * 10).rounded(.down)) != index
    }

    /// Adds a frame's event (`t`: its time) or, with no time, any other event of the recording.
    mutating func add(_ event: SourceEvent, at t: Double? = nil) {
        if let t {
            index = Int(saturating: (t * 10).rounded(.down))
            time = t
        }
        events.append(event)
    }

    /// The events gathered and the time to evaluate them at (nil when none); starts afresh.
    mutating func take() -> (events: [SourceEvent], time: Double)? {
        guard !events.isEmpty else { return nil }
        defer { events.removeAll(keepingCapacity: true) }
        return (events, time)
    }
}
