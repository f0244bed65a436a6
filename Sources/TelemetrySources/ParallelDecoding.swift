import SystemCalls
import Telemetry

extension RecordingReader {
    /// What `--threads` means when not given: the machine's online processors, at most 8 (past
    /// that, reading the file, not decoding it, sets the pace).
    public static var defaultThreads: Int { min(8, SystemCalls.onlineProcessors) }

    /// The nominal size of the ranges a plain file is split into: big enough that handing a range
    /// over costs nothing beside decoding it, small enough that a few in flight stay a few MB.
    public static let parallelBlockBytes = 2 << 20

    /// Decodes the whole recording as `decodeAll(_:)` does (the same outcomes, line numbers and
    /// count, `body` called in line order on the calling thread), using up to `threads` threads
    /// where the recording allows it (never more than the online processors or the ranges).
    /// Stopped by `body`, the count is, as in one pass, the number of the line it stopped at.
    ///
    /// A plain regular file, read from its start, is split at line boundaries into ranges that
    /// are decoded in parallel and handed to `body` in order (`ParallelPass`). Gzip (one
    /// stream), standard input, pipes and foreign recordings (MCAP, JIGSAWS) are read in one
    /// pass, as with `threads` 1.
    @discardableResult
    public func decodeAll(threads: Int, _ body: (DecodeOutcome) -> Bool) -> Int {
        decodeAll(threads: threads, blockBytes: Self.parallelBlockBytes, body)
    }

    /// `decodeAll(threads:_:)` with ranges of `blockBytes` (tests make them small, so that range
    /// edges fall everywhere).
    @discardableResult
    public func decodeAll(threads: Int, blockBytes: Int, _ body: (DecodeOutcome) -> Bool) -> Int {
        parallelPass(threads: threads, blockBytes: blockBytes, body)?.lines ?? decodeAll(body)
    }

    /// The parallel pass, with what it did (tests look at its ranges); nil, nothing read, where
    /// the recording is read in one pass.
    func parallelPass(threads: Int, blockBytes: Int, _ body: (DecodeOutcome) -> Bool) -> ParallelPass.Result? {
        guard threads > 1, let fd = splittableDescriptor else { return nil }
        let size = (try? SystemCalls.status(fd: fd).size) ?? 0
        let pass = ParallelPass(fd: fd, path: path, size: size, blockBytes: max(1, blockBytes), threads: threads)
        let result = pass.run(body)
        problem = result.problem
        endsMidLine = result.endsMidLine
        truncatedLastLine = result.truncatedLastLine
        plainRead = result.bytesRead
        // Ranges were read at offsets: leave the descriptor where a one-pass read would be.
        _ = SystemCalls.seek(fd, to: result.bytesRead)
        return result
    }

    /// The descriptor of a plain regular file not read yet, which ranges can be read from at
    /// any offset; nil for what must be read as one stream.
    private var splittableDescriptor: Int32? {
        guard path != "-", !path.hasSuffix(".gz"), chunkTap == nil, fileBytesRead == 0, let fd = descriptor,
              (try? SystemCalls.status(fd: fd))?.kind == .regular else { return nil }
        return fd
    }
}
