import SessionCore
import Telemetry
import TelemetrySources
import Testing
@testable import Console

/// A playing replay and the demo are drawn as often as a live console: the loop looks at the
/// inbox at every frame slot in every mode (they were drawn about 4 times a second, every
/// chart up to 0.25 s stale). A paused replay posts nothing, so it stays at the idle rate.
@Suite("Replay and demo frame rate")
struct ReplayDemoFrameRateTests {
    /// Frames built in each whole second from 1 to 3 of a source posting every 10 ms.
    static func framesPerSecond(mode: SessionMode, playback: PlaybackControl?) -> [Int] {
        let console = FakeConsole(mode: mode, script: LiveLatencyLoopTests.stream(from: 0.01, to: 3.2), until: 3.5,
                                  quiet: true, playback: playback)
        _ = console.loop.run()
        return (1..<3).map { console.framesBuilt(in: Double($0)..<Double($0 + 1)) }
    }

    @Test("a replay playing at 1×: a frame at every slot (28–30 a second), not every 0.25 s")
    func replayPlaying() {
        for built in Self.framesPerSecond(mode: .replay, playback: PlaybackControl(speed: 1)) {
            #expect(built >= 28 && built <= 30, "\(built) frames in a second of replay")
        }
    }

    @Test("the demo: a frame at every slot (28–30 a second), not every 0.25 s")
    func demoPlaying() {
        for built in Self.framesPerSecond(mode: .demo, playback: nil) {
            #expect(built >= 28 && built <= 30, "\(built) frames in a second of the demo")
        }
    }

    @Test("a paused replay (its source posts nothing): frames only at the idle refresh, though the inbox is looked at every slot")
    func pausedReplayStaysIdle() {
        let console = FakeConsole(mode: .replay, script: LiveLatencyLoopTests.stream(from: 0.01, to: 0.5), until: 4,
                                  quiet: true, playback: PlaybackControl(paused: true))
        _ = console.loop.run()
        let idle = console.framesBuilt(in: 2..<4)
        // At most the idle refresh (4 a second), and still some: the clocks move.
        #expect(idle >= 2 && idle <= 9, "\(idle) frames in 2 s of a paused replay")
        #expect(console.terminal.timeouts.suffix(50).allSatisfy { $0 <= 34 }, "\(console.terminal.timeouts.suffix(50))")
    }
}
