import SessionCore
import Telemetry
import Testing
@testable import View

/// The timeline's bar spans the session on screen, and draws only what lies on it.
extension TimelineMarkersTests {
    @Test("an earlier, longer session is measured against its own end, not the recording's last timestamp")
    func earlierSessionUsesItsOwnEnd() throws {
        var c = context()
        // The console's duration is the last timestamp of the file: the end of the 40 s session.
        c.replay?.duration = 40
        let b = panel(.timeline, state, c, width: 120, height: 5)
        let bar = try #require(barOf(b))
        #expect(b[column(90, bar: bar), 2].character == "◆", "the bookmark at 90 s of 100")
        #expect(b[column(70, bar: bar), 2].character == "*")
        #expect(b[column(50, bar: bar), 2].character == "▲", "the head halfway")
        #expect(b[bar.x + bar.width - 1, 2].character == " ", "nothing piles into the last cell")
    }

    @Test("while the pass is still in the session on screen, the recording's duration stands in for its end")
    func sessionNotYetPassed() throws {
        var index = Self.index(.running(fraction: 0.2))
        index.sessions = [RecordingSessionSpan(id: "A", start: 0, end: 35)]
        let b = panel(.timeline, state, context(index), width: 120, height: 5)
        let bar = try #require(barOf(b))
        #expect(b[column(30, bar: bar), 2].character == "!")
    }

    @Test("markers outside the session's span are not drawn at the bar's ends; the head and loop stay on it")
    func markersOutsideTheBar() throws {
        var index = Self.index()
        index.markers = [RecordingMarker(kind: .alarm(.high, derived: false), session: 0, t: -50, id: "X", text: ""),
                         RecordingMarker(kind: .alarm(.medium, derived: false), session: 0, t: 150, id: "Y", text: ""),
                         RecordingMarker(kind: .event, session: 0, t: 30, id: "e", text: "")]
        var c = context(index)
        c.replay?.loopStart = -10
        c.replay?.loopEnd = 200
        let b = panel(.timeline, state, c, width: 120, height: 5)
        let bar = try #require(barOf(b))
        let markers = b.lines[2].filter { "!*".contains($0) }
        #expect(markers.isEmpty, "\(b.lines[2])")
        #expect(b[column(30, bar: bar), 2].character == "╵")
        #expect(b[bar.x, 1].character == "[" && b[bar.x + bar.width - 1, 1].character == "]")
        c.replay?.position = 500
        let late = panel(.timeline, state, c, width: 120, height: 5)
        #expect(late[bar.x + bar.width - 1, 2].character == "▲", "a head past the end stays at the end")
    }

    @Test("a session whose clock starts past 0 spans the bar from its start to its end")
    func sessionStartingLate() throws {
        let index = RecordingIndex(status: .done,
                                   sessions: [RecordingSessionSpan(id: "A", start: 1000, end: 1100)],
                                   markers: [RecordingMarker(kind: .alarm(.high, derived: false), session: 0, t: 1010,
                                                             id: "X", text: "")])
        var c = context(index)
        c.replay?.position = 1050
        c.replay?.duration = 1100
        let b = panel(.timeline, state, c, width: 120, height: 5)
        let bar = try #require(barOf(b, position: "00:17:30.0", end: " 00:18:20.0"))
        func col(_ t: Double) -> Int { bar.x + Int(((t - 1000) / 100 * Double(bar.width - 1)).rounded()) }
        #expect(b[col(1010), 2].character == "!")
        #expect(b[col(1050), 2].character == "▲")
        // The fill stops halfway, as the head does.
        #expect(b[col(1040), 1].character == "█" && b[col(1060), 1].character != "█")
    }
}

@Suite struct PlaybackWordingTests {
    func text(_ reached: Double?, of speed: Double) -> String {
        var replay = ReplayStatus(position: 10, duration: 100, speed: speed)
        replay.achievedSpeed = reached
        return Playback.text(replay, glyphs: .utf8).text
    }

