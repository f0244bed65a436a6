import SessionCore
import Telemetry
import TelemetrySources
import Terminal
import View

/// What a key asks for beyond the console's own state, as a value: `ConsoleModel.handle` returns
/// these and the loop carries them out (`ConsoleModel.perform` for all but `.quit`), so the model
/// itself touches neither the replay's controls nor anything else shared.
public enum ConsoleCommand: Sendable, Equatable {
    /// Leave the console.
    case quit
    /// Replay: pause, or resume.
    case togglePause
    /// Replay: the next speed preset up (`faster`) or down.
    case stepSpeed(faster: Bool)
    /// Replay: jump to session time `to` of the recording's session numbered `session`
    /// (`ReplayPosition`), reading on from the kept checkpoint `from` when there is one.
    case seek(to: Double, session: Int, from: ReplayCheckpoint?)
    /// Acknowledge one alarm, on the alarm engine's clock.
    case acknowledge(alarmID: String)
    /// Acknowledge every alarm, on the alarm engine's clock.
    case acknowledgeAll
    /// Pause the alarm sounds for the settings' time, on the alarm engine's clock.
    case pauseAudio
    /// End the audio pause, on the alarm engine's clock.
    case resumeAudio
    /// Open the alarm log (the `l` overlay) with the log's most recent lines.
    case showAlarmLog
    /// Replay, paused: exactly one frame forward, or back (reading again from `from`, a kept
    /// checkpoint before the frame on screen, when there is one).
    case stepFrame(forward: Bool, from: ReplayCheckpoint?)
    /// Replay: keep a bookmark (its `createdAt` is filled in when carried out).
    case addBookmark(Bookmark)
}

/// The console's render-time state, as ratatui keeps a StatefulWidget's: the scroll offsets the
/// keys move and the render clamps, and what the last render found (how far each panel can
/// scroll, which layout is on screen). It is passed explicitly to `ConsoleFrame.render`, the only
/// code that writes `maxScroll` and `shownLayout`.
public struct ConsoleViewState: Sendable, Equatable {
    /// Each panel's scroll offset.
    public var scroll: [PanelID: Int] = [:]
    /// The largest useful offset of each scrollable panel on the last screen drawn.
    public internal(set) var maxScroll: [PanelID: Int] = [:]
    /// Entry rows the alarm log overlay showed on the last screen drawn (its page).
    public internal(set) var alarmLogRows = 0
    /// The layout on screen (the requested one, or compact when the terminal is small); empty
    /// before the first render and while the terminal is too small for any.
    public internal(set) var shownLayout = ""
    /// The last screen drawn was the terminal-too-small notice: no overlay but the quit
    /// confirmation is drawn on it, so no other may take keys.
    public internal(set) var tooSmall = false
    /// The size of the last screen drawn (nil before the first): which layout a key acts on.
    public internal(set) var screenSize: TerminalSize?
    /// The panels' demands as the last screen laid them out (`LayoutMemory`): a list that
    /// shrinks keeps its rows for a while rather than move every panel at once.
    public internal(set) var layoutMemory = LayoutMemory()

    public init() {}
}

/// One screen of the console, built from the model at a moment (`ConsoleModel.frame`) and drawn
/// with the view state given to it (`render(into:state:)`), as a StatefulWidget is.
public struct ConsoleFrame: Sendable {
    public let session: SessionState
    public let context: ViewContext
    public let layout: Layout
    let catalog: LayoutCatalog

