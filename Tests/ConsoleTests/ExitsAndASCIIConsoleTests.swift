import SessionCore
import SystemCalls
import Telemetry
import TelemetrySources
import Terminal
import Testing
import View
@testable import Console

/// Keys the footer offers all work (ASCII's `<`/`>` included), the alarm log follows the
/// locale and the user's path, and a replay with nothing to replay is a failure.
@Suite("Console: ASCII keys, alarm log rules, empty replays")
struct ExitsAndASCIIConsoleTests {
    /// A replay at session time 100 with one medium alarm listed.
    func replayModel() -> ConsoleModel {
        var model = ConsoleModel(mode: .replay, label: "test", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: "trainer")
        for frame in [Frame(t: 99, body: .session(SessionInfo(id: "S", arms: []))),
                      Frame(t: 100, body: .alarm(AlarmReport(id: "A.ONE", state: .raised, priority: .medium, message: "one")))] {
            model.driver.step(event: .decoded(.frame(frame)), now: frame.t)
        }
        return model
    }

    /// The keys a footer key cap stands for ("j/k", "</>", "↑↓", "space").
    func keys(ofCap cap: String) -> [Key] {
        switch cap {
        case "space": return [.character(" ")]
        case "Tab": return [.tab]
        case "↑↓": return [.up, .down]
        case "←→": return [.left, .right]
        case "Home/End": return [.home, .end]
        default: return cap.split(separator: "/").map { .character(Character(String($0))) }
        }
    }

    @Test("every key the replay footer offers does something, in ASCII (where ←→ is </>) and in UTF-8")
    func everyFooterKeyWorks() {
        for glyphs in [Glyphs.ascii, .utf8] {
            let footer = KeyHelp.bindings(for: .replay, glyphs: glyphs, extra: ConsoleModel.alarmKeys(audioPause: 120))
            let caps = footer.map(\.footerKey)
            #expect(caps.contains(glyphs.unicode ? "←→" : "</>"))
            for cap in caps {
                for key in keys(ofCap: cap) {
                    var model = replayModel()
                    // A footer note answering the key counts: "no later alarm raise" is an answer.
                    let before = (model.overlay, model.focus, model.layout.name, model.view.scroll, model.note)
                    let commands = model.handle(key)
                    let changed = before != (model.overlay, model.focus, model.layout.name, model.view.scroll, model.note)
                    #expect(!commands.isEmpty || changed, "footer key \(cap) (\(key)) does nothing")
                }
            }
        }
    }

    @Test("< and > step a replay back and forward 5 s, as ← and → do; elsewhere they do nothing")
    func angleBracketsSeek() {
        var model = replayModel()
        #expect(model.handle(.character("<")) == [.seek(to: 95, session: 0, from: nil)])
        #expect(model.handle(.character(">")) == [.seek(to: 105, session: 0, from: nil)])
        var live = ConsoleModel(mode: .live, label: "test", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: nil)
        #expect(live.handle(.character("<")).isEmpty && live.handle(.character(">")).isEmpty)
    }

    @Test("on an ASCII terminal the loop carries out < and > as seeks of the replay, and the footer offers </>")
    func asciiLoopSeeks() {
        let clock = FakeClock()
        let inbox = SourceInbox()
        let terminal = FakeTerminal(clock: clock, inbox: inbox, script: [
            (0.1, .events([.state(.connected(peer: "test")), .decoded(.frame(Frame(t: 0, body: .session(SessionInfo(id: "S", arms: []))))),
                           .decoded(.frame(Frame(t: 60, body: .event(EventNote(kind: "note")))))])),
            (0.5, .key(.character("<"))),
            (0.6, .key(.character("<"))),
            (0.7, .key(.character(">"))),
        ])
        terminal.capabilities = TerminalCapabilities(colors: false, unicode: false)
        let control = PlaybackControl()
        let model = ConsoleModel(mode: .replay, label: "test", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: nil)
        let loop = ConsoleLoop(model: model, terminal: terminal, inbox: inbox, playback: control, clock: { clock.now },
                               wallClock: { "12:00:00" }, stopRequested: { clock.now >= 1 })
        _ = loop.run()
        // Keys pressed while a seek is under way add up: 60 - 5 - 5 + 5.
        #expect(control.current.seek?.target == 55)
        #expect(control.current.seeks == 3)
        let screen = terminal.presented.last?.buffer
        #expect(screen?.text.contains("</>") == true, "\(screen?.text ?? "")")
        #expect(screen?.cells.allSatisfy { $0.character.isASCII } == true)
    }

