import SessionCore
import SystemCalls
import Telemetry

/// The alarm log could not be opened or written.
public struct AlarmLogFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "alarm log \(path): \(problem)" }
}

/// Appends the alarm log, one line per entry with wall time first:
///
///     2026-11-25T09:31:02Z  t=123.4  RAISE  ** LINK.primary.RTT  primary round trip 245 ms ≥ 200 ms
///
/// Each line goes to the file with one unbuffered `write(2)` (O_APPEND) as it happens, so a crash
/// loses nothing already written. Not thread-safe: one owner (the console loop) writes.
public final class AlarmLogFile {
    public let path: String
    private var fd: Int32

    /// Opens (creating) `path` for appending. Missing directories are created when
    /// `creatingDirectories` (the default log's own folder); otherwise a missing directory is
    /// an error (a path the user typed, where it is most likely a typo).
    public init(path: String, creatingDirectories: Bool = true) throws(AlarmLogFileError) {
        self.path = path
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            let directory = String(path[..<slash])
            if creatingDirectories {
                try Self.makeDirectories(directory, for: path)
            } else {
                let status: SystemCalls.FileStatus
                do {
                    status = try SystemCalls.status(path: directory)
                } catch {
                    // The system's reason: "does not exist" only when that is true (not for a
                    // directory this user may not search).
                    let reason = error == .noSuchFile ? "does not exist" : "cannot be used: \(error.text)"
                    throw AlarmLogFileError(path: path, problem: "the directory \(directory) \(reason)")
                }
                guard status.kind == .directory else {
                    throw AlarmLogFileError(path: path, problem: "\(directory) is not a directory")
                }
            }
        }
        // Non-blocking: a FIFO with no reader is refused at once (ENXIO) instead of hanging the
        // start, and a stalled reader makes a write fail (said once) instead of stopping the console.
        do {
            fd = try SystemCalls.open(path, .append, nonBlocking: true)
        } catch {
            throw AlarmLogFileError(path: path, problem: "cannot open: \(error.text)")
        }
    }

    deinit {
        if fd >= 0 { SystemCalls.close(fd) }
    }

    /// Opens the default log of a session: `defaultDirectory(environment:)/fileName(…)`.
    /// `fresh`: a session that began while the console ran (a gateway restarted with the same
    /// id and `started_at`) never goes on in an existing file: the first free of `….2.alarms.log`,
    /// `….3.alarms.log`… is used. Otherwise an existing file is appended to (the console
    /// restarted during the session it logged).
    public static func openDefault(sessionID: String?, startedAt: String?, mode: SessionMode = .live,
                                   environment: [String: String],
                                   fresh: Bool = false) throws(AlarmLogFileError) -> AlarmLogFile {
        let name = fileName(sessionID: sessionID, startedAt: startedAt, mode: mode)
        guard let directory = defaultDirectory(environment: environment) else {
            throw AlarmLogFileError(path: name, problem: "neither XDG_STATE_HOME nor HOME is set")
        }
        var path = directory + "/" + name
        if fresh {
            let stem = directory + "/" + name.dropLast(Self.suffix.count)
            var counter = 2
            while SystemCalls.exists(path) && counter <= Self.maxCounter {
                path = stem + ".\(counter)" + Self.suffix
                counter += 1
            }
        }
        return try AlarmLogFile(path: path)
    }

    static let suffix = ".alarms.log"
    /// Numbered files tried for a fresh log before the last is appended to after all.
    static let maxCounter = 1000

    /// `$XDG_STATE_HOME/surgtop` when XDG_STATE_HOME is set, else `$HOME/.local/state/surgtop`.
    public static func defaultDirectory(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { return xdg + "/surgtop" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.local/state/surgtop" }
        return nil
    }

    /// One file per session, from its id and start time (the session's `started_at`, else the
    /// console's own start time), safe as a file name: `OR3-20261124-01_2026-11-24T08-00-00Z.alarms.log`.
    /// A replay or a demo writes a file of its own (`….replay.alarms.log`, `….demo.alarms.log`), so
    /// replaying a recording never adds to the live session's log.
    public static func fileName(sessionID: String?, startedAt: String?, mode: SessionMode = .live) -> String {
        let id = sanitize(sessionID ?? "", fallback: "session")
        let start = sanitize(startedAt ?? "", fallback: "unknown-start")
        let kind = switch mode {
        case .live: ""
        case .replay: ".replay"
        case .demo: ".demo"
        }
        return "\(id)_\(start)\(kind)\(suffix)"
    }

    /// Letters, digits, `.`, `-` and `_` kept, `:` becomes `-`, anything else `_`; at most 80
    /// characters; never empty, never starting with a dot.
    static func sanitize(_ text: String, fallback: String) -> String {
        var out = ""
        for u in text.unicodeScalars {
            if out.unicodeScalars.count >= 80 { break }
            switch u {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "-", "_": out.unicodeScalars.append(u)
            case ":": out += "-"
            default: out += "_"
            }
        }
        while out.hasPrefix(".") { out.removeFirst() }
        return out.isEmpty ? fallback : out
    }

    /// Appends one entry with its wall time (Unix seconds; now when nil).
    public func write(_ entry: AlarmLogEntry, wallTime: Double? = nil) throws(AlarmLogFileError) {
        try writeLine(Self.utcTimestamp(wallTime ?? Self.wallNow()) + "  " + entry.text)
    }

    /// Appends entries, each with the same wall time.
    public func write(_ entries: [AlarmLogEntry], wallTime: Double? = nil) throws(AlarmLogFileError) {
        guard !entries.isEmpty else { return }
        let stamp = Self.utcTimestamp(wallTime ?? Self.wallNow())
        for entry in entries { try writeLine(stamp + "  " + entry.text) }
    }

    /// Appends one line of text (a newline is added; control characters are removed). Always
    /// UTF-8, whatever the locale: the log is data, read by tools and appended by runs under
    /// different locales; only what reaches an ASCII terminal is spelled in ASCII.
    public func writeLine(_ line: String) throws(AlarmLogFileError) {
        guard fd >= 0 else { throw AlarmLogFileError(path: path, problem: "already closed") }
        let clean = WireText.sanitize(line)
        var bytes = Array(clean.utf8)
        bytes.append(UInt8(ascii: "\n"))
        do {
            try SystemCalls.writeAll(fd, bytes)
        } catch {
            throw AlarmLogFileError(path: path, problem: "cannot write: \(error.text)")
        }
    }

    public func close() {
        if fd >= 0 { SystemCalls.close(fd) }
        fd = -1
    }

    /// Wall-clock Unix seconds.
    public static func wallNow() -> Double {
        SystemCalls.wallSeconds()
    }

    /// RFC 3339 UTC to the second: `2026-11-25T09:31:02Z`.
    public static func utcTimestamp(_ unixSeconds: Double) -> String {
        let c = SystemCalls.utcCalendar(unixSeconds)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.year)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))Z"
    }

    static func makeDirectories(_ directory: String, for path: String) throws(AlarmLogFileError) {
        let absolute = directory.hasPrefix("/")
        var current = ""
        for component in directory.split(separator: "/") {
            current = current.isEmpty && !absolute ? String(component) : current + "/" + component
            do {
                try SystemCalls.makeDirectory(current, mode: 0o700)
            } catch {
                if error != .fileExists {
                    throw AlarmLogFileError(path: path, problem: "cannot create directory \(current): \(error.text)")
                }
            }
        }
        guard (try? SystemCalls.status(path: directory))?.kind == .directory else {
            throw AlarmLogFileError(path: path, problem: "\(directory) is not a directory")
        }
    }
}
