import SessionCore
import Synchronization
import SystemCalls
import Telemetry

/// How late the screen is: for every frame a live TCP source receives, the time from the
/// socket read that completed its line to the return of the terminal update that first shows
/// it. Only for measuring (`scripts/bench`, part `live`): it exists only when the environment
/// variable `SURGTOP_LATENCY_LOG` names a file (`LatencyProbe.active`); otherwise it is nil
/// and the normal path reads no clock and records nothing.
///
/// The path of a frame, and who stamps it:
/// - `readReturned()`: the source's event loop, when a read returns, before its bytes are decoded;
/// - `sink(into:)`: each frame decoded from that read is posted to the inbox under the probe's
///   lock, so the probe knows exactly which reads the inbox holds;
/// - `drain(_:)`: the console takes the inbox under the same lock: those reads are now applied;
/// - `presented()`: the console's screen is current (the update call returned, or nothing
///   changed on it): every read applied since the last screen is shown, and its latency logged.
///
/// The log is one line per read shown, "LATENCY_US FRAMES" (the read's latency in
/// microseconds, the frames decoded from it), then "dropped N" at the end when the inbox shed
/// arm samples of a flood (never shown, so not in the latencies). Lines are written by a
/// thread of the probe's own every second and at `finish()`: the loop never waits on the disk.
public final class LatencyProbe: Sendable {
    public static let environmentVariable = "SURGTOP_LATENCY_LOG"

    /// The process's probe: nil unless `SURGTOP_LATENCY_LOG` names a file that could be created.
    public static let active: LatencyProbe? = fromEnvironment(SystemCalls.environment())

    /// A probe logging to the file `SURGTOP_LATENCY_LOG` names (emptied first), or nil when the
    /// variable is unset or empty, or the file cannot be opened (said on stderr once).
    public static func fromEnvironment(_ environment: [String: String]) -> LatencyProbe? {
        guard let path = environment[environmentVariable], !path.isEmpty else { return nil }
        let fd: Int32
        do {
            fd = try SystemCalls.open(path, .writeTruncating)
        } catch {
            SystemCalls.writeStandardError("surgtop: \(environmentVariable): cannot write '\(WireText.sanitize(path))': \(error); latency not measured")
            return nil
        }
        let probe = LatencyProbe(clock: MonotonicClock.now) { bytes in try? SystemCalls.writeAll(fd, bytes) }
        probe.startWriter(every: 1)
        return probe
    }

    /// Frames decoded from one read.
    struct Read: Equatable {
        var arrival: Double
        var frames: Int
    }

    private struct State {
        /// When the read being decoded now returned (set on the source's thread).
        var readAt: Double?
        /// Reads whose frames wait in the inbox.
        var waiting: [Read] = []
        /// Reads applied, not yet on screen.
        var applied: [Read] = []
        /// Log lines not yet written.
        var unwritten: [UInt8] = []
        var dropped = 0
        var finished = false
    }

    private let clock: @Sendable () -> Double
    private let write: @Sendable ([UInt8]) -> Void
    private let state = Mutex(State())
    /// Held while writing, so the writer thread and `finish` keep the lines in order.
    private let writing = Mutex(())

    /// - clock: monotonic seconds (a fake one in tests).
    /// - write: appends log bytes (called by the writer thread, or by `flush`).
    public init(clock: @escaping @Sendable () -> Double, write: @escaping @Sendable ([UInt8]) -> Void) {
        self.clock = clock
        self.write = write
    }

    /// A read returned on a live source: the frames decoded next came with it.
    public func readReturned() {
        let now = clock()
        state.withLock { $0.readAt = now }
    }

    /// The inbox's sink, counting each frame posted against the read it came with. Frames with
    /// no read (a file, standard input) are posted as they are.
    public func sink(into inbox: SourceInbox) -> @Sendable (SourceEvent) -> Void {
        { [self] event in
            guard case .decoded(.frame) = event else { return inbox.post(event) }
            state.withLock { s in
                guard let arrival = s.readAt else { return inbox.post(event) }
                let droppedBefore = inbox.droppedFrames
                inbox.post(event)
                if inbox.droppedFrames != droppedBefore {
                    s.dropped += 1  // shed by the inbox: never shown
                } else if s.waiting.last?.arrival == arrival {
                    s.waiting[s.waiting.count - 1].frames += 1
                } else {
                    s.waiting.append(Read(arrival: arrival, frames: 1))
                }
            }
        }
    }

    /// Takes every pending event (`SourceInbox.drain`): the reads they came with are applied.
    public func drain(_ inbox: SourceInbox) -> [SourceEvent] {
        state.withLock { s in
            s.applied.append(contentsOf: s.waiting)
            s.waiting.removeAll(keepingCapacity: true)
            return inbox.drain()
        }
    }

    /// The screen is current: every read applied so far is shown now.
    public func presented() {
        state.withLock { s in
            guard !s.applied.isEmpty else { return }
            let now = clock()
            for read in s.applied {
                let micros = Int(saturating: ((now - read.arrival) * 1e6).rounded())
                s.unwritten.append(contentsOf: "\(micros) \(read.frames)\n".utf8)
            }
            s.applied.removeAll(keepingCapacity: true)
        }
    }

    /// Writes what is logged so far.
    public func flush() {
        writing.withLock { _ in
            let bytes = state.withLock { s -> [UInt8] in
                let taken = s.unwritten
                s.unwritten = []
                return taken
            }
            if !bytes.isEmpty { write(bytes) }
        }
    }

    /// At exit: the count of samples shed, then everything unwritten; the writer thread stops.
    public func finish() {
        state.withLock { s in
            guard !s.finished else { return }
            s.finished = true
            if s.dropped > 0 { s.unwritten.append(contentsOf: "dropped \(s.dropped)\n".utf8) }
        }
        flush()
    }

    private func startWriter(every seconds: Double) {
        SystemCalls.startDetachedThread { [self] in
            while !state.withLock({ $0.finished }) {
                SystemCalls.sleep(seconds: seconds)
                flush()
            }
        }
    }
}
