/// One line of telemetry v1: session time, optional sequence number and a typed body.
public struct Frame: Sendable, Equatable {
    /// Session time in seconds since t = 0.
    public var t: Double
    /// Per-source sequence number; a gap means frames were lost upstream.
    public var seq: Int?
    public var body: Body

    public init(t: Double, seq: Int? = nil, body: Body) {
        self.t = t
        self.seq = seq
        self.body = body
    }

    public enum Body: Sendable, Equatable {
        /// Boxed: session and link frames are rare (≤ 10 Hz) and large, and every frame
        /// takes the size of its largest case, so unboxed they would slow every arm frame.
        indirect case session(SessionInfo)
        /// Boxed as well: sent once per connection, and its arrays can be long.
        indirect case sync(SyncSnapshot)
        indirect case link(LinkSample)
        case arm(ArmSample)
        case instrument(InstrumentSample)
        case alarm(AlarmReport)
        case event(EventNote)
    }

    /// The frame's `type` as written on the wire.
    public var typeName: FrameType {
        switch body {
        case .session: .session
        case .sync: .sync
        case .link: .link
        case .arm: .arm
        case .instrument: .instrument
        case .alarm: .alarm
        case .event: .event
        }
    }
}

/// The seven frame types of v1.
public enum FrameType: String, Sendable, CaseIterable {
    case session, sync, link, arm, instrument, alarm, event

    /// Its position in `allCases`, for counting by type in an array.
    public var ordinal: Int {
        switch self {
        case .session: 0
        case .sync: 1
        case .link: 2
        case .arm: 3
        case .instrument: 4
        case .alarm: 5
        case .event: 6
        }
    }
}

// MARK: - session

/// The `session` frame: what this session is and which arms it has.
public struct SessionInfo: Sendable, Equatable {
    public var version: Int
    public var id: String
    public var procedure: String?
    public var robot: String?
    public var surgeonSite: String?
    public var patientSite: String?
    public var distanceKm: Double?
    public var startedAt: String?
    /// The bandwidth the robot needs on its active path (Mbps); below it, LINK.<path>.BANDWIDTH.
    public var minBandwidthMbps: Double?
    public var arms: [ArmDescriptor]

    public init(version: Int = 1, id: String, procedure: String? = nil, robot: String? = nil,
                surgeonSite: String? = nil, patientSite: String? = nil, distanceKm: Double? = nil,
                startedAt: String? = nil, minBandwidthMbps: Double? = nil, arms: [ArmDescriptor]) {
        self.version = version
        self.id = id
        self.procedure = procedure
        self.robot = robot
        self.surgeonSite = surgeonSite
        self.patientSite = patientSite
        self.distanceKm = distanceKm
        self.startedAt = startedAt
        self.minBandwidthMbps = minBandwidthMbps
        self.arms = arms
    }
}

public enum ArmKind: String, Sendable, Equatable, CaseIterable {
    case psm = "PSM", ecm = "ECM", mtm = "MTM", other
}

public struct ArmDescriptor: Sendable, Equatable {
    public var id: String
    public var kind: ArmKind
    public var joints: [JointDescriptor]

    public init(id: String, kind: ArmKind, joints: [JointDescriptor] = []) {
        self.id = id
        self.kind = kind
        self.joints = joints
    }
}

public enum JointUnit: String, Sendable, Equatable {
    case rad, m
}

public struct JointDescriptor: Sendable, Equatable {
    public var name: String
    public var unit: JointUnit
    public var min: Double?
    public var max: Double?
    public var effortMax: Double?

    public init(name: String, unit: JointUnit, min: Double? = nil, max: Double? = nil, effortMax: Double? = nil) {
        self.name = name
        self.unit = unit
        self.min = min
        self.max = max
        self.effortMax = effortMax
    }
}

// MARK: - link

/// One `link` frame: metrics of one network path. Every metric is optional.
public struct LinkSample: Sendable, Equatable {
    public var path: String
    public var up: Bool?
    public var rttMs: Double?
    public var jitterMs: Double?
    public var lossPct: Double?
    public var bandwidthMbps: Double?
    public var videoFps: Double?
    public var videoDelayMs: Double?

    /// The path a link frame without `path` describes (spec §3).
    public static let defaultPath = "primary"

