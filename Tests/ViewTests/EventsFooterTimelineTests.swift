import SessionCore
import Telemetry
import Testing
@testable import View

@Suite struct EventsPanelTests {
    let state = Fixture.realistic()

    @Test(arguments: screenSizes)
    func recentEventsNewestAtTheBottom(size: (width: Int, height: Int, layout: String)) throws {
        let (b, outcome) = screen(state, Fixture.context(state: state), layout: size.layout, width: size.width,
                                  height: size.height)
        let area = try #require(rect(of: .events, in: outcome))
        let lines = b.lines(in: area)
        // The rows that list an event (a taller panel than its events leaves the rest blank).
        let inside = lines.dropFirst().dropLast().filter { $0.hasPrefix("│00:") }
        #expect(lines[0].contains(" Events (4) "))
        #expect(inside.last?.hasPrefix("│00:12:00 instrument_… PSM2 now CADIER") == true, "\(lines)")
        if size.layout == "compact" {
            // 80x24: the alarms, instruments and link share the column; the title counts the older ones.
            #expect(!inside.isEmpty && (Shown.more(in: lines[0]) ?? 0) == 4 - inside.count, "\(lines)")
        } else {
            #expect(inside.first?.hasPrefix("│00:00:12 teleop_enga… Surgeon") == true, "\(lines)")
            #expect(b.style(of: "clutch", in: area)?.fg == .cyan)
        }
    }

    func manyEvents(_ n: Int) -> SessionState {
        var builder = SessionBuilder()
        builder.session()
        for k in 1...n { builder.apply(Double(k), .event(EventNote(kind: "note", text: "event \(k)"))) }
        return builder.state
    }

    @Test func followsTheNewestAndScrollsBack() {
        let state = manyEvents(30)
        let layout = Layout(name: "t", minimum: TerminalSize(width: 1, height: 1), root: .panel(.events))
        var context = Fixture.context()
        var b = CellBuffer(width: 70, height: 7)
        var outcome = ConsoleView.render(state: state, context: context, layout: layout, into: &b)
        #expect(b.lines[1].hasPrefix("│00:00:26.0 note event 26"))
        #expect(b.lines[5].hasPrefix("│00:00:30.0 note event 30"))
        #expect(outcome.maxScroll[.events] == 25)

        context.scroll[.events] = 10
        b = CellBuffer(width: 70, height: 7)
        outcome = ConsoleView.render(state: state, context: context, layout: layout, into: &b)
        #expect(b.lines[5].hasPrefix("│00:00:20.0 note event 20"))
        #expect(b.lines[0].contains("▼ 10 newer") && b.lines[0].contains("+25 more"))

        context.scroll[.events] = 99
        b = CellBuffer(width: 70, height: 7)
        ConsoleView.render(state: state, context: context, layout: layout, into: &b)
        #expect(b.lines[1].hasPrefix("│00:00:01.0 note event 1 "))
    }

    @Test func eventTextIsSanitised() {
        var builder = SessionBuilder()
        builder.session()
        builder.apply(3, .event(EventNote(kind: "no\u{1B}[1mte", text: "moved\u{1B}[10;10H\u{1B}[2Khere\r\n")))
        let b = panel(.events, builder.state, Fixture.context(), width: 70, height: 3)
        #expect(b.lines[1].hasPrefix("│00:00:03.0 note movedhere  "))
    }
}

@Suite struct FooterTests {
    let state = Fixture.realistic()

    @Test func liveKeys() {
        let b = panel(.footer, state, Fixture.context(state: state), width: 120, height: 1)
        #expect(b.lines[0].hasPrefix(" q  quit  ?  help  L  layout  Tab  focus  ↑↓  scroll"))
        #expect(b.lines[0].hasSuffix("layout: test"))
        #expect(!b.contains("space"))
        #expect(b.style(of: " q ")?.attributes.contains(.reverse) == true)
    }

