import SessionCore
import Telemetry
import TelemetrySources
import Terminal
import View

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The full-screen console: one loop where keys, source events and ticks update the model,
/// the view is rebuilt from it, and the terminal shows only what changed.
///
/// Input never waits on a source (sources post to an inbox from their own threads) and a source
/// never waits on the screen. At most 30 frames per second, and none while nothing changed.
public final class ConsoleApp {
    /// Events waiting beyond this many mean a source is ahead of the screen: drain without waiting for keys.
    static let catchUpBacklog = 2_000

    /// Whether the full-screen console can run here: standard output is a terminal and there is
    /// a keyboard (standard input, or the controlling terminal when standard input carries data).
    public static var terminalAvailable: Bool { CursesScreen.terminalAvailable }

    private let source: any TelemetrySource
    private let inbox: SourceInbox
    private let control: PlaybackControl?
    private let catalog: LayoutCatalog
    private var model: ConsoleModel

    /// - Parameters:
    ///   - control: pause/speed/seek of a replay (nil for live sources).
    ///   - layoutRequest: `--layout NAME|PATH`, or nil for the mode's default.
    ///   - length: the recording's length for the timeline (it may become known only later).
    private let recorder: AlarmRecorder
    private let quiet: Bool
    private let length: RecordingLength?

    public init(source: any TelemetrySource, inbox: SourceInbox, control: PlaybackControl?,
                layoutRequest: String?, catalog: LayoutCatalog = UserLayouts.catalog(), length: RecordingLength? = nil,
                alarmSettings: AlarmSettings = .defaults, recorder: AlarmRecorder = AlarmRecorder(destination: .none),
                quiet: Bool = false) {
        self.source = source
        self.inbox = inbox
        self.control = control
        self.catalog = catalog
        self.recorder = recorder
        self.quiet = quiet
        self.length = length
        self.model = ConsoleModel(mode: source.mode, label: source.label, catalog: catalog,
                                  layoutRequest: layoutRequest, duration: length?.seconds, alarmSettings: alarmSettings)
    }

    /// Runs until the user quits or the session cannot go on; returns the exit code.
    /// The terminal is restored on every path out (the screen's signal handlers cover signals).
    public func run() throws -> Int32 {
        let screen = try CursesScreen()
        defer { screen.stop() }
        installTerminationHandlers()
        source.start(sink: inbox.sink)
        defer { source.stop() }
        model.capabilities = (unicode: screen.capabilities.unicode, colors: screen.capabilities.colors)

        let minFrameInterval = 1.0 / 30
        let idleRefresh = 0.25  // clocks and stale timers move even when no data does
        var lastDraw = -Double.infinity
        var dirty = true
        var buffer = CellBuffer(width: 0, height: 0)
        var presented: CellBuffer?

        while !model.quit {
            if terminationWasRequested() { break }
            let now = MonotonicClock.now()
            // Wait for a key only as long as the next frame is due; not at all while a backlog
            // waits (a seek or a fast replay catching up: the source pauses while it is full).
            let untilDraw = dirty ? max(0, lastDraw + minFrameInterval - now) : idleRefresh
            let catchingUp = inbox.count >= Self.catchUpBacklog
            if let key = screen.readKey(timeoutMs: catchingUp ? 0 : Int(saturating: (min(untilDraw, idleRefresh) * 1000).rounded(.up))) {
                if key == .resize { screen.invalidate(); presented = nil }
                model.handle(key, control: control)
                dirty = true
                // Drain any keys already typed before drawing.
                while let more = screen.readKey(timeoutMs: 0) {
                    if more == .resize { screen.invalidate(); presented = nil }
                    model.handle(more, control: control)
                }
            }
            if model.duration == nil, let seconds = length?.seconds {
                model.duration = seconds  // a gzip recording's length, found in the background
                dirty = true
            }
            let events = inbox.drain()
            if !events.isEmpty {
                model.driver.handle(events, arrival: MonotonicClock.now())
                model.settleSeek()
                dirty = true
            }
            if model.driver.fatal != nil { break }
            // Alarms advance with time even when no data arrives (telemetry lost, hysteresis).
            model.driver.evaluateAlarms(arrivalNow: MonotonicClock.now())
            recorder.record(from: &model.driver)
            model.alarmLog = recorder.recent
            if let problem = recorder.takeProblem() {
                model.overlay = .message(title: "Alarm log", lines: [problem, "Alarms are still shown and kept on screen (l)."])
            }
            let bells = model.driver.alarms.bellsDue(at: model.driver.alarms.now)
            if bells > 0 && !quiet {
                for _ in 0..<min(bells, 5) { screen.bell() }
            }
            if model.driver.alarms.hasFlashing { dirty = true }  // the flash phases move
            let t = MonotonicClock.now()
            guard (dirty && t - lastDraw >= minFrameInterval) || t - lastDraw >= idleRefresh else { continue }
            let size = screen.size
            if buffer.width != size.width || buffer.height != size.height {
                buffer = CellBuffer(width: size.width, height: size.height)
            }
            model.render(into: &buffer, now: t, wallClock: WallClock.now(), control: control)
            if buffer != presented {
                screen.present(buffer)
                presented = buffer
            }
            lastDraw = t
            dirty = false
        }
        screen.stop()
        if let fatal = model.driver.fatal {
            FileHandleLite.standardError.write("surgtop: " + WireText.sanitize(fatal))
            return 1
        }
        return 0
    }
}

