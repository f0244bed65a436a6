import DequeModule
import SessionCore
import Telemetry
import TelemetrySources

/// Applies what a source reports to the session state: the one place where source events
/// become state, and the one body of every runner's loop (`step`: the console, the headless
/// runner, snapshots).
public struct SessionDriver: Sendable {
    public let mode: SessionMode
    public private(set) var state: SessionState
    public private(set) var sourceState: SourceState = .connecting(attempt: 1)
    /// Log lines from the source (refusals, retries, damaged files), newest last.
    public private(set) var log: Deque<String> = []
    /// When the newest line came (arrival time), so a screen can show it while it is news.
    public private(set) var lastLogArrival: Double?
    /// Set when a replay cannot go on (a session frame of an unknown version). A live source
    /// never ends on it: the stream is refused (TELEMETRY.VERSION) and the source goes on.
    public private(set) var fatal: String?
    /// What is known of the source beyond its frames: silent since connecting, a refused format
    /// version, arm samples dropped in a flood (the alarms on the telemetry stream read it).
    public private(set) var health = SourceHealth()
    /// `--record`: how the recording stands (nil when not recording).
    public private(set) var recording: RecordingStatus?
    /// Why the last attempt to connect failed ("connection refused", "cannot resolve gw.local"),
    /// until a connection is up: the header shows it next to "connecting (attempt 5)".
    public private(set) var connectFailure: String?
    /// The failure last listed in the Events panel, so one that repeats on every retry is listed once.
    private var listedFailure: String?
    /// When the source last reported a connection up (arrival time): log lines from before it
    /// ("cannot connect…") are no longer news.
    public private(set) var connectedAt: Double?
    /// A refused stream's lines are not applied until a valid session frame (or a new connection).
    private var ignoringStream = false
    private var ignoredLines = 0
    /// The lines logged during the `step` under way (nil outside one).
    private var stepLog: [String]?
    /// When the current run of drops began (arrival time), and how many it dropped.
    private var droppingSince: Double?
    private var droppedInEpisode = 0
    /// Device and derived alarms (IEC 60601-1-8): acknowledgement, latching, audio.
    public var alarms: AlarmEngine
    private let limits: HistoryLimits
    /// States kept at a replay's checkpoints, so a seek back resumes there.
    public private(set) var checkpoints = ReplayCheckpoints()
    /// Whether to keep them: only a console that can seek needs them (they cost memory).
    public var keepsCheckpoints = false
    /// The number of the last seek the source carried out (`SourceEvent.seeked`).
    public private(set) var lastSeek = 0
    /// The local wall-clock time ("14:03:22", as the header shows it) that starts each
    /// connection event's text: session time stands still while the connection is down.
    public var wallClock: @Sendable () -> String = WallClock.now

    /// Where sessions start (spec §3): a live source that reports its connections restarts a
    /// session of the same id only on a new connection; a file or standard input anywhere its
    /// clock goes back (`SessionClock`, the rule `check` and `report` use too).
    public private(set) var sessionClock: SessionClock
    /// The connection events of the connection under way (from its "connected" on), listed
    /// again in a new session's Events panel, so a technician sees why the session changed.
    private var connectionEvents: [String] = []

    public init(mode: SessionMode, limits: HistoryLimits = HistoryLimits(), alarmSettings: AlarmSettings = .defaults) {
        self.mode = mode
        self.limits = limits
        self.state = SessionState(limits: limits)
        self.alarms = AlarmEngine(settings: alarmSettings)
        self.sessionClock = SessionClock(rule: mode == .live ? .afterReconnect : .anywhere)
    }

    /// Sets where a same-id session may restart: `.anywhere` for a source without connection
    /// events (a file or standard input, even under `live -`). Call before the first event.
    public mutating func setRestartRule(_ rule: SessionClock.RestartRule) {
        sessionClock = SessionClock(rule: rule)
    }

    /// The replay position now: the session (how many started before it in the recording)
    /// and its time.
    public var replayPosition: ReplayPosition {
        ReplayPosition(session: sessionClock.ordinal, t: state.sessionTime)
    }

    /// The checkpoint to resume from for a seek to session time `t` of the current session (or
    /// of `session`, counted as in `replayPosition`): the latest at or before it, if resuming
    /// there saves reading (it lies behind `t` but after where reading would otherwise start).
    public func checkpoint(forSeekTo t: Double, session: Int? = nil) -> ReplayCheckpoint? {
        checkpoints.latest(atOrBefore: ReplayPosition(session: session ?? sessionClock.ordinal, t: t))
    }

