import SessionCore
import Synchronization
import SystemCalls
import Telemetry

/// `--record FILE`: writes every line a live source receives, exactly as received, to FILE
/// (`.ndjson`, or `.ndjson.gz` compressed on the fly), on a thread of its own.
///
/// Sources hand it their bytes (`tap`) and their events (through `wrapping`) and never wait
/// on the disk: inputs go to a queue bounded at `capacity` bytes. When a slow disk lets it
/// fill, what does not fit is dropped and counted, the file gets an event saying how many
/// lines (and bytes) are missing there, and the console is told (`RecordingStatus.behind`,
/// a log line): the recorder falls behind, never the screen. A write error (a full disk)
/// stops the recording, with the reason in `RecordingStatus.failure` (RECORDING.FAILED);
/// monitoring goes on. The logic is `RecorderCore`'s; this class is its thread and its queue.
public final class WireRecorder: Sendable {
    /// The file named on the command line.
    public let path: String
    /// Records the frames a source makes itself (the demo) rather than bytes received.
    public let recordsFrames: Bool
    /// Bytes the queue holds at most (32 MiB: over a minute of four arms at 500 Hz).
    public let capacity: Int
    public static let defaultCapacity = 32 << 20

    private let core: Mutex<RecorderCore>
    private let queue = Mutex(Queue())
    private let published: Mutex<RecordingStatus>
    private let clock: @Sendable () -> Double
    private let wakeup = Wakeup()
    private let stopRequested = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    /// Quitting gave up on the backlog: the slice being handled stops at its next input, and
    /// the bytes of those left are counted here.
    private let givenUp = Atomic<Bool>(false)
    /// Bytes of the slice taken from the queue not yet handed to the core, and those the core
    /// holds unwritten: readable while the recorder's thread is stuck in a write.
    private let leftInSlice = Atomic<Int>(0)
    private let held: HeldBytes
    /// The recording stopped (a write error): inputs are no longer copied, the thread only waits
    /// for the stop.
    private let failed = Atomic<Bool>(false)
    /// Rounds of the recorder's thread so far (for tests: an idle recorder sleeps).
    let rounds = Atomic<Int>(0)
    /// Seconds quitting waits, past its timeout, for the file to be closed before it gives up
    /// on it too (a disk that never takes a write).
    static let closeGrace = 1.0

    /// Bytes of input the recorder handles between two looks at the clock (flush, status).
    static let sliceBytes = 1 << 20
    /// Bytes each queued input counts for at least: an entry costs memory whatever it holds.
    static let entryCost = 64

    private struct Queue {
        /// Inputs from `head` on are waiting; those before were taken.
        var inputs: [(input: RecorderInput, cost: Int, bytes: Int)] = []
        var head = 0
        /// What the waiting inputs count for (at least `entryCost` each), against `capacity`.
        var cost = 0
        /// Bytes received among them (what would be lost if they were never written).
        var bytes = 0
        /// What was dropped since the last input kept, queued before the next one that fits.
        var gap: RecorderGap?
        var lastDrop: Double?
        /// Quitting gave up on the backlog: nothing more is taken.
        var abandoned = false
    }

    /// Opens FILE now, or with `openingNow: false` at `openFile()` (after the rest of the
    /// start-up, so a run that cannot start leaves FILE alone): a path that cannot be written (a
    /// missing directory, a directory, no permission) throws, for the command line to refuse.
    public convenience init(path: String, recordsFrames: Bool = false, openingNow: Bool = true) throws(SourceError) {
        try self.init(path: path, recordsFrames: recordsFrames, capacity: Self.defaultCapacity,
                      clock: { MonotonicClock.now() }, open: { path throws(SourceError) in try RecordingWriter(path: path) },
                      openingNow: openingNow)
    }

    /// Creates (or truncates) FILE, if `init` did not.
    public func openFile() throws(SourceError) {
        try core.withLock { core throws(SourceError) in try core.openFile() }
    }

    /// For tests: the queue's size, the clock, and what opens a file (a failing or slow disk).
    init(path: String, recordsFrames: Bool, capacity: Int, clock: @escaping @Sendable () -> Double,
         open: @escaping RecorderCore.Opener, exists: @escaping @Sendable (String) -> Bool = { SystemCalls.exists($0) },
         openingNow: Bool = true) throws(SourceError) {
        self.path = path
        self.recordsFrames = recordsFrames
        self.capacity = max(1, capacity)
        self.clock = clock
        let core = try RecorderCore(path: path, now: clock(), open: open, exists: exists, clock: clock, openingNow: openingNow)
        held = core.held
        self.core = Mutex(core)
        published = Mutex(RecordingStatus(path: path))
    }

