import DequeModule

/// One point of a plotted history: session time and value.
public struct TimedValue: Sendable, Equatable {
    public var t: Double
    public var value: Double

    public init(t: Double, value: Double) {
        self.t = t
        self.value = value
    }
}

/// A fixed-capacity history of one quantity, bucketed in session time.
///
/// Samples that fall in the same bucket replace each other (the newest wins), and the oldest
/// bucket falls off when the ring is full, so memory is flat however long the session and
/// however fast the source: a 1 kHz joint and a 10 Hz link both keep `capacity` points.
public struct TimeSeries: Sendable, Equatable {
    public let capacity: Int
    /// Bucket width in seconds (0 keeps every sample).
    public let interval: Double
    public private(set) var points: Deque<TimedValue> = []
    /// The bucket of the newest point (nil when every sample is kept), not recomputed per sample.
    private var lastBucket: Double?

    public init(capacity: Int, interval: Double) {
        precondition(capacity > 0, "a time series needs room for at least one point")
        self.capacity = capacity
        self.interval = interval
        // Not reserved up front: a session frame may declare thousands of joints in one line,
        // and memory should follow the data that arrives, not what a descriptor promises.
    }

    /// The span of session time the series can hold.
    public var window: Double { interval * Double(capacity) }

    public mutating func append(t: Double, value: Double) {
        // A hair above t / interval, so 0.3 s is in bucket 3, not 2 (0.3 / 0.1 = 2.9999999999999996).
        let bucket: Double? = interval > 0 ? (t / interval + 1e-9).rounded(.down) : nil
        if let bucket, bucket == lastBucket, !points.isEmpty {
            points[points.count - 1] = TimedValue(t: t, value: value)
            return
        }
        if points.count == capacity { points.removeFirst() }
        points.append(TimedValue(t: t, value: value))
        lastBucket = bucket
    }

    public var last: TimedValue? { points.last }
    public var isEmpty: Bool { points.isEmpty }

    /// The values of the last `count` points, oldest first (what a sparkline draws).
    public func recentValues(_ count: Int) -> [Double] {
        points.suffix(count).map(\.value)
    }

    public mutating func removeAll() {
        points.removeAll(keepingCapacity: true)
    }
}
