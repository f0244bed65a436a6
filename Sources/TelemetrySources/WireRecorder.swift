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
    private let stopRequested = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)

    private struct Queue {
        var inputs: [RecorderInput] = []
        var bytes = 0
        /// What was dropped since the last input kept, queued before the next one that fits.
        var gap: RecorderGap?
        var lastDrop: Double?
    }

    /// Opens FILE now: a path that cannot be written (a missing directory, a directory, no
    /// permission) throws, for the command line to refuse before anything starts.
    public convenience init(path: String, recordsFrames: Bool = false) throws(SourceError) {
        try self.init(path: path, recordsFrames: recordsFrames, capacity: Self.defaultCapacity,
                      clock: { MonotonicClock.now() }, open: { path throws(SourceError) in try RecordingWriter(path: path) })
    }

    /// For tests: the queue's size, the clock, and what opens a file (a failing or slow disk).
    init(path: String, recordsFrames: Bool, capacity: Int, clock: @escaping @Sendable () -> Double,
         open: @escaping RecorderCore.Opener, exists: @escaping @Sendable (String) -> Bool = { SystemCalls.exists($0) }) throws(SourceError) {
        self.path = path
        self.recordsFrames = recordsFrames
        self.capacity = max(1, capacity)
        self.clock = clock
        core = Mutex(try RecorderCore(path: path, now: clock(), open: open, exists: exists))
        published = Mutex(RecordingStatus(path: path))
    }

    /// The status as of the recorder's last round (about every 10 ms).
    public var status: RecordingStatus { published.withLock { $0 } }

    // MARK: - producers (any thread; never wait on the disk)

    /// Bytes as a source received them, on its reading thread.
    public var tap: WireTap {
        { [self] bytes in
            guard !recordsFrames, bytes.count > 0 else { return }
            enqueue(.bytes(Array(bytes)), size: bytes.count)
        }
    }

    /// What a source's event means for the recording: connections and their ends, and, for
    /// a source without wire bytes (the demo), its frames.
    func observe(_ event: SourceEvent, wasConnected: inout Bool) {
        switch event {
        case .state(.connected(let peer)):
            wasConnected = true
            enqueue(.connected(peer: peer), size: 0)
        case .state(let state):
            guard wasConnected else { return }
            wasConnected = false
            enqueue(.lost(reason: Self.reason(state)), size: 0)
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
        guard !stopRequested.load(ordering: .relaxed) else { return }
        let now = size > 0 ? clock() : 0
        queue.withLock { q in
            // Connections and their ends are always kept (they take no room): the file must
            // say where a drop was even when its bytes were lost.
            if size > 0 && q.bytes + size > capacity {
                if q.gap == nil { q.gap = RecorderGap() }
                q.gap!.add(input)
                q.lastDrop = now
                return
            }
            if let gap = q.gap {
                q.inputs.append(.gap(gap))
                q.gap = nil
            }
            q.inputs.append(input)
            q.bytes += size
        }
    }

    private func take() -> [RecorderInput] {
        queue.withLock { q in
            if let gap = q.gap, q.inputs.isEmpty {
                // Dropping ended with nothing after it yet: say so now rather than wait.
                q.inputs.append(.gap(gap))
                q.gap = nil
            }
            let taken = q.inputs
            q.inputs = []
            q.bytes = 0
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
        while true {
            let stopping = stopRequested.load(ordering: .acquiring)
            let inputs = take()
            let now = clock()
            let lastDrop = queue.withLock { $0.lastDrop }
            let (status, messages) = core.withLock { core -> (RecordingStatus, [String]) in
                for input in inputs { core.handle(input, now: now) }
                if stopping && inputs.isEmpty { core.finish() } else { core.tick(now: now) }
                return (core.status, core.takeMessages())
            }
            var shown = status
            shown.behind = status.failure == nil && lastDrop.map { now - $0 < Self.behindSeconds } == true
            published.withLock { $0 = shown }
            if shown.behind != wasBehind {
                wasBehind = shown.behind
                report(.log(shown.behind
                    ? "recording falling behind: the disk is slower than the stream; lines that do not fit are not recorded (counted)"
                    : "recording caught up: \(shown.lostLines) lines (\(shown.lostBytes) bytes) received were not recorded so far"))
            }
            for line in messages { report(.log(line)) }
            // The byte count moves all the time: reported a few times a second; the rest at once.
            var sameButSize = shown
            sameButSize.bytesOnDisk = reported?.bytesOnDisk ?? 0
            if reported == nil || sameButSize != reported! || (shown.bytesOnDisk != reported!.bytesOnDisk && now - reportedAt >= 0.25) {
                reported = shown
                reportedAt = now
                report(.recording(shown))
            }
            if stopping && inputs.isEmpty {
                finished.store(true, ordering: .releasing)
                return
            }
            if inputs.isEmpty { SystemCalls.sleep(seconds: 0.01) }
        }
    }

    /// Seconds after the last drop during which the recorder counts as behind.
    static let behindSeconds = 1.0

    /// Writes what is queued and closes the file (gzip: its trailer), waiting at most
    /// `timeout` seconds for a slow disk. Idempotent; any thread.
    public func finish(timeout: Double = 5) {
        stopRequested.store(true, ordering: .releasing)
        guard started.load(ordering: .relaxed) else {
            core.withLock { $0.finish() }
            return
        }
        let deadline = MonotonicClock.now() + timeout
        while !finished.load(ordering: .acquiring) && MonotonicClock.now() < deadline {
            SystemCalls.sleep(seconds: 0.005)
        }
    }

    /// `source` with its bytes and events recorded here.
    public func wrapping(_ source: any TelemetrySource) -> any TelemetrySource {
        RecordedSource(inner: source, recorder: self)
    }
}

/// Bytes as a source received them (a TCP read, a chunk of standard input), on its thread.
public typealias WireTap = @Sendable (UnsafeRawBufferPointer) -> Void

/// A source whose events also go to a `WireRecorder` (connections, drops, and the demo's
/// frames); stopping it finishes the recording.
final class RecordedSource: TelemetrySource {
    let inner: any TelemetrySource
    let recorder: WireRecorder
    private let connected = Mutex(false)

    init(inner: any TelemetrySource, recorder: WireRecorder) {
        self.inner = inner
        self.recorder = recorder
    }

    var mode: SessionMode { inner.mode }
    var label: String { inner.label }

    func start(sink: @escaping @Sendable (SourceEvent) -> Void) {
        recorder.start(report: sink)
        inner.start { [self] event in
            // A source emits from one thread at a time, in order: the lock only keeps the flag.
            connected.withLock { recorder.observe(event, wasConnected: &$0) }
            sink(event)
        }
    }

    func stop() {
        inner.stop()
        recorder.finish()
    }
}
