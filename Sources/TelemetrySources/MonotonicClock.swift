import SystemCalls

/// Seconds from a monotonic clock: the arrival time the session core is given, and what
/// "lost 3.2 s ago" is measured against. Only the edges of the program read it; the core never does.
public enum MonotonicClock {
    public static func now() -> Double {
        SystemCalls.monotonicSeconds()
    }
}
