import SessionCore
import Telemetry
import TelemetrySources
import Terminal
import Testing
import View
@testable import Console

/// The console loop itself, on a fake terminal and a fake clock (no tmux): what it presents and
/// when, and the bells it rings.
@Suite("Console loop")
struct ConsoleLoopTests {
    /// A replay that has started and ended: nothing on screen moves by itself.
    static let quietReplay: [(at: Double, input: FakeTerminal.Input)] = [
        (0, .events([Feed.connected(), Feed.session(), .state(.ended)])),
    ]

    @Test("the first frame is presented whole; then nothing while nothing changes, though frames are built")
    func nothingWhileNothingChanges() {
        let console = FakeConsole(mode: .replay, script: Self.quietReplay, until: 20)
        #expect(console.loop.run() == .stopped)
        let presented = console.terminal.presented
        #expect(presented.first?.changes == .all)
        #expect(presented.first?.buffer.text.contains("REPLAY") == true)
        // The frames/s of the header fall to 0 within seconds of the last frame; then nothing moves.
        #expect(presented.count <= 4, "\(presented.map(\.time))")
        #expect(console.presents(in: 5..<20).isEmpty, "\(presented.map(\.time))")
        // Clocks and stale timers are looked at four times a second while idle.
        let idle = console.framesBuilt(in: 5..<15)
        #expect(idle >= 39 && idle <= 41, "\(idle) frames built in 10 s")
        #expect(console.terminal.bells.isEmpty)
    }

    @Test("a replay's header shows the recording's clock (started_at + t), never the console's")
    func replayShowsTheRecordingsClock() {
        let started = SourceEvent.decoded(.frame(Frame(t: 0, body: .session(
            SessionInfo(id: "S", startedAt: "2026-11-24T08:00:00Z", arms: [])))))
        let note = SourceEvent.decoded(.frame(Frame(t: 3485.5, body: .event(EventNote(kind: "note")))))
        let console = FakeConsole(mode: .replay, script: [(0, .events([Feed.connected(), started, note, .state(.ended)]))],
                                  until: 5) { _ in "23:59:59" }
        _ = console.loop.run()
        let header = console.terminal.presented.last?.buffer.text.split(separator: "\n").prefix(3).joined() ?? ""
        #expect(header.contains("08:58:05 UTC"), "\(header)")
        #expect(!header.contains("23:59:59"))

        // Without started_at: session time only.
        let plain = FakeConsole(mode: .replay, script: Self.quietReplay, until: 5) { _ in "23:59:59" }
        _ = plain.loop.run()
        let text = plain.terminal.presented.last?.buffer.text.split(separator: "\n").prefix(3).joined() ?? ""
        #expect(!text.contains("23:59:59") && !text.contains("UTC"), "\(text)")
    }

    @Test("a resize repaints everything at the new size, at once; even to the same size")
    func resizeRepaintsEverything() {
        let small = TerminalSize(width: 100, height: 30)
        let console = FakeConsole(mode: .replay, script: Self.quietReplay + [
            (6, .resize(small)),
            (8, .resize(small)),
        ], until: 10)
        _ = console.loop.run()
        let presented = console.presents(in: 5..<10)
        #expect(presented.map(\.changes) == [.all, .all], "\(presented.map(\.time))")
        guard presented.count == 2 else { return }
        #expect(presented[0].time >= 6 && presented[0].time < 6 + ConsoleLoop.minFrameInterval + 1e-9)
        #expect(presented[0].buffer.width == 100 && presented[0].buffer.height == 30)
        #expect(presented[1].time >= 8 && presented[1].time < 8 + ConsoleLoop.minFrameInterval + 1e-9)
    }

    @Test("keys typed together are all applied before the next frame")
    func keysBeforeDrawing() {
        let console = FakeConsole(mode: .replay, script: Self.quietReplay + [
            (6, .key(.character("?"))), (6, .key(.escape)),
            (8, .key(.character("?"))),
        ], until: 10)
        _ = console.loop.run()
        #expect(console.presents(in: 5..<7.9).isEmpty, "help opened and closed before a frame was drawn")
        let help = console.presents(in: 7.9..<10)
        #expect(help.count == 1)
        #expect(help.first?.buffer.text.contains("Esc or ? closes this help") == true)
        #expect(console.loop.model.overlay == .help)
    }

    /// Checks that the presents in `window` come exactly when a flash of `hz` changes phase
    /// (within the millisecond the wait is rounded to), one for each change.
    func expectPresentsAtFlashChanges(_ presents: [FakeTerminal.Presented], hz: Double, window: Range<Double>) {
        let half = 0.5 / hz
        let changes = Int((window.upperBound / half).rounded(.down)) - Int((window.lowerBound / half).rounded(.down))
        #expect(presents.count == changes, "\(presents.map(\.time))")
        for present in presents {
            let sinceChange = present.time - (present.time / half).rounded(.down) * half
            #expect(sinceChange >= 0 && sinceChange <= 0.002, "\(present.time) is \(sinceChange) s after a change")
        }
    }

    @Test("a high alarm flashes at 2 Hz: a present at every change; acknowledged, it stops")
    func highAlarmFlashes() {
        let console = FakeConsole(mode: .replay, script: [
            (0, .events([Feed.connected(), Feed.session(), Feed.alarm("ROBOT.ESTOP", .high, at: 0)])),
            (12.6, .key(.character("A"))),
        ], until: 16, quiet: true)
        _ = console.loop.run()
        expectPresentsAtFlashChanges(console.presents(in: 5.1..<12.1), hz: 2, window: 5.1..<12.1)
        let built = console.framesBuilt(in: 6..<10)
        #expect(built <= 4 * 4 + 4 * Int(2 * 0.6 * 2), "\(built) frames built in 4 s: at the changes and the idle refresh")
        #expect(console.presents(in: 12.6..<12.7).count == 1, "the acknowledgement shows at once")
        #expect(console.presents(in: 12.7..<16).isEmpty, "acknowledged: steady")
        #expect(console.framesBuilt(in: 13..<16) <= 13, "and idle again")
    }