    @Test func replayAddsPlaybackKeys() {
        let b = panel(.footer, state, Fixture.context(mode: .replay, state: state), width: 220, height: 1)
        #expect(b.lines[0].hasPrefix(" q  quit  ?  help  L  layout  Tab  focus  ↑↓  scroll  space  pause  +/-  speed  ←→  ±5 s"
            + "  n/N  alarm  e/E  event  g  go to  ./,  frame  [/]  loop  Home/End  start/end  m  bookmark  h  history"), "\(b.lines[0])")
    }

    @Test("a replay footer at 120 and 80 columns keeps pause, speed, ±5 s, the jump to an alarm and the history; the help has the rest")
    func replayKeysAtNarrowWidths() {
        let wide = panel(.footer, state, Fixture.context(mode: .replay, state: state), width: 120, height: 1).lines[0]
        #expect(wide.hasPrefix("q quit ? all keys L layout Tab focus ↑↓ scroll space pause +/- speed ←→ ±5 s n/N alarm e/E event g go to h history"),
                "\(wide)")
        let narrow = panel(.footer, state, Fixture.context(mode: .replay, unicode: false, state: state), width: 80, height: 1).lines[0]
        #expect(narrow.hasPrefix("q quit ? all keys space pause +/- speed </> +-5 s n/N alarm e/E event h history"), "\(narrow)")
        #expect(!wide.contains("…") && !narrow.contains("..."), "no key is cut in half")
    }

    @Test("a footer note comes first, the keys in what room is left")
    func footerNote() {
        var context = Fixture.context(mode: .replay, state: state)
        context.footerNote = "no later alarm raise"
        let line = panel(.footer, state, context, width: 120, height: 1).lines[0]
        #expect(line.hasPrefix("no later alarm raise  q quit"), "\(line)")
    }

    @Test func aNarrowFooterLeavesOutNavigationBeforeAlarmAndReplayKeysAndSaysHelpHasThemAll() {
        var context = Fixture.context(mode: .replay, state: state)
        context.extraKeys = [
            KeyBinding(key: "a", short: "ack", help: "acknowledge", section: "Alarms"),
            KeyBinding(key: "A", short: "ack all", help: "acknowledge all", section: "Alarms"),
            KeyBinding(key: "p", short: "audio pause", help: "pause audio", section: "Alarms"),
            KeyBinding(key: "l", short: "alarm log", help: "the log", section: "Alarms"),
        ]
        let line = panel(.footer, state, context, width: 80, height: 1).lines[0]
        #expect(line.hasPrefix("q quit ? all keys space pause +/- speed ←→ ±5 s n/N alarm h history a ack"), "\(line)")
        #expect(!line.contains("scroll") && !line.contains("focus"), "navigation goes first")
        #expect(!line.contains("…"), "no key is cut in half")
    }

    @Test func extraKeysJoinTheFooterAndHelp() {
        var context = Fixture.context(state: state)
        context.extraKeys = [KeyBinding(key: "a", short: "ack", help: "acknowledge the selected alarm", section: "Alarms")]
        let b = panel(.footer, state, context, width: 120, height: 1)
        #expect(b.contains(" a  ack"))
    }
}

@Suite struct TimelineTests {
    let state = Fixture.realistic()

    @Test func positionOverDurationWithEventTicks() {
        let b = panel(.timeline, state, Fixture.context(mode: .replay, state: state), width: 120, height: 4)
        #expect(b.lines[1].hasPrefix("│▶ 2× 00:12:34.3 ████"))
        #expect(b.lines[1].hasSuffix(" 00:30:00.0│"))
        // The bar is filled to 754.3 / 1800 of its width.
        let bar = b.find("█")!.x
        let filled = (bar..<b.width).filter { b[$0, 1].character == "█" }.count
        let width = 119 - bar - 11
        #expect(abs(Double(filled) / Double(width) - 754.3 / 1800) < 0.03)
        #expect(b.lines[2].contains("╵") && b.lines[2].contains("▲"))
    }

    @Test func pausedAndUnknownDuration() {
        var context = Fixture.context(mode: .replay, state: state)
        context.replay = ReplayStatus(position: 12.5, duration: nil, speed: 0.5, paused: true)
        let b = panel(.timeline, state, context, width: 80, height: 3)
        #expect(b.lines[1].hasPrefix("│❚❚ PAUSED · 0.5× on resume 00:00:12.5 (duration unknown)"))
        #expect(b.style(of: "❚❚ PAUSED")?.attributes.contains(.reverse) == true)
    }

    @Test func liveHasNoTimeline() {
        let b = panel(.timeline, state, Fixture.context(state: state), width: 80, height: 3)
        #expect(b.lines[1].hasPrefix("│live session: no timeline  t 00:12:34.3"))
    }
}
