import SessionCore
import Telemetry
import Testing
@testable import View

@Suite struct InstrumentsPanelTests {
    let state = Fixture.realistic()

    @Test(arguments: screenSizes)
    func energyActiveIsUnmistakable(size: (width: Int, height: Int, layout: String)) throws {
        let (b, outcome) = screen(state, Fixture.context(state: state), layout: size.layout, width: size.width,
                                  height: size.height)
        let area = try #require(rect(of: .instruments, in: outcome))
        let lines = b.lines(in: area)
        #expect(lines[0].contains(" ⚡ ENERGY "))
        let at = try #require(b.find("PSM1  ⚡ ENERGY ACTIVE MONOPOLAR", in: area))
        // The whole row, inside the border, is reversed red.
        for x in (area.x + 1)..<(area.maxX - 1) where b[x, at.y] != .continuation {
            #expect(b[x, at.y].style.fg == .red && b[x, at.y].style.attributes.contains(.reverse))
        }
        #expect(b.contains("PSM2  CADIERE_FORC", in: area))
        #expect(b.style(of: "ENGAGED", in: area)?.fg == .green)
    }

    @Test func wideTableHasAnIndicatorColumn() throws {
        let b = panel(.instruments, state, Fixture.context(state: state), width: 90, height: 5)
        #expect(b.lines[1].hasPrefix("│Arm    Tool "))
        #expect(b.lines[1].contains(" State     Uses Energy "))
        #expect(b.lines[2].hasPrefix("│PSM1   LARGE_NEEDLE_DRIVER "))
        #expect(b.lines[2].hasSuffix(" ENGAGED      7 MONOPOLAR ⚡ ENERGY ACTIVE│"))
        #expect(b.style(of: "⚡ ENERGY ACTIVE", in: Rect(x: 0, y: 2, width: 90, height: 1)) == Theme.color.critical)
        // One use left raises no alarm (INSTRUMENT.USES is low at none left): drawn plainly.
        let uses = try #require(b.find("ENGAGED      1 none"))
        #expect(b[uses.x + 13, uses.y].character == "1" && b[uses.x + 13, uses.y].style.fg == .default)
    }

    @Test func asciiSaysEnergyWithExclamationMarks() {
        let b = panel(.instruments, state, Fixture.context(unicode: false, colors: false, state: state), width: 90, height: 5)
        #expect(b.lines[2].contains("MONOPOLAR !! ENERGY !!"))
        #expect(b.style(of: "!! ENERGY !!", in: Rect(x: 0, y: 2, width: 90, height: 1))?.attributes.contains(.reverse) == true)
        #expect(b.isASCII && !b.usesColor)
    }

    @Test func psmWithoutReportAndFaultAndNoTool() {
        var builder = SessionBuilder()
        builder.session()
        builder.apply(1, .instrument(InstrumentSample(arm: "PSM1", tool: InstrumentSample.Tool.none, state: .fault, usesLeft: 0)))
        let b = panel(.instruments, builder.state, Fixture.context(now: builder.lastArrival), width: 60, height: 5)
        #expect(b.lines[2].hasPrefix("│PSM1  (none)"))
        #expect(b.style(of: "FAULT")?.attributes.contains(.reverse) == true)
        // No uses left: INSTRUMENT.USES, low, cyan with its marker.
        #expect(b.style(of: "* 0", in: Rect(x: 0, y: 2, width: 60, height: 1))?.fg == .cyan)
        #expect(b.lines[3].hasPrefix("│PSM2  no report"))
    }

    @Test func toolNamesAreSanitisedAndCut() {
        var builder = SessionBuilder()
        builder.session()
        builder.apply(1, .instrument(InstrumentSample(arm: "PSM1", tool: .model("\u{1B}[5mVERY_LONG_INSTRUMENT_MODEL_NAME_400006"))))
        let b = panel(.instruments, builder.state, Fixture.context(now: builder.lastArrival), width: 40, height: 5)
        #expect(b.lines[2].hasPrefix("│PSM1  VERY_LONG_IN…"))
    }
}

@Suite struct AlarmsPanelTests {
    let state = Fixture.realistic()

