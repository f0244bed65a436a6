import SessionCore
import Telemetry
import Testing
@testable import View

/// What the keys that find a moment of a replay draw: the help, the prompt and the history.
@Suite("Replay overlays")
struct ReplayOverlayTests {
    let state = Fixture.realistic()

    @Test("on an 80×24 replay the help lists every key, in words, when a sentence each does not fit")
    func compactHelp() {
        var context = Fixture.context(mode: .replay, state: state)
        context.overlay = .help
        context.extraKeys = [KeyBinding(key: "a", short: "ack", help: "acknowledge", section: "Alarms"),
                             KeyBinding(key: "l", short: "alarm log", help: "the log", section: "Alarms")]
        let (b, _) = screen(state, context, layout: "compact", width: 80, height: 24)
        for key in KeyHelp.bindings(for: .replay, glyphs: .utf8, extra: context.extraKeys) {
            #expect(b.contains(key.footerKey + " " + key.short), "help lists \(key.key)")
        }
        #expect(b.contains("Alarms") && b.contains("Esc or ? closes"))
        let (tall, _) = screen(state, context, layout: "trainer", width: 120, height: 40)
        #expect(tall.contains("next / previous alarm raise"), "a tall terminal has the sentences")
    }

    @Test("the go-to prompt shows the text typed and, after a mistake, the error on its second line")
    func prompt() {
        var prompt = ReplayPrompt(purpose: .goTo)
        for c in "12:7x" { prompt.type(c) }
        prompt.type("\u{1B}")
        prompt.error = "'12:7x' is not a time: type 750, 12:30 or 09:12:30"
        var context = Fixture.context(mode: .replay, state: state)
        context.overlay = .prompt(prompt)
        let (b, _) = screen(state, context, layout: "trainer", width: 120, height: 40)
        #expect(b.contains("Go to"))
        #expect(b.contains("> 12:7x_"), "no escape typed into it")
        #expect(b.contains("is not a time"))
        #expect(b.contains("REPLAY"), "the header stays in view above the prompt")
    }

    @Test("the history lists every marker with its kind, priority, id and text, the selected one in reverse")
    func history() {
        let index = RecordingIndex(status: .running(fraction: 0.5), markers: [
            RecordingMarker(kind: .event, session: 0, t: 50, id: "clutch", text: "Surgeon clutch pressed"),
            RecordingMarker(kind: .alarm(.high, derived: false), session: 0, t: 400, id: "PSM1.COLLISION", text: "collision \u{1B}[2J"),
            RecordingMarker(kind: .bookmark, session: 0, t: 420, id: "bookmark", text: "look here"),
        ])
        var context = Fixture.context(mode: .replay, state: state)
        context.overlay = .history(HistoryBrowser(index: index, session: 0, t: 405, rows: 20))
        let (b, outcome) = screen(state, context, layout: "trainer", width: 120, height: 40)
        #expect(b.contains("History · 3 entries · still reading the recording (50 %)"))
        #expect(b.contains("00:00:50.0  EVENT              clutch  Surgeon clutch pressed"))
        #expect(b.contains("00:06:40.0  ALARM *** robot    PSM1.COLLISION  collision"))
        #expect(!b.contains("[2J"), "escape sequences are not drawn")
        #expect(b.contains("BOOKMARK") && b.contains("look here"))
        #expect(b.style(of: "PSM1.COLLISION")?.attributes.contains(.reverse) == true, "the marker at or before the head is selected")
        #expect((outcome.alarmLogRows ?? 0) > 10, "the console pages by the rows shown")
    }
}
