import Foundation
import Testing
import Telemetry
@testable import SessionCore

/// The HTML report page: its sections, hostile text escaped, nothing fetched, a bounded size.
@Suite("Report page (HTML)")
struct ReportHTMLTests {
    /// What would make a browser fetch something, or run anything.
    static let externalReferences = ["src=", "href=", "url(", "<link", "@import", "@font-face", "<script", "<iframe",
                                     "<object", "<embed", "<img", "http-equiv", "srcset", "<base"]

    static func page(_ frames: [Frame], bookmarks: [Bookmark] = [], baseline: SkillComparison? = nil,
                     settings: AlarmSettings = .defaults) -> String {
        var report = SessionReportBuilder()
        var series = ReportSeriesBuilder()
        var engine = AlarmEngine(settings: settings)
        var state = SessionState()
        for frame in frames {
            report.add(frame)
            series.add(frame)
            state.apply(frame, arrival: frame.t)
            engine.evaluate(state, time: state.sessionTime, arrivalNow: state.sessionTime, sourceIsLive: false)
            series.add(engine.drainLog())
        }
        let page = ReportPage(file: "case.ndjson", report: report.finish(alarms: engine), series: [series.finish()],
                              bookmarks: bookmarks, baseline: baseline, settings: settings, generator: "surgtop test",
                              generatedAt: nil)
        return ReportHTML.render(page)
    }

    /// A session of 60 s: link at 10 Hz with a round-trip excursion to 350 ms, a tip moving, events.
    static func session(id: String = "OR3-01", eventText: String = "camera moved") -> [Frame] {
        var frames = [Frame(t: 0, body: .session(SessionInfo(id: id, procedure: "cholecystectomy", surgeonSite: "Lyon", patientSite: "Nice",
                                                              arms: [ArmDescriptor(id: "PSM1", kind: .psm, joints: [JointDescriptor(name: "outer_yaw", unit: .rad, min: -1.5, max: 1.5)])])))]
        for k in 0..<600 {
            let t = Double(k) / 10
            frames.append(Frame(t: t, body: .link(LinkSample(path: "primary", up: true, rttMs: t > 20 && t < 30 ? 350 : 80, jitterMs: 3, lossPct: 0.1))))
            frames.append(Frame(t: t + 0.05, body: .arm(ArmSample(arm: "PSM1", position: [sin(t) * 1.45], tip: [0.01 * sin(t), 0.01 * cos(t), 0]))))
        }
        frames.append(Frame(t: 12, body: .event(EventNote(kind: "camera", text: eventText))))
        frames.append(Frame(t: 40, body: .event(EventNote(kind: "clutch"))))
        return frames
    }

    @Test("the page holds every section: header, scorecard, link plots with bands, alarm timeline, arm plots, events and bookmarks, alarm table")
    func sections() {
        let html = Self.page(Self.session(), bookmarks: [Bookmark(t: 25, note: "watch the latency here", createdAt: "2026-11-26T07:12:03Z")])
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        for heading in ["<h1>Session report</h1>", "<h2>Session OR3-01", "<h2>Scorecard</h2>", "<h2>Network link</h2>",
                        "<h2>Alarms over time</h2>", "<h2>Arms: tool-tip speed and joint limits</h2>",
                        "<h2>Events and bookmarks</h2>", "<h2>Alarms</h2>"] {
            #expect(html.contains(heading), "missing \(heading)")
        }
        #expect(html.contains("aria-label=\"Round trip\"") && html.contains("aria-label=\"Jitter\"") && html.contains("aria-label=\"Packet loss\""))
        #expect(html.contains("class=\"band high\""), "the round-trip excursion's thresholds are drawn as bands")
        #expect(html.contains("high ≥ 300"))
        #expect(html.contains("class=\"bar high\""), "the 350 ms round trip raised a high alarm, drawn as a bar")
        #expect(html.contains("LINK.primary.RTT"))
        #expect(html.contains("PSM1 tool-tip speed") && html.contains("PSM1 nearest joint limit"))
        #expect(html.contains("watch the latency here") && html.contains("class=\"bookmarkline\""))
        #expect(html.contains("Lyon → Nice"))
        #expect(html.contains("@media print") && html.contains("size:A4") && html.contains("break-before:page"))
    }

