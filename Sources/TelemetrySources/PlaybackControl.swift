import SessionCore
import Synchronization

/// The trainer's controls over a replay: pause, speed, seek. The console writes them; the source's thread reads them.
public final class PlaybackControl: Sendable {
    public struct Settings: Sendable, Equatable {
        public var paused = false
        /// Session seconds per wall-clock second.
        public var speed: Double = 1
        /// A requested jump, consumed by the source.
        public var seek: Seek?
        /// How many seeks were asked for (each one's number).
        public var seeks = 0
        /// Bumped by every change, so the source notices and re-anchors its pacing.
        public var generation = 0
        /// Frames to let through while paused (`.`), not yet taken by the source.
        public var frameSteps = 0
    }

    /// Speeds the `+` and `-` keys step through.
    public static let speedSteps: [Double] = [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64]

    private let settings: Mutex<Settings>
    /// Whether a seek may wait (set and cleared under the lock): the source asks after every
    /// frame of a fast-forward, and a load is cheaper than a lock.
    private let seekWaiting = Atomic<Bool>(false)

    public init(speed: Double = 1, paused: Bool = false) {
        settings = Mutex(Settings(paused: paused, speed: speed, seek: nil, seeks: 0, generation: 0))
    }

    public var current: Settings { settings.withLock { $0 } }

    public func togglePause() {
        settings.withLock {
            $0.paused.toggle()
            $0.generation += 1
        }
    }

    public func setSpeed(_ speed: Double) {
        settings.withLock {
            $0.speed = max(0.01, speed)
            $0.generation += 1
        }
    }

    /// Steps the speed to the next preset up (`faster`) or down.
    public func stepSpeed(faster: Bool) {
        settings.withLock {
            let steps = Self.speedSteps
            let now = $0.speed
            let next = faster ? steps.first { $0 > now + 1e-9 } : steps.last { $0 < now - 1e-9 }
            $0.speed = next ?? now
            $0.generation += 1
        }
    }

    /// Asks the source to jump to session time `t` of the session numbered `session` in the
    /// recording (`ReplayPosition.session`; nil: the session the source is reading). With
    /// `checkpoint` (one at or before that position that the consumer kept a state for), a
    /// recording resumes reading there instead of at its start. Returns the seek's number, which
    /// the source reports back once it is carried out (`SourceEvent.seeked`). A newer seek
    /// replaces one the source has not taken yet.
    @discardableResult
    public func seek(to t: Double, session: Int? = nil, from checkpoint: ReplayCheckpoint? = nil) -> Int {
        settings.withLock {
            $0.seeks += 1
            let target = max(0, t)
            let limit = ReplayPosition(session: session ?? checkpoint?.sessionClock.ordinal ?? 0, t: target)
            let usable = checkpoint.flatMap { $0.at <= limit ? $0 : nil }
            $0.seek = Seek(id: $0.seeks, target: target, session: session, from: usable)
            seekWaiting.store(true, ordering: .releasing)
            $0.generation += 1
            return $0.seeks
        }
    }

    /// While paused: lets exactly one more frame through (rqt_bag's step), the replay staying
    /// paused. Does nothing while playing.
    public func stepFrameForward() {
        settings.withLock { if $0.paused { $0.frameSteps = min($0.frameSteps + 1, 1000) } }
    }

    /// Takes one pending forward step (the source calls this while paused).
    public func takeFrameStep() -> Bool {
        settings.withLock {
            guard $0.paused, $0.frameSteps > 0 else { return false }
            $0.frameSteps -= 1
            return true
        }
    }

    /// While paused: goes back exactly one frame, reading again from `checkpoint` (one before
    /// the current frame that the consumer kept a state for; nil: from the start) up to the frame
    /// before the one on screen, by its place in the recording (frames share a `t`). Steps asked
    /// for before the source takes them add up. Returns the seek's number, as `seek` does.
    /// A jump not yet taken (a seek that is not a step) is never replaced by a step: the step is
    /// dropped and the jump's number returned (the console refuses steps while a jump is under way).
    @discardableResult
    public func stepFrameBack(from checkpoint: ReplayCheckpoint?) -> Int {
        settings.withLock {
            if let jump = $0.seek, jump.stepBack == 0 { return jump.id }
            $0.seeks += 1
            $0.frameSteps = 0
            // Pending steps back add up, reading from the earlier checkpoint (nil, the start, is earliest).
            let earlier = $0.seek.flatMap { $0.stepBack > 0 ? $0 : nil }
            var from = checkpoint
            if let earlier {
                if let a = earlier.from, let b = checkpoint { from = a.position.offset < b.position.offset ? a : b } else { from = nil }
            }
            $0.seek = Seek(id: $0.seeks, target: from?.t ?? 0, session: from?.sessionClock.ordinal, from: from,
                           stepBack: (earlier?.stepBack ?? 0) + 1)
            seekWaiting.store(true, ordering: .releasing)
            $0.generation += 1
            return $0.seeks
        }
    }

