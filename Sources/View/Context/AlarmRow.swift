import SessionCore
import Telemetry

/// One line of the alarm list, whoever raised it: the robot (device alarms) or the console's own
/// alarm engine (thresholds); the console builds the rows from the engine's list.
public struct AlarmRow: Sendable, Equatable {
    public var id: String
    public var priority: AlarmPriority
    public var message: String
    /// Session time at which the condition was raised.
    public var since: Double
    /// Someone acknowledged it: it stays listed, without the emphasis.
    public var acknowledged: Bool
    /// The condition has cleared but the alarm is latched until acknowledged.
    public var latched: Bool
    /// Arm id or subsystem, when known.
    public var source: String?
    /// False during the dark half of a flashing alarm's cycle (high ~2 Hz, medium ~0.6 Hz).
    public var lit: Bool = true
    /// The row `a` acknowledges (drawn in reverse video while the Alarms panel has focus).
    public var selected: Bool = false
    /// A robot alarm raised before a live reconnect that the gateway has not confirmed since.
    public var unconfirmed: Bool = false

    public init(id: String, priority: AlarmPriority, message: String, since: Double,
                acknowledged: Bool = false, latched: Bool = false, source: String? = nil) {
        self.id = id
        self.priority = priority
        self.message = message
        self.since = since
        self.acknowledged = acknowledged
        self.latched = latched
        self.source = source
    }

    /// What the Alarms panel says of an unconfirmed alarm.
    public static let unconfirmedNote = "unconfirmed since reconnect"

    /// Display order: highest priority first, then the oldest first (new alarms join the end of
    /// their priority group, so rows do not jump as alarms arrive), then by id.
    public static func displayOrder(_ a: AlarmRow, _ b: AlarmRow) -> Bool {
        if a.priority != b.priority { return a.priority > b.priority }
        if a.since != b.since { return a.since < b.since }
        return a.id < b.id
    }
}