    /// Draws the whole screen into `buffer` (sized by the caller). Records in `view` how far each
    /// panel can scroll and which layout it drew, and clamps the scroll offsets to that.
    public func render(into buffer: inout CellBuffer, state view: inout ConsoleViewState) {
        let size = TerminalSize(width: buffer.width, height: buffer.height)
        let choice = LayoutChoice.resolve(requested: layout, size: size, catalog: catalog)
        view.shownLayout = choice.layout?.name ?? ""
        view.screenSize = size
        if case .tooSmall = choice { view.tooSmall = true } else { view.tooSmall = false }
        var context = self.context
        context.scroll = view.scroll
        context.layoutMemory = view.layoutMemory
        let outcome = ConsoleView.render(state: session, context: context, choice: choice, into: &buffer)
        view.layoutMemory = outcome.layoutMemory
        view.maxScroll = outcome.maxScroll
        view.alarmLogRows = outcome.alarmLogRows ?? 0
        for (panel, limit) in outcome.maxScroll where (view.scroll[panel] ?? 0) > limit { view.scroll[panel] = limit }
    }
}

/// The console's state beyond the session: layout, focus, scrolling, overlays, and the session
/// itself (`driver`). Pure: `handle` takes a key, changes only the console's own state, reads the
/// session, and returns what must happen besides (`ConsoleCommand`); `frame` and `context` read
/// it. Tested without a terminal.
public struct ConsoleModel {
    public var driver: SessionDriver
    public let label: String
    public let catalog: LayoutCatalog
    public private(set) var layout: Layout
    public var overlay: Overlay?
    /// The alarm log's file, named in the `l` overlay's title (the loop sets it from the recorder).
    public var alarmLogPath: String?
    /// What the alarm log's file holds when not every line (`AlarmRecorder.pathNote`).
    public var alarmLogPathNote: String?
    /// How many of the alarm log's oldest lines the recorder has let go (`droppedLines`).
    public var alarmLogDropped = 0
    /// Messages that came while another overlay was open, shown in turn once none is
    /// (`showMessage`): a message never hides what someone is reading or answering.
    public private(set) var queuedMessages: [Overlay] = []
    static let queuedMessagesKept = 8
    public var focus: PanelID?
    /// Scroll offsets and what the last render found (`ConsoleFrame.render` writes it).
    public var view = ConsoleViewState()
    public var capabilities: (unicode: Bool, colors: Bool) = (true, true)
    public var duration: Double?
    /// A replay's whole-recording pass as it stands (the loop sets it from the marker pass):
    /// markers for the timeline, the jump keys and the history overlay.
    public var recordingIndex: RecordingIndex? {
        didSet { mergeBookmarks() }
    }
    /// The trainer's bookmarks of this recording (`FILE.marks.ndjson`), oldest first.
    public var bookmarks: [Bookmark] = [] {
        didSet { mergeBookmarks() }
    }
    /// `indexWithBookmarks`, merged when either changes rather than on every frame (up to
    /// 100,000 markers).
    public private(set) var indexWithBookmarks: RecordingIndex?
    /// Writes new bookmarks to the sidecar (nil: none can be kept, `bookmarksUnavailable` says why).
    public var bookmarkWriter: BookmarkWriter?
    public var bookmarksUnavailable = "bookmarks need a recording file"
    /// A bookmark's write failure still in the footer: said again on stderr at quit, as the
    /// trainer may have quit before reading it.
    public internal(set) var bookmarkProblemOnScreen: String?
    /// The replay's A–B loop (`[` and `]`): either end alone while the other is being chosen.
    public internal(set) var loopStart: ReplayPosition?
    public internal(set) var loopEnd: ReplayPosition?
    /// The footer's answer to a replay key, and when it was first shown (set by `followReplay`).
    public internal(set) var note: String?
    var noteShownAt: Double?
    /// The rate the replay really reaches (`followReplay` measures it).
    var speedMeter = ReplaySpeedMeter()
    /// Which layout is on screen now (the requested one, or compact when the terminal is small).
    public var shownLayout: String { view.shownLayout }
    /// `c` hid the caption band (in every layout, until `c` again).
    public var captionHidden = false

    /// The layout the next screen shows: the requested one, or compact, at the last screen's
    /// size (so a key right after `L` acts on the layout `L` chose); nil before the first
    /// screen and while the terminal is too small for any.
    var layoutOnScreen: Layout? {
        guard let size = view.screenSize else { return nil }
        return LayoutChoice.resolve(requested: layout, size: size, catalog: catalog).layout
    }

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
    public private(set) var pendingSeek: (target: Double, session: Int, id: Int)?

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

