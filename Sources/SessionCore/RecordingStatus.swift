import Telemetry

/// What the console shows of `--record`: a plain value the recorder hands over (the View does
/// no file I/O), in the header ("● REC 12.4 MB") and the headless status line.
public struct RecordingStatus: Sendable, Equatable {
    /// The file being written now (a new session goes to a file of its own).
    public var path: String
    /// Files written so far (1, plus one per new session).
    public var files = 1
    /// Bytes on disk of every file written so far (compressed for gzip, as of the last flush).
    public var bytesOnDisk = 0
    /// Lines received that were not recorded because the disk could not keep up, and their bytes.
    public var lostLines = 0
    public var lostBytes = 0
    /// Dropping now: the recorder fell behind within the last second.
    public var behind = false
    /// Why recording stopped (a write error: "No space left on device"); monitoring goes on.
    public var failure: String?

    public init(path: String) {
        self.path = path
    }

    /// The size on disk as people read it: "812 kB", "12.4 MB", "3.07 GB" (decimal units).
    public var sizeText: String {
        let b = Double(bytesOnDisk)
        if b < 1e6 { return NumberText.fixed(b / 1e3, 0) + " kB" }
        if b < 1e9 { return NumberText.fixed(b / 1e6, 1) + " MB" }
        return NumberText.fixed(b / 1e9, 2) + " GB"
    }
}