    /// Takes a pending seek request (the source calls this).
    public func takeSeek() -> Seek? {
        guard seekWaiting.load(ordering: .acquiring) else { return nil }
        return settings.withLock {
            let seek = $0.seek
            $0.seek = nil
            seekWaiting.store(false, ordering: .releasing)
            return seek
        }
    }

    // MARK: - What the source tells the console back

    /// When (monotonic seconds) the frame the pacer let through last was due, if it went late;
    /// NaN while the pacer waits for a frame that is not due yet (on pace), paused or not started.
    private let lateDue = Atomic<UInt64>(Double.nan.bitPattern)
    /// A step the source could not take, said in the footer (`takeStepNote`).
    private let stepNote = Mutex<String?>(nil)

    /// The pacer let a frame through at or after its due time `due` (monotonic seconds).
    public func pacerProceeded(due: Double) {
        lateDue.store(due.bitPattern, ordering: .relaxed)
    }

    /// The pacer waits for a frame not due yet, or is paused: on pace.
    public func pacerOnPace() {
        lateDue.store(Double.nan.bitPattern, ordering: .relaxed)
    }

    /// Wall seconds the replay is late now: how long ago the frame let through last was due (0
    /// while on pace). It keeps growing while the source is held up (a backlogged inbox) too.
    public func lateness(now: Double = MonotonicClock.now()) -> Double {
        let due = Double(bitPattern: lateDue.load(ordering: .relaxed))
        return due.isNaN ? 0 : max(0, now - due)
    }

    /// The source could not carry out a step (`,` at the recording's first frame): why, for the footer.
    public func refuseStep(_ why: String) {
        stepNote.withLock { $0 = why }
    }

    /// Takes what `refuseStep` said, once.
    public func takeStepNote() -> String? {
        stepNote.withLock {
            let note = $0
            $0 = nil
            return note
        }
    }
}

/// A requested jump in a replay.
public struct Seek: Sendable, Equatable {
    /// Its number, from 1.
    public var id: Int
    public var target: Double
    /// The session `target` is a time of (`ReplayPosition.session`); nil: the one being read.
    public var session: Int?
    /// Where to resume reading, if not from the start.
    public var from: ReplayCheckpoint?
    /// Frames to go back (`stepFrameBack`; 0: not a step): `target` is only where reading resumes.
    public var stepBack = 0

    public init(id: Int, target: Double, session: Int? = nil, from: ReplayCheckpoint? = nil, stepBack: Int = 0) {
        self.id = id
        self.target = target
        self.session = session
        self.from = from
        self.stepBack = stepBack
    }
}

/// A place in a recording that may hold several sessions, each starting its clock afresh
/// (spec §3): which session (how many started before it, `SessionClock.ordinal`) and its time.
/// Ordered by session, then time, so a seek never mixes two sessions' clocks.
public struct ReplayPosition: Sendable, Equatable, Comparable {
    public var session: Int
    public var t: Double

    public init(session: Int, t: Double) {
        self.session = session
        self.t = t
    }

    public static func < (a: ReplayPosition, b: ReplayPosition) -> Bool {
        a.session != b.session ? a.session < b.session : a.t < b.t
    }
}

/// A place a replay can resume from: the session time and the position in the recording just
/// after a frame. The file source marks one every few seconds of session time
/// (`SourceEvent.checkpoint`); a consumer that keeps its state at that moment can later seek
/// back there without reading the recording again from its start (`SourceEvent.resumed`).
public struct ReplayCheckpoint: Sendable, Equatable {
    public var t: Double
    public var position: RecordingPosition
    /// Where sessions start, as it stood after the frame (resumed with the reading).
    public var sessionClock: SessionClock

    public init(t: Double, position: RecordingPosition, sessionClock: SessionClock = SessionClock(rule: .anywhere)) {
        self.t = t
        self.position = position
        self.sessionClock = sessionClock
    }

    /// Its place among the recording's sessions.
    public var at: ReplayPosition { ReplayPosition(session: sessionClock.ordinal, t: t) }

    public static func == (a: ReplayCheckpoint, b: ReplayCheckpoint) -> Bool {
        a.position.offset == b.position.offset
    }
}
