import DequeModule
import Telemetry

/// When a stream last updated: in session time (the frame's `t`) and in arrival time
/// (injected monotonic seconds), so a screen can say "no data for 1.4 s".
public struct Stamp: Sendable, Equatable {
    public var sessionTime: Double
    public var arrival: Double

    public init(sessionTime: Double, arrival: Double) {
        self.sessionTime = sessionTime
        self.arrival = arrival
    }
}

/// How much history the core keeps. The defaults keep five minutes of every link metric at
/// 10 Hz and five minutes of every joint position at 10 Hz, whatever the source's rate.
public struct HistoryLimits: Sendable, Equatable {
    public var linkCapacity: Int
    public var linkInterval: Double
    public var jointCapacity: Int
    public var jointInterval: Double
    public var events: Int
    public var errors: Int
    /// How many distinct link paths, instrument arms and active device alarms the state keeps.
    /// Far above any robot (two or three paths, four arms, a handful of alarms), they keep the
    /// memory and the per-frame searches bounded whatever names a stream invents.
    public var links = 16
    public var instruments = 32
    public var deviceAlarms = 256
    /// Each arm's tool-tip trail: ten seconds at 20 Hz (`TipTrail`).
    public var tipCapacity = 200
    public var tipInterval = 0.05

    public init(linkCapacity: Int = 3000, linkInterval: Double = 0.1, jointCapacity: Int = 3000,
                jointInterval: Double = 0.1, events: Int = 1000, errors: Int = 200) {
        self.linkCapacity = linkCapacity
        self.linkInterval = linkInterval
        self.jointCapacity = jointCapacity
        self.jointInterval = jointInterval
        self.events = events
        self.errors = errors
    }
}

/// One robot arm: its descriptor and its latest CRTK state.
public struct ArmState: Sendable, Equatable {
    public var descriptor: ArmDescriptor
    public var state: OperatingState?
    public var homed: Bool?
    public var following: Bool?
    /// Latest joint positions, velocities and efforts, in descriptor order and units.
    public var position: Readings?
    public var velocity: Readings?
    public var effort: Readings?
    /// Session time of the newest arm frame that carried `effort` in the stream's order (the
    /// alarm engine feeds each effort sample once).
    public var effortAt: Double?
    /// Tool tip position (m), orientation quaternion (x, y, z, w), twist (m/s, rad/s).
    public var tip: Readings?
    public var orientation: Readings?
    public var twist: Readings?
    public var jaw: Double?
    public var lastUpdate: Stamp?
    /// Each joint's position over the last minutes, one series per joint.
    public var positionHistory: [TimeSeries]
    /// The tool tip's path over the last seconds.
    public var tipTrail: TipTrail

    public init(descriptor: ArmDescriptor, limits: HistoryLimits) {
        self.descriptor = descriptor
        self.tipTrail = TipTrail(capacity: limits.tipCapacity, interval: limits.tipInterval)
        self.positionHistory = descriptor.joints.map { _ in
            TimeSeries(capacity: limits.jointCapacity, interval: limits.jointInterval)
        }
    }

    public var id: String { descriptor.id }

    /// Tool-tip speed in m/s, from the twist's linear part.
    public var tipSpeed: Double? {
        guard let twist, twist.count >= 3 else { return nil }
        return (twist[0] * twist[0] + twist[1] * twist[1] + twist[2] * twist[2]).squareRoot()
    }
}

/// The instrument on one PSM.
public struct InstrumentStatus: Sendable, Equatable {
    public var arm: String
    /// The mounted instrument's model; nil when none is mounted (or not yet reported).
    public var tool: String?
    public var state: InstrumentState?
    public var usesLeft: Int?
    public var energy: EnergyMode?
    public var energyActive: Bool
    public var lastUpdate: Stamp?

    public init(arm: String) {
        self.arm = arm
        self.energyActive = false
    }
}

/// The metrics a link frame can carry, in the order screens show them.
public enum LinkMetric: String, Sendable, CaseIterable {
    case rtt = "rtt_ms", jitter = "jitter_ms", loss = "loss_pct", bandwidth = "bandwidth_mbps"
    case videoFps = "video_fps", videoDelay = "video_delay_ms"

    /// The value of this metric in a sample, if present.
    public func value(in sample: LinkSample) -> Double? {
        switch self {
        case .rtt: sample.rttMs
        case .jitter: sample.jitterMs
        case .loss: sample.lossPct
        case .bandwidth: sample.bandwidthMbps
        case .videoFps: sample.videoFps
        case .videoDelay: sample.videoDelayMs
        }
    }