    /// Applies one key to the console's own state (overlays, focus, scrolling, the selection, the
    /// layout) and returns what else must happen, for the loop to carry out in order.
    public mutating func handle(_ key: Key) -> [ConsoleCommand] {
        if overlay == .confirmQuit {
            overlay = nil
            return key == .character("y") || key == .character("Y") ? [.quit] : []
        }
        // A terminal too small shows no overlay but the quit confirmation: keys act as the screen
        // shows. The alarm log and the help close (they are opened again at will); a message
        // stays for when the terminal grows, without taking keys meanwhile.
        if view.tooSmall {
            if case .alarmLog = overlay { overlay = nil }
            if case .history = overlay { overlay = nil }
            if case .prompt = overlay { overlay = nil }
            if overlay == .help { overlay = nil }
        }
        if case .message = overlay, key != .resize, !view.tooSmall {
            overlay = nil
            // A message may appear just as someone acknowledges: the alarm keys still do their work.
            guard [Key.character("a"), .character("A"), .character("p")].contains(key) else { return [] }
        }
        // The alarm keys work over the log (when no search is being typed): an alarm raised
        // while reading it can be acknowledged and its sound paused without closing it.
        if case .alarmLog(var log) = overlay,
           log.editing || ![Key.character("a"), .character("A"), .character("p")].contains(key) {
            overlay = handleAlarmLog(key, &log) ? nil : .alarmLog(log)
            return key == .control(3) ? [.quit] : []
        }
        if case .prompt(var prompt) = overlay {
            return key == .control(3) ? [.quit] : handlePrompt(key, &prompt)
        }
        if case .history(var history) = overlay,
           history.list.editing || ![Key.character("a"), .character("A"), .character("p")].contains(key) {
            return key == .control(3) ? [.quit] : handleHistory(key, &history)
        }
        if mode == .replay, let commands = handleReplayKey(key) { return commands }
        switch key {
        case .character("q"), .character("Q"):
            if mode != .live { return [.quit] }
            overlay = .confirmQuit
        case .control(3):
            return [.quit]
        case .character("?"):
            if view.tooSmall { break }
            overlay = overlay == .help ? nil : .help
        case .escape:
            overlay = nil
        case .character("a"):
            let listed = driver.alarms.alarms
            if let k = selectedRow(in: listed) { return [.acknowledge(alarmID: listed[k].id)] }
        case .character("A"):
            return [.acknowledgeAll]
        case .character("p"):
            return [driver.alarms.audioPausedUntil != nil ? .resumeAudio : .pauseAudio]
        case .character("l"):
            if view.tooSmall { break }  // it could not be shown
            return [.showAlarmLog]
        case .character("c"):
            // Only a band on screen can be hidden: elsewhere `c` would hide the band of a layout
            // chosen later (`L`, a larger terminal) unasked.
            if layoutOnScreen?.panels.contains(.caption) == true { captionHidden.toggle() }
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
            return [.togglePause]
        case .character("+") where mode == .replay, .character("=") where mode == .replay:
            return [.stepSpeed(faster: true)]
        case .character("-") where mode == .replay:
            return [.stepSpeed(faster: false)]
        // `<` and `>` too: an ASCII footer offers them for the arrows it cannot draw.
        case .left where mode == .replay, .character("<") where mode == .replay:
            return [seek(by: -5)]
        case .right where mode == .replay, .character(">") where mode == .replay:
            return [seek(by: 5)]
        default:
            break
        }
        return []
    }

