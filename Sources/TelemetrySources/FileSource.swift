import Interop
import SessionCore
import Synchronization
import SystemCalls
import Telemetry

/// Replays a recording (or standard input) paced by the frames' `t`, with a speed factor,
/// or as fast as possible. Honours pause, speed and seek from a `PlaybackControl`.
///
/// Every `checkpointInterval` seconds of session time it marks a `.checkpoint` (a position in
/// the recording). A seek to a checkpoint the consumer kept a state for resumes reading there
/// (`.resumed`); any other seek backwards re-reads the recording from its start (`.reset`).
/// Either way, frames up to the target are delivered at once, then pacing resumes.
public final class FileSource: TelemetrySource {
    public let path: String
    public let mode: SessionMode
    public let control: PlaybackControl
    /// false: as fast as possible (no pacing).
    private let paced: Bool
    private let startAt: Double
    private let stopRequested = Atomic<Bool>(false)
    /// How many events may wait in the consumer's inbox before the reader waits (memory bound).
    private let backlog: (@Sendable () -> Int)?
    /// `--record` (`live -`): gets the bytes as read.
    private let tap: WireTap?
    /// Events the consumer may have waiting before the reader waits: enough that the console's
    /// applying never starves while the reader decodes (a catch-up runs at the decoder's speed),
    /// few enough that decoded frames waiting stay a few MB.
    static let backlogLimit = 20_000
    /// Session seconds between checkpoints (paced replays of files only: standard input cannot seek).
    public static let checkpointInterval = 10.0

    public var label: String { path == "-" ? "standard input" : path }
    /// No connection events, whatever the mode (`live -` too): the clock alone shows a restart.
    public var restartRule: SessionClock.RestartRule { .anywhere }

    /// - Parameters:
    ///   - paced: replay in session time (scaled by the control's speed); false reads as fast as possible.
    ///   - from: start at this session time (frames before it are applied at once).
    ///   - backlog: the consumer's pending event count, for `start(sink:)`: the reader pauses while it
    ///     exceeds `backlogLimit`. `start(inbox:)` counts the inbox itself (and wakes at its drain).
    public init(path: String, mode: SessionMode = .replay, paced: Bool = true, from: Double = 0,
                control: PlaybackControl = PlaybackControl(), backlog: (@Sendable () -> Int)? = nil, tap: WireTap? = nil) {
        self.tap = tap
        self.path = path
        self.mode = mode
        self.paced = paced
        self.startAt = from
        self.control = control
        self.backlog = backlog
    }

    /// Checks the file now, so a missing file is reported before anything starts. It is not
    /// opened: a FIFO's writer would lose its data to this check.
    public func validate() throws(SourceError) {
        try RecordingReader.checkReadable(path: path)
        // A foreign recording that cannot be opened (an empty or damaged .mcap) is refused before the console starts.
        if path != "-", ForeignRecordings.format(of: path) != nil { _ = try RecordingReader(path: path) }
    }

    public func start(sink: @escaping @Sendable (SourceEvent) -> Void) {
        SystemCalls.startDetachedThread { [self] in
            run(deliver: { events in for event in events { sink(event) } }, waitForRoom: waitForRoom)
        }
    }

    /// Into an inbox, a catch-up's events go in blocks (`Outbox`): one lock a block.
    public func start(inbox: SourceInbox) {
        SystemCalls.startDetachedThread { [self] in
            run(deliver: inbox.post(contentsOf:)) { [self] in inbox.waitForRoom(below: Self.backlogLimit) { isStopped } }
        }
    }

    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    var isStopped: Bool { stopRequested.load(ordering: .relaxed) }