    public init(path: String = LinkSample.defaultPath, up: Bool? = nil, rttMs: Double? = nil, jitterMs: Double? = nil,
                lossPct: Double? = nil, bandwidthMbps: Double? = nil, videoFps: Double? = nil,
                videoDelayMs: Double? = nil) {
        self.path = path
        self.up = up
        self.rttMs = rttMs
        self.jitterMs = jitterMs
        self.lossPct = lossPct
        self.bandwidthMbps = bandwidthMbps
        self.videoFps = videoFps
        self.videoDelayMs = videoDelayMs
    }

    /// Whether the frame carries at least one metric, as the spec requires.
    public var hasMetric: Bool {
        up != nil || rttMs != nil || jitterMs != nil || lossPct != nil || bandwidthMbps != nil
            || videoFps != nil || videoDelayMs != nil
    }
}

// MARK: - arm

/// CRTK operating state.
public enum OperatingState: String, Sendable, Equatable, CaseIterable {
    case disabled = "DISABLED", enabled = "ENABLED", paused = "PAUSED", fault = "FAULT"
}

/// One `arm` frame: CRTK measured_js / measured_cp / measured_cv / operating_state.
///
/// Its number arrays are `Readings` over one shared buffer, laid out in the order of
/// `Run`; each is nil when the frame did not carry it.
public struct ArmSample: Sendable, Equatable {
    public var arm: String
    public var state: OperatingState?
    public var homed: Bool?
    public var following: Bool?
    public var jaw: Double?
    /// The present runs, back to back in `Run` order.
    private var values: ReadingsStorage
    /// Each run's length, −1 when absent.
    private var lengths: (Int32, Int32, Int32, Int32, Int32, Int32)

    /// The number arrays of an arm frame, in storage order.
    public enum Run: Int, CaseIterable, Sendable {
        case position, velocity, effort, tip, orientation, twist
    }

    public init(arm: String, state: OperatingState? = nil, homed: Bool? = nil, following: Bool? = nil,
                position: [Double]? = nil, velocity: [Double]? = nil, effort: [Double]? = nil,
                tip: [Double]? = nil, orientation: [Double]? = nil, twist: [Double]? = nil, jaw: Double? = nil) {
        self.arm = arm
        self.state = state
        self.homed = homed
        self.following = following
        self.jaw = jaw
        let runs = [position, velocity, effort, tip, orientation, twist]
        values = ReadingsStorage.make(runs.flatMap { $0 ?? [] })
        let l = runs.map { Int32($0?.count ?? -1) }
        lengths = (l[0], l[1], l[2], l[3], l[4], l[5])
    }

    /// A sample over an already packed buffer (the decoder's path: one allocation per frame).
    init(arm: String, values: ReadingsStorage, lengths: (Int32, Int32, Int32, Int32, Int32, Int32)) {
        self.arm = arm
        self.values = values
        self.lengths = lengths
    }

    /// Joint positions, in descriptor order and units.
    public var position: Readings? {
        get { self[.position] }
        set { self[.position] = newValue }
    }
    /// Joint velocities.
    public var velocity: Readings? {
        get { self[.velocity] }
        set { self[.velocity] = newValue }
    }
    /// Joint efforts (N·m or N).
    public var effort: Readings? {
        get { self[.effort] }
        set { self[.effort] = newValue }
    }
    /// Tool-tip x, y, z in metres.
    public var tip: Readings? {
        get { self[.tip] }
        set { self[.tip] = newValue }
    }
    /// Quaternion x, y, z, w.
    public var orientation: Readings? {
        get { self[.orientation] }
        set { self[.orientation] = newValue }
    }
    /// Linear (m/s) then angular (rad/s) velocity.
    public var twist: Readings? {
        get { self[.twist] }
        set { self[.twist] = newValue }
    }

    private func length(_ run: Run) -> Int32 {
        switch run {
        case .position: lengths.0
        case .velocity: lengths.1
        case .effort: lengths.2
        case .tip: lengths.3
        case .orientation: lengths.4
        case .twist: lengths.5
        }
    }

