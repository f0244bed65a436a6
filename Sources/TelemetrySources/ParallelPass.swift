import SystemCalls
import Telemetry

/// One pass over a plain file that decodes its ranges on several threads and hands the outcomes
/// to the caller in line order, exactly as one pass would (issue 14, "Both cores").
///
/// The file is cut into ranges of `blockBytes` nominal bytes; a range owns the lines that begin
/// inside it, so the cut always falls at a line boundary, found by each thread on its own. A line's
/// meaning depends on the decoder before it: the arms the last session frame declared. A worker
/// decodes a range speculatively with the arms known when it takes the range (those after the
/// ranges already handed over); the caller, taking the ranges in order, checks that guess against
/// the arms the range before really ended with and, when they differ (a session frame with other
/// arms just before), decodes the range again itself with the right ones. Line numbers are
/// shifted by the lines before the range.
///
/// Memory is bounded by outcomes, not bytes: a thread stops a range at a line boundary once it
/// holds `outcomeLimit` outcomes (a file of tiny lines), and the rest of the range becomes a range
/// of its own, taken next. At most `threads + 2` ranges are in flight, and their outcome storage is
/// reused from range to range.
///
/// The ranges cover the size the file had at the start; past it (a file still being written) the
/// caller reads on alone, a range at a time, until a read returns nothing, as one pass would.
/// The caller's thread decodes the first range before any worker starts (its session frame gives
/// them the arms), and while it waits for the next range it decodes one itself, so `threads`
/// threads decode: `threads - 1` workers (as many as the system starts) and the caller.
final class ParallelPass: Sendable {
    struct Result {
        var lines = 0
        var problem: String?
        var endsMidLine = false
        var truncatedLastLine = false
        /// How far into the file the lines handed over reach.
        var bytesRead = 0
        /// For tests: ranges handed to the caller, those it decoded again (the arms guessed were
        /// wrong), and the worker threads that ran.
        var rangesHandedOver = 0
        var rangesDecodedAgain = 0
        var workersStarted = 0
        /// The most outcomes one range held.
        var largestRange = 0
    }

    /// The most outcomes one range holds before the rest of it becomes a range of its own: a
    /// 2 MB range of recorded frames holds about 5,000.
    static let outcomeLimit = 8192

    private let fd: Int32
    private let path: String
    private let blockBytes: Int
    /// The file's size at the start: workers take ranges below it only.
    private let size: Int
    let threads: Int
    private let window: Int

    /// Bytes whose lines are still to be decoded: the lines that begin in `bytes`. The rest of a
    /// range cut short carries the decoder its first part ended with, the better guess.
    private struct Piece: Sendable {
        var bytes: Range<Int>
        var guess: FrameDecoder?
    }

    private struct Shared: Sendable {
        /// Rests of ranges cut short, not taken yet, lowest first: all below `frontier`.
        var pending: [Piece] = []
        /// Where the next range no thread has taken begins.
        var frontier = 0
        /// Ranges taken and not yet handed to the caller's `body` (being decoded, or decoded).
        var inFlight = 0
        /// Decoded ranges, by where they begin.
        var decoded: [Int: DecodedBlock] = [:]
        /// The decoder after the last range the caller took: the guess for ranges taken now.
        var guess = FrameDecoder()
        var stopped = false
        var workersRunning = 0
        /// Emptied outcome storage, for the next range.
        var spare: [DecodedLines] = []
    }

    private let shared = GuardedState(Shared())

    init(fd: Int32, path: String, size: Int, blockBytes: Int, threads: Int) {
        self.fd = fd
        self.path = path
        self.blockBytes = blockBytes
        self.size = size
        let ranges = max(1, size / blockBytes + (size % blockBytes == 0 ? 0 : 1))
        // More threads than ranges or than processors would only wait.
        self.threads = max(1, min(threads, ranges, SystemCalls.onlineProcessors))
        window = self.threads + 2
    }

    /// Runs the pass: `body` gets every outcome that is not blank, in order, on this thread.
    /// Stopped by `body`, the count is the number of the line it stopped at.
    func run(_ body: (DecodeOutcome) -> Bool) -> Result {
        var result = Result()
        var truth = FrameDecoder()
        let buffer = Self.readBuffer()
        defer { buffer.deallocate() }
        defer { if result.workersStarted > 0 { stopWorkers() } }
        var next = 0
        while true {
            var block = take(next, buffer: buffer)
            result.rangesHandedOver += 1
            if block.start.declaredArms != truth.declaredArms {
                // The guess was wrong: the arms changed in a range decoded meanwhile.
                let (bytes, cut, lines) = (block.bytes, block.cut, block.outcomes)
                lines.removeAll()
                block = Self.decode(fd: fd, path: path, range: bytes.lowerBound ..< (cut ?? bytes.upperBound),
                                    decoder: truth, buffer: buffer, into: lines, limit: .max)
                block.bytes = bytes
                block.cut = cut
                result.rangesDecodedAgain += 1
            }
            truth = block.end
            shared.withLock(changes: false) { $0.guess = truth }
            if next == 0 && !block.reachedEnd && size > blockBytes {
                result.workersStarted = startWorkers()
            }
            let shift = result.lines - block.start.lineNumber
            while let (taken, line) = block.outcomes.takeNext() {
                var outcome = taken
                if case .error(var error) = outcome {
                    error.line += shift
                    outcome = .error(error)
                }
                if !body(outcome) {
                    result.lines = line + shift
                    result.bytesRead = max(result.bytesRead, block.endOffset)
                    return result
                }
            }
            result.lines += block.lines
            result.bytesRead = max(result.bytesRead, block.endOffset)
            let storage = block.outcomes
            result.largestRange = max(result.largestRange, storage.count)
            storage.removeAll()
            shared.withLock(changes: false) { $0.spare.append(storage) }
            if block.reachedEnd {
                result.problem = block.problem
                result.endsMidLine = block.endsMidLine
                result.truncatedLastLine = block.truncatedLastLine
                return result
            }
            next = block.cut ?? block.bytes.upperBound
        }
    }

