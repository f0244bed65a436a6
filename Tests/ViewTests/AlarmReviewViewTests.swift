import SessionCore
import Telemetry
import Testing
@testable import View

@Suite("Link markers only where an alarm exists")
struct LinkMarkerAgreesTests {
    /// The round trip row's marker in a Link panel 60 columns wide with one path (4 rows: its
    /// sparkline row; a taller panel charts it).
    func rttMarker(_ builder: SessionBuilder, _ engine: AlarmEngine) -> String {
        var context = Fixture.context(now: builder.lastArrival)
        context.alarms = AlarmRow.rows(from: engine)
        let b = panel(.link, builder.state, context, width: 60, height: 4)
        // The metric row, under the path's line (which may end with the session's "RTT p50/95/99").
        guard let at = b.find(LinkPanel.label(.rtt, long: true) + " ", in: Rect(x: 0, y: 2, width: 60, height: 2)) else { return "?" }
        return b.lines(in: Rect(x: 26, y: at.y, width: 3, height: 1))[0].trimmingCharacters(in: .whitespaces)
    }

    @Test("a round trip of 500 ms that has just come back after a silence is unmarked until its alarm raises")
    func returningValueIsUnmarkedUntilItsAlarm() {
        var builder = SessionBuilder()
        builder.session()
        var engine = AlarmEngine(settings: .defaults)
        func feed(_ t: Double, _ rtt: Double) {
            builder.apply(t, .link(LinkSample(path: "primary", up: true, rttMs: rtt)))
            engine.evaluate(builder.state, time: t, arrivalNow: builder.lastArrival, sourceIsLive: false)
        }
        // An asymmetric signal: a quiet second, five seconds of silence, then 500 ms.
        for k in 1...10 { feed(Double(k) / 10, 40) }
        for k in 60...64 { feed(Double(k) / 10, 500) }
        #expect(engine.alarms.isEmpty)
        #expect(rttMarker(builder, engine) == "", "no alarm, no marker (the mean of the samples is 500 ms)")
        for k in 65...72 { feed(Double(k) / 10, 500) }
        let raised = engine.alarms.first { $0.id == "LINK.primary.RTT" }?.priority
        #expect(raised == .high)
        #expect(rttMarker(builder, engine) == AlarmPriority.high.marker)
    }
}

@Suite("The alarm log overlay keeps alarms in sight")
struct AlarmLogOverlayReviewTests {
    static let collision = AlarmRow(id: "PSM2.COLLISION", priority: .high, message: "PSM2 collision", since: 1)

    @Test("below 84×30 the top line still shows the highest active alarm", arguments: [(80, 24), (60, 20), (120, 40)])
    func highestAlarmStaysVisible(size: (Int, Int)) {
        var context = Fixture.context()
        context.alarms = [Self.collision]
        context.overlay = .alarmLog(AlarmLogBrowser(path: nil, lines: (1...200).map { "entry \($0)" }))
        let (b, _) = screen(Fixture.realistic(), context, layout: size.0 >= 120 ? "technician" : "compact", width: size.0, height: size.1)
        #expect(b.lines[0].contains("PSM2.COLLISION"), "\(b.lines[0])")
        #expect(b.contains("Alarm log") && b.contains("entry 200"), "\(b.lines.joined(separator: "\n"))")
        #expect(b.contains("Esc l"))
    }

    @Test("escape sequences and control characters in log lines reach the screen as plain text")
    func hostileLinesAreSanitised() {
        let hostile = ["t=1.0  RAISE  * LINK.\u{1B}[2J\u{1B}]0;pwned\u{07}.RTT  round trip", "t=2.0  \u{9B}31mred\u{0}nul\r\nnext"]
        var context = Fixture.context()
        context.overlay = .alarmLog(AlarmLogBrowser(path: "/tmp/\u{1B}[31mlog", lines: hostile))
        let (b, _) = screen(Fixture.realistic(), context, layout: "compact", width: 80, height: 24)
        let text = b.lines.joined(separator: "\n")
        for bad in ["\u{1B}", "\u{07}", "\u{9B}", "\u{0}", "\r"] { #expect(!text.contains(bad)) }
        #expect(text.contains("round trip") && text.contains("red"))
    }
}
