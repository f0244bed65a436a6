import Telemetry

extension RecordingReader {
    /// Decodes the whole recording as `decodeAll(_:)` does (the same outcomes, line numbers and
    /// count, `body` called in line order on the calling thread), using up to `threads` threads
    /// where the recording allows it.
    ///
    /// Issue 14 (part "cores") replaces this body: a plain regular file is split at line
    /// boundaries into ranges decoded in parallel; gzip, standard input and foreign recordings
    /// stay one stream. Until then it is the one-thread pass.
    @discardableResult
    public func decodeAll(threads: Int, _ body: (DecodeOutcome) -> Bool) -> Int {
        decodeAll(body)
    }
}
