import Testing
import Telemetry
@testable import SessionCore

/// Edges the last review of issue 10 found: what a down path reports, which path carries the
/// session, an effort from a late frame, a sync that changes an alarm's kind.
@Suite("Session edges: down paths, the carrying path, late effort, sync kind")
struct SessionEdgesTests {
    static let session = Frame(t: 0, body: .session(SessionInfo(id: "OR3-TEST", arms: [alarmPSM])))

    @Test("the report leaves out the values a gateway sends for a path while it is down, as the console does")
    func reportSkipsDownValues() {
        var builder = SessionReportBuilder()
        builder.add(Self.session)
        for k in 1...10 { builder.add(Frame(t: Double(k) / 10, body: .link(LinkSample(up: true, rttMs: 100, bandwidthMbps: 50)))) }
        builder.add(Frame(t: 2, body: .link(LinkSample(up: false, rttMs: 900, bandwidthMbps: 0))))
        builder.add(Frame(t: 2.5, body: .link(LinkSample(rttMs: 950, bandwidthMbps: 0))))
        builder.add(Frame(t: 3, body: .link(LinkSample(up: true, rttMs: 110, bandwidthMbps: 48))))
        let primary = builder.finish().links.first { $0.path == "primary" }!
        #expect(primary.rttMs?.max == 110, "900 and 950 ms were sent while the path was down")
        #expect(primary.bandwidthMbps.map { $0.p50 > 0 } == true)
        #expect(primary.outages == 1 && primary.secondsDown == 1)
    }

    @Test("the path carrying the session is primary when it is up, whatever reported first")
    func primaryCarries() {
        var state = SessionState()
        state.apply(Self.session, arrival: 0)
        state.apply(Frame(t: 0.1, body: .link(LinkSample(path: "backup", up: true, bandwidthMbps: 20))), arrival: 0.1)
        state.apply(Frame(t: 0.2, body: .link(LinkSample(up: true, bandwidthMbps: 10))), arrival: 0.2)
        #expect(state.carrierLinkIndex.map { state.links[$0].path } == "primary")
        state.apply(Frame(t: 0.3, body: .link(LinkSample(up: false))), arrival: 0.3)
        #expect(state.carrierLinkIndex.map { state.links[$0].path } == "backup")
    }

    @Test("a bandwidth below the minimum on primary raises its alarm even when backup reported first")
    func bandwidthOnPrimary() {
        var h = AlarmHarness()
        h.feed(.session(SessionInfo(id: "OR3-TEST", minBandwidthMbps: 40, arms: [alarmPSM])), at: 0)
        h.run(from: 0.1, to: 4) { _ in .link(LinkSample(path: "backup", up: true, bandwidthMbps: 60)) }
        h.run(from: 0.15, to: 4) { _ in .link(LinkSample(up: true, bandwidthMbps: 10)) }
        let ids = h.engine.alarms.map(\.id)
        #expect(ids.contains("LINK.primary.BANDWIDTH"), "\(ids)")
        #expect(!ids.contains("LINK.backup.BANDWIDTH"))
    }

    @Test("an effort from a late frame never stands in for the newest one")
    func lateEffortIgnored() {
        var state = SessionState()
        state.apply(Self.session, arrival: 0)
        state.apply(Frame(t: 1, body: .arm(ArmSample(arm: "PSM1", effort: [0.1, 0.1, 0.1]))), arrival: 1)
        state.apply(Frame(t: 0.5, body: .arm(ArmSample(arm: "PSM1", effort: [9, 9, 9]))), arrival: 1.1)
        #expect(state.arm("PSM1")?.effort.map(Array.init) == [0.1, 0.1, 0.1])
        #expect(state.arm("PSM1")?.effortAt == 1)
    }

    @Test("a sync that lists a known alarm with another kind updates its kind")
    func syncUpdatesKind() {
        var state = SessionState()
        state.apply(Self.session, arrival: 0)
        state.apply(Frame(t: 1, body: .alarm(AlarmReport(id: "P.X", state: .raised, priority: .medium))), arrival: 1)
        let report = AlarmReport(id: "P.X", state: .raised, priority: .medium, kind: .physiological)
        state.apply(Frame(t: 2, body: .sync(SyncSnapshot(alarms: [report], instruments: nil))), arrival: 2)
        #expect(state.deviceAlarms.first?.kind == .physiological)
    }

    @Test("after a reconnect, a session frame more than a second behind is a restart; one at or after the old time continues")
    func reconnectBackstep() {
        func clockAt(_ end: Double) -> SessionClock {
            var clock = SessionClock(rule: .afterReconnect)
            _ = clock.observe(Frame(t: 0, body: .session(SessionInfo(id: "S", arms: []))))
            var t = 0.1
            while t <= end { _ = clock.observe(Frame(t: t, body: .event(EventNote(kind: "n")))); t += 0.1 }
            clock.reconnect()
            return clock
        }
        let session = { (t: Double) in Frame(t: t, body: .session(SessionInfo(id: "S", arms: []))) }
        // A gateway rebooted and reached again 4 s into its new session, its old one at 8.9 s:
        // within the five seconds a file allows, but after a reconnect it can only be a restart.
        var rebooted = clockAt(8.9)
        #expect(rebooted.observe(session(4.0))?.startsNewSession == true)
        var resumed = clockAt(8.9)
        #expect(resumed.observe(session(12.0)) == .continues, "the gateway's clock ran on through the outage")
        var sameMoment = clockAt(8.9)
        #expect(sameMoment.observe(session(8.6)) == .continues, "a frame or two behind is no restart")
        // Within one connection the session frame re-sent when the arms change continues, however far back.
        var within = clockAt(8.9)
        _ = within.observe(session(9.0))
        #expect(within.observe(session(2.0)) == .continues)
    }
}
