import Synchronization
import SystemCalls
import Telemetry

/// One pass over a plain file that decodes its ranges on several threads and hands the outcomes
/// to the caller in line order, exactly as one pass would (issue 14, "Both cores").
///
/// The file is cut into blocks of `blockBytes` nominal bytes; a block owns the lines that begin
/// inside it (the last block also what the file grows by), so the cut always falls at a line
/// boundary, found by each worker on its own. A line's meaning depends on the decoder before it:
/// the arms the last session frame declared. A worker decodes a block speculatively with the arms
/// known when it takes the block (those after the blocks already handed over); the caller, taking
/// the blocks in order, checks that guess against the arms the block before really ended with and,
/// when they differ (a session frame with other arms just before), decodes the block again itself
/// with the right ones. Line numbers are shifted by the lines before the block.
///
/// The caller's thread decodes the first block before any worker starts (its session frame gives
/// them the arms), and while it waits for the next block it decodes one itself, so `threads`
/// threads decode: `threads - 1` workers and the caller. At most `2 × threads` blocks are in
/// flight, so memory stays a few blocks' worth however large the file.
final class ParallelPass: Sendable {
    struct Result {
        var lines = 0
        var problem: String?
        var endsMidLine = false
        var truncatedLastLine = false
        /// How far into the file the lines handed over reach.
        var bytesRead = 0
    }

    private let fd: Int32
    private let path: String
    private let blockBytes: Int
    private let blockCount: Int
    private let threads: Int
    private let window: Int

    private struct Shared {
        /// The next block no thread has taken.
        var next = 1
        /// Blocks handed to the caller's `body` (or being handed).
        var consumed = 1
        var decoded: [Int: DecodedBlock] = [:]
        /// The decoder after the last block the caller took: the guess for blocks taken now.
        var guess = FrameDecoder()
        var stopped = false
        var workersRunning = 0
    }

    private let shared = Mutex(Shared())
    /// Signalled when a block is decoded or a worker ends (the caller waits on it).
    private let blockReady = Wakeup()
    /// Signalled when the caller takes a block, making room in the window (workers wait on it).
    private let roomMade = Wakeup()

    init(fd: Int32, path: String, size: Int, blockBytes: Int, threads: Int) {
        self.fd = fd
        self.path = path
        self.blockBytes = blockBytes
        blockCount = max(1, size / blockBytes + (size % blockBytes == 0 ? 0 : 1))
        self.threads = max(1, min(threads, blockCount))
        window = 2 * self.threads
    }

    /// The bytes block `k` owns the lines of: the last one reads on to the end of the file.
    private func range(_ k: Int) -> Range<Int> {
        k * blockBytes ..< (k == blockCount - 1 ? Int.max : (k + 1) * blockBytes)
    }

    /// Runs the pass: `body` gets every outcome that is not blank, in order, on this thread.
    func run(_ body: (DecodeOutcome) -> Bool) -> Result {
        var result = Result()
        var truth = FrameDecoder()
        let buffer = Self.readBuffer(blockBytes)
        defer { buffer.deallocate() }
        var workersStarted = false
        defer { if workersStarted { stopWorkers() } }
        for k in 0..<blockCount {
            var block = k == 0 ? Self.decode(fd: fd, path: path, range: range(0), decoder: truth, buffer: buffer)
                : take(k, buffer: buffer)
            if block.start.declaredArms != truth.declaredArms {
                // The guess was wrong: the arms changed in a block decoded meanwhile.
                block = Self.decode(fd: fd, path: path, range: range(k), decoder: truth, buffer: buffer)
            }
            truth = block.end
            shared.withLock {
                $0.consumed = k + 1
                $0.guess = truth
            }
            roomMade.signal()
            if k == 0 && blockCount > 1 && !block.reachedEnd {
                startWorkers()
                workersStarted = true
            }
            let shift = result.lines - block.start.lineNumber
            while var outcome = block.outcomes.takeNext() {
                if case .error(var error) = outcome {
                    error.line += shift
                    outcome = .error(error)
                }
                if !body(outcome) {
                    // Stopped early: counted to the end of this block, as one pass counts to the
                    // end of the chunk it stopped in.
                    result.lines += block.lines
                    result.bytesRead = max(result.bytesRead, block.endOffset)
                    return result
                }
            }
            result.lines += block.lines
            result.bytesRead = max(result.bytesRead, block.endOffset)
            if block.reachedEnd {
                result.problem = block.problem
                result.endsMidLine = block.endsMidLine
                result.truncatedLastLine = block.truncatedLastLine
                break
            }
        }
        return result
    }

    /// Block `k`, once a worker has decoded it; meanwhile this thread decodes a block itself.
    private func take(_ k: Int, buffer: UnsafeMutableRawBufferPointer) -> DecodedBlock {
        while true {
            switch shared.withLock({ claim(&$0, waitingFor: k) }) {
            case .ready(let block):
                return block
            case .decode(let j, let guess):
                let block = Self.decode(fd: fd, path: path, range: range(j), decoder: guess, buffer: buffer)
                shared.withLock { $0.decoded[j] = block }
            case .wait:
                blockReady.wait(seconds: 0.01)
            case .done:
                preconditionFailure("block \(k) was never decoded")
            }
        }
    }