    @Test("the alarm log file is always UTF-8, whatever the locale: ≥ stays ≥")
    func alarmLogIsUTF8() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        let entry = AlarmLogEntry(time: 123.4, action: .raise, id: "PSM2.outer_pitch.LIMIT", origin: .derived, priority: .medium,
                                  message: "PSM2 outer_pitch 53.0° ≥ limit – 0.5 %")
        let recorder = AlarmRecorder(destination: .file(dir + "/utf8.log"))
        try recorder.openNow(note: "start")
        let log = try AlarmLogFile(path: dir + "/utf8.log")
        try log.write(entry, wallTime: 1_795_599_062)
        #expect(readFile(dir + "/utf8.log")?.hasSuffix(
            "2026-11-25T09:31:02Z  t=123.4  RAISE  ** PSM2.outer_pitch.LIMIT  PSM2 outer_pitch 53.0° ≥ limit – 0.5 %\n") == true,
            "\(readFile(dir + "/utf8.log") ?? "")")
    }

    @Test("the alarm log overlay (l) is spelled in ASCII on an ASCII terminal, though the file is UTF-8")
    func alarmLogOverlayASCII() {
        var model = replayModel()
        model.capabilities = (unicode: false, colors: false)
        let line = "2026-11-25T09:31:02Z  t=100.0  RAISE  ** A.ONE  primary round trip 245 ms ≥ 200 ms"
        model.press(.character("l"), playback: nil, alarmLog: [line])
        var buffer = CellBuffer(width: 140, height: 30)
        model.frame(now: 100, wallClock: "12:00:00", playback: nil).render(into: &buffer, state: &model.view)
        #expect(buffer.cells.allSatisfy { $0.character.isASCII }, "\(buffer.text)")
        #expect(buffer.text.contains("245 ms >= 200 ms"), "\(buffer.text)")
        #expect(buffer.text.contains("A.ONE"), "the overlay shows the entry: \(buffer.text)")
    }

    @Test("--alarm-log in a directory that does not exist is an error, and no directory is created")
    func userPathDirectoryMustExist() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        let recorder = AlarmRecorder(destination: .file(dir + "/typo/alarms.log"))
        #expect(throws: AlarmLogFileError(path: dir + "/typo/alarms.log", problem: "the directory \(dir)/typo does not exist")) {
            try recorder.openNow(note: "start")
        }
        #expect(!SystemCalls.exists(dir + "/typo"))
        writeFile(dir + "/plain", "x")
        #expect(throws: AlarmLogFileError(path: dir + "/plain/alarms.log", problem: "\(dir)/plain is not a directory")) {
            try AlarmRecorder(destination: .file(dir + "/plain/alarms.log")).openNow(note: "start")
        }
        // An existing directory is fine.
        try AlarmRecorder(destination: .file(dir + "/alarms.log")).openNow(note: "start")
        #expect(readFile(dir + "/alarms.log")?.contains("OPEN  start") == true)
    }

    @Test("a replay that ends without a session frame fails with one sentence; with one it succeeds")
    func replayWithoutSessionFrame() {
        let bad: [SourceEvent] = [.state(.connected(peer: "case.ndjson")),
                                  .decoded(.error(DecodeError(line: 1, kind: .syntax, reason: "invalid JSON"))), .state(.ended)]
        let errors = Lines()
        let runner = HeadlessRunner(source: ScriptedSource(events: bad), write: { _ in }, writeError: errors.append,
                                    writeLog: { _ in }, stopRequested: { false })
        #expect(runner.run() == 1)
        #expect(errors.all == ["surgtop: scripted: no session frame (1 bad line), so there was nothing to replay"])

        let good: [SourceEvent] = [.state(.connected(peer: "case.ndjson")),
                                   .decoded(.frame(Frame(t: 0, body: .session(SessionInfo(id: "S", arms: []))))), .state(.ended)]
        let fine = HeadlessRunner(source: ScriptedSource(events: good), write: { _ in }, writeError: errors.append,
                                  writeLog: { _ in }, stopRequested: { false })
        #expect(fine.run() == 0)
        // A live stream that ends early is not a replay's failure.
        let live = HeadlessRunner(source: ScriptedSource(mode: .live, events: [.state(.ended)]), write: { _ in },
                                  writeError: errors.append, writeLog: { _ in }, stopRequested: { false })
        #expect(live.run() == 0)
        #expect(errors.all.count == 1)
    }
}
