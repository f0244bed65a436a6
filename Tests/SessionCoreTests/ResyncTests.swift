import Telemetry
import Testing
@testable import SessionCore

/// Spec §3: session identity, and the `sync` frame that reconciles the robot's alarms.
@Suite("Session identity and resynchronisation")
struct ResyncTests {
    static func raised(_ id: String, _ priority: AlarmPriority = .medium) -> Frame.Body {
        .alarm(AlarmReport(id: id, state: .raised, priority: priority, source: "PSM2", message: "\(id) message"))
    }

    static func sync(_ alarms: [(String, AlarmPriority)], instruments: [InstrumentSample]? = nil) -> Frame.Body {
        .sync(SyncSnapshot(alarms: alarms.map { AlarmReport(id: $0.0, state: .raised, priority: $0.1) }, instruments: instruments))
    }

    @Test("a session frame's identity: same id continues, another id is new, the same id with t back more than 5 s restarted")
    func identity() {
        let a = SessionInfo(id: "A", arms: [])
        func clock() -> SessionClock {
            var clock = SessionClock(rule: .anywhere)
            #expect(clock.observe(Frame(t: 0, body: .session(a))) == .first)
            for t in stride(from: 1.0, through: 300, by: 1) { _ = clock.observe(Frame(t: t, body: .event(EventNote(kind: "note")))) }
            return clock
        }
        var c = clock()
        #expect(c.observe(Frame(t: 310, body: .session(a))) == .continues, "after a reconnect")
        c = clock()
        #expect(c.observe(Frame(t: 296, body: .session(a))) == .continues, "within the allowance")
        c = clock()
        #expect(c.observe(Frame(t: 0.5, body: .session(a))) == .restarted(from: 299), "299: the last time the next frame confirmed")
        #expect(c.ordinal == 1)
        c = clock()
        let b = SessionInfo(id: "B", arms: [])
        #expect(c.observe(Frame(t: 400, body: .session(b))) == .new(previousID: "A"))
        #expect(SessionIdentity.new(previousID: "A").announcement(newID: "B", at: 0) == "new session B; previous session A ended")
        #expect(SessionIdentity.restartBackstep == 5)
    }

    @Test("one stray frame far ahead does not make the next same-id session frame a restart")
    func strayFrameIsNotARestart() {
        let a = SessionInfo(id: "A", arms: [])
        var clock = SessionClock(rule: .anywhere)
        _ = clock.observe(Frame(t: 0, body: .session(a)))
        for t in stride(from: 0.1, through: 10, by: 0.1) { _ = clock.observe(Frame(t: t, body: .event(EventNote(kind: "note")))) }
        _ = clock.observe(Frame(t: 900, body: .link(LinkSample(path: "primary"))))
        #expect(clock.observe(Frame(t: 10.1, body: .session(a))) == .continues, "the arms changed: the session frame is re-sent")
        #expect(clock.ordinal == 0)
    }

    @Test("a live source's same-id session frame restarts the session only as the first of a new connection")
    func liveRestartOnlyAfterReconnect() {
        let a = SessionInfo(id: "A", arms: [])
        var clock = SessionClock(rule: .afterReconnect)
        _ = clock.observe(Frame(t: 0, body: .session(a)))
        for t in stride(from: 1.0, through: 60, by: 1) { _ = clock.observe(Frame(t: t, body: .event(EventNote(kind: "note")))) }
        #expect(clock.observe(Frame(t: 1, body: .session(a))) == .continues, "no reconnect: a reordered re-sent frame")
        _ = clock.observe(Frame(t: 61, body: .event(EventNote(kind: "note"))))
        clock.reconnect()
        #expect(clock.observe(Frame(t: 0, body: .session(a))) == .restarted(from: 59), "the latest time a next frame confirmed")
        _ = clock.observe(Frame(t: 0.1, body: .event(EventNote(kind: "note"))))
        #expect(clock.observe(Frame(t: 0.2, body: .session(a))) == .continues)
    }