    /// Re-evaluates every alarm condition; call after each batch of events and on ticks, so
    /// missing data and hysteresis timers advance even when nothing arrives.
    public mutating func evaluateAlarms(arrivalNow: Double) {
        if let since = droppingSince, let last = health.lastDrop, arrivalNow - last >= Self.caughtUpAfter {
            appendLog("caught up: \(droppedInEpisode) arm samples dropped over \(NumberText.fixed(last - since, 1)) s", at: arrivalNow)
            droppingSince = nil
        }
        alarms.evaluate(state, arrivalNow: arrivalNow, sourceIsLive: mode != .replay, source: health)
        state.robotClears.forget(through: alarms.robotClearsTaken)  // logged: not kept in checkpoints
    }

    // MARK: - One step of a runner

    /// The body every runner's loop shares (the console, the headless runner, a snapshot): applies
    /// a batch of events that arrived at `now` (what the inbox held), evaluates the alarms at `now`
    /// (they advance with time even when nothing arrives: telemetry lost, hysteresis) and hands
    /// the alarm log's new entries to `recorder`. Returns what the step did.
    @discardableResult
    public mutating func step(events: [SourceEvent], now: Double, recorder: AlarmRecorder? = nil) -> Step {
        stepLog = []
        let applied = handle(events, arrival: now)
        return finishStep(applied: applied, now: now, recorder: recorder)
    }

    /// The same for one event, evaluated at its own time (a snapshot reading a recording frame by
    /// frame: arrival follows session time).
    @discardableResult
    public mutating func step(event: SourceEvent, now: Double, recorder: AlarmRecorder? = nil) -> Step {
        stepLog = []
        handle(event, arrival: now)
        return finishStep(applied: true, now: now, recorder: recorder)
    }

    private mutating func finishStep(applied: Bool, now: Double, recorder: AlarmRecorder?) -> Step {
        evaluateAlarms(arrivalNow: now)
        recorder?.record(from: &self)
        defer { stepLog = nil }
        return Step(applied: applied, logged: stepLog ?? [])
    }

    /// What one `step` did.
    public struct Step: Sendable, Equatable {
        /// Whether any event was applied (the screen needs building again).
        public var applied: Bool
        /// Every line logged during the step, oldest first: all of them, even when a burst
        /// brought more than the 200 `log` keeps.
        public var logged: [String]
    }

    /// Seconds without a drop after which a flood is over (said once in the log).
    public static let caughtUpAfter = 2.0

    /// Applies a batch of events received at `arrival` (monotonic seconds).
    /// Returns whether anything changed.
    @discardableResult
    public mutating func handle(_ events: [SourceEvent], arrival: Double) -> Bool {
        guard !events.isEmpty else { return false }
        var evaluatedAt = state.sessionTime
        // Whether events were applied since the last evaluation.
        var unevaluated = false
        for event in events {
            // A frame that moves session time on by a step or more: first evaluate the state as it
            // stands, so what arose before the jump is raised (and logged) at its own time, not at
            // the next frame's (a fast replay of sparse frames logged t = 1 alarms at t = 9).
            if unevaluated, case .decoded(.frame(let frame)) = event, frame.t >= state.sessionTime + Self.evaluationStep {
                evaluateAlarms(arrivalNow: arrival)
                evaluatedAt = state.sessionTime
                unevaluated = false
            }
            handle(event, arrival: arrival)
            unevaluated = true
            // A long batch (a replay catching up after a seek) spans many seconds of session
            // time: evaluate the alarms along the way, as playing it would, not just at its end,
            // so a condition that came and went inside it is still raised, logged and cleared.
            if state.sessionTime < evaluatedAt {
                evaluatedAt = state.sessionTime  // started over
            } else if state.sessionTime >= evaluatedAt + Self.evaluationStep {
                evaluateAlarms(arrivalNow: arrival)
                evaluatedAt = state.sessionTime
                unevaluated = false
            }
        }
        return true
    }

    /// Session seconds between alarm evaluations inside one batch of events (the timing rules
    /// work in whole seconds: sustain 1 s, clear after 2 s).
    public static let evaluationStep = 0.1

