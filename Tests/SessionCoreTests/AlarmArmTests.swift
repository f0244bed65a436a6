import Testing
import Telemetry
@testable import SessionCore

@Suite("Alarm engine: arms, joints and instruments")
struct AlarmArmTests {
    @Test("an arm in FAULT is high at once and clears 2 s after it leaves FAULT")
    func armFault() {
        var h = AlarmHarness()
        h.feed(armBody(state: .enabled), at: 1)
        h.feed(armBody(state: .fault), at: 2)
        #expect(h.alarm("PSM1.FAULT")?.priority == .high)
        #expect(h.alarm("PSM1.FAULT")?.message == "PSM1 in FAULT")
        #expect(h.alarm("PSM1.FAULT")?.source == "PSM1")
        #expect(h.alarm("PSM1.FAULT")?.flashing == true)
        h.feed(armBody(state: .enabled), at: 3)
        h.evaluate(at: 4.9)
        #expect(h.alarm("PSM1.FAULT") != nil)
        h.evaluate(at: 5.0)
        #expect(h.alarm("PSM1.FAULT") == nil)
        #expect(h.actions("PSM1.FAULT") == [.raise, .clear])
    }

    @Test("a joint within 5 % of its range from a limit is low; within 0.5 % or beyond it is medium")
    func jointLimits() {
        var h = AlarmHarness()
        // yaw −1.5…1.5 (range 3): 5 % is 0.15, 0.5 % is 0.015.
        h.run(from: 0, to: 2) { _ in armBody(position: [1.0, 0.12, 99]) }
        #expect(h.ids.isEmpty, "a joint without limits never alarms, whatever its position")
        h.run(from: 2.1, to: 3.1) { _ in armBody(position: [1.4, 0.12, 99]) }
        let near = h.alarm("PSM1.yaw.LIMIT")
        #expect(near?.priority == .low)
        #expect(near?.message == "PSM1 yaw 80.2° near its limit 85.9° (3.3 % of range ≤ 5 %, 1 s mean)")
        h.run(from: 3.2, to: 4.2) { _ in armBody(position: [-1.49, 0.12, 99]) }
        let at = h.alarm("PSM1.yaw.LIMIT")
        #expect(at?.priority == .medium, "at the lower limit now: the same entry escalates")
        #expect(at?.message == "PSM1 yaw -85.4° at its limit -85.9° (0.3 % of range ≤ 0.5 %, 1 s mean)")
        h.run(from: 4.3, to: 5.3) { _ in armBody(position: [-1.6, 0.12, 99]) }
        #expect(h.alarm("PSM1.yaw.LIMIT")?.message == "PSM1 yaw -91.7° beyond its limit -85.9° (1 s mean)")
        #expect(h.alarm("PSM1.yaw.LIMIT")?.priority == .medium)
        #expect(h.actions("PSM1.yaw.LIMIT") == [.raise, .escalate])

        // Insertion 0…0.24 m, resting on its lower stop.
        var g = AlarmHarness()
        g.run(from: 0, to: 1) { _ in armBody(position: [0, 0, 0]) }
        #expect(g.alarm("PSM1.insertion.LIMIT")?.message == "PSM1 insertion 0.0 mm at its limit 0.0 mm (0 % of range ≤ 0.5 %, 1 s mean)")
        #expect(g.history(of: "PSM1.insertion.LIMIT")?.peakValue == 0)
    }

    @Test("effort at 90 % of its maximum or more is medium (by magnitude), only for joints with effort_max")
    func effort() {
        var h = AlarmHarness()
        h.run(from: 0, to: 1) { _ in armBody(effort: [2.6, 8.9, 1000]) }
        #expect(h.ids.isEmpty)
        h.run(from: 1.1, to: 1.3) { _ in armBody(effort: [-2.85, 8.9, 1000]) }
        #expect(h.ids.isEmpty, "the mean of the last second is 89 %")
        h.feed(armBody(effort: [-2.85, 8.9, 1000]), at: 1.4)
        #expect(h.ids == ["PSM1.yaw.EFFORT"], "the mean of the last second is 90 %")
        h.run(from: 1.5, to: 2.1) { _ in armBody(effort: [-2.85, 8.9, 1000]) }
        #expect(h.alarm("PSM1.yaw.EFFORT")?.message == "PSM1 yaw effort 2.85 N·m = 95 % of max 3 N·m (≥ 90 %, 1 s mean)")
        #expect(h.alarm("PSM1.yaw.EFFORT")?.priority == .medium)
        h.run(from: 2.2, to: 3.3) { _ in armBody(effort: [0.5, 9.5, 0]) }
        #expect(h.alarm("PSM1.insertion.EFFORT")?.message == "PSM1 insertion effort 9.5 N = 95 % of max 10 N (≥ 90 %, 1 s mean)")
        h.evaluate(at: 4.3)
        #expect(h.ids == ["PSM1.insertion.EFFORT"], "yaw dropped at 2.2 and cleared 2 s later")
    }

    @Test("an instrument in FAULT is high; one with no uses left is low")
    func instruments() {
        var h = AlarmHarness()
        h.feed(.instrument(InstrumentSample(arm: "PSM1", tool: .model("LARGE_NEEDLE_DRIVER"), state: .engaged, usesLeft: 1)), at: 1)
        #expect(h.ids.isEmpty)
        h.feed(.instrument(InstrumentSample(arm: "PSM1", usesLeft: 0)), at: 2)
        #expect(h.alarm("PSM1.INSTRUMENT.USES")?.priority == .low)
        #expect(h.alarm("PSM1.INSTRUMENT.USES")?.message == "PSM1 instrument LARGE_NEEDLE_DRIVER has no uses left")
        h.feed(.instrument(InstrumentSample(arm: "PSM1", state: .fault)), at: 3)
        #expect(h.alarm("PSM1.INSTRUMENT.FAULT")?.priority == .high)
        #expect(h.alarm("PSM1.INSTRUMENT.FAULT")?.message == "PSM1 instrument LARGE_NEEDLE_DRIVER in FAULT")
        #expect(h.ids == ["PSM1.INSTRUMENT.FAULT", "PSM1.INSTRUMENT.USES"], "display order: highest priority first")
        // The tool is removed: nothing mounted, nothing to alarm about.
        h.feed(.instrument(InstrumentSample(arm: "PSM1", tool: .none, state: InstrumentState.none)), at: 4)
        h.evaluate(at: 6)
        #expect(h.ids.isEmpty)
    }

    @Test("a new session frame with other joints gets new ids, and the old ones clear")
    func redeclaredArms() {
        var h = AlarmHarness()
        h.run(from: 0, to: 1) { _ in armBody(position: [1.49, 0.1, 0]) }
        #expect(h.ids == ["PSM1.yaw.LIMIT"])
        let ecm = ArmDescriptor(id: "ECM", kind: .ecm, joints: [JointDescriptor(name: "pitch", unit: .rad, min: -1, max: 1)])
        h.feed(.session(SessionInfo(id: "OR3-TEST", arms: [ecm])), at: 1.1)
        h.run(from: 1.2, to: 3.2) { _ in armBody("ECM", position: [0.999]) }
        #expect(h.ids == ["ECM.pitch.LIMIT"])
    }
}

extension AlarmHarness {
    func history(of id: String) -> AlarmRecord? {
        engine.history.first { $0.id == id }
    }
}
