import Foundation
import SessionCore
import Telemetry
import TelemetrySources
import Terminal
import Testing
import View
@testable import Console

/// The keys that find a moment of a replay, on a model with a whole-recording index set by hand
/// (the marker pass sets it in the console).
@Suite("Replay navigation keys")
struct ReplayNavigationTests {
    /// 09:00:00 UTC of some day, as Unix seconds.
    static let nine: Double = 1_800_000_000 - 1_800_000_000.truncatingRemainder(dividingBy: 86_400) + 32_400

    /// Two sessions: S0 from 0 to 600 s (started 09:00:00), S1 from 0 to 300 s (started 10:00:00).
    static let index = RecordingIndex(status: .done, sessions: [
        RecordingSessionSpan(id: "A", startedAt: nine, start: 0, end: 600),
        RecordingSessionSpan(id: "B", startedAt: nine + 3600, start: 0, end: 300),
    ], markers: [
        RecordingMarker(kind: .event, session: 0, t: 50, id: "clutch", text: "Surgeon clutch pressed"),
        RecordingMarker(kind: .alarm(.medium, derived: true), session: 0, t: 120, id: "LINK.primary.RTT", text: "round trip 300 ms"),
        RecordingMarker(kind: .event, session: 0, t: 200, id: "camera", text: "Camera panned right"),
        RecordingMarker(kind: .alarm(.high, derived: false), session: 0, t: 400, id: "PSM1.COLLISION", text: "collision with PSM2"),
        RecordingMarker(kind: .session, session: 1, t: 0, id: "B", text: "new session B"),
        RecordingMarker(kind: .alarm(.low, derived: true), session: 1, t: 30, id: "PSM2.wrist_pitch.LIMIT", text: "near its limit"),
    ])

    /// A replay model whose head is at `t` of the first session.
    static func model(at t: Double, index: RecordingIndex? = Self.index) -> ConsoleModel {
        var model = ConsoleModel(mode: .replay, label: "case.ndjson", catalog: LayoutCatalog(userDirectory: nil),
                                 layoutRequest: "technician", duration: 600)
        for frame in [Frame(t: 0, body: .session(SessionInfo(id: "A", startedAt: "2027-01-15T09:00:00Z", arms: []))),
                      Frame(t: t, body: .event(EventNote(kind: "note")))] {
            model.driver.handle(.decoded(.frame(frame)), arrival: frame.t)
        }
        model.recordingIndex = index
        return model
    }

    static func seekTarget(_ commands: [ConsoleCommand]) -> ReplayPosition? {
        guard commands.count == 1, case .seek(let t, let session, _) = commands[0] else { return nil }
        return ReplayPosition(session: session, t: t)
    }

    @Test("n and N jump to the next and previous alarm raise, into the next session too")
    func alarms() {
        var model = Self.model(at: 100)
        #expect(Self.seekTarget(model.handle(.character("n"))) == ReplayPosition(session: 0, t: 120))
        model = Self.model(at: 120.02)  // landed a frame past it
        #expect(Self.seekTarget(model.handle(.character("N"))) == nil, "the one landed on is not the previous one")
        #expect(model.note == "no earlier alarm raise")
        #expect(Self.seekTarget(model.handle(.character("n"))) == ReplayPosition(session: 0, t: 400))
        model = Self.model(at: 500)
        #expect(Self.seekTarget(model.handle(.character("n"))) == ReplayPosition(session: 1, t: 30), "the next session's")
        #expect(Self.seekTarget(model.handle(.character("N"))) == ReplayPosition(session: 0, t: 400))
    }

    @Test("e and E jump to events only; a seek under way is stepped on from")
    func events() {
        var model = Self.model(at: 10)
        let control = PlaybackControl()
        model.press(.character("e"), playback: control)
        #expect(model.pendingSeek?.target == 50)
        model.press(.character("e"), playback: control)
        #expect(model.pendingSeek?.target == 200, "from the seek under way, not from where the head is")
        #expect(Self.seekTarget(model.handle(.character("E"))) == ReplayPosition(session: 0, t: 50))
    }