    /// A key while the alarm log is open: scrolling, searching (`/` text Enter, `n`/`N`), and
    /// Escape or `l` to close it (returns true). Other keys do nothing, so a stray one does not
    /// lose the place.
    private func handleAlarmLog(_ key: Key, _ log: inout AlarmLogBrowser) -> Bool {
        log.rows = max(1, view.alarmLogRows)
        if log.editing {
            switch key {
            case .escape: log.editing = false
            case .enter: log.find(forward: true)
            case .backspace: if !log.query.isEmpty { log.query.removeLast() }
            case .character(let c) where log.query.count < 200: log.query.append(c)
            default: break
            }
            return false
        }
        let page = max(1, log.rows - 1)
        switch key {
        case .escape, .character("l"), .control(3): return true
        case .up, .character("k"): log.scroll(by: -1)
        case .down, .character("j"): log.scroll(by: 1)
        case .left, .character("h"): log.shift(by: -20)
        case .right: log.shift(by: 20)
        case .pageUp: log.scroll(by: -page)
        case .pageDown, .character(" "): log.scroll(by: page)
        case .home, .character("g"): log.scroll(by: -Int.saturationLimit)
        case .end, .character("G"): log.scroll(by: Int.saturationLimit)
        case .character("/"):
            log.startSearch()
        case .character("n"): log.find(forward: true)
        case .character("N"): log.find(forward: false)
        default: break
        }
        return false
    }

    /// Gives an open alarm log overlay the log's lines as they are now (new entries appear) and
    /// the file they go to (a new session opens a new one); returns whether anything changed.
    @discardableResult
    public mutating func refreshAlarmLog(_ lines: [String], dropped: Int = 0, path: String? = nil,
                                         pathNote: String? = nil) -> Bool {
        alarmLogPath = path
        alarmLogPathNote = pathNote
        guard case .alarmLog(var log) = overlay else { return false }
        let fileChanged = log.path != path || log.pathNote != pathNote
        log.path = path
        log.pathNote = pathNote
        if log.lines.count != lines.count || log.dropped != dropped || log.lines.last != lines.last {
            log.update(lines: lines, dropped: dropped)
        } else if !fileChanged {
            return false
        }
        overlay = .alarmLog(log)
        return true
    }

    /// Shows a message now if no overlay is open, else once none is (`showQueuedMessage`).
    public mutating func showMessage(title: String, lines: [String]) {
        let message = Overlay.message(title: title, lines: lines)
        guard overlay != nil else {
            overlay = message
            return
        }
        guard overlay != message, !queuedMessages.contains(message), queuedMessages.count < Self.queuedMessagesKept else { return }
        queuedMessages.append(message)
    }

    /// Shows the oldest queued message once no overlay is open; returns whether it did.
    @discardableResult
    public mutating func showQueuedMessage() -> Bool {
        guard overlay == nil, !queuedMessages.isEmpty else { return false }
        overlay = queuedMessages.removeFirst()
        return true
    }

    /// The alarm keys, for the footer and the help; the audio pause as long as the settings say.
    public static func alarmKeys(audioPause seconds: Double) -> [KeyBinding] {
        [
            KeyBinding(key: "a", short: "ack", help: "acknowledge the selected alarm (Tab to Alarms, ↑/↓ to select)", section: "Alarms"),
            KeyBinding(key: "A", short: "ack all", help: "acknowledge every alarm", section: "Alarms"),
            KeyBinding(key: "p", short: "audio pause",
                       help: "pause alarm sounds for \(NumberText.fixed(seconds, 0)) s (again: resume); a higher alarm breaks through",
                       section: "Alarms"),
            KeyBinding(key: "l", short: "alarm log",
                       help: "the alarm log: every entry, its file named; ↑/↓ PgUp/PgDn Home/End ←/→ scroll, / text Enter searches, n/N next/previous match, Esc or l closes",
                       section: "Alarms"),
        ]
    }

    /// The row of the selected alarm in `listed` (see `selectedAlarmID`); nil when none is listed.
    func selectedRow(in listed: [ActiveAlarm]) -> Int? {
        guard !listed.isEmpty else { return nil }
        if let id = selectedAlarmID, let k = listed.firstIndex(where: { $0.id == id }) { return k }
        return min(alarmSelection, listed.count - 1)
    }