    /// The range beginning at `k`, once decoded; meanwhile this thread decodes ranges itself.
    private func take(_ k: Int, buffer: UnsafeMutableRawBufferPointer) -> DecodedBlock {
        while true {
            switch shared.waitFor({ claim(&$0, waitingFor: k) }) {
            case .ready(let block):
                return block
            case .decode(let piece, let guess, let lines):
                publish(Self.decode(fd: fd, path: path, range: piece.bytes, decoder: guess, buffer: buffer,
                                    into: lines, limit: Self.outcomeLimit))
            case .done:
                preconditionFailure("the range at \(k) was never decoded")
            }
        }
    }

    private enum Claim {
        case ready(DecodedBlock)
        case decode(Piece, guess: FrameDecoder, into: DecodedLines)
        case done
    }

    /// What a thread does next: take the decoded range beginning at `waitingFor` (the caller),
    /// decode the lowest range not taken if the window has room, or stop; nil: wait for a change.
    private func claim(_ state: inout Shared, waitingFor k: Int?) -> Claim? {
        if let k, let block = state.decoded.removeValue(forKey: k) {
            state.inFlight -= 1
            return .ready(block)
        }
        if state.stopped { return .done }
        // The lowest rest of a range cut short, or the one the caller waits for.
        var index = state.pending.indices.first
        if let k, let wanted = state.pending.firstIndex(where: { $0.bytes.lowerBound == k }) { index = wanted }
        let piece: Piece
        if let index {
            piece = state.pending[index]
        } else if state.frontier < size || state.frontier == k {
            // Past the size seen at the start only the caller reads on, as one pass would.
            piece = Piece(bytes: state.frontier ..< state.frontier + blockBytes)
        } else {
            return nil
        }
        // The range the caller waits for is always taken; others only while the window has room.
        guard piece.bytes.lowerBound == k || state.inFlight < window else { return nil }
        if let index { state.pending.remove(at: index) } else { state.frontier += blockBytes }
        state.inFlight += 1
        let lines = state.spare.popLast() ?? DecodedLines(capacity: Self.outcomeLimit + 1024)
        return .decode(piece, guess: piece.guess ?? state.guess, into: lines)
    }

    /// Hands a decoded range over; the rest of one cut short becomes the next range to take.
    private func publish(_ block: DecodedBlock) {
        shared.withLock {
            guard !$0.stopped else { return }
            $0.decoded[block.bytes.lowerBound] = block
            if let cut = block.cut {
                let rest = Piece(bytes: cut ..< block.bytes.upperBound, guess: block.end)
                $0.pending.insert(rest, at: $0.pending.firstIndex { $0.bytes.lowerBound > cut } ?? $0.pending.endIndex)
            }
        }
    }

    /// Starts up to `threads - 1` workers; returns how many the system started (the caller
    /// decodes alone if none).
    private func startWorkers() -> Int {
        var started = 0
        for _ in 1..<threads {
            // Counted before it starts: it may end before this returns.
            shared.withLock(changes: false) { $0.workersRunning += 1 }
            guard SystemCalls.startDetachedThread({ [self] in work() }) else {
                shared.withLock { $0.workersRunning -= 1 }
                break
            }
            started += 1
        }
        return started
    }

    private func work() {
        let buffer = Self.readBuffer()
        defer { buffer.deallocate() }
        while case .decode(let piece, let guess, let lines) = shared.waitFor({ claim(&$0, waitingFor: nil) }) {
            publish(Self.decode(fd: fd, path: path, range: piece.bytes, decoder: guess, buffer: buffer,
                                into: lines, limit: Self.outcomeLimit))
        }
        shared.withLock { $0.workersRunning -= 1 }
    }

    /// Stops the workers and waits for them to end: they read the caller's descriptor, which it
    /// may close once the pass returns.
    private func stopWorkers() {
        shared.withLock {
            $0.stopped = true
            $0.decoded.removeAll()
            $0.pending.removeAll()
        }
        shared.waitFor { $0.workersRunning == 0 ? () : nil }
    }

    // MARK: - one range

