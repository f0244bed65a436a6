import SessionCore
import Telemetry
import Testing
@testable import View

@Suite struct LinkPanelTests {
    let state = Fixture.realistic()

    @Test(arguments: screenSizes)
    func everyMetricWithValueMarkerAndColour(size: (width: Int, height: Int, layout: String)) throws {
        let (b, outcome) = screen(state, Fixture.withLinkAlarms(Fixture.context(state: state), state), layout: size.layout, width: size.width,
                                  height: size.height)
        let area = try #require(rect(of: .link, in: outcome))
        let lines = b.lines(in: area)
        // The values, under the path's line (which may end with the session's "RTT p99 232 ms").
        let values = Rect(x: area.x, y: area.y + 2, width: area.width, height: area.height - 2)
        #expect(lines[0].contains("Link") && lines[0].contains("1 DOWN"))
        #expect(lines[1].contains("primary  ▲ UP"))
        // RTT 231.5 ms is past 200: medium, yellow, "**". Loss 3.4 % is past 3 %: high, red,
        // "***". Compact, as sparkline rows; technician at 120x40, beside their charts (side by
        // side, narrower), the marker under the value.
        if size.layout == "compact" {
            #expect(lines.contains { $0.contains("RTT        232 ms   **") })
            #expect(lines.contains { $0.contains("Loss      3.40 %    ***") })
        } else {
            let rtt = try #require(b.find("232 ms", in: values))
            #expect(b.lines[rtt.y - 1].contains("│RTT ") && b.lines[rtt.y + 1].contains("**"))
            let loss = try #require(b.find("3.40 %", in: area))
            #expect(b.lines[loss.y - 1].contains("│Loss ") && b.lines[loss.y + 1].contains("***"))
        }
        #expect(b.style(of: "232", in: values)?.fg == .yellow)
        #expect(b.style(of: "3.40", in: area)?.fg == .red)
        // Video 22 fps is under 24: the video alarm's medium, yellow, "**" (technician at 120x40);
        // compact at 80x24 the panel is too short for it and its title counts it among the rows
        // ↑↓ bring in.
        if size.layout == "compact" {
            #expect(!lines.contains { $0.contains("Video") })
            #expect(Shown.more(in: lines[0]) ?? 0 > 0, "\(lines[0])")
        } else {
            #expect(lines.contains { $0.contains("Video     22.0 fps  **  ") })
            #expect(b.style(of: "22.0", in: area)?.fg == .yellow)
        }
        // The sparkline's last bars (the last second's spike) are red, earlier healthy bars green
        // (LinkChartsTests has the charts').
        guard size.layout == "compact" else { return }
        let loss = try #require(b.find("Loss      3.40", in: area))
        var end = loss.x + 1
        while b[end, loss.y].character != "│" { end += 1 }
        let lastBar = b[end - 1, loss.y]
        #expect(lastBar.character == "█" && lastBar.style.fg == .red)
        #expect(b[end - 2, loss.y].style.fg == .red)
        #expect((loss.x..<end - 10).contains { b[$0, loss.y].character != " " && b[$0, loss.y].style.fg == .green })
    }

    @Test func primaryAndBackupSideBySideWhenThereIsRoom() throws {
        let (b, outcome) = screen(state, Fixture.context(state: state), layout: "technician", width: 120, height: 40)
        let area = try #require(rect(of: .link, in: outcome))
        let primary = try #require(b.find("primary", in: area))
        let backup = try #require(b.find("backup", in: area))
        #expect(primary.y == backup.y)
        // The backup path is down: its last values are not current, so they are not shown as
        // numbers beside its charts, only as dashes with their age (LinkDownValuesTests has the rest).
        let side = Rect(x: backup.x, y: backup.y + 1, width: LinkPanel.sideWidth - 1, height: 3)
        let values = b.lines(in: side)
        #expect(values[0].hasPrefix("RTT") && values[1].contains("— ms") && values[2].contains(" ago"))
        #expect(!values.joined().contains("150"))
        #expect(b.contains("Bandwidth", in: area) == false)   // short labels in a 34-column block
        #expect(b.contains("BW        48.0 Mb/s", in: area))
    }

    @Test func stackedWithFewerMetricsWhenNarrowAndShort() throws {
        let (b, outcome) = screen(state, Fixture.context(state: state), layout: "compact", width: 80, height: 24)
        let area = try #require(rect(of: .link, in: outcome))
        let primary = try #require(b.find("primary", in: area))
        let backup = try #require(b.find("backup", in: area))
        #expect(backup.y > primary.y)
        // The most important metrics stay: RTT, loss, jitter (the backup's, down, as dashes).
        #expect(b.contains("RTT        232 ms", in: area))
        #expect(b.contains("RTT          — ms", in: area))
        #expect(b.contains("Loss         — %", in: area))
        #expect(!b.contains("VDelay", in: area))
    }