    public mutating func handle(_ event: SourceEvent, arrival: Double) {
        switch event {
        case .decoded(let outcome):
            apply(outcome, arrival: arrival)
        case .state(let newState):
            if case .connected = newState, health.silentSince == nil {
                if case .connected = sourceState {} else { health.silentSince = arrival }
            }
            if case .connected = newState {
                connectFailure = nil
                connectedAt = arrival
            }
            sourceState = newState
        case .connection(let event):
            listConnection(event)
        case .reset:
            ignoringStream = false  // a new connection: its stream is judged afresh
            if mode == .live {
                // A new connection: keep what we know, but don't count the restart as a gap;
                // robot alarms raised before it wait for the gateway's `sync` (Resync.swift).
                state.sourceRestarted()
                state.expectSync()
                sessionClock.reconnect()
            } else {
                // A seek backwards or a restart of a recording: rebuild from what follows,
                // alarms included (they are recomputed from the recording).
                state = SessionState(limits: limits)
                alarms.reset()
                sessionClock = SessionClock(rule: sessionClock.rule)
            }
        case .checkpoint(let checkpoint):
            if keepsCheckpoints { checkpoints.keep(checkpoint, state: state, alarms: alarms) }
        case .seeked(let id):
            lastSeek = id
        case .resumed(let checkpoint):
            sessionClock = checkpoint.sessionClock
            if let kept = checkpoints.state(at: checkpoint) {
                state = kept.state
                alarms.restore(from: kept.alarms)
            } else {
                // Not kept (cannot happen for a checkpoint this driver handed out): start empty.
                state = SessionState(limits: limits)
                alarms.reset()
            }
        case .log(let line):
            appendLog(line, at: arrival)
        case .dropped(let run):
            // Arm samples the inbox dropped in a flood: not applied, but received (frames/s),
            // and in the stream's order, so they are not taken for frames lost upstream.
            state.counters.order.observeDropped(firstT: run.firstT, lastT: run.lastT, firstSeq: run.firstSeq,
                                                lastSeq: run.lastSeq, outOfOrder: run.outOfOrder,
                                                sequenceGaps: run.sequenceGaps, missingFrames: run.missingFrames)
            state.arrivalRate.record(at: arrival, count: run.count)
            health.droppedFrames = health.droppedFrames.saturatingAdd(run.count)
            health.lastDrop = arrival
            if droppingSince == nil {
                droppingSince = arrival
                droppedInEpisode = 0
                appendLog("falling behind: frames arrive faster than the console can apply them; dropping arm samples "
                    + "(session, link, instrument, alarm and event frames are all kept)", at: arrival)
            }
            droppedInEpisode = droppedInEpisode.saturatingAdd(run.count)
        case .recording(let status):
            recording = status
            health.recordingFailure = status.failure
        }
    }

    /// Applies one decoded line. A session frame of an unknown format version ends a replay;
    /// a live stream is refused instead: TELEMETRY.VERSION is raised, its lines are ignored
    /// until a valid session frame (the TCP sources also close that connection and go on).
    private mutating func apply(_ outcome: DecodeOutcome, arrival: Double) {
        if case .error(let error) = outcome, case .unsupportedVersion(let version) = error.kind {
            if mode == .replay {
                if fatal == nil { fatal = "line \(error.line): \(error.reason)" }
            } else {
                if health.refusedVersion != version {
                    appendLog("refused the stream: line \(error.line): \(error.reason); waiting for a version 1 session frame", at: arrival)
                }
                health.refusedVersion = version
                ignoringStream = true
                ignoredLines = 0
            }
            state.apply(outcome, arrival: arrival)
            return
        }
        if ignoringStream {
            guard case .frame(let frame) = outcome, case .session = frame.body else {
                ignoredLines += 1
                return
            }
            ignoringStream = false
            appendLog("a version 1 session frame arrived: stream accepted (\(ignoredLines) lines of the refused stream ignored)", at: arrival)
        }
        if case .frame(let frame) = outcome {
            health.silentSince = nil
            if case .session = frame.body { health.refusedVersion = nil }
            if let identity = sessionClock.observe(frame), identity.startsNewSession, case .session(let info) = frame.body {
                startNewSession(info, identity: identity, frame: frame, arrival: arrival)
                return
            }
        }
        state.apply(outcome, arrival: arrival)
    }

