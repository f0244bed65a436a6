import Telemetry

// How the simulator plays a scenario: its arms, sites and instruments set the session up, and
// its timeline replaces the free-running script. Only instrument energy stays random (seeded):
// the background of a real case, never an alarm.

extension ArmCatalog {
    /// The arms named by a scenario, in `Scenario.knownArms` order (PSMs first, as the
    /// simulator needs). A master mirrors the gripper onto its PSM when that PSM is present.
    static func arms(ids: [String]) -> [ArmSetup] {
        let psms = Scenario.knownArms.filter { $0.hasPrefix("PSM") && ids.contains($0) }
        return Scenario.knownArms.filter(ids.contains).compactMap { id -> ArmSetup? in
            switch id {
            case "PSM1": psm("PSM1", yawCentre: 0.35, calm: 1)
            case "PSM2": psm("PSM2", yawCentre: -0.35, calm: 1)
            case "PSM3": psm("PSM3", yawCentre: 0.8, calm: 3)
            case "ECM": ecm
            case "MTML": master(mtm("MTML", joints: DVRKArms.mtml, mirror: -1, gripperOf: 0), of: psms.firstIndex(of: "PSM2"))
            case "MTMR": master(mtm("MTMR", joints: DVRKArms.mtmr, mirror: 1, gripperOf: 0), of: psms.firstIndex(of: "PSM1"))
            default: nil
            }
        }
    }

    private static func master(_ setup: ArmSetup, of psm: Int?) -> ArmSetup {
        var setup = setup
        setup.gripperOf = psm
        return setup
    }
}

extension SessionSimulator {
    static func sessionInfo(of scenario: Scenario, id: String, arms: [ArmSetup]) -> SessionInfo {
        SessionInfo(id: id, procedure: scenario.procedure, robot: scenario.robot, surgeonSite: scenario.surgeonSite,
                    patientSite: scenario.patientSite, distanceKm: scenario.distanceKm,
                    arms: arms.map { ArmDescriptor(id: $0.id, kind: $0.kind, joints: $0.joints) })
    }

    static func toolIndex(named name: String?) -> Int? {
        guard let name else { return nil }
        return ToolModel.catalog.firstIndex { $0.name == name }
    }

    /// When the scenario's story is over (session seconds); nil for the free-running script.
    public var endTime: Double? { options.scenario?.duration }

    mutating func startScenario(_ scenario: Scenario) {
        schedule.add(.event(EventNote(kind: "teleop_engaged", text: "Surgeon console connected; teleoperation engaged")),
                     at: 0)
        for step in scenario.steps {
            let ms = Int(saturating: (step.time * 1000).rounded())
            if let caption = step.caption { schedule.add(.caption(caption), at: ms) }
            for action in step.actions { schedule.add(.scenario(action), at: ms) }
        }
        for p in 0..<psmCount {
            schedule.add(.plan(.energy(psm: p)), at: scriptRng.millis(3, 20))
        }
    }

    /// The PSM with this id (the parser checked the scenario has it).
    private func psmIndex(_ id: String) -> Int? {
        (0..<psmCount).first { arms[$0].id == id }
    }

