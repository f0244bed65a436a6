import DequeModule
import SessionCore
import Synchronization
import SystemCalls
import Telemetry
import TelemetrySources

/// The background pass over a whole recording (issue 11, "the whole recording is known up
/// front"): when a replay opens a regular file, this reads it once, beside the replay, and
/// publishes a growing `RecordingIndex`: its sessions, and markers for every alarm raise (the
/// robot's and the console's own), event, gap and later session start.
///
/// Two threads, at a lower priority than the console's: one reads and decodes the file (the work
/// `check` does), the other applies what it decoded to a `SessionDriver` of its own in replay
/// mode, with the run's alarm settings, as `Snapshot` does (`MarkerScan`): the raises are taken
/// from that driver's alarm log, so they are exactly the ones a full replay logs. The replay
/// itself never waits for the pass: the console's loop starts it once the replay plays at its
/// pace, polls `latest(after:)` on each tick, and holds the pass back (`holdBack`) while it
/// catches up after a seek.
///
/// Standard input and pipes are read once, by the replay: no pass is made, and the index says so.
public final class MarkerPass: Sendable {
    public let path: String
    private let settings: AlarmSettings
    private let published: Mutex<(index: RecordingIndex, generation: Int)>
    private let stopRequested = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    /// Set while the console catches up (a replay opened `--from` a time, a seek): the pass
    /// waits, so the screen gets there as fast as it would without it.
    private let heldBack = Atomic<Bool>(false)

    /// Decoded lines handed from the reading thread to the applying one in blocks of this many
    /// (or fewer, once their lines reach `blockBytes`), so the two meet once per block rather
    /// than once per line.
    static let blockLines = 256
    static let blockBytes = 512 * 1024
    /// Blocks that may wait, and the bytes of the lines they came from (a decoded line takes
    /// about as much as its text): the reader waits beyond either, so the pass's memory stays
    /// bounded however long the lines are.
    static let blocksWaiting = 8
    static let bytesWaiting = 4 * 1024 * 1024
    /// How often the index is published while the pass runs (wall seconds).
    static let publishEvery = 0.2

    public init(path: String, alarmSettings: AlarmSettings = .defaults) {
        self.path = path
        self.settings = alarmSettings
        let status: RecordingIndex.Status = path == "-" || !RecordingReader.isRegularFile(path)
            ? .unavailable(Self.unavailableReason(path)) : .running(fraction: 0)
        published = Mutex((RecordingIndex(status: status), 1))
    }

    static func unavailableReason(_ path: String) -> String {
        path == "-" ? "markers need a file: standard input is read once, by the replay"
            : "markers need a regular file: a pipe or a device is read once, by the replay"
    }

    /// Starts the pass on its own threads (nothing to start for standard input or a pipe); once.
    public func start() {
        guard case .running = index.status, !started.exchange(true, ordering: .relaxed) else { return }
        SystemCalls.startDetachedThread { [self] in
            run()
            SystemCalls.releaseFreedMemory()  // the pass's own state and blocks, done with
        }
    }

    /// Stops the pass soon (the replay is quitting); what it found so far stays published.
    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    /// Holds the pass back while the console is busy catching up (`true`), or lets it go on.
    public func holdBack(_ busy: Bool) {
        heldBack.store(busy, ordering: .relaxed)
    }

    /// Waits while the console catches up.
    private func yieldToConsole() {
        while heldBack.load(ordering: .relaxed) && !isStopped { SystemCalls.sleep(seconds: 0.002) }
    }

    /// The index as it stands.
    public var index: RecordingIndex { published.withLock { $0.index } }

    /// The index, if it changed since `generation` (0 before the first poll), with its new generation.
    public func latest(after generation: Int) -> (index: RecordingIndex, generation: Int)? {
        published.withLock { $0.generation == generation ? nil : ($0.index, $0.generation) }
    }

    private func publish(_ index: RecordingIndex) {
        published.withLock { $0 = (index, $0.generation &+ 1) }
    }

    private var isStopped: Bool { stopRequested.load(ordering: .relaxed) }

    /// One block of decoded lines, the bytes of those lines, and how many of the file's bytes
    /// had been read after it.
    private struct Block: Sendable {
        var outcomes: [DecodeOutcome]
        var lineBytes = 0
        var bytesRead: Int
        var last = false
        var problem: String?
    }