    @Test("a medium alarm flashes at 0.6 Hz: a present at every change")
    func mediumAlarmFlashes() {
        let console = FakeConsole(mode: .replay, script: [
            (0, .events([Feed.connected(), Feed.session(), Feed.alarm("PSM1.WARN", .medium, at: 0)])),
        ], until: 16, quiet: true)
        _ = console.loop.run()
        expectPresentsAtFlashChanges(console.presents(in: 5.1..<15.1), hz: 0.6, window: 5.1..<15.1)
    }

    @Test("keys held down: at most 30 frames a second")
    func atMost30FramesPerSecond() {
        var script = Self.quietReplay
        for k in 1...300 { script.append((Double(k) / 100, .key(.character(k % 2 == 0 ? "j" : "k")))) }
        let console = FakeConsole(mode: .replay, script: script, until: 3.5)
        _ = console.loop.run()
        for second in 0..<3 {
            let built = console.framesBuilt(in: Double(second)..<Double(second + 1))
            #expect(built >= 25 && built <= 30, "\(built) frames in second \(second)")
        }
    }

    @Test("a source sending all the time: a frame every 0.25 s (the wait for keys is not cut short by data)")
    func dataFramesAtTheIdleRefresh() {
        var script: [(at: Double, input: FakeTerminal.Input)] = [(0, .events([Feed.connected(), Feed.session()]))]
        for k in 1...300 { script.append((Double(k) / 100, .events([Feed.note(at: Double(k) / 100)]))) }
        let console = FakeConsole(mode: .replay, script: script, until: 3.5)
        _ = console.loop.run()
        for second in 1..<3 {
            #expect(console.framesBuilt(in: Double(second)..<Double(second + 1)) == 4)
        }
    }

    /// A replay whose session clock follows the fake clock (a note every second), with a high
    /// alarm raised at 0.5 s, and `keys` pressed.
    func bellsRung(quiet: Bool = false, keys: [(at: Double, input: FakeTerminal.Input)] = []) -> [Double] {
        var script: [(at: Double, input: FakeTerminal.Input)] = [
            (0, .events([Feed.connected(), Feed.session()])),
            (0.5, .events([Feed.alarm("ROBOT.ESTOP", .high, at: 0.5)])),
        ]
        for k in 1...25 { script.append((Double(k), .events([Feed.note(at: Double(k))]))) }
        let console = FakeConsole(mode: .replay, script: script + keys, until: 25.5, quiet: quiet)
        _ = console.loop.run()
        return console.terminal.bells
    }

    /// Bell times split into bursts (bells less than a second apart).
    func bursts(_ bells: [Double]) -> [[Double]] {
        var out: [[Double]] = []
        for t in bells.sorted() {
            if let last = out.last?.last, t - last < 1 { out[out.count - 1].append(t) } else { out.append([t]) }
        }
        return out
    }

    @Test("bells ring as the engine asks: a burst when a high alarm is raised and again every 10 s of its clock")
    func bells() {
        let settings = AlarmSettings.defaults
        let burst = min(settings.highBells, 5)
        let rung = bursts(bellsRung())
        #expect(rung.map(\.count) == [burst, burst, burst], "\(rung)")
        // The engine's clock is the replay's session time, which moves with the notes (one a
        // second): raised at 0.5, then at the first note 10 s on or later.
        let starts = rung.compactMap(\.first)
        let expected = [0.5, (0.5 + settings.highRepeatSeconds).rounded(.up), (0.5 + settings.highRepeatSeconds).rounded(.up) + settings.highRepeatSeconds]
        #expect(starts.count == 3 && zip(starts, expected).allSatisfy { $0 >= $1 && $0 <= $1 + ConsoleLoop.idleRefresh + 1e-6 },
                "\(starts) vs \(expected)")
    }

    @Test("no bells with --quiet, and none during an audio pause")
    func noBells() {
        #expect(bellsRung(quiet: true).isEmpty)
        let paused = bellsRung(keys: [(3, .key(.character("p")))])
        #expect(paused.count == min(AlarmSettings.defaults.highBells, 5), "only the burst before the pause: \(paused)")
        #expect(paused.allSatisfy { $0 < 3 })
    }

    @Test("q ends a replay's loop; a session that cannot go on ends it with its reason")
    func exits() {
        let quit = FakeConsole(mode: .replay, script: Self.quietReplay + [(1, .key(.character("q")))], until: 5)
        #expect(quit.loop.run() == .quit)
        #expect(quit.clock.now < 1.1)

        let refused = DecodeError(line: 1, kind: .unsupportedVersion(2), reason: "unsupported version 2")
        let fatal = FakeConsole(mode: .replay, script: [(0.5, .events([Feed.connected(), .decoded(.error(refused))]))], until: 5)
        #expect(fatal.loop.run() == .fatal("line 1: unsupported version 2"))
    }

    @Test("replay keys reach the replay's controls through the loop")
    func playbackKeys() {
        let control = PlaybackControl()
        let console = FakeConsole(mode: .replay, script: Self.quietReplay + [
            (1, .key(.character(" "))), (1, .key(.character("+"))), (2, .key(.left)),
        ], until: 3, playback: control)
        _ = console.loop.run()
        #expect(control.current.paused)
        #expect(control.current.speed == 2)
        #expect(control.takeSeek()?.target == 0, "5 s back from the start")
        #expect(console.loop.model.pendingSeek?.target == 0)
    }
}