    /// The status as of the recorder's last round (after every slice, and at least every flush).
    public var status: RecordingStatus { published.withLock { $0 } }

    // MARK: - producers (any thread; never wait on the disk)

    /// Bytes as a source received them, on its reading thread.
    public var tap: WireTap {
        { [self] bytes in
            guard !recordsFrames, bytes.count > 0, isTaking else { return }
            enqueue(.bytes(Array(bytes)), size: bytes.count)
        }
    }

    /// Whether inputs are still wanted: not once stopping or failed (nothing is copied then).
    private var isTaking: Bool {
        !stopRequested.load(ordering: .relaxed) && !failed.load(ordering: .relaxed)
    }

    /// Bytes received waiting in the queue (for tests).
    var queuedBytes: Int { queue.withLock { $0.bytes } }

    /// What the recorder remembers of a source's events between two of them.
    struct Connection {
        var connected = false
        /// Why the connection ended, as the source said it (`.connection(.lost/.dropped)`),
        /// just before its state changes.
        var endReason: String?
    }

    /// What a source's event means for the recording: connections and their ends (with the
    /// reason the source gave), and, for a source without wire bytes (the demo), its frames.
    func observe(_ event: SourceEvent, connection: inout Connection) {
        switch event {
        case .state(.connected(let peer)):
            connection = Connection(connected: true)
            enqueue(.connected(peer: peer), size: 0)
        case .connection(.lost(_, let reason)):
            connection.endReason = reason
        case .connection(.dropped(_, let reason, _)):
            connection.endReason = "dropped by the console: " + reason
        case .state(let state):
            guard connection.connected else { return }
            let reason = connection.endReason.flatMap { $0.isEmpty ? nil : $0 } ?? Self.reason(state)
            connection = Connection()
            enqueue(.lost(reason: reason), size: 0)
        case .decoded(.frame(let frame)) where recordsFrames:
            enqueue(.frame(frame), size: Self.frameSize)
        default:
            break
        }
    }

    /// Bytes a frame is counted for in the queue (the simulator's are 100–400 bytes).
    private static let frameSize = 256

    private static func reason(_ state: SourceState) -> String {
        switch state {
        case .reconnecting(_, _, let reason): reason.isEmpty ? "the connection dropped" : reason
        case .listening: "the gateway left; listening for another"
        case .ended: "the stream ended"
        case .failed(let message): message
        case .paused: "paused"
        case .connecting, .connected: "the connection dropped"
        }
    }

    private func enqueue(_ input: RecorderInput, size: Int) {
        guard isTaking else { return }
        let now = size > 0 ? clock() : 0
        let cost = max(size, Self.entryCost)
        queue.withLock { q in
            // Connections and their ends are always kept (they are few): the file must say
            // where a drop was even when its bytes were lost.
            if size > 0 && q.cost + cost > capacity {
                if q.gap == nil { q.gap = RecorderGap() }
                q.gap!.add(input)
                q.lastDrop = now
                return
            }
            if let gap = q.gap {
                q.inputs.append((.gap(gap), Self.entryCost, 0))
                q.cost += Self.entryCost
                q.gap = nil
            }
            q.inputs.append((input, cost, size))
            q.cost += cost
            q.bytes += size
        }
        wakeup.signal()
    }

    /// The next inputs, about `sliceBytes` of them (at least one), in order.
    private func take() -> [(input: RecorderInput, bytes: Int)] {
        queue.withLock { q in
            guard !q.abandoned else { return [] }
            if let gap = q.gap, q.head == q.inputs.count {
                // Dropping ended with nothing after it yet: say so now rather than wait.
                q.inputs.append((.gap(gap), Self.entryCost, 0))
                q.cost += Self.entryCost
                q.gap = nil
            }
            var taken: [(input: RecorderInput, bytes: Int)] = []
            var cost = 0
            var bytes = 0
            while q.head < q.inputs.count && cost < Self.sliceBytes {
                let entry = q.inputs[q.head]
                taken.append((entry.input, entry.bytes))
                cost += entry.cost
                bytes = bytes.saturatingAdd(entry.bytes)
                q.cost -= entry.cost
                q.bytes -= entry.bytes
                q.head += 1
            }
            // Under the queue's lock: quitting counts these bytes in one place or the other.
            leftInSlice.store(bytes, ordering: .releasing)
            if q.head == q.inputs.count {
                q.inputs.removeAll(keepingCapacity: q.inputs.capacity <= 4096)
                q.head = 0
            } else if q.head >= 4096 {
                q.inputs.removeFirst(q.head)  // now and then, not per slice
                q.head = 0
            }
            return taken
        }
    }

