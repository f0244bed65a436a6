import Histogram

/// The distribution of one measured value over a whole session (a path's round trip, jitter,
/// loss…): its p50/p95/p99 in bounded memory, whatever the session's length, and its max and
/// mean. README "Percentiles" states the precision.
///
/// While the samples take at most `distinctLimit` distinct values it keeps each value with its
/// count, so a percentile is an actual sample, exactly the one a sort of every sample gives
/// (nearest rank): wire values at 0.1 resolution stay there for any session length. Past that
/// it moves to an HdrHistogram of thousandths of the unit (µs for ms, 1/1000 % for loss): with
/// 3 significant digits (the report) a percentile is then within 1/2048 (0.05 %) of the exact
/// one, with 2 (the link panel) within 1/256 (0.4 %), plus the 0.0005 of rounding to
/// thousandths. Memory stays under 90 KB (64 KB of distinct values, or the histogram's 32-bit
/// counts up to `largestUnits`) however many samples come. Distributions can be merged
/// (`merge`), so ranges read apart can be combined.
public struct ValueDistribution: Sendable, Equatable {
    /// Significant digits of the histogram: 3 or 2.
    public let significantDigits: Int
    /// Distinct values kept with their counts before the histogram takes over: 64 KB (3
    /// digits), 8 KB (2 digits: the panel shows whole milliseconds and tenths).
    public var distinctLimit: Int { significantDigits >= 3 ? 4096 : 512 }
    /// Histogram units per unit of the value: thousandths.
    static let unitsPerValue = 1000.0
    /// The largest value the histogram tells apart (10⁶ of the unit: 16.7 minutes in ms, 1
    /// Tbit/s): it bounds the histogram to 20 octaves (86 KB with 3 digits). A larger value
    /// counts as it in the percentiles, a negative one as 0; max and mean take them as they
    /// are, so a hostile value can neither trap nor grow the histogram.
    static let largestUnits = 1e9

