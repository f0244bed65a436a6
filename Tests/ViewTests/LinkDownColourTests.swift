import SessionCore
import Telemetry
import Testing
@testable import View

/// A path that is down is drawn in the colour of the alarm it raises: medium (LINK.<path>.DOWN)
/// while another path carries the session, high (LINK.ALL.DOWN) when none is up.
@Suite("Link down colours")
struct LinkDownColourTests {
    func state(primaryUp: Bool) -> SessionState {
        var b = SessionBuilder()
        b.session()
        b.apply(1, .link(LinkSample(path: "primary", up: primaryUp, rttMs: 50)))
        b.apply(1, .link(LinkSample(path: "backup", up: false, rttMs: 60)))
        return b.state
    }

    @Test("backup down while primary is up: medium, as the alarm; both down: high")
    func downColour() {
        for (primaryUp, expected) in [(true, AlarmPriority.medium), (false, AlarmPriority.high)] {
            let s = state(primaryUp: primaryUp)
            var engine = AlarmEngine()
            for k in 0...30 { engine.evaluate(s, time: 1 + Double(k) * 0.1, arrivalNow: 0, sourceIsLive: false) }
            let raised = engine.alarms.filter { $0.id.hasSuffix("DOWN") }.map(\.priority).max()
            #expect(raised == expected)
            let b = panel(.link, s, Fixture.context(state: s), width: 120, height: 12)
            let style = b.style(of: "DOWN")
            #expect(style == Theme(colors: true).badge(Severity(expected)), "primary up: \(primaryUp)")
        }
    }
}
