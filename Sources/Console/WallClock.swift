import SystemCalls

/// Local wall-clock time for the header ("14:03:27").
enum WallClock {
    static func now() -> String {
        let c = SystemCalls.localCalendarNow()
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(c.hour)):\(two(c.minute)):\(two(c.second))"
    }

    /// Whether the locale's character set is UTF-8 (else the view draws ASCII).
    static func localeIsUTF8() -> Bool {
        SystemCalls.localeIsUTF8()
    }
}