    private enum Claim {
        case ready(DecodedBlock)
        case decode(Int, guess: FrameDecoder)
        case wait
        case done
    }

    /// What a thread does next: take the decoded block `waitingFor` (the caller), decode the next
    /// block in the window, wait for room, or stop.
    private func claim(_ state: inout Shared, waitingFor k: Int?) -> Claim {
        if let k, let block = state.decoded.removeValue(forKey: k) { return .ready(block) }
        if state.stopped || (k == nil && state.next >= blockCount) { return .done }
        guard state.next < blockCount, state.next < state.consumed + window else { return .wait }
        state.next += 1
        return .decode(state.next - 1, guess: state.guess)
    }

    private func startWorkers() {
        let count = threads - 1
        shared.withLock { $0.workersRunning = count }
        for _ in 0..<count {
            SystemCalls.startDetachedThread { [self] in work() }
        }
    }

    private func work() {
        let buffer = Self.readBuffer(blockBytes)
        defer { buffer.deallocate() }
        loop: while true {
            switch shared.withLock({ claim(&$0, waitingFor: nil) }) {
            case .decode(let j, let guess):
                let block = Self.decode(fd: fd, path: path, range: range(j), decoder: guess, buffer: buffer)
                shared.withLock { $0.decoded[j] = block }
                blockReady.signal()
            case .wait:
                roomMade.wait(seconds: 0.01)
            case .ready, .done:
                break loop
            }
        }
        shared.withLock { $0.workersRunning -= 1 }
        blockReady.signal()
    }

    /// Stops the workers and waits for them to end: they read the caller's descriptor, which it
    /// may close once the pass returns.
    private func stopWorkers() {
        shared.withLock {
            $0.stopped = true
            $0.decoded.removeAll()
        }
        while shared.withLock({ $0.workersRunning }) > 0 {
            roomMade.signal()
            blockReady.wait(seconds: 0.01)
        }
    }

    // MARK: - one block

    /// One block's lines, decoded from a given decoder.
    struct DecodedBlock: Sendable {
        /// The decoder it was decoded from, and the one after its last line.
        var start: FrameDecoder
        var end: FrameDecoder
        /// Every outcome that is not blank, numbered from `start.lineNumber`.
        let outcomes: DecodedLines
        /// Where its last line ends in the file.
        var endOffset = 0
        /// The file ended in this block (or could not be read further: `problem`).
        var reachedEnd = false
        var problem: String?
        /// Its last line had no LF, and (`truncatedLastLine`) was bad: as `RecordingReader` says.
        var endsMidLine = false
        var truncatedLastLine = false

        var lines: Int { end.lineNumber - start.lineNumber }
    }

    /// Decodes the lines that begin in `range` (reading on past its end to finish the last one)
    /// from `decoder`, reading the file with `buffer`.
    static func decode(fd: Int32, path: String, range: Range<Int>, decoder: FrameDecoder,
                       buffer: UnsafeMutableRawBufferPointer) -> DecodedBlock {
        // Room for a block of short lines from the start: growing it copies every outcome.
        let expected = min(range.count, buffer.count) / 256 + 16
        var block = DecodedBlock(start: decoder, end: decoder, outcomes: DecodedLines(capacity: expected), endOffset: range.lowerBound)
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
        // before it, if that LF is before the range's last byte (one there starts the next block).
        var start: Int? = range.lowerBound == 0 ? 0 : nil
        var q = range.lowerBound - 1
        while start == nil && q < range.upperBound - 1 {
            let n = read(at: q, count: min(buffer.count, scanBytes, range.upperBound - 1 - q))
            if n == 0 { break }
            if let lf = SystemCalls.firstOffset(of: 0x0A, in: buffer.baseAddress!, count: n) { start = q + lf + 1 }
            q += n
        }
        guard var p = start else {
            // No line begins here (the inside of one long line), or the file ends before.
            block.problem = problem
            block.reachedEnd = problem != nil
            return block
        }
        var stream = FrameStream(decoder: decoder)
        var lastByteWasLF = true
        while true {
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
                take = lf + 1  // the rest of the last line, and no more: the next block's lines follow
                lastLineDone = true
            }
            stream.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<take])) { outcome in
                if case .blank = outcome { return }
                block.outcomes.append(outcome)
            }
            p += take
            lastByteWasLF = buffer[take - 1] == 0x0A
            if lastLineDone { break }
        }
        if block.reachedEnd {
            block.problem = problem
            stream.finish { outcome in
                block.endsMidLine = true
                if case .error = outcome { block.truncatedLastLine = true }
                if case .blank = outcome { return }
                block.outcomes.append(outcome)
            }
        }
        block.end = stream.decoder
        block.endOffset = p
        return block
    }

    /// A thread's buffer: a block's bytes are read at once (at least a chunk's worth, so tiny test
    /// blocks still read a long line in few calls).
    private static func readBuffer(_ blockBytes: Int) -> UnsafeMutableRawBufferPointer {
        .allocate(byteCount: max(blockBytes, RecordingReader.chunkSize), alignment: 16)
    }

    /// How much is read at a time while looking for a block's first line (lines are short).
    private static let scanBytes = 64 * 1024
}