    // MARK: - the recorder's thread

    /// Starts the thread; `report` gets `.recording(status)` when it changes and `.log` lines
    /// (behind, caught up, a new session's file, a failure). Called once.
    public func start(report: @escaping @Sendable (SourceEvent) -> Void) {
        guard !started.exchange(true, ordering: .relaxed) else { return }
        report(.log(recordsFrames ? "recording every frame to '\(path)'" : "recording every line received to '\(path)'"))
        SystemCalls.startDetachedThread { [self] in run(report: report) }
    }

    private func run(report: @escaping @Sendable (SourceEvent) -> Void) {
        var reported: RecordingStatus?
        var reportedAt = -Double.infinity
        var wasBehind = false
        var lag = RecorderLag.slowDisk
        while true {
            rounds.add(1, ordering: .relaxed)
            let stopping = stopRequested.load(ordering: .acquiring)
            let inputs = take()
            let (lastDrop, abandoned) = queue.withLock { ($0.lastDrop, $0.abandoned) }
            if abandoned { return }  // `finish` closes the file itself
            let began = clock()
            let (status, messages, diskSeconds, nextFlush) = core.withLock { core in
                let diskBefore = core.diskSeconds
                core.lag = lag
                var rest = leftInSlice.load(ordering: .relaxed)
                for entry in inputs {
                    if givenUp.load(ordering: .acquiring) { break }  // quitting gave up: `rest` is unwritten
                    rest -= entry.bytes
                    leftInSlice.store(rest, ordering: .releasing)
                    core.handle(entry.input, now: began)
                }
                if stopping && inputs.isEmpty { core.finish() } else { core.tick(now: clock()) }
                return (core.status, core.takeMessages(), core.diskSeconds - diskBefore, core.nextFlush)
            }
            let now = clock()
            // A slice that spent most of its time writing was held by the disk; one that did not,
            // by the CPU (the console decoding on the other core): the next note says which.
            if !inputs.isEmpty && now - began > 0.001 { lag = diskSeconds >= (now - began) / 2 ? .slowDisk : .cpu }
            var shown = status
            shown.behind = status.failure == nil && lastDrop.map { now - $0 < Self.behindSeconds } == true
            published.withLock { $0 = shown }
            if shown.behind != wasBehind {
                wasBehind = shown.behind
                let falling = lag == .slowDisk
                    ? "recording falling behind: the disk is slower than the stream; lines that do not fit are not recorded (counted)"
                    : "recording falling behind the stream (the recorder gets too little CPU); lines that do not fit are not recorded (counted)"
                report(.log(shown.behind
                    ? falling
                    : "recording caught up: \(shown.lostLines) lines (\(shown.lostBytes) bytes) received were not recorded so far"))
            }
            for line in messages { report(.log(line)) }
            // The byte count moves all the time: reported a few times a second; the rest at once.
            // The last status, after the file is closed, always goes out: it has the final size.
            let last = stopping && inputs.isEmpty
            var sameButSize = shown
            sameButSize.bytesOnDisk = reported?.bytesOnDisk ?? 0
            if last || reported == nil || sameButSize != reported! || (shown.bytesOnDisk != reported!.bytesOnDisk && now - reportedAt >= 0.25) {
                reported = shown
                reportedAt = now
                report(.recording(shown))
            }
            if last {
                finished.store(true, ordering: .releasing)
                return
            }
            if status.failure != nil {
                // Stopped for good: nothing is taken any more, nothing is due; wake only to stop.
                failed.store(true, ordering: .releasing)
                queue.withLock { q in
                    q.inputs.removeAll()
                    q.head = 0
                    q.cost = 0
                    q.bytes = 0
                    q.gap = nil
                }
                if !stopRequested.load(ordering: .acquiring) { wakeup.wait(seconds: 3600) }
                continue
            }
            if inputs.isEmpty {
                // Idle: sleep until input, the next flush, or the end of BEHIND, whichever is first.
                var until = nextFlush
                if shown.behind, let lastDrop { until = min(until, lastDrop + Self.behindSeconds) }
                wakeup.wait(seconds: max(0.005, until - clock()))
            }
        }
    }