    @Test("a sync clears the robot alarms it does not list and raises those it lists, each logged as RESYNC and listed as an event")
    func reconciles() {
        var h = AlarmHarness()
        h.feed(Self.raised("PSM2.COLLISION"), at: 1)
        h.feed(Self.raised("ECM.LIGHT_SOURCE", .low), at: 1)
        #expect(h.engine.alarms.map(\.id).sorted() == ["ECM.LIGHT_SOURCE", "PSM2.COLLISION"])
        h.entries = []
        // After an outage: PSM2.COLLISION cleared and PSM1.TRACKING_ERROR raised while away.
        h.feed(Self.sync([("ECM.LIGHT_SOURCE", .low), ("PSM1.TRACKING_ERROR", .medium)],
                         instruments: [InstrumentSample(arm: "PSM1", tool: .model("CADIERE_FORCEPS"), state: .engaged)]), at: 200)
        #expect(h.state.deviceAlarms.map(\.id) == ["ECM.LIGHT_SOURCE", "PSM1.TRACKING_ERROR"])
        #expect(h.engine.alarms.filter { $0.origin == .device }.map(\.id).sorted() == ["ECM.LIGHT_SOURCE", "PSM1.TRACKING_ERROR"])
        let resyncs = h.entries.filter { $0.action == .resync }
        #expect(resyncs.map(\.id) == ["PSM1.TRACKING_ERROR", "PSM2.COLLISION"], "\(h.entries.map(\.text))")
        #expect(resyncs.first?.text.contains("raised: active at the gateway") == true)
        #expect(resyncs.last?.text.contains("cleared: no longer active at the gateway") == true)
        #expect(!h.entries.contains { $0.action == .clear || $0.action == .raise })
        let events = h.state.events.filter { $0.kind == SessionState.connectionEventKind }.compactMap(\.text)
        #expect(events == ["resync: PSM2.COLLISION cleared (no longer active at the gateway)",
                           "resync: PSM1.TRACKING_ERROR raised (active at the gateway, not seen raised here)"])
        #expect(h.state.instrument(on: "PSM1")?.tool == "CADIERE_FORCEPS")
    }

    @Test("a high robot alarm cleared by a sync latches until acknowledged, as one cleared by the robot does")
    func highLatches() {
        var h = AlarmHarness()
        h.feed(Self.raised("PSM3.ENCODER_MISMATCH", .high), at: 1)
        h.feed(Self.sync([]), at: 50)
        let listed = h.engine.alarms.first { $0.id == "PSM3.ENCODER_MISMATCH" }
        #expect(listed?.latched == true)
        #expect(h.entries.last?.action == .resync && h.entries.last?.text.contains("latched until acknowledged") == true)
    }

    @Test("a sync holds at most limits.deviceAlarms alarms; the rest are counted as ignored, and duplicates are one alarm")
    func bounded() {
        var limits = HistoryLimits()
        limits.deviceAlarms = 3
        var state = SessionState(limits: limits)
        state.apply(Frame(t: 0, body: .session(SessionInfo(id: "S", arms: []))), arrival: 0)
        let many = (0..<10).map { ("A\($0)", AlarmPriority.low) } + [("A1", AlarmPriority.high)]
        state.apply(Frame(t: 1, body: Self.sync(many)), arrival: 1)
        #expect(state.deviceAlarms.map(\.id) == ["A0", "A1", "A2"])
        #expect(state.deviceAlarms[1].priority == .high, "the last duplicate wins")
        #expect(state.counters.ignored == 7)
    }

    @Test("after a reconnect without a sync, robot alarms raised before stay listed, marked unconfirmed, until raised or cleared again")
    func unconfirmedWithoutSync() {
        var h = AlarmHarness()
        h.feed(Self.raised("PSM2.COLLISION"), at: 1)
        h.feed(Self.raised("ECM.LIGHT_SOURCE", .low), at: 1)
        h.state.expectSync()
        h.feed(.session(SessionInfo(id: "OR3-TEST", arms: [alarmPSM])), at: 60)
        #expect(h.state.unconfirmedAlarmCount == 0, "the sync may still come")
        h.feed(.link(LinkSample(rttMs: 50)), at: 60)
        #expect(h.state.unconfirmedAlarmCount == 2)
        #expect(h.engine.alarms.filter(\.unconfirmed).count == 2)
        #expect(h.entries.filter { $0.action == .unconfirmed }.count == 2)
        #expect(h.state.events.last?.text == "reconnected without a sync frame: 2 robot alarms unconfirmed since reconnect")
        // The robot raises one again: confirmed. It clears the other: gone.
        h.feed(Self.raised("PSM2.COLLISION"), at: 61)
        h.feed(.alarm(AlarmReport(id: "ECM.LIGHT_SOURCE", state: .cleared)), at: 62)
        #expect(h.engine.alarms.map(\.id) == ["PSM2.COLLISION"])
        #expect(h.engine.alarms.first?.unconfirmed == false)
        #expect(h.entries.last { $0.id == "PSM2.COLLISION" }?.action == .resync)
    }

    @Test("after a reconnect with a sync, nothing is marked unconfirmed")
    func syncAfterReconnect() {
        var h = AlarmHarness()
        h.feed(Self.raised("PSM2.COLLISION"), at: 1)
        h.state.expectSync()
        h.feed(.session(SessionInfo(id: "OR3-TEST", arms: [alarmPSM])), at: 60)
        h.feed(Self.sync([("PSM2.COLLISION", .medium)]), at: 60)
        h.feed(.link(LinkSample(rttMs: 50)), at: 60.1)
        #expect(h.state.unconfirmedAlarmCount == 0)
        #expect(!h.entries.contains { $0.action == .unconfirmed })
    }

    @Test("the report of a recording with two sessions reports each on its own, never merged")
    func reportSplitsSessions() {
        var b = SessionReportBuilder()
        b.add(Frame(t: 0, body: .session(SessionInfo(id: "A", arms: [alarmPSM]))))
        b.add(Frame(t: 100, body: .event(EventNote(kind: "note"))))
        b.add(Frame(t: 0, body: .session(SessionInfo(id: "B", arms: []))))
        b.add(Frame(t: 20, body: .event(EventNote(kind: "clutch"))))
        b.add(Frame(t: 20, body: .link(LinkSample(rttMs: 90))))
        b.add(Frame(t: 0, body: .session(SessionInfo(id: "B", arms: []))))  // B restarted
        b.add(Frame(t: 7, body: .link(LinkSample(rttMs: 90))))
        let r = b.finish()
        #expect(r.sessionCount == 3)
        #expect(r.sessionID == "A" && r.duration == 100 && r.arms.count == 1 && r.eventsByKind == ["note": 1])
        #expect(r.laterSessions?.map(\.sessionID) == ["B", "B"])
        #expect(r.laterSessions?.first?.duration == 20 && r.laterSessions?.first?.arms.isEmpty == true)
        #expect(r.laterSessions?.first?.eventsByKind == ["clutch": 1])
        #expect(r.laterSessions?.last?.links.first?.samples == 1)
        // A restart goes back from a time the stream confirmed: after one lone frame at t = 20
        // (the next goes back from it) the same id would continue.
        var lone = SessionReportBuilder()
        lone.add(Frame(t: 0, body: .session(SessionInfo(id: "B", arms: []))))
        lone.add(Frame(t: 20, body: .event(EventNote(kind: "clutch"))))
        lone.add(Frame(t: 0.1, body: .session(SessionInfo(id: "B", arms: []))))
        #expect(lone.finish().sessionCount == 1)
        #expect(r.counts.outOfOrder == 0, "a new session's clock starting again is not out of order")
        let text = ReportText.render(r, file: "two.ndjson")
        #expect(text.hasPrefix("This recording holds 3 sessions; each is reported on its own."))
        #expect(text.contains("=== Session 2 of 3 ==="))
    }
}
