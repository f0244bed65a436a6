import Testing
import Telemetry
@testable import SessionCore

/// The reducer, the alarm engine and the report fed valid numbers far outside anything
/// physical: none of them may trap (RateMeter once did, on a session time of 1e20).
@Suite("Hostile values in the session core")
struct HostileValuesStateTests {
    static let arms = [ArmDescriptor(id: "PSM1", kind: .psm,
                                     joints: [JointDescriptor(name: "yaw", unit: .rad, min: -1.5, max: 1.5, effortMax: 3)])]

    static func frames(_ big: Double) -> [Frame] {
        [
            Frame(t: 0, seq: -9_000_000_000_000_000, body: .session(SessionInfo(id: "S", distanceKm: big, arms: arms))),
            Frame(t: 1, seq: 9_000_000_000_000_000, body: .link(LinkSample(rttMs: big, jitterMs: big, lossPct: big,
                                                                            bandwidthMbps: -big, videoFps: -big, videoDelayMs: big))),
            Frame(t: 1e9, seq: -9_000_000_000_000_000, body: .arm(ArmSample(arm: "PSM1", state: .fault, position: [big], effort: [-big],
                                                                             tip: [big, big, big], twist: [big, -big, big, big, big, big], jaw: big))),
            Frame(t: -1e9, seq: 9_000_000_000_000_000, body: .instrument(InstrumentSample(arm: "PSM1", usesLeft: -9_000_000_000_000_000))),
            Frame(t: 1e9, body: .alarm(AlarmReport(id: "X", state: .raised, priority: .high))),
        ]
    }

    @Test("state, alarms and report take the largest values and times the decoder lets through",
          arguments: [1e19, 1e300, -1e300, Double.leastNonzeroMagnitude])
    func noTrap(big: Double) {
        var state = SessionState()
        var engine = AlarmEngine()
        var builder = SessionReportBuilder()
        var arrival = -1e9
        for _ in 0..<600 {
            for frame in Self.frames(big) {
                state.apply(frame, arrival: arrival)
                builder.add(.frame(frame))
                arrival += 1e7
            }
            engine.evaluate(state, arrivalNow: arrival, sourceIsLive: true)
        }
        _ = state.arrivalRate.rate(at: 1e300)
        _ = state.arrivalRate.rate(at: -1e300)
        let report = builder.finish()
        // The frames at t = ±1e9 are lone outliers (the next frame goes back from each), so the
        // session frame at t = 0 does not restart the session (`SessionClock`): one session,
        // every frame counted once.
        let sessions = [report] + (report.laterSessions ?? [])
        #expect(report.sessionCount == 1 && sessions.count == 1)
        #expect(sessions.reduce(0) { $0 + $1.counts.frames } == 3000)
        #expect(sessions.last?.counts.missingFrames ?? 0 > 0)
    }

    @Test("frames missing in sequence gaps add up without overflowing")
    func missingFramesSaturate() {
        var order = StreamOrder()
        for k in 0..<2000 {
            order.observe(Frame(t: 0, seq: k % 2 == 0 ? -9_000_000_000_000_000 : 9_000_000_000_000_000,
                                body: .event(EventNote(kind: "x"))))
        }
        #expect(order.sequenceGaps == 1000)
        #expect(order.missingFrames == Int.max)
    }

    @Test("a stream inventing link paths, instrument arms and alarm ids by the thousand keeps the state bounded")
    func inventedNames() {
        var state = SessionState()
        for k in 0..<20_000 {
            state.apply(Frame(t: 1, body: .link(LinkSample(path: "p\(k)", rttMs: 1))), arrival: 1)
            state.apply(Frame(t: 1, body: .instrument(InstrumentSample(arm: "A\(k)", usesLeft: 1))), arrival: 1)
            state.apply(Frame(t: 1, body: .alarm(AlarmReport(id: "X\(k)", state: .raised, priority: .low))), arrival: 1)
        }
        #expect(state.links.count == state.limits.links)
        #expect(state.instruments.count == state.limits.instruments)
        #expect(state.deviceAlarms.count == state.limits.deviceAlarms)
        #expect(state.counters.ignored == 3 * 20_000 - state.limits.links - state.limits.instruments - state.limits.deviceAlarms)
        // Robot alarms may be missing from the list: that is an alarm of its own.
        var engine = AlarmEngine()
        engine.evaluate(state, arrivalNow: 1, sourceIsLive: false)
        let ignored = engine.alarms.first { $0.id == "TELEMETRY.IGNORED" }
        #expect(ignored?.priority == .medium)
        #expect(ignored?.message.hasPrefix("\(state.counters.ignored) frames ignored") == true)
        // Known names still update, and a cleared alarm makes room again.
        state.apply(Frame(t: 2, body: .link(LinkSample(path: "p0", rttMs: 7))), arrival: 2)
        #expect(state.link("p0")?.latest[.rtt] == 7)
        state.apply(Frame(t: 2, body: .alarm(AlarmReport(id: "X0", state: .cleared))), arrival: 2)
        state.apply(Frame(t: 2, body: .alarm(AlarmReport(id: "NEW", state: .raised, priority: .high))), arrival: 2)
        #expect(state.deviceAlarms.contains { $0.id == "NEW" })
    }