    /// Seconds after the last drop during which the recorder counts as behind.
    static let behindSeconds = 1.0

    /// Writes what is queued and closes the file (gzip: its trailer), waiting at most
    /// `timeout` seconds for a slow disk. Past it, the backlog is given up: what was written
    /// is finished as a whole file, and the returned sentence says how much was not
    /// ("recording not finished: N bytes unwritten"). Idempotent; any thread.
    @discardableResult
    public func finish(timeout: Double = 5) -> String? {
        stopRequested.store(true, ordering: .releasing)
        wakeup.signal()
        guard started.load(ordering: .relaxed) else {
            core.withLock { _ = $0.finish() }
            return nil
        }
        let deadline = MonotonicClock.now() + timeout
        while !finished.load(ordering: .acquiring) && MonotonicClock.now() < deadline {
            SystemCalls.sleep(seconds: 0.005)
        }
        guard !finished.exchange(true, ordering: .acquiringAndReleasing) else { return nil }
        // Given up: the thread takes nothing more, and stops its slice after the input it is
        // writing. The core's lock is not waited for here: a write that never returns holds it.
        givenUp.store(true, ordering: .releasing)
        let queued = queue.withLock { q -> Int in
            q.abandoned = true
            return q.bytes
        }
        // The file is finished with what was written (gzip: its end) on a thread of its own,
        // waited for a little: the disk may not take even that.
        let closed = Atomic<Bool>(false)
        SystemCalls.startDetachedThread { [self] in
            let failure = core.withLock { core in
                core.finish(abandoning: true)
                return core.status.failure
            }
            if failure != nil { failed.store(true, ordering: .releasing) }
            closed.store(true, ordering: .releasing)
        }
        let graceEnd = MonotonicClock.now() + Self.closeGrace
        while !closed.load(ordering: .acquiring) && MonotonicClock.now() < graceEnd {
            SystemCalls.sleep(seconds: 0.005)
        }
        if failed.load(ordering: .acquiring) || status.failure != nil { return nil }  // already said: the recording had stopped
        let unwritten = queued.saturatingAdd(leftInSlice.load(ordering: .acquiring)).saturatingAdd(held.load())
        let path = status.path
        let within = "the disk did not take them within \(NumberText.trimmed(timeout, 1)) s"
        return closed.load(ordering: .acquiring)
            ? "recording not finished: \(unwritten) bytes unwritten (\(within)); '\(path)' holds what was written before"
            : "recording not finished: \(unwritten) bytes unwritten (\(within), and a write never returned); '\(path)' ends where the disk stopped"
    }

    /// `source` with its bytes and events recorded here.
    public func wrapping(_ source: any TelemetrySource) -> any TelemetrySource {
        core.withLock { $0.setRestartRule(source.restartRule) }  // split sessions where the console does
        return RecordedSource(inner: source, recorder: self)
    }
}

/// Bytes as a source received them (a TCP read, a chunk of standard input), on its thread.
public typealias WireTap = @Sendable (UnsafeRawBufferPointer) -> Void

/// A source whose events also go to a `WireRecorder` (connections, drops, and the demo's
/// frames); stopping it finishes the recording.
final class RecordedSource: TelemetrySource {
    let inner: any TelemetrySource
    let recorder: WireRecorder
    private let connection = Mutex(WireRecorder.Connection())

    init(inner: any TelemetrySource, recorder: WireRecorder) {
        self.inner = inner
        self.recorder = recorder
    }

    var mode: SessionMode { inner.mode }
    var label: String { inner.label }
    var restartRule: SessionClock.RestartRule { inner.restartRule }

    func start(sink: @escaping @Sendable (SourceEvent) -> Void) {
        recorder.start(report: sink)
        inner.start { [self] event in
            // A source emits from one thread at a time, in order: the lock only keeps the flag.
            connection.withLock { recorder.observe(event, connection: &$0) }
            sink(event)
        }
    }

    func stop() {
        inner.stop()
        // Said on standard error: at exit it is what the user sees (the screen is closed by then).
        if let unfinished = recorder.finish() { SystemCalls.writeStandardError("surgtop: " + unfinished) }
    }
}