    @Test func aDownPathIsUnmistakable() throws {
        let b = panel(.link, state, Fixture.context(state: state), width: 60, height: 18)
        let at = try #require(b.find("backup  ▼ DOWN for 13 s"))
        // The whole row is a reversed band in its alarm's colour: yellow, LINK.backup.DOWN is
        // medium while the primary carries the session (LinkDownColourTests has the high case).
        for x in 1..<59 {
            #expect(b[x, at.y].style.fg == .yellow && b[x, at.y].style.attributes.contains(.reverse))
        }
        #expect(b.lines[0].contains(" 1 DOWN "))
        // Its last values are not shown as numbers: they are not current; a dimmed dash stands for each.
        #expect(!b.contains("150", in: Rect(x: 0, y: at.y, width: 60, height: 8)))
        #expect(b.style(of: "—", in: Rect(x: 0, y: at.y, width: 60, height: 8))?.attributes.contains(.dim) == true)
    }

    @Test func downIsMarkedInMonochromeAndASCIIToo() {
        let b = panel(.link, state, Fixture.withLinkAlarms(Fixture.context(unicode: false, colors: false, state: state), state),
                      width: 80, height: 18)
        #expect(b.contains("!! backup  v DOWN for 13 s !!"))
        #expect(b.style(of: "!! backup")?.attributes.contains(.reverse) == true)
        #expect(b.contains("3.40 %") && b.contains("***"))
        #expect(!b.usesColor)
        #expect(b.isASCII)
    }

    @Test func staleWhenALiveSourceStopsSending() {
        // Primary's last frame arrived at `now - 0.2`; 3.2 s later it is 3.4 s old.
        let later = panel(.link, state, Fixture.context(now: Fixture.now + 3.2, state: state), width: 80, height: 18)
        #expect(later.lines[0].contains(" STALE 3.4 s "))
        #expect(later.style(of: "STALE 3.4 s")?.attributes.contains(.reverse) == true)
        #expect(later.contains("primary  ▲ UP") && later.contains("STALE 3.4 s", in: Rect(x: 0, y: 1, width: 80, height: 1)))
        let fresh = panel(.link, state, Fixture.context(state: state), width: 80, height: 18)
        #expect(!fresh.lines[0].contains("STALE"))
    }

    @Test(arguments: [SessionMode.replay, .demo])
    func neverStaleWhenNotLive(mode: SessionMode) {
        var context = Fixture.context(mode: mode, now: Fixture.now + 600, state: state)
        context.source = .ended
        let b = panel(.link, state, context, width: 80, height: 18)
        #expect(!b.contains("STALE"))
    }

    @Test func monochromeStaleIsBracketed() {
        let b = panel(.link, state, Fixture.context(now: Fixture.now + 3.2, colors: false, state: state), width: 80, height: 18)
        #expect(b.lines[0].contains("[STALE 3.4 s]"))
    }

    @Test func oneLinePerPathWhenVeryShort() {
        let b = panel(.link, state, Fixture.withLinkAlarms(Fixture.context(state: state), state), width: 60, height: 4)
        // What does not fit whole is left out and counted (video, bandwidth, video delay), never cut.
        #expect(b.lines[1].hasPrefix("│primary ▲ RTT 232ms** Loss 3.40%*** Jitter 4.2ms "))
        #expect(b.lines[0].contains(" +3 more "), "\(b.lines[0])")
        #expect(b.lines[2].hasPrefix("│backup ▼ DOWN"))
    }

    @Test func waitingBeforeAnyLinkFrame() {
        let b = panel(.link, SessionState(), Fixture.context(), width: 40, height: 5)
        #expect(b.contains("waiting for link data"))
    }

    @Test func largeDigitsForTheDemo() throws {
        let b = panel(.link, state, Fixture.withLinkAlarms(Fixture.context(mode: .demo, state: state), state), width: 120,
                      height: 20, large: true)
        let area = b.area
        #expect(b.contains("RTT (ms)", in: area) && b.contains("Loss (%)", in: area) && b.contains("Video ", in: area))
        // 232 in half-block digits, three rows tall.
        let at = try #require(b.find("▀▀█ ▀▀█ ▀▀█", in: area))
        #expect(b.lines(in: Rect(x: at.x, y: at.y + 1, width: 11, height: 2)) == ["█▀▀  ▀█ █▀▀", "▀▀▀ ▀▀▀ ▀▀▀"])
        #expect(b[at.x, at.y].style.fg == .yellow)
    }

    @Test func largeFallsBackToRowsWhenThereIsNoRoom() {
        let b = panel(.link, state, Fixture.context(state: state), width: 50, height: 10, large: true)
        #expect(b.contains("232 ms") && !b.contains("▀▀█"))
    }
}
