import SessionCore
import Telemetry
import TelemetrySources
import Terminal
import View
@testable import Console

/// A clock the tests move: only the fake terminal advances it, while the loop waits for a key.
final class FakeClock {
    var now: Double

    init(_ now: Double = 0) { self.now = now }
}

/// A terminal for the console loop without a tty: keys, resizes and source events come from a
/// script at set times; waiting for a key moves the fake clock on to the timeout (or the next
/// key), so a loop runs as fast as it can compute and always the same way.
final class FakeTerminal: TerminalBackend {
    enum Input {
        case key(Key)
        /// The terminal becomes this size and reports `.resize`.
        case resize(TerminalSize)
        /// A source posts these to the inbox (the loop sees them after its wait, as with a real source).
        case events([SourceEvent])
    }

    /// One `present` call.
    struct Presented {
        var time: Double
        var changes: CellChanges
        var buffer: CellBuffer
    }

    let clock: FakeClock
    let inbox: SourceInbox
    var capabilities = TerminalCapabilities(colors: true, unicode: true)
    private(set) var size: TerminalSize
    private var script: [(at: Double, input: Input)]
    private(set) var presented: [Presented] = []
    /// When each bell rang.
    private(set) var bells: [Double] = []
    /// The timeouts the loop waited with, in order.
    private(set) var timeouts: [Int] = []

    init(clock: FakeClock, inbox: SourceInbox, size: TerminalSize = TerminalSize(width: 120, height: 40),
         script: [(at: Double, input: Input)]) {
        self.clock = clock
        self.inbox = inbox
        self.size = size
        // Stable: inputs at the same time keep their order.
        self.script = script.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }

    func readKey(timeoutMs: Int) -> Key? {
        timeouts.append(timeoutMs)
        let deadline = clock.now + Double(max(0, timeoutMs)) / 1000
        while let next = script.first, next.at <= deadline {
            script.removeFirst()
            clock.now = max(clock.now, next.at)
            switch next.input {
            case .key(let key):
                return key
            case .resize(let newSize):
                size = newSize
                return .resize
            case .events(let events):
                for event in events { inbox.post(event) }
            }
        }
        clock.now = max(clock.now, deadline)
        return nil
    }

    func present(_ buffer: CellBuffer, changes: CellChanges) {
        presented.append(Presented(time: clock.now, changes: changes, buffer: buffer))
    }

    func bell() {
        bells.append(clock.now)
    }
}

/// A console loop on a fake terminal and clock, run until `seconds` of fake time have passed
/// (or it ends by itself).
struct FakeConsole {
    let clock = FakeClock()
    let inbox = SourceInbox()
    let terminal: FakeTerminal
    let loop: ConsoleLoop
    /// When each frame was built (the loop asks the wall clock once per frame).
    private let frames: FrameTimes

    final class FrameTimes {
        var times: [Double] = []
    }

    init(mode: SessionMode, script: [(at: Double, input: FakeTerminal.Input)], until seconds: Double,
         size: TerminalSize = TerminalSize(width: 120, height: 40), quiet: Bool = false,
         playback: PlaybackControl? = nil, wallClock: ((Double) -> String)? = nil) {
        let clock = self.clock
        terminal = FakeTerminal(clock: clock, inbox: inbox, size: size, script: script)
        let model = ConsoleModel(mode: mode, label: "test", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: nil)
        let frames = FrameTimes()
        self.frames = frames
        loop = ConsoleLoop(model: model, terminal: terminal, inbox: inbox, playback: playback, quiet: quiet,
                           clock: { clock.now },
                           wallClock: {
                               frames.times.append(clock.now)
                               return wallClock?(clock.now) ?? "12:00:00"
                           },
                           stopRequested: { clock.now >= seconds })
    }

    var frameTimes: [Double] { frames.times }

    /// Frames built in `range` of fake time.
    func framesBuilt(in range: Range<Double>) -> Int { frames.times.filter { range.contains($0) }.count }

    /// Presents in `range` of fake time.
    func presents(in range: Range<Double>) -> [FakeTerminal.Presented] {
        terminal.presented.filter { range.contains($0.time) }
    }
}

/// Source events for the loop tests.
enum Feed {
    static func connected() -> SourceEvent { .state(.connected(peer: "test")) }

    static func session(at t: Double = 0) -> SourceEvent {
        .decoded(.frame(Frame(t: t, body: .session(SessionInfo(id: "S", arms: [])))))
    }

    static func alarm(_ id: String, _ priority: AlarmPriority, at t: Double) -> SourceEvent {
        .decoded(.frame(Frame(t: t, body: .alarm(AlarmReport(id: id, state: .raised, priority: priority, message: id)))))
    }

    static func note(at t: Double) -> SourceEvent {
        .decoded(.frame(Frame(t: t, body: .event(EventNote(kind: "note")))))
    }
}