    /// The replay loop, run on its own thread; `deliver` hands events over in order.
    func run(deliver: @escaping ([SourceEvent]) -> Void, waitForRoom: @escaping () -> Void) {
        var outbox = Outbox(deliver: deliver, waitForRoom: waitForRoom)
        func sink(_ event: SourceEvent) { outbox.send(event) }
        var fastForwardTo = ReplayPosition(session: 0, t: startAt)
        // nil: read from the start; otherwise resume at this checkpoint.
        var resumeAt: ReplayCheckpoint?
        // A seek that needed a restart, reported once the restart is under way.
        var carryingOut: Int?
        // Steps back one frame at a time (`,`).
        var steps = FrameSteps()
        var restart = true
        // A foreign recording's notes, each logged once however often the replay reads it again.
        var notesSaid: Set<String> = []
        func sayNotes(_ reader: RecordingReader) {
            for note in reader.notes where notesSaid.insert(note).inserted { sink(.log(note)) }
        }
        // Only a regular file can be read again: standard input, a FIFO or a device is read
        // once, so it cannot seek back (reopening a FIFO would wait for a new writer).
        let canSeekBack = path != "-" && RecordingReader.isRegularFile(path)
        let marksCheckpoints = paced && canSeekBack
        sink(.state(.connecting(attempt: 1)))
        while restart && !isStopped {
            restart = false
            // A checkpoint lies just after a frame: the one a step back from here goes before.
            steps.restart(after: resumeAt?.position.offset)
            let reader: RecordingReader
            do {
                reader = try RecordingReader(path: path)
            } catch {
                sink(.state(.failed(error.description)))
                return
            }
            reader.chunkTap = tap
            sink(resumeAt.map { .resumed($0) } ?? .reset)
            if let seek = carryingOut { sink(.seeked(seek)) }
            carryingOut = nil
            sink(.state(.connected(peer: label)))
            sayNotes(reader)  // an MCAP file read without its summary, channels skipped: said at the start
            var pacer = Pacer(control: control)
            // Where sessions start, the rule the console's driver follows for a file: seeks and
            // checkpoints name a session of the recording as well as its time.
            var sessions = resumeAt?.sessionClock ?? SessionClock(rule: .anywhere)
            var here = resumeAt?.at ?? ReplayPosition(session: 0, t: 0)
            var nextCheckpoint = resumeAt.map { $0.t + Self.checkpointInterval } ?? 0
            // Decides what a seek means here: go on reading (ahead), or start over (back).
            func follow(_ seek: Seek, at here: ReplayPosition) -> Bool {
                if seek.stepBack > 0 { return followStepBack(seek) }
                steps.stop = nil  // a seek ends any step back under way
                steps.deferred = nil
                let target = ReplayPosition(session: seek.session ?? here.session, t: seek.target)
                if !canSeekBack && target < here {
                    sink(.log("\(path == "-" ? "standard input" : "a pipe") cannot seek back: a replay of a file can"))
                    sink(.seeked(seek.id))
                    return true
                }
                fastForwardTo = target
                if let from = seek.from, here < from.at || target < here {
                    resumeAt = from
                } else if target < here {
                    resumeAt = nil
                } else {
                    sink(.seeked(seek.id))  // ahead: reading on gets there
                    return true
                }
                carryingOut = seek.id
                restart = true
                return false
            }
            // Back `stepBack` frames: read again from a checkpoint before them (or the start),
            // deliver at once every line that ends before the frame that many back from the latest
            // one delivered, and wait there, still paused. Steps asked for while reading again are
            // carried out once it is there.
            func followStepBack(_ seek: Seek) -> Bool {
                if steps.stop != nil {
                    steps.deferred = steps.deferred.map { Seek(id: seek.id, target: 0, from: $0.from, stepBack: $0.stepBack + seek.stepBack) } ?? seek
                    return true
                }
                guard canSeekBack, let stop = steps.stop(goingBack: seek.stepBack) else {
                    if !canSeekBack { sink(.log("\(path == "-" ? "standard input" : "a pipe") cannot step back: a replay of a file can")) }
                    if canSeekBack && steps.atFirstFrame { control.refuseStep("at the first frame: nothing before it to step back to") }
                    sink(.seeked(seek.id))
                    return true
                }
                // The latest checkpoint before the target: the one given, or the one read from.
                resumeAt = [seek.from, resumeAt].compactMap { $0 }.filter { $0.position.offset < stop }
                    .max { $0.position.offset < $1.position.offset }
                steps.stop = stop
                fastForwardTo = ReplayPosition(session: 0, t: -Double.infinity)
                carryingOut = seek.id
                restart = true
                return false
            }
            reader.decodeAll(from: resumeAt?.position) { outcome, position in
                if isStopped { return false }
                var keepsEnd = false
                if case .frame(let frame) = outcome {
                    if sessions.observe(frame)?.startsNewSession == true {
                        // A later session in the recording starts its clock again (spec §3): pace
                        // it from its own start instead of playing it at once up to the old time,
                        // and mark its checkpoints from its start.
                        pacer.reanchor(at: frame.t)
                        nextCheckpoint = frame.t
                    }
                    here = ReplayPosition(session: sessions.ordinal, t: frame.t)
                    // Stepping back: every frame before the target goes at once; there, any steps
                    // asked for meanwhile are carried out from it.
                    let steppingBack = steps.stop.map { position().offset < $0 } ?? false
                    if !steppingBack && steps.stop != nil {
                        steps.stop = nil
                        if let more = steps.deferred {
                            steps.deferred = nil
                            guard followStepBack(more) else { return false }
                        }
                    }
                    // Where a frame ends is kept only where a pause can show it or a step back
                    // reach it (paced, the last second before a seek's target, or read again for a
                    // step): the rest of a fast-forward pays nothing for it.
                    keepsEnd = canSeekBack && paced && (steppingBack || fastForwardTo.t == .infinity  // End: its last second is not known ahead
                        || here >= ReplayPosition(session: fastForwardTo.session, t: fastForwardTo.t - FrameSteps.keptBeforeTarget))
                    let atPace = paced && here >= fastForwardTo && !steppingBack
                    // A live `-` stream is never held back: its frames are due when they come.
                    outbox.batching = mode == .replay && !atPace
                    if atPace {
                        if let more = steps.deferred {  // asked for on the way here
                            steps.deferred = nil
                            guard followStepBack(more) else { return false }
                        }
                        waiting: while true {
                            outbox.flush(waitingForRoom: false)  // what the catch-up read: on screen before waiting
                            switch pacer.wait(until: frame.t, source: self, sink: sink) {
                            case .proceed: break waiting
                            case .stopped: return false
                            case .seek(let seek):
                                guard follow(seek, at: here) else { return false }
                                // A step back with nothing before it: still waiting, paused.
                                if seek.stepBack > 0 { continue waiting }
                                // Never behind this frame: a refused seek back (stdin) must not stall pacing.
                                pacer.reanchor(at: max(seek.target, frame.t))
                                break waiting
                            }
                        }
                    } else if paced, let seek = control.takeSeek() {
                        // A seek while fast-forwarding. A step back on the way to a seek's target
                        // is taken there: reading again from here would drop the target.
                        if seek.stepBack > 0, !steppingBack {
                            steps.deferred = steps.deferred.map { Seek(id: seek.id, target: 0, from: $0.from, stepBack: $0.stepBack + seek.stepBack) } ?? seek
                        } else {
                            guard follow(seek, at: here) else { return false }
                        }
                    }
                }
                sink(.decoded(outcome))
                if keepsEnd, case .frame = outcome { steps.delivered(frameEndingAt: position().offset) }
                if resumeAt == nil, steps.firstFrameEnd == nil, case .frame = outcome { steps.firstFrameEnd = position().offset }
                if marksCheckpoints, case .frame(let frame) = outcome, frame.t >= nextCheckpoint {
                    sink(.checkpoint(ReplayCheckpoint(t: frame.t, position: position(), sessionClock: sessions)))
                    nextCheckpoint = frame.t + Self.checkpointInterval
                }
                return true
            }
            outbox.batching = false
            outbox.flush(waitingForRoom: false)
            if let problem = reader.problem { sink(.log(problem)) }
            if let note = reader.note { sink(.log(note)) }
            // Notes with counts (bad messages) hold for a read that got to the end: one cut short by a
            // seek back would say a smaller count, again on every seek.
            if !restart && !isStopped { sayNotes(reader) }
            if !restart && paced && !isStopped {
                // At the end a trainer may still seek back: wait for that or for stop.
                sink(.state(.ended))
                // A step back asked for on the way to the end (End): carried out from the last frame.
                var deferred = steps.deferred
                steps.deferred = nil
                while !isStopped {
                    if let seek = deferred ?? control.takeSeek() {
                        deferred = nil
                        if seek.stepBack == 0, ReplayPosition(session: seek.session ?? here.session, t: seek.target) >= here {
                            sink(.seeked(seek.id))  // nothing past the end: done as far as it goes
                        } else if !follow(seek, at: here) {
                            break
                        }
                    }
                    SystemCalls.sleep(seconds: 0.02)
                }
            }
        }
        if !paced { sink(.state(.ended)) }  // a paced replay said so when it reached the end
    }

