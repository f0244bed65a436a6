import SessionCore
import SystemCalls
import Telemetry
import TelemetrySources
import Terminal
import View

/// The console's loop on any terminal (`TerminalBackend`) and any clock: keys, source events and
/// ticks update the model, the screen is built from it, and only the cells that changed are
/// presented. `ConsoleApp` runs it on the curses screen; tests run it on a fake terminal and a
/// fake clock.
///
/// Timing: at most 30 frames per second; a frame is built at least every 0.25 s (clocks and
/// stale timers move even when no data does) but presented only when a cell changed; while an
/// alarm flashes, a frame is also built when its flash phase changes. Keys are read with a
/// timeout up to the next frame, not at all while the source is far ahead (`catchUpBacklog`);
/// meanwhile a live console looks at its inbox at every frame slot (`waitForKey`), so a frame
/// is shown at most a slot after it arrived.
/// A replay's marker pass starts once the replay plays at its pace (`PaceWatch`) and is held
/// back whenever it runs ahead of it.
final class ConsoleLoop {
    /// Why the loop ended.
    enum Exit: Equatable {
        /// The user quit.
        case quit
        /// `stopRequested` said so (SIGINT, SIGTERM, SIGHUP).
        case stopped
        /// The session cannot go on (`SessionDriver.fatal`).
        case fatal(String)
    }

    /// Events waiting beyond this many mean a source is ahead of the screen: drain without waiting for keys.
    static let catchUpBacklog = 2_000
    static let minFrameInterval = 1.0 / 30
    /// The longest wait for a key while a replay fast-forwards (a seek's catch-up, `--from`).
    static let fastForwardKeyWait = 0.001
    /// How long after the last events drained (or key) a fast-forward keeps its short waits: a
    /// seek carried out while paused leaves the replay short of its target, still "seeking", with
    /// nothing more to come; the loop must not spin for it.
    static let fastForwardIdle = 0.1
    /// Clocks and stale timers move even when no data does.
    static let idleRefresh = 0.25

    private(set) var model: ConsoleModel
    private let terminal: any TerminalBackend
    private let inbox: SourceInbox
    private let playback: PlaybackControl?
    private let recorder: AlarmRecorder
    private let quiet: Bool
    private let length: RecordingLength?
    private let clock: () -> Double
    private let wallClock: () -> String
    private let stopRequested: () -> Bool
    /// A replay's whole-recording pass (nil for live sources): its index is polled each tick.
    private let markers: MarkerPass?
    /// The generation of the index last copied into the model.
    private var markersSeen = 0
    /// Whether the replay was ahead of its pace (catching up) at the last turn.
    private var wasAhead = true
    /// When the loop last drained events or took a key (`fastForwardIdle`).
    private var lastBusy = -Double.infinity
    /// Measuring only (`SURGTOP_LATENCY_LOG`): how late the screen is; nil otherwise.
    private let latency: LatencyProbe?

    /// - Parameters:
    ///   - playback: pause/speed/seek of a replay (nil for live sources).
    ///   - length: the recording's length for the timeline (it may become known only later).
    ///   - quiet: no bells.
    ///   - clock: monotonic seconds; arrival times and the flash phases follow it.
    ///   - markers: a replay's marker pass, whose index the loop copies into the model as it grows.
    ///   - latency: measuring only: told what is drained and when the screen is current.
    init(model: ConsoleModel, terminal: any TerminalBackend, inbox: SourceInbox, playback: PlaybackControl?,
         recorder: AlarmRecorder = AlarmRecorder(destination: .none), quiet: Bool = false, length: RecordingLength? = nil,
         clock: @escaping () -> Double = MonotonicClock.now, wallClock: @escaping () -> String = WallClock.now,
         stopRequested: @escaping () -> Bool = { SystemCalls.terminationWasRequested }, markers: MarkerPass? = nil,
         latency: LatencyProbe? = nil) {
        self.markers = markers
        self.latency = latency
        self.model = model
        self.terminal = terminal
        self.inbox = inbox
        self.playback = playback
        self.recorder = recorder
        self.quiet = quiet
        self.length = length
        self.clock = clock
        self.wallClock = wallClock
        self.stopRequested = stopRequested
        self.model.capabilities = (unicode: terminal.capabilities.unicode, colors: terminal.capabilities.colors)
    }