    @Test("with no marker further on, the footer says so and nothing moves")
    func noneFurther() {
        var model = Self.model(at: 250, index: RecordingIndex(status: .running(fraction: 0.4), markers: Array(Self.index.markers.prefix(3))))
        #expect(model.handle(.character("n")).isEmpty)
        #expect(model.note == "no later alarm raise found yet (reading the recording: 40 %)")
        #expect(model.overlay == nil, "no box hides the screen")
        #expect(model.context(now: 0, wallClock: "", playback: PlaybackControl().current).footerNote == model.note)
        var stdin = Self.model(at: 10, index: nil)
        #expect(stdin.handle(.character("n")).isEmpty)
        #expect(stdin.note?.contains("no whole-recording pass") == true)
    }

    @Test("the footer note goes after a few seconds")
    func noteExpires() {
        var model = Self.model(at: 700)
        _ = model.handle(.character("n"))
        let first = model.followReplay(now: 10, playback: nil)
        #expect(!first)
        #expect(model.note != nil)
        let later = model.followReplay(now: 10 + ConsoleModel.noteSeconds + 0.1, playback: nil)
        #expect(later)
        #expect(model.note == nil)
    }

    @Test("g takes 12:30, 750.5 and the recording's clock; a mistake stays in the prompt")
    func goTo() {
        func go(_ text: String, at t: Double = 10) -> (ConsoleModel, ReplayPosition?) {
            var model = Self.model(at: t)
            _ = model.handle(.character("g"))
            var commands: [ConsoleCommand] = []
            for c in text { commands = model.handle(.character(c)) }
            commands = model.handle(.enter)
            return (model, Self.seekTarget(commands))
        }
        #expect(go("12:30").1 == nil, "750 s is past the 600 s session")
        #expect(go("2:30").1 == ReplayPosition(session: 0, t: 150))
        #expect(go("300.5").1 == ReplayPosition(session: 0, t: 300.5))
        #expect(go("09:05:00").1 == ReplayPosition(session: 0, t: 300))
        #expect(go("10:01:00").1 == ReplayPosition(session: 1, t: 60), "the session whose clock passes it")
        let (model, target) = go("12:3x")
        #expect(target == nil)
        guard case .prompt(let prompt) = model.overlay else {
            Issue.record("the prompt stays open on a mistake")
            return
        }
        #expect(prompt.error?.contains("is not a time") == true)
        let (late, _) = go("11:00")
        if case .prompt(let p) = late.overlay { #expect(p.error?.contains("past the end of the recording (00:10:00)") == true) }
        var escaped = Self.model(at: 10)
        _ = escaped.handle(.character("g"))
        _ = escaped.handle(.character("n"))
        #expect(escaped.handle(.escape).isEmpty)
        #expect(escaped.overlay == nil, "Esc closes it; keys typed in it were text, not jumps")
        #expect(escaped.pendingSeek == nil)
    }

    @Test("[ and ] set the loop's ends at the head, again clears; a start past the end is refused")
    func loop() {
        var model = Self.model(at: 100)
        _ = model.handle(.character("["))
        #expect(model.loopStart == ReplayPosition(session: 0, t: 100))
        model = { var m = Self.model(at: 130); m.loopStart = model.loopStart; return m }()
        _ = model.handle(.character("]"))
        #expect(model.loopEnd == ReplayPosition(session: 0, t: 130))
        let status = model.context(now: 0, wallClock: "", playback: PlaybackControl().current).replay
        #expect(status?.loopStart == 100 && status?.loopEnd == 130)
        _ = model.handle(.character("]"))
        #expect(model.loopEnd == nil, "again clears it")
        var refused = Self.model(at: 90)
        refused.loopEnd = ReplayPosition(session: 0, t: 80)
        _ = refused.handle(.character("["))
        #expect(refused.loopStart == nil)
        #expect(refused.note?.contains("must come before its end") == true)
    }

    @Test("past the loop's end the replay goes back to its start")
    func loopPlays() {
        var model = Self.model(at: 131)
        model.loopStart = ReplayPosition(session: 0, t: 100)
        model.loopEnd = ReplayPosition(session: 0, t: 130)
        let control = PlaybackControl()
        _ = model.followReplay(now: 1, playback: control)
        #expect(model.pendingSeek?.target == 100)
        #expect(control.current.seek?.target == 100)
        var paused = Self.model(at: 131)
        paused.loopStart = model.loopStart
        paused.loopEnd = model.loopEnd
        let pausedControl = PlaybackControl(paused: true)
        _ = paused.followReplay(now: 1, playback: pausedControl)
        #expect(paused.pendingSeek == nil, "paused past B (a step) stays")
    }

    @Test("Home and End move a replay to the recording's start and end; the panels keep PgUp/PgDn")
    func homeEnd() {
        var model = Self.model(at: 100)
        #expect(Self.seekTarget(model.handle(.home)) == ReplayPosition(session: 0, t: 0))
        #expect(Self.seekTarget(model.handle(.end)) == ReplayPosition(session: 1, t: 300), "the last session's end")
        var live = ConsoleModel(mode: .live, label: "x", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: "technician")
        #expect(live.handle(.home).isEmpty, "live: Home still scrolls the focused panel")
    }

    @Test(". and , step one frame while paused; while playing they pause first and say so")
    func frameSteps() {
        var model = Self.model(at: 100)
        let control = PlaybackControl()
        model.press(.character("."), playback: control)
        #expect(control.current.paused)
        #expect(model.note == "paused: press . again to step one frame")
        #expect(control.current.frameSteps == 0)
        model.press(.character("."), playback: control)
        #expect(control.current.frameSteps == 1)
        model.press(.character(","), playback: control)
        #expect(control.current.seek?.stepBack == 1)
        model.press(.character(","), playback: control)
        #expect(control.current.seek?.stepBack == 2, "steps not yet taken add up")
    }

    @Test("m asks for a note and keeps the bookmark beside the recording; standard input cannot")
    func bookmark() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nav-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let recording = dir + "/case.ndjson"
        try "{}\n".write(toFile: recording, atomically: true, encoding: .utf8)
        var model = Self.model(at: 222)
        model.loadBookmarks(recording: recording)
        _ = model.handle(.character("m"))
        for c in "late clutch\u{1B}" { _ = model.handle(.character(c)) }
        model.press(.enter, playback: PlaybackControl())
        #expect(model.bookmarks.map(\.note) == ["late clutch"], "no escape in the note")
        #expect(model.bookmarks.first?.createdAt.hasSuffix("Z") == true)
        #expect(model.indexWithBookmarks?.markers.contains { $0.kind == .bookmark && $0.t == 222 } == true)
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(BookmarkFile.read(recording: recording).bookmarks.map(\.note) == ["late clutch"])
        var stdin = Self.model(at: 10)
        stdin.loadBookmarks(recording: "-")
        _ = stdin.handle(.character("m"))
        #expect(stdin.overlay == nil)
        #expect(stdin.note?.contains("not kept for standard input") == true)
    }

