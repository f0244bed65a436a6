import Foundation
import SessionCore
import Telemetry
import TelemetrySources
import Terminal
import Testing
import View
@testable import Console

/// The replay keys where they met a jump under way, a recording of several sessions, the
/// source's answers, and a large whole-recording index.
@Suite("Replay navigation, console side")
struct ReplayNavigationFixConsoleTests {
    static func model(at t: Double, index: RecordingIndex? = ReplayNavigationTests.index, duration: Double? = 600) -> ConsoleModel {
        var model = ReplayNavigationTests.model(at: t, index: index)
        model.duration = duration
        return model
    }

    @Test(", and . while a jump is under way are refused and said; the jump is carried out")
    func stepDuringAJump() {
        var model = Self.model(at: 100, index: nil, duration: 300)
        let control = PlaybackControl(paused: true)
        model.press(.end, playback: control)
        let jump = control.current.seek
        #expect(jump?.stepBack == 0)
        model.press(.character(","), playback: control)
        #expect(model.note == "a jump is under way: step once it is there")
        #expect(control.current.seek == jump, "the End seek is still the one asked for")
        model.press(.character("."), playback: control)
        #expect(control.current.frameSteps == 0)
        // Once the source has taken it, a step is asked for (the source takes it at the target).
        _ = control.takeSeek()
        model.driver.handle(.seeked(jump?.id ?? 0), arrival: 101)
        model.press(.character(","), playback: control)
        #expect(control.current.seek?.stepBack == 1)
    }

    @Test("← pressed while a jump to the end (its time not yet known) is under way steps back from the head, not from an infinite time")
    func stepBackDuringEnd() {
        var model = Self.model(at: 50, index: nil, duration: 10)
        let control = PlaybackControl()
        model.press(.end, playback: control)
        model.press(.left, playback: control)
        let seek = control.current.seek
        #expect(seek?.target.isFinite == true, "not End again: \(String(describing: seek))")
        #expect(seek?.target == 45)
    }

    @Test("End without the whole-recording pass reads on to the recording's end, in whatever session it lies")
    func endWithoutTheIndex() {
        var model = Self.model(at: 50, index: nil, duration: 10)
        let control = PlaybackControl()
        model.press(.end, playback: control)
        let seek = control.current.seek
        #expect(seek?.target == .infinity && seek?.session == Int.max, "not the last session's end in the first one")
        #expect(model.note == "end of the recording")
        #expect(model.headPosition == model.driver.replayPosition, "a bookmark meanwhile gets a real moment")
        // The source stops at the end: the jump is over.
        model.driver.handle(.seeked(seek?.id ?? 0), arrival: 51)
        model.driver.handle(.state(.ended), arrival: 52)
        model.settleSeek()
        #expect(model.pendingSeek == nil)
    }

    @Test("g checks a time against the session's own end; the last session's end bounds only the last session")
    func goToInAnEarlierSession() {
        // Session A (0–100 s) on screen, the recording's last session B ending at 10 s.
        var b = Self.model(at: 20, index: RecordingIndex(status: .done, sessions: [
            RecordingSessionSpan(id: "A", startedAt: ReplayNavigationTests.nine, start: 0, end: 100),
            RecordingSessionSpan(id: "B", startedAt: ReplayNavigationTests.nine + 3600, start: 0, end: 10),
        ], markers: []), duration: 10)
        #expect(b.target(of: "50") == .success(ReplayPosition(session: 0, t: 50)))
        b.recordingIndex?.status = .running(fraction: 0.5)
        #expect(b.target(of: "50") == .success(ReplayPosition(session: 0, t: 50)), "a pass still reading bounds nothing yet")
        // Two sessions seen by the replay, the head in the first: the last session's end is not its own.
        var seen = Self.model(at: 20, index: nil, duration: 10)
        for frame in [Frame(t: 100, body: .event(EventNote(kind: "note"))),
                      Frame(t: 0, body: .session(SessionInfo(id: "B", startedAt: "2027-01-15T10:00:00Z", arms: []))),
                      Frame(t: 1, body: .event(EventNote(kind: "note")))] {
            seen.driver.handle(.decoded(.frame(frame)), arrival: 2)
        }
        #expect(seen.driver.replayPosition.session == 1)
        guard case .failure(let error) = seen.target(of: "50") else {
            Issue.record("in the last session, duration bounds it")
            return
        }
        #expect(error.description.contains("past the end of the recording"))
        // Back in the first session after the replay has seen the second: not bounded by its end.
        seen.driver.handle(.reset, arrival: 3)
        for frame in [Frame(t: 0, body: .session(SessionInfo(id: "A", startedAt: "2027-01-15T09:00:00Z", arms: []))),
                      Frame(t: 20, body: .event(EventNote(kind: "note")))] {
            seen.driver.handle(.decoded(.frame(frame)), arrival: 4)
        }
        #expect(seen.driver.replayPosition.session == 0)
        #expect(seen.target(of: "50") == .success(ReplayPosition(session: 0, t: 50)))
    }

