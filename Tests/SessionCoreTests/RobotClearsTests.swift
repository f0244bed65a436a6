import Telemetry
import Testing
@testable import SessionCore

/// The alarm engine evaluates now and then (a replay every tenth of a second of session time, a
/// live console each batch): a robot alarm raised and cleared in between is still logged, raised
/// and cleared at its own times; and a `sync` says in the log what it did to an alarm.
@Suite("Robot alarms between evaluations")
struct RobotClearsTests {
    static func raised(_ id: String, _ priority: AlarmPriority) -> Frame.Body {
        .alarm(AlarmReport(id: id, state: .raised, priority: priority, message: "\(id) message"))
    }

    static func cleared(_ id: String) -> Frame.Body {
        .alarm(AlarmReport(id: id, state: .cleared))
    }

    /// A state with a session, and an engine that evaluated it at 5 s.
    static func start() -> (SessionState, AlarmEngine) {
        var state = SessionState()
        var engine = AlarmEngine()
        state.apply(Frame(t: 0, body: .session(SessionInfo(id: "S", arms: []))), arrival: 0)
        state.apply(Frame(t: 5, body: .event(EventNote(kind: "note"))), arrival: 5)
        engine.evaluate(state, time: 5, arrivalNow: 5, sourceIsLive: false)
        _ = engine.drainLog()
        return (state, engine)
    }

    static func apply(_ state: inout SessionState, _ t: Double, _ body: Frame.Body) {
        state.apply(Frame(t: t, body: body), arrival: t)
    }

    @Test("an alarm raised at 5.01 and cleared at 5.05, evaluated at 5.09: RAISE 5.01 and CLEAR 5.05")
    func raisedAndClearedBetween() {
        var (state, engine) = Self.start()
        Self.apply(&state, 5.01, Self.raised("PSM1.FAULT", .medium))
        Self.apply(&state, 5.05, Self.cleared("PSM1.FAULT"))
        engine.evaluate(state, time: 5.09, arrivalNow: 5.09, sourceIsLive: false)
        let log = engine.drainLog().filter { $0.id == "PSM1.FAULT" }
        #expect(log.map(\.action) == [.raise, .clear])
        #expect(log.map(\.time) == [5.01, 5.05])
        #expect(log.first?.priority == .medium)
        #expect(engine.alarms.isEmpty)
        #expect(engine.history.first { $0.id == "PSM1.FAULT" }?.raises == 1)
        // Taken once: the next evaluation logs nothing more.
        engine.evaluate(state, time: 5.2, arrivalNow: 5.2, sourceIsLive: false)
        #expect(engine.drainLog().isEmpty)
    }

    @Test("a high one raised and cleared between evaluations is latched until acknowledged, as after every frame")
    func highIsLatched() {
        var (state, engine) = Self.start()
        Self.apply(&state, 5.01, Self.raised("PSM1.FAULT", .high))
        Self.apply(&state, 5.05, Self.cleared("PSM1.FAULT"))
        engine.evaluate(state, time: 5.09, arrivalNow: 5.09, sourceIsLive: false)
        #expect(engine.drainLog().map(\.action) == [.raise, .latch])
        #expect(engine.alarms.map(\.latched) == [true])
    }

    @Test("a listed alarm cleared and raised again between evaluations logs its clear and the new raise")
    func clearedAndRaisedAgain() {
        var (state, engine) = Self.start()
        Self.apply(&state, 5.01, Self.raised("PSM1.FAULT", .medium))
        engine.evaluate(state, time: 5.01, arrivalNow: 5.01, sourceIsLive: false)
        _ = engine.drainLog()
        Self.apply(&state, 5.03, Self.cleared("PSM1.FAULT"))
        Self.apply(&state, 5.06, Self.raised("PSM1.FAULT", .medium))
        engine.evaluate(state, time: 5.09, arrivalNow: 5.09, sourceIsLive: false)
        let log = engine.drainLog()
        #expect(log.map(\.action) == [.clear, .raise])
        #expect(log.first?.time == 5.03)
        #expect(engine.alarms.map(\.id) == ["PSM1.FAULT"])
    }

    @Test("a sync's log entries say what it did: raised, confirmed, cleared (not only in the message)")
    func resyncSaysWhatItDid() {
        var (state, engine) = Self.start()
        let sync = { (ids: [String]) -> Frame.Body in
            .sync(SyncSnapshot(alarms: ids.map { AlarmReport(id: $0, state: .raised, priority: .medium) }))
        }
        Self.apply(&state, 5.5, sync(["A"]))
        engine.evaluate(state, time: 5.5, arrivalNow: 5.5, sourceIsLive: false)
        let raised = engine.drainLog()
        #expect(raised.map(\.action) == [.resync])
        #expect(raised.map(\.resync) == [.raised])
        #expect(raised.allSatisfy { $0.raisesAlarm })
        Self.apply(&state, 6, sync([]))
        engine.evaluate(state, time: 6, arrivalNow: 6, sourceIsLive: false)
        let cleared = engine.drainLog()
        #expect(cleared.map(\.resync) == [.cleared])
        #expect(!cleared.contains { $0.raisesAlarm })
    }

    @Test("the report's bars follow a sync's raise and clear")
    func reportBarsFollowSync() {
        var builder = ReportSeriesBuilder()
        builder.add(Frame(t: 0, body: .event(EventNote(kind: "x"))))
        builder.add([AlarmLogEntry(time: 1, action: .resync, id: "A", origin: .device, priority: .medium,
                                   message: "", resync: .raised),
                     AlarmLogEntry(time: 2, action: .resync, id: "A", origin: .device, priority: .medium,
                                   message: "", resync: .confirmed),
                     AlarmLogEntry(time: 3, action: .resync, id: "A", origin: .device, priority: .medium,
                                   message: "", resync: .cleared)])
        builder.add(Frame(t: 9, body: .event(EventNote(kind: "x"))))
        let bars = builder.finish().alarmBars
        #expect(bars.map(\.start) == [1])
        #expect(bars.map(\.end) == [3])
    }
}
