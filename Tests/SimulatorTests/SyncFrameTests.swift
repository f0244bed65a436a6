import Simulator
import Telemetry
import Testing

@Suite("The simulator's sync frame")
struct SimulatorSyncTests {
    @Test("sync lists exactly the alarms raised and not cleared in the frames so far, and every PSM's instrument")
    func listsActiveAlarms() throws {
        var sim = SessionSimulator(options: SimulatorOptions(seed: 1, armRateHz: 10, linkRateHz: 1))
        var active: [String] = []
        var sawAlarm = false
        while sim.time < 400 {
            let frame = sim.next()
            guard case .alarm(let report) = frame.body else { continue }
            active.removeAll { $0 == report.id }
            if report.state == .raised { active.append(report.id) }
            sawAlarm = true
            guard case .sync(let sync) = sim.syncFrame.body else {
                Issue.record("syncFrame is not a sync frame")
                return
            }
            #expect(sync.alarms.map(\.id) == active, "at t = \(frame.t)")
            #expect(sync.alarms.allSatisfy { $0.priority != nil && $0.state == .raised })
            #expect(sync.instruments?.map(\.arm) == ["PSM1", "PSM2", "PSM3"])
            #expect(sim.syncFrame.t == frame.t && sim.syncFrame.seq == nil)
        }
        #expect(sawAlarm, "the first 400 s raise and clear a collision")
    }
}