/// The console's state beyond the session: layout, focus, scrolling, overlays. Pure: keys in,
/// view context out, so it is tested without a terminal.
public struct ConsoleModel {
    public var driver: SessionDriver
    public let label: String
    public let catalog: LayoutCatalog
    public private(set) var layout: Layout
    public var overlay: Overlay?
    public var focus: PanelID?
    public var scroll: [PanelID: Int] = [:]
    public var maxScroll: [PanelID: Int] = [:]
    public var quit = false
    public var capabilities: (unicode: Bool, colors: Bool) = (true, true)
    public var duration: Double?
    /// Which layout is on screen now (the requested one, or compact when the terminal is small).
    public private(set) var shownLayout: String = ""

    /// The alarm log as text, newest last (the `l` overlay).
    public var alarmLog: [String] = []
    /// The alarm `a` acknowledges, moved with ↑/↓ while the Alarms panel has focus: by id, so a
    /// new alarm sorting above it does not move the selection to another; its row position is
    /// the fallback once it is gone.
    public var alarmSelection = 0
    public var selectedAlarmID: String?
    /// The alarm engine's settings, which do not change while the console runs: the screen
    /// colours values by the same rules (`ViewContext.alarmSettings`).
    private let alarmSettings: AlarmSettings
    private let alarmKeys: [KeyBinding]
    /// A seek asked for and not yet reached: its target and its number (see `PlaybackControl.seek`).
    public private(set) var pendingSeek: (target: Double, id: Int)?

    public init(mode: SessionMode, label: String, catalog: LayoutCatalog, layoutRequest: String?, duration: Double? = nil,
                alarmSettings: AlarmSettings = .defaults) {
        self.driver = SessionDriver(mode: mode, alarmSettings: alarmSettings)
        self.alarmSettings = alarmSettings
        alarmKeys = Self.alarmKeys(audioPause: alarmSettings.audioPauseSeconds)
        driver.keepsCheckpoints = mode == .replay  // ← resumes from them
        self.label = label
        self.catalog = catalog
        self.duration = duration
        let start = catalog.startingLayout(requested: layoutRequest, mode: mode)
        self.layout = start.layout
        if let error = start.error {
            overlay = .message(title: "Layout error", lines: [error.description, "Showing the \(start.layout.name) layout instead. Any key closes this."])
        }
    }

