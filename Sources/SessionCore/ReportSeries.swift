import Telemetry

/// One point of a plotted series: session time and value.
public struct SeriesPoint: Sendable, Equatable {
    public var t: Double
    public var v: Double

    public init(t: Double, v: Double) {
        self.t = t
        self.v = v
    }
}

/// A time series reduced as it streams to at most `bucketLimit` buckets of equal width, each
/// keeping its smallest and largest sample (with their times), so a plot of a 30-minute 500 Hz
/// stream has at most `2 × bucketLimit` points and still shows every spike. When a sample falls
/// past the last bucket, the width doubles and neighbouring buckets merge: memory never grows
/// past `bucketLimit` buckets, and a short series holds only the buckets up to its last sample.
public struct DownsampledSeries: Sendable, Equatable {
    struct Bucket: Sendable, Equatable {
        var first: Double, last: Double
        var min: SeriesPoint, max: SeriesPoint

        init(_ p: SeriesPoint) {
            first = p.t
            last = p.t
            min = p
            max = p
        }

        mutating func add(_ p: SeriesPoint) {
            first = Swift.min(first, p.t)
            last = Swift.max(last, p.t)
            if p.v < min.v { min = p }
            if p.v > max.v { max = p }
        }

        mutating func merge(_ other: Bucket) {
            add(other.min)
            add(other.max)
            first = Swift.min(first, other.first)
            last = Swift.max(last, other.last)
        }
    }

    public let bucketLimit: Int
    /// Samples further apart than this are drawn with a break between them (a path down, a
    /// stream that stopped), never joined by a straight line.
    public let breakAfter: Double
    private var origin: Double?
    private var width: Double
    private var buckets: [Bucket?]
    public private(set) var samples = 0

    public init(bucketLimit: Int = 500, breakAfter: Double, initialWidth: Double = 0.001) {
        self.bucketLimit = max(1, bucketLimit)
        self.breakAfter = breakAfter
        width = initialWidth
        buckets = []
    }

    public mutating func add(t: Double, value: Double) {
        guard t.isFinite, value.isFinite else { return }
        let origin = self.origin ?? t
        self.origin = origin
        // Widen until t fits; a time absurdly far ahead ends with every sample in one bucket.
        while t - origin >= width * Double(bucketLimit), width.isFinite { widen() }
        let k = width.isFinite ? Int(saturating: ((t - origin) / width).rounded(.down)) : 0
        let slot = min(max(0, k), bucketLimit - 1)  // a late sample (before the origin) joins the first
        if slot >= buckets.count { buckets += repeatElement(nil, count: slot + 1 - buckets.count) }
        let point = SeriesPoint(t: t, v: value)
        if buckets[slot] == nil { buckets[slot] = Bucket(point) } else { buckets[slot]!.add(point) }
        samples = samples.saturatingAdd(1)
    }

    private mutating func widen() {
        var merged = [Bucket?](repeating: nil, count: (buckets.count + 1) / 2)
        for (k, bucket) in buckets.enumerated() {
            guard let bucket else { continue }
            if merged[k / 2] == nil { merged[k / 2] = bucket } else { merged[k / 2]!.merge(bucket) }
        }
        buckets = merged
        width *= 2
    }

    /// The points to draw in runs without breaks: each bucket's minimum and maximum in the order
    /// they happened.
    public var runs: [[SeriesPoint]] {
        var out: [[SeriesPoint]] = []
        var run: [SeriesPoint] = []
        var previousLast: Double?
        for bucket in buckets {
            guard let bucket else { continue }
            if let previousLast, bucket.first - previousLast > breakAfter, !run.isEmpty {
                out.append(run)
                run = []
            }
            if bucket.min.t == bucket.max.t && bucket.min.v == bucket.max.v {
                run.append(bucket.min)
            } else {
                run += bucket.min.t <= bucket.max.t ? [bucket.min, bucket.max] : [bucket.max, bucket.min]
            }
            previousLast = bucket.last
        }
        if !run.isEmpty { out.append(run) }
        return out
    }

    /// Buckets held (what the series' memory is proportional to).
    public var bucketCount: Int { buckets.count }

    /// The smallest and largest value kept (nil when empty).
    public var range: (min: Double, max: Double)? {
        let present = buckets.compactMap { $0 }
        guard let low = present.map(\.min.v).min(), let high = present.map(\.max.v).max() else { return nil }
        return (low, high)
    }
}

