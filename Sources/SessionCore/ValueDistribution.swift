import Histogram

/// The distribution of one measured value over a whole session (a path's round trip, jitter,
/// loss…): its p50/p95/p99 in bounded memory, whatever the session's length, and its max and
/// mean exact. README "Percentiles" states the precision.
///
/// The first `exactLimit` samples are kept as they are (sorted), so a short session's
/// percentiles are exact (nearest rank, as a sort gives). Past that they go into an
/// HdrHistogram of thousandths of the unit (µs for ms, 1/1000 % for loss): with 3 significant
/// digits (the report) a percentile is then within 1/2048 (0.05 %) of the exact one, with 2
/// (the link panel) within 1/256 (0.4 %), plus the 0.0005 of rounding to thousandths. Memory
/// stays at most one histogram (KBs to tens of KBs) however many samples come.
/// Distributions merge (`merge`), so ranges read apart can be combined.
public struct ValueDistribution: Sendable, Equatable {
    /// Significant digits of the histogram: 3 or 2.
    public let significantDigits: Int
    /// Samples kept exactly before the histogram takes over: about as many bytes as the
    /// histogram of a few seconds' range, so neither form is the larger.
    public var exactLimit: Int { significantDigits >= 3 ? 1024 : 512 }
    /// Histogram units per unit of the value: thousandths.
    static let unitsPerValue = 1000.0
    /// The largest value the histogram tells apart (10⁹ of the unit: 11 days in ms). A larger
    /// one counts as it in the percentiles, a negative one as 0; max and mean take them as they
    /// are, so a hostile value can neither trap nor grow the histogram without end.
    static let largestUnits = 1e12

    public private(set) var count = 0
    public private(set) var max = -Double.infinity
    public private(set) var min = Double.infinity
    /// Neumaier's compensated sum of the values scaled by 2⁻⁶⁴ (exact: a power of two), so even
    /// 2⁶³ values near the largest double cannot overflow it.
    private var sum = 0.0, compensation = 0.0
    private static let scale = 0x1p-64
    /// The values, while there are at most `exactLimit`.
    private var exact: [Double]? = []
    private var histogram: Storage?

    public init(significantDigits: Int = 3) {
        self.significantDigits = significantDigits >= 3 ? 3 : 2
    }

    /// Adds one sample. Non-finite values are not measurements and are left out.
    public mutating func record(_ value: Double) {
        guard value.isFinite else { return }
        count += 1
        max = Swift.max(max, value)
        min = Swift.min(min, value)
        addToSum(value)
        if exact != nil, exact!.count < exactLimit {
            // Sorted as they come: a percentile is then read, not sorted for, on every refresh.
            exact!.insert(value, at: Self.insertionIndex(of: value, in: exact!))
            return
        }
        if exact != nil { moveToHistogram() }
        histogram!.record(Self.units(value), count: 1)
    }

    private mutating func moveToHistogram() {
        guard let values = exact else { return }
        exact = nil
        histogram = Storage(significantDigits: significantDigits)
        for v in values { histogram!.record(Self.units(v), count: 1) }
    }

    /// Where `value` goes in `sorted` (after equal values).
    private static func insertionIndex(of value: Double, in sorted: [Double]) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] <= value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Adds every sample of `other` (read from another range of the same recording, say).
    public mutating func merge(_ other: ValueDistribution) {
        guard other.count > 0 else { return }
        if let values = other.exact {
            // As if recorded here in order: `record` moves to the histogram past the limit.
            for v in values { record(v) }
            return
        }
        moveToHistogram()
        histogram!.add(other.histogram!)
        mergeTotals(other)
    }

    private mutating func mergeTotals(_ other: ValueDistribution) {
        count += other.count
        max = Swift.max(max, other.max)
        min = Swift.min(min, other.min)
        addToSum(other.sum / Self.scale)
        addToSum(other.compensation / Self.scale)
    }

    /// The mean of the samples (nil before the first).
    public var mean: Double? {
        guard count > 0 else { return nil }
        return (sum + compensation) / Double(count) / Self.scale
    }

    /// The value at `percentile` (0–100) by the nearest-rank method: exact while the samples
    /// are kept, else the middle of the histogram bucket holding it, never beyond the samples'
    /// own min and max.
    public func value(atPercentile percentile: Double) -> Double? {
        guard count > 0 else { return nil }
        if let sorted = exact { return sorted[Self.nearestRank(percentile, count: sorted.count)] }
        guard let histogram else { return nil }
        // The histogram is asked for the same rank as the sorted samples would give (its own
        // rounding of percentile × count can land one sample off, far off in a sparse tail).
        let rank = Self.nearestRank(percentile, count: count) + 1
        let units = histogram.valueAtPercentile(100 * (Double(rank) - 0.5) / Double(count))
        return Swift.min(max, Swift.max(min, Double(units) / Self.unitsPerValue))
    }


    /// The 0-based index of the nearest rank of `percentile` among `count` sorted values.
    static func nearestRank(_ percentile: Double, count: Int) -> Int {
        let rank = Int(saturating: (percentile / 100 * Double(count)).rounded(.up)) - 1
        return Swift.min(count - 1, Swift.max(0, rank))
    }

    /// A value in histogram units: thousandths, rounded, within 0…`largestUnits`.
    static func units(_ value: Double) -> UInt64 {
        let scaled = (value * unitsPerValue).rounded()
        guard scaled > 0 else { return 0 }
        return UInt64(Swift.min(scaled, largestUnits))
    }

    private mutating func addToSum(_ value: Double) {
        let x = value * Self.scale
        let t = sum + x
        if abs(sum) >= abs(x) { compensation += (sum - t) + x } else { compensation += (x - t) + sum }
        sum = t
    }

    public static func == (a: ValueDistribution, b: ValueDistribution) -> Bool {
        a.significantDigits == b.significantDigits && a.count == b.count && a.max == b.max && a.min == b.min && a.sum == b.sum && a.compensation == b.compensation
            && a.exact == b.exact && a.histogram?.histogram == b.histogram?.histogram
    }

    /// The HdrHistogram, auto-resizing from a small range up to `largestUnits`: it grows with
    /// the largest value seen, not with the number of samples.
    struct Storage: Sendable {
        var histogram: Histogram<UInt64>

        init(significantDigits: Int) {
            histogram = Histogram(numberOfSignificantValueDigits: significantDigits >= 3 ? .three : .two)
        }

        mutating func record(_ units: UInt64, count: UInt64) {
            histogram.record(units, count: count)
        }

        mutating func add(_ other: Storage) {
            histogram.add(other.histogram)
        }

        /// The middle of the bucket holding the nearest rank of `percentile`.
        func valueAtPercentile(_ percentile: Double) -> UInt64 {
            histogram.medianEquivalentForValue(histogram.valueAtPercentile(percentile))
        }
    }
}
