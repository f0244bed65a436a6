import SessionCore
import Telemetry
import TelemetrySources
import Terminal
import Testing
import View
@testable import Console

/// Keys act as the screen shows (no invisible overlay takes them), a message never hides an
/// overlay someone is using, the alarm log names the file its session goes to, and ← steps back
/// into an earlier session of a replay.
@Suite("Console: overlays, the alarm log's file, stepping back across sessions")
struct OverlayAndSessionStepTests {
    static func model(_ mode: SessionMode) -> ConsoleModel {
        ConsoleModel(mode: mode, label: "t", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: nil)
    }

    static func draw(_ m: inout ConsoleModel, width: Int, height: Int) -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        m.frame(now: 1, wallClock: "12:00:00", playback: nil).render(into: &buffer, state: &m.view)
        return buffer
    }

    // MARK: - item 4

    @Test("on a terminal too small for any layout, l opens nothing and q still quits")
    func tooSmallOpensNoAlarmLog() {
        var m = Self.model(.demo)
        _ = Self.draw(&m, width: 60, height: 20)
        #expect(m.view.tooSmall)
        let quitOnL = m.press(.character("l"), playback: nil, alarmLog: ["entry"])
        #expect(!quitOnL)
        #expect(m.overlay == nil, "it could not be shown")
        let quitOnQ = m.press(.character("q"), playback: nil)
        #expect(quitOnQ, "q quits a demo as the screen says")
    }

    @Test("an alarm log open when the terminal shrinks closes: the next key acts as the small screen shows")
    func shrinkingClosesTheAlarmLog() {
        var m = Self.model(.live)
        _ = Self.draw(&m, width: 120, height: 40)
        m.press(.character("l"), playback: nil, alarmLog: ["entry"])
        guard case .alarmLog = m.overlay else { Issue.record("not open: \(String(describing: m.overlay))"); return }
        let small = Self.draw(&m, width: 60, height: 20)
        #expect(!small.text.contains("Alarm log"))
        let quitOnQ = m.press(.character("q"), playback: nil)
        #expect(!quitOnQ)
        #expect(m.overlay == .confirmQuit, "q asks to quit a live session, drawn even this small")
        let confirm = Self.draw(&m, width: 60, height: 20)
        #expect(confirm.text.contains("Quit"), "\(confirm.text)")
        let quitOnY = m.press(.character("y"), playback: nil)
        #expect(quitOnY)
    }

    // MARK: - item 6

    /// A replay model that has read session 0 from t = 0 to 40 and session 1 (same id, clock
    /// back to 0) up to `reached`.
    static func twoSessions(reached: Double) -> ConsoleModel {
        var m = ConsoleModel(mode: .replay, label: "t", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: "trainer")
        let info = SessionInfo(id: "SEEK", arms: [])
        func frame(_ t: Double, _ body: Frame.Body) -> SourceEvent { .decoded(.frame(Frame(t: t, body: body))) }
        var events = [frame(0, .session(info))]
        for k in 1...40 { events.append(frame(Double(k), .event(EventNote(kind: "note")))) }
        events.append(frame(0, .session(info)))
        for k in stride(from: 1.0, through: reached, by: 1) { events.append(frame(k, .event(EventNote(kind: "note")))) }
        m.driver.handle(events, arrival: 0)
        return m
    }

    @Test("← near the start of a later session steps into the last seconds of the session before it")
    func stepBackIntoTheEarlierSession() {
        var m = Self.twoSessions(reached: 3)
        #expect(m.driver.replayPosition == ReplayPosition(session: 1, t: 3))
        let control = PlaybackControl()
        m.press(.left, playback: control)
        let seek = control.takeSeek()
        #expect(seek?.session == 0 && seek?.target == 35, "\(String(describing: seek))")
        // Pressed again before it got there: on back from where it is going, inside session 0.
        m.press(.left, playback: control)
        let next = control.takeSeek()
        #expect(next?.session == 0 && next?.target == 30, "\(String(describing: next))")
    }

    @Test("← inside a session stays in it; in the first session it stops at its start")
    func stepBackWithinTheSession() {
        var m = Self.twoSessions(reached: 12)
        let control = PlaybackControl()
        m.press(.left, playback: control)
        let seek = control.takeSeek()
        #expect(seek?.session == 1 && seek?.target == 7)

        var first = Self.model(.replay)
        first.driver.handle([.decoded(.frame(Frame(t: 0, body: .session(SessionInfo(id: "A", arms: []))))),
                             .decoded(.frame(Frame(t: 2, body: .event(EventNote(kind: "note")))))], arrival: 0)
        first.press(.left, playback: control)
        let start = control.takeSeek()
        #expect(start?.session == 0 && start?.target == 0)
    }

    // MARK: - item 7

    @Test("after a live new session the open alarm log names the new session's file, and says what it holds")
    func alarmLogFollowsTheNewFile() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        typealias T = SessionIdentityDriverTests
        let recorder = AlarmRecorder(destination: .perSession, environment: ["XDG_STATE_HOME": dir])
        var m = Self.model(.live)
        m.driver.step(events: [.reset, T.session("OR3-A", 0), SessionBoundaryTests.fault(0.1, "PSM2.GRIP", .medium)],
                      now: 1000, recorder: recorder)
        let first = try #require(recorder.path)
        #expect(recorder.pathNote == nil, "the first session's file holds every line shown")
        _ = Self.draw(&m, width: 120, height: 40)
        m.alarmLogPath = recorder.path
        m.press(.character("l"), playback: nil, alarmLog: recorder.recent)

        m.driver.step(events: [T.session("OR3-B", 0), SessionBoundaryTests.fault(0.1, "ECM.LIGHT", .medium)],
                      now: 1010, recorder: recorder)
        let second = try #require(recorder.path)
        #expect(second != first)
        let changed = m.refreshAlarmLog(recorder.recent, dropped: recorder.droppedLines, path: recorder.path,
                                        pathNote: recorder.pathNote)
        #expect(changed)
        guard case .alarmLog(let log) = m.overlay else { Issue.record("closed"); return }
        #expect(log.path == second)
        #expect(log.pathNote == AlarmRecorder.thisSessionNote)
        #expect(log.lines.contains { $0.contains("SESSION  new session OR3-B") }, "the boundary is in the lines shown")
        let title = Self.draw(&m, width: 160, height: 40).text.split(separator: "\n")[1]
        #expect(title.contains("this session's file; earlier sessions above the SESSION line"), "\(title)")
        #expect(title.contains(second.split(separator: "/").last.map(String.init) ?? second), "\(title)")
    }

    @Test("a named alarm log file holds every session: no note")
    func namedFileHasNoNote() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        typealias T = SessionIdentityDriverTests
        let recorder = AlarmRecorder(destination: .file(dir + "/all.log"))
        var driver = SessionDriver(mode: .live)
        driver.step(events: [.reset, T.session("OR3-A", 0), SessionBoundaryTests.fault(0.1, "PSM2.GRIP", .medium)],
                    now: 1000, recorder: recorder)
        driver.step(events: [T.session("OR3-B", 0), SessionBoundaryTests.fault(0.1, "ECM.LIGHT", .medium)],
                    now: 1010, recorder: recorder)
        #expect(recorder.path == dir + "/all.log")
        #expect(recorder.pathNote == nil)
    }

    // MARK: - item 8

    @Test("a recorder problem waits while the quit confirmation is open, then shows; a key that closes it still acknowledges")
    func recorderProblemWaitsForTheOverlay() {
        let clock = FakeClock()
        let inbox = SourceInbox()
        let alarm = SourceEvent.decoded(.frame(Frame(t: 1, body: .alarm(AlarmReport(id: "PSM2.GRIP", state: .raised,
                                                                                   priority: .medium, message: "grip")))))
        let terminal = FakeTerminal(clock: clock, inbox: inbox, script: [
            (0, .events([Feed.connected(), Feed.session()])),
            (0.5, .key(.character("q"))),
            (1, .events([alarm])),
            (3, .key(.character("n"))),
            (5, .key(.character("A"))),
        ])
        let recorder = AlarmRecorder(destination: .file("/nonexistent-surgtop-dir/alarms.log"))
        let model = ConsoleModel(mode: .live, label: "t", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: nil)
        let loop = ConsoleLoop(model: model, terminal: terminal, inbox: inbox, playback: nil, recorder: recorder, quiet: true,
                               clock: { clock.now }, wallClock: { "12:00:00" }, stopRequested: { clock.now >= 7 })
        #expect(loop.run() == .stopped)
        func shown(at t: Double) -> String {
            terminal.presented.last { $0.time <= t }?.buffer.text ?? ""
        }
        #expect(shown(at: 2.9).contains("Quit"), "the quit confirmation stays up while the problem waits")
        #expect(!shown(at: 2.9).contains("nonexistent-surgtop-dir"))
        #expect(shown(at: 4.9).contains("nonexistent-surgtop-dir"), "then the problem is shown")
        #expect(loop.model.overlay == nil, "A closed it")
        #expect(loop.model.driver.alarms.alarms.allSatisfy { $0.acknowledged }, "and acknowledged the alarms")
        #expect(!loop.model.driver.alarms.alarms.isEmpty)
    }

    @Test("a message that comes while another is open is queued, not lost, and not repeated")
    func messagesQueue() {
        var m = Self.model(.live)
        m.overlay = .help
        m.showMessage(title: "Alarm log", lines: ["one"])
        m.showMessage(title: "Alarm log", lines: ["one"])
        m.showMessage(title: "Alarm log", lines: ["two"])
        #expect(m.overlay == .help)
        var shown = m.showQueuedMessage()
        #expect(!shown, "not over the help")
        _ = m.handle(.escape)
        shown = m.showQueuedMessage()
        #expect(shown)
        #expect(m.overlay == .message(title: "Alarm log", lines: ["one"]))
        _ = m.handle(.enter)
        shown = m.showQueuedMessage()
        #expect(shown)
        #expect(m.overlay == .message(title: "Alarm log", lines: ["two"]))
        _ = m.handle(.enter)
        shown = m.showQueuedMessage()
        #expect(!shown)
        #expect(m.overlay == nil)
    }
}
