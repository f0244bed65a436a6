import Testing
import Simulator
import Telemetry
@testable import SessionCore

/// `AlarmEngine.evaluate(…armSamplesOnly:)` keeps the readings of links and instruments between
/// rounds of arm samples (the report's schedule). It must change nothing: the same log, history,
/// raises and seconds at each priority as reading everything at every evaluation.
@Suite("Alarm evaluation between arm samples keeps link and instrument readings exactly")
struct AlarmArmSamplesOnlyTests {
    /// The report's schedule (`DerivedAlarms`): evaluated just before an arm's sample would be
    /// replaced, and after every other frame; `hint` says whether only arm frames came since.
    struct Schedule {
        var state = SessionState()
        var engine = AlarmEngine()
        var seen: Set<String> = []
        var armsOnly = false
        let hint: Bool
        var log: [AlarmLogEntry] = []

        mutating func add(_ frame: Frame) {
            if case .arm(let sample) = frame.body {
                if seen.contains(sample.arm) { evaluate() }
                state.apply(frame, arrival: frame.t)
                seen.insert(sample.arm)
            } else {
                state.apply(frame, arrival: frame.t)
                armsOnly = false
                evaluate()
            }
        }

        mutating func evaluate() {
            engine.evaluate(state, time: state.sessionTime, arrivalNow: state.sessionTime, sourceIsLive: false,
                            armSamplesOnly: hint && armsOnly)
            armsOnly = true
            state.robotClears.forget(through: engine.robotClearsTaken)
            log += engine.drainLog()
            seen.removeAll()
        }
    }

    /// A simulated session, degraded on purpose: the primary path's round trip and loss rise and
    /// fall, a path goes down and up, PSM1's first joint drives into its limit and back, an
    /// instrument faults, the robot raises and clears an alarm.
    static func frames() -> [Frame] {
        var sim = SessionSimulator(options: SimulatorOptions(seed: 9, armRateHz: 50, linkRateHz: 10))
        var out: [Frame] = []
        var psm1Limit: Double?
        while true {
            var frame = sim.next()
            if frame.t > 90 { break }
            let t = frame.t
            switch frame.body {
            case .session(let info):
                psm1Limit = info.arms.first { $0.id == "PSM1" }?.joints.first?.max
            case .link(var sample) where sample.path == "primary":
                if (20..<35).contains(t) { sample.rttMs = 400 + 10 * Double(Int(t * 10) % 7); sample.lossPct = 6 }
                if (50..<56).contains(t) { sample.up = false }
                if (56..<57).contains(t) { sample.up = true }
                frame.body = .link(sample)
            case .arm(var sample) where sample.arm == "PSM1":
                if let limit = psm1Limit, (40..<48).contains(t), let position = sample.position, !position.isEmpty {
                    var values = Array(position)
                    values[0] = limit - 0.001
                    sample.position = Readings(values)
                    frame.body = .arm(sample)
                }
            default: break
            }
            out.append(frame)
            if abs(t - 30) < 0.005 {
                out.append(Frame(t: t, body: .instrument(InstrumentSample(arm: "PSM2", state: .fault))))
                out.append(Frame(t: t, body: .alarm(AlarmReport(id: "PSM3.COLLISION", state: .raised, priority: .medium,
                                                                 source: "PSM3", message: "collision"))))
            }
            if abs(t - 60) < 0.005 {
                out.append(Frame(t: t, body: .instrument(InstrumentSample(arm: "PSM2", state: .engaged))))
                out.append(Frame(t: t, body: .alarm(AlarmReport(id: "PSM3.COLLISION", state: .cleared))))
            }
        }
        return out
    }

    @Test("the same log, history, raises and seconds at each priority as a full read every time")
    func sameAsAFullRead() {
        var kept = Schedule(hint: true), full = Schedule(hint: false)
        for frame in Self.frames() {
            kept.add(frame)
            full.add(frame)
        }
        kept.evaluate()
        full.evaluate()
        #expect(full.log.count >= 6, "the session raised and cleared alarms: \(full.log.map(\.id))")
        #expect(Set(full.log.map(\.id)).isSuperset(of: ["LINK.primary.RTT", "LINK.primary.LOSS", "PSM2.INSTRUMENT.FAULT",
                                                           "PSM3.COLLISION"]))
        #expect(full.log.contains { ($0.id ?? "").hasPrefix("PSM1.") && ($0.id ?? "").hasSuffix(".LIMIT") }, "PSM1's joint at its limit")
        #expect(kept.log == full.log)
        #expect(kept.engine.history == full.engine.history)
        #expect(kept.engine.raisesByPriority == full.engine.raisesByPriority)
        for p in AlarmPriority.allCases { #expect(kept.engine.seconds(withHighest: p) == full.engine.seconds(withHighest: p)) }
    }
}
