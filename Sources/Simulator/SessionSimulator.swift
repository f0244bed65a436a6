import Telemetry

/// A seeded, deterministic telesurgery session: a laparoscopic cholecystectomy on a
/// four-arm dVRK-like robot, teleoperated over a long-distance link with a backup path.
///
/// Frames come out in non-decreasing `t`, one `seq` for the whole source, starting with the
/// session frame at t = 0. Within one instant the order is fixed: link frames (primary,
/// backup), arm frames in declaration order, then instrument, alarm and event frames.
/// Arm and link times are `tick / rate` and script times whole milliseconds, so they print
/// cleanly. No clock or system randomness is involved: same options, same bytes.
///
/// With a scenario (`SimulatorOptions.scenario`), its sites, network, arms and timeline replace
/// the free-running script's (ScenarioPlay.swift).
public struct SessionSimulator: Sendable {
    public let options: SimulatorOptions
    /// The session frame's content (v 1).
    public let session: SessionInfo

    var arms: [ArmModel]
    /// PSMs come first in `arms`, so a PSM's index is also its index here.
    let psmCount: Int
    var instruments: [MountedInstrument]
    var stock: InstrumentStock
    var primary: PathModel
    var backup: PathModel
    /// Whether the backup path exists (a scenario may have one path only).
    let hasBackup: Bool
    /// Frames strictly inside (from, until) never reach the console: every path is cut (`telemetry_lost`).
    var silentFrom = -1.0
    var silentUntil = -1.0
    var schedule = Schedule()
    var scriptRng: Xoshiro256

    // What the surgeon and the robot are doing, as the script has set it.
    var teleopPaused = false
    var clutching = false
    var cameraMoving = false
    var toolChanging: [Bool]
    /// The tool model each PSM is being changed to.
    var incomingTool: [Int]
    /// Until when (ms) a PSM is taken by an episode that must not overlap another.
    var busyUntil: [Int]
    var noteIndex = 0
    /// Where an instrument change pulls the insertion joint back to, m. The free-running script
    /// goes to the hard stop (0); a scenario stops at 2 cm, inside the cannula, outside the
    /// console's near-limit band (5 % of the 0.24 m range), so a routine change raises no alarm.
    var toolChangeRetraction = 0.0
    /// The robot alarms sent raised and not yet cleared, in order of raising (for `syncFrame`).
    var activeAlarms: [AlarmReport] = []

    private let armRate: Double
    private let linkRate: Double
    private var armTick = 0
    private var linkTick = 0
    private var heartbeatTick = 0
    private var nextArmTime = 0.0
    private var nextLinkTime = 0.0
    private var nextHeartbeatTime = 0.0
    private var nextScriptTime = 0.0

    private enum Stage {
        case session, idle, links(Int), arms(Int), later(Int)
    }

    private var stage = Stage.session
    private var instant = 0.0
    private var linkSamples: [LinkSample] = []
    private var armsDue = false
    /// Script and heartbeat frames of the current instant, in emission order.
    private var laterFrames: [Frame.Body] = []
    /// Script output while it runs, sorted into `laterFrames` by type.
    var pending: [Frame.Body] = []
    private var seq = 0

    /// Session time of the last frame returned (0 before the first).
    public private(set) var time = 0.0

    public init(options: SimulatorOptions) {
        self.options = options
        armRate = clamped(options.armRateHz.isNaN ? 100 : options.armRateHz,
                          SimulatorOptions.armRateRange.lowerBound, SimulatorOptions.armRateRange.upperBound)
        linkRate = clamped(options.linkRateHz.isNaN ? 10 : options.linkRateHz,
                           SimulatorOptions.linkRateRange.lowerBound, SimulatorOptions.linkRateRange.upperBound)
        let scenario = options.scenario
        let setups = scenario.map { ArmCatalog.arms(ids: $0.arms) } ?? ArmCatalog.arms(includeMasters: options.includeMasters)
        arms = setups.enumerated().map { ArmModel(setup: $0.element, seed: options.seed, index: $0.offset) }
        psmCount = setups.filter { $0.kind == .psm }.count
        session = scenario.map { Self.sessionInfo(of: $0, id: options.resolvedSessionID, arms: setups) } ?? SessionInfo(
            id: options.resolvedSessionID,
            procedure: "Laparoscopic cholecystectomy",
            robot: "da Vinci Research Kit (simulated)",
            surgeonSite: "New York",
            patientSite: "Strasbourg",
            distanceKm: 6200,
            arms: setups.map { ArmDescriptor(id: $0.id, kind: $0.kind, joints: $0.joints) })
        scriptRng = Xoshiro256(seed: options.seed, stream: 1)
        stock = InstrumentStock(rng: &scriptRng)
        primary = PathModel(profile: scenario.map(PathProfile.primary(of:)) ?? .primary, seed: options.seed, stream: 2)
        backup = PathModel(profile: scenario.map(PathProfile.backup(of:)) ?? .backup, seed: options.seed, stream: 3)
        hasBackup = scenario.map { $0.backup != nil } ?? true
        toolChanging = Array(repeating: false, count: psmCount)
        busyUntil = Array(repeating: 0, count: psmCount)
        instruments = []
        incomingTool = []
        for p in 0..<psmCount {
            let model = scenario.flatMap { Self.toolIndex(named: $0.instruments[setups[p].id]) }
                ?? Self.initialTools[p % Self.initialTools.count]
            instruments.append(MountedInstrument(tool: ToolModel.catalog[model], state: .engaged,
                                                 usesLeft: stock.uses(of: model)))
            incomingTool.append(model)
        }
        refreshAll(at: 0)
        if let scenario {
            toolChangeRetraction = 0.02
            startScenario(scenario)
        } else {
            startScript()
        }
        nextScriptTime = schedule.nextMillis.map { Double($0) / 1000 } ?? .infinity
    }

