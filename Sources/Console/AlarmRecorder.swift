import SessionCore
import SystemCalls
import Telemetry

/// Writes the alarm log as it happens: to `--alarm-log FILE`, or by default to one file per
/// session under ~/.local/state/surgtop/. Opened once the session is known; a failure to open
/// is said once and the console goes on (the entries stay in the on-screen log).
public final class AlarmRecorder {
    public enum Destination: Sendable, Equatable {
        case file(String)
        case perSession
        case none
    }

    private let destination: Destination
    private var file: AlarmLogFile?
    private var failed = false
    /// The entries as text, for the `l` overlay: every one of a normal session (a long session
    /// with a flapping link logs a few thousand), the oldest dropped beyond `recentLimit`.
    public private(set) var recent: [String] = []
    /// Entries kept for the overlay: 20,000 lines of about 120 bytes, some 2.4 MB at most.
    public static let recentLimit = 20_000
    /// How many of the oldest lines have left `recent` so far: the overlay keeps its place by it.
    public private(set) var droppedLines = 0
    /// The file the log is written to, once open (nil when none is, or none could be).
    public var path: String? { file?.path }
    /// What `path` holds when it is not every line of `recent`: after a new session opened a
    /// file of its own, the earlier sessions' lines are in their own files.
    public var pathNote: String? {
        guard file != nil, destination == .perSession, sessionFilesOpened > 0, !overflowing else { return nil }
        return Self.thisSessionNote
    }
    public static let thisSessionNote = "this session's file; earlier sessions above the SESSION line"
    /// Files opened for a new session after the first (`endSession`).
    private var sessionFilesOpened = 0
    /// A problem to show once (the log could not be opened or written).
    public private(set) var problem: String?
    /// The problem last handed out: the same one happening again (at each new session) is not
    /// news, a different one is.
    private var problemTaken: String?

    /// The problem, the first time it is asked for after it happened; nil afterwards.
    public func takeProblem() -> String? {
        guard let problem, problem != problemTaken else { return nil }
        problemTaken = problem
        return problem
    }
    /// When (monotonic seconds) each file for a new session was opened in the last hour: at
    /// most `newFilesPerHour`; past that, new sessions share one overflow file (`endSession`).
    private var newFileTimes: [Double] = []
    static let newFilesPerHour = 20
    /// The sessions go to the overflow file: too many began within the hour.
    private var overflowing = false
    private let clock: () -> Double
    /// Where the default destination's directory comes from (XDG_STATE_HOME, HOME).
    private let environment: [String: String]
    /// The last seek of a replay already noted in the log.
    private var seeksNoted = 0

    /// - Parameters:
    ///   - clock: monotonic seconds, for the rate of new files.
    ///   - environment: the process's, for the default directory.
    public init(destination: Destination,
                clock: @escaping () -> Double = SystemCalls.monotonicSeconds,
                environment: [String: String] = SystemCalls.environment()) {
        self.destination = destination
        self.clock = clock
        self.environment = environment
    }

    /// For a named file: opens it now and writes a first `OPEN` line with `note`, so that a path
    /// which cannot take the log is known before the session starts. The per-session file
    /// waits for the session's id, and reports a failure once, when it happens.
    public func openNow(note: String) throws(AlarmLogFileError) {
        guard case .file(let path) = destination, file == nil else { return }
        let log = try AlarmLogFile(path: path, creatingDirectories: false)
        try log.writeLine(AlarmLogFile.utcTimestamp(AlarmLogFile.wallNow()) + "  OPEN  " + note)
        file = log
    }


    /// Takes the engine's new log entries and records them.
    public func record(from driver: inout SessionDriver) {
        for boundary in driver.takeSessionBoundaries() {
            endSession(at: boundary, mode: driver.mode)
            // Sessions past what one step keeps apart: logged in order in the log just opened.
            for folded in boundary.folded { endSession(at: folded, mode: driver.mode, sharingLog: true) }
        }
        let entries = driver.alarms.drainLog()
        // A replay that jumped says so, since what follows may repeat entries already written.
        var seekNote: String?
        if driver.lastSeek != seeksNoted {
            seeksNoted = driver.lastSeek
            seekNote = "t=" + NumberText.fixed(driver.state.sessionTime, 1)
                + "  SEEK  the replay jumped; the entries that follow may repeat earlier ones"
        }
        guard !entries.isEmpty || seekNote != nil else { return }
        let stamp = Self.stamper(driver.state.info, mode: driver.mode, wall: AlarmLogFile.wallNow())
        var lines: [String] = []
        if let seekNote { lines.append(stamp(driver.state.sessionTime) + seekNote) }
        for entry in entries { lines.append(stamp(entry.time) + entry.text) }
        keepRecent(lines)
        guard open(driver.state.info, mode: driver.mode) else { return }
        do {
            for line in lines { try file?.writeLine(line) }
        } catch {
            problem = error.description
            failed = true
            file = nil
        }
    }