    public var unit: String {
        switch self {
        case .rtt, .jitter, .videoDelay: "ms"
        case .loss: "%"
        case .bandwidth: "Mbit/s"
        case .videoFps: "fps"
        }
    }
}

/// One network path between the surgeon's console and the patient-side robot.
public struct LinkState: Sendable, Equatable {
    public var path: String
    public var up: Bool?
    /// Latest value of each metric (absent until first reported).
    public var latest: [LinkMetric: Double] = [:]
    /// Recent history of each metric.
    public var history: [LinkMetric: TimeSeries] = [:]
    public var lastUpdate: Stamp?
    /// Session time at which the path was last seen going down (nil while up).
    public var downSince: Double?
    /// When each metric's last live value came. A value reported while the path is down is not
    /// a measurement: it is kept out of `latest` and `history` (so out of the alarm windows).
    public var liveStamps: [LinkMetric: Stamp] = [:]
    /// Session time the path last came back up after being down: a metric not reported since
    /// is not live (metrics are optional per frame, so each has its own).
    public var backUpAt: Double?
    /// The session's round trip and jitter so far, as p50/p95/p99 (live values only, as the
    /// report counts them).
    public var rttPercentiles = SessionPercentiles()
    public var jitterPercentiles = SessionPercentiles()

    public init(path: String) {
        self.path = path
    }

    /// Whether `metric`'s latest value is a current measurement: the path is not down and the
    /// value came after the path last came back up.
    public func isLive(_ metric: LinkMetric) -> Bool {
        guard up != false, let stamp = liveStamps[metric] else { return false }
        return backUpAt.map { stamp.sessionTime >= $0 } ?? true
    }

    /// When the newest live value of any metric came (what a down path's values are as old as).
    public var lastLiveStamp: Stamp? {
        liveStamps.values.max { $0.sessionTime < $1.sessionTime }
    }
}

/// An alarm the robot itself reported and has not cleared.
public struct DeviceAlarm: Sendable, Equatable {
    public var id: String
    public var priority: AlarmPriority
    public var kind: AlarmKind
    public var source: String?
    public var message: String?
    /// Session time of the raise (the first one, if re-raised).
    public var raisedAt: Double
    public var updatedAt: Double
    /// Raised before a live reconnect, and neither raised, cleared nor listed by a `sync` since:
    /// the robot may have cleared it while the console was away (Resync.swift).
    public var unconfirmed = false
    /// Listed by a `sync` frame without the console having seen it raised (Resync.swift).
    public var raisedBySync = false
}

/// One entry of the event log.
public struct EventEntry: Sendable, Equatable {
    public var t: Double
    public var kind: String
    public var text: String?
    /// Added by the console (a connection event), not sent by the stream: capped on its own
    /// so it never pushes the stream's events out (ConnectionEvents.swift).
    public var byConsole = false
}

/// What the core has counted since the session (or the current source) started.
public struct SessionCounters: Sendable, Equatable {
    /// Frames by type, in `FrameType.allCases` order (an array: this is counted for every frame).
    public var frames = [Int](repeating: 0, count: FrameType.allCases.count)
    public var badLines = 0
    public var unknownTypes = 0
    /// Valid frames the state had no room for: a link path, an instrument's arm or a device
    /// alarm id beyond `HistoryLimits` (a hostile stream inventing names by the million).
    public var ignored = 0
    /// Lone frames far ahead of the session time (see `SessionState.timeJumpLimit`).
    public var timeOutliers = 0
    /// The session time of the latest one.
    public var lastIgnored: Double?
    /// Out-of-order frames and sequence gaps.
    public var order = StreamOrder()

    public init() {}

    public func frames(of type: FrameType) -> Int { frames[type.ordinal] }
    /// Frames whose `t` was lower than their predecessor's (applied anyway).
    public var outOfOrder: Int { order.outOfOrder }
    public var sequenceGaps: Int { order.sequenceGaps }
    public var missingFrames: Int { order.missingFrames }
}