    @Test("h lists every marker, searches with /, and Enter jumps to the selected one and closes")
    func history() {
        var model = Self.model(at: 210)
        _ = model.handle(.character("h"))
        guard case .history(let opened) = model.overlay else {
            Issue.record("h opens the history")
            return
        }
        #expect(opened.markers.count == Self.index.markers.count)
        #expect(opened.selectedMarker?.id == "camera", "opens on the marker at or before the head")
        #expect(opened.list.lines[3].hasPrefix("S1 00:06:40.0  ALARM *** robot    PSM1.COLLISION  collision with PSM2"))
        #expect(opened.list.lines[3].contains("PSM1.COLLISION  collision with PSM2"))
        _ = model.handle(.character("/"))
        for c in "wrist" { _ = model.handle(.character(c)) }
        _ = model.handle(.enter)
        let commands = model.handle(.enter)
        #expect(Self.seekTarget(commands) == ReplayPosition(session: 1, t: 30))
        #expect(model.overlay == nil)
        var again = Self.model(at: 210)
        _ = again.handle(.character("h"))
        _ = again.handle(.up)
        #expect(Self.seekTarget(again.handle(.enter)) == ReplayPosition(session: 0, t: 120))
    }

    @Test("an open history takes what the pass finds meanwhile, its selection kept")
    func historyFollowsThePass() {
        let partial = RecordingIndex(status: .running(fraction: 0.3), sessions: [], markers: Array(Self.index.markers.prefix(2)))
        var model = Self.model(at: 60, index: partial)
        _ = model.handle(.character("h"))
        model.recordingIndex = Self.index
        let changed = model.followReplay(now: 1, playback: nil)
        #expect(changed)
        guard case .history(let history) = model.overlay else { return }
        #expect(history.markers.count == 6)
        #expect(history.selectedMarker?.id == "clutch")
        #expect(history.status == .done)
    }

