import Telemetry

/// The session's script: what the surgeon, the robot and the network do, and when.
///
/// Each kind of episode has its own planner that, on its turn, either starts an episode
/// (scheduling its later steps) or, if the moment is wrong (an arm busy, teleoperation
/// paused), tries again a little later. All draws come from the script's own generator,
/// so the script does not depend on the arm or link rate.
extension SessionSimulator {
    /// Stages of a cholecystectomy, noted as the case goes on.
    static let procedureNotes = [
        "Ports placed and patient-side cart docked",
        "Fundus retracted cephalad",
        "Dissection of Calot's triangle",
        "Critical view of safety obtained",
        "Cystic artery clipped and divided",
        "Cystic duct clipped and divided",
        "Gallbladder dissected from the liver bed",
        "Haemostasis checked on the liver bed",
        "Specimen placed in retrieval bag",
        "Irrigation and final inspection",
    ]

    static let cameraMoves = [
        "Endoscope repositioned", "Camera zoomed in", "Camera zoomed out",
        "Camera panned left", "Camera panned right", "Camera tilted down",
    ]

    mutating func startScript() {
        schedule.add(.event(EventNote(kind: "teleop_engaged", text: "Surgeon console connected; teleoperation engaged")),
                     at: 0)
        schedule.add(.plan(.procedureNote), at: 2000)
        schedule.add(.plan(.networkCycle(0)), at: 0)
        schedule.add(.plan(.clutch), at: scriptRng.millis(15, 45))
        schedule.add(.plan(.camera), at: scriptRng.millis(25, 70))
        schedule.add(.plan(.collision), at: scriptRng.millis(45, 180))
        schedule.add(.plan(.toolChange), at: scriptRng.millis(240, 720))
        schedule.add(.plan(.lightSource), at: scriptRng.millis(300, 900))
        schedule.add(.plan(.teleopPause), at: scriptRng.millis(420, 900))
        schedule.add(.plan(.trackingError), at: scriptRng.millis(600, 1200))
        schedule.add(.plan(.encoderFault), at: scriptRng.millis(1200, 2400))
        for p in 0..<psmCount {
            schedule.add(.plan(.energy(psm: p)), at: scriptRng.millis(3, 20))
            schedule.add(.plan(.limitTouch(psm: p)), at: scriptRng.millis(60, 300))
        }
    }

    // MARK: - steps

    mutating func perform(_ step: ScriptStep, at ms: Int) {
        let t = Double(ms) / 1000
        switch step {
        case .plan(let planner):
            plan(planner, at: ms)
        case .event(let note):
            pending.append(.event(note))
        case .alarm(let report):
            pending.append(.alarm(report))
        case .clutch(let on):
            clutching = on
            if on { pending.append(.event(EventNote(kind: "clutch", text: "Surgeon clutch pressed"))) }
            refreshAll(at: t)
        case .camera(let on):
            cameraMoving = on
            refreshAll(at: t)
        case .teleopPaused(let paused):
            teleopPaused = paused
            pending.append(.event(paused
                ? EventNote(kind: "teleop_paused", text: "Surgeon head out of console; teleoperation paused")
                : EventNote(kind: "teleop_engaged", text: "Teleoperation resumed")))
            refreshAll(at: t)
        case .toolChange(let psm, let stage):
            toolChange(psm, stage, at: t)
        case .energy(let psm, let on):
            guard instruments[psm].energyActive != on else { return }
            instruments[psm].energyActive = on
            sendInstrument(psm)
        case .armState(let arm, let state):
            arms[arm].state = state
            refresh(arm: arm, at: t)
        case .limitRelease(let arm, let joint):
            arms[arm].release(joint: joint, at: t)
        case .primaryLink(let up):
            primary.up = up
            pending.append(.event(EventNote(kind: "note", text: up
                ? "Primary link restored"
                : "Primary link down; teleoperation continues on the backup path")))
        case .degrade(let plateau, let peakMs):
            primary.degradation = Degradation(start: t, plateau: plateau, peakMs: peakMs)
        case .caption(let text):
            pending.append(.event(EventNote(kind: "caption", text: text)))
        case .scenario(let action):
            perform(action, at: ms)
        }
    }