    @Test("a step the source refuses (at the first frame) is said in the footer")
    func firstFrameNote() {
        var model = Self.model(at: 0)
        let control = PlaybackControl(paused: true)
        control.refuseStep("at the first frame: nothing before it to step back to")
        _ = model.followReplay(now: 1, playback: control)
        #expect(model.note == "at the first frame: nothing before it to step back to")
        _ = model.followReplay(now: 1.1, playback: control)
        #expect(control.takeStepNote() == nil, "said once")
    }

    @Test("the index with bookmarks is merged when either changes, not on every frame")
    func mergedIndexIsCached() {
        let markers = (0..<100_000).map { RecordingMarker(kind: .event, session: 0, t: Double($0) * 0.01, id: "e", text: "") }
        var model = Self.model(at: 10, index: RecordingIndex(status: .done, sessions: [], markers: markers))
        model.bookmarks = [Bookmark(t: 5.005, note: "here", createdAt: "z")]
        #expect(model.indexWithBookmarks?.markers.count == 100_001)
        #expect(model.indexWithBookmarks?.markers[501].kind == .bookmark, "in order among the markers")
        let control = PlaybackControl()
        let started = MonotonicClock.now()
        for k in 0..<200 { _ = model.context(now: Double(k), wallClock: "", playback: control.current) }
        let perFrame = (MonotonicClock.now() - started) / 200
        #expect(perFrame < 0.005, "a frame's context costs \(perFrame * 1000) ms")
        model.bookmarks.append(Bookmark(t: 0, note: "first", createdAt: "z"))
        #expect(model.indexWithBookmarks?.markers.prefix(2).contains { $0.text == "first" } == true, "a new bookmark is merged at once")
        model.recordingIndex = nil
        #expect(model.indexWithBookmarks == nil)
    }

    @Test("a bookmark's write failure still in the footer at quit is kept to be said on stderr")
    func unreadBookmarkFailure() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fix-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/case.ndjson.marks.ndjson", withIntermediateDirectories: true)
        try "{}\n".write(toFile: dir + "/case.ndjson", atomically: true, encoding: .utf8)
        var model = Self.model(at: 30)
        model.loadBookmarks(recording: dir + "/case.ndjson")
        _ = model.handle(.character("m"))
        model.press(.enter, playback: PlaybackControl())
        try await Task.sleep(nanoseconds: 300_000_000)
        _ = model.followReplay(now: 100, playback: nil)
        #expect(model.bookmarkProblemOnScreen?.contains("bookmark not saved") == true)
        _ = model.followReplay(now: 101, playback: nil)  // first drawn
        #expect(model.bookmarkProblemOnScreen != nil)
        _ = model.followReplay(now: 101 + ConsoleModel.noteSeconds + 1, playback: nil)
        #expect(model.bookmarkProblemOnScreen == nil, "read by then: the footer showed it its full time")
    }
}
