import Telemetry

/// Who raised an alarm condition: the robot (an `alarm` frame) or the console itself
/// (a threshold on the telemetry).
public enum AlarmOrigin: String, Sendable, Equatable, CaseIterable {
    case device, derived
}

/// One listed alarm: active, or latched (cleared by the robot, kept until acknowledged).
public struct ActiveAlarm: Sendable, Equatable {
    /// Stable identifier: the robot's id for device alarms, e.g. `LINK.primary.RTT` for derived ones.
    public var id: String
    public var origin: AlarmOrigin
    public var kind: AlarmKind
    /// The current priority (escalates and de-escalates in place).
    public var priority: AlarmPriority
    /// What the condition is, naming the value and the threshold for derived alarms.
    public var message: String
    /// Session time at which the alarm was raised (for device alarms, the raising frame's `t`).
    public var raisedAt: Double
    /// Someone acknowledged it: it stays listed while the condition lasts, without flashing or sound.
    public var acknowledged: Bool
    /// The robot cleared it but it is a high-priority device alarm: listed until acknowledged.
    public var latched: Bool
    /// Arm id, link path or subsystem, when known.
    public var source: String?
    /// The latest measured value (derived alarms; nil when the value is absent or not a number).
    public var value: Double?
    /// A robot alarm raised before a live reconnect that the gateway has not confirmed since
    /// (it sent no `sync`): it may have cleared while the console was away.
    public var unconfirmed: Bool

    public init(id: String, origin: AlarmOrigin, kind: AlarmKind = .technical, priority: AlarmPriority,
                message: String, raisedAt: Double, acknowledged: Bool = false, latched: Bool = false,
                source: String? = nil, value: Double? = nil, unconfirmed: Bool = false) {
        self.unconfirmed = unconfirmed
        self.id = id
        self.origin = origin
        self.kind = kind
        self.priority = priority
        self.message = message
        self.raisedAt = raisedAt
        self.acknowledged = acknowledged
        self.latched = latched
        self.source = source
        self.value = value
    }

    /// Unacknowledged high and medium alarms flash (see `AlarmEngine.isLitPhase`); low ones are steady.
    public var flashing: Bool { !acknowledged && priority >= .medium }

    /// Display order: highest priority first, then the oldest first, then by id
    /// (the same order as the view's `AlarmRow.displayOrder`).
    public static func displayOrder(_ a: ActiveAlarm, _ b: ActiveAlarm) -> Bool {
        if a.priority != b.priority { return a.priority > b.priority }
        if a.raisedAt != b.raisedAt { return a.raisedAt < b.raisedAt }
        return a.id < b.id
    }
}

/// One line of the alarm log: something that happened to an alarm, or to the audio.
public struct AlarmLogEntry: Sendable, Equatable {
    public enum Action: String, Sendable, Equatable, CaseIterable {
        case raise = "RAISE"
        case escalate = "ESCALATE"
        case deescalate = "DEESCALATE"
        case clear = "CLEAR"
        /// A high-priority device alarm cleared by the robot, kept listed until acknowledged.
        case latch = "LATCH"
        case acknowledge = "ACK"
        case audioPause = "AUDIO-PAUSE"
        /// The pause ran out, or `resumeAudio` was called.
        case audioResume = "AUDIO-RESUME"
        /// A new alarm of higher priority than every listed one ended the pause.
        case audioBreakThrough = "AUDIO-BREAK"
        /// A robot alarm raised, cleared or confirmed by a `sync` frame (what changed while the
        /// console was away), or confirmed by the robot after being unconfirmed.
        case resync = "RESYNC"
        /// A robot alarm raised before a reconnect that the gateway did not confirm (no `sync`).
        case unconfirmed = "UNCONFIRMED"
    }

    /// Engine clock (session seconds).
    public var time: Double
    public var action: Action
    /// The alarm concerned (nil for audio pause and resume).
    public var id: String?
    public var origin: AlarmOrigin?
    /// The alarm's priority after the action.
    public var priority: AlarmPriority?
    /// The priority before an escalation or de-escalation.
    public var previous: AlarmPriority?
    public var message: String
    /// What a `.resync` entry did to the alarm (nil for every other action): the marker pass
    /// and the report read this, never the message.
    public var resync: ResyncEffect?

    public enum ResyncEffect: Sendable, Equatable {
        /// Listed by the gateway's `sync` without having been seen raised (or raised again
        /// after a latch): a raise.
        case raised
        /// Not in the gateway's `sync`: a clear (the alarm may stay latched).
        case cleared
        /// Raised before a reconnect and confirmed since: still the same raise.
        case confirmed
    }

    public init(time: Double, action: Action, id: String? = nil, origin: AlarmOrigin? = nil,
                priority: AlarmPriority? = nil, previous: AlarmPriority? = nil, message: String,
                resync: ResyncEffect? = nil) {
        self.time = time
        self.action = action
        self.id = id
        self.origin = origin
        self.priority = priority
        self.previous = previous
        self.message = message
        self.resync = resync
    }

    /// Whether this entry raised its alarm: a raise, or a `sync` that listed it anew.
    public var raisesAlarm: Bool {
        action == .raise || (action == .resync && resync == .raised)
    }

    /// One line without wall time, control characters removed:
    /// `t=123.4  RAISE  ** LINK.primary.RTT  primary round trip 245 ms ≥ 200 ms`.
    public var text: String {
        var s = "t=" + NumberText.fixed(time, 1) + "  " + action.rawValue
        if let id {
            s += "  "
            if let priority { s += priority.marker + " " }
            s += WireText.sanitize(id)
            if let previous { s += " (was " + previous.marker + ")" }
        }
        if !message.isEmpty { s += "  " + WireText.sanitize(message) }
        return s
    }
}

/// Everything known about one alarm condition over the session, for `surgtop report`.
public struct AlarmRecord: Sendable, Equatable {
    public var id: String
    public var origin: AlarmOrigin
    public var source: String?
    /// The highest priority it reached.
    public var peakPriority: AlarmPriority
    /// Engine time of the first raise.
    public var firstRaised: Double
    /// How many times it was raised (a raise after a clear counts again; escalations do not).
    public var raises: Int
    /// Seconds listed at each priority. Derived alarms: from the raise (after the sustain time)
    /// to the clear (after the clear-after time). Device alarms: from the robot's raise to its
    /// clear (a latched alarm's wait for acknowledgement is not counted). Open alarms count up to
    /// the engine clock.
    public var secondsLow: Double
    public var secondsMedium: Double
    public var secondsHigh: Double
    /// The worst value seen while listed (highest round trip, lowest video rate, closest approach
    /// to a joint limit in % of range…); nil for conditions without a value.
    public var peakValue: Double?
    /// The unit of `peakValue` ("ms", "% of range from its limit"); nil without one.
    public var peakUnit: String? = nil
    /// The message at the peak (derived: the peak value at the peak priority; device: the latest text).
    public var message: String
    /// Still listed when the history was taken.
    public var isOpen: Bool

    /// Total seconds listed.
    public var duration: Double { secondsLow + secondsMedium + secondsHigh }

}