    @Test("the rate reached is reported only when the replay is late and clearly short of the set speed")
    func honestSpeed() {
        var meter = ReplaySpeedMeter()
        // Keeping up at 4×, in steps of one frame.
        for k in 0...60 { meter.observe(now: Double(k) * 0.05, position: ReplayPosition(session: 0, t: Double(k) * 0.2), speed: 4, playing: true, lateness: 0) }
        #expect(meter.shortfall(of: 4) == nil)
        // Sparse frames (one a second at 1×): the head moves in jumps but keeps up.
        var sparse = ReplaySpeedMeter()
        for k in 0...60 { sparse.observe(now: Double(k) * 0.05, position: ReplayPosition(session: 0, t: (Double(k) * 0.05).rounded(.down)), speed: 1, playing: true, lateness: 0) }
        #expect(sparse.shortfall(of: 1) == nil)
        // At 64× set, 20× reached: the pacer gets later by 1 - 20/64 of every wall second.
        var slow = ReplaySpeedMeter()
        for k in 0...60 {
            slow.observe(now: Double(k) * 0.05, position: ReplayPosition(session: 0, t: Double(k)), speed: 64, playing: true,
                         lateness: 0.6 + Double(k) * 0.05 * (1 - 20.0 / 64))
        }
        #expect(slow.shortfall(of: 64).map { abs($0 - 20) < 0.01 } == true)
        slow.observe(now: 3.1, position: ReplayPosition(session: 0, t: 61), speed: 64, playing: false, lateness: 2)
        #expect(slow.shortfall(of: 64) == nil, "a pause starts the measure afresh")
    }

    @Test("frames every 3 s, or a 30 s hole, on pace are never 'behind'")
    func sparseOnPaceIsNotBehind() {
        // One frame every 3 s at 1×, the console turning 10 times a second: the head stands
        // still for 3 s at a time, the pacer waiting on time.
        var sparse = ReplaySpeedMeter()
        var flagged = 0
        for k in 0...300 {
            let now = Double(k) * 0.1
            sparse.observe(now: now, position: ReplayPosition(session: 0, t: (now / 3).rounded(.down) * 3), speed: 1, playing: true, lateness: 0)
            if sparse.shortfall(of: 1) != nil { flagged += 1 }
        }
        #expect(flagged == 0)
        // 10 Hz with a 30 s hole in the middle.
        var hole = ReplaySpeedMeter()
        flagged = 0
        for k in 0...900 {
            let now = Double(k) * 0.1
            let t = now < 30 || now >= 60 ? now : 30
            hole.observe(now: now, position: ReplayPosition(session: 0, t: t), speed: 1, playing: true, lateness: 0.001)
            if hole.shortfall(of: 1) != nil { flagged += 1 }
        }
        #expect(flagged == 0)
        // Late once by a second, then on pace again at that offset: not falling behind.
        var offset = ReplaySpeedMeter()
        for k in 0...60 { offset.observe(now: Double(k) * 0.05, position: ReplayPosition(session: 0, t: Double(k) * 0.05), speed: 1, playing: true, lateness: 1) }
        #expect(offset.shortfall(of: 1) == nil)
        // A source held up (a backlogged inbox): the head stands still and it grows later.
        var held = ReplaySpeedMeter()
        for k in 0...60 { held.observe(now: Double(k) * 0.05, position: ReplayPosition(session: 0, t: 10), speed: 1, playing: true, lateness: 0.6 + Double(k) * 0.05) }
        #expect(held.shortfall(of: 1) == 0)
    }
}
