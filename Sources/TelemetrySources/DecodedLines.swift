import Telemetry

/// A block's decoded lines, filled by the thread that decodes them and then emptied, each moved
/// out once, by the thread that hands them over: an array would copy every outcome out (a
/// retain of its frame's arrays) and release them all again when dropped, about a tenth of a
/// parallel `check`'s time. Owned by one thread at a time, hence `@unchecked Sendable`.
final class DecodedLines: @unchecked Sendable {
    private var storage: UnsafeMutablePointer<DecodeOutcome>
    private var capacity: Int
    private(set) var count = 0
    /// Outcomes before this one have been moved out.
    private var taken = 0

    init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
        storage = .allocate(capacity: self.capacity)
    }

    deinit {
        (storage + taken).deinitialize(count: count - taken)
        storage.deallocate()
    }

    func append(_ outcome: DecodeOutcome) {
        if count == capacity {
            let larger = UnsafeMutablePointer<DecodeOutcome>.allocate(capacity: capacity * 2)
            larger.moveInitialize(from: storage, count: count)
            storage.deallocate()
            storage = larger
            capacity *= 2
        }
        (storage + count).initialize(to: outcome)
        count += 1
    }

    /// The next outcome not yet taken, moved out; nil when all have been.
    func takeNext() -> DecodeOutcome? {
        guard taken < count else { return nil }
        taken += 1
        return (storage + taken - 1).move()
    }
}
