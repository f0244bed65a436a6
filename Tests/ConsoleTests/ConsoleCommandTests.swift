import SessionCore
import Telemetry
import TelemetrySources
import Terminal
import Testing
import View
@testable import Console

/// `ConsoleModel.handle` is pure: it changes the console's own state and returns what must
/// happen besides as `ConsoleCommand` values; `perform` carries them out as the loop does.
@Suite("Console keys as commands")
struct ConsoleCommandTests {
    /// A console at session time 100 with two medium device alarms raised.
    func model(_ mode: SessionMode, layout: String = "technician") -> ConsoleModel {
        var model = ConsoleModel(mode: mode, label: "test", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: layout)
        let frames = [
            Frame(t: 98, body: .session(SessionInfo(id: "S", arms: []))),
            Frame(t: 99, body: .alarm(AlarmReport(id: "A.FIRST", state: .raised, priority: .medium, message: "first"))),
            Frame(t: 100, body: .alarm(AlarmReport(id: "B.SECOND", state: .raised, priority: .medium, message: "second"))),
        ]
        for frame in frames { model.driver.step(event: .decoded(.frame(frame)), now: frame.t) }
        return model
    }

    @Test("q quits a replay or demo at once; live asks first, and y confirms")
    func quit() {
        for mode in [SessionMode.replay, .demo] {
            var m = model(mode)
            let commands1 = m.handle(.character("q"))
            #expect(commands1 == [.quit])
            let commands2 = m.handle(.character("Q"))
            #expect(commands2 == [.quit])
        }
        var live = model(.live)
        let commands3 = live.handle(.character("q"))
        #expect(commands3 == [])
        #expect(live.overlay == .confirmQuit)
        let commands4 = live.handle(.character("y"))
        #expect(commands4 == [.quit])
        #expect(live.overlay == nil)
        let commands5 = live.handle(.character("q"))
        #expect(commands5 == [])
        let commands6 = live.handle(.character("n"))
        #expect(commands6 == [], "anything but y stays")
        #expect(live.overlay == nil)
        let commands7 = live.handle(.control(3))
        #expect(commands7 == [.quit], "Ctrl-C quits at once")
    }

    @Test("replay keys: pause, speed and seeks by 5 s from where the replay is")
    func replayKeys() {
        var m = model(.replay)
        let commands8 = m.handle(.character(" "))
        #expect(commands8 == [.togglePause])
        let commands9 = m.handle(.character("+"))
        #expect(commands9 == [.stepSpeed(faster: true)])
        let commands10 = m.handle(.character("="))
        #expect(commands10 == [.stepSpeed(faster: true)])
        let commands11 = m.handle(.character("-"))
        #expect(commands11 == [.stepSpeed(faster: false)])
        let commands12 = m.handle(.left)
        #expect(commands12 == [.seek(to: 95, session: 0, from: nil)])
        let commands13 = m.handle(.right)
        #expect(commands13 == [.seek(to: 105, session: 0, from: nil)])
        #expect(m.pendingSeek == nil, "handle asks for the seek; carrying it out is the loop's")
        // The same keys do nothing in live mode.
        var live = model(.live)
        for key in [Key.character(" "), .character("+"), .character("-"), .left, .right] {
            let commands14 = live.handle(key)
            #expect(commands14 == [], "\(key)")
        }
    }

    @Test("a seek carried out is pending: the next ← steps from its target")
    func seeksAddUp() {
        var m = model(.replay)
        let control = PlaybackControl()
        let first = m.handle(.left)
        for command in first { m.perform(command, playback: control) }
        #expect(m.pendingSeek?.target == 95)
        #expect(control.current.seek?.target == 95)
        let commands15 = m.handle(.left)
        #expect(commands15 == [.seek(to: 90, session: 0, from: nil)])
        // Without replay controls nothing is pending.
        var detached = model(.replay)
        detached.perform(.seek(to: 10, session: 0, from: nil), playback: nil)
        #expect(detached.pendingSeek == nil)
    }

    @Test("a seek resumes from the checkpoint kept at or before its target")
    func seekFromCheckpoint() {
        var m = model(.replay)
        let checkpoint = ReplayCheckpoint(t: 90, position: RecordingPosition(offset: 1234, decoder: FrameDecoder()))
        m.driver.handle(.checkpoint(checkpoint), arrival: 100)
        let commands16 = m.handle(.left)
        #expect(commands16 == [.seek(to: 95, session: 0, from: checkpoint)])
    }

    @Test("alarm keys are commands; the engine changes only when they are carried out, on its clock")
    func alarmKeys() {
        var m = model(.replay)
        let engineNow = m.driver.alarms.now
        let commands17 = m.handle(.character("A"))
        #expect(commands17 == [.acknowledgeAll])
        #expect(!m.driver.alarms.alarms.contains { $0.acknowledged }, "handle acknowledges nothing itself")
        for _ in 0..<10 where m.focus != .alarms { _ = m.handle(.tab) }
        let commands18 = m.handle(.down)
        #expect(commands18 == [])
        let commands19 = m.handle(.character("a"))
        #expect(commands19 == [.acknowledge(alarmID: "B.SECOND")])
        m.perform(.acknowledge(alarmID: "B.SECOND"), playback: nil)
        #expect(m.driver.alarms.alarms.filter(\.acknowledged).map(\.id) == ["B.SECOND"])
        #expect(m.driver.alarms.now == engineNow)

        let commands20 = m.handle(.character("p"))
        #expect(commands20 == [.pauseAudio])
        m.perform(.pauseAudio, playback: nil)
        let settings = AlarmSettings.defaults
        #expect(m.driver.alarms.audioPausedUntil == engineNow + settings.audioPauseSeconds, "paused on the engine's clock")
        let commands21 = m.handle(.character("p"))
        #expect(commands21 == [.resumeAudio])
        m.perform(.resumeAudio, playback: nil)
        #expect(m.driver.alarms.audioPausedUntil == nil)
    }