    /// Runs until the user quits, a stop is requested or the session cannot go on.
    func run() -> Exit {
        var quit = false
        var lastDraw = -Double.infinity
        var dirty = true
        var buffer = CellBuffer(width: 0, height: 0)
        // What the terminal shows; nil when it must be repainted whole (the start, a resize).
        var presented: CellBuffer?
        var pace = PaceWatch()
        lastBusy = clock()  // a replay opened `--from` a time fast-forwards from the first turn

        while !quit {
            if stopRequested() { return .stopped }
            let now = clock()
            // Wait for a key only as long as the next frame is due; not at all while a backlog
            // waits (a seek or a fast replay catching up: the source pauses while it is full).
            var untilDraw = dirty ? max(0, lastDraw + Self.minFrameInterval - now) : Self.idleRefresh
            if model.driver.alarms.hasFlashing, lastDraw.isFinite {
                // Up to the next change of a flash phase, so a flash is drawn when it changes.
                untilDraw = min(untilDraw, max(0, max(Self.nextFlashChange(after: lastDraw), lastDraw + Self.minFrameInterval) - now))
            }
            let catchingUp = inbox.count >= Self.catchUpBacklog
            // A replay fast-forwarding is never idle for a frame's wait: its reader hands more
            // within a millisecond, and applying it at once keeps both cores busy.
            let fastForwarding = playback != nil && (wasAhead || model.pendingSeek != nil) && now - lastBusy < Self.fastForwardIdle
            let keyWait = fastForwarding ? min(untilDraw, Self.fastForwardKeyWait) : min(untilDraw, Self.idleRefresh)
            var key = waitForKey(timeoutMs: catchingUp ? 0 : Int(saturating: (keyWait * 1000).rounded(.up)),
                                 nextSlot: lastDraw + Self.minFrameInterval)
            // Every key already typed is applied before drawing.
            while let pressed = key {
                if pressed == .resize { presented = nil }
                lastBusy = clock()
                model.alarmLogPath = recorder.path
                model.alarmLogPathNote = recorder.pathNote
                model.alarmLogDropped = recorder.droppedLines
                if model.press(pressed, playback: playback, alarmLog: recorder.recent) { quit = true }
                dirty = true
                key = terminal.readKey(timeoutMs: 0)
            }
            // The pass publishes through a lock and never makes the loop wait: the newest index, if any.
            if let markers, let latest = markers.latest(after: markersSeen) {
                model.recordingIndex = latest.index
                markersSeen = latest.generation
                dirty = true
            }
            if model.duration == nil, let seconds = length?.seconds {
                model.duration = seconds  // a gzip recording's length, found in the background
                dirty = true
            }
            // Sampled before the inbox is drained: after, it is almost always short.
            let backlog = inbox.count >= Self.catchUpBacklog
            // Alarms advance with time even when no data arrives (telemetry lost, hysteresis).
            let events = latency?.drain(inbox) ?? inbox.drain()
            if !events.isEmpty { lastBusy = clock() }
            if model.driver.step(events: events, now: clock(), recorder: recorder).applied {
                model.settleSeek()
                dirty = true
            }
            if model.followReplay(now: clock(), playback: playback) { dirty = true }
            if playback != nil || markers != nil {
                pace.observe(wall: clock(), session: model.driver.state.sessionTime,
                             speed: playback?.current.speed ?? 1, backlog: backlog, seeking: model.pendingSeek != nil)
                if pace.ahead != wasAhead {
                    // A catch-up ended: what it decoded is freed, and given back before the pass
                    // (or the pass again) takes memory of its own — the replay's peak stays low.
                    if !pace.ahead { SystemCalls.releaseFreedMemory() }
                    wasAhead = pace.ahead
                }
            }
            if let markers {
                // The marker pass starts once the replay plays at its pace, and waits whenever it
                // runs ahead of it (opening `--from` a time, a seek's catch-up): the screen gets
                // there first, with both cores.
                markers.holdBack(pace.ahead)
                if !pace.ahead { markers.start() }
            }
            if let fatal = model.driver.fatal { return .fatal(fatal) }
            if model.refreshAlarmLog(recorder.recent, dropped: recorder.droppedLines, path: recorder.path,
                                     pathNote: recorder.pathNote) { dirty = true }
            if let problem = recorder.takeProblem() {
                model.showMessage(title: "Alarm log", lines: [problem, "Alarms are still shown and kept on screen (l)."])
                dirty = true
            }
            if model.showQueuedMessage() { dirty = true }
            let bells = model.driver.alarms.bellsDue(at: model.driver.alarms.now)
            if bells > 0 && !quiet {
                for _ in 0..<min(bells, 5) { terminal.bell() }
            }
            if model.driver.alarms.hasFlashing { dirty = true }  // the flash phases move
            let t = clock()
            guard (dirty && t - lastDraw >= Self.minFrameInterval) || t - lastDraw >= Self.idleRefresh else { continue }
            let size = terminal.size
            if buffer.width != size.width || buffer.height != size.height {
                buffer = CellBuffer(width: size.width, height: size.height)
            }
            model.frame(now: t, wallClock: wallClock(), playback: playback?.current).render(into: &buffer, state: &model.view)
            let changes = buffer.changes(from: presented)
            if !changes.isEmpty {
                terminal.present(buffer, changes: changes)
                presented = buffer
            }
            latency?.presented()  // the screen is current, changed or not
            lastDraw = t
            dirty = false
        }
        return .quit
    }

