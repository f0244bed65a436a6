import View

/// What the console loop needs of a terminal: its size, keys with a timeout, a buffer shown,
/// a bell. `CursesScreen` is the real one; tests drive the loop with a fake.
///
/// The loop computes what changed since the last buffer it presented (`CellBuffer.changes(from:)`,
/// the one diff) and presents nothing while nothing changed; a backend draws just those cells.
/// Not `Sendable`: a terminal is used from one thread.
public protocol TerminalBackend: AnyObject {
    /// What the terminal can show, decided when it started.
    var capabilities: TerminalCapabilities { get }
    /// The size in columns and rows, as of the last `.resize` key.
    var size: TerminalSize { get }
    /// Waits up to `timeoutMs` milliseconds for a key (0: just look); nil when none came.
    /// After a `.resize` key, `size` is the new size and the next present should be `.all`.
    func readKey(timeoutMs: Int) -> Key?
    /// Shows `buffer`. `changes` says which of its cells differ from the buffer presented last:
    /// the backend draws only those, or every cell for `.all`.
    func present(_ buffer: CellBuffer, changes: CellChanges)
    /// Rings the terminal's bell once.
    func bell()
}
