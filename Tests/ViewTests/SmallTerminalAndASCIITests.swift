import SessionCore
import Telemetry
import Testing
@testable import View

/// A terminal below 80×24 still shows the state and the highest alarm; an ASCII terminal shows
/// every text in ASCII spellings ("≥" as ">=") instead of curses' "?".
@Suite("Small terminals and ASCII text")
struct SmallTerminalAndASCIITests {
    static let rtt = AlarmRow(id: "LINK.primary.RTT", priority: .medium, message: "primary round trip 245 ms ≥ 200 ms", since: 700)
    static let limit = AlarmRow(id: "PSM2.outer_pitch.LIMIT", priority: .high, message: "PSM2 outer_pitch 53.0° at its limit",
                                since: 720)
    static let gaps = AlarmRow(id: "TELEMETRY.SEQ_GAPS", priority: .low, message: "3 sequence gaps within 10 s (≥ 3)", since: 710)

    func tooSmall(width: Int, height: Int, alarms: [AlarmRow], unicode: Bool = true, mode: SessionMode = .live) -> CellBuffer {
        var context = Fixture.context(mode: mode, unicode: unicode)
        context.alarms = alarms
        var buffer = CellBuffer(width: width, height: height)
        let choice = LayoutChoice.resolve(requested: Fixture.layout("technician"), size: TerminalSize(width: width, height: height),
                                          catalog: LayoutCatalog(userDirectory: nil))
        #expect(choice.layout == nil, "\(width)x\(height) is below every layout")
        ConsoleView.render(state: Fixture.realistic(), context: context, choice: choice, into: &buffer)
        return buffer
    }

    @Test("below 80×24 the top line has the mode, state, clock and the highest alarm with its marker, above the size needed")
    func statusLineAboveSizeMessage() {
        let buffer = tooSmall(width: 120, height: 20, alarms: [Self.rtt, Self.gaps, Self.limit])
        let top = buffer.lines[0]
        #expect(top.hasPrefix("LIVE connected t 00:12:34.3"), "\(top)")
        // The high alarm is the highest, though raised last; two more are listed.
        #expect(top.contains("*** PSM2.outer_pitch.LIMIT (+2)"), "\(top)")
        #expect(buffer.style(of: "***") == Fixture.context().theme.alarmMarker(.high, acknowledged: false),
                "the alarm list's marker style")
        let below = buffer.lines.dropFirst().joined(separator: "\n")
        #expect(below.contains("terminal too small: need at least 80×24, have 120×20"), "\(below)")
        #expect(!below.contains("***"))
    }

    @Test("on a narrow terminal the alarm's marker and id come first, so no alarm is ever hidden")
    func narrowPutsAlarmFirst() {
        for width in [20, 30, 50] {
            let buffer = tooSmall(width: width, height: 6, alarms: [Self.rtt])
            #expect(buffer.lines[0].hasPrefix("** LINK.primary.RTT"), "at \(width) columns: \(buffer.lines[0])")
        }
        // One row: the status line alone.
        let one = tooSmall(width: 40, height: 1, alarms: [Self.limit])
        #expect(one.lines[0].hasPrefix("*** PSM2.outer_pitch.LIMIT  LIVE"), "\(one.lines[0])")
    }

    @Test("with no alarm the small screen says so, and shows the replay's position and a demo's mode")
    func noAlarms() {
        let replay = tooSmall(width: 60, height: 10, alarms: [], mode: .replay)
        #expect(replay.lines[0].hasPrefix("REPLAY playing t 00:12:34.3  no alarms"), "\(replay.lines[0])")
        let demo = tooSmall(width: 60, height: 10, alarms: [], unicode: false, mode: .demo)
        #expect(demo.lines[0].hasPrefix("DEMO simulating t"), "\(demo.lines[0])")
        #expect(demo.text.contains("need at least 80x24"))
    }

    @Test("in ASCII the alarms panel and the small-terminal line spell ≥ as >= and ° as deg")
    func asciiAlarmText() {
        var context = Fixture.context(unicode: false)
        context.alarms = [Self.rtt, Self.limit]
        let list = panel(.alarms, Fixture.realistic(), context, width: 100, height: 6)
        #expect(list.text.contains("245 ms >= 200 ms"), "\(list.text)")
        #expect(list.text.contains("53.0deg at its limit"), "\(list.text)")
        #expect(list.isASCII, "nothing is left for curses to turn into ?:\n\(list.text)")
        let small = tooSmall(width: 100, height: 10, alarms: [Self.rtt], unicode: false)
        #expect(small.lines[0].contains(">= 200 ms"), "\(small.lines[0])")
        #expect(small.isASCII)
    }

    @Test("in ASCII the alarm log overlay and the header's wire text are ASCII too; in UTF-8 nothing changes")
    func asciiOverlayAndHeader() {
        var state = SessionBuilder()
        state.session(surgeon: "Zürich", patient: "Besançon – Bloc 3")
        var context = Fixture.context(unicode: false)
        context.overlay = .message(title: "Alarm log", lines: ["2026-11-25T09:31:02Z  t=123.4  RAISE  ** LINK.primary.RTT  primary round trip 245 ms ≥ 200 ms"])
        let (ascii, _) = screen(state.state, context, layout: "technician", width: 160, height: 40)
        #expect(ascii.text.contains("245 ms >= 200 ms"), "\(ascii.text)")
        #expect(ascii.text.contains("Zurich -> Besancon - Bloc 3"), "\(ascii.text)")
        #expect(ascii.isASCII)
        context = Fixture.context(unicode: true)
        context.overlay = .message(title: "Alarm log", lines: ["primary round trip 245 ms ≥ 200 ms"])
        let (utf8, _) = screen(state.state, context, layout: "technician", width: 160, height: 40)
        #expect(utf8.text.contains("245 ms ≥ 200 ms") && utf8.text.contains("Zürich → Besançon – Bloc 3"), "\(utf8.text)")
    }
}
