import SessionCore
import Synchronization
import Telemetry
import TelemetrySources
import Terminal
import Testing
import View
@testable import Console

/// How late a live console's screen is: the loop looks at a streaming live source at every
/// frame slot, and the latency probe (`SURGTOP_LATENCY_LOG`) measures it through the loop.
@Suite("Live latency through the console loop")
struct LiveLatencyLoopTests {
    static func arm(_ t: Double) -> SourceEvent {
        .decoded(.frame(Frame(t: t, body: .arm(ArmSample(arm: "PSM1", position: [t])))))
    }

    static func session() -> SourceEvent {
        .decoded(.frame(Frame(t: 0, body: .session(SessionInfo(id: "S", arms: [ArmDescriptor(id: "PSM1", kind: .psm)])))))
    }

    /// A gateway sending every 10 ms from `from` to `to` seconds.
    static func stream(from: Double, to: Double) -> [(at: Double, input: FakeTerminal.Input)] {
        var script: [(at: Double, input: FakeTerminal.Input)] = [(0, .events([Feed.connected(), session()]))]
        var k = Int((from * 100).rounded())
        while Double(k) / 100 <= to {
            script.append((Double(k) / 100, .events([arm(Double(k) / 100)])))
            k += 1
        }
        return script
    }

    @Test("a live source sending all the time: a frame at every slot (30 a second), not every 0.25 s")
    func liveFramesAtEverySlot() {
        let console = FakeConsole(mode: .live, script: Self.stream(from: 0.01, to: 3), until: 3.5)
        _ = console.loop.run()
        for second in 1..<3 {
            let built = console.framesBuilt(in: Double(second)..<Double(second + 1))
            #expect(built >= 28 && built <= 30, "\(built) frames in second \(second)")
        }
    }

    @Test("a silent live source: its inbox looked at every slot, yet frames built only at the idle refresh (and flashes)")
    func liveIdleLooksButDoesNotDraw() {
        let console = FakeConsole(mode: .live, script: Self.stream(from: 0.01, to: 1), until: 5)
        _ = console.loop.run()
        #expect(console.framesBuilt(in: 0.2..<1) >= 20)
        // 4 a second while idle, plus the flash changes of TELEMETRY.LOST: far from 30 a second.
        let idle = console.framesBuilt(in: 3..<5)
        #expect(idle >= 7 && idle <= 12, "\(idle) frames in 2 s of silence")
        #expect(console.terminal.timeouts.suffix(100).allSatisfy { $0 <= 34 }, "\(console.terminal.timeouts.suffix(100))")
    }

    /// The fake clock, shared with the probe (which wants a `Sendable` clock).
    final class SharedClock: Sendable {
        private let seconds = Mutex(0.0)
        var now: Double { seconds.withLock { $0 } }
        func advance(to t: Double) { seconds.withLock { $0 = max($0, t) } }
    }

    /// What the probe wrote, and when the loop built each screen.
    final class Recorded: Sendable {
        let log = Mutex<[UInt8]>([])
        let screens = Mutex<[Double]>([])
    }

    /// A terminal whose waits deliver socket reads through the probe, as `LineReceiver` and the
    /// inbox's sink do, on the fake clock.
    final class ProbedTerminal: TerminalBackend {
        let capabilities = TerminalCapabilities(colors: true, unicode: true)
        let size = TerminalSize(width: 120, height: 40)
        let clock: SharedClock
        let probe: LatencyProbe
        let sink: @Sendable (SourceEvent) -> Void
        var reads: [(at: Double, events: [SourceEvent])]
        private(set) var arrivals: [Double] = []
        private(set) var presents: [Double] = []

        init(clock: SharedClock, probe: LatencyProbe, inbox: SourceInbox, reads: [(at: Double, events: [SourceEvent])]) {
            self.clock = clock
            self.probe = probe
            self.sink = probe.sink(into: inbox)
            self.reads = reads
        }

        var now: Double { clock.now }

        func readKey(timeoutMs: Int) -> Key? {
            let deadline = now + Double(max(0, timeoutMs)) / 1000
            while let next = reads.first, next.at <= deadline {
                reads.removeFirst()
                clock.advance(to: next.at)
                probe.readReturned()
                arrivals.append(next.at)
                for event in next.events { sink(event) }
            }
            clock.advance(to: deadline)
            return nil
        }

        func present(_ buffer: CellBuffer, changes: CellChanges) {
            presents.append(now)
        }

        func bell() {}
    }

    @Test("the probe through the loop: each read's latency is the wait until the next screen, never above a frame slot")
    func probeThroughTheLoop() {
        let clock = SharedClock()
        let recorded = Recorded()
        let probe = LatencyProbe(clock: { clock.now }, write: { bytes in recorded.log.withLock { $0 += bytes } })
        let inbox = SourceInbox.live()
        // A gateway's 10 ms ticks, each a read of four arm samples, for 3 s.
        var reads: [(at: Double, events: [SourceEvent])] = [(0.001, [Feed.connected(), Self.session()])]
        for k in 1...300 {
            let t = Double(k) / 100 + 0.003
            reads.append((t, (0..<4).map { _ in Self.arm(t) }))
        }
        let terminal = ProbedTerminal(clock: clock, probe: probe, inbox: inbox, reads: reads)
        let model = ConsoleModel(mode: .live, label: "test", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: nil)
        let loop = ConsoleLoop(model: model, terminal: terminal, inbox: inbox, playback: nil, quiet: true,
                               clock: { clock.now },
                               wallClock: { recorded.screens.withLock { $0.append(clock.now) }; return "12:00:00" },
                               stopRequested: { clock.now >= 3.5 }, latency: probe)
        _ = loop.run()
        probe.finish()
        let log = LatencyLog(recorded.log.withLock { $0 })
        // Every frame read was shown (the session frame and 300 reads of four samples).
        #expect(log.frames == 1 + 1200)
        #expect(log.badLines == 0 && log.dropped == 0)
        // Each read waits for the first screen built at or after it: the probe's figure, exactly.
        let screens = recorded.screens.withLock { $0 }
        let expected: [Double] = terminal.arrivals.map { a in (screens.first { $0 >= a } ?? .infinity) - a }
        let logged = log.latencies.map { Double($0.micros) / 1e6 }  // one line per read, lowest first
        #expect(logged.count == expected.count)
        for (got, want) in zip(logged, expected.sorted()) {
            #expect((got - want).magnitude < 2e-6, "\(got) s logged, \(want) s expected")
        }
        // At most one frame slot late (a millisecond of rounding in the key wait).
        #expect(log.maximum! <= ConsoleLoop.minFrameInterval + 0.002)
        #expect(log.percentile(99)! <= ConsoleLoop.minFrameInterval + 0.002)
    }
}