    public var mode: SessionMode { driver.mode }

    /// Applies one key.
    public mutating func handle(_ key: Key, control: PlaybackControl?) {
        if overlay == .confirmQuit {
            if key == .character("y") || key == .character("Y") { quit = true }
            overlay = nil
            return
        }
        if case .message = overlay, key != .resize {
            overlay = nil
            return
        }
        switch key {
        case .character("q"), .character("Q"):
            if mode == .live { overlay = .confirmQuit } else { quit = true }
        case .control(3):
            quit = true
        case .character("?"):
            overlay = overlay == .help ? nil : .help
        case .escape:
            overlay = nil
        case .character("a"):
            let listed = driver.alarms.alarms
            if let k = selectedRow(in: listed) {
                driver.alarms.acknowledge(id: listed[k].id, at: driver.alarms.now)
            }
        case .character("A"):
            driver.alarms.acknowledgeAll(at: driver.alarms.now)
        case .character("p"):
            if driver.alarms.audioPausedUntil != nil {
                driver.alarms.resumeAudio(at: driver.alarms.now)
            } else {
                driver.alarms.pauseAudio(at: driver.alarms.now)
            }
        case .character("l"):
            let lines = alarmLog.suffix(30)
            overlay = .message(title: "Alarm log", lines: lines.isEmpty ? ["No alarm activity yet."] : Array(lines))
        case .character("L"):
            if let next = catalog.next(after: layout.name) { layout = next }
            if let focus, !layout.focusOrder.contains(focus) { self.focus = nil }
        case .tab:
            focus = layout.nextFocus(after: focus)
        case .backTab:
            let order = layout.focusOrder
            if !order.isEmpty {
                let k = focus.flatMap { order.firstIndex(of: $0) } ?? 0
                focus = order[(k + order.count - 1) % order.count]
            }
        case .up, .character("k"): scrollFocused(by: -1)
        case .down, .character("j"): scrollFocused(by: 1)
        case .pageUp: scrollFocused(by: -10)
        case .pageDown: scrollFocused(by: 10)
        case .home: scrollFocused(by: -1_000_000)
        case .end: scrollFocused(by: 1_000_000)
        case .character(" ") where mode == .replay:
            control?.togglePause()
        case .character("+") where mode == .replay, .character("=") where mode == .replay:
            control?.stepSpeed(faster: true)
        case .character("-") where mode == .replay:
            control?.stepSpeed(faster: false)
        case .left where mode == .replay:
            seek(by: -5, control: control)
        case .right where mode == .replay:
            seek(by: 5, control: control)
        default:
            break
        }
    }

    /// The alarm keys, for the footer and the help; the audio pause as long as the settings say.
    public static func alarmKeys(audioPause seconds: Double) -> [KeyBinding] {
        [
            KeyBinding(key: "a", short: "ack", help: "acknowledge the selected alarm (Tab to Alarms, ↑/↓ to select)", section: "Alarms"),
            KeyBinding(key: "A", short: "ack all", help: "acknowledge every alarm", section: "Alarms"),
            KeyBinding(key: "p", short: "audio pause",
                       help: "pause alarm sounds for \(NumberText.fixed(seconds, 0)) s (again: resume); a higher alarm breaks through",
                       section: "Alarms"),
            KeyBinding(key: "l", short: "alarm log", help: "show the alarm log", section: "Alarms"),
        ]
    }

    /// The row of the selected alarm in `listed` (see `selectedAlarmID`); nil when none is listed.
    func selectedRow(in listed: [ActiveAlarm]) -> Int? {
        guard !listed.isEmpty else { return nil }
        if let id = selectedAlarmID, let k = listed.firstIndex(where: { $0.id == id }) { return k }
        return min(alarmSelection, listed.count - 1)
    }

