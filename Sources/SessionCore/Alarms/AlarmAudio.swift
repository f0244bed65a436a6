import Telemetry

/// The alarm engine's sound: bell bursts per priority, the audio pause and an alarm breaking
/// through it. A value the engine holds; every time is the engine clock, and what it does is
/// returned as log entries for the engine to log.
struct AlarmAudio: Sendable {
    /// Until when the bell is paused, nil when it is not.
    private(set) var pausedUntil: Double?
    /// The priority that sounded last (nil: none, or it must sound afresh).
    private var sounding: AlarmPriority?
    /// When the sounding priority repeats its burst.
    private var nextRing = 0.0
    /// The highest priority raised or escalated since the last `bellsDue`.
    private var pending: AlarmPriority?

    /// Moves its times by `move` (the engine clock was rebased).
    mutating func retime(_ move: (Double) -> Double) {
        nextRing = move(nextRing)
        pausedUntil = pausedUntil.map(move)
    }

    /// Pauses the bell for `seconds` from `t` (again from `t` when already paused).
    mutating func pause(at t: Double, seconds: Double) -> AlarmLogEntry {
        pausedUntil = t + seconds
        return AlarmLogEntry(time: t, action: .audioPause, message: "audio paused for \(NumberText.trimmed(seconds, 1)) s")
    }

    /// Ends a pause early; nil when there was none.
    mutating func resume(at t: Double) -> AlarmLogEntry? {
        guard pausedUntil != nil else { return nil }
        pausedUntil = nil
        sounding = nil
        return AlarmLogEntry(time: t, action: .audioResume, message: "audio resumed")
    }

    /// Ends a pause of `seconds` that has run out by `t`, logged at the time it ran out.
    mutating func expirePause(at t: Double, seconds: Double) -> AlarmLogEntry? {
        guard let until = pausedUntil, t >= until else { return nil }
        pausedUntil = nil
        sounding = nil
        return AlarmLogEntry(time: until, action: .audioResume,
                             message: "audio pause of \(NumberText.trimmed(seconds, 1)) s ended")
    }

    /// A raise or escalation of `id` to `priority`: it sounds, and it breaks through an audio
    /// pause when it is higher than every other listed alarm (`highestOther`, which only a
    /// pause needs). Returns the break-through, if it is one.
    mutating func announce(_ priority: AlarmPriority, id: String, at t: Double,
                           highestOther: AlarmPriority?) -> AlarmLogEntry? {
        var breakThrough: AlarmLogEntry?
        if pausedUntil != nil {
            if let other = highestOther, other >= priority {
                // Not higher than everything listed: the pause holds.
            } else {
                pausedUntil = nil
                sounding = nil
                breakThrough = AlarmLogEntry(time: t, action: .audioBreakThrough, id: id, priority: priority,
                                             message: "audio pause ended by a new \(priority.rawValue)-priority alarm")
            }
        }
        if pending == nil || priority > pending! { pending = priority }
        return breakThrough
    }

    /// How many bells to ring at `t`, given the highest unacknowledged priority listed (which
    /// only an unpaused bell needs): high and medium repeat their bursts, low rings once.
    mutating func bellsDue(at t: Double, settings: AlarmSettings, highestUnacknowledged: AlarmPriority?) -> Int {
        defer { pending = nil }
        guard pausedUntil == nil, let top = highestUnacknowledged else {
            if pausedUntil == nil { sounding = nil }
            return 0
        }
        if top == .low {
            sounding = nil
            return pending == .low ? settings.lowBells : 0
        }
        let interval = top == .high ? settings.highRepeatSeconds : settings.mediumRepeatSeconds
        var ring = false
        if let current = sounding {
            if top > current {
                ring = true
            } else if let pending, pending >= top {
                ring = true
            } else if top < current {
                nextRing = t + interval
            } else if t >= nextRing - LevelTracker.epsilon {
                ring = true
            }
        } else {
            ring = true
        }
        sounding = top
        guard ring else { return 0 }
        nextRing = t + interval
        return settings.bells(for: top)
    }
}

// MARK: - the engine's audio

extension AlarmEngine {
    /// Until when the audio is paused (engine clock), nil when not paused.
    public var audioPausedUntil: Double? { audio.pausedUntil }

    /// Seconds left in the audio pause at `time` (the header's countdown), nil when not paused.
    public func audioPauseRemaining(at time: Double) -> Double? {
        audio.pausedUntil.map { max(0, $0 - max(time, now)) }
    }

    /// Pauses the bell for `settings.audioPauseSeconds` (again from now when already paused).
    public mutating func pauseAudio(at time: Double) {
        let t = tick(time)
        log(audio.pause(at: t, seconds: settings.audioPauseSeconds))
    }

    /// Ends an audio pause early; an unacknowledged medium or high alarm rings at the next `bellsDue`.
    public mutating func resumeAudio(at time: Double) {
        let t = tick(time)
        if let entry = audio.resume(at: t) { log(entry) }
    }

    /// How many terminal bells to ring now (0 most of the time). Call it on every tick.
    /// High: a burst of `highBells` when raised and every `highRepeatSeconds`; medium: `mediumBells`
    /// when raised and every `mediumRepeatSeconds`; low: `lowBells` once when raised. Only the highest
    /// unacknowledged priority sounds; nothing sounds while the audio is paused.
    public mutating func bellsDue(at time: Double) -> Int {
        let t = tick(time)
        expirePause(at: t)
        let unacknowledged = audio.pausedUntil == nil ? top { !$0.acknowledged } : nil
        return audio.bellsDue(at: t, settings: settings, highestUnacknowledged: unacknowledged)
    }

    mutating func expirePause(at t: Double) {
        if let entry = audio.expirePause(at: t, seconds: settings.audioPauseSeconds) { log(entry) }
    }

    /// A raise or escalation to `priority`: it sounds, and it breaks through an audio pause when
    /// it is higher than every other listed alarm.
    mutating func announce(_ priority: AlarmPriority, id: String, at t: Double) {
        let other = audio.pausedUntil != nil ? highest(excluding: id) : nil
        if let entry = audio.announce(priority, id: id, at: t, highestOther: other) { log(entry) }
    }
}
