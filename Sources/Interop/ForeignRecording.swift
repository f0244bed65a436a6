import Synchronization

/// A recording in a format other than surgtop's NDJSON, presented as the NDJSON lines of the frames it
/// holds, so that every reader of recordings (replay, check, report, convert) reads it exactly as it reads a
/// `.ndjson` file: `RecordingReader` (TelemetrySources) pulls its bytes instead of a file's.
///
/// The formats: MCAP written by surgtop (`SurgtopMCAPRecording`), a ROS 2 bag in MCAP with CDR messages
/// (`ROS2Recording`), and a JIGSAWS kinematics file (`JIGSAWSRecording`). Not thread-safe: one reader per thread.
public protocol ForeignRecording: AnyObject {
    /// Copies the next bytes of NDJSON into `buffer` (whole lines or parts of one); 0 at the end, or
    /// once a problem has stopped reading.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int
    /// Moves to `offset` of the NDJSON this recording produces, an offset where a line starts that a read
    /// of the same file produced before (by this instance or another); false when it cannot.
    func seek(to offset: Int) -> Bool
    /// How far through the file's own bytes reading has got, for progress: 0 up to `fileSize`.
    var fileBytesRead: Int { get }
    var fileSize: Int { get }
    /// Why reading stopped before the end, when it did: one sentence, naming the file.
    var problem: String? { get }
    /// What a reader should be told that did not stop reading: a file read without its summary, CRCs
    /// ignored, damage skipped, encodings or topics it could not read (each listed once), messages that
    /// could not be decoded (counted, the first few named by channel and log time). Bounded.
    var notes: [String] { get }
}

/// What a foreign recording is, when its name does not say (JIGSAWS kinematics are `.txt` files).
public enum ForeignFormat: Sendable, Equatable {
    /// MCAP: surgtop's own channels or a ROS 2 bag, told apart by its channels.
    case mcap
    /// A JIGSAWS kinematics file (76 numbers a row at 30 Hz), with its gesture transcription if given.
    case jigsaws(transcription: String?)
}

/// How foreign recordings are read: set once by the command line, before any recording is opened.
public struct InteropOptions: Sendable, Equatable {
    /// Read an MCAP file whose CRCs do not match (`--ignore-crc`); a note still says so.
    public var ignoreCRC = false
    /// A topic mapping file for ROS 2 bags (`--map FILE`); nil: the dVRK's CRTK topic names.
    public var topicMap: String?
    /// Set for an input that is not told by its name (`convert --jigsaws`).
    public var format: ForeignFormat?

    public init(ignoreCRC: Bool = false, topicMap: String? = nil, format: ForeignFormat? = nil) {
        self.ignoreCRC = ignoreCRC
        self.topicMap = topicMap
        self.format = format
    }

    private static let shared = Mutex(InteropOptions())

    /// The options of this run. Readers of recordings are opened deep in the replay, report and marker
    /// passes; the command line sets these once instead of threading them through every one.
    public static var current: InteropOptions {
        get { shared.withLock { $0 } }
        set { shared.withLock { $0 = newValue } }
    }
}

/// Why a foreign recording cannot be read at all: one sentence for a person.
public struct InteropError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

public enum ForeignRecordings {
    /// The format of `path`: `options.format` when set, `.mcap` for a name ending in `.mcap`, nil for
    /// surgtop's NDJSON (and standard input).
    public static func format(of path: String, options: InteropOptions = .current) -> ForeignFormat? {
        if let format = options.format { return format }
        return path.lowercased().hasSuffix(".mcap") ? .mcap : nil
    }

    /// Opens `path` as `format`.
    public static func open(path: String, format: ForeignFormat, options: InteropOptions = .current) throws(InteropError) -> ForeignRecording {
        switch format {
        case .mcap: try MCAPRecordings.open(path: path, options: options)
        case .jigsaws(let transcription): try JIGSAWSRecording(kinematicsPath: path, transcriptionPath: transcription)
        }
    }
}
