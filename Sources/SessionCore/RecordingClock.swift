import Telemetry

/// The wall clock of a recording: its session frame's `started_at` (RFC 3339, UTC) plus the
/// session time. A replay shows and logs when things happened, not when they are watched.
/// Parsed defensively: anything malformed or absurd (a year before 1970 or after 9999, a 25th
/// hour, a 31st of February) gives no wall clock, and the replay shows session time only.
public enum RecordingClock {
    /// Unix seconds of an RFC 3339 date-time ("2026-11-24T08:00:00Z", "…08:00:00.25+01:00");
    /// nil when it is not one.
    public static func unixSeconds(rfc3339 text: String) -> Double? {
        let b = Array(text.utf8.prefix(64))
        guard text.utf8.count <= 64, b.count >= 20 else { return nil }
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= b.count else { return nil }
            var v = 0
            for k in at..<at + n {
                guard b[k] >= 0x30, b[k] <= 0x39 else { return nil }
                v = v * 10 + Int(b[k] - 0x30)
            }
            return v
        }
        func byte(_ at: Int, _ c: Character) -> Bool { at < b.count && b[at] == c.asciiValue! }
        guard let year = digits(0, 4), byte(4, "-"), let month = digits(5, 2), byte(7, "-"), let day = digits(8, 2),
              byte(10, "T") || byte(10, "t") || byte(10, " "),
              let hour = digits(11, 2), byte(13, ":"), let minute = digits(14, 2), byte(16, ":"), let second = digits(17, 2),
              (1970...9999).contains(year), (1...12).contains(month), (1...daysIn(month, year)).contains(day),
              hour < 24, minute < 60, second < 61 else { return nil }
        var k = 19
        var fraction = 0.0
        if byte(k, ".") {
            k += 1
            var scale = 0.1
            let start = k
            while k < b.count, b[k] >= 0x30, b[k] <= 0x39 {
                fraction += Double(b[k] - 0x30) * scale
                scale /= 10
                k += 1
            }
            guard k > start else { return nil }
        }
        var offset = 0
        if byte(k, "Z") || byte(k, "z") {
            k += 1
        } else if byte(k, "+") || byte(k, "-") {
            guard let oh = digits(k + 1, 2), byte(k + 3, ":"), let om = digits(k + 4, 2), oh < 24, om < 60 else { return nil }
            offset = (oh * 60 + om) * 60 * (byte(k, "-") ? -1 : 1)
            k += 6
        } else {
            return nil
        }
        guard k == b.count else { return nil }
        let days = daysFromCivil(year, month, day)
        return Double(days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offset) + fraction
    }

    /// The wall time of session time `t` in a recording that started at `start` (Unix seconds),
    /// as `2026-11-24T08:05:00Z`; nil when outside the years 1970–9999.
    public static func timestamp(start: Double, t: Double) -> String? {
        guard let c = civil(start + t) else { return nil }
        return "\(four(c.year))-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))Z"
    }

    /// The same as the header shows it: `08:05:00 UTC`.
    public static func clock(start: Double, t: Double) -> String? {
        guard let c = civil(start + t) else { return nil }
        return "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) UTC"
    }

    // MARK: - the calendar (proleptic Gregorian, UTC)

    fileprivate static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    fileprivate static func four(_ v: Int) -> String { String(repeating: "0", count: max(0, 4 - String(v).count)) + String(v) }

    private static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (H. Hinnant's days_from_civil).
    private static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The UTC date and time of Unix seconds `s` (rounded down to the second); nil outside
    /// the years 1970–9999 or for a value that is not a number.
    static func civil(_ s: Double) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int)? {
        guard s.isFinite, s >= 0, s < 253_402_300_800 else { return nil }  // 10000-01-01
        return civil(seconds: Int(s.rounded(.down)))
    }

    /// The UTC date and time of `total` Unix seconds (not negative).
    private static func civil(seconds total: Int) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let z = total / 86_400 + 719_468
        let secs = total % 86_400
        let era = z / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, secs / 3600, secs % 3600 / 60, secs % 60)
    }
}

extension RecordingClock {
    /// Nanoseconds since 1970 as RFC 3339 UTC, with the fraction of a second when there is one (its
    /// trailing zeros dropped): the `started_at` of a recording whose clock is in nanoseconds (a ROS 2 bag).
    /// Every UInt64 fits (the largest is in 2554).
    public static func rfc3339(nanoseconds: UInt64) -> String {
        let c = civil(seconds: Int(nanoseconds / 1_000_000_000))
        let fraction = Int(nanoseconds % 1_000_000_000)
        var text = "\(four(c.year))-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))"
        if fraction > 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 9 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text + "Z"
    }
}

extension SessionInfo {
    /// `started_at` as Unix seconds, when it is a usable RFC 3339 time.
    public var startedAtSeconds: Double? {
        startedAt.flatMap { RecordingClock.unixSeconds(rfc3339: $0) }
    }
}