    /// A new session (spec §3): the ended session's last entries and "new session B; previous
    /// session A ended" close its log. With the default destination the new session gets a file of
    /// its own, opened now and starting with the same line; a named `--alarm-log FILE` goes on,
    /// that line separating the sessions. `sharingLog`: the session goes on in the log open (one
    /// of many begun in one step).
    ///
    /// A stream that starts a new session on every line must not fill the disk with files: at
    /// most `newFilesPerHour` are opened in any hour. Past that, the sessions that follow share
    /// one file, `surgtop-overflow_<time>.alarms.log`, said in the log they leave and in it,
    /// until the rate falls again.
    private func endSession(at boundary: SessionBoundary, mode: SessionMode, sharingLog: Bool = false) {
        // Stamped as `record` stamps: in a replay the ended session's lines by its own clock,
        // the new one's opening by the new session's.
        let wall = AlarmLogFile.wallNow()
        let ended = Self.stamper(boundary.previous, mode: mode, wall: wall)
        let started = Self.stamper(boundary.next, mode: mode, wall: wall)
        let endedAt = boundary.endedAt.isFinite ? boundary.endedAt : boundary.startT
        let closing = ended(endedAt) + "t=" + NumberText.fixed(endedAt, 1) + "  SESSION  " + boundary.text
        let opening = started(boundary.startT) + "t=" + NumberText.fixed(boundary.startT, 1) + "  SESSION  " + boundary.text
        let endedLines = boundary.endedLog.map { ended($0.time) + $0.text }
        keepRecent(endedLines + [opening])
        guard destination != .none else { return }
        do {
            if !boundary.endedLog.isEmpty || file != nil, open(boundary.previous, mode: mode) {
                for line in endedLines { try file?.writeLine(line) }
                try file?.writeLine(closing)
            }
            // The log goes on (a named file, or sessions sharing one): the closing line said it.
            guard destination == .perSession, !sharingLog else {
                _ = open(boundary.next, mode: mode)
                return
            }
            let now = clock()
            newFileTimes.removeAll { now - $0 >= 3600 }
            if newFileTimes.count < Self.newFilesPerHour {
                file?.close()
                file = nil
                failed = false
                overflowing = false
                newFileTimes.append(now)
                if open(boundary.next, mode: mode, fresh: true) {
                    sessionFilesOpened = sessionFilesOpened.saturatingAdd(1)
                    try file?.writeLine(opening)
                }
            } else {
                if !overflowing {
                    let note = "SESSION  more than \(Self.newFilesPerHour) sessions began within an hour: "
                        + "the sessions that follow share one overflow log until fewer begin"
                    try file?.writeLine(started(boundary.startT) + note)
                    file?.close()
                    file = nil
                    failed = false
                    overflowing = true
                    if open(SessionInfo(id: "surgtop-overflow", arms: []), mode: mode, fresh: true) {
                        try file?.writeLine(started(boundary.startT) + note)
                        try file?.writeLine(opening)
                    }
                }
            }
        } catch {
            problem = error.description
            failed = true
            file = nil
        }
    }

    /// The stamp of a line at session time `t`: the wall clock live; a replay's recording clock
    /// (the session's started_at + t), or nothing (the entry's own t= only) without one.
    private static func stamper(_ info: SessionInfo?, mode: SessionMode, wall: Double) -> (Double) -> String {
        guard mode == .replay else {
            let now = AlarmLogFile.utcTimestamp(wall) + "  "
            return { _ in now }
        }
        let start = info?.startedAtSeconds
        return { t in start.flatMap { RecordingClock.timestamp(start: $0, t: t) }.map { $0 + "  " } ?? "" }
    }

    /// Adds lines for the overlay, dropping the oldest beyond `recentLimit` (a thousand at a
    /// time, not one line per entry) and counting them in `droppedLines`.
    private func keepRecent(_ lines: [String]) {
        recent += lines
        guard recent.count > Self.recentLimit + 1000 else { return }
        let excess = recent.count - Self.recentLimit
        recent.removeFirst(excess)
        droppedLines = droppedLines.saturatingAdd(excess)
    }

    private func open(_ info: SessionInfo?, mode: SessionMode, fresh: Bool = false) -> Bool {
        if file != nil { return true }
        if failed { return false }
        do {
            switch destination {
            case .none: return false
            case .file(let path): file = try AlarmLogFile(path: path, creatingDirectories: false)
            case .perSession:
                file = try AlarmLogFile.openDefault(sessionID: info?.id, startedAt: info?.startedAt ?? AlarmLogFile.utcTimestamp(AlarmLogFile.wallNow()),
                                                    mode: mode, environment: environment, fresh: fresh)
            }
            return true
        } catch {
            problem = error.description
            failed = true
            return false
        }
    }
}