    /// Whether each arm follows its master and whether it moves, from the current flags.
    mutating func refresh(arm i: Int, at t: Double) {
        let enabled = arms[i].state == .enabled
        switch arms[i].kind {
        case .psm:
            let engaged = instruments[i].state == .engaged && !toolChanging[i]
            let follows = enabled && engaged && !teleopPaused && !clutching && !cameraMoving
            arms[i].following = follows
            // During an instrument change the arm moves (retracts) without following.
            let moving = enabled && (follows || toolChanging[i])
            arms[i].setSpeed(moving ? 1 : 0, at: t, fullRamp: arms[i].state == .fault ? 0.04 : 0.25)
        case .ecm:
            // The camera arm follows while teleoperation is on, but moves only under camera control.
            arms[i].following = enabled && !teleopPaused
            arms[i].setSpeed(enabled && !teleopPaused && cameraMoving ? 1 : 0, at: t, fullRamp: 0.5)
        case .mtm, .other:
            // The surgeon's hands keep moving through clutch and camera control.
            arms[i].following = enabled && !teleopPaused
            arms[i].setSpeed(enabled && !teleopPaused ? 1 : 0, at: t, fullRamp: 0.3)
        }
    }

    mutating func refreshAll(at t: Double) {
        for i in arms.indices { refresh(arm: i, at: t) }
    }

    /// Queues the PSM's instrument frame: the spec wants one on every change.
    /// A later change in the same instant replaces an earlier one.
    mutating func sendInstrument(_ psm: Int) {
        let id = arms[psm].id
        pending.removeAll { body in
            if case .instrument(let sample) = body { return sample.arm == id }
            return false
        }
        pending.append(.instrument(instruments[psm].sample(arm: id)))
    }

    // MARK: - planners