    private func waitForRoom() {
        guard let backlog else { return }
        while backlog() > Self.backlogLimit && !isStopped { SystemCalls.sleep(seconds: 0.002) }
    }
}

/// A replay's events on their way to the consumer. While it reads ahead of its pace (a
/// fast-forward to `--from` or a seek's target, a step back read again, a snapshot) they go in
/// blocks of `blockSize`: the reader and the consumer meet once a block, not once a line, and
/// the room left in the consumer's inbox is checked once a block. At its pace each goes at once.
struct Outbox {
    let deliver: ([SourceEvent]) -> Void
    /// Waits while the consumer's inbox is full.
    let waitForRoom: () -> Void
    /// Whether events may wait for a full block (the caller flushes before it waits on anything).
    var batching = false
    private var pending: [SourceEvent] = []
    /// Events handed over since the room in the consumer's inbox was last checked: whatever cut
    /// the blocks short (a checkpoint after every frame, a new session every line), the reader
    /// never gets more than a block past the bound.
    private var sinceRoomCheck = 0
    /// About a third of a millisecond of decoding.
    static let blockSize = 512

    init(deliver: @escaping ([SourceEvent]) -> Void, waitForRoom: @escaping () -> Void) {
        self.deliver = deliver
        self.waitForRoom = waitForRoom
    }

