import Telemetry

/// One point of a tool-tip trail: session time and the tip's x, y, z in metres.
public struct TipPoint: Sendable, Equatable {
    public var t: Double
    public var x: Double
    public var y: Double
    public var z: Double

    public init(t: Double, x: Double, y: Double, z: Double) {
        self.t = t
        self.x = x
        self.y = y
        self.z = z
    }
}

/// The last seconds of an arm's tool-tip positions (CRTK measured_cp translation), kept at a
/// fixed rate whatever the arm's: a 1 kHz arm costs what a 20 Hz one does.
///
/// Samples within one `interval` replace each other (the newest wins, as `TimeSeries` does), so
/// the ring holds one point per interval. The ring is allocated once, at the first point, and
/// then written in place: a frame costs a few comparisons and no allocation. A copy (a replay's
/// checkpoint) shares the ring until either side writes.
public struct TipTrail: Sendable {
    public let capacity: Int
    /// Seconds per kept point.
    public let interval: Double
    private var ring: [TipPoint] = []
    /// Index in `ring` of the oldest point and of the newest.
    private var head = 0
    private var newest = 0
    public private(set) var count = 0
    /// The newest point's time, and the time its interval ends: until then a sample replaces
    /// it (most frames of a fast arm take only these two comparisons).
    private var newestT = -Double.infinity
    private var bucketEnd = -Double.infinity

    /// Positions further than this from the arm's origin (metres) are no tool tip: a surgical
    /// robot's workspace is well under a metre. Kept out, they cannot blow the view's scale up.
    public static var reach: Double { 10 }

    public init(capacity: Int = 200, interval: Double = 0.05) {
        self.capacity = max(1, capacity)
        self.interval = max(0, interval)
    }

    /// The span of session time the trail can hold.
    public var window: Double { interval * Double(capacity) }

    /// Adds the tip `position` (x, y, z) at session time `t`. A position of another length, one
    /// with a value that is not finite or beyond `reach`, or one older than the newest point (a
    /// late frame) is left out: the trail only moves forward in time.
    public mutating func append(t: Double, position: Readings) {
        guard position.count == 3, t >= newestT, t.isFinite else { return }
        let x = position[0], y = position[1], z = position[2]
        guard abs(x) <= Self.reach, abs(y) <= Self.reach, abs(z) <= Self.reach else { return }  // also refuses NaN
        let point = TipPoint(t: t, x: x, y: y, z: z)
        newestT = t
        if t < bucketEnd {
            ring[newest] = point
            return
        }
        // A new interval. A hair above t / interval, as `TimeSeries` buckets, so 0.3 s falls in
        // the interval that starts at 0.3, not the one before.
        bucketEnd = interval > 0 ? ((t / interval + 1e-9).rounded(.down) + 1 - 1e-9) * interval : t
        if ring.count < capacity {
            if ring.isEmpty { ring.reserveCapacity(capacity) }
            ring.append(point)
            newest = ring.count - 1
            count += 1
        } else if count < capacity {
            newest = (head + count) % capacity
            ring[newest] = point
            count += 1
        } else {
            ring[head] = point
            newest = head
            head = head + 1 == capacity ? 0 : head + 1
        }
    }

    public var isEmpty: Bool { count == 0 }

    /// The newest point.
    public var last: TipPoint? { count > 0 ? ring[newest] : nil }

    /// The point `k` places from the oldest (0 is the oldest).
    public subscript(k: Int) -> TipPoint {
        precondition(k >= 0 && k < count, "tip point index out of range")
        return ring[(head + k) % capacity]
    }

    /// The points, oldest first.
    public var points: [TipPoint] { (0..<count).map { self[$0] } }

    public mutating func removeAll() {
        ring.removeAll(keepingCapacity: true)
        head = 0
        newest = 0
        count = 0
        newestT = -Double.infinity
        bucketEnd = -Double.infinity
    }
}

extension TipTrail: Equatable {
    /// Same figures and the same points (wherever the ring's head is).
    public static func == (a: TipTrail, b: TipTrail) -> Bool {
        a.capacity == b.capacity && a.interval == b.interval && a.count == b.count
            && a.bucketEnd == b.bucketEnd && (0..<a.count).allSatisfy { a[$0] == b[$0] }
    }
}

extension HistoryLimits {
    /// The seconds of each arm's tool-tip trail.
    public var tipWindow: Double { tipInterval * Double(tipCapacity) }
}
