import Telemetry

/// Every threshold and timing of the alarm engine. `AlarmSettings.defaults` are the values
/// documented in `defaultAlarmSettingsYAML` (Console); a settings file overrides any subset.
///
/// All times are seconds of the engine clock (session time), percentages are 0–100.
public struct AlarmSettings: Sendable, Equatable {
    /// The thresholds of one metric at each priority. A value at or above `low` raises a
    /// low-priority alarm, at or above `medium` medium, at or above `high` high; they must increase.
    public struct Levels: Sendable, Equatable {
        public var low: Double
        public var medium: Double
        public var high: Double

        public init(low: Double, medium: Double, high: Double) {
            self.low = low
            self.medium = medium
            self.high = high
        }

        public subscript(priority: AlarmPriority) -> Double {
            get {
                switch priority {
                case .low: low
                case .medium: medium
                case .high: high
                }
            }
            set {
                switch priority {
                case .low: low = newValue
                case .medium: medium = newValue
                case .high: high = newValue
                }
            }
        }

        /// The highest priority whose threshold `value` reaches (nil below `low`).
        public func priority(of value: Double) -> AlarmPriority? {
            if value >= high { return .high }
            if value >= medium { return .medium }
            if value >= low { return .low }
            return nil
        }

        var isIncreasing: Bool { low < medium && medium < high }
    }

    // MARK: link
    /// Round trip of the control channel, ms.
    public var rttMs = Levels(low: 100, medium: 200, high: 300)
    /// Jitter (variation of the one-way delay), ms.
    public var jitterMs = Levels(low: 10, medium: 20, high: 50)
    /// Packet loss over the last second, %.
    public var lossPct = Levels(low: 0.5, medium: 1, high: 3)
    /// Video frame rate under which a medium alarm is raised, fps.
    public var videoFpsBelow: Double = 24

    // MARK: timing
    /// The window a measured value is judged on: the mean of its samples over this many seconds
    /// decides its level (`LevelWindow`).
    public var sustainSeconds: Double = 1
    /// How long a condition must stay absent (or below its level) before it clears (de-escalates).
    public var clearAfterSeconds: Double = 2

    // MARK: telemetry
    /// No frame from a live source for longer than this (arrival time): TELEMETRY.LOST, high.
    public var staleSeconds: Double = 1
    /// TELEMETRY.SEQ_GAPS (low) when at least `gapCount` sequence gaps fall within `gapWindowSeconds`.
    public var gapCount: Int = 3
    public var gapWindowSeconds: Double = 10
    /// `surgtop live`: a connection that has sent no valid frame this long after connecting
    /// (silent, or trickling bytes) is dropped, so that it cannot hold the listener's only
    /// gateway slot; the client dials again.
    public var handshakeSeconds: Double = 5
    /// `surgtop live`: once a valid frame came, a connection silent this long is dropped; the
    /// client dials again with its backoff, the listener waits for the gateway to come back.
    /// `handshakeSeconds` is the deadline before the first frame.
    public var reconnectAfterSeconds: Double = 5
    /// The least `handshakeSeconds` and `reconnectAfterSeconds` may be.
    public static let minimumConnectionDeadline = 1.0

    // MARK: joints
    /// A joint within this share of its range from a limit: low.
    public var nearLimitPct: Double = 5
    /// A joint within this share of its range from a limit, or beyond it: medium.
    public var atLimitPct: Double = 0.5
    /// Effort at or above this share of the joint's `effort_max`: medium.
    public var effortPct: Double = 90

    // MARK: audio
    /// Bells per burst for each priority.
    public var highBells: Int = 3
    public var mediumBells: Int = 2
    public var lowBells: Int = 1
    /// How often the burst repeats while an unacknowledged alarm of that priority is listed
    /// (low alarms ring once, when they raise).
    public var highRepeatSeconds: Double = 10
    public var mediumRepeatSeconds: Double = 25
    /// How long `pauseAudio` silences the bell.
    public var audioPauseSeconds: Double = 120

    public init() {}

    /// The documented defaults.
    public static let defaults = AlarmSettings()

    /// Bells in one burst of `priority`.
    public func bells(for priority: AlarmPriority) -> Int {
        switch priority {
        case .low: lowBells
        case .medium: mediumBells
        case .high: highBells
        }
    }