    /// Blocks on their way from the reading thread to the applying one; each side sleeps until
    /// the other signals (a block queued, a block taken), so neither polls nor waits longer
    /// than it must.
    private final class BlockQueue: Sendable {
        private let blocks = Mutex((waiting: Deque<Block>(), lineBytes: 0))
        private let queued = Wakeup()
        private let taken = Wakeup()

        /// Queues a block once it fits (or the pass stops).
        func put(_ block: Block, unless stopped: () -> Bool) {
            while !stopped() && !blocks.withLock({ MarkerPass.hasRoom(blocks: $0.waiting.count, lineBytes: $0.lineBytes, for: block.lineBytes) }) {
                taken.wait(seconds: 0.01)
            }
            blocks.withLock {
                $0.waiting.append(block)
                $0.lineBytes += block.lineBytes
            }
            queued.signal()
        }

        /// The next block, waiting a little for one; nil if none came.
        func take() -> Block? {
            let next: Block? = blocks.withLock {
                guard let block = $0.waiting.popFirst() else { return nil }
                $0.lineBytes -= block.lineBytes
                return block
            }
            if let block = next {
                taken.signal()
                return block
            }
            queued.wait(seconds: 0.01)
            return nil
        }
    }

    /// Whether a block of `bytes` may join `blocks` waiting that came from `lineBytes` of lines:
    /// within both bounds, and always when none waits (a block of one huge line still goes).
    static func hasRoom(blocks: Int, lineBytes: Int, for bytes: Int) -> Bool {
        blocks == 0 || (blocks < blocksWaiting && lineBytes.saturatingAdd(bytes) <= bytesWaiting)
    }

    /// The applying side: starts the reading thread, then applies its blocks in order.
    private func run() {
        SystemCalls.lowerThreadPriority()
        let size = (try? SystemCalls.status(path: path).size) ?? 0
        let queue = BlockQueue()
        SystemCalls.startDetachedThread { [self] in read(into: queue) }
        var scan = MarkerScan(settings: settings)
        var lastPublish = MonotonicClock.now()
        while !isStopped {
            yieldToConsole()
            guard let block = queue.take() else { continue }
            for outcome in block.outcomes { scan.take(outcome) }
            if block.last {
                scan.finish()
                if let problem = block.problem {
                    scan.index.status = .failed(WireText.sanitize(problem))
                } else {
                    scan.index.status = .done
                }
                publish(scan.publishable())
                return
            }
            let now = MonotonicClock.now()
            if now - lastPublish >= Self.publishEvery {
                scan.index.status = .running(fraction: size > 0 ? min(1, Double(block.bytesRead) / Double(size)) : 0)
                publish(scan.publishable())
                lastPublish = now
            }
        }
    }

    /// The reading side: decodes the file and queues its lines in blocks.
    private func read(into queue: BlockQueue) {
        SystemCalls.lowerThreadPriority()
        let reader: RecordingReader
        do {
            reader = try RecordingReader(path: path)
        } catch {
            queue.put(Block(outcomes: [], bytesRead: 0, last: true, problem: error.description)) { false }
            return
        }
        var block: [DecodeOutcome] = []
        block.reserveCapacity(Self.blockLines)
        var blockStart = 0  // where the block's first line starts (uncompressed bytes)
        var blockEnd = 0
        func hand(last: Bool) {
            let full = Block(outcomes: block, lineBytes: blockEnd - blockStart, bytesRead: reader.fileBytesRead,
                             last: last, problem: last ? reader.problem : nil)
            queue.put(full) { isStopped }
            block.removeAll(keepingCapacity: true)
            blockStart = blockEnd
        }
        reader.decodeAll(from: nil) { outcome, position in
            if isStopped { return false }
            block.append(outcome)
            blockEnd = position().offset
            if block.count == Self.blockLines || blockEnd - blockStart >= Self.blockBytes {
                hand(last: false)
                yieldToConsole()
            }
            return true
        }
        if !isStopped { hand(last: true) }
    }
}

