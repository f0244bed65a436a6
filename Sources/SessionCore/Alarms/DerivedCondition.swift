import Telemetry

/// What a derived condition watches. Cached per link path, arm, joint and instrument, with the
/// descriptor figures its message needs.
enum AlarmRule: Sendable, Equatable {
    case rtt, jitter, loss, video, pathDown
    case allDown, telemetryLost, sequenceGaps, telemetryVersion, telemetryDropped, telemetryIgnored
    case recordingFailed
    case armFault
    case jointLimit(unit: JointUnit, min: Double, max: Double)
    case effort(unit: JointUnit, max: Double)
    case instrumentFault, instrumentUses

    /// Measured values must hold their level for the sustain time; states raise at once.
    var sustains: Bool {
        switch self {
        case .rtt, .jitter, .loss, .video, .jointLimit, .effort: true
        case .pathDown, .allDown, .telemetryLost, .sequenceGaps, .telemetryVersion, .telemetryDropped, .telemetryIgnored, .armFault,
             .instrumentFault, .instrumentUses, .recordingFailed: false
        }
    }

    /// Whether a lower value is worse (for the peak value of the report).
    var lowerIsWorse: Bool {
        switch self {
        case .video, .jointLimit, .instrumentUses: true
        default: false
        }
    }
}

/// A reading of a condition at one evaluation: the raw level and the values the message names.
struct AlarmReading: Sendable, Equatable {
    var raw: AlarmPriority?
    var value: Double?
    /// A second figure: the joint position (limit) or the effort (effort).
    var value2: Double?
    /// A name: the path that carries the session (path down), the tool (instrument).
    var aux: String?

    static let none = AlarmReading()
}

/// The listing of one alarm: what the alarm list, the audio and the history need.
struct AlarmListing: Sendable, Equatable {
    var priority: AlarmPriority
    var raisedAt: Double
    var acknowledged = false
    var latched = false
    /// Start of the current stretch at `priority`, for the history's seconds per priority.
    var segmentStart: Double
    /// Index in the engine's history (nil when the history is full).
    var record: Int?

    /// Moves its times by `delta` (the engine clock was rebased).
    mutating func shift(by delta: Double) {
        raisedAt += delta
        segmentStart += delta
    }
}

/// One condition the console derives from the telemetry, e.g. `LINK.primary.RTT`.
struct DerivedCondition: Sendable {
    let id: String
    let rule: AlarmRule
    /// The words the message starts with: a path name, an arm, "PSM1 yaw".
    let subject: String
    let source: String?
    var tracker = LevelTracker()
    /// The latest reading, and the evaluation that made it.
    var reading = AlarmReading.none
    var readingGeneration: UInt32 = 0
    /// The last reading that held at the listed priority: what the message states.
    var shown = AlarmReading.none
    var listing: AlarmListing?
    /// Index in the engine's history, once raised.
    var record: Int?

    init(id: String, rule: AlarmRule, subject: String, source: String?) {
        self.id = id
        self.rule = rule
        self.subject = subject
        self.source = source
    }
}

extension AlarmSettings {
    /// The message of a listed condition: the reading, with the threshold of the listed priority
    /// when the reading reaches it, else of the level the reading reached (so it always holds).
    func message(rule: AlarmRule, subject: String, listed: AlarmPriority, reading: AlarmReading) -> String {
        let level = reading.raw.map { min($0, listed) } ?? listed
        return message(rule: rule, subject: subject, priority: level, reading: reading)
    }

    /// The message of a derived condition at `priority`, naming the value and the threshold.
    func message(rule: AlarmRule, subject: String, priority: AlarmPriority, reading r: AlarmReading) -> String {
        let v = r.value.map { $0 } ?? .nan
        func n(_ x: Double, _ d: Int) -> String { x.isNaN ? "?" : NumberText.trimmed(x, d) }
        switch rule {
        case .rtt:
            return "\(subject) round trip \(n(v, 1)) ms ≥ \(n(rttMs[priority], 3)) ms"
        case .jitter:
            return "\(subject) jitter \(n(v, 1)) ms ≥ \(n(jitterMs[priority], 3)) ms"
        case .loss:
            return "\(subject) packet loss \(n(v, 2)) % ≥ \(n(lossPct[priority], 3)) %"
        case .video:
            return "\(subject) video \(n(v, 1)) fps < \(n(videoFpsBelow, 3)) fps"
        case .pathDown:
            if let carrier = r.aux { return "\(subject) path down; \(carrier) carries the session" }
            return "\(subject) path down"
        case .allDown:
            return "no network path up"
        case .telemetryLost:
            let lost = "no telemetry for \(r.value.map { NumberText.fixed($0, 1) } ?? "?") s"
            return "\(lost)\(r.aux.map { " \($0)" } ?? "") (> \(n(staleSeconds, 3)) s)"
        case .telemetryVersion:
            return "stream refused: its session frame declares telemetry format version \(n(v, 0)); this console reads version 1 only"
        case .telemetryDropped:
            return "console falling behind: \(n(v, 0)) arm samples dropped so far (the source sends faster than they can be applied)"
        case .telemetryIgnored:
            return "\(n(v, 0)) frames ignored: more link paths, instrument arms or robot alarms than the console follows "
                + "(\(r.aux ?? "see the README")); some robot alarms may not be listed"
        case .sequenceGaps:
            return "\(r.value.map { String(Int(saturating: $0)) } ?? "?") sequence gaps within \(n(gapWindowSeconds, 3)) s (≥ \(gapCount))"
        case .recordingFailed:
            return "recording stopped: \(r.aux ?? "a write failed"); monitoring goes on"
        case .armFault:
            return "\(subject) in FAULT"
        case .jointLimit(let unit, let lo, let hi):
            let p = r.value2 ?? .nan
            let limit = p.isNaN || p >= (lo + hi) / 2 ? hi : lo
            let position = "\(subject) \(n(p, 3)) \(unit.rawValue)"
            if v < 0 {
                return "\(position) beyond its limit \(n(limit, 3)) \(unit.rawValue)"
            }
            let threshold = priority >= .medium ? atLimitPct : nearLimitPct
            let words = priority >= .medium ? "at" : "near"
            return "\(position) \(words) its limit \(n(limit, 3)) \(unit.rawValue) (\(n(v, 1)) % of range ≤ \(n(threshold, 3)) %)"
        case .effort(let unit, let maximum):
            let u = unit == .rad ? "N·m" : "N"
            return "\(subject) effort \(n(r.value2 ?? .nan, 2)) \(u) = \(n(v, 0)) % of max \(n(maximum, 3)) \(u) (≥ \(n(effortPct, 3)) %)"
        case .instrumentFault:
            if let tool = r.aux { return "\(subject) instrument \(tool) in FAULT" }
            return "\(subject) instrument in FAULT"
        case .instrumentUses:
            if let tool = r.aux { return "\(subject) instrument \(tool) has no uses left" }
            return "\(subject) instrument has no uses left"
        }
    }
}