    @Test("behind only when clearly short, rounded down, never the set speed's own number")
    func honestShortfall() {
        #expect(text(63.6, of: 64) == "▶ 64×")
        #expect(text(0.04, of: 0.25) == "▶ 0.04× of 0.25×")
        #expect(text(0.004, of: 0.25) == "▶ <0.01× of 0.25×")
        #expect(text(1.26, of: 2) == "▶ 1.2× of 2×")
        #expect(text(0.129, of: 0.5) == "▶ 0.12× of 0.5×")
        #expect(text(0.29, of: 0.5) == "▶ 0.29× of 0.5×")
        #expect(text(23.9, of: 64) == "▶ 23× of 64×")
        #expect(text(1.79, of: 2) == "▶ 1.7× of 2×")
        #expect(text(1.85, of: 2) == "▶ 2×", "within 10 % is keeping up")
    }
}

@Suite struct HiddenRowsTagTests {
    @Test("in the trainer's narrow Alarms the +N more tag survives the other tags")
    func moreSurvivesOtherTags() throws {
        let state = DVRK.session()
        var context = Fixture.context(mode: .replay, state: state)
        // More than the trainer's column can hold beside the events and instruments.
        context.alarms = (0..<16).map {
            var row = AlarmRow(id: "LINK.P\($0).RTT", priority: [.high, .medium, .low][$0 % 3],
                               message: "round trip above limit \($0)", since: Double($0))
            row.unconfirmed = true
            return row
        }
        let (b, outcome) = screen(state, context, layout: "trainer", width: 100, height: 30)
        let area = try #require(rect(of: .alarms, in: outcome))
        let lines = b.lines(in: area)
        let shown = lines.dropFirst().dropLast().filter { $0.contains("round trip") }.count
        #expect(shown < 16)
        #expect(Shown.more(in: lines[0]) == 16 - shown, "\(lines[0])")
    }

    @Test("a title bar too narrow for every tag keeps +N more too")
    func moreSurvivesInATitleBar() {
        let p = PanelContext(state: SessionState(), view: Fixture.context(), layoutName: "t")
        var b = CellBuffer(width: 30, height: 2)
        let tags = [Span("STALE 12.0 s"), Span("2 DOWN"), Span("something long")]
        p.markHidden(3, .link, title: "Link", tags: tags, area: b.area, into: &b)
        #expect(b.lines[0].contains("+3 more"), "\(b.lines[0])")
    }

    @Test("three instruments in one row show an instrument, not the column titles, and scroll to each",
          arguments: [3, 2])
    func instrumentsInOneRow(height: Int) {
        let state = DVRK.session()
        var context = Fixture.context(state: state)
        for (offset, arm) in DVRK.psms.enumerated() {
            context.scroll[.instruments] = offset
            let b = panel(.instruments, state, context, width: 60, height: height)
            #expect(b.lines[1].contains(arm + " "), "\(b.lines)")
            #expect(Shown.more(in: b.lines[0]) == 2)
        }
    }
}

@Suite struct ArmsCountTests {
    /// Arms declared with `joints` joints each, with or without samples and tool tips.
    static func arms(_ n: Int, joints: Int, samples: Bool, tip: Bool = false) -> SessionState {
        var b = SessionBuilder()
        let ids = (1...n).map { "PSM\($0)" }
        b.session(ids.map { ArmDescriptor(id: $0, kind: .psm, joints: Array(DVRK.psmJoints(6).prefix(joints))) })
        if samples {
            for id in ids {
                b.apply(5, .arm(ArmSample(arm: id, state: .enabled, homed: true, following: true,
                                          position: Array(repeating: 0.1, count: joints),
                                          effort: Array(repeating: 0.01, count: joints),
                                          tip: tip ? [0.01, 0.02, -0.07] : nil)))
            }
        }
        return b.state
    }

