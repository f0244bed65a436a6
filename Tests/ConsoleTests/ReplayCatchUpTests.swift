import Foundation
import SessionCore
import Simulator
import Telemetry
import TelemetrySources
import Testing
import View
@testable import Console

/// A replay's catch-up (`--snapshot --at`, `--from`, a seek forward): the reader hands what it
/// decodes over in blocks and the console applies it on the other core. What the screen shows
/// at the target must not depend on that.
@Suite("Replay catch-up", .serialized)
struct ReplayCatchUpTests {
    /// Three minutes of the congestion scenario (alarms raised, escalated and cleared, a failover),
    /// four arms at 10 Hz, with a bad line in the middle: the recording the pictures are taken of.
    static let recording: String = {
        let scenario = try! ScenarioCatalog(directory: nil).resolve("congestion-failover").get()
        var simulator = SessionSimulator(options: SimulatorOptions(seed: 3, armRateHz: 10, scenario: scenario))
        let encoder = FrameEncoder()
        var lines: [String] = []
        while simulator.nextTime <= 180 {
            let frame = simulator.next()
            lines.append(encoder.encode(frame))
            if lines.count == 2_500 { lines.append("{\"t\": 61.0, \"type\": \"arm\", \"arm\": ") }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("surgtop-catchup-\(UUID().uuidString).ndjson").path
        try! (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }()

    /// The picture by the snapshot's documented rule, on one thread with no handoff at all:
    /// every line read in order, each tenth of a second of session time applied as one step
    /// evaluated at its last frame, nothing after `at` (reading on to a session frame).
    static func reference(_ path: String, at: Double, layout: String?, width: Int, height: Int) throws -> String {
        var model = ConsoleModel(mode: .replay, label: path, catalog: LayoutCatalog(userDirectory: nil), layoutRequest: layout)
        model.duration = RecordingLength.measure(path: path)
        model.driver.handle(.state(.connected(peer: path)), arrival: 0)
        let reader = try RecordingReader(path: path)
        var tenth = TenthBatch()
        var ended = true, past = false, sawSession = false
        reader.decodeAll { outcome in
            var frameT: Double?
            if case .frame(let frame) = outcome {
                if case .session = frame.body {
                    if past { ended = false; return false }
                    sawSession = true
                }
                if frame.t > at && !past {
                    past = true
                    if sawSession { ended = false; return false }
                }
                if !past && tenth.startsNewTenth(at: frame.t), let batch = tenth.take() {
                    model.driver.step(events: batch.events, now: batch.time)
                }
                frameT = frame.t
            }
            if !past { tenth.add(.decoded(outcome), at: frameT) }
            return true
        }
        if let batch = tenth.take() { model.driver.step(events: batch.events, now: batch.time) }
        if ended { model.driver.handle(.state(.ended), arrival: 0) }
        model.capabilities = (unicode: WallClock.localeIsUTF8(), colors: false)
        var buffer = CellBuffer(width: width, height: height)
        model.frame(now: model.driver.state.sessionTime, wallClock: "", playback: PlaybackControl().current)
            .render(into: &buffer, state: &model.view)
        return buffer.text
    }

    @Test("a snapshot shows exactly the picture of the recording applied a tenth at a time on one thread, at several times and layouts")
    func snapshotPictureDoesNotDependOnTheHandoff() throws {
        let path = Self.recording
        var differing: [String] = []
        var alarmsSeen = false
        // Every time at the console's default size, and each at one other layout and size.
        let others: [(String?, Int, Int)] = [("trainer", 160, 50), ("compact", 80, 24), ("demo", 100, 30), ("technician", 200, 60)]
        for (k, at) in [0.35, 42.05, 97.3, 150.0, 179.95, 400.0].enumerated() {
            for (layout, width, height) in [(nil, 120, 40), others[k % others.count]] {
                let picture = try Snapshot.render(.recording(path: path), width: width, height: height, at: at, layoutRequest: layout,
                                                  catalog: LayoutCatalog(userDirectory: nil))
                let expected = try Self.reference(path, at: at, layout: layout, width: width, height: height)
                if picture.text != expected { differing.append("at \(at) s, \(layout ?? "default") \(width)x\(height)") }
                if picture.text.contains(" ALARM") { alarmsSeen = true }  // the header: "** 2 ALARMS"
            }
        }
        #expect(differing.isEmpty, "\(differing)")
        #expect(alarmsSeen, "the recording raises link alarms, so the pictures compare their timing too")
    }

    @Test("while a replay fast-forwards, the loop looks for keys without waiting a frame; once it plays, it waits again")
    func fastForwardDoesNotWaitForKeys() {
        // 2 s of fake time: 200 notes every 5 ms, session time racing ahead 40 s per wall second.
        var script: [(at: Double, input: FakeTerminal.Input)] = [(0, .events([Feed.connected(), Feed.session()]))]
        for k in 0..<100 {
            let at = Double(k) * 0.005
            script.append((at, .events((0..<200).map { Feed.note(at: at * 40 + Double($0) * 0.001) })))
        }
        let console = FakeConsole(mode: .replay, script: script, until: 3, playback: PlaybackControl())
        _ = console.loop.run()
        let timeouts = console.terminal.timeouts
        // While the notes came (the first half second: a millisecond a wait at most), never longer.
        let catchingUp = timeouts.prefix(300)
        #expect(catchingUp.allSatisfy { $0 <= 1 }, "\(Array(catchingUp))")
        // Then the replay stands still: the loop waits for keys as long as a frame allows.
        #expect(timeouts.suffix(5).allSatisfy { $0 > 1 }, "\(Array(timeouts.suffix(5)))")
        #expect(timeouts.count < 2_000, "the loop does not spin once the replay stands still: \(timeouts.count) waits")
    }

    @Test("a seek asked while paused that the source leaves short of its target returns the loop to its normal waits")
    func seekWhilePausedDoesNotSpin() {
        // Paused at 2 s; the seek forward is never reported done (the source holds the frame at
        // its target, or its reopen failed): the seek stays pending for the rest of the run.
        let control = PlaybackControl()
        control.togglePause()
        var script: [(at: Double, input: FakeTerminal.Input)] = [(0, .events([Feed.connected(), Feed.session()]))]
        script += (0..<20).map { k in (Double(k) * 0.01, .events([Feed.note(at: Double(k) * 0.1)])) }
        script.append((0.5, .key(.right)))
        let console = FakeConsole(mode: .replay, script: script, until: 10, playback: control)
        _ = console.loop.run()
        #expect(console.loop.model.pendingSeek != nil, "the seek is still under way, as in the finding")
        let timeouts = console.terminal.timeouts
        #expect(timeouts.suffix(20).allSatisfy { $0 > 1 }, "\(Array(timeouts.suffix(20)))")
        #expect(timeouts.count < 1_000, "9.5 s paused after the seek: \(timeouts.count) waits")
    }
}
