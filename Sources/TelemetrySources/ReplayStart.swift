import Interop
import SessionCore
import Telemetry

/// Where `replay --from` starts: a typed time (`ReplayTime`: `750`, `12:30`, `09:12:30`) as a
/// session time of the recording's first session, refused past that session's end.
///
/// The check costs nothing at 0 (no check) and little for a plain file whose tail holds a later
/// frame. Otherwise (a gzip file, or a time past the tail's last frame, which a recording of
/// several sessions may still hold in its first) the first session is read from the start up
/// to that time: no more than the replay fast-forwards anyway, and a gzip file is never
/// decompressed whole just to start.
public enum ReplayStart {
    /// The session time `text` names in the recording at `path`, or why it names none.
    public static func resolve(_ text: String, path: String) -> Result<Double, ReplayTimeError> {
        let time: ReplayTime
        switch ReplayTime.parse(text) {
        case .success(let parsed): time = parsed
        case .failure(let error): return .failure(ReplayTimeError("--from: " + error.description))
        }
        var startedAt: Double?
        if case .wallClock = time {
            guard path != "-", RecordingReader.isRegularFile(path) else {
                return .failure(ReplayTimeError("--from: a clock time needs a recording file (standard input is read once); give session seconds"))
            }
            startedAt = firstSession(path: path)?.startedAtSeconds
        }
        let t: Double
        switch time.sessionTime(startedAt: startedAt) {
        case .success(let found): t = found
        case .failure(let error): return .failure(ReplayTimeError("--from: " + error.description))
        }
        let shown = WireText.sanitize(String(text.prefix(40)))
        guard t >= 0 else { return .failure(ReplayTimeError("--from: \(shown) is before the recording starts")) }
        // Nothing to check at the start, nor in a stream read once (the replay itself reads it).
        guard t > 0, path != "-", RecordingReader.isRegularFile(path) else { return .success(t) }
        let last = RecordingReader.lastTimestamp(path: path)
        if let last, t <= last + 1e-6 { return .success(t) }
        // A foreign recording whose end only reading through tells: the console starts at once, and the
        // replay stops at the end however far --from is.
        if last == nil, ForeignRecordings.format(of: path) != nil { return .success(t) }
        if let end = firstSessionEnd(path: path, before: t) {
            return .failure(ReplayTimeError("--from: \(shown) is past the end of the recording"
                + (end.several ? "'s first session" : "") + " (its last frame is at \(NumberText.fixed(end.t, 1)) s)"))
        }
        return .success(t)
    }

    /// Reads the recording's first session from its start: nil once a frame of it at or after
    /// `t` is found; otherwise where it ends (its last frame's `t`) and whether another session
    /// follows.
    static func firstSessionEnd(path: String, before t: Double) -> (t: Double, several: Bool)? {
        guard let reader = try? RecordingReader(path: path) else { return nil }
        defer { reader.close() }
        var sessions = SessionClock(rule: .anywhere)
        var last: Double?
        var reached = false
        var several = false
        reader.decodeAll { outcome in
            guard case .frame(let frame) = outcome else { return true }
            if sessions.observe(frame)?.startsNewSession == true {
                several = true
                return false
            }
            if frame.t >= t - 1e-6 {
                reached = true
                return false
            }
            last = max(last ?? frame.t, frame.t)
            return true
        }
        guard !reached, let last else { return nil }
        return (last, several)
    }

    /// The first session frame's details, searched for in the first `searchedLines` lines.
    static func firstSession(path: String) -> SessionInfo? {
        guard let reader = try? RecordingReader(path: path) else { return nil }
        defer { reader.close() }
        var found: SessionInfo?
        var lines = 0
        reader.decodeAll { outcome in
            lines += 1
            if case .frame(let frame) = outcome, case .session(let info) = frame.body {
                found = info
                return false
            }
            return lines < searchedLines
        }
        return found
    }

    static let searchedLines = 100_000
}