    @Test("arms without joint data, each on its line, hide nothing")
    func noJointDataHidesNothing() {
        let state = Self.arms(4, joints: 6, samples: false)
        let b = panel(.arms, state, Fixture.context(state: state), width: 50, height: 6)
        for k in 1...4 { #expect(b.lines[k].contains("PSM\(k)") && b.lines[k].contains("no joint data")) }
        #expect(Shown.more(in: b.lines[0]) == nil, "\(b.lines[0])")
        #expect(!b.lines[0].contains("joints"))
    }

    @Test("one line per arm counts the arms scrolling reaches and says the joints need a taller terminal")
    func oneLinePerArmIsHonest() {
        let state = Self.arms(4, joints: 6, samples: true)
        let plan = ArmsPanel.plan(state.arms, height: 3, width: 50, scroll: 0)
        #expect(plan.hidden == 1 && plan.maxScroll == 1)
        #expect(plan.jointsNotShown == 24)
        let b = panel(.arms, state, Fixture.context(state: state), width: 70, height: 5)
        #expect(Shown.more(in: b.lines[0]) == 1, "\(b.lines[0])")
        #expect(b.lines[0].contains("+24 joints: taller terminal"), "\(b.lines[0])")
    }

    @Test("one joint per arm: header and joint for every arm when the tool-tip lines are what does not fit")
    func oneJointPerArm() {
        let state = Self.arms(3, joints: 1, samples: true, tip: true)
        // The heading row and six lines.
        let plan = ArmsPanel.plan(state.arms, height: 7, width: 60, scroll: 0)
        #expect(plan.hidden == 0 && plan.jointsNotShown == 0)
        let joints = plan.columns.joined().filter { if case .joint = $0 { return true } else { return false } }
        #expect(joints.count == 3)
    }
}

@Suite struct LinkSummaryTests {
    /// Two paths up, each reporting all six metrics.
    static func twoPaths() -> SessionState {
        var b = SessionBuilder()
        b.session(DVRK.psms.map { ArmDescriptor(id: $0, kind: .psm, joints: DVRK.psmJoints(7)) }
                  + [ArmDescriptor(id: "ECM", kind: .ecm, joints: DVRK.ecmJoints)])
        for path in ["primary", "backup"] {
            b.linkHistory(path: path, until: 20, seconds: 5) { _ in
                LinkSample(rttMs: 112.4, jitterMs: 3.2, lossPct: 0.12, bandwidthMbps: 95.3, videoFps: 59.9,
                           videoDelayMs: 140)
            }
        }
        return b.state
    }

    static let labels = [" RTT ", " Loss ", " Jitter ", " Video ", " BW ", " VDelay "]

    @Test("in the trainer at 100x30 two paths show every metric or count the ones left out, and scroll to each")
    func trainerLinkCutsNothingSilently() throws {
        let state = Self.twoPaths()
        var context = Fixture.context(mode: .replay, state: state)
        context.now = 1000 + 20.1
        let (b, outcome) = screen(state, context, layout: "trainer", width: 100, height: 30)
        let area = try #require(rect(of: .link, in: outcome))
        func shown(_ b: CellBuffer) -> [String: Set<String>] {
            var out: [String: Set<String>] = [:]
            for line in b.lines(in: area) {
                for path in ["primary", "backup"] where line.contains(path) {
                    out[path, default: []].formUnion(Self.labels.filter { line.contains($0) })
                }
            }
            return out
        }
        let first = shown(b)
        let count = first.values.reduce(0) { $0 + $1.count }
        if count < 12 {
            #expect(Shown.more(in: b.lines(in: area)[0]) == 12 - count, "\(b.lines(in: area))")
        }
        var seen = first
        for offset in 0...(outcome.maxScroll[.link] ?? 0) {
            context.scroll[.link] = offset
            let (b, _) = screen(state, context, layout: "trainer", width: 100, height: 30)
            seen.merge(shown(b)) { $0.union($1) }
        }
        #expect(seen["primary"]?.count == 6 && seen["backup"]?.count == 6, "\(seen)")
    }
}