    /// Spec §3, session identity: a session frame with a new id (or the same id with its clock
    /// gone back: the source restarted) ends the session held. Nothing of it carries over: a
    /// fresh state and alarm engine; the ended session's last alarm-log entries and the
    /// announcement wait in `sessionBoundaries` for the alarm recorder, which starts a new log.
    private mutating func startNewSession(_ info: SessionInfo, identity: SessionIdentity, frame: Frame, arrival: Double) {
        // The frames applied since the last evaluation belong to the ended session: its alarms
        // must see them (at its own time) before its log is closed.
        evaluateAlarms(arrivalNow: arrival)
        let previous = state.info
        let text = identity.announcement(newID: info.id, at: frame.t) ?? "new session"
        let boundary = SessionBoundary(endedAt: alarms.now, endedLog: alarms.drainLog(), previous: previous,
                                       next: info, startT: frame.t, text: text)
        if sessionBoundaries.count >= Self.boundariesKept {
            // More sessions in one step than are kept apart: the latest boundary takes the rest,
            // with their alarm-log entries (never dropped).
            sessionBoundaries[sessionBoundaries.count - 1].folded.append(boundary)
        } else {
            sessionBoundaries.append(boundary)
        }
        sessionsStarted = sessionsStarted.saturatingAdd(1)
        let ordinal = sessionClock.ordinal  // the new session's (`observe` counted it)
        if ordinal > 0, sessionSpans.count < Self.sessionSpansKept || sessionSpans[ordinal] != nil {
            let endedStart = sessionSpans[ordinal - 1]?.start ?? min(0, state.sessionTime)
            sessionSpans[ordinal - 1] = SessionSpan(start: endedStart, end: state.sessionTime)
            sessionSpans[ordinal] = SessionSpan(start: frame.t, end: sessionSpans[ordinal]?.end ?? frame.t)
        }
        let rate = state.arrivalRate
        state = SessionState(limits: limits)
        state.arrivalRate = rate  // frames/s describes the stream, which goes on
        alarms.reset()
        // Arm samples dropped in a flood were the ended session's: TELEMETRY.DROPPED starts afresh.
        health.droppedFrames = 0
        health.lastDrop = nil
        droppingSince = nil
        droppedInEpisode = 0
        state.apply(frame, arrival: arrival)
        // Live, with the wall-clock time (session time stands still during an outage); a replay's
        // session time tells the moment, and today's clock would say nothing of the recording.
        state.recordConnectionEvent(mode == .live ? wallClock() + " " + text : text)
        for event in connectionEvents { state.recordConnectionEvent(event) }
        appendLog(text, at: arrival)
    }

    /// Where each session of a recording started and ended (session time), by its ordinal
    /// (`replayPosition.session`): learnt as the replay passes them and kept across seeks, so
    /// a step back from a session's start can go on into the session before it.
    public private(set) var sessionSpans: [Int: SessionSpan] = [:]
    /// Sessions whose span is kept: a stream starting a new session on every line must not
    /// grow it without bound (the step back then stops at the session's start).
    static let sessionSpansKept = 4096

    /// Session boundaries the alarm recorder has not taken yet: at most `boundariesKept`, the
    /// last of them holding any more (`SessionBoundary.folded`).
    public private(set) var sessionBoundaries: [SessionBoundary] = []
    static let boundariesKept = 16
    /// How many times a new session replaced the one held (0 for the first session).
    public private(set) var sessionsStarted = 0

    /// Hands over the session boundaries not yet taken, oldest first.
    public mutating func takeSessionBoundaries() -> [SessionBoundary] {
        defer { sessionBoundaries.removeAll() }
        return sessionBoundaries
    }

    /// Lists a connection event in the Events panel (kind `connection`) and keeps why connecting
    /// fails. A failure that repeats the same way on every retry is listed once; the header
    /// shows it meanwhile.
    private mutating func listConnection(_ event: ConnectionEvent) {
        switch event {
        case .cannotConnect(_, let reason):
            connectFailure = reason
            guard listedFailure != reason else { return }
            listedFailure = reason
        case .connected, .gatewayConnected:
            connectFailure = nil
            listedFailure = nil
            connectionEvents = []
        case .lost, .dropped:
            listedFailure = nil
        case .refusedGateway:
            break
        }
        let clock = wallClock()
        state.recordConnectionEvent(event.text, pattern: event.pattern, clock: clock)
        // Kept for a new session that this connection brings (its entries start afresh).
        if connectionEvents.count < Self.connectionEventsKept { connectionEvents.append(clock + " " + event.text) }
    }

    /// Connection events of one connection listed again in a new session (the first ones:
    /// "connected to …", a refused second gateway).
    static let connectionEventsKept = 4

    private mutating func appendLog(_ line: String, at arrival: Double) {
        lastLogArrival = arrival
        if log.count == 200 { log.removeFirst() }
        log.append(line)
        stepLog?.append(line)
    }

}

/// Where one session ended and the next began, for the alarm log.
public struct SessionBoundary: Sendable {
    /// The ended session's engine clock at its end.
    public var endedAt: Double
    /// The ended session's alarm-log entries not yet written.
    public var endedLog: [AlarmLogEntry]
    public var previous: SessionInfo?
    public var next: SessionInfo
    /// The new session's time at its session frame.
    public var startT: Double
    /// "new session B; previous session A ended".
    public var text: String
    /// The sessions that began after this one within the same step, past `boundariesKept`
    /// (a stream starting a new session on every line), oldest first: logged in order, in the
    /// log `next` opens, so none of their entries is lost.
    public var folded: [SessionBoundary] = []
}

/// The session times a session of a recording spans, from its session frame to its last frame.
public struct SessionSpan: Sendable, Equatable {
    public var start: Double
    public var end: Double
}