/// What the HTML report plots, collected in one pass over a session: round trip, jitter and
/// loss per path, tip speed and joint-limit proximity per arm, and the alarms as bars in time.
public struct ReportSeries: Sendable, Equatable {
    public struct Link: Sendable, Equatable {
        public var path: String
        public var rtt: DownsampledSeries
        public var jitter: DownsampledSeries
        public var loss: DownsampledSeries
    }

    public struct Arm: Sendable, Equatable {
        public var arm: String
        /// Tool-tip speed, mm/s: Σ‖Δp‖ / Σ Δt over consecutive stretches of
        /// `SkillThresholds.smoothingSeconds` (the skill measures' smoothing).
        public var tipSpeed: DownsampledSeries
        /// The smallest distance of any joint to its nearer limit, % of that joint's range
        /// (negative beyond a limit), as `AlarmSettings.limitMarginPct` computes it.
        public var limitMargin: DownsampledSeries
    }

    /// One stretch of an alarm at one priority (a raise to its clear, escalation or de-escalation).
    public struct AlarmBar: Sendable, Equatable {
        public var id: String
        public var origin: AlarmOrigin?
        public var priority: AlarmPriority
        public var start: Double
        public var end: Double
    }

    /// Session time of the first and last frame.
    public var start = 0.0
    public var end = 0.0
    public var links: [Link] = []
    public var arms: [Arm] = []
    public var alarmBars: [AlarmBar] = []
    /// Bars beyond `ReportSeriesBuilder.barLimit`, not kept.
    public var alarmBarsLeftOut = 0
    /// Paths or arms beyond `pathLimit` or `armLimit` were seen, and not collected.
    public var morePaths = false
    public var moreArms = false

    /// Buckets held by every series (what the plots' memory is proportional to).
    public var bucketCount: Int {
        links.reduce(0) { $0 + $1.rtt.bucketCount + $1.jitter.bucketCount + $1.loss.bucketCount }
            + arms.reduce(0) { $0 + $1.tipSpeed.bucketCount + $1.limitMargin.bucketCount }
    }
}

/// Collects a `ReportSeries` from a session's frames and the alarm engine's log entries.
public struct ReportSeriesBuilder: Sendable {
    /// Buckets per series (each drawn as at most two points).
    public var bucketLimit = 500
    /// Paths and arms collected (and plotted), at most: a hostile stream inventing names stays
    /// bounded in memory and on the page. A robot has a handful of arms and the link two paths.
    public var pathLimit = 4
    public var armLimit = 8
    public var barLimit = 5_000

    private var series = ReportSeries()
    private var first: Double?
    private var last: Double?
    private var pathDown: Set<String> = []
    private var joints: [String: [JointDescriptor]] = [:]
    private var tips: [TipSpeed] = []
    private var open: [String: ReportSeries.AlarmBar] = [:]

    /// A tip's speed in progress: the stretch since `anchor` and the path walked in it.
    private struct TipSpeed: Sendable {
        var arm: String
        var anchor: Double?
        var previous: (t: Double, p: SIMD3<Double>)?
        var mm = 0.0
    }

    public init() {}

    public mutating func add(_ frame: Frame) {
        let t = frame.t
        guard t.isFinite else { return }
        if first == nil { first = t }
        last = max(last ?? t, t)
        switch frame.body {
        case .session(let info):
            for arm in info.arms where joints[arm.id] != nil || joints.count < armLimit { joints[arm.id] = arm.joints }
        case .link(let sample):
            if let up = sample.up {
                if up { pathDown.remove(sample.path) } else { pathDown.insert(sample.path) }
            }
            // As the report's statistics: values sent while the path is down are no measurements.
            guard !pathDown.contains(sample.path), let k = linkIndex(sample.path) else { return }
            if let v = sample.rttMs { series.links[k].rtt.add(t: t, value: v) }
            if let v = sample.jitterMs { series.links[k].jitter.add(t: t, value: v) }
            if let v = sample.lossPct { series.links[k].loss.add(t: t, value: v) }
        case .arm(let sample):
            guard let k = armIndex(sample.arm) else { return }
            if let tip = sample.tip { addTip(tip, t: t, arm: k) }
            if let position = sample.position, let declared = joints[sample.arm] {
                var margin = Double.infinity
                for (j, joint) in zip(position.indices, declared) {
                    if let m = AlarmSettings.limitMarginPct(position: position[j], min: joint.min, max: joint.max) {
                        margin = min(margin, m)
                    }
                }
                if margin.isFinite { series.arms[k].limitMargin.add(t: t, value: margin) }
            }
        case .event(let event) where event.kind == "clutch":
            // The master is re-centred: the jump is no motion (as the skill measures).
            for k in tips.indices { tips[k].anchor = nil; tips[k].previous = nil; tips[k].mm = 0 }
        default:
            break
        }
    }

