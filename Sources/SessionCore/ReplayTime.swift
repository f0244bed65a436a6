import Telemetry

/// A moment of a recording as a trainer types it, for `g` and `replay --from`:
///
/// - `750` or `750.5`: session seconds;
/// - `12:30`: minutes and seconds of session time (minutes may pass 59: `75:00`);
/// - `09:12:30`: the recording's own wall clock (its session frame's `started_at` plus the
///   session time, UTC, as the header shows it).
public enum ReplayTime: Sendable, Equatable {
    /// Session seconds.
    case session(Double)
    /// Seconds since midnight UTC of the recording's wall clock.
    case wallClock(Double)

    /// What `g` and `--from` accept, for the prompt and `--help`.
    public static let forms = "750 or 750.5 (seconds), 12:30 (minutes:seconds), 09:12:30 (the recording's clock)"
    /// The same, short, for an error.
    static let examples = "type 750, 12:30 or 09:12:30"

    /// Reads `text`; a mistake is one sentence saying what is wrong.
    public static func parse(_ text: String) -> Result<ReplayTime, ReplayTimeError> {
        let trimmed = text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()
        let shown = WireText.sanitize(String(trimmed.prefix(40)))
        guard !trimmed.isEmpty else { return .failure(ReplayTimeError("type a time: " + forms)) }
        if trimmed.first == "-" { return .failure(ReplayTimeError("'\(shown)': a time cannot be negative; " + examples)) }
        let parts = String(trimmed).split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 3 else { return .failure(ReplayTimeError("'\(shown)' has too many ':'; " + examples)) }
        // Every part but the last is whole; the last may have a fraction.
        var values: [Double] = []
        for (k, part) in parts.enumerated() {
            let last = k == parts.count - 1
            let allowed = last ? "0123456789." : "0123456789"
            guard !part.isEmpty, part.count <= 12, part.allSatisfy({ allowed.contains($0) }),
                  part.filter({ $0 == "." }).count <= 1, part != ".", let value = Double(part) else {
                return .failure(ReplayTimeError("'\(shown)' is not a time: " + examples))
            }
            values.append(value)
        }
        let time: ReplayTime
        switch values.count {
        case 1:
            time = .session(values[0])
        case 2:
            guard values[1] < 60 else { return .failure(ReplayTimeError("'\(shown)': seconds must be below 60")) }
            time = .session(values[0] * 60 + values[1])
        default:
            guard values[0] < 24, values[1] < 60, values[2] < 60 else {
                return .failure(ReplayTimeError("'\(shown)' is not a clock time (hh:mm:ss, up to 23:59:59)"))
            }
            time = .wallClock(values[0] * 3600 + values[1] * 60 + values[2])
        }
        // Every form, not just plain seconds: 99999999999:00 is as far beyond any recording as 6e12.
        switch time {
        case .session(let t), .wallClock(let t):
            guard t <= Frame.timeLimit else {
                return .failure(ReplayTimeError("'\(shown)' is beyond any recording (at most 1e9 s)"))
            }
        }
        return .success(time)
    }

    /// The session time this names in a session whose frame says it started at `startedAt`
    /// (Unix seconds). A clock time up to 12 hours before the start is that day's (negative: before
    /// the recording began); earlier than that, the next day's (a session that runs past midnight
    /// UTC reads `00:10:00` as the next day's). A bad time is a sentence.
    public func sessionTime(startedAt: Double?) -> Result<Double, ReplayTimeError> {
        switch self {
        case .session(let t):
            return .success(t)
        case .wallClock(let clock):
            guard let startedAt, startedAt.isFinite else {
                return .failure(ReplayTimeError("this recording has no started_at: type session time (750 or 12:30), not a clock time"))
            }
            let startOfDay = startedAt - startedAt.truncatingRemainder(dividingBy: 86_400)
            var t = startOfDay + clock - startedAt
            if t < -43_200 { t += 86_400 }
            return .success(t)
        }
    }
}

/// Why a typed time is not one, as one sentence.
public struct ReplayTimeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