/// What the marker pass does with each decoded line, in order (no threads: tests drive it).
///
/// Alarm raises come from a `SessionDriver` of its own in replay mode, fed as `Snapshot` feeds
/// one: each tenth of a second of session time that has frames applied as one step and
/// evaluated at its last frame, the console's own resolution. Its alarm log holds every raise a
/// replay logs, the robot's and the derived ones, at their own time; so do the logs of the
/// sessions it ended.
struct MarkerScan {
    private var driver: SessionDriver
    /// Where sessions start: the driver's rule for a file (`SessionClock`, `.anywhere`).
    private var clock = SessionClock(rule: .anywhere)
    var index = RecordingIndex(status: .running(fraction: 0))
    /// Markers found beyond `markerLimit`: counted, not kept.
    private(set) var leftOut = 0
    /// Whether a marker was added behind a later one (sorted before publishing).
    private var unsorted = false
    /// The latest frame time of the current session (gaps are measured from it): the time the
    /// session's clock took, so a lone frame far ahead, which the clock refuses, is no gap's end.
    private var latestT: Double?
    /// A frame far ahead of `latestT` not yet confirmed by the next (`SessionState.timeJumpLimit`).
    private var unconfirmedJump: Double?
    /// Each raised alarm's marker (by session and id), for its escalations to find.
    private var raisedMarker: [RaiseKey: Int] = [:]
    /// A robot alarm and a derived one may share an id: each keeps its own marker.
    private struct RaiseKey: Hashable {
        var session: Int
        var id: String
        var derived: Bool
    }
    /// The tenth of a second being gathered.
    private var tenth = TenthBatch()
    private let gapSeconds: Double

    /// At most this many markers are kept (about 10 MB: ids and text are cut to the lengths
    /// below); the index says how many more there were.
    static let markerLimit = 100_000
    /// Sessions whose span the index keeps (as `SessionDriver.sessionSpansKept`).
    static let sessionLimit = 4096
    static let idLimit = 120
    static let textLimit = 500

    init(settings: AlarmSettings) {
        driver = SessionDriver(mode: .replay, alarmSettings: settings)
        driver.handle(.state(.connected(peer: "marker pass")), arrival: 0)
        // A gap is a silence a technician watching live would have seen as TELEMETRY.LOST: the
        // alarm settings' `telemetry.stale_s` (1 s by default), the time after which the console
        // says telemetry is lost. A replay never raises that alarm itself (it is not live), so
        // the marker stands in for it.
        gapSeconds = settings.staleSeconds
    }

    /// The index with its markers in order, and the count of any left out.
    mutating func publishable() -> RecordingIndex {
        if unsorted {
            index.markers.sort { ($0.session, $0.t) < ($1.session, $1.t) }  // stable: found order kept
            unsorted = false
            raisedMarker.removeAll(keepingCapacity: true)
            for (k, marker) in index.markers.enumerated() {
                guard case .alarm(_, let derived) = marker.kind else { continue }
                raisedMarker[RaiseKey(session: marker.session, id: marker.id, derived: derived)] = k  // the latest raise of each
            }
        }
        index.markersLeftOut = leftOut
        return index
    }

    /// Takes the next decoded line of the recording.
    mutating func take(_ outcome: DecodeOutcome) {
        guard case .frame(let frame) = outcome else {
            tenth.add(.decoded(outcome))
            return
        }
        if tenth.startsNewTenth(at: frame.t) { applyTenth() }
        note(frame)
        tenth.add(.decoded(outcome), at: frame.t)
    }

    /// The recording ended: applies what is left.
    mutating func finish() {
        applyTenth()
    }

    /// Sessions, events and gaps, straight from the frames.
    private mutating func note(_ frame: Frame) {
        let identity = clock.observe(frame)
        let ordinal = clock.ordinal
        // Spans are kept for the first `sessionLimit` sessions (a stream starting a session on
        // every line must not grow the index without bound); markers of later ones still count.
        let spanKept = ordinal < Self.sessionLimit
        if index.sessions.count <= ordinal {
            if let identity, identity.startsNewSession, case .session(let info) = frame.body {
                let text = identity.announcement(newID: info.id, at: frame.t) ?? "new session"
                add(RecordingMarker(kind: .session, session: ordinal, t: frame.t, id: WireText.sanitize(info.id),
                                    text: WireText.sanitize(text)))
            }
            // A session frame that does not start a session (the first, or one re-sent) names it below.
            while spanKept && index.sessions.count <= ordinal {
                index.sessions.append(RecordingSessionSpan(id: "", start: frame.t, end: frame.t))
            }
            latestT = nil
            unconfirmedJump = nil
        }
        if spanKept, case .session(let info) = frame.body, index.sessions[ordinal].id.isEmpty {
            index.sessions[ordinal].id = Self.cut(WireText.sanitize(info.id), to: Self.idLimit)
            index.sessions[ordinal].startedAt = info.startedAtSeconds
        }
        if acceptsTime(frame.t) {
            if spanKept { index.sessions[ordinal].end = max(index.sessions[ordinal].end, frame.t) }
            if let latest = latestT, frame.t - latest > gapSeconds {
                let length = frame.t - latest
                add(RecordingMarker(kind: .gap, session: ordinal, t: latest, id: "gap",
                                    text: "no frames for \(NumberText.fixed(length, 1)) s "
                                        + "(\(NumberText.fixed(latest, 1)) → \(NumberText.fixed(frame.t, 1)))"))
            }
            // A clock that went back (further than a gap) without a session frame: gaps are
            // measured from where it is now, or the silences after would be hidden.
            if let latest = latestT, frame.t >= latest - gapSeconds {
                latestT = max(latest, frame.t)
            } else {
                latestT = frame.t
            }
        }
        if case .event(let note) = frame.body {
            add(RecordingMarker(kind: .event, session: ordinal, t: frame.t, id: WireText.sanitize(note.kind),
                                text: WireText.sanitize(note.text ?? note.kind)))
        }
    }

