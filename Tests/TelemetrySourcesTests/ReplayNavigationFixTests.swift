import Foundation
import SessionCore
import Synchronization
import Telemetry
import Testing
@testable import TelemetrySources

/// The replay's navigation where it met other work: steps against jumps, the first frame, holes
/// after a step, how late the pacer is, `--from` in a recording of several sessions, and
/// bookmarks still being written at quit.
@Suite("Replay navigation, source side", .serialized)
struct ReplayNavigationFixTests {
    typealias Frames = FrameStepTests.Frames

    /// Arm lines of PSM1 at `times`, after a session frame of `id` at the first of them.
    static func lines(_ id: String, times: [Double]) -> [String] {
        let encoder = FrameEncoder()
        return [TCPTest.session(id, arms: ["PSM1"], t: times.first ?? 0)]
            + times.map { encoder.encode(Frame(t: $0, body: .arm(ArmSample(arm: "PSM1", position: [$0])))) }
    }

    static func tenHertz(from start: Double, to end: Double) -> [Double] {
        (Int(start * 10)...Int(end * 10)).map { Double($0) / 10 }
    }

    func settle() async { try? await Task.sleep(nanoseconds: 300_000_000) }

    // MARK: - Steps and jumps (finding 1)

    @Test("a step back asked for before the source takes a jump never replaces the jump")
    func stepKeepsAPendingJump() {
        let control = PlaybackControl(paused: true)
        let jump = control.seek(to: 300, session: 1)
        #expect(control.stepFrameBack(from: nil) == jump, "the jump's number: the step is dropped")
        let pending = control.takeSeek()
        #expect(pending?.target == 300 && pending?.session == 1 && pending?.stepBack == 0)
        // Steps still add up with each other.
        control.stepFrameBack(from: nil)
        control.stepFrameBack(from: nil)
        #expect(control.takeSeek()?.stepBack == 2)
    }

    @Test("a step back that reaches the source on the way to a jump's target is taken there, not in place of it")
    func stepDuringAFastForward() async throws {
        let path = try FileSourceTests.write(FrameStepTests.recording(seconds: 30), name: "ff.ndjson")
        let control = PlaybackControl(speed: 1, paused: true)
        // Holds the reader up on the way, as a full inbox does, so the step lands mid-way.
        let held = Atomic<Bool>(false)
        let source = FileSource(path: path, paced: true, from: 2, control: control,
                                backlog: { held.load(ordering: .relaxed) ? 100_000 : 0 })
        defer { source.stop() }
        let frames = Frames()
        source.start(sink: frames.sink)
        try await TCPTest.eventually("paused at --from") { frames.sinceRestart.last == "1.9 PSM2" }
        held.store(true, ordering: .relaxed)
        let jump = control.seek(to: 20)
        try await TCPTest.eventually("the jump taken") { frames.seeked.contains(jump) }
        await settle()
        let step = control.stepFrameBack(from: nil)
        #expect(step != jump, "the jump was taken: the step is a request of its own")
        held.store(false, ordering: .relaxed)
        try await TCPTest.eventually("one frame back from the jump's target") {
            frames.seeked.contains(step) && frames.sinceRestart.last == "19.9 PSM1"
        }
        await settle()
        #expect(frames.sinceRestart.last == "19.9 PSM1", "still paused there")
    }

    // MARK: - The first frame (finding 4)

    @Test(", at the recording's first frame stays there and says so; the screen keeps that frame")
    func backAtTheFirstFrame() async throws {
        let path = try FileSourceTests.write(FrameStepTests.recording(seconds: 3), name: "first.ndjson")
        let control = PlaybackControl(speed: 1, paused: true)
        let source = FileSource(path: path, paced: true, control: control)
        defer { source.stop() }
        let frames = Frames()
        source.start(sink: frames.sink)
        try await TCPTest.eventually("paused at the first frame") { frames.events.withLock { $0.contains { if case .state(.paused) = $0 { true } else { false } } } }
        control.stepFrameForward()
        control.stepFrameForward()
        try await TCPTest.eventually("two frames through") { frames.sinceRestart == ["0.0 PSM1"] }
        for _ in 0..<3 {
            let id = control.stepFrameBack(from: nil)
            try await TCPTest.eventually("the step answered") { frames.seeked.contains(id) }
            await settle()
        }
        let decoded = frames.events.withLock { all in
            let start = all.lastIndex { if case .reset = $0 { true } else { false } } ?? -1
            return all[(start + 1)...].filter { if case .decoded(.frame) = $0 { true } else { false } }.count
        }
        #expect(decoded >= 1, "the first frame (the session frame) is still shown after the last reset")
        #expect(control.takeStepNote()?.contains("at the first frame") == true)
        control.stepFrameForward()
        try await TCPTest.eventually("forward again from there") { frames.sinceRestart == ["0.0 PSM1"] }
    }

