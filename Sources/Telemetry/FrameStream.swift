import SystemCalls

/// Turns a byte stream, arriving in chunks of any size, into decode outcomes, line by line.
///
/// Lines are split on LF; a partial line waits for the next chunk. A line that
/// grows past the limit is dropped up to its LF and reported once, so memory
/// stays bounded whatever the peer sends.
public struct FrameStream: Sendable {
    public var decoder: FrameDecoder
    private var pending: [UInt8] = []
    private var discarding = false
    /// Where the next chunk starts in the whole stream (bytes fed so far, plus the start offset).
    public private(set) var offset: Int

    /// - Parameters:
    ///   - decoder: a fresh decoder, or one saved with a position to resume a recording there.
    ///   - offset: the stream offset of the first byte to be fed (0, or a resumed position).
    public init(decoder: FrameDecoder = FrameDecoder(), offset: Int = 0) {
        self.decoder = decoder
        self.offset = offset
    }

    /// Starts over (a new connection): forgets any partial line, the declared arms and the line count.
    public mutating func reset() {
        pending.removeAll(keepingCapacity: true)
        discarding = false
        decoder.reset()
        offset = 0
    }

    /// Feeds a chunk; `emit` is called for every complete line in it.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (DecodeOutcome) -> Void) {
        feed(chunk) { outcome, _, _ in emit(outcome) }
    }

    /// Feeds a chunk; `emit` gets every complete line's outcome with the stream offset just past
    /// the line and the decoder as it stands after it: together, a place to resume from later.
    @inline(__always)
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (DecodeOutcome, _ lineEnd: Int, _ decoder: FrameDecoder) -> Void) {
        guard let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let n = chunk.count
        let chunkOffset = offset
        offset += n
        var start = 0
        while start < n {
            // Find the next LF with memchr: the fastest scan the platform has.
            let remaining = n - start
            guard let found = SystemCalls.firstOffset(of: 0x0A, in: base + start, count: remaining) else {
                appendPartial(base + start, remaining)
                return
            }
            let lf = start + found
            let lineEnd = chunkOffset + lf + 1
            if pending.isEmpty && !discarding {
                emit(decoder.decode(UnsafeRawBufferPointer(start: base + start, count: lf - start)), lineEnd, decoder)
            } else {
                appendPartial(base + start, lf - start)
                emit(takePending(), lineEnd, decoder)
            }
            start = lf + 1
        }
    }

    /// Convenience: feeds bytes from an array.
    public mutating func feed(_ bytes: [UInt8], _ emit: (DecodeOutcome) -> Void) {
        bytes.withUnsafeBytes { feed($0, emit) }
    }

    /// The stream ended: a last line without LF (a truncated file) is decoded as it is.
    public mutating func finish(_ emit: (DecodeOutcome) -> Void) {
        if discarding || !pending.isEmpty { emit(takePending()) }
    }

    /// The outcome of the line gathered across chunks (or of the over-long one being skipped),
    /// leaving the buffer empty for the next.
    private mutating func takePending() -> DecodeOutcome {
        if discarding {
            discarding = false
            return .error(decoder.skipLine())
        }
        // Decoded in place: copying the buffer out first made `removeAll` allocate a new one.
        let outcome = pending.withUnsafeBytes { decoder.decode($0) }
        pending.removeAll(keepingCapacity: true)
        return outcome
    }

    private mutating func appendPartial(_ p: UnsafePointer<UInt8>, _ count: Int) {
        guard !discarding else { return }
        // +1 leaves room for a CR that the decoder strips.
        if pending.count + count > FrameDecoder.maxLineBytes + 1 {
            pending.removeAll(keepingCapacity: false)
            discarding = true
            return
        }
        pending.append(contentsOf: UnsafeBufferPointer(start: p, count: count))
    }
}
