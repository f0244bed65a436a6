import Telemetry

/// A scripted demo session: who operates on whom, over which network, with which arms, and a
/// timeline of what happens, each step with a caption for the audience. Pure data: parsed
/// from YAML (`YAMLFiles.ScenarioFile`), played by `SessionSimulator`. Background realism
/// (link noise, arm motion, energy) comes from the seed; the story comes from the timeline.
public struct Scenario: Sendable, Equatable {
    public var name: String
    public var title: String
    /// One line for `surgtop demo --list`.
    public var description: String
    /// Session seconds; the session ends (or the tour moves on) after it.
    public var duration: Double
    public var procedure: String
    public var robot: String
    public var surgeonSite: String
    public var patientSite: String
    public var distanceKm: Double
    /// The primary path's base round trip when the file gives one, else derived from the distance.
    public var baseRttOverrideMs: Double?
    public var primary: ScenarioPath
    public var backup: ScenarioPath?
    /// Arm ids in the order the session frame declares them (PSMs first).
    public var arms: [String]
    /// The instrument mounted on each PSM at the start, by arm id.
    public var instruments: [String: String]
    public var steps: [ScenarioStep]

    public init(name: String, title: String, description: String, duration: Double, procedure: String, robot: String,
                surgeonSite: String, patientSite: String, distanceKm: Double, baseRttOverrideMs: Double? = nil,
                primary: ScenarioPath = ScenarioPath(), backup: ScenarioPath? = nil, arms: [String],
                instruments: [String: String], steps: [ScenarioStep]) {
        self.name = name
        self.title = title
        self.description = description
        self.duration = duration
        self.procedure = procedure
        self.robot = robot
        self.surgeonSite = surgeonSite
        self.patientSite = patientSite
        self.distanceKm = distanceKm
        self.baseRttOverrideMs = baseRttOverrideMs
        self.primary = primary
        self.backup = backup
        self.arms = arms
        self.instruments = instruments
        self.steps = steps
    }

    /// The primary path's floor: the file's `base_rtt_ms`, else `LinkBudget.baseRttMs(distanceKm:)`.
    public var baseRttMs: Double {
        baseRttOverrideMs ?? LinkBudget.baseRttMs(distanceKm: distanceKm)
    }
}

/// How far the two sites are in round-trip time. Light in silica fibre covers about 5 µs per
/// km one way (ITU-T G.114 (05/2003) Table A.1: 5 µs/km for optical fibre systems; refractive
/// index ≈ 1.47), so 10 µs of round trip per km of fibre. Cables do not run straight: real
/// routes are about 1.3 times the great-circle distance. On top come the codecs, gateways and
/// switching at both ends: 34 ms, the simulator's figure (two video codecs and two gateways),
/// chosen so that with queueing a 1,050 km city-to-city link shows about 50 ms. With these,
/// New York–Strasbourg (6,200 km) comes to ≈ 115 ms (the free-running simulator's floor is
/// 110 ms), and 220–800 km to 37–45 ms (a 66-case Toumai series reported mean delays of
/// 34–65 ms over those distances; shared/realdata/README.md).
public enum LinkBudget {
    public static let fibreRoundTripMsPerKm = 0.01
    public static let routeFactor = 1.3
    public static let equipmentMs = 34.0

    public static func baseRttMs(distanceKm: Double) -> Double {
        equipmentMs + routeFactor * fibreRoundTripMsPerKm * distanceKm
    }
}

/// One network path of a scenario.
public struct ScenarioPath: Sendable, Equatable {
    /// How a path behaves besides what the timeline does to it.
    public enum Character: String, Sendable, Equatable, CaseIterable {
        /// A managed private line: small queueing, no loss bursts (loss stays under 0.3 %).
        case steady
        /// A public carrier: loss bursts of 1–3 % every few minutes (the free-running simulator's).
        case typical
        /// A congested or radio path: bursts twice as often.
        case lossy
    }

    public var character: Character
    /// Round trip on top of the primary's (the backup takes a longer route), ms.
    public var extraRttMs: Double

    public init(character: Character = .steady, extraRttMs: Double = 0) {
        self.character = character
        self.extraRttMs = extraRttMs
    }
}

/// One moment of the timeline: a caption, things that happen, or both.
public struct ScenarioStep: Sendable, Equatable {
    /// Session seconds, on a 1 ms grid.
    public var time: Double
    public var caption: String?
    public var actions: [ScenarioAction]

    public init(time: Double, caption: String? = nil, actions: [ScenarioAction] = []) {
        self.time = time
        self.caption = caption
        self.actions = actions
    }
}

/// Which path an action acts on.
public enum PathChoice: String, Sendable, Equatable, CaseIterable {
    case primary, backup, all
}

/// What can happen in a scenario, as the real session would show it.
public enum ScenarioAction: Sendable, Equatable {
    /// The path's round trip climbs to `rttMs` (the target, not an increase) over `seconds`,
    /// then it loses `lossPct` % of packets while congested.
    case congestion(path: PathChoice, rttMs: Double, seconds: Double, lossPct: Double)
    /// The congestion eases over `seconds`.
    case recover(path: PathChoice, seconds: Double)
    case pathDown(PathChoice)
    case pathUp(PathChoice)
    /// Teleoperation moves to this path (an event; the paths keep being measured).
    case failover(to: PathChoice)
    /// No frame at all reaches the console for this many seconds (every path is cut).
    case telemetryLost(seconds: Double)
    case alarmRaise(id: String, priority: AlarmPriority, message: String)
    case alarmClear(id: String, message: String?)
    /// The instrument on this PSM reports FAULT; the arm stops following.
    case instrumentFault(arm: String)
    /// An instrument change on this PSM to this model: out, in, engaging, engaged
    /// (`InstrumentExchange`'s fixed stages, 11.5 s in all).
    case instrumentChange(arm: String, to: String)
    case teleop(paused: Bool)
    /// The surgeon's clutch pressed for this many seconds.
    case clutch(seconds: Double)
    /// The surgeon moves the endoscope for this many seconds.
    case camera(seconds: Double)
    /// An event with a note for the Events panel.
    case note(String)
}

extension Scenario {
    /// Arm ids a scenario may name, in the order the session declares them.
    public static let knownArms = ["PSM1", "PSM2", "PSM3", "ECM", "MTML", "MTMR"]

    /// Instrument models a PSM may carry.
    public static var instrumentModels: [String] { ToolModel.catalog.map(\.name) }
}