    mutating func plan(_ planner: Planner, at ms: Int) {
        let t = Double(ms) / 1000
        switch planner {
        case .clutch:
            guard !teleopPaused else { return again(planner, at: ms + 5000) }
            let end = ms + scriptRng.millis(0.6, 2.5)
            perform(.clutch(true), at: ms)
            schedule.add(.clutch(false), at: end)
            again(planner, at: end + scriptRng.millis(20, 90))

        case .camera:
            guard !teleopPaused, !clutching else { return again(planner, at: ms + 3000) }
            let end = ms + scriptRng.millis(1.5, 4.5)
            let text = Self.cameraMoves[scriptRng.index(Self.cameraMoves.count)]
            pending.append(.event(EventNote(kind: "camera", text: text)))
            perform(.camera(true), at: ms)
            schedule.add(.camera(false), at: end)
            again(planner, at: end + scriptRng.millis(45, 150))

        case .teleopPause:
            let end = ms + scriptRng.millis(4, 15)
            perform(.teleopPaused(true), at: ms)
            schedule.add(.teleopPaused(false), at: end)
            again(planner, at: end + scriptRng.millis(600, 1200))

        case .toolChange:
            guard let psm = pickPSM(at: ms, where: { $0.instruments[$1].state == .engaged })
            else { return again(planner, at: ms + 10_000) }
            let engagedAt = beginToolChange(psm, at: ms)
            again(planner, at: engagedAt + scriptRng.millis(600, 1500))

        case .energy(let psm):
            let instrument = instruments[psm]
            guard let tool = instrument.tool, tool.energy != .none, instrument.state == .engaged,
                  arms[psm].following, !instrument.energyActive
            else { return again(planner, at: ms + scriptRng.millis(4, 12)) }
            // Coagulation or cutting: a second or two of energy.
            let end = ms + scriptRng.millis(0.6, 2.2)
            perform(.energy(psm: psm, on: true), at: ms)
            schedule.add(.energy(psm: psm, on: false), at: end)
            again(planner, at: end + scriptRng.millis(6, 40))

        case .collision:
            guard let psm = pickPSM(at: ms, where: { $0.arms[$1].following })
            else { return again(planner, at: ms + 10_000) }
            let end = ms + scriptRng.millis(1.5, 6)
            busyUntil[psm] = end
            // The arm pushes against the other instrument: large efforts at the base joints.
            var levels: [Double] = []
            for j in 0..<arms[psm].jointCount {
                let level = j < 2 ? scriptRng.uniform(0.55, 0.85) : scriptRng.uniform(0.2, 0.5)
                levels.append(scriptRng.chance(0.5) ? level : -level)
            }
            arms[psm].collide(from: t, until: Double(end) / 1000, levels: levels)
            let id = arms[psm].id
            let other = arms[psm == 0 ? 1 : 0].id
            pending.append(.alarm(AlarmReport(id: "\(id).COLLISION", state: .raised, priority: .medium, kind: .technical,
                                              source: id, message: "Instrument collision detected with \(other)")))
            schedule.add(.alarm(AlarmReport(id: "\(id).COLLISION", state: .cleared, source: id,
                                            message: "Collision cleared")), at: end)
            again(planner, at: end + scriptRng.millis(120, 420))

        case .trackingError:
            guard let psm = pickPSM(at: ms, where: { $0.instruments[$1].state == .engaged })
            else { return again(planner, at: ms + 10_000) }
            let end = ms + scriptRng.millis(3, 10)
            stopArm(psm, as: .paused, at: ms, until: end, alarm: "TRACKING_ERROR", priority: .medium,
                    message: "Joint tracking error too high; arm paused")
            again(planner, at: end + scriptRng.millis(900, 2100))

        case .encoderFault:
            guard let psm = pickPSM(at: ms, where: { $0.instruments[$1].state == .engaged })
            else { return again(planner, at: ms + 10_000) }
            let end = ms + scriptRng.millis(2, 5)
            stopArm(psm, as: .fault, at: ms, until: end, alarm: "ENCODER_MISMATCH", priority: .high,
                    message: "Encoder and potentiometer disagree; arm stopped")
            again(planner, at: end + scriptRng.millis(1800, 3600))

        case .lightSource:
            let end = ms + scriptRng.millis(20, 90)
            pending.append(.alarm(AlarmReport(id: "ECM.LIGHT_SOURCE", state: .raised, priority: .low, kind: .technical,
                                              source: "ECM", message: "Endoscope light source temperature high")))
            schedule.add(.alarm(AlarmReport(id: "ECM.LIGHT_SOURCE", state: .cleared, source: "ECM",
                                            message: "Light source temperature normal")), at: end)
            again(planner, at: end + scriptRng.millis(900, 1800))

        case .procedureNote:
            let text = Self.procedureNotes[noteIndex % Self.procedureNotes.count]
            noteIndex += 1
            pending.append(.event(EventNote(kind: "note", text: text)))
            again(planner, at: ms + scriptRng.millis(240, 540))

        case .limitTouch(let psm):
            guard arms[psm].following, busyUntil[psm] <= ms
            else { return again(planner, at: ms + scriptRng.millis(10, 30)) }
            // A wrist joint or the roll driven onto its hard stop for a moment.
            let joint = 3 + scriptRng.index(3)
            let limits = arms[psm].limits(of: joint)
            let approach = scriptRng.uniform(0.8, 1.5)
            let hold = scriptRng.uniform(0.3, 0.8)
            arms[psm].pin(joint: joint, to: scriptRng.chance(0.5) ? limits.upper : limits.lower, over: approach, at: t)
            let release = ms + Int((approach + hold) * 1000)
            busyUntil[psm] = release
            schedule.add(.limitRelease(arm: psm, joint: joint), at: release)
            again(planner, at: release + scriptRng.millis(180, 480))

        case .networkCycle(let cycle):
            let base = cycle * 600_000
            let outage = base + (cycle == 0 ? scriptRng.millis(150, 480) : scriptRng.millis(30, 560))
            schedule.add(.primaryLink(up: false), at: outage)
            schedule.add(.primaryLink(up: true), at: outage + scriptRng.millis(4, 12))
            // A congestion episode well away from the outage.
            for _ in 0..<8 {
                let start = base + scriptRng.millis(30, 570)
                if abs(start - outage) >= 60_000 {
                    schedule.add(.degrade(plateau: scriptRng.uniform(8, 12), peakMs: scriptRng.uniform(100, 150)),
                                 at: start)
                    break
                }
            }
            again(.networkCycle(cycle + 1), at: base + 600_000)
        }
    }

    private mutating func again(_ planner: Planner, at ms: Int) {
        schedule.add(.plan(planner), at: ms)
    }

    /// A random PSM that is free at `ms`, enabled, and meets `condition`.
    private mutating func pickPSM(at ms: Int, where condition: (SessionSimulator, Int) -> Bool) -> Int? {
        let free = (0..<psmCount).filter {
            busyUntil[$0] <= ms && !toolChanging[$0] && arms[$0].state == .enabled && condition(self, $0)
        }
        guard !free.isEmpty else { return nil }
        return free[scriptRng.index(free.count)]
    }

    /// Pauses or faults a PSM with its alarm, and brings it back at `end`.
    private mutating func stopArm(_ psm: Int, as state: OperatingState, at ms: Int, until end: Int,
                                  alarm: String, priority: AlarmPriority, message: String) {
        let id = arms[psm].id
        busyUntil[psm] = end + 1000
        perform(.armState(arm: psm, state), at: ms)
        if instruments[psm].energyActive { perform(.energy(psm: psm, on: false), at: ms) }
        pending.append(.alarm(AlarmReport(id: "\(id).\(alarm)", state: .raised, priority: priority, kind: .technical,
                                          source: id, message: message)))
        schedule.add(.armState(arm: psm, .enabled), at: end)
        schedule.add(.alarm(AlarmReport(id: "\(id).\(alarm)", state: .cleared, source: id,
                                        message: "\(id) enabled again")), at: end)
    }

