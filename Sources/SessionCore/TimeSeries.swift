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
///
/// The points live in chunks of `chunkSize`, each a copy-on-write array: a copy of the series
/// (a replay keeps the session state at its checkpoints) shares every chunk with the original,
/// and the next append copies only the chunk it writes to (at most 2 KB), not the whole history.
/// Sixteen checkpoints of a four-arm state then cost what their histories do not share, instead
/// of 3 MB each.
public struct TimeSeries: Sendable, Equatable {
    public let capacity: Int
    /// Bucket width in seconds (0 keeps every sample).
    public let interval: Double
    /// Every chunk but the last holds `chunkSize` points; the first starts at `head`.
    private var chunks: [[TimedValue]] = []
    /// Points of the first chunk already dropped (the ring's oldest fell off).
    private var head = 0
    public private(set) var count = 0
    /// The bucket of the newest point (nil when every sample is kept), not recomputed per sample.
    private var lastBucket: Double?

    /// Points per chunk: small enough that the copy an append makes after a checkpoint is cheap,
    /// large enough that the chunk list stays short (3,000 points: 24 chunks).
    static let chunkSize = 128

    public init(capacity: Int, interval: Double) {
        precondition(capacity > 0, "a time series needs room for at least one point")
        self.capacity = capacity
        self.interval = interval
        // Not reserved up front: a session frame may declare thousands of joints in one line,
        // and memory should follow the data that arrives (one chunk at a time), not what a
        // descriptor promises.
    }

    /// The span of session time the series can hold.
    public var window: Double { interval * Double(capacity) }

    public mutating func append(t: Double, value: Double) {
        // A hair above t / interval, so 0.3 s is in bucket 3, not 2 (0.3 / 0.1 = 2.9999999999999996).
        let bucket: Double? = interval > 0 ? (t / interval + 1e-9).rounded(.down) : nil
        if let bucket, bucket == lastBucket, count > 0 {
            let last = chunks.count - 1
            chunks[last][chunks[last].count - 1] = TimedValue(t: t, value: value)
            return
        }
        if count == capacity { dropOldest() }
        if chunks.last.map({ $0.count == Self.chunkSize }) ?? true {
            var chunk: [TimedValue] = []
            chunk.reserveCapacity(min(Self.chunkSize, capacity))
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(TimedValue(t: t, value: value))
        count += 1
        lastBucket = bucket
    }

    private mutating func dropOldest() {
        head += 1
        count -= 1
        if head == chunks[0].count {
            chunks.removeFirst()
            head = 0
        }
    }

    /// The points, oldest first.
    public var points: Points { Points(chunks: chunks, head: head, count: count) }

    public var last: TimedValue? { chunks.last?.last }
    public var isEmpty: Bool { count == 0 }

    /// The values of the last `count` points, oldest first (what a sparkline draws).
    public func recentValues(_ count: Int) -> [Double] {
        points.suffix(count).map(\.value)
    }

    public mutating func removeAll() {
        chunks.removeAll()
        head = 0
        count = 0
    }

    /// Where each chunk's points are stored and how many bytes it holds (for tests of the sharing:
    /// two series that share a chunk name the same address).
    var storage: [(address: UInt, bytes: Int)] {
        chunks.map { chunk in
            chunk.withUnsafeBufferPointer { (UInt(bitPattern: $0.baseAddress), chunk.capacity * MemoryLayout<TimedValue>.stride) }
        }
    }

    /// Same figures and the same points (however they are chunked).
    public static func == (a: TimeSeries, b: TimeSeries) -> Bool {
        a.capacity == b.capacity && a.interval == b.interval && a.lastBucket == b.lastBucket
            && a.count == b.count && a.points.elementsEqual(b.points)
    }

    /// A series' points, oldest first, read in place from its chunks.
    public struct Points: RandomAccessCollection, Sendable {
        fileprivate let chunks: [[TimedValue]]
        fileprivate let head: Int
        public let count: Int

        public var startIndex: Int { 0 }
        public var endIndex: Int { count }

        public subscript(position: Int) -> TimedValue {
            precondition(position >= 0 && position < count, "point index out of range")
            let k = head + position
            return chunks[k / TimeSeries.chunkSize][k % TimeSeries.chunkSize]
        }
    }
}