    /// The catalogue index of each PSM's first instrument: scissors in the right hand,
    /// bipolar forceps in the left, a grasper retracting the gallbladder.
    static let initialTools = [2, 1, 3]

    /// The session frame at the current time, without a sequence number: what a server sends
    /// first to a newly connected client, before the stream's own frames.
    public var sessionFrame: Frame {
        Frame(t: time, body: .session(session))
    }

    /// The time of the frame `next()` will return. Getting it may run the script ahead to that
    /// frame's instant, which changes nothing that can be seen: the frames stay the same.
    public var nextTime: Double {
        mutating get {
            while true {
                switch stage {
                case .session:
                    return 0
                case .idle:
                    beginInstant()
                case .links(let i):
                    if i < linkSamples.count { return instant }
                    stage = armsDue ? .arms(0) : .later(0)
                case .arms(let i):
                    if i < arms.count { return instant }
                    stage = .later(0)
                case .later(let i):
                    if i < laterFrames.count { return instant }
                    stage = .idle
                }
            }
        }
    }

    /// The next frame, forever. The first is the session frame at t = 0.
    public mutating func next() -> Frame {
        _ = nextTime
        switch stage {
        case .session:
            stage = .idle
            return emit(.session(session))
        case .links(let i):
            stage = .links(i + 1)
            return emit(.link(linkSamples[i]))
        case .arms(let i):
            stage = .arms(i + 1)
            var gripper: Double? = nil
            if let psm = arms[i].gripperOf {
                // The master's gripper angle maps onto its PSM's jaw.
                gripper = clamped(0.1 + 0.55 * arms[psm].lastJaw, 0, 1)
            }
            return emit(.arm(arms[i].sample(at: instant, gripper: gripper)))
        case .later(let i):
            stage = .later(i + 1)
            return emit(laterFrames[i])
        case .idle:
            preconditionFailure("nextTime always stops at a frame")
        }
    }

    /// Every frame with time ≤ `t`.
    public mutating func frames(through t: Double) -> [Frame] {
        var out: [Frame] = []
        while nextTime <= t { out.append(next()) }
        return out
    }

    @inline(__always)
    private mutating func emit(_ body: Frame.Body) -> Frame {
        if case .alarm(let report) = body { noteSent(report) }
        seq += 1
        time = instant
        return Frame(t: instant, seq: seq, body: body)
    }

    /// Works out what happens at the next instant: runs the script up to it, steps the link
    /// model if a link tick falls on it, and queues the heartbeat instrument frames.
    private mutating func beginInstant() {
        let t = min(min(nextArmTime, nextLinkTime), min(nextHeartbeatTime, nextScriptTime))
        instant = t
        linkSamples.removeAll(keepingCapacity: true)
        laterFrames.removeAll(keepingCapacity: true)
        if nextScriptTime <= t {
            while let ms = schedule.nextMillis, Double(ms) / 1000 <= t {
                let (at, step) = schedule.popNext()!
                perform(step, at: at)
            }
            nextScriptTime = schedule.nextMillis.map { Double($0) / 1000 } ?? .infinity
        }
        if nextLinkTime <= t {
            let dt = 1 / linkRate
            linkSamples.append(primary.sample(at: t, dt: dt))
            if hasBackup { linkSamples.append(backup.sample(at: t, dt: dt)) }
            linkTick += 1
            nextLinkTime = Double(linkTick) / linkRate
        }
        armsDue = nextArmTime <= t
        if armsDue {
            armTick += 1
            nextArmTime = Double(armTick) / armRate
        }
        if nextHeartbeatTime <= t {
            // Every PSM's instrument at least once a second, unless the script just sent it.
            for p in 0..<psmCount where !pending.contains(where: { Self.isInstrument($0, of: arms[p].id) }) {
                pending.append(.instrument(instruments[p].sample(arm: arms[p].id)))
            }
            heartbeatTick += 1
            nextHeartbeatTime = Double(heartbeatTick)
        }
        if !pending.isEmpty {
            for body in pending { if case .instrument = body { laterFrames.append(body) } }
            for body in pending { if case .alarm = body { laterFrames.append(body) } }
            for body in pending { if case .event = body { laterFrames.append(body) } }
            pending.removeAll(keepingCapacity: true)
        }
        if t > silentFrom && t < silentUntil {
            // Nothing gets through: the models ran on, their frames are lost. The gateway
            // numbered them, so the console sees the outage as a seq gap (spec: lost frames
            // show up as gaps in seq).
            seq = seq.saturatingAdd(linkSamples.count + (armsDue ? arms.count : 0) + laterFrames.count)
            linkSamples.removeAll(keepingCapacity: true)
            laterFrames.removeAll(keepingCapacity: true)
            armsDue = false
        }
        stage = .links(0)
    }

    private static func isInstrument(_ body: Frame.Body, of arm: String) -> Bool {
        if case .instrument(let sample) = body { return sample.arm == arm }
        return false
    }
}
