import Synchronization
import Interop
import SystemCalls

/// A recording's length in session seconds, for the replay timeline, found without delaying
/// the start: at once for a plain file (from its tail), in the background for a gzip file
/// (which has to be decompressed to its end: a few seconds for an hour's recording).
/// Standard input has no length until it ends.
public final class RecordingLength: Sendable {
    private let found = Mutex<Double?>(nil)

    public init(path: String) {
        guard path != "-", RecordingReader.isRegularFile(path) else { return }
        if path.hasSuffix(".gz") || ForeignRecordings.format(of: path) != nil {  // a ROS 2 bag is read through
            SystemCalls.startDetachedThread { [self] in
                let t = Self.measure(path: path)
                found.withLock { $0 = t }
            }
        } else {
            found.withLock { $0 = Self.measure(path: path) }
        }
    }

    /// The length, once known.
    public var seconds: Double? { found.withLock { $0 } }

    /// The length found now, however long that takes (for one-shot uses such as a snapshot).
    public static func measure(path: String) -> Double? {
        // A FIFO or a device can be read once only: the replay itself reads it.
        guard path != "-", RecordingReader.isRegularFile(path) else { return nil }
        if ForeignRecordings.format(of: path) != nil {  // a ROS 2 bag or JIGSAWS is read through
            return RecordingReader.lastTimestamp(path: path) ?? RecordingReader.lastTimestampByReading(path: path)
        }
        return path.hasSuffix(".gz") ? RecordingReader.lastTimestampByReading(path: path) : RecordingReader.lastTimestamp(path: path)
    }
}