    @Test("session frames that rename arms and joints every time do not grow the alarm engine")
    func renamedArmsPruned() {
        var state = SessionState()
        var engine = AlarmEngine()
        for k in 0..<1500 {
            // New joint names every third frame; the arm at its limits throughout, so conditions
            // raise (and keep a history) before their joints are renamed away.
            let joints = (0..<20).map { JointDescriptor(name: "j\(k / 3)_\($0)", unit: .rad, min: -1, max: 1, effortMax: 2) }
            let arm = "A\((k / 3) % 7)"
            state.apply(Frame(t: Double(k), body: .session(SessionInfo(id: "S", arms: [ArmDescriptor(id: arm, kind: .psm, joints: joints)]))),
                        arrival: Double(k))
            state.apply(Frame(t: Double(k), body: .arm(ArmSample(arm: arm, position: Array(repeating: 1, count: 20)))),
                        arrival: Double(k))
            engine.evaluate(state, arrivalNow: Double(k), sourceIsLive: false)
        }
        #expect(engine.conditionCount <= 2100, "\(engine.conditionCount) conditions held")
        // What was raised before a prune keeps its history and its message.
        let first = engine.history.first { $0.id == "A0.j0_0.LIMIT" }
        #expect(first != nil && first?.message.hasPrefix("A0 j0_0") == true, "\(String(describing: first))")
    }

    @Test("one frame far ahead in time neither moves the clock nor silences the derived alarms")
    func loneTimeJump() {
        var state = SessionState()
        var engine = AlarmEngine()
        state.apply(Frame(t: 0, body: .session(SessionInfo(id: "S", arms: []))), arrival: 0)
        state.apply(Frame(t: 0.5, body: .event(EventNote(kind: "x"))), arrival: 0.5)
        state.apply(Frame(t: 1e8, body: .event(EventNote(kind: "far"))), arrival: 0.6)
        for k in 1...30 {
            let t = 0.5 + Double(k) * 0.5
            state.apply(Frame(t: t, body: .link(LinkSample(up: true, rttMs: 400))), arrival: t)
            engine.evaluate(state, arrivalNow: t, sourceIsLive: true)
        }
        #expect(state.sessionTime == 15.5)
        #expect(state.counters.timeOutliers == 1)
        #expect(engine.alarms.contains { $0.id == "LINK.primary.RTT" && $0.priority == .high })
        // Two frames that agree move it on: the stream resumed after a long pause.
        state.apply(Frame(t: 20_000, body: .event(EventNote(kind: "resumed"))), arrival: 20)
        state.apply(Frame(t: 20_000.5, body: .event(EventNote(kind: "resumed"))), arrival: 20.5)
        #expect(state.sessionTime == 20_000.5)
    }

    @Test("the arrival rate meter takes any time, including far jumps either way")
    func rateMeter() {
        var meter = RateMeter()
        // Crash-only (a trap stops the test process); then it still counts normally.
        for t in [1e20, -1e20, 0, 9.3e18, -9.3e18, .infinity, -.infinity, .nan, 5] { meter.record(at: t) }
        _ = meter.rate(at: .nan)
        var fresh = RateMeter()
        for k in 0..<300 { fresh.record(at: 100 + Double(k) / 100) }
        // 100 frames in the last second (the rate is counted over the last second of arrivals).
        #expect(fresh.rate(at: 103.0) == 100)
    }
}
