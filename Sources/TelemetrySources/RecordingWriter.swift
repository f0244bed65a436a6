import CZlib
import SystemCalls

/// Writes the bytes of a recording, the counterpart of `RecordingReader`: a plain file,
/// gzip-compressed (through the system's zlib) when the name ends in `.gz`, or standard output
/// (`-`). Not thread-safe; one writer per thread.
public final class RecordingWriter: RecordingOutput {
    private var fd: Int32 = -1
    private var gz: gzFile?
    public let path: String

    /// Creates (or truncates) the file at `path`.
    public init(path: String) throws(SourceError) {
        self.path = path
        if path == "-" {
            fd = SystemCalls.standardOutput
            return
        }
        do {
            fd = try SystemCalls.open(path, .writeTruncating)
        } catch {
            throw SourceError("cannot write '\(path)': \(error.text)")
        }
        if path.hasSuffix(".gz") {
            // Opened here rather than by gzopen, so errno says why, and the file's size stays
            // readable (fstat) while zlib writes to it.
            guard let handle = gzdopen(fd, "wb6") else {
                SystemCalls.close(fd)
                fd = -1
                throw SourceError("cannot write '\(path)': cannot start the gzip compressor")
            }
            gz = handle
        }
    }

    deinit { try? close() }

    /// Writes all of `bytes` (retrying short and interrupted writes).
    public func write(_ bytes: [UInt8]) throws(SourceError) {
        guard !bytes.isEmpty else { return }
        if let gz {
            let failed = bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = min(raw.count - offset, 1 << 30)
                    if gzwrite(gz, raw.baseAddress! + offset, UInt32(n)) <= 0 { return true }
                    offset += n
                }
                return false
            }
            if failed { throw gzipFailure("writing") }
            return
        }
        guard fd >= 0 else { throw SourceError("writing '\(path)' failed: it is closed") }
        do {
            try SystemCalls.writeAll(fd, bytes)
        } catch {
            throw SourceError("writing '\(path)' failed: \(error.text)")
        }
    }

    /// Pushes what zlib holds to the file as a full flush: a reader of a file cut after this
    /// point (a crash, a `kill -9`) decodes everything written up to it. Plain writes go
    /// straight to the file, so there is nothing to push.
    public func flush() throws(SourceError) {
        guard let gz else { return }
        if gzflush(gz, Z_FULL_FLUSH) != Z_OK { throw gzipFailure("writing") }
    }

    /// The file's size on disk now (compressed for gzip, after the last flush), when known.
    public var bytesOnDisk: Int? {
        guard fd > SystemCalls.standardError else { return nil }
        return try? SystemCalls.status(fd: fd).size
    }

    /// Finishes the file (the gzip trailer) and closes it; standard output stays open.
    public func close() throws(SourceError) {
        if let gz {
            self.gz = nil
            fd = -1  // gzclose closes it
            if gzclose(gz) != Z_OK { throw SourceError("finishing '\(path)' failed: \(SystemError.last().text)") }
        } else if fd > SystemCalls.standardError {
            SystemCalls.close(fd)
            fd = -1
        }
    }

    /// Why zlib's last write failed: the system's reason ("No space left on device") when it
    /// was the file's, zlib's own otherwise.
    private func gzipFailure(_ doing: String) -> SourceError {
        let system = SystemError.last()
        var code: Int32 = 0
        let message = gz.flatMap { gzerror($0, &code) }.map { String(cString: $0) } ?? ""
        let reason = code == Z_ERRNO || message.isEmpty ? system.text : message
        return SourceError("\(doing) '\(path)' failed: \(reason)")
    }
}

/// Where a recorder writes one recording file: `RecordingWriter`, or a test's stand-in (a
/// failing or slow disk).
public protocol RecordingOutput: AnyObject {
    var path: String { get }
    func write(_ bytes: [UInt8]) throws(SourceError)
    /// Makes everything written so far readable from the file even if the process dies now.
    func flush() throws(SourceError)
    /// The size of the file on disk now, when known.
    var bytesOnDisk: Int? { get }
    func close() throws(SourceError)
}
