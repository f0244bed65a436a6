/// How surgtop lays its frames out in MCAP: the contract between `MCAPExport` (writing) and
/// `SurgtopMCAPRecording` (reading back). README "Interoperability" describes it for people.
///
/// - Every message is JSON (`message_encoding: json`) with a `jsonschema` schema per channel, and its data is
///   itself a valid telemetry-v1 frame line: `t`, `type`, `seq` when the frame had one, and the fields of its
///   part. Session, sync, link, instrument, alarm and event frames go whole, one message each. An arm frame is
///   split in CRTK's parts, one message on each channel whose fields it carries:
///   `/<arm>/measured_js` (position, velocity, effort, plus `name`, the joint names, as in
///   sensor_msgs/JointState), `/<arm>/measured_cp` (tip, orientation), `/<arm>/measured_cv` (twist),
///   `/<arm>/jaw/measured_js` (jaw), `/<arm>/operating_state` (state, homed, following).
/// - Every message of one frame has the same `sequence` (the frame's ordinal in the file, from 0, modulo 2³²)
///   and the same log time, and they are written one after the other in `ArmPart` order, never split
///   across chunks. Reading back merges them into the frame.
/// - `log_time` = `publish_time` = the session's wall clock in nanoseconds: the latest session frame's
///   `started_at` (to the ns) + `t`, clamped to 0…UInt64.max. A session frame without `started_at` that repeats
///   the latest session's `id` continues it (spec §3) and keeps its time base; a new session without
///   `started_at` counts from `fallbackEpoch`, and the file's `surgtop` metadata record says which.
public enum SurgtopMCAPProfile {
    /// The Header's profile field.
    public static let profile = "surgtop"
    /// Schema names start with this (`surgtop.link`, `surgtop.measured_js`, …): how a reader tells
    /// surgtop's channels from others.
    public static let schemaPrefix = "surgtop."
    /// The name of the metadata record that describes the file (format, time base, source, version).
    public static let metadataName = "surgtop"
    /// 2000-01-01T00:00:00Z, in seconds since 1970: the wall clock of t = 0 for a session without `started_at`.
    /// Not 1970 (Foxglove refuses a range from 1970 to today), and far from any real session.
    public static let fallbackEpoch: UInt64 = 946_684_800

    /// The parts an arm frame is split in, in the order they are written.
    public enum ArmPart: String, CaseIterable, Sendable {
        case operatingState = "operating_state"
        case measuredJS = "measured_js"
        case jaw = "jaw/measured_js"
        case measuredCP = "measured_cp"
        case measuredCV = "measured_cv"

        /// The channel's topic for `arm`.
        public func topic(arm: String) -> String { "/\(arm)/\(rawValue)" }
    }

    /// The topics of the frames that go whole.
    public static func linkTopic(path: String) -> String { "/link/\(path)" }
    public static func instrumentTopic(arm: String) -> String { "/\(arm)/instrument" }
    public static let sessionTopic = "/session"
    public static let syncTopic = "/sync"
    public static let alarmsTopic = "/alarms"
    public static let eventsTopic = "/events"
}