    /// How often a live console looks at its inbox while it waits for a key: a frame slot.
    static let liveLookMs = Int((minFrameInterval * 1000).rounded(.up))

    /// Waits up to `timeoutMs` for a key. A live console stops waiting, at the next look, once
    /// events wait in its inbox: a frame is on screen at most a slot after its bytes arrived
    /// (a gateway at 1 kHz was shown up to a quarter of a second late). Its first look is at
    /// `nextSlot`, when the next frame may be drawn. A replay or the demo waits the whole time.
    private func waitForKey(timeoutMs: Int, nextSlot: Double) -> Key? {
        guard model.mode == .live else { return terminal.readKey(timeoutMs: timeoutMs) }
        var left = timeoutMs
        let untilSlot = nextSlot.isFinite ? Int(saturating: ((nextSlot - clock()) * 1000).rounded(.up)) : Self.liveLookMs
        var look = min(max(1, untilSlot), Self.liveLookMs)
        while true {
            look = min(left, look)
            if let key = terminal.readKey(timeoutMs: look) { return key }
            left -= look
            if left <= 0 || !inbox.isEmpty { return nil }
            look = Self.liveLookMs
        }
    }

    /// The flash rates of `AlarmEngine.isLitPhase`: high 2 Hz, medium 0.6 Hz, each lit for the
    /// first half of its period (low is steady).
    static let flashHz: [Double] = [2, 0.6]

    /// The first time after `t` at which a flashing alarm turns on or off.
    static func nextFlashChange(after t: Double) -> Double {
        flashHz.map { hz in
            let half = 0.5 / hz
            return ((t / half).rounded(.down) + 1) * half
        }.min() ?? .infinity
    }
}

/// Whether a replay runs ahead of its playback speed: it fast-forwards (to a `--from` time, or
/// after a seek) rather than plays. Judged over a quarter of a second of wall time, and taken
/// to be ahead until first judged (a replay may open `--from` a time); at once while a seek is
/// under way or a backlog waits.
struct PaceWatch {
    private var mark: (wall: Double, session: Double)?
    private(set) var ahead = true
    /// Wall seconds each judgement spans.
    static let window = 0.25

    mutating func observe(wall: Double, session: Double, speed: Double, backlog: Bool, seeking: Bool = false) {
        if backlog || seeking {
            ahead = true
            mark = (wall, session)
            return
        }
        guard let mark else {
            self.mark = (wall, session)
            return
        }
        guard wall - mark.wall >= Self.window else { return }
        let rate = (session - mark.session) / (wall - mark.wall)
        // Twice the speed and a second to spare: playing never looks like fast-forwarding. A
        // move back is a seek's catch-up starting, not playing.
        ahead = rate < 0 || rate > 2 * speed + 1
        self.mark = (wall, session)
    }
}