    mutating func perform(_ action: ScenarioAction, at ms: Int) {
        let t = Double(ms) / 1000
        switch action {
        case .congestion(let path, let rttMs, let seconds, let lossPct):
            let episode = Congestion(start: t, rampSeconds: seconds, targetRttMs: rttMs, lossPct: lossPct)
            if path != .backup { primary.congestion = episode }
            if path != .primary, hasBackup { backup.congestion = episode }
        case .recover(let path, let seconds):
            if path != .backup { primary.congestion?.recover(at: t, over: seconds) }
            if path != .primary { backup.congestion?.recover(at: t, over: seconds) }
        case .pathDown(let path):
            setPath(path, up: false)
        case .pathUp(let path):
            setPath(path, up: true)
        case .failover(let to):
            pending.append(.event(EventNote(kind: "failover", text: to == .backup
                ? "Teleoperation switched to the backup path"
                : "Teleoperation switched back to the primary path")))
        case .telemetryLost(let seconds):
            silentFrom = t
            silentUntil = t + seconds
        case .alarmRaise(let id, let priority, let message):
            pending.append(.alarm(AlarmReport(id: id, state: .raised, priority: priority, kind: .technical,
                                              source: alarmSource(id), message: message)))
        case .alarmClear(let id, let message):
            pending.append(.alarm(AlarmReport(id: id, state: .cleared, source: alarmSource(id), message: message)))
        case .instrumentFault(let arm):
            // The parser refuses a fault with no instrument mounted or during a change.
            guard let psm = psmIndex(arm), instruments[psm].tool != nil, !toolChanging[psm] else { return }
            if instruments[psm].energyActive { instruments[psm].energyActive = false }
            instruments[psm].state = .fault
            refresh(arm: psm, at: t)
            sendInstrument(psm)
        case .instrumentChange(let arm, let to):
            guard let psm = psmIndex(arm), let model = Self.toolIndex(named: to), !toolChanging[psm] else { return }
            _ = beginToolChange(psm, at: ms, to: model)
        case .teleop(let paused):
            // Not the free script's "head out of console": a scenario pauses for its own reasons.
            teleopPaused = paused
            pending.append(.event(paused
                ? EventNote(kind: "teleop_paused", text: "Teleoperation paused; the arms hold position")
                : EventNote(kind: "teleop_engaged", text: "Teleoperation resumed")))
            refreshAll(at: t)
        case .clutch(let seconds):
            perform(.clutch(true), at: ms)
            schedule.add(.clutch(false), at: ms + Int(saturating: (seconds * 1000).rounded()))
        case .camera(let seconds):
            pending.append(.event(EventNote(kind: "camera", text: "Endoscope repositioned")))
            perform(.camera(true), at: ms)
            schedule.add(.camera(false), at: ms + Int(saturating: (seconds * 1000).rounded()))
        case .note(let text):
            pending.append(.event(EventNote(kind: "note", text: text)))
        }
    }

    private mutating func setPath(_ path: PathChoice, up: Bool) {
        if path != .backup { primary.up = up }
        if path != .primary { backup.up = up }
    }

    /// An alarm's source: the arm its id starts with ("PSM2.TOOL_FAULT"), else the robot.
    private func alarmSource(_ id: String) -> String {
        let head = String(id.prefix { $0 != "." })
        return arms.contains { $0.id == head } ? head : "ROBOT"
    }
}

extension Congestion {
    mutating func recover(at t: Double, over seconds: Double) {
        // The first recovery of an episode counts: a second one changes nothing.
        if recoverStart == nil {
            recoverStart = t
            recoverSeconds = seconds
        }
    }
}

/// The sessions a demo plays: each scenario in turn, looping forever, each a new session with
/// its own id ("SIM-0001-routine", then "SIM-0001-routine-2" on the second round), so a console
/// announces "new session" and starts its alarms afresh. Without scenarios, the free-running
/// script, once.
public struct SessionTour: Sendable {
    public let options: SimulatorOptions
    public let scenarios: [Scenario]
    private var played = 0

    public init(options: SimulatorOptions, scenarios: [Scenario]) {
        self.options = options
        self.scenarios = scenarios
    }

    /// The next session's simulator.
    public mutating func next() -> SessionSimulator {
        guard !scenarios.isEmpty else { return SessionSimulator(options: options) }
        defer { played += 1 }
        return SessionSimulator(options: sessionOptions(played % scenarios.count, round: played / scenarios.count + 1))
    }

    /// The options of scenario `index` in `round` (from 1): its session id has the round's
    /// suffix from the second round on.
    private func sessionOptions(_ index: Int, round: Int) -> SimulatorOptions {
        var session = options
        session.scenario = scenarios[index]
        let id = session.resolvedSessionID
        session.sessionID = round == 1 ? id : "\(id)-\(round)"
        return session
    }

    /// Which scenario plays at `t` seconds into the tour, how far into it, and that session's
    /// options (its round's session id, as the live tour names it): for a snapshot.
    public func position(at t: Double) -> (scenario: Scenario, t: Double, options: SimulatorOptions)? {
        let total = scenarios.reduce(0) { $0 + $1.duration }
        guard total > 0, t.isFinite else { return nil }
        let rounds = Int(saturating: (max(0, t) / total).rounded(.down))
        var rest = max(0, t).truncatingRemainder(dividingBy: total)
        for (i, scenario) in scenarios.enumerated() {
            if rest <= scenario.duration {
                return (scenario, rest, sessionOptions(i, round: rounds.saturatingAdd(1)))
            }
            rest -= scenario.duration
        }
        return nil
    }
}