/// Everything the console knows about the session, derived from frames alone.
/// Changed only by `SessionState.apply`; read by the view.
public struct SessionState: Sendable, Equatable {
    public var limits: HistoryLimits
    public var info: SessionInfo?
    /// Arms in the order the session frame declared them.
    public var arms: [ArmState] = []
    /// Instruments by PSM, in order of first report.
    public var instruments: [InstrumentStatus] = []
    /// Paths in order of first report.
    public var links: [LinkState] = []
    /// The robot's own alarms that are raised and not yet cleared, in order of raising.
    public var deviceAlarms: [DeviceAlarm] = []
    public var events: Deque<EventEntry> = []
    /// The latest `caption` event (a scenario's caption, CaptionEvents.swift), kept apart from
    /// `events` so that a flood of other events never pushes it out of the band.
    public var caption: EventEntry?
    /// The console's own entries among `events`, and the run of repeats being collapsed.
    public internal(set) var connectionLog = ConnectionLog()
    /// The most recent decode errors (the counters keep the total).
    public var recentErrors: Deque<DecodeError> = []
    public var counters = SessionCounters()
    /// Latest session time seen (the greatest `t`, a lone far jump aside: see `timeJumpLimit`).
    public var sessionTime: Double = 0
    /// A frame more than `timeJumpLimit` ahead of the session time, not yet confirmed by the
    /// next frame.
    public var unconfirmedJump: Double?
    /// Session seconds a frame may move the clock forward at once. A frame further ahead moves
    /// it only when the next frame agrees (a gateway that resumed after a long pause); a lone
    /// one (`t` of 1e8 in a stream at 10) is applied but leaves the clock, so it cannot silence
    /// every derived alarm for the rest of the session.
    public static let timeJumpLimit = 3600.0
    /// When any frame last arrived.
    public var lastFrame: Stamp?
    /// A live source reconnected and its `sync` frame has not come yet (Resync.swift).
    public var awaitingSync = false
    /// A line that could not be read came while awaiting the `sync` (it may have been the sync).
    public var badLineAwaitingSync = false
    /// The latest `sync` applied and the robot alarms it cleared (the alarm engine logs those
    /// clears as resynchronisations).
    public var lastResync: ResyncRecord?
    /// The robot alarms `alarm` frames cleared lately (the alarm engine logs each, RobotClears.swift).
    public var robotClears = RobotClearRecord()
    /// Frames per second by arrival time, over the last few seconds.
    public var arrivalRate = RateMeter()

    var armIndex: [String: Int] = [:]

    public init(limits: HistoryLimits = HistoryLimits()) {
        self.limits = limits
    }

    public func arm(_ id: String) -> ArmState? {
        armIndex[id].map { arms[$0] }
    }

    public func link(_ path: String) -> LinkState? {
        links.first { $0.path == path }
    }

    public func instrument(on arm: String) -> InstrumentStatus? {
        instruments.first { $0.arm == arm }
    }

    /// Seconds since a stream last updated, by arrival time; nil if it never did.
    public static func age(of stamp: Stamp?, now: Double) -> Double? {
        stamp.map { max(0, now - $0.arrival) }
    }
}

/// Counts events per second over the last second of arrivals, in tenths of a second: the rate
/// falls to 0 within about a second of the last arrival, so a stream that stopped (a dropped
/// connection, a paused replay) never shows a rate it no longer has. In a stream's first second
/// it counts what has come so far (it climbs to the rate, never overshoots it).
public struct RateMeter: Sendable, Equatable {
    /// Counts per tenth of a second; the ring holds the window and the tenth under way.
    private var buckets: [Int] = Array(repeating: 0, count: Self.window + 1)
    private var currentTenth: Int = .min

    /// Tenths of a second in the window.
    static let window = 10

    public init() {}

    public mutating func record(at time: Double, count: Int = 1) {
        advance(to: Self.tenth(time))
        buckets[slot(currentTenth)] = buckets[slot(currentTenth)].saturatingAdd(count)
    }

    /// Events in the last completed second before `time` (the ten tenths before the one under
    /// way), per second.
    public func rate(at time: Double) -> Double {
        guard currentTenth != .min else { return 0 }
        let now = Self.tenth(time)
        var total = 0
        for tenth in (now - Self.window)..<now where tenth <= currentTenth && tenth > currentTenth - buckets.count {
            total = total.saturatingAdd(buckets[slot(tenth)])
        }
        return Double(total)
    }

    private static func tenth(_ time: Double) -> Int {
        Int(saturating: (time * 10).rounded(.down))
    }

    private func slot(_ tenth: Int) -> Int {
        let n = buckets.count
        return (tenth % n + n) % n
    }

    private mutating func advance(to tenth: Int) {
        if currentTenth == .min {
            currentTenth = tenth
            return
        }
        guard tenth > currentTenth else { return }
        let steps = min(buckets.count, tenth - currentTenth)
        for k in 1...steps { buckets[slot(currentTenth + k)] = 0 }
        currentTenth = tenth
    }
}
