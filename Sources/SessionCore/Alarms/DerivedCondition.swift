import Telemetry

/// What a derived condition watches. Cached per link path, arm, joint and instrument, with the
/// descriptor figures its message needs.
enum AlarmRule: Sendable, Equatable {
    case rtt, jitter, loss, video, pathDown
    /// LINK.<path>.BANDWIDTH: below the session's declared `min_bandwidth_mbps`.
    case bandwidth(minimum: Double)
    case allDown, telemetryLost, sequenceGaps, telemetryVersion, telemetryDropped, telemetryIgnored
    case recordingFailed
    case armFault
    case jointLimit(unit: JointUnit, min: Double, max: Double)
    case effort(unit: JointUnit, max: Double)
    case instrumentFault, instrumentUses

    /// Whether a lower value is worse (for the peak value of the report).
    var lowerIsWorse: Bool {
        switch self {
        case .video, .bandwidth, .jointLimit, .instrumentUses: true
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

    /// Moves its times by `move` (the engine clock was rebased).
    mutating func retime(_ move: (Double) -> Double) {
        raisedAt = move(raisedAt)
        segmentStart = move(segmentStart)
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
    /// The last `sustain_s` of samples of a measured value, whose mean decides its level.
    var window = LevelWindow()
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

    /// The message of a derived condition at `priority`, naming the value and the threshold,
    /// each number with its unit, joint positions in degrees or millimetres.
    func message(rule: AlarmRule, subject: String, priority: AlarmPriority, reading r: AlarmReading) -> String {
        let v = r.value.map { $0 } ?? .nan
        func n(_ x: Double, _ d: Int) -> String { x.isNaN ? "?" : NumberText.trimmed(x, d) }
        switch rule {
        case .rtt:
            return "\(subject) round trip \(n(v, 1)) ms ≥ \(n(rttMs[priority], 3)) ms\(meanNote)"
        case .jitter:
            return "\(subject) jitter \(n(v, 1)) ms ≥ \(n(jitterMs[priority], 3)) ms\(meanNote)"
        case .loss:
            return "\(subject) packet loss \(n(v, 2)) % ≥ \(n(lossPct[priority], 3)) %\(meanNote)"
        case .video:
            return "\(subject) video \(n(v, 1)) fps < \(n(videoFpsBelow, 3)) fps\(meanNote)"
        case .bandwidth(let minimum):
            return "\(subject) bandwidth \(n(v, 1)) Mbit/s < \(n(minimum, 3)) Mbit/s the robot needs\(meanNote)"
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
            let position = "\(subject) \(p.isNaN ? "?" : unit.readableText(p))"
            if v < 0 {
                return "\(position) beyond its limit \(unit.readableText(limit))\(meanNote)"
            }
            let threshold = priority >= .medium ? atLimitPct : nearLimitPct
            let words = priority >= .medium ? "at" : "near"
            return "\(position) \(words) its limit \(unit.readableText(limit)) (\(n(v, 1)) % of range ≤ \(n(threshold, 3)) %\(meanClause))"
        case .effort(let unit, let maximum):
            let u = unit.effortUnit
            return "\(subject) effort \(n(r.value2 ?? .nan, 2)) \(u) = \(n(v, 0)) % of max \(n(maximum, 3)) \(u) (≥ \(n(effortPct, 3)) %\(meanClause))"
        case .instrumentFault:
            if let tool = r.aux { return "\(subject) instrument \(tool) in FAULT" }
            return "\(subject) instrument in FAULT"
        case .instrumentUses:
            if let tool = r.aux { return "\(subject) instrument \(tool) has no uses left" }
            return "\(subject) instrument has no uses left"
        }
    }

    /// How a measured value's figure was taken: the mean of the last `sustain_s` of samples
    /// (nothing when that window is 0 s: the latest sample).
    var meanNote: String {
        sustainSeconds > 0 ? " (\(NumberText.trimmed(sustainSeconds, 3)) s mean)" : ""
    }

    /// The same inside a parenthesis that says more: ", 1 s mean".
    var meanClause: String {
        sustainSeconds > 0 ? ", \(NumberText.trimmed(sustainSeconds, 3)) s mean" : ""
    }

    /// The message of a CLEAR: that the condition is over, with the value now where one is
    /// measured, and what it was (never the raise condition in the present tense).
    func clearMessage(rule: AlarmRule, subject: String, was: String, now r: AlarmReading) -> String {
        let now = r.value.flatMap { value(rule: rule, $0, position: r.value2) }
        return "condition over\(now.map { ", now \($0)" } ?? ""); was: \(was)"
    }

    /// A measured value with its unit: "112 ms", "79.9°"; nil for conditions without one.
    func value(rule: AlarmRule, _ v: Double, position: Double?) -> String? {
        let x = NumberText.trimmed(v, 1)
        switch rule {
        case .rtt, .jitter: return "\(x) ms"
        case .loss: return "\(NumberText.trimmed(v, 2)) %"
        case .video: return "\(x) fps"
        case .bandwidth: return "\(x) Mbit/s"
        case .jointLimit(let unit, _, _): return position.map { unit.readableText($0) }
        case .effort: return "\(NumberText.trimmed(v, 0)) % of max"
        default: return nil
        }
    }
}

extension AlarmRule {
    /// The unit of the report's peak value for this rule ("ms", "% of range from its limit").
    var peakUnit: String? {
        switch self {
        case .rtt, .jitter: "ms"
        case .loss: "%"
        case .video: "fps"
        case .bandwidth: "Mbit/s"
        case .jointLimit: "% of range from its limit"
        case .effort: "% of max effort"
        case .telemetryLost: "s without telemetry"
        case .sequenceGaps: "sequence gaps"
        case .telemetryDropped: "arm samples dropped"
        case .telemetryIgnored: "frames ignored"
        case .telemetryVersion: "(format version)"
        case .instrumentUses: "uses left"
        case .pathDown, .allDown, .armFault, .instrumentFault, .recordingFailed: nil
        }
    }
}
