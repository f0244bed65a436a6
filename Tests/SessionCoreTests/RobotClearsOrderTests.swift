import Telemetry
import Testing
@testable import SessionCore

/// The robot clears an evaluation takes are logged in time order, and forgotten once logged.
@Suite("Robot clears: order and memory")
struct RobotClearsOrderTests {
    @Test("a clearing frame older than the last evaluation (live lag, out of order) is logged at that evaluation, never before the raise")
    func neverBackInTime() {
        var (state, engine) = RobotClearsTests.start()
        RobotClearsTests.apply(&state, 10.0, RobotClearsTests.raised("PSM1.FAULT", .medium))
        // Evaluated on a clock 50 ms ahead of the frames (a live console's arrival lag).
        engine.evaluate(state, time: 10.05, arrivalNow: 10.05, sourceIsLive: false)
        RobotClearsTests.apply(&state, 10.02, RobotClearsTests.cleared("PSM1.FAULT"))
        engine.evaluate(state, time: 10.1, arrivalNow: 10.1, sourceIsLive: false)
        let log = engine.drainLog().filter { $0.id == "PSM1.FAULT" }
        #expect(log.map(\.action) == [.raise, .clear])
        let times = log.map(\.time)
        #expect(times == times.sorted(), "the log never goes back in time: \(times)")
        #expect((log.last?.time ?? 0) >= 10.05)
    }

    @Test("once logged, the clears are forgotten: a state kept at a checkpoint carries none")
    func forgottenOnceLogged() {
        var (state, engine) = RobotClearsTests.start()
        for k in 0..<50 {
            let t = 5.0 + Double(k) * 0.01
            RobotClearsTests.apply(&state, t, RobotClearsTests.raised("PSM1.A\(k)", .low))
            RobotClearsTests.apply(&state, t + 0.005, RobotClearsTests.cleared("PSM1.A\(k)"))
        }
        #expect(state.robotClears.cleared.count == 50)
        engine.evaluate(state, time: 5.6, arrivalNow: 5.6, sourceIsLive: false)
        state.robotClears.forget(through: engine.robotClearsTaken)
        #expect(state.robotClears.cleared.isEmpty)
        #expect(engine.drainLog().filter { $0.action == .clear }.count == 50, "every clear was logged before it was forgotten")
        // New clears after that are still taken.
        RobotClearsTests.apply(&state, 6.0, RobotClearsTests.raised("PSM1.B", .low))
        RobotClearsTests.apply(&state, 6.01, RobotClearsTests.cleared("PSM1.B"))
        engine.evaluate(state, time: 6.1, arrivalNow: 6.1, sourceIsLive: false)
        #expect(engine.drainLog().filter { $0.id == "PSM1.B" }.map(\.action) == [.raise, .clear])
    }
}
