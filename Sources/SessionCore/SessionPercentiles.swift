/// A link metric's p50/p95/p99 over the session so far, for the link panel (live and replay):
/// a `ValueDistribution` of 2 significant digits (within 0.4 %: the panel shows whole
/// milliseconds and tenths), its percentiles read again at most every `refreshSeconds` of
/// session time: reading them walks the histogram (some 50 µs), which neither the screen's
/// frames nor a replay's catch-up should pay for every sample. Session-long figures move
/// slowly; the first one comes with the first sample.
public struct SessionPercentiles: Sendable, Equatable {
    public struct Figures: Sendable, Equatable {
        public var p50: Double
        public var p95: Double
        public var p99: Double
        public var samples: Int
    }

    public private(set) var distribution = ValueDistribution(significantDigits: 2)
    /// As of the last refresh (nil before the first sample).
    public private(set) var figures: Figures?
    private var refreshedAt = -Double.infinity

    /// Session seconds between two readings of the percentiles.
    public static let refreshSeconds = 5.0

    public init() {}

    public mutating func record(_ value: Double, at t: Double) {
        distribution.record(value)
        // A clock that went back (a new session's state starts afresh; this is a late frame) refreshes too.
        guard figures == nil || !(t - refreshedAt < Self.refreshSeconds && t >= refreshedAt) else { return }
        refresh()
        refreshedAt = t
    }

    /// Reads the percentiles now.
    public mutating func refresh() {
        guard let p50 = distribution.value(atPercentile: 50), let p95 = distribution.value(atPercentile: 95),
              let p99 = distribution.value(atPercentile: 99) else { return }
        figures = Figures(p50: p50, p95: p95, p99: p99, samples: distribution.count)
    }
}