    public subscript(run: Run) -> Readings? {
        get {
            let n = length(run)
            guard n >= 0 else { return nil }
            var offset = 0
            for earlier in 0..<run.rawValue { offset += max(0, Int(length(Run(rawValue: earlier)!))) }
            return Readings(storage: values, offset: offset, count: Int(n))
        }
        set {
            var runs = Run.allCases.map { self[$0].map(Array.init) }
            runs[run.rawValue] = newValue.map(Array.init)
            self = ArmSample(arm: arm, state: state, homed: homed, following: following,
                             position: runs[0], velocity: runs[1], effort: runs[2],
                             tip: runs[3], orientation: runs[4], twist: runs[5], jaw: jaw)
        }
    }

    public static func == (a: ArmSample, b: ArmSample) -> Bool {
        a.arm == b.arm && a.state == b.state && a.homed == b.homed && a.following == b.following && a.jaw == b.jaw
            && Run.allCases.allSatisfy { a[$0] == b[$0] }
    }
}

// MARK: - instrument

public enum InstrumentState: String, Sendable, Equatable, CaseIterable {
    case none = "NONE", inserted = "INSERTED", engaging = "ENGAGING", engaged = "ENGAGED", fault = "FAULT"
}

public enum EnergyMode: String, Sendable, Equatable, CaseIterable {
    case none = "NONE", monopolar = "MONOPOLAR", bipolar = "BIPOLAR"
}

/// The tool on a PSM. `tool` distinguishes "absent" (`.unchanged`) from an explicit null (`.none`).
public struct InstrumentSample: Sendable, Equatable {
    public enum Tool: Sendable, Equatable {
        case unchanged
        case none
        case model(String)
    }

    public var arm: String
    public var tool: Tool
    public var state: InstrumentState?
    public var usesLeft: Int?
    public var energy: EnergyMode?
    public var energyActive: Bool?

    public init(arm: String, tool: Tool = .unchanged, state: InstrumentState? = nil, usesLeft: Int? = nil,
                energy: EnergyMode? = nil, energyActive: Bool? = nil) {
        self.arm = arm
        self.tool = tool
        self.state = state
        self.usesLeft = usesLeft
        self.energy = energy
        self.energyActive = energyActive
    }
}

// MARK: - alarm

/// IEC 60601-1-8 alarm priority. Ordered low < medium < high.
public enum AlarmPriority: String, Sendable, Equatable, CaseIterable, Comparable {
    case low, medium, high

    public static func < (a: AlarmPriority, b: AlarmPriority) -> Bool {
        a.rank < b.rank
    }

    public var rank: Int {
        switch self {
        case .low: 1
        case .medium: 2
        case .high: 3
        }
    }

    /// The IEC 60601-1-8 text marker.
    public var marker: String {
        switch self {
        case .low: "*"
        case .medium: "**"
        case .high: "***"
        }
    }
}

public enum AlarmKind: String, Sendable, Equatable {
    case technical, physiological
}

/// An `alarm` frame: the robot raising or clearing one of its own alarm conditions.
public struct AlarmReport: Sendable, Equatable {
    public enum State: String, Sendable, Equatable {
        case raised, cleared
    }

    public var id: String
    public var state: State
    public var priority: AlarmPriority?
    public var kind: AlarmKind?
    public var source: String?
    public var message: String?

    public init(id: String, state: State, priority: AlarmPriority? = nil, kind: AlarmKind? = nil,
                source: String? = nil, message: String? = nil) {
        self.id = id
        self.state = state
        self.priority = priority
        self.kind = kind
        self.source = source
        self.message = message
    }
}

// MARK: - event

/// An `event` frame: a notable moment (clutch, camera move, instrument change, note…).
public struct EventNote: Sendable, Equatable {
    public var kind: String
    public var text: String?

    public init(kind: String, text: String? = nil) {
        self.kind = kind
        self.text = text
    }
}

// MARK: - sync

/// The `sync` frame: what is true at the gateway when a client connects (spec §3), so a console
/// that joins late or comes back after an outage knows the robot's active alarms and mounted
/// instruments, not only what changes from now on.
public struct SyncSnapshot: Sendable, Equatable {
    /// Every alarm the robot has active now, each `raised` with its priority.
    public var alarms: [AlarmReport]
    /// The instrument on each arm now; nil when the gateway did not say.
    public var instruments: [InstrumentSample]?

    public init(alarms: [AlarmReport], instruments: [InstrumentSample]? = nil) {
        self.alarms = alarms
        self.instruments = instruments
    }
}