    mutating func send(_ event: SourceEvent) {
        if case .decoded = event {
            // Room for a block only while batching: at its pace (and for `live -`) events go one
            // by one, and a block's worth of slots for each would be kept until the drain.
            if batching && pending.isEmpty { pending.reserveCapacity(Self.blockSize) }
            pending.append(event)
            if !batching || pending.count >= Self.blockSize { flush() }
        } else {
            // The frames before it go first, as any block. The source's own word (a seek carried
            // out, a checkpoint, its state) never waits behind a full inbox: the consumer may be
            // waiting for it.
            flush(waitingForRoom: false)
            handOver([event], waitingForRoom: false)
        }
    }

    /// Hands over what waits; first, unless told not to, waits for room in the consumer's inbox
    /// (going past it by at most a block). Told not to, it still waits once a block's worth of
    /// events has gone over since the last wait.
    mutating func flush(waitingForRoom: Bool = true) {
        guard !pending.isEmpty else { return }
        handOver(pending, waitingForRoom: waitingForRoom)
        // A new buffer: the block handed over is the consumer's now, never copied.
        pending = []
    }

    private mutating func handOver(_ events: [SourceEvent], waitingForRoom: Bool) {
        let decoded: Bool
        if case .decoded = events[0] { decoded = true } else { decoded = false }
        if waitingForRoom || (decoded && sinceRoomCheck >= Self.blockSize) {
            self.waitForRoom()
            sinceRoomCheck = 0
        }
        sinceRoomCheck += events.count
        deliver(events)
    }
}

/// Maps session time to wall time for a paced replay, re-anchoring on every control change.
struct Pacer {
    enum Verdict {
        case proceed, stopped
        case seek(Seek)
    }

    let control: PlaybackControl
    /// The session time that corresponded to `anchorWall` at the last (re-)anchoring.
    private var anchorT: Double?
    private var anchorWall = 0.0
    private var seen = PlaybackControl.Settings()
    /// The session time of the frame waited for last.
    private var lastT: Double?
    /// Session seconds without a frame that a replay jumps over instead of waiting them out.
    static let maxGap = 60.0

    init(control: PlaybackControl) {
        self.control = control
    }

    mutating func reanchor(at t: Double) {
        restartClock(at: t)
        lastT = nil  // a seek ahead read past frames unpaced: that is no hole in the recording
    }

    /// Paces from `t` now, keeping the frame waited for last: a frame step (`.`) is no seek,
    /// so a hole right after it is still jumped over.
    private mutating func restartClock(at t: Double) {
        anchorT = t
        anchorWall = MonotonicClock.now()
        seen = control.current
    }

    /// Sleeps until session time `t` is due, honouring pause, speed changes and seeks.
    mutating func wait(until t: Double, source: FileSource,
                       sink: (SourceEvent) -> Void) -> Verdict {
        if anchorT == nil { reanchor(at: t) }
        // A hole in the recording (or one far-off t): said and jumped over, not waited out.
        if let last = lastT, t - last > Self.maxGap {
            sink(.log("jumped over \(NumberText.fixed(t - last, 0)) s of the recording with no frames "
                      + "(t \(NumberText.fixed(last, 1)) → \(NumberText.fixed(t, 1)))"))
            reanchor(at: t)
        } else if let last = lastT, last - t > Self.maxGap {
            reanchor(at: t)  // back from a far-off t: pace what follows again
        }
        lastT = t
        var reportedPause = false
        while true {
            if source.isStopped { return .stopped }
            if let seek = control.takeSeek() { return .seek(seek) }
            let settings = control.current
            let now = MonotonicClock.now()
            if settings.generation != seen.generation {
                // Speed or pause changed: the replay clock continues from where it stands now.
                let advanced = seen.paused ? 0 : (now - anchorWall) * seen.speed
                anchorT = min(t, (anchorT ?? t) + advanced)
                anchorWall = now
                seen = settings
            }
            if settings.paused {
                if control.takeFrameStep() {
                    // One frame through (`.`), still paused: resuming later paces from here.
                    restartClock(at: t)
                    return .proceed
                }
                if !reportedPause {
                    sink(.state(.paused))
                    reportedPause = true
                    control.pacerOnPace()
                }
                SystemCalls.sleep(seconds: 0.01)
                continue
            }
            if reportedPause {
                sink(.state(.connected(peer: source.label)))
                reportedPause = false
            }
            let due = anchorWall + (t - (anchorT ?? t)) / settings.speed
            if now >= due {
                control.pacerProceeded(due: due)  // how late, for the console's "behind"
                return .proceed
            }
            control.pacerOnPace()
            SystemCalls.sleep(seconds: min(0.02, max(0.0001, due - now)))
        }
    }
}