    @Test(arguments: screenSizes)
    func sortedByPriorityWithMarkersColoursAndCount(size: (width: Int, height: Int, layout: String)) throws {
        let (b, outcome) = screen(state, Fixture.context(state: state), layout: size.layout, width: size.width,
                                  height: size.height)
        let area = try #require(rect(of: .alarms, in: outcome))
        let lines = b.lines(in: area)
        #expect(lines[0].contains(" Alarms (3) "))
        // The id when the panel has room for it beside the message.
        let ids = area.width >= 56
        #expect(lines[2].hasPrefix("│*** 00:07:00 " + (ids ? "LINK.LOSS        Packet loss" : "Packet loss above 3 %")))
        #expect(lines[3].hasPrefix("│**  00:05:00 " + (ids ? "PSM2.JOINT_LIMIT Joint outer" : "Joint outer_pitch at its")))
        #expect(lines[4].hasPrefix("│*   00:08:20 " + (ids ? "ECM.INSERTION    Endoscope" : "Endoscope insertion near")))
        #expect(b.style(of: "Packet loss", in: area)?.fg == .red)
        #expect(b.style(of: "Joint outer", in: area)?.fg == .yellow)
        #expect(b.style(of: "Endoscope", in: area)?.fg == .cyan)
        // Unacknowledged: the marker is reversed.
        #expect(b.style(of: "***", in: Rect(x: area.x, y: area.y + 2, width: area.width, height: 1))?
            .attributes.contains(.reverse) == true)
    }

    @Test func wideShowsTheIdAndAcknowledgedAndLatched() {
        var context = Fixture.context(state: state)
        context.alarms[0].acknowledged = true
        context.alarms[1].latched = true
        let b = panel(.alarms, state, context, width: 100, height: 7)
        #expect(b.lines[1].hasPrefix("│    Since      Alarm            Message"))
        #expect(b.lines[2].hasPrefix("│*** 00:07:00.5 LINK.LOSS        Packet loss above 3 %"))
        #expect(b.lines[2].hasSuffix("LATCHED│"))
        #expect(b.lines[3].hasPrefix("│**  00:05:00.0 PSM2.JOINT_LIMIT Joint outer_pitch at its limit"))
        #expect(b.lines[3].hasSuffix("ACK    │"))
        // Acknowledged: no longer bold, marker not reversed; the count tags only what is pending.
        #expect(b.style(of: "Joint outer_pitch")?.attributes.contains(.bold) == false)
        #expect(b.lines[0].contains(" *** 1 ") && b.lines[0].contains(" * 1 ") && !b.lines[0].contains(" ** 1 "))
    }

    @Test func highestPriorityFirstThenOldest() {
        let rows = [
            AlarmRow(id: "b", priority: .low, message: "", since: 5),
            AlarmRow(id: "c", priority: .high, message: "", since: 9),
            AlarmRow(id: "a", priority: .high, message: "", since: 2),
            AlarmRow(id: "d", priority: .medium, message: "", since: 1),
        ]
        #expect(rows.sorted(by: AlarmRow.displayOrder).map(\.id) == ["a", "c", "d", "b"])
    }

    @Test func monochromeKeepsTheMarkers() {
        let b = panel(.alarms, state, Fixture.context(colors: false, state: state), width: 70, height: 7)
        #expect(b.lines[2].hasPrefix("│*** 00:07:00.5 LINK.LOSS"))
        #expect(b.style(of: "***", in: Rect(x: 0, y: 2, width: 70, height: 1))?.attributes.contains(.reverse) == true)
        #expect(b.style(of: "LINK.LOSS")?.attributes.contains(.bold) == true)
        #expect(!b.usesColor)
    }

    @Test func noAlarms() {
        let b = panel(.alarms, SessionState(), Fixture.context(), width: 40, height: 5)
        #expect(b.lines[0].contains(" Alarms (0) "))
        #expect(b.contains("No active alarms"))
        #expect(b.style(of: "No active alarms")?.fg == .green)
    }

    @Test func messagesAreSanitised() {
        let context = ViewContext(mode: .live, source: .connected(peer: "x"), now: 0,
                                  alarms: [AlarmRow(id: "X\u{1B}[2J", priority: .high, message: "bad\u{1B}]2;t\u{7}\u{8}news", since: 1)])
        let b = panel(.alarms, SessionState(), context, width: 70, height: 4)
        #expect(b.lines[1].hasPrefix("│*** 00:00:01.0 X"))
        #expect(b.lines[1].contains(" badnews"))
    }

    @Test func scrollsRows() {
        var context = Fixture.context(state: state)
        context.scroll[.alarms] = 1
        var b = CellBuffer(width: 60, height: 4)
        let layout = Layout(name: "t", minimum: TerminalSize(width: 1, height: 1), root: .panel(.alarms))
        let outcome = ConsoleView.render(state: state, context: context, layout: layout, into: &b)
        #expect(outcome.maxScroll[.alarms] == 1)
        #expect(b.lines[1].hasPrefix("│**"))
    }
}