    /// Asks the source to jump, from the nearest kept checkpoint when there is one.
    private mutating func seek(by seconds: Double, control: PlaybackControl?) {
        guard let control else { return }
        // Keys pressed while a seek is under way step from where it is going, not from where
        // the replay happens to be on its way there.
        let t = max(0, (pendingSeek?.target ?? driver.state.sessionTime) + seconds)
        let id = control.seek(to: t, from: driver.checkpoint(forSeekTo: t))
        pendingSeek = (t, id)
    }

    /// Forgets the seek under way once the source has carried it out and the replay has got
    /// there (or the recording ended short of it).
    public mutating func settleSeek() {
        guard let pending = pendingSeek, driver.lastSeek >= pending.id else { return }
        if driver.state.sessionTime >= pending.target - 1e-6 || driver.sourceState == .ended {
            pendingSeek = nil
        }
    }

    private mutating func scrollFocused(by delta: Int) {
        guard let focus = focus ?? layout.focusOrder.first else { return }
        self.focus = focus
        if focus == .alarms {
            // In the alarm list the arrows move the selection; the list scrolls to keep it in view.
            let listed = driver.alarms.alarms
            alarmSelection = min(max(0, listed.count - 1), max(0, (selectedRow(in: listed) ?? 0) + delta))
            selectedAlarmID = listed.isEmpty ? nil : listed[alarmSelection].id
            scroll[.alarms] = min(maxScroll[.alarms] ?? 0, alarmSelection)
            return
        }
        let limit = maxScroll[focus] ?? 0
        scroll[focus] = min(limit, max(0, (scroll[focus] ?? 0) + delta))
    }

    /// How long the source's latest log line stays in the header.
    static let sourceNoteSeconds = 30.0

    /// The view context for this moment.
    public func context(now: Double, wallClock: String, control: PlaybackControl?) -> ViewContext {
        var replay: ReplayStatus?
        if mode == .replay, let control {
            let settings = control.current
            replay = ReplayStatus(position: driver.state.sessionTime, duration: duration, speed: settings.speed,
                                  paused: settings.paused)
        }
        let engine = driver.alarms
        let listed = engine.alarms  // built once: it formats every message and sorts
        let selected = selectedRow(in: listed)
        let rows = listed.enumerated().map { k, alarm in
            var row = AlarmRow(id: alarm.id, priority: alarm.priority, message: alarm.message, since: alarm.raisedAt,
                               acknowledged: alarm.acknowledged, latched: alarm.latched, source: alarm.source)
            row.lit = !alarm.flashing || AlarmEngine.isLitPhase(priority: alarm.priority, at: now)
            row.selected = k == selected
            return row
        }
        var context = ViewContext(mode: mode, source: driver.sourceState, sourceLabel: label, now: now, wallClock: wallClock,
                                  replay: replay, unicode: capabilities.unicode, colors: capabilities.colors, focus: focus,
                                  scroll: scroll, alarms: rows, highestPriority: engine.highestPriority, overlay: overlay,
                                  alarmSettings: alarmSettings, extraKeys: alarmKeys)
        context.audioPausedFor = engine.audioPauseRemaining(at: engine.now)
        if let at = driver.lastLogArrival, now - at < Self.sourceNoteSeconds { context.sourceNote = driver.log.last }
        return context
    }

    /// Renders the whole screen into `buffer` (sized by the caller).
    public mutating func render(into buffer: inout CellBuffer, now: Double, wallClock: String, control: PlaybackControl?) {
        let size = TerminalSize(width: buffer.width, height: buffer.height)
        let choice = LayoutChoice.resolve(requested: layout, size: size, catalog: catalog)
        shownLayout = choice.layout?.name ?? ""
        let outcome = ConsoleView.render(state: driver.state, context: context(now: now, wallClock: wallClock, control: control),
                                         choice: choice, into: &buffer)
        maxScroll = outcome.maxScroll
        for (panel, limit) in maxScroll where (scroll[panel] ?? 0) > limit { scroll[panel] = limit }
    }
}