    @Test("the frames a step back can reach never include the recording's first frame")
    func firstFrameFloor() {
        var steps = FrameSteps()
        steps.firstFrameEnd = 100
        steps.delivered(frameEndingAt: 100)
        #expect(steps.stop(goingBack: 1) == nil)
        #expect(steps.atFirstFrame)
        steps.delivered(frameEndingAt: 200)
        steps.delivered(frameEndingAt: 300)
        #expect(steps.stop(goingBack: 1) == 300)
        #expect(steps.stop(goingBack: 5) == 200, "no further back than the frame after the first")
        #expect(!steps.atFirstFrame)
        var fromCheckpoint = FrameSteps()
        fromCheckpoint.restart(after: 500)
        #expect(fromCheckpoint.stop(goingBack: 1) == 500, "a checkpoint's frame can be stepped back to")
    }

    // MARK: - A hole right after a step (finding 5)

    @Test(". before a long hole does not make the replay wait the hole out")
    func stepThenHole() async throws {
        let text = (Self.lines("HOLE", times: Self.tenHertz(from: 0, to: 5)) + Self.lines("HOLE", times: [605, 605.1]).dropFirst())
            .joined(separator: "\n") + "\n"
        let path = try FileSourceTests.write(text, name: "hole.ndjson")
        let control = PlaybackControl(speed: 1, paused: true)
        let source = FileSource(path: path, paced: true, from: 5, control: control)
        defer { source.stop() }
        let collector = FileSourceTests.Collector()
        source.start(sink: collector.sink)
        try await TCPTest.eventually("paused before the last frame ahead of the hole") { collector.times.last == 4.9 }
        control.stepFrameForward()
        try await TCPTest.eventually("one step: the last frame before the hole") { collector.times.last == 5 }
        control.togglePause()
        try await TCPTest.eventually("the frame after the hole, without waiting 600 s", within: 5) { collector.times.contains(605) }
        #expect(collector.events.withLock { $0.contains { if case .log(let text) = $0 { text.contains("jumped over") } else { false } } })
    }

    // MARK: - How late the pacer is (finding 2)

