import SessionCore
import Telemetry

/// Where `replay --from` starts: a typed time (`ReplayTime`: `750`, `12:30`, `09:12:30`) as a
/// session time of the recording's first session, refused past the recording's end.
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
        if let end = RecordingLength.measure(path: path), t > end + 1e-6 {
            return .failure(ReplayTimeError("--from: \(shown) is past the end of the recording (its last frame is at "
                + "\(NumberText.fixed(end, 1)) s)"))
        }
        return .success(t)
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