    /// A jump by `seconds`, from the nearest kept checkpoint when there is one. Keys pressed while
    /// a seek is under way step from where it is going, not from where the replay happens to be
    /// on its way there.
    private func seek(by seconds: Double) -> ConsoleCommand {
        // Within the session under way: a recording's later session restarts its clock, so a
        // time alone would name a moment of the first session instead.
        // (`headPosition`: a jump to the end under way, whose target is not yet known, steps
        // from where the replay is, not from an infinite time.)
        let from = headPosition
        let start = driver.sessionSpans[from.session]?.start ?? 0
        // Back past the session's start: on into the end of the session before it, when known.
        if seconds < 0, from.t + seconds < start - 1e-9, from.session > 0,
           let previous = driver.sessionSpans[from.session - 1] {
            let t = max(previous.start, previous.end + seconds)
            return .seek(to: t, session: from.session - 1, from: driver.checkpoint(forSeekTo: t, session: from.session - 1))
        }
        let t = max(min(0, start), from.t + seconds)
        return .seek(to: t, session: from.session, from: driver.checkpoint(forSeekTo: t, session: from.session))
    }

    /// Forgets the seek under way once the source has carried it out and the replay has got
    /// there (or the recording ended short of it).
    public mutating func settleSeek() {
        guard let pending = pendingSeek, driver.lastSeek >= pending.id else { return }
        if driver.replayPosition >= ReplayPosition(session: pending.session, t: pending.target - 1e-6) || driver.sourceState == .ended {
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
            view.scroll[.alarms] = min(view.maxScroll[.alarms] ?? 0, alarmSelection)
            return
        }
        let limit = view.maxScroll[focus] ?? 0
        view.scroll[focus] = min(limit, max(0, (view.scroll[focus] ?? 0) + delta))
    }

    /// How long the source's latest log line stays in the header.
    static let sourceNoteSeconds = 30.0

    /// Sets `indexWithBookmarks`: the recording's markers with the bookmarks among them, in
    /// order; nil when no pass runs.
    private mutating func mergeBookmarks() {
        guard var index = recordingIndex else {
            indexWithBookmarks = nil
            return
        }
        if !bookmarks.isEmpty {
            index.markers += bookmarks.map {
                RecordingMarker(kind: .bookmark, session: $0.session, t: $0.t, id: "bookmark", text: $0.note)
            }
            index.markers.sort { ($0.session, $0.t) < ($1.session, $1.t) }
        }
        indexWithBookmarks = index
    }

    /// The view context for this moment; `playback` is a replay's pause and speed as they stand.
    public func context(now: Double, wallClock: String, playback: PlaybackControl.Settings?) -> ViewContext {
        var replay: ReplayStatus?
        if mode == .replay, let playback {
            replay = ReplayStatus(position: driver.state.sessionTime, duration: duration, speed: playback.speed,
                                  paused: playback.paused)
            replay?.session = driver.replayPosition.session
            replay?.ended = driver.sourceState == .ended
            // The loop's ends as times of the session on screen.
            replay?.loopStart = loopStart.flatMap { $0.session == driver.replayPosition.session ? $0.t : nil }
            replay?.loopEnd = loopEnd.flatMap { $0.session == driver.replayPosition.session ? $0.t : nil }
            if !playback.paused, replay?.ended == false { replay?.achievedSpeed = speedMeter.shortfall(of: playback.speed) }
        }
        let engine = driver.alarms
        let listed = engine.alarms  // built once: it formats every message and sorts
        let selected = selectedRow(in: listed)
        let rows = listed.enumerated().map { k, alarm in
            var row = AlarmRow(id: alarm.id, priority: alarm.priority, message: alarm.message, since: alarm.raisedAt,
                               acknowledged: alarm.acknowledged, latched: alarm.latched, source: alarm.source)
            row.lit = !alarm.flashing || AlarmEngine.isLitPhase(priority: alarm.priority, at: now)
            row.selected = k == selected
            row.unconfirmed = alarm.unconfirmed
            return row
        }
        // A replay shows the recording's own clock (started_at + t), or session time only.
        let shownClock = mode == .replay
            ? driver.state.info?.startedAtSeconds.flatMap { RecordingClock.clock(start: $0, t: driver.state.sessionTime) } ?? ""
            : wallClock
        var context = ViewContext(mode: mode, source: driver.sourceState, sourceLabel: label, now: now, wallClock: shownClock,
                                  replay: replay, unicode: capabilities.unicode, colors: capabilities.colors, focus: focus,
                                  scroll: view.scroll, alarms: rows, highestPriority: engine.highestPriority, overlay: overlay,
                                  alarmSettings: alarmSettings, extraKeys: alarmKeys)
        context.audioPausedFor = engine.audioPauseRemaining(at: engine.now)
        context.recording = driver.recording
        if mode == .replay { context.index = indexWithBookmarks }
        context.footerNote = note
        context.captionHidden = captionHidden
        // While connecting fails the header says why next to the state; the note would repeat it.
        context.connectFailure = driver.connectFailure
        if let at = driver.lastLogArrival, now - at < Self.sourceNoteSeconds, driver.connectFailure == nil,
           at >= driver.connectedAt ?? at {
            context.sourceNote = driver.log.last
        }
        return context
    }