    // MARK: - instrument change

    /// Starts an instrument change on `psm` and returns when the new tool will be engaged (ms).
    /// `chosen`: the catalogue index of the new tool (a scenario's); else one not mounted, at random.
    mutating func beginToolChange(_ psm: Int, at ms: Int, to chosen: Int? = nil) -> Int {
        let t = Double(ms) / 1000
        let model: Int
        if let chosen {
            model = chosen
        } else {
            let mounted = Set(instruments.compactMap { $0.tool?.name })
            let choices = ToolModel.catalog.indices.filter { !mounted.contains(ToolModel.catalog[$0].name) }
            model = choices[scriptRng.index(choices.count)]
        }
        incomingTool[psm] = model
        // A faulty instrument goes back for service: its replacement comes new from stock.
        if instruments[psm].state == .fault, let faulty = instruments[psm].tool.flatMap({ Self.toolIndex(named: $0.name) }) {
            stock.discard(faulty)
        }
        let removedAt: Int, insertedAt: Int, engagingAt: Int, engagedAt: Int
        if options.scenario != nil {
            // A scenario's change keeps fixed stages, so its captions can name each as it happens.
            removedAt = ms + InstrumentExchange.removedAfterMs
            insertedAt = ms + InstrumentExchange.insertedAfterMs
            engagingAt = ms + InstrumentExchange.engagingAfterMs
            engagedAt = ms + InstrumentExchange.engagedAfterMs
        } else {
            removedAt = ms + InstrumentExchange.removedAfterMs
            insertedAt = removedAt + scriptRng.millis(3, 8)
            engagingAt = insertedAt + scriptRng.millis(1, 2)
            engagedAt = engagingAt + scriptRng.millis(1.5, 2.5)
        }
        busyUntil[psm] = engagedAt + 1000
        toolChanging[psm] = true
        if instruments[psm].energyActive { perform(.energy(psm: psm, on: false), at: ms) }

        // Stop, straighten the wrist, close the jaw and pull the instrument out of the cannula.
        arms[psm].pinAll(over: 0.5, at: t)
        arms[psm].pin(joint: 2, to: toolChangeRetraction, over: 2.0, at: t)
        arms[psm].pin(joint: 3, to: 0, over: 1.2, at: t)
        arms[psm].pin(joint: 4, to: 0, over: 1.2, at: t)
        arms[psm].pin(joint: 5, to: 0, over: 1.2, at: t)
        arms[psm].pin(joint: nil, to: 0, over: 0.4, at: t)
        refresh(arm: psm, at: t)

        let old = instruments[psm].tool?.name ?? "none"
        let new = ToolModel.catalog[model].name
        pending.append(.event(EventNote(kind: "instrument_change", text: "\(arms[psm].id): \(old) out, \(new) in")))
        schedule.add(.toolChange(psm: psm, .removed), at: removedAt)
        schedule.add(.toolChange(psm: psm, .inserted), at: insertedAt)
        schedule.add(.toolChange(psm: psm, .engaging), at: engagingAt)
        schedule.add(.toolChange(psm: psm, .engaged), at: engagedAt)
        return engagedAt
    }

    private mutating func toolChange(_ psm: Int, _ step: ToolChangeStep, at t: Double) {
        let model = incomingTool[psm]
        switch step {
        case .removed:
            instruments[psm] = MountedInstrument(tool: nil, state: .none, usesLeft: nil)
            arms[psm].hasJaw = false
        case .inserted:
            instruments[psm] = MountedInstrument(tool: ToolModel.catalog[model], state: .inserted,
                                                 usesLeft: stock.uses(of: model))
            arms[psm].hasJaw = true
        case .engaging:
            // The robot turns the instrument's discs until they catch (dVRK tool_engage_position).
            instruments[psm].state = .engaging
            arms[psm].pin(joint: 3, to: scriptRng.uniform(-1.5, 1.5), over: 0.8, at: t)
            arms[psm].pin(joint: 4, to: 0.261799, over: 0.6, at: t)
            arms[psm].pin(joint: 5, to: -0.261799, over: 0.6, at: t)
        case .engaged:
            instruments[psm].state = .engaged
            instruments[psm].usesLeft = stock.consume(model)
            toolChanging[psm] = false
            arms[psm].releaseAll(at: t)
            refresh(arm: psm, at: t)
        }
        sendInstrument(psm)
    }
}
