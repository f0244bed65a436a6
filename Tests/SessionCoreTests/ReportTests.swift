import Testing
import Telemetry
@testable import SessionCore

@Suite("Session report")
struct ReportTests {
    @Test("link statistics per path: percentiles, time down and outages")
    func linkStatistics() {
        var builder = SessionReportBuilder()
        builder.add(session())
        for k in 1...100 { builder.add(Frame(t: Double(k) / 10, body: .link(LinkSample(up: true, rttMs: Double(k), jitterMs: 2)))) }
        builder.add(Frame(t: 11, body: .link(LinkSample(up: false))))
        builder.add(Frame(t: 14, body: .link(LinkSample(up: true))))
        builder.add(Frame(t: 20, body: .link(LinkSample(path: "backup", up: false))))
        builder.add(Frame(t: 25, body: .event(EventNote(kind: "note"))))
        let report = builder.finish()
        let primary = report.links.first { $0.path == "primary" }!
        #expect(primary.rttMs?.p50 == 50)
        #expect(primary.rttMs?.p95 == 95)
        #expect(primary.rttMs?.p99 == 99)
        #expect(primary.rttMs?.max == 100)
        #expect(primary.secondsDown == 3)
        #expect(primary.outages == 1)
        let backup = report.links.first { $0.path == "backup" }!
        #expect(backup.secondsDown == 5, "a path still down at the end counts until the last frame")
        #expect(report.duration == 25)
    }

    @Test("out-of-order frames and sequence gaps are counted as the live state counts them")
    func orderAgreesWithTheState() {
        var builder = SessionReportBuilder()
        var state = SessionState()
        let frames = [session(), Frame(t: 5, seq: 1, body: .event(EventNote(kind: "a"))),
                      Frame(t: 3, seq: 2, body: .event(EventNote(kind: "b"))), Frame(t: 4, seq: 6, body: .event(EventNote(kind: "c")))]
        for frame in frames {
            builder.add(frame)
            state.apply(frame, arrival: 0)
        }
        let report = builder.finish()
        #expect(report.counts.outOfOrder == 1, "only 3 after 5 went back; 4 after 3 did not")
        #expect(report.counts.outOfOrder == state.counters.outOfOrder)
        #expect(report.counts.sequenceGaps == 1 && report.counts.missingFrames == 3)
        #expect(report.counts.missingFrames == state.counters.missingFrames)
        #expect(report.duration == 5, "the duration runs to the greatest t")
    }

    @Test("arm states: seconds in each state and faults counted on entering FAULT")
    func armStates() {
        var builder = SessionReportBuilder()
        builder.add(session())
        let states: [(Double, OperatingState)] = [(1, .enabled), (2, .enabled), (4, .fault), (5, .fault), (6, .enabled), (9, .fault)]
        for (t, s) in states { builder.add(Frame(t: t, body: .arm(ArmSample(arm: "PSM1", state: s)))) }
        builder.add(Frame(t: 10, body: .event(EventNote(kind: "end"))))
        let psm1 = builder.finish().arms.first { $0.id == "PSM1" }!
        #expect(psm1.frames == 6)
        #expect(psm1.faults == 2)
        #expect(psm1.secondsByState == ["ENABLED": 6, "FAULT": 3])
    }

    @Test("video delay gets its statistics like the other link metrics")
    func videoDelay() {
        var builder = SessionReportBuilder()
        for k in 1...10 { builder.add(Frame(t: Double(k), body: .link(LinkSample(videoDelayMs: Double(100 + k))))) }
        let delay = builder.finish().links.first?.videoDelayMs
        #expect(delay?.max == 110 && delay?.p50 == 105)
    }

    @Test("device alarms: counts by priority, first raise, duration, peak priority")
    func alarms() {
        var builder = SessionReportBuilder()
        builder.add(session())
        builder.add(Frame(t: 10, body: .alarm(AlarmReport(id: "A", state: .raised, priority: .low))))
        builder.add(Frame(t: 12, body: .alarm(AlarmReport(id: "A", state: .raised, priority: .high))))
        builder.add(Frame(t: 15, body: .alarm(AlarmReport(id: "A", state: .cleared))))
        builder.add(Frame(t: 20, body: .alarm(AlarmReport(id: "B", state: .raised, priority: .medium))))
        builder.add(Frame(t: 30, body: .event(EventNote(kind: "end"))))
        let report = builder.finish()
        #expect(report.alarms.map(\.id) == ["A", "B"])
        #expect(report.alarms[0].priority == "high")
        #expect(report.alarms[0].firstRaised == 10)
        #expect(report.alarms[0].duration == 5)
        #expect(report.alarms[1].duration == 10)
        #expect(report.alarmsByPriority == ["low": 1, "medium": 1])
        #expect(report.eventsByKind == ["end": 1])
    }

    @Test("counts and errors with line numbers")
    func counts() {
        var builder = SessionReportBuilder()
        builder.add(.frame(session()))
        builder.add(.error(DecodeError(line: 2, kind: .syntax, reason: "bad")))
        builder.add(.unknownType("x"))
        let report = builder.finish()
        #expect(report.counts.frames == 1)
        #expect(report.counts.badLines == 1)
        #expect(report.errors == [.init(line: 2, reason: "bad")])
        #expect(report.arms.map(\.id) == ["PSM1", "ECM"])
    }
}