    private mutating func addTip(_ tip: Readings, t: Double, arm k: Int) {
        guard tip.count == 3, tip.allSatisfy({ abs($0) <= SkillThresholds.tipRangeMetres }) else { return }
        let p = SIMD3(tip[tip.startIndex], tip[tip.startIndex + 1], tip[tip.startIndex + 2]) * 1000  // m → mm
        var track = tips[k]
        defer { tips[k] = track }
        let thresholds = SkillThresholds()
        guard let previous = track.previous, let anchor = track.anchor else {
            track.previous = (t, p)
            track.anchor = t
            return
        }
        guard t >= previous.t + SkillThresholds.minIntervalSeconds else { return }  // out of order or duplicate
        if t - previous.t > thresholds.maxGapSeconds {
            // A gap: start afresh rather than draw a straight-line jump.
            track = TipSpeed(arm: track.arm, anchor: t, previous: (t, p))
            return
        }
        track.mm += ((p - previous.p) * (p - previous.p)).sum().squareRoot()
        track.previous = (t, p)
        if t - anchor >= thresholds.smoothingSeconds - 1e-9 {  // 0.7 − 0.6 is 0.0999…
            series.arms[k].tipSpeed.add(t: t, value: track.mm / (t - anchor))
            track.anchor = t
            track.mm = 0
        }
    }

    private mutating func linkIndex(_ path: String) -> Int? {
        if let k = series.links.firstIndex(where: { $0.path == path }) { return k }
        guard series.links.count < pathLimit else { series.morePaths = true; return nil }
        // Link frames come at 1–10 Hz (spec §3): more than 2.5 s without one is a break.
        func make() -> DownsampledSeries { DownsampledSeries(bucketLimit: bucketLimit, breakAfter: 2.5) }
        series.links.append(.init(path: path, rtt: make(), jitter: make(), loss: make()))
        return series.links.count - 1
    }

    private mutating func armIndex(_ arm: String) -> Int? {
        // A few arms: comparing ids beats hashing one per frame.
        if let k = series.arms.firstIndex(where: { $0.arm == arm }) { return k }
        guard series.arms.count < armLimit else { series.moreArms = true; return nil }
        let gap = SkillThresholds().maxGapSeconds
        series.arms.append(.init(arm: arm, tipSpeed: DownsampledSeries(bucketLimit: bucketLimit, breakAfter: gap),
                                 limitMargin: DownsampledSeries(bucketLimit: bucketLimit, breakAfter: gap)))
        tips.append(TipSpeed(arm: arm))
        return series.arms.count - 1
    }

    /// The alarm engine's log entries, in order: raises, escalations and clears become bars;
    /// a `.resync` entry says what the gateway's `sync` did (`AlarmLogEntry.resync`).
    public mutating func add(_ entries: [AlarmLogEntry]) {
        for entry in entries {
            guard let id = entry.id, entry.time.isFinite else { continue }
            switch entry.action {
            case .resync:
                switch entry.resync {
                case .raised, .confirmed:
                    // A bar already open at this priority goes on.
                    guard let priority = entry.priority, open[id]?.priority != priority else { continue }
                    close(id, at: entry.time)
                    open[id] = .init(id: id, origin: entry.origin, priority: priority, start: entry.time, end: entry.time)
                case .cleared:
                    close(id, at: entry.time)  // latched or not
                case nil:
                    continue
                }
            case .raise, .escalate, .deescalate:
                close(id, at: entry.time)
                guard let priority = entry.priority else { continue }
                open[id] = .init(id: id, origin: entry.origin, priority: priority, start: entry.time, end: entry.time)
            case .clear, .latch:
                close(id, at: entry.time)
            default:
                continue
            }
        }
    }

    private mutating func close(_ id: String, at t: Double) {
        guard var bar = open.removeValue(forKey: id) else { return }
        bar.end = max(bar.start, t)
        if series.alarmBars.count < barLimit { series.alarmBars.append(bar) } else { series.alarmBarsLeftOut += 1 }
    }

    /// The series; alarms still raised end at the last frame.
    public func finish() -> ReportSeries {
        var builder = self
        let end = last ?? 0
        for id in open.keys.sorted() { builder.close(id, at: end) }
        var out = builder.series
        out.start = first ?? 0
        out.end = end
        out.alarmBars.sort { ($0.start, $0.id) < ($1.start, $1.id) }
        return out
    }
}