    /// One range's lines, decoded from a given decoder.
    struct DecodedBlock: Sendable {
        /// The bytes whose lines it holds (up to `cut` if cut short).
        var bytes: Range<Int>
        /// The decoder it was decoded from, and the one after its last line.
        var start: FrameDecoder
        var end: FrameDecoder
        /// Every outcome that is not blank, numbered from `start.lineNumber`.
        let outcomes: DecodedLines
        /// Where it stopped, holding `outcomeLimit` outcomes: a line start inside `bytes`.
        var cut: Int?
        /// Where its last line ends in the file.
        var endOffset = 0
        /// The file ended in this range (or could not be read further: `problem`).
        var reachedEnd = false
        var problem: String?
        /// Its last line had no LF, and (`truncatedLastLine`) was bad: as `RecordingReader` says.
        var endsMidLine = false
        var truncatedLastLine = false

        var lines: Int { end.lineNumber - start.lineNumber }
    }

    /// Decodes the lines that begin in `range` (reading on past its end to finish the last one)
    /// from `decoder` into `lines`, reading the file with `buffer`; stops at a line boundary once
    /// it holds `limit` outcomes.
    static func decode(fd: Int32, path: String, range: Range<Int>, decoder: FrameDecoder,
                       buffer: UnsafeMutableRawBufferPointer, into lines: DecodedLines, limit: Int) -> DecodedBlock {
        var block = DecodedBlock(bytes: range, start: decoder, end: decoder, outcomes: lines, endOffset: range.lowerBound)
        var problem: String?
        func read(at offset: Int, count: Int) -> Int {
            do throws(SystemError) {
                return try SystemCalls.read(fd, at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]))
            } catch {
                problem = "reading '\(path)' failed: \(error.text)"
                return 0
            }
        }
        // The first line that begins in the range: just after the first LF at or after the byte
        // before it, if that LF is before the range's last byte (one there starts the next range).
        var start: Int? = range.lowerBound == 0 ? 0 : nil
        var q = range.lowerBound - 1
        var fileEnded = false
        while start == nil && q < range.upperBound - 1 {
            let n = read(at: q, count: min(buffer.count, scanBytes, range.upperBound - 1 - q))
            if n == 0 {
                fileEnded = true
                break
            }
            if let lf = SystemCalls.firstOffset(of: 0x0A, in: buffer.baseAddress!, count: n) { start = q + lf + 1 }
            q += n
        }
        guard var p = start else {
            // No line begins here: the inside of one long line, or past the end of the file
            // (nothing after it either).
            block.problem = problem
            block.reachedEnd = problem != nil || fileEnded
            return block
        }
        var stream = FrameStream(decoder: decoder)
        var lastByteWasLF = true
        reading: while true {
            let inside = p < range.upperBound
            if !inside && lastByteWasLF { break }  // the last line ended at the range's edge
            let want = inside ? min(buffer.count, range.upperBound - p) : min(buffer.count, RecordingReader.chunkSize)
            let n = read(at: p, count: want)
            if n == 0 {
                block.reachedEnd = true
                break
            }
            var take = n
            var lastLineDone = false
            if !inside, let lf = SystemCalls.firstOffset(of: 0x0A, in: buffer.baseAddress!, count: n) {
                take = lf + 1  // the rest of the last line, and no more: the next range's lines follow
                lastLineDone = true
            }
            // Fed in slices ending at an LF, so that the range can stop at a line boundary.
            var from = 0
            while from < take {
                var to = take
                if from + sliceBytes < take,
                   let lf = SystemCalls.firstOffset(of: 0x0A, in: buffer.baseAddress! + from + sliceBytes, count: take - from - sliceBytes) {
                    to = from + sliceBytes + lf + 1
                }
                stream.feed(UnsafeRawBufferPointer(rebasing: buffer[from..<to])) { outcome, _, after in
                    if case .blank = outcome { return }
                    lines.append(outcome, line: after.lineNumber)
                }
                p += to - from
                from = to
                lastByteWasLF = buffer[to - 1] == 0x0A
                if lines.count >= limit && lastByteWasLF && p < range.upperBound {
                    block.cut = p
                    break reading
                }
            }
            if lastLineDone { break }
        }
        if block.reachedEnd {
            block.problem = problem
            var last: DecodeOutcome?
            stream.finish { outcome in
                block.endsMidLine = true
                if case .error = outcome { block.truncatedLastLine = true }
                if case .blank = outcome { return }
                last = outcome
            }
            if let last { lines.append(last, line: stream.decoder.lineNumber) }
        }
        block.end = stream.decoder
        block.endOffset = p
        return block
    }

    /// A thread's buffer, allocated once per pass and thread (at least a chunk, so tiny test
    /// ranges still read a long line in few calls).
    private static func readBuffer() -> UnsafeMutableRawBufferPointer {
        .allocate(byteCount: max(readBytes, RecordingReader.chunkSize), alignment: 16)
    }

    /// How much is read at a time: large enough that a read costs nothing beside decoding it.
    private static let readBytes = 256 * 1024
    /// How much is decoded between two looks at the outcome limit.
    private static let sliceBytes = 16 * 1024
    /// How much is read at a time while looking for a range's first line (lines are short).
    private static let scanBytes = 64 * 1024
}
