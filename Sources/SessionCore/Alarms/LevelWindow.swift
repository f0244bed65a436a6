import DequeModule

/// The samples of the last `sustain_s` of one measured value, and their mean: what the level of
/// a measured condition (round trip, jitter, loss, video rate, bandwidth, joint position, effort)
/// is decided on. A round trip swinging between 280 and 380 ms has a mean of 330 ms, a high
/// level, though no sample stays above 300 ms for a second.
///
/// Samples are bucketed like the state's `TimeSeries` (the newest in a bucket replaces the one
/// before). Incremental: each sample is added once and removed once, and the sum is compensated
/// (Neumaier) and scaled, so a 1e19 ms spike leaving the window leaves the mean of the samples
/// that remain exact, and values near the largest double cannot overflow it.
///
/// Coverage follows the stream's own spacing: a link reporting once a second (spec §3: 1–10 Hz)
/// or every 0.5 s under a 0.3 s `sustain_s` is covered once its samples have come without a
/// break for `sustain_s`, where a break is a gap longer than `max(sustain_s, 1.5 × the gap
/// before it) + 0.1 s`. With no sample inside the window but the newest, the level is the newest
/// sample's. A value that has just appeared, or come back after a silence, has no level yet.
struct LevelWindow: Sendable {
    /// The most samples kept: 0.1 s buckets over 409.6 s. A longer `sustain_s` drops the
    /// oldest, so memory and work stay bounded.
    static let capacity = 4096
    /// Bucket width, seconds: the state's own (`HistoryLimits.linkInterval`, `jointInterval`).
    static let interval = 0.1
    /// How much longer than the gap before it a gap may be and still not break the samples'
    /// run: the jitter of a gateway's reporting period.
    static let spacingTolerance = 1.5
    /// Added to every allowed gap: the bucket width, so sampling at exactly `sustain_s` counts.
    static let gapMargin = 0.1

    private var samples: Deque<TimedValue> = []
    private var total = CompensatedSum()
    /// When the current run of samples began: the first sample after the last break.
    private var runStart = Double.infinity
    /// The gap between the two newest samples (nil before the second).
    private var lastGap: Double?

    /// The time of the newest sample (−∞ before the first).
    private(set) var newest = -Double.infinity
    /// Its bucket (`bucket(newest)`), kept rather than worked out again for every sample.
    private var newestBucket = -Double.infinity

    var isEmpty: Bool { samples.isEmpty }

    /// The bucket of time `t`, as `TimeSeries` counts them.
    static func bucket(_ t: Double) -> Double { (t / interval + 1e-9).rounded(.down) }

    /// Adds a sample taken at session time `t` and drops those older than `seconds` before it.
    /// A sample older than the newest (a late frame) is ignored: only a seek or a new session
    /// starts the window again, and the engine resets it then.
    mutating func add(t: Double, value: Double, seconds: Double) {
        guard t.isFinite, value.isFinite, t >= newest else { return }
        if newest.isFinite {
            let gap = t - newest
            if gap > 0 {
                let allowed = max(seconds, Self.interval, Self.spacingTolerance * (lastGap ?? 0)) + Self.gapMargin
                if gap > allowed { runStart = t }
                lastGap = gap
            }
        } else {
            runStart = t
        }
        let bucket = Self.bucket(t)
        if let last = samples.last, bucket == newestBucket {
            subtract(last.value)
            samples[samples.count - 1] = TimedValue(t: t, value: value)
        } else {
            if samples.count == Self.capacity { subtract(samples.removeFirst().value) }
            samples.append(TimedValue(t: t, value: value))
        }
        add(value)
        newest = t
        newestBucket = bucket
        while let first = samples.first, first.t <= t - seconds + 1e-9, samples.count > 1 {
            subtract(samples.removeFirst().value)
        }
    }

    /// The mean of the samples in the window (nil when there is none).
    var mean: Double? {
        guard !samples.isEmpty else { return nil }
        return total.mean(count: samples.count)
    }

    /// Whether the samples span the whole window: their run, without a break, began at least
    /// `seconds` before the newest.
    func covers(seconds: Double) -> Bool {
        guard !samples.isEmpty else { return false }
        if seconds <= 0 { return true }
        return runStart <= newest - seconds + 1e-9
    }

    mutating func reset() {
        self = LevelWindow()
    }

    private mutating func add(_ x: Double) { total.add(x) }

    private mutating func subtract(_ x: Double) { total.add(-x) }
}

/// A sum that keeps what rounding loses (Neumaier's compensated summation): adding 1e19 and
/// 120, then taking 1e19 away, leaves 120. Every value is scaled by 2⁻¹³ first (exact: a power
/// of two), so up to 8,192 values near the largest double add up without overflowing.
struct CompensatedSum: Sendable {
    private var sum = 0.0
    private var compensation = 0.0
    /// 2⁻¹³: the sum of `LevelWindow.capacity` (4,096) values scaled by it stays finite.
    private static let scale = 0x1p-13

    mutating func add(_ x: Double) {
        let x = x * Self.scale
        let t = sum + x
        if abs(sum) >= abs(x) { compensation += (sum - t) + x } else { compensation += (x - t) + sum }
        sum = t
    }

    /// The mean of `count` values added (and not taken away).
    func mean(count: Int) -> Double {
        (sum + compensation) / Double(count) / Self.scale
    }
}
