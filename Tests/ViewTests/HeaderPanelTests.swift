import Foundation
import SessionCore
import Telemetry
import Testing
@testable import View

@Suite struct HeaderPanelTests {
    let state = Fixture.realistic()

    func header(_ context: ViewContext, width: Int = 120, height: Int = 2, large: Bool = false) -> CellBuffer {
        panel(.header, state, context, width: width, height: height, large: large)
    }

    @Test(arguments: [80, 120])
    func showsSessionSitesClocksSourceAndRate(width: Int) {
        let b = header(Fixture.context(state: state), width: width)
        #expect(b.lines[0].hasPrefix(" ● LIVE  OR3-20261124-01 · Laparoscopic cholecystectomy"))
        #expect(b.lines[0].hasSuffix("t 00:12:34.3  14:03:27"))
        #expect(b.lines[1].hasPrefix("connected to gateway.or3:7000 · 212 frames/s"))
        if width == 120 {
            #expect(b.lines[0].contains("Shanghai → Strasbourg (9,200 km)"))
        } else {
            #expect(b.lines[0].contains("…"))
        }
    }

    @Test func liveReplayAndDemoBadgesLookDifferent() {
        let live = header(Fixture.context(mode: .live, state: state))
        let replay = header(Fixture.context(mode: .replay, state: state))
        let demo = header(Fixture.context(mode: .demo, state: state))
        let liveStyle = live.style(of: "LIVE")!
        let replayStyle = replay.style(of: "REPLAY")!
        let demoStyle = demo.style(of: "DEMO")!
        #expect(liveStyle.fg == .green && liveStyle.attributes.contains(.reverse))
        #expect(replayStyle.fg == .blue && replayStyle.attributes.contains(.reverse))
        #expect(demoStyle.fg == .magenta && demoStyle.attributes.contains(.reverse))
        #expect(Set([liveStyle, replayStyle, demoStyle].map(\.fg)).count == 3)
        #expect(!replay.contains("LIVE") && !demo.contains("LIVE"))
        #expect(demo.lines[0].hasPrefix(" DEMO · SIMULATED "))
        #expect(replay.lines[0].hasPrefix(" REPLAY  ▶ 2× "))
        #expect(replay.lines[1].hasPrefix("playing OR3-20261124-01.ndjson"))
    }

    @Test func monochromeModesDifferByTheirWords() {
        let live = header(Fixture.context(mode: .live, colors: false, state: state))
        let demo = header(Fixture.context(mode: .demo, colors: false, state: state))
        #expect(live.style(of: "LIVE")?.attributes.contains(.reverse) == true)
        #expect(demo.contains("DEMO · SIMULATED"))
        #expect(!live.usesColor && !demo.usesColor)
    }

    @Test func largeHeaderHasAFullWidthModeBand() {
        let b = header(Fixture.context(mode: .demo, state: state), height: 3, large: true)
        #expect(b.lines[0].trimmingCharacters(in: .whitespaces) == "DEMO · SIMULATED DATA · NOT A PATIENT")
        #expect((0..<120).allSatisfy { b[$0, 0].style == Theme.color.mode(.demo) })
        #expect(b.lines[1].hasPrefix(" DEMO · SIMULATED "))
    }

    @Test func pausedReplaySaysSo() {
        var context = Fixture.context(mode: .replay, state: state)
        context.replay?.paused = true
        #expect(header(context).lines[0].hasPrefix(" REPLAY  ❚❚ PAUSED "))
    }

    @Test func sourceStatesInWords() {
        func line(_ source: SourceState, mode: SessionMode = .live) -> String {
            var context = Fixture.context(mode: mode, state: state)
            context.source = source
            return header(context).lines[1]
        }
        #expect(line(.reconnecting(lostAt: Fixture.now - 3.24, attempt: 2, reason: "connection refused"))
            .hasPrefix("reconnecting for 3.2 s (attempt 2): connection refused"))
        #expect(line(.listening(address: "0.0.0.0:7000")).hasPrefix("listening on 0.0.0.0:7000"))
        #expect(line(.connecting(attempt: 3)).hasPrefix("connecting (attempt 3)…"))
        #expect(line(.ended, mode: .replay).hasPrefix("end of recording"))
        #expect(line(.ended).hasPrefix("stream ended"))
        #expect(line(.paused, mode: .replay).hasPrefix("paused"))
        #expect(line(.failed("port 7000 is in use")).hasPrefix("failed: port 7000 is in use"))
    }

    @Test func worstAlarmAndItsCount() {
        let b = header(Fixture.context(state: state))
        #expect(b.lines[1].hasSuffix(" *** 3 ALARMS "))
        #expect(b.style(of: "*** 3 ALARMS")?.fg == .red)
    }

    @Test func liveSourceWithoutDataSaysNoDataForHowLong() {
        let b = header(Fixture.context(now: Fixture.now + 3.2, state: state))
        #expect(b.contains("NO DATA 3.4 s"))
        #expect(b.style(of: "NO DATA")?.attributes.contains(.reverse) == true)
        let replay = header(Fixture.context(mode: .replay, now: Fixture.now + 60, state: state))
        #expect(!replay.contains("NO DATA"))
    }

    @Test func beforeTheSessionFrame() {
        let b = panel(.header, SessionState(), Fixture.context(), width: 80, height: 2)
        #expect(b.lines[0].hasPrefix(" ● LIVE  waiting for the session frame…"))
    }

    @Test func telemetryTextIsSanitised() {
        var builder = SessionBuilder()
        builder.session(id: "OR3\u{1B}[2J\u{1B}]0;owned\u{7}", procedure: "Chole\u{1B}[31mcystectomy\r\n",
                        surgeon: "Shang\u{0}hai")
        let b = panel(.header, builder.state, Fixture.context(), width: 120, height: 2)
        #expect(b.lines[0].hasPrefix(" ● LIVE  OR3 · Cholecystectomy   · Shanghai → Strasbourg"))
        let controls = b.lines.joined().unicodeScalars.filter { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
        #expect(controls.isEmpty, "no C0, DEL or C1 control reaches the screen")
    }
}
