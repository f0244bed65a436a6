import Testing
import Telemetry
@testable import SessionCore

/// The human-readable report: its sections, text from the wire sanitised, numbers of any size.
@Suite("Report text")
struct ReportTextTests {
    /// A short session with an arm, a link of absurd round trips, a device alarm, an event and
    /// a bad line, where every text from the wire carries escape sequences or bidi overrides.
    static func report() -> SessionReport {
        var builder = SessionReportBuilder()
        builder.add(session())
        builder.add(Frame(t: 1, body: .arm(ArmSample(arm: "PSM1", state: .enabled))))
        builder.add(Frame(t: 2, body: .link(LinkSample(up: true, rttMs: 1e19, jitterMs: 2))))
        builder.add(Frame(t: 10, body: .alarm(AlarmReport(id: "PSM1.COLLISION", state: .raised, priority: .high,
                                                          message: "hit\u{1B}[31m red"))))
        builder.add(Frame(t: 70, body: .alarm(AlarmReport(id: "PSM1.COLLISION", state: .cleared))))
        builder.add(Frame(t: 3725.5, body: .event(EventNote(kind: "note\u{1B}]0;title\u{07}", text: "left\u{202E}right"))))
        builder.add(.error(DecodeError(line: 7, kind: .syntax, reason: "bad \u{1B}[2Jline")))
        var report = builder.finish()
        // The alarm engine's time at each priority (`finish(alarms:)`), here set by hand.
        report.secondsAtPriority = ["high": 60, "low": 3_600]
        return report
    }

    @Test("every section, in order, with durations as H:MM:SS from a minute up")
    func sections() {
        let lines = ReportText.render(Self.report(), file: "rec.ndjson").split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines == [
            "Session OR3  Cholecystectomy",
            "  Shanghai → Strasbourg",
            "  recording rec.ndjson, duration 1:02:05",
            "",
            "Frames: 6  session 1, sync 0, link 1, arm 1, instrument 0, alarm 2, event 1",
            "  bad lines 1, unknown types 0, out of order 0, sequence gaps 0 (0 frames missing)",
            "",
            "Arms:",
            "  PSM1   PSM   2 joints, 1 frames, faults 0; ENABLED 1:02:04",
            "  ECM    ECM   0 joints, 0 frames, faults 0",
            "",
            "Link:",
            "  primary (1 samples, down 0.0 s in 0 outages)",
            "    RTT ms      p50 1e19  p95 1e19  p99 1e19  max 1e19",
            "    jitter ms   mean 2.0  p95 2.0  max 2.0",
            "",
            "Alarms: 1 conditions (raised: high 1, medium 0, low 0)",
            "  time at each priority: high 0:01:00, medium 0.0 s, low 1:00:00",
            "  *** PSM1.COLLISION [device] first at 10.0 s, 1×, 0:01:00 in all — hit red",
            "",
            "Events: 1 (note 1)",
            "  1:02:05  note: leftright",
            "",
            "Errors (first 1 of 1; run `surgtop check` for all):",
            "  line 7: bad line",
        ])
    }

    @Test("an empty recording says so in each section")
    func empty() {
        let text = ReportText.render(SessionReportBuilder().finish(), file: "-")
        #expect(text.hasPrefix("Session -  -\n  recording -, duration 0.0 s\n"))
        #expect(text.contains("Arms:\n  none declared\n"))
        #expect(text.contains("Link:\n  no link frames\n"))
        #expect(text.hasSuffix("Events: 0"))
        #expect(!text.contains("Errors"))
    }

    @Test("no escape sequence, control or bidi override from the wire (or the file name) gets through")
    func sanitised() {
        let text = ReportText.render(Self.report(), file: "rec\u{1B}[2J\u{9B}1m.ndjson")
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B || $0.value == 0x202E })
        #expect(text.contains("  recording rec.ndjson, duration"))
    }

    @Test("durations: tenths under a minute, then hours unbounded; negative and NaN are zero")
    func durations() {
        #expect(ReportText.duration(0) == "0.0 s")
        #expect(ReportText.duration(59.94) == "59.9 s")
        #expect(ReportText.duration(60) == "0:01:00")
        #expect(ReportText.duration(3661.9) == "1:01:01")
        #expect(ReportText.duration(36_000) == "10:00:00")
        #expect(ReportText.duration(1e9) == "277777:46:40")
        #expect(ReportText.duration(-5) == "0.0 s")
        #expect(ReportText.duration(.nan) == "0.0 s")
        // Beyond any session (times are within ±1e9 s): saturates, never traps.
        #expect(ReportText.duration(1e19) == "312749974122:57:04")
        #expect(ReportText.duration(.infinity) == "312749974122:57:04")
    }

    @Test("huge values print in scientific form in every statistic")
    func hugeValues() {
        var builder = SessionReportBuilder()
        builder.add(Frame(t: 0, body: .link(LinkSample(up: true, rttMs: 1e19, jitterMs: -1e300, lossPct: 1e300,
                                                       bandwidthMbps: -1e19, videoFps: .infinity, videoDelayMs: 1.73e22))))
        let text = ReportText.render(builder.finish(), file: "x")
        #expect(text.contains("    RTT ms      p50 1e19  p95 1e19  p99 1e19  max 1e19\n"))
        #expect(text.contains("    jitter ms   mean -1e300  p95 -1e300  max -1e300\n"))
        #expect(text.contains("    loss %      mean 1e300  p95 1e300  max 1e300\n"))
        #expect(text.contains("    bandwidth   mean -1e19  p50 -1e19  (Mbit/s)\n"))
        #expect(text.contains("    video delay ms  p50 1.73e22  p95 1.73e22  max 1.73e22\n"))
    }

    @Test("the arm column is cut or padded to its width in UTF-16 units, as it always was")
    func armColumn() {
        #expect(ReportText.padded("P", 6) == "P     ")
        #expect(ReportText.padded("PSM1ab", 6) == "PSM1ab")
        #expect(ReportText.padded("PSM1abc", 6) == "PSM1ab")
        #expect(ReportText.padded("\u{1F9BE}\u{1F9BE}\u{1F9BE}\u{1F9BE}", 6) == "\u{1F9BE}\u{1F9BE}\u{1F9BE}")
        #expect(ReportText.padded("abcde\u{1F9BE}", 6) == "abcde\u{FFFD}", "half a surrogate pair becomes U+FFFD")
    }
}