    public private(set) var count = 0
    public private(set) var max = -Double.infinity
    public private(set) var min = Double.infinity
    /// Neumaier's compensated sum of the values scaled by 2⁻⁶⁴, so even 2⁶³ values near the
    /// largest double cannot overflow it. The scaling is exact (a power of two) but for values
    /// under 2⁻⁹⁵⁸ (about 10⁻²⁸⁸), which go subnormal and lose digits; for realistic values the
    /// mean is exact to the last digit or two.
    private var sum = 0.0, compensation = 0.0
    private static let scale = 0x1p-64
    /// The distinct values, sorted, and how often each came; emptied once the histogram takes over.
    private var values: [Double] = []
    private var counts: [Int] = []
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
        addToPercentiles(value, count: 1)
    }

    /// Counts `n` samples of `value` for the percentiles (the totals are the caller's).
    private mutating func addToPercentiles(_ value: Double, count n: Int) {
        if histogram == nil {
            let k = Self.index(of: value, in: values)
            if k < values.count, values[k] == value {
                counts[k] += n
                return
            }
            if values.count < distinctLimit {
                values.insert(value, at: k)
                counts.insert(n, at: k)
                return
            }
            moveToHistogram()
        }
        histogram!.record(Self.units(value), count: UInt64(n))
    }

    private mutating func moveToHistogram() {
        guard histogram == nil else { return }
        var storage = Storage(significantDigits: significantDigits)
        for (v, n) in zip(values, counts) { storage.record(Self.units(v), count: UInt64(n)) }
        histogram = storage
        values = []
        counts = []
    }

    /// The index of the first of `sorted` not below `value`.
    private static func index(of value: Double, in sorted: [Double]) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < value { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Adds every sample of `other` (read from another range of the same recording, say).
    /// Histograms of different significant digits are never added as such (HdrHistogram traps
    /// on that): `other`'s buckets are recorded here, each at its middle, so the samples that
    /// came as a histogram keep the coarser precision of the two.
    public mutating func merge(_ other: ValueDistribution) {
        guard other.count > 0 else { return }
        count += other.count
        max = Swift.max(max, other.max)
        min = Swift.min(min, other.min)
        addToSum(other.sum / Self.scale)
        addToSum(other.compensation / Self.scale)
        if let theirs = other.histogram {
            moveToHistogram()
            histogram!.add(theirs)
        } else {
            for (v, n) in zip(other.values, other.counts) { addToPercentiles(v, count: n) }
        }
    }

    /// The mean of the samples (nil before the first).
    public var mean: Double? {
        guard count > 0 else { return nil }
        return (sum + compensation) / Double(count) / Self.scale
    }

    /// The value at `percentile` (0–100) by the nearest-rank method: a sample, exactly as a sort
    /// gives it, while the distinct values are kept; else the middle of the histogram bucket
    /// holding it, never beyond the samples' own min and max.
    public func value(atPercentile percentile: Double) -> Double? {
        guard count > 0 else { return nil }
        guard let histogram else {
            let rank = Self.nearestRank(percentile, count: count)
            var below = 0
            for (v, n) in zip(values, counts) {
                below += n
                if below > rank { return v }
            }
            return values.last
        }
        // The histogram is asked for the same rank as the sorted samples would give (its own
        // rounding of percentile × count can land one sample off, far off in a sparse tail).
        // Its own total: a bucket that saturated holds fewer samples than `count`.
        let total = Int(clamping: histogram.histogram.totalCount)
        guard total > 0 else { return nil }
        let rank = Self.nearestRank(percentile, count: total) + 1
        let units = histogram.valueAtPercentile(100 * (Double(rank) - 0.5) / Double(total))
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

    /// Whether the histogram has taken over from the distinct values (for tests and the README).
    var usesHistogram: Bool { histogram != nil }

    /// Bytes held for the percentiles (distinct values or histogram counts).
    var percentileBytes: Int {
        histogram?.histogram.estimatedFootprintInBytes ?? (values.capacity * 8 + counts.capacity * 8)
    }

    public static func == (a: ValueDistribution, b: ValueDistribution) -> Bool {
        a.significantDigits == b.significantDigits && a.count == b.count && a.max == b.max && a.min == b.min && a.sum == b.sum && a.compensation == b.compensation
            && a.values == b.values && a.counts == b.counts && a.histogram?.histogram == b.histogram?.histogram
    }

    /// The HdrHistogram of 0…`largestUnits`, whatever the number of samples: 86 KB with 3
    /// digits, 12 KB with 2. 32-bit counts (half the memory of 64-bit ones) that saturate: a
    /// bucket stops counting at 4.29 × 10⁹ rather than wrap.
    struct Storage: Sendable {
        var histogram: Histogram<UInt32>

        init(significantDigits: Int) {
            // Sized once for the whole range: an auto-resizing one doubles its array's capacity as
            // it grows (131 KB instead of 86 KB once a value reaches the clamp).
            histogram = Histogram(highestTrackableValue: UInt64(largestUnits),
                                  numberOfSignificantValueDigits: significantDigits >= 3 ? .three : .two)
        }

        mutating func record(_ units: UInt64, count: UInt64) {
            let room = UInt64(UInt32.max - histogram.countForValue(Swift.min(units, UInt64(largestUnits))))
            guard room > 0, count > 0 else { return }
            histogram.record(Swift.min(units, UInt64(largestUnits)), count: UInt32(Swift.min(count, room)))
        }

        /// Records every bucket of `other` at its middle: of the same digits, the very bucket
        /// (the merge is exact); of others, the nearest of this histogram.
        mutating func add(_ other: Storage) {
            for bucket in other.histogram.recordedValues() {
                record(other.histogram.medianEquivalentForValue(bucket.value), count: UInt64(bucket.count))
            }
        }

        /// The middle of the bucket holding the nearest rank of `percentile`.
        func valueAtPercentile(_ percentile: Double) -> UInt64 {
            histogram.medianEquivalentForValue(histogram.valueAtPercentile(percentile))
        }
    }
}