    /// Whether the session's clock takes `t`, by the state's rule (`SessionState.advanceClock`):
    /// a frame more than `timeJumpLimit` ahead moves it only when the next frame agrees.
    private mutating func acceptsTime(_ t: Double) -> Bool {
        guard let latest = latestT, t - latest > SessionState.timeJumpLimit else {
            unconfirmedJump = nil
            return true
        }
        if let jump = unconfirmedJump, abs(t - jump) <= SessionState.timeJumpLimit {
            unconfirmedJump = nil
            return true
        }
        unconfirmedJump = t
        return false
    }

    /// Applies the tenth gathered and takes the raises its evaluation logged.
    private mutating func applyTenth() {
        guard let batch = tenth.take() else { return }
        var session = driver.replayPosition.session
        driver.step(events: batch.events, now: batch.time)
        // The logs of sessions that ended in this step, in order, then the current one's.
        for boundary in driver.takeSessionBoundaries() {
            for ended in [boundary] + boundary.folded {
                takeRaises(ended.endedLog, session: session)
                session += 1
            }
        }
        takeRaises(driver.alarms.drainLog(), session: driver.replayPosition.session)
    }

    /// Raises become markers: the engine's raises, and a gateway's `sync` listing a robot alarm
    /// not seen raised (`AlarmLogEntry.raisesAlarm`; any recording made live has syncs). An
    /// alarm that escalates while raised (a round trip climbing through low, medium, high) is
    /// still one raise: its marker takes the highest priority it reached, and that moment's
    /// message, so the timeline shows how bad it got.
    private mutating func takeRaises(_ log: [AlarmLogEntry], session: Int) {
        for entry in log {
            guard let id = entry.id, let priority = entry.priority else { continue }
            let derived = entry.origin == .derived
            if entry.raisesAlarm {
                add(RecordingMarker(kind: .alarm(priority, derived: derived), session: session,
                                    t: entry.time, id: WireText.sanitize(id), text: WireText.sanitize(entry.message)))
            } else if entry.action == .escalate {
                escalate(Self.cut(WireText.sanitize(id), to: Self.idLimit), derived: derived, to: priority,
                         text: WireText.sanitize(entry.message), session: session)
            }
        }
    }

    private mutating func escalate(_ id: String, derived: Bool, to priority: AlarmPriority, text: String, session: Int) {
        guard let k = raisedMarker[RaiseKey(session: session, id: id, derived: derived)],
              case .alarm(let was, derived) = index.markers[k].kind, priority > was else { return }
        index.markers[k].kind = .alarm(priority, derived: derived)
        index.markers[k].text = Self.cut(text, to: Self.textLimit)
    }

    private mutating func add(_ marker: RecordingMarker) {
        guard index.markers.count < Self.markerLimit else {
            leftOut = leftOut.saturatingAdd(1)
            return
        }
        var marker = marker
        marker.id = Self.cut(marker.id, to: Self.idLimit)
        marker.text = Self.cut(marker.text, to: Self.textLimit)
        if let last = index.markers.last, (marker.session, marker.t) < (last.session, last.t) { unsorted = true }
        if case .alarm(_, let derived) = marker.kind {
            raisedMarker[RaiseKey(session: marker.session, id: marker.id, derived: derived)] = index.markers.count
        }
        index.markers.append(marker)
    }

    /// `text` cut to `limit` characters, with "…" saying so (wire text may be 64 KB a line).
    static func cut(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit - 1)) + "…"
    }
}
