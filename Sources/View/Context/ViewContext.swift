import SessionCore
import Telemetry

/// Where a replay stands, for the header, the timeline and the footer.
public struct ReplayStatus: Sendable, Equatable {
    /// Session time of the replay head.
    public var position: Double
    /// Session time of the recording's last frame, when known (an index was built).
    public var duration: Double?
    /// Playback speed, 1 = real time.
    public var speed: Double
    public var paused: Bool
    /// The session (ordinal in the recording, as `RecordingMarker.session`) the head is in:
    /// the timeline shows that session's markers.
    public var session = 0
    /// The rate the replay really reaches (session seconds per wall second) when it falls short
    /// of `speed` (the machine cannot keep up): the header shows this, never a speed it is not
    /// reaching. nil: it keeps up.
    public var achievedSpeed: Double?
    /// The replay has played the recording to its end.
    public var ended = false
    /// An A–B loop (`[` and `]`): either end may be set alone while the other is being chosen.
    public var loopStart: Double?
    public var loopEnd: Double?

    public init(position: Double, duration: Double? = nil, speed: Double = 1, paused: Bool = false) {
        self.position = position
        self.duration = duration
        self.speed = speed
        self.paused = paused
    }
}

/// Something drawn over the panels, centred.
public enum Overlay: Sendable, Equatable {
    /// Every key, by section.
    case help
    /// "Quit watching this live session? y / any other key".
    case confirmQuit
    /// A message: a layout error, a failed source…
    case message(title: String, lines: [String])
    /// The alarm log, scrolled and searched (`l`).
    case alarmLog(AlarmLogBrowser)
    /// A replay's typed line: a time to go to (`g`), a bookmark's note (`m`).
    case prompt(ReplayPrompt)
    /// Every marker of the recording, scrolled, searched and jumped to (`h`).
    case history(HistoryBrowser)
}

/// Everything the view needs beyond `SessionState`. The console loop fills it each frame.
public struct ViewContext: Sendable {
    /// LIVE, REPLAY or DEMO.
    public var mode: SessionMode
    /// What the source says of its connection or playback, and how it names itself.
    public var source: SourceState
    public var sourceLabel: String
    /// Monotonic seconds, the clock of `Stamp.arrival`.
    public var now: Double
    /// Wall-clock time as the console wants it shown ("14:03:27").
    public var wallClock: String
    /// Frames per second received; nil to use the session's own arrival rate.
    public var framesPerSecond: Double?
    /// Replay position, duration, speed and pause; nil when not replaying.
    public var replay: ReplayStatus?
    /// The source's latest log line (a refusal, a dropped peer, a retry) while it is news.
    public var sourceNote: String?
    /// Why the last attempt to connect failed, while connecting ("connection refused").
    public var connectFailure: String?
    public var glyphs: Glyphs
    public var theme: Theme
    /// The panel that has the keyboard (scrolling), drawn with a double border.
    public var focus: PanelID?
    /// Scroll offset per panel, in rows (events: rows back from the newest). The view clamps it;
    /// `RenderOutcome.maxScroll` tells the console the useful maximum.
    public var scroll: [PanelID: Int]
    /// Seconds without an update after which a live panel says STALE.
    public var staleAfter: Double
    /// The alarms to list: the console builds them from the alarm engine's list (the robot's
    /// alarms and its own), with their flash phase and the selection.
    public var alarms: [AlarmRow]
    /// The highest priority among alarms that need attention, for the header; nil to derive
    /// it from the unacknowledged `alarms`.
    public var highestPriority: AlarmPriority?
    public var overlay: Overlay?
    /// Seconds left of an audio pause (`p`), shown as a countdown in the header.
    public var audioPausedFor: Double?
    /// The alarm settings the alarm engine runs with: values are coloured and marked by their
    /// level functions (see `AlarmSettings.linkLevel` and ConditionLevels.swift).
    public var alarmSettings: AlarmSettings
    /// Keys beyond the built-in ones, for the footer and help: the console's alarm keys.
    public var extraKeys: [KeyBinding]
    /// `--record`: the recording's size and state for the header (nil when not recording).
    public var recording: RecordingStatus?
    /// A replay's whole-recording pass: its markers (bookmarks among them) and progress, for
    /// the timeline. nil when not replaying.
    public var index: RecordingIndex?
    /// A short answer to a replay key, shown at the left of the footer for a few seconds ("no
    /// later alarm raise", "bookmark saved"): news that must not hide the screen as a box would.
    public var footerNote: String?
    /// `c` hid the caption band: a layout's `caption` panel gives its rows to the others.
    public var captionHidden = false
    /// The panels' demands on the screens before this one (`LayoutMemory`): a list that
    /// shrinks keeps its rows for a while. The console passes back what the last render returned.
    public var layoutMemory = LayoutMemory()

    public init(mode: SessionMode, source: SourceState, sourceLabel: String = "", now: Double,
                wallClock: String = "", framesPerSecond: Double? = nil, replay: ReplayStatus? = nil,
                unicode: Bool = true, colors: Bool = true, focus: PanelID? = nil, scroll: [PanelID: Int] = [:],
                staleAfter: Double = 1, alarms: [AlarmRow] = [], highestPriority: AlarmPriority? = nil,
                overlay: Overlay? = nil, alarmSettings: AlarmSettings = .defaults, extraKeys: [KeyBinding] = []) {
        self.mode = mode
        self.source = source
        self.sourceLabel = sourceLabel
        self.now = now
        self.wallClock = wallClock
        self.framesPerSecond = framesPerSecond
        self.replay = replay
        self.glyphs = unicode ? .utf8 : .ascii  // shared, not rebuilt every frame
        self.theme = Theme(colors: colors)
        self.focus = focus
        self.scroll = scroll
        self.staleAfter = staleAfter
        self.alarms = alarms
        self.highestPriority = highestPriority
        self.overlay = overlay
        self.alarmSettings = alarmSettings
        self.extraKeys = extraKeys
    }

    /// Whether data can go stale: only a live source promises fresh data. A replay or a demo
    /// that reached the end of its recording is quiet, not stale.
    public var staleApplies: Bool { mode == .live }

    /// Seconds since `stamp` when that is past the stale threshold of a live source, else nil.
    public func staleAge(of stamp: Stamp?) -> Double? {
        guard staleApplies, let age = SessionState.age(of: stamp, now: now), age > staleAfter else { return nil }
        return age
    }

    /// The scroll offset asked for a panel (never negative).
    public func scrollOffset(_ panel: PanelID) -> Int {
        max(0, scroll[panel] ?? 0)
    }
}
