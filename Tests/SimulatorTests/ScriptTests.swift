import Testing
import Simulator
import Telemetry

@Suite("Scripted session")
struct ScriptTests {
    static let halfHour = simulate(SimulatorOptions(seed: 1, armRateHz: 10), seconds: 1800)
    static let hour = simulate(SimulatorOptions(seed: 31, armRateHz: 10), seconds: 3600)

    @Test("the session opens with teleoperation engaged, then clutches, camera moves and notes follow")
    func events() {
        let frames = Self.halfHour
        #expect(frames.events("teleop_engaged").first?.t == 0)
        #expect(frames.events("clutch").count >= 10)
        #expect(frames.events("camera").count >= 8)
        #expect(frames.events("note").count >= 4)
        #expect(frames.events("clutch").allSatisfy { $0.note.text != nil })
    }

    @Test("every PSM's instrument is reported at least once a second", arguments: ["PSM1", "PSM2", "PSM3"])
    func instrumentHeartbeat(arm: String) {
        let times = Self.halfHour.compactMap { frame in frame.instrument?.arm == arm ? frame.t : nil }
        #expect(times.first == 0)
        let gaps = zip(times, times.dropFirst()).map { $1 - $0 }
        #expect(gaps.allSatisfy { $0 <= 1 }, "largest gap \(gaps.max() ?? 0) s")
        #expect(times.last! >= 1799)
    }

    @Test("an instrument change: tool out, none for a few seconds, then inserted, engaging, engaged")
    func instrumentChange() throws {
        let frames = Self.halfHour
        let change = try #require(frames.events("instrument_change").first)
        let arm = String(change.note.text!.prefix(4))
        let reports = frames.compactMap { frame in
            frame.instrument.flatMap { $0.arm == arm && frame.t >= change.t ? (frame.t, $0) : nil }
        }
        let states = reports.map(\.1.state!).reduce(into: [InstrumentState]()) { if $0.last != $1 { $0.append($1) } }
        #expect(Array(states.prefix(5)) == [.engaged, .none, .inserted, .engaging, .engaged])
        let removed = try #require(reports.first { $0.1.state == InstrumentState.none })
        #expect(removed.1.tool == .none && removed.1.usesLeft == nil)
        let inserted = try #require(reports.first { $0.1.state == .inserted })
        #expect((3...9).contains(inserted.0 - removed.0))
        let engaged = try #require(reports.first { $0.1.state == .engaged && $0.0 > inserted.0 })
        #expect(engaged.1.tool == inserted.1.tool)
        #expect(engaged.1.usesLeft == inserted.1.usesLeft.map { $0 - 1 })
        guard case .model(let before) = reports[0].1.tool, case .model(let after) = engaged.1.tool else {
            Issue.record("no tool before or after the change")
            return
        }
        #expect(before != after)
        #expect(change.note.text!.contains(before) && change.note.text!.contains(after))
        // The instrument comes out of the cannula: insertion goes to zero and the jaw is not reported.
        let armFrames = frames.arm(arm).filter { $0.t > removed.0 && $0.t < inserted.0 }
        #expect(armFrames.allSatisfy { $0.sample.position![2] < 0.005 && $0.sample.jaw == nil && $0.sample.following == false })
    }

    @Test("energy instruments fire in short bursts, others never")
    func energyBursts() {
        var activeSince: [String: Double] = [:]
        var bursts: [Double] = []
        for frame in Self.halfHour {
            guard let instrument = frame.instrument else { continue }
            if instrument.energyActive == true {
                #expect(instrument.energy != EnergyMode.none && instrument.state == .engaged)
                if activeSince[instrument.arm] == nil { activeSince[instrument.arm] = frame.t }
            } else if let since = activeSince.removeValue(forKey: instrument.arm) {
                bursts.append(frame.t - since)
            }
        }
        #expect(bursts.count >= 20)
        #expect(bursts.allSatisfy { $0 > 0 && $0 <= 2.5 })
    }

    @Test("device alarms are raised and later cleared, a collision among them")
    func deviceAlarms() throws {
        let alarms = Self.halfHour.compactMap { frame in frame.alarm.map { (frame.t, $0) } }
        let collision = try #require(alarms.first { $0.1.id.hasSuffix(".COLLISION") })
        #expect(collision.1.state == .raised && collision.1.priority == .medium)
        #expect(collision.1.source.map { collision.1.id.hasPrefix($0) } == true)
        let cleared = try #require(alarms.first { $0.1.id == collision.1.id && $0.1.state == .cleared })
        #expect((1...7).contains(cleared.0 - collision.0))
        // Raised and cleared alternate for every id.
        var raised: Set<String> = []
        for (_, alarm) in alarms {
            if alarm.state == .raised {
                #expect(!raised.contains(alarm.id))
                #expect(alarm.priority != nil)
                raised.insert(alarm.id)
            } else {
                #expect(raised.remove(alarm.id) != nil, "\(alarm.id) cleared without being raised")
            }
        }
    }

    @Test("an arm pauses with a tracking error and briefly faults, each with a matching alarm")
    func pauseAndFault() throws {
        let frames = Self.hour
        for (state, suffix, priority) in [(OperatingState.paused, "TRACKING_ERROR", AlarmPriority.medium),
                                          (.fault, "ENCODER_MISMATCH", .high)] {
            let raised = try #require(frames.first { $0.alarm?.id.hasSuffix(suffix) == true && $0.alarm?.state == .raised })
            let alarm = raised.alarm!
            #expect(alarm.priority == priority)
            let arm = try #require(alarm.source)
            let cleared = try #require(frames.first { $0.alarm?.id == alarm.id && $0.alarm?.state == .cleared })
            let during = frames.arm(arm).filter { $0.t > raised.t && $0.t < cleared.t }
            #expect(!during.isEmpty)
            #expect(during.allSatisfy { $0.sample.state == state && $0.sample.following == false })
            let after = frames.arm(arm).first { $0.t > cleared.t }
            #expect(after?.sample.state == .enabled)
            // A faulted arm stops dead.
            if state == .fault, let last = during.last {
                #expect(last.sample.velocity!.allSatisfy { $0 == 0 })
            }
        }
        let states = Set(frames.compactMap(\.arm?.state))
        #expect(states == [.enabled, .paused, .fault])
        let enabled = frames.compactMap(\.arm).filter { $0.state == .enabled }.count
        #expect(Double(enabled) / Double(frames.compactMap(\.arm).count) > 0.99)
    }

    @Test("teleoperation pauses when the surgeon looks away, and resumes")
    func teleopPause() throws {
        let frames = Self.hour
        let paused = try #require(frames.events("teleop_paused").first)
        let resumed = try #require(frames.events("teleop_engaged").first { $0.t > paused.t })
        #expect((4...15).contains(resumed.t - paused.t))
        let during = frames.filter { $0.t > paused.t + 0.5 && $0.t < resumed.t }.compactMap(\.arm)
        #expect(!during.isEmpty)
        #expect(during.allSatisfy { $0.following == false })
        // Arms hold still, except one whose instrument the bedside assistant is changing.
        let changing = Set(frames.events("instrument_change").filter { $0.t > paused.t - 20 && $0.t < resumed.t }
            .map { String($0.note.text!.prefix(4)) })
        #expect(during.filter { !changing.contains($0.arm) }.allSatisfy { $0.velocity!.allSatisfy { $0 == 0 } })
    }
}
