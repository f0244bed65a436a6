import Telemetry

/// A range's decoded lines, filled by the thread that decodes them and then emptied, each moved
/// out once, by the thread that hands them over: an array would copy every outcome out (a
/// retain of its frame's arrays) and release them all again when dropped, about a tenth of a
/// parallel `check`'s time. Emptied, it goes back to the pass for another range: its storage is
/// then touched again instead of fresh pages being mapped and faulted in for every range.
/// Owned by one thread at a time, hence `@unchecked Sendable`.
final class DecodedLines: @unchecked Sendable {
    private var storage: UnsafeMutablePointer<DecodeOutcome>
    /// The number of the line each outcome came from (counting blank lines, from the range's
    /// start decoder), for a pass stopped at that outcome.
    private var lineNumbers: UnsafeMutablePointer<Int>
    private var capacity: Int
    private(set) var count = 0
    /// Outcomes before this one have been moved out.
    private var taken = 0

    init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
        storage = .allocate(capacity: self.capacity)
        lineNumbers = .allocate(capacity: self.capacity)
    }

    deinit {
        (storage + taken).deinitialize(count: count - taken)
        storage.deallocate()
        lineNumbers.deallocate()
    }

    func append(_ outcome: DecodeOutcome, line: Int) {
        if count == capacity {
            let larger = UnsafeMutablePointer<DecodeOutcome>.allocate(capacity: capacity * 2)
            larger.moveInitialize(from: storage, count: count)
            storage.deallocate()
            storage = larger
            let largerNumbers = UnsafeMutablePointer<Int>.allocate(capacity: capacity * 2)
            largerNumbers.moveInitialize(from: lineNumbers, count: count)
            lineNumbers.deallocate()
            lineNumbers = largerNumbers
            capacity *= 2
        }
        (storage + count).initialize(to: outcome)
        lineNumbers[count] = line
        count += 1
    }

    /// The next outcome not yet taken, moved out, with its line's number; nil when all have been.
    func takeNext() -> (outcome: DecodeOutcome, line: Int)? {
        guard taken < count else { return nil }
        taken += 1
        return ((storage + taken - 1).move(), lineNumbers[taken - 1])
    }

    /// Drops what was not taken and starts again empty, keeping the storage.
    func removeAll() {
        (storage + taken).deinitialize(count: count - taken)
        count = 0
        taken = 0
    }
}
