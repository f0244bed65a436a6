import DequeModule
import SessionCore
import Telemetry
import TelemetrySources

/// Applies what a source reports to the session state: the one place where source events
/// become state, shared by the headless runner and the full-screen console.
public struct SessionDriver: Sendable {
    public let mode: SessionMode
    public private(set) var state: SessionState
    public private(set) var sourceState: SourceState = .connecting(attempt: 1)
    /// Log lines from the source (refusals, retries, damaged files), newest last.
    public private(set) var log: Deque<String> = []
    /// Set when the session cannot go on (a session frame of an unknown version).
    public private(set) var fatal: String?
    /// Device and derived alarms (IEC 60601-1-8): acknowledgement, latching, audio.
    public var alarms: AlarmEngine
    private let limits: HistoryLimits
    /// States kept at a replay's checkpoints, so a seek back resumes there.
    public private(set) var checkpoints = ReplayCheckpoints()
    /// Whether to keep them: only a console that can seek needs them (they cost memory).
    public var keepsCheckpoints = false
    /// The number of the last seek the source carried out (`SourceEvent.seeked`).
    public private(set) var lastSeek = 0

    public init(mode: SessionMode, limits: HistoryLimits = HistoryLimits(), alarmSettings: AlarmSettings = .defaults) {
        self.mode = mode
        self.limits = limits
        self.state = SessionState(limits: limits)
        self.alarms = AlarmEngine(settings: alarmSettings)
    }

    /// The checkpoint to resume from for a seek to session time `t`: the latest at or before
    /// it, if resuming there saves reading (it lies behind `t` but after where reading would
    /// otherwise start).
    public func checkpoint(forSeekTo t: Double) -> ReplayCheckpoint? {
        checkpoints.latest(atOrBefore: t)
    }

    /// Re-evaluates every alarm condition; call after each batch of events and on ticks, so
    /// missing data and hysteresis timers advance even when nothing arrives.
    public mutating func evaluateAlarms(arrivalNow: Double) {
        alarms.evaluate(state, arrivalNow: arrivalNow, sourceIsLive: mode != .replay)
    }

    /// Applies a batch of events received at `arrival` (monotonic seconds).
    /// Returns whether anything changed.
    @discardableResult
    public mutating func handle(_ events: [SourceEvent], arrival: Double) -> Bool {
        guard !events.isEmpty else { return false }
        var evaluatedAt = state.sessionTime
        for event in events {
            handle(event, arrival: arrival)
            // A long batch (a replay catching up after a seek) spans many seconds of session
            // time: evaluate the alarms along the way, as playing it would, not just at its end,
            // so a condition that came and went inside it is still raised, logged and cleared.
            if state.sessionTime < evaluatedAt {
                evaluatedAt = state.sessionTime  // started over
            } else if state.sessionTime >= evaluatedAt + Self.evaluationStep {
                evaluateAlarms(arrivalNow: arrival)
                evaluatedAt = state.sessionTime
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
            if case .error(let error) = outcome, case .unsupportedVersion = error.kind, fatal == nil {
                fatal = "line \(error.line): \(error.reason)"
            }
            state.apply(outcome, arrival: arrival)
        case .state(let newState):
            sourceState = newState
        case .reset:
            if mode == .live {
                // A new connection: keep what we know, but don't count the restart as a gap.
                state.sourceRestarted()
            } else {
                // A seek backwards or a restart of a recording: rebuild from what follows,
                // alarms included (they are recomputed from the recording).
                state = SessionState(limits: limits)
                alarms.reset()
            }
        case .checkpoint(let checkpoint):
            if keepsCheckpoints { checkpoints.keep(checkpoint, state: state, alarms: alarms) }
        case .seeked(let id):
            lastSeek = id
        case .resumed(let checkpoint):
            if let kept = checkpoints.state(at: checkpoint) {
                state = kept.state
                alarms.restore(from: kept.alarms)
            } else {
                // Not kept (cannot happen for a checkpoint this driver handed out): start empty.
                state = SessionState(limits: limits)
                alarms.reset()
            }
        case .log(let line):
            if log.count == 200 { log.removeFirst() }
            log.append(line)
        }
    }
}