    /// Everything wrong with these settings, as "key: problem" sentences (empty when usable).
    /// Keys are the settings file's dotted keys, e.g. `link.rtt_ms`.
    public func problems() -> [(key: String, problem: String)] {
        var out: [(key: String, problem: String)] = []
        func levels(_ l: Levels, _ key: String) {
            if !(l.low.isFinite && l.medium.isFinite && l.high.isFinite) {
                out.append((key, "thresholds must be finite numbers"))
            } else if !l.isIncreasing {
                out.append((key, "thresholds must increase (low < medium < high), found low \(NumberText.trimmed(l.low, 3)), medium \(NumberText.trimmed(l.medium, 3)), high \(NumberText.trimmed(l.high, 3))"))
            } else if l.low < 0 {
                out.append((key, "thresholds must not be negative"))
            }
        }
        func nonNegative(_ v: Double, _ key: String) {
            if !(v.isFinite && v >= 0) { out.append((key, "must be a number of seconds, 0 or more, found \(NumberText.trimmed(v, 3))")) }
        }
        func positive(_ v: Double, _ key: String) {
            if !(v.isFinite && v > 0) { out.append((key, "must be more than 0, found \(NumberText.trimmed(v, 3))")) }
        }
        func percent(_ v: Double, _ key: String) {
            if !(v.isFinite && v >= 0 && v <= 100) { out.append((key, "must be a percentage from 0 to 100, found \(NumberText.trimmed(v, 3))")) }
        }
        // A connection deadline under a second would drop healthy gateways (they send a link
        // frame a second) and reconnect for ever.
        func connectionDeadline(_ v: Double, _ key: String) {
            if !(v.isFinite && v >= Self.minimumConnectionDeadline && v <= 3600) {
                out.append((key, "must be from \(NumberText.trimmed(Self.minimumConnectionDeadline, 1)) to 3600 seconds, "
                    + "found \(NumberText.trimmed(v, 6))"))
            }
        }
        func bells(_ n: Int, _ key: String) {
            if n < 0 || n > 10 { out.append((key, "must be a whole number from 0 to 10, found \(n)")) }
        }
        levels(rttMs, "link.rtt_ms")
        levels(jitterMs, "link.jitter_ms")
        levels(lossPct, "link.loss_pct")
        if !(videoFpsBelow.isFinite && videoFpsBelow >= 0) { out.append(("link.video_fps_below", "must be a frame rate, 0 or more")) }
        nonNegative(sustainSeconds, "timing.sustain_s")
        // The level window keeps at most `LevelWindow.capacity` samples of 0.1 s.
        if sustainSeconds.isFinite && sustainSeconds > 300 {
            out.append(("timing.sustain_s", "must be at most 300 seconds, found \(NumberText.trimmed(sustainSeconds, 3))"))
        }
        nonNegative(clearAfterSeconds, "timing.clear_after_s")
        nonNegative(staleSeconds, "telemetry.stale_s")
        if gapCount < 1 { out.append(("telemetry.gap_count", "must be a whole number, 1 or more, found \(gapCount)")) }
        positive(gapWindowSeconds, "telemetry.gap_window_s")
        connectionDeadline(handshakeSeconds, "telemetry.handshake_s")
        connectionDeadline(reconnectAfterSeconds, "telemetry.reconnect_after_s")
        percent(nearLimitPct, "joints.near_limit_pct")
        percent(atLimitPct, "joints.at_limit_pct")
        if atLimitPct.isFinite && nearLimitPct.isFinite && !(atLimitPct < nearLimitPct) {
            out.append(("joints", "thresholds must increase (at_limit_pct < near_limit_pct), found at_limit_pct \(NumberText.trimmed(atLimitPct, 3)), near_limit_pct \(NumberText.trimmed(nearLimitPct, 3))"))
        }
        if !(effortPct.isFinite && effortPct > 0) { out.append(("joints.effort_pct", "must be a percentage above 0")) }
        bells(highBells, "audio.high_bells")
        bells(mediumBells, "audio.medium_bells")
        bells(lowBells, "audio.low_bells")
        positive(highRepeatSeconds, "audio.high_repeat_s")
        positive(mediumRepeatSeconds, "audio.medium_repeat_s")
        nonNegative(audioPauseSeconds, "audio.pause_s")
        return out
    }
}
