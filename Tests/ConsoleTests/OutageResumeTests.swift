import Console
import SessionCore
import Telemetry
import TelemetrySources
import Testing

/// A live source that goes away and comes back continuing the same session (the simulator's
/// server killed and restarted: same id, its clock resumes where it stopped). Session time
/// stands still during the outage while the alarm clock runs on arrival time; once frames flow
/// again the alarms must follow session time, not the clock that ran ahead.
@Suite("Session driver: an outage that continues the same session")
struct OutageResumeTests {
    static let arm = ArmDescriptor(id: "PSM1", kind: .psm, joints: [JointDescriptor(name: "yaw", unit: .rad)])
    static func frame(_ t: Double, _ body: Frame.Body) -> SourceEvent { .decoded(.frame(Frame(t: t, body: body))) }
    static func session(_ t: Double) -> SourceEvent { frame(t, .session(SessionInfo(id: "SIM-0001", arms: [arm]))) }
    static func sample(_ t: Double) -> SourceEvent { frame(t, .arm(ArmSample(arm: "PSM1", position: [0.1]))) }

    /// Frames every 0.1 s from `from` to `to` (session time), arriving at `arrivalOffset + t`.
    static func play(_ driver: inout SessionDriver, from: Double, to: Double, arrivalOffset: Double,
                     log: inout [AlarmLogEntry], each: (SessionDriver) -> Void = { _ in }) {
        var k = 0
        while true {
            let t = from + Double(k) * 0.1
            if t > to + 1e-9 { break }
            driver.step(events: [sample(t)], now: arrivalOffset + t)
            log += driver.alarms.drainLog()
            each(driver)
            k += 1
        }
    }

    @Test("TELEMETRY.LOST clears as soon as frames resume and the log follows session time")
    func lostClearsWhenFramesResume() throws {
        var driver = SessionDriver(mode: .live)
        var log: [AlarmLogEntry] = []
        driver.step(events: [.state(.connecting(attempt: 1)), .reset, .state(.connected(peer: "127.0.0.1:21000")),
                             Self.session(0)], now: 100)
        Self.play(&driver, from: 0.1, to: 8, arrivalOffset: 100, log: &log)
        #expect(driver.alarms.alarms.isEmpty)

        // The server is gone for 10 s: nothing arrives, the clock runs on arrival time.
        driver.step(events: [.state(.reconnecting(lostAt: 108.2, attempt: 1, reason: "connection closed by peer"))], now: 108.2)
        var arrival = 108.2
        while arrival < 118 {
            arrival += 0.5
            driver.step(events: [], now: arrival)
            log += driver.alarms.drainLog()
        }
        #expect(driver.alarms.alarms.map(\.id) == ["TELEMETRY.LOST"], "raised during the outage")
        #expect(log.contains { $0.id == "TELEMETRY.LOST" && $0.action == .raise })

        // It comes back continuing the same session at t = 8.1: not a new session.
        driver.step(events: [.reset, .state(.connected(peer: "127.0.0.1:21000")), Self.session(8.1)], now: 118.3)
        log += driver.alarms.drainLog()
        #expect(driver.sessionsStarted == 0)
        #expect(driver.alarms.now == driver.state.sessionTime, "the alarm clock is session time again")

        var clearedAt: Double?
        Self.play(&driver, from: 8.2, to: 16, arrivalOffset: 110.2, log: &log) { driver in
            if clearedAt == nil, !driver.alarms.alarms.contains(where: { $0.id == "TELEMETRY.LOST" }) {
                clearedAt = driver.state.sessionTime
            }
        }
        let cleared = try #require(clearedAt, "TELEMETRY.LOST still listed at t = 16")
        #expect(cleared <= 8.2 + 1e-9, "cleared by the first step of resumed frames, not when session time catches up")
        let clear = log.first { $0.id == "TELEMETRY.LOST" && $0.action == .clear }
        #expect(clear.map { abs($0.time - 8.1) < 1e-9 } == true,
                "the clear is stamped with the session time it happened at: \(String(describing: clear?.time))")
        let later = log.filter { $0.time > 8.1 }
        #expect(later.allSatisfy { $0.time <= driver.state.sessionTime }, "no entry ahead of session time")
        #expect(driver.alarms.now == driver.state.sessionTime)
    }

    @Test("an alarm raised before the outage keeps its time when frames resume")
    func earlierAlarmsKeepTheirTimes() {
        var driver = SessionDriver(mode: .live)
        var log: [AlarmLogEntry] = []
        driver.step(events: [.state(.connecting(attempt: 1)), .reset, .state(.connected(peer: "127.0.0.1:21000")),
                             Self.session(0)], now: 100)
        Self.play(&driver, from: 0.1, to: 4, arrivalOffset: 100, log: &log)
        let collision = AlarmReport(id: "ARM.COLLISION", state: .raised, priority: .high, message: "PSM1 near ECM")
        driver.step(events: [Self.frame(4.05, .alarm(collision))], now: 104.05)
        Self.play(&driver, from: 4.1, to: 8, arrivalOffset: 100, log: &log)
        let raisedAt = driver.alarms.alarms.first { $0.id == "ARM.COLLISION" }?.raisedAt
        #expect(raisedAt != nil)

        var arrival = 108.0
        while arrival < 120 {
            arrival += 0.5
            driver.step(events: [], now: arrival)
        }
        driver.step(events: [.reset, .state(.connected(peer: "127.0.0.1:21000")), Self.session(8.1)], now: 120.1)
        Self.play(&driver, from: 8.2, to: 9, arrivalOffset: 112, log: &log)
        #expect(driver.alarms.alarms.first { $0.id == "ARM.COLLISION" }?.raisedAt == raisedAt)
        #expect(driver.alarms.now == driver.state.sessionTime)
    }
}