    @Test("with a baseline the scorecard sets trainee and baseline side by side, with difference and ratio")
    func baselineScorecard() {
        let html = Self.page(Self.session(), baseline: SkillComparisonTests.comparison)
        #expect(html.contains("Beside the baseline expert.ndjson (session E1)"))
        #expect(html.contains("<th class=\"num\">Trainee</th><th class=\"num\">Baseline</th><th class=\"num\">Difference</th><th class=\"num\">Ratio</th>"))
        #expect(html.contains("<tr><th>path length <span class=\"dim\">mm</span></th><td class=\"num\">100.0</td><td class=\"num\">50.0</td><td class=\"num\">+50.0</td><td class=\"num\">2.00×</td></tr>"))
        #expect(html.contains("Arms of the trainee only: MTML.") && html.contains("Arms of the baseline only: PSM2."))
        #expect(html.contains("trainee only: gesture G2; baseline only: gesture G3"))
    }

    @Test("the thresholds drawn are the settings in force")
    func settingsInForce() {
        var settings = AlarmSettings.defaults
        settings.rttMs = .init(low: 150, medium: 250, high: 400)
        let html = Self.page(Self.session(), settings: settings)
        #expect(html.contains("high ≥ 400") && !html.contains("high ≥ 300"))
    }

    @Test("hostile text from the wire is sanitised and escaped: no markup, no escape sequences, no reference")
    func hostileText() {
        let html = Self.page(Self.session(id: "<script>alert(1)</script>", eventText: "\u{1B}]52;c;AAAA\u{07}\"><img src=https://evil.example/x.png onerror=alert(1)>"),
                             bookmarks: [Bookmark(t: 1, note: "</td><style>body{display:none}</style>", createdAt: "x")])
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("&quot;&gt;&lt;img src=https://evil.example/x.png onerror=alert(1)&gt;"))
        #expect(!html.contains("\u{1B}") && !html.contains("\u{07}"))
        #expect(html.contains("&lt;/td&gt;&lt;style&gt;"))
        #expect(html.components(separatedBy: "<style>").count == 2, "only the page's own style sheet")
    }

    @Test("nothing in the page is fetched: no src, href, url(), link, import, font or script")
    func noExternalReferences() {
        let html = Self.page(Self.session())
        for reference in Self.externalReferences { #expect(!html.contains(reference), "the page contains \(reference)") }
        #expect(!html.contains("http:") && !html.contains("https:"))
    }

    @Test("a long, dense session stays a page of bounded size")
    func boundedSize() {
        var frames = Self.session()
        // 30 minutes of two arms at 200 Hz and a link at 10 Hz.
        for k in 0..<(1800 * 200) {
            let t = 60 + Double(k) / 200
            if k % 20 == 0 { frames.append(Frame(t: t, body: .link(LinkSample(path: "primary", up: true, rttMs: 80 + Double(k % 97), jitterMs: 3, lossPct: 0)))) }
            for arm in ["PSM1", "PSM2"] {
                frames.append(Frame(t: t, body: .arm(ArmSample(arm: arm, position: [sin(t)], tip: [0.01 * sin(t * 3), 0.01 * cos(t), 0]))))
            }
        }
        let html = Self.page(frames)
        #expect(html.utf8.count < 400_000, "\(html.utf8.count) bytes")
        let polylinePoints = html.components(separatedBy: "points=\"").dropFirst().map { $0.prefix { $0 != "\"" }.split(separator: " ").count }
        #expect(polylinePoints.allSatisfy { $0 <= 1000 })
    }
}


/// The trainer's bookmarks in the text report.
@Suite("Report bookmarks (text)")
struct BookmarkTextTests {
    @Test("bookmarks are listed in time order, per session, their notes sanitised")
    func lines() {
        let marks = [Bookmark(t: 75, note: "second", createdAt: "2026-11-26T07:12:03Z"),
                     Bookmark(t: 12.5, note: "first \u{1B}[31mred", createdAt: "2026-11-26T07:10:00Z"),
                     Bookmark(t: 3, session: 1, note: "later session", createdAt: "2026-11-26T07:20:00Z")]
        #expect(BookmarkText.lines(marks) == ["", "Bookmarks: 3",
                                              "  12.5 s  first red  (2026-11-26T07:10:00Z)",
                                              "  0:01:15  second  (2026-11-26T07:12:03Z)",
                                              "  session 2 3.0 s  later session  (2026-11-26T07:20:00Z)"])
    }
}