    @Test("a with no alarm listed asks for nothing")
    func acknowledgeNothing() {
        var m = ConsoleModel(mode: .live, label: "t", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: nil)
        let commands22 = m.handle(.character("a"))
        #expect(commands22 == [])
        let commands23 = m.handle(.character("A"))
        #expect(commands23 == [.acknowledgeAll])
    }

    @Test("l opens the alarm log on every entry, its file named; only Escape or l closes it")
    func alarmLog() {
        var m = model(.live)
        m.alarmLogPath = "/var/log/surgtop/OR3.alarms.log"
        let commands24 = m.handle(.character("l"))
        #expect(commands24 == [.showAlarmLog])
        let lines = (1...400).map { "entry \($0)" }
        m.perform(.showAlarmLog, playback: nil, alarmLog: lines)
        guard case .alarmLog(let log) = m.overlay else {
            Issue.record("no alarm log overlay: \(String(describing: m.overlay))")
            return
        }
        #expect(log.lines == lines, "every entry, not the last 30")
        #expect(log.path == "/var/log/surgtop/OR3.alarms.log")
        #expect(log.bottom == 399, "it opens on the newest")
        for key in [Key.character("q"), .character("x"), .resize, .tab] {
            #expect(m.handle(key) == [], "\(key) does nothing else while the log is open")
            #expect(m.overlay != nil, "\(key) does not close the log")
        }
        #expect(m.handle(.escape) == [])
        #expect(m.overlay == nil)
        m.perform(.showAlarmLog, playback: nil, alarmLog: lines)
        #expect(m.handle(.character("l")) == [])
        #expect(m.overlay == nil, "l closes it too")
    }

    @Test("the alarm log scrolls and searches: / text Enter, n and N; Escape cancels a search being typed")
    func alarmLogScrollAndSearch() {
        var m = model(.live)
        let lines = (1...400).map { k in k % 50 == 0 ? "t=\(k).0  RAISE  ** LINK.primary.RTT  round trip" : "t=\(k).0  ACK  other" }
        m.perform(.showAlarmLog, playback: nil, alarmLog: lines)
        func log() -> AlarmLogBrowser? { if case .alarmLog(let l) = m.overlay { l } else { nil } }
        _ = m.handle(.up)
        _ = m.handle(.character("k"))
        #expect(log()?.bottom == 397)
        _ = m.handle(.home)
        #expect(log()?.top(rows: 1) == 0)
        _ = m.handle(.end)
        #expect(log()?.bottom == 399)
        _ = m.handle(.right)
        #expect(log()?.column == 20, "→ shows more of long entries")
        _ = m.handle(.left)
        _ = m.handle(.left)
        #expect(log()?.column == 0)
        for key in [Key.character("/")] + "link.PRIMARY".map({ Key.character($0) }) + [.enter] { _ = m.handle(key) }
        #expect(log()?.query == "link.PRIMARY")
        #expect(log()?.editing == false)
        #expect(log()?.match == 399, "the first match from the top of the view (one row here): t=400, the newest")
        #expect(log()?.matchPosition?.count == 8)
        #expect(log()?.matchPosition?.index == 8)
        _ = m.handle(.character("n"))
        #expect(log()?.match == 49, "n wraps around to the oldest match")
        _ = m.handle(.character("N"))
        _ = m.handle(.character("N"))
        #expect(log()?.match == 349, "N goes back, wrapping")
        #expect(log()!.top(rows: log()!.rows) <= 349 && log()!.bottom >= 349, "the match is in view")
        _ = m.handle(.character("/"))
        _ = m.handle(.character("z"))
        _ = m.handle(.escape)
        #expect(m.overlay != nil, "Escape ends the search being typed, not the log")
        _ = m.handle(.enter)
        for key in [Key.character("/")] + "nothing like this".map({ Key.character($0) }) + [.enter] { _ = m.handle(key) }
        #expect(log()?.notFound == true)
        #expect(log()?.match == nil)
    }

    @Test("the replay's controls change only through perform")
    func playbackThroughPerform() {
        var m = model(.replay)
        let control = PlaybackControl()
        let before = control.current
        let commands = m.handle(.character(" ")) + m.handle(.character("+"))
        #expect(control.current == before)
        for command in commands { m.perform(command, playback: control) }
        #expect(control.current.paused && control.current.speed == 2)
        let quits = m.press(.character("q"), playback: control)
        #expect(quits, "press carries out and says whether to quit")
    }

    @Test("the frame writes the render-time state only into the state it is given")
    func renderState() {
        var m = model(.replay)
        let frame = m.frame(now: 100, wallClock: "12:00:00", playback: PlaybackControl().current)
        var buffer = CellBuffer(width: 120, height: 40)
        var view = ConsoleViewState()
        view.scroll[.events] = 999
        frame.render(into: &buffer, state: &view)
        #expect(view.shownLayout == "technician")
        #expect(view.maxScroll[.events] != nil)
        #expect(view.scroll[.events] == view.maxScroll[.events], "clamped to what the screen can scroll")
        #expect(m.view == ConsoleViewState(), "the model's own state is untouched")
        // On a small terminal the compact layout is drawn.
        var small = CellBuffer(width: 80, height: 24)
        frame.render(into: &small, state: &m.view)
        #expect(m.shownLayout == "compact")
        #expect(buffer.text.contains("Alarms"))
    }
}