    /// The screen for this moment, to draw with `render(into:state:)` and the model's `view`:
    /// `model.frame(…).render(into: &buffer, state: &model.view)`.
    public func frame(now: Double, wallClock: String, playback: PlaybackControl.Settings?) -> ConsoleFrame {
        ConsoleFrame(session: driver.state, context: context(now: now, wallClock: wallClock, playback: playback),
                     layout: layout, catalog: catalog)
    }
}

// MARK: - Carrying out commands (the loop's side)

extension ConsoleModel {
    /// Carries out a command `handle` returned, as the console loop does: the replay's controls
    /// through `playback`, the alarm engine on its own clock, the alarm log from `alarmLog` (its
    /// lines, newest last). `.quit` belongs to the loop and does nothing here.
    public mutating func perform(_ command: ConsoleCommand, playback: PlaybackControl?, alarmLog: [String] = []) {
        switch command {
        case .quit:
            break
        case .togglePause:
            playback?.togglePause()
        case .stepSpeed(let faster):
            playback?.stepSpeed(faster: faster)
        case .seek(let target, let session, let checkpoint):
            guard let playback else { return }
            pendingSeek = (target, session, playback.seek(to: target, session: session, from: checkpoint))
        case .acknowledge(let id):
            driver.alarms.acknowledge(id: id, at: driver.alarms.now)
        case .acknowledgeAll:
            driver.alarms.acknowledgeAll(at: driver.alarms.now)
        case .pauseAudio:
            driver.alarms.pauseAudio(at: driver.alarms.now)
        case .resumeAudio:
            driver.alarms.resumeAudio(at: driver.alarms.now)
        case .showAlarmLog:
            var log = AlarmLogBrowser(path: alarmLogPath, lines: alarmLog, dropped: alarmLogDropped)
            log.pathNote = alarmLogPathNote
            log.rows = max(1, view.alarmLogRows)
            overlay = .alarmLog(log)
        case .stepFrame(let forward, let checkpoint):
            performStep(forward: forward, from: checkpoint, playback: playback)
        case .addBookmark(var mark):
            mark.createdAt = BookmarkFile.now()
            bookmarks.append(mark)
            bookmarkWriter?.append(mark)
        }
    }

    /// Applies a key and carries out what it asks for at once (`handle`, then `perform`);
    /// returns whether it asked to quit. For code that drives a model without a loop (the
    /// fuzzer, tests) as much as for the loop.
    @discardableResult
    public mutating func press(_ key: Key, playback: PlaybackControl?, alarmLog: [String] = []) -> Bool {
        var quit = false
        for command in handle(key) {
            if command == .quit { quit = true }
            perform(command, playback: playback, alarmLog: alarmLog)
        }
        return quit
    }
}
