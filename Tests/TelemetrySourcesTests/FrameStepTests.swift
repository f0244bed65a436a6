import Foundation
import Synchronization
import Telemetry
import Testing
@testable import TelemetrySources

/// Stepping one frame at a time while paused (`.` and `,`), as rqt_bag does: by the frame's
/// place in the recording, since frames share a `t`.
@Suite("Frame steps", .serialized)
struct FrameStepTests {
    /// Two arms at 10 Hz for `seconds`: PSM1 then PSM2 at every `t`.
    static func recording(seconds: Int) -> String {
        let encoder = FrameEncoder()
        var lines = [TCPTest.session("STEP", arms: ["PSM1", "PSM2"])]
        for k in 0...(seconds * 10) {
            let t = Double(k) / 10
            for arm in ["PSM1", "PSM2"] {
                lines.append(encoder.encode(Frame(t: t, body: .arm(ArmSample(arm: arm, position: [t])))))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The arm frames delivered since the source last started reading again, as "t arm".
    final class Frames: Sendable {
        let events = Mutex<[SourceEvent]>([])
        var sink: @Sendable (SourceEvent) -> Void { { [self] e in events.withLock { $0.append(e) } } }
        var sinceRestart: [String] {
            events.withLock { all in
                let start = all.lastIndex { if case .reset = $0 { true } else if case .resumed = $0 { true } else { false } } ?? -1
                return all[(start + 1)...].compactMap {
                    guard case .decoded(.frame(let f)) = $0, case .arm(let a) = f.body else { return nil }
                    return "\(NumberText.fixed(f.t, 1)) \(a.arm)"
                }
            }
        }
        var seeked: [Int] { events.withLock { $0.compactMap { if case .seeked(let id) = $0 { id } else { nil } } } }
    }

    func settle() async { try? await Task.sleep(nanoseconds: 300_000_000) }

    @Test(". lets exactly one frame through while paused, and the replay stays paused",
          arguments: [false, true])
    func forward(gzip: Bool) async throws {
        let path = try FileSourceTests.write(Self.recording(seconds: 10), name: "step.ndjson", gzip: gzip)
        let control = PlaybackControl(speed: 1, paused: true)
        let source = FileSource(path: path, paced: true, from: 2, control: control)
        defer { source.stop() }
        let frames = Frames()
        source.start(sink: frames.sink)
        try await TCPTest.eventually("the frames before --from") { frames.sinceRestart.last == "1.9 PSM2" }
        await settle()
        #expect(frames.sinceRestart.last == "1.9 PSM2", "paused: nothing more")
        control.stepFrameForward()
        try await TCPTest.eventually("one step") { frames.sinceRestart.last == "2.0 PSM1" }
        control.stepFrameForward()
        control.stepFrameForward()
        try await TCPTest.eventually("two steps") { frames.sinceRestart.last == "2.1 PSM1" }
        await settle()
        #expect(frames.sinceRestart.suffix(3) == ["2.0 PSM1", "2.0 PSM2", "2.1 PSM1"], "one frame a step, none more")
        #expect(control.current.paused)
        control.togglePause()
        control.stepFrameForward()
        #expect(control.current.frameSteps == 0, "a step while playing is not kept for later")
    }

    @Test(", goes back exactly one frame, by place, not by time, and again from there",
          arguments: [false, true])
    func back(gzip: Bool) async throws {
        let path = try FileSourceTests.write(Self.recording(seconds: 10), name: "back.ndjson", gzip: gzip)
        let control = PlaybackControl(speed: 1, paused: true)
        let source = FileSource(path: path, paced: true, from: 3, control: control)
        defer { source.stop() }
        let frames = Frames()
        source.start(sink: frames.sink)
        try await TCPTest.eventually("the frames before --from") { frames.sinceRestart.last == "2.9 PSM2" }
        control.stepFrameForward()
        try await TCPTest.eventually("a step on") { frames.sinceRestart.last == "3.0 PSM1" }
        // Back from 3.0 PSM1: to 2.9 PSM2 (the frame before), then to 2.9 PSM1 (same t), then 2.8 PSM2.
        for expected in ["2.9 PSM2", "2.9 PSM1", "2.8 PSM2"] {
            let id = control.stepFrameBack(from: nil)
            try await TCPTest.eventually("back to \(expected)") { frames.seeked.contains(id) && frames.sinceRestart.last == expected }
            await settle()
            #expect(frames.sinceRestart.last == expected, "and it stays there, paused")
        }
        #expect(frames.sinceRestart.first == "0.0 PSM1", "read again from the start without a checkpoint")
        control.stepFrameForward()
        try await TCPTest.eventually("forward again") { frames.sinceRestart.last == "2.9 PSM1" }
    }

    @Test(", reads again from a checkpoint before the frame when given one")
    func backFromACheckpoint() async throws {
        let path = try FileSourceTests.write(Self.recording(seconds: 30), name: "cp.ndjson")
        let control = PlaybackControl(speed: 1, paused: true)
        let source = FileSource(path: path, paced: true, from: 25, control: control)
        defer { source.stop() }
        let frames = Frames()
        source.start(sink: frames.sink)
        try await TCPTest.eventually("the frames before --from") { frames.sinceRestart.last == "24.9 PSM2" }
        let checkpoint = try #require(frames.events.withLock { all in
            all.compactMap { if case .checkpoint(let c) = $0, c.t <= 24 { c } else { nil } }.last
        })
        let id = control.stepFrameBack(from: checkpoint)
        try await TCPTest.eventually("back one") { frames.seeked.contains(id) && frames.sinceRestart.last == "24.9 PSM1" }
        #expect(frames.events.withLock { $0.contains { if case .resumed(let c) = $0 { c == checkpoint } else { false } } })
        #expect(frames.sinceRestart.count < 20 * 10 * 2, "only from the checkpoint on, not from the start")
    }
}

extension FrameStepTests {
    @Test(", pressed again and again faster than the source reads goes back that many frames")
    func quickStepsBack() async throws {
        let path = try FileSourceTests.write(Self.recording(seconds: 10), name: "quick.ndjson")
        let control = PlaybackControl(speed: 1, paused: true)
        let source = FileSource(path: path, paced: true, from: 5, control: control)
        defer { source.stop() }
        let frames = Frames()
        source.start(sink: frames.sink)
        try await TCPTest.eventually("the frames before --from") { frames.sinceRestart.last == "4.9 PSM2" }
        control.stepFrameBack(from: nil)
        control.stepFrameBack(from: nil)
        control.stepFrameBack(from: nil)
        try await TCPTest.eventually("three back") { frames.sinceRestart.last == "4.8 PSM1" }
        // While it reads again, more steps wait until it is there, then go on from it.
        control.stepFrameBack(from: nil)
        try await Task.sleep(nanoseconds: 1_000_000)
        control.stepFrameBack(from: nil)
        try await TCPTest.eventually("two more") { frames.sinceRestart.last == "4.7 PSM1" }
        await settle()
        #expect(frames.sinceRestart.last == "4.7 PSM1")
    }
}

extension FrameStepTests {
    @Test(", from a state kept at the frame before resumes there, and a further , goes on back from it")
    func backThroughTheCheckpointItself() async throws {
        let path = try FileSourceTests.write(Self.recording(seconds: 20), name: "cpframe.ndjson")
        let control = PlaybackControl(speed: 1, paused: true)
        let source = FileSource(path: path, paced: true, from: 10, control: control)
        defer { source.stop() }
        let frames = Frames()
        source.start(sink: frames.sink)
        try await TCPTest.eventually("the frames before --from") { frames.sinceRestart.last == "9.9 PSM2" }
        control.stepFrameForward()
        control.stepFrameForward()
        try await TCPTest.eventually("two steps on") { frames.sinceRestart.last == "10.0 PSM2" }
        let checkpoints = frames.events.withLock { $0.compactMap { if case .checkpoint(let c) = $0 { c } else { nil } } }
        // The checkpoint just after "10.0 PSM1", the frame before the one on screen.
        let atTheFrameBefore = try #require(checkpoints.first { $0.t == 10 })
        let first = try #require(checkpoints.first)
        let back = control.stepFrameBack(from: atTheFrameBefore)
        try await TCPTest.eventually("resumed at the checkpoint") { frames.seeked.contains(back) }
        await settle()
        #expect(frames.sinceRestart.isEmpty, "the kept state is the frame before: nothing to read, nothing played on")
        let again = control.stepFrameBack(from: first)
        try await TCPTest.eventually("back once more") { frames.seeked.contains(again) && frames.sinceRestart.last == "9.9 PSM2" }
        await settle()
        #expect(frames.sinceRestart.last == "9.9 PSM2")
    }
}

extension FrameStepTests {
    @Test(", at the end of the recording goes back one frame, and a seek after it lands where asked")
    func backAtTheEndAndASeekAfter() async throws {
        let path = try FileSourceTests.write(Self.recording(seconds: 3), name: "end.ndjson")
        let control = PlaybackControl(speed: 1_000)
        let source = FileSource(path: path, paced: true, control: control)
        defer { source.stop() }
        let frames = Frames()
        source.start(sink: frames.sink)
        try await TCPTest.eventually("the end") {
            frames.events.withLock { $0.contains { if case .state(.ended) = $0 { true } else { false } } }
        }
        control.togglePause()
        let back = control.stepFrameBack(from: nil)
        try await TCPTest.eventually("one back from the last") { frames.seeked.contains(back) && frames.sinceRestart.last == "3.0 PSM1" }
        let seek = control.seek(to: 1)
        // Paused, a seek delivers what lies before its target and waits at it.
        try await TCPTest.eventually("the seek") { frames.seeked.contains(seek) && frames.sinceRestart.last == "0.9 PSM2" }
        await settle()
        #expect(frames.sinceRestart.last == "0.9 PSM2", "at the seek's target, not held at the old step's")
    }
}
