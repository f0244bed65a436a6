import DequeModule

/// The samples of the last `sustain_s` of one measured value, and their mean: what the level of
/// a measured condition (round trip, jitter, loss, video rate, bandwidth, joint position, effort)
/// is decided on. A round trip swinging between 280 and 380 ms has a mean of 330 ms, a high
/// level, though no sample stays above 300 ms for a second.
///
/// Samples are bucketed like the state's `TimeSeries` (the newest in a bucket replaces the one
/// before), so the engine's mean and the screen's (`TimeSeries.windowMean`) agree. Incremental:
/// each sample is added once and removed once, and the sum is compensated (Neumaier), so a
/// 1e19 ms spike leaving the window leaves the mean of the samples that remain exact.
struct LevelWindow: Sendable {
    /// The most samples kept: 0.1 s buckets over 409.6 s. A longer `sustain_s` drops the
    /// oldest, so memory and work stay bounded.
    static let capacity = 4096
    /// Bucket width, seconds: the state's own (`HistoryLimits.linkInterval`, `jointInterval`).
    static let interval = 0.1

    private var samples: Deque<TimedValue> = []
    private var total = CompensatedSum()
    /// The time of the newest sample dropped from the window for its age, while the samples
    /// after it follow without a gap longer than the window.
    private var coveredSince: Double?

    /// The time of the newest sample (−∞ before the first).
    private(set) var newest = -Double.infinity

    var isEmpty: Bool { samples.isEmpty }

    /// The bucket of time `t`, as `TimeSeries` counts them.
    static func bucket(_ t: Double) -> Double { (t / interval + 1e-9).rounded(.down) }

    /// Adds a sample taken at session time `t` and drops those older than `seconds` before it.
    mutating func add(t: Double, value: Double, seconds: Double) {
        guard t.isFinite, value.isFinite else { return }
        if let last = samples.last, t < last.t {
            reset()  // time went back (a new session, a seek): start again
        }
        if let last = samples.last, Self.bucket(t) == Self.bucket(last.t) {
            subtract(last.value)
            samples[samples.count - 1] = TimedValue(t: t, value: value)
        } else {
            if samples.count == Self.capacity { subtract(samples.removeFirst().value) }
            samples.append(TimedValue(t: t, value: value))
        }
        add(value)
        newest = t
        while let first = samples.first, first.t <= t - seconds + 1e-9, samples.count > 1 {
            subtract(samples.removeFirst().value)
            // A gap as long as the window before the next sample: the window is not covered.
            coveredSince = samples.first!.t - first.t <= max(seconds, Self.interval) ? first.t : nil
        }
        if total.value == nil { recompute() }
    }

    /// The mean of the samples in the window (nil when there is none).
    var mean: Double? {
        guard !samples.isEmpty else { return nil }
        if let sum = total.value { return sum / Double(samples.count) }
        // Values near the largest double overflow their sum: average them in smaller steps.
        var m = 0.0
        for (k, s) in samples.enumerated() { m += (s.value - m) / Double(k + 1) }
        return m
    }

    /// Whether the samples span the whole window: one at least `seconds` older than the newest
    /// was seen just before them, and no gap as long as the window lies between. A value that
    /// has just appeared (or come back after a gap) has no level yet.
    func covers(seconds: Double) -> Bool {
        guard let first = samples.first else { return false }
        if seconds <= 0 { return true }
        if let since = coveredSince { return since <= newest - seconds + 1e-9 }
        return first.t <= newest - seconds + 1e-9
    }

    mutating func reset() {
        self = LevelWindow()
    }

    private mutating func add(_ x: Double) { total.add(x) }

    private mutating func subtract(_ x: Double) { total.add(-x) }

    private mutating func recompute() {
        total = CompensatedSum()
        for s in samples { total.add(s.value) }
    }
}

extension TimeSeries {
    /// The mean of the points of the last `seconds` (those later than the newest point's time
    /// minus `seconds`): the level window of `LevelWindow`, read from the state's history for the
    /// screen. Looks at the window's points only, newest first.
    public func windowMean(seconds: Double) -> Double? {
        guard let newest = points.last else { return nil }
        var first = points.count - 1
        while first > 0, points.count - first < LevelWindow.capacity, points[first - 1].t > newest.t - seconds + 1e-9 {
            first -= 1
        }
        // Summed oldest first and compensated, as the engine's window sums, so a value exactly
        // at a threshold is at it on the screen too.
        var sum = CompensatedSum(), count = 0
        for k in first..<points.count where points[k].value.isFinite {
            sum.add(points[k].value)
            count += 1
        }
        guard count > 0 else { return nil }
        if let total = sum.value { return total / Double(count) }
        return Double.greatestFiniteMagnitude * (sum.sign < 0 ? -1 : 1)
    }
}

/// A sum that keeps what rounding loses (Neumaier's compensated summation): adding 1e19 and
/// 120, then taking 1e19 away, leaves 120.
struct CompensatedSum: Sendable {
    private var sum = 0.0
    private var compensation = 0.0

    mutating func add(_ x: Double) {
        let t = sum + x
        if abs(sum) >= abs(x) { compensation += (sum - t) + x } else { compensation += (x - t) + sum }
        sum = t
    }

    /// The sum, nil once it overflowed.
    var value: Double? {
        let v = sum + compensation
        return v.isFinite && sum.isFinite && compensation.isFinite ? v : nil
    }

    var sign: Double { sum < 0 ? -1 : 1 }
}
