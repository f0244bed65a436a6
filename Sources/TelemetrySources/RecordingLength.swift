import Synchronization

/// A recording's length in session seconds, for the replay timeline, found without delaying
/// the start: at once for a plain file (from its tail), in the background for a gzip file
/// (which has to be decompressed to its end: a few seconds for an hour's recording).
/// Standard input has no length until it ends.
public final class RecordingLength: Sendable {
    private let found = Mutex<Double?>(nil)

    public init(path: String) {
        guard path != "-" else { return }
        if path.hasSuffix(".gz") {
            DetachedThread.spawn { [self] in
                let t = RecordingReader.lastTimestampByReading(path: path)
                found.withLock { $0 = t }
            }
        } else {
            found.withLock { $0 = RecordingReader.lastTimestamp(path: path) }
        }
    }

    /// The length, once known.
    public var seconds: Double? { found.withLock { $0 } }
}