    @Test("a replay on pace is never late, however sparse its frames")
    func sparseIsOnPace() async throws {
        let text = Self.lines("SPARSE", times: [0, 3, 6, 9, 12]).joined(separator: "\n") + "\n"
        let control = PlaybackControl(speed: 1)
        let source = FileSource(path: try FileSourceTests.write(text, name: "sparse.ndjson"), paced: true, control: control)
        defer { source.stop() }
        let collector = FileSourceTests.Collector()
        source.start(sink: collector.sink)
        try await TCPTest.eventually("the first frame") { collector.times.contains(0) }
        var worst = 0.0
        for _ in 0..<20 {
            worst = max(worst, control.lateness())
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        #expect(worst < 0.25, "between frames 3 s apart the pacer waits on time (worst \(worst) s)")
    }

    @Test("a source held up goes late, and later the longer it is held")
    func heldUpIsLate() async throws {
        let control = PlaybackControl(speed: 1)
        let held = Atomic<Bool>(false)
        let source = FileSource(path: try FileSourceTests.write(FileSourceTests.recording(seconds: 30), name: "held.ndjson"),
                                paced: true, control: control, backlog: { held.load(ordering: .relaxed) ? 100_000 : 0 })
        defer { source.stop() }
        let collector = FileSourceTests.Collector()
        source.start(sink: collector.sink)
        try await TCPTest.eventually("playing") { collector.times.contains(0.5) }
        #expect(control.lateness() < 0.25)
        held.store(true, ordering: .relaxed)
        try await Task.sleep(nanoseconds: 800_000_000)
        let first = control.lateness()
        try await Task.sleep(nanoseconds: 500_000_000)
        let second = control.lateness()
        #expect(first > 0.5 && second > first + 0.3, "late \(first) s, then \(second) s")
        held.store(false, ordering: .relaxed)
    }

    // MARK: - --from in a recording of several sessions (findings 3, 6)

    @Test("--from is checked against the first session's end, not the last one's", arguments: [false, true])
    func fromInTheFirstSession(gzip: Bool) throws {
        let text = (Self.lines("A", times: Self.tenHertz(from: 0, to: 100)) + Self.lines("B", times: Self.tenHertz(from: 0, to: 10)))
            .joined(separator: "\n") + "\n"
        let path = try FileSourceTests.write(text, name: "two.ndjson", gzip: gzip)
        #expect(try ReplayStart.resolve("50", path: path).get() == 50)
        #expect(try ReplayStart.resolve("1:40", path: path).get() == 100)
        guard case .failure(let error) = ReplayStart.resolve("150", path: path) else {
            Issue.record("150 s is past the first session")
            return
        }
        #expect(error.description == "--from: 150 is past the end of the recording's first session (its last frame is at 100.0 s)")
    }

    @Test("--from past the end of a one-session recording is refused, gzip too", arguments: [false, true])
    func fromPastTheEnd(gzip: Bool) throws {
        let path = try FileSourceTests.write(FileSourceTests.recording(seconds: 30), name: "one.ndjson", gzip: gzip)
        guard case .failure(let error) = ReplayStart.resolve("31", path: path) else {
            Issue.record("31 s is past the end")
            return
        }
        #expect(error.description == "--from: 31 is past the end of the recording (its last frame is at 30.0 s)")
        #expect(try ReplayStart.resolve("30", path: path).get() == 30)
    }

    @Test("--from 0 of a gzip recording starts without decompressing it")
    func fromZeroOfAGzipFile() throws {
        // 100 MB of zeros in a few hundred kB: reading it to its end takes a while.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("surgtop-zeros-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("zeros.ndjson.gz").path
        #expect(system("head -c 100000000 /dev/zero | gzip -9 > '\(path)'") == 0)
        let started = MonotonicClock.now()
        #expect(try ReplayStart.resolve("0", path: path).get() == 0)
        #expect(try ReplayStart.resolve("0:00", path: path).get() == 0)
        #expect(MonotonicClock.now() - started < 0.1, "no end to check at 0")
    }

    // MARK: - Bookmarks at quit (finding 7)

    @Test("at quit, a bookmark still being written is waited for, and a failure that comes meanwhile is said")
    func bookmarksAtQuit() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("surgtop-quit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let recording = dir.appendingPathComponent("case.ndjson").path
        try "".write(toFile: recording, atomically: true, encoding: .utf8)
        let writer = BookmarkWriter(recording: recording)
        writer.append(Bookmark(t: 12, note: "just before quitting", createdAt: "2026-11-26T07:00:00Z"))
        #expect(writer.finish().isEmpty, "written within the wait")
        #expect(BookmarkFile.read(recording: recording).bookmarks.map(\.note) == ["just before quitting"])

        let blocked = dir.appendingPathComponent("blocked.ndjson").path
        try FileManager.default.createDirectory(atPath: blocked + ".marks.ndjson", withIntermediateDirectories: true)
        let failing = BookmarkWriter(recording: blocked)
        failing.append(Bookmark(t: 1, note: "lost", createdAt: "z"))
        let said = failing.finish()
        #expect(said.count == 1 && said.first?.contains("bookmark not saved") == true, "\(said)")
    }

    @Test("at quit, bookmarks not written when the wait runs out are said to be unsaved")
    func bookmarksStillWriting() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("surgtop-slow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let recording = dir.appendingPathComponent("case.ndjson").path
        let writer = BookmarkWriter(recording: recording)
        for k in 0..<20_000 { writer.append(Bookmark(t: Double(k), note: "n", createdAt: "z")) }
        let said = writer.finish(within: 0)
        #expect(said.last?.hasPrefix("bookmark not saved: ") == true && said.last?.contains("still being written") == true, "\(said)")
    }
}

extension ReplayNavigationFixTests {
    @Test(", on the way to the recording's end (End without the pass) is carried out from its last frame")
    func stepOnTheWayToTheEnd() async throws {
        let path = try FileSourceTests.write(FrameStepTests.recording(seconds: 30), name: "toend.ndjson")
        let control = PlaybackControl(speed: 1, paused: true)
        let held = Atomic<Bool>(false)
        let source = FileSource(path: path, paced: true, from: 2, control: control,
                                backlog: { held.load(ordering: .relaxed) ? 100_000 : 0 })
        defer { source.stop() }
        let frames = Frames()
        source.start(sink: frames.sink)
        try await TCPTest.eventually("paused at --from") { frames.sinceRestart.last == "1.9 PSM2" }
        held.store(true, ordering: .relaxed)
        let end = control.seek(to: .infinity, session: Int.max)
        try await TCPTest.eventually("the jump taken") { frames.seeked.contains(end) }
        await settle()
        let step = control.stepFrameBack(from: nil)
        held.store(false, ordering: .relaxed)
        try await TCPTest.eventually("one frame back from the last") {
            frames.seeked.contains(step) && frames.sinceRestart.last == "30.0 PSM1"
        }
    }
}
