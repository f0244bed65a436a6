import CZlib
import SystemCalls

/// Writes the bytes of a recording, the counterpart of `RecordingReader`: a plain file,
/// gzip-compressed (through the system's zlib) when the name ends in `.gz`, or standard output
/// (`-`). Not thread-safe; one writer per thread.
public final class RecordingWriter {
    private var fd: Int32 = -1
    private var gz: gzFile?
    public let path: String

    /// Creates (or truncates) the file at `path`.
    public init(path: String) throws(SourceError) {
        self.path = path
        if path == "-" {
            fd = SystemCalls.standardOutput
        } else if path.hasSuffix(".gz") {
            // zlib opens the file itself; errno says why it could not.
            guard let handle = gzopen(path, "wb6") else {
                throw SourceError("cannot write '\(path)': \(SystemError.last().text)")
            }
            gz = handle
        } else {
            do {
                fd = try SystemCalls.open(path, .writeTruncating)
            } catch {
                throw SourceError("cannot write '\(path)': \(error.text)")
            }
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
            if failed { throw SourceError("writing '\(path)' failed") }
            return
        }
        guard fd >= 0 else { throw SourceError("writing '\(path)' failed: it is closed") }
        do {
            try SystemCalls.writeAll(fd, bytes)
        } catch {
            throw SourceError("writing '\(path)' failed: \(error.text)")
        }
    }

    /// Finishes the file (the gzip trailer) and closes it; standard output stays open.
    public func close() throws(SourceError) {
        if let gz {
            self.gz = nil
            if gzclose(gz) != Z_OK { throw SourceError("finishing '\(path)' failed") }
        } else if fd > SystemCalls.standardError {
            SystemCalls.close(fd)
            fd = -1
        }
    }
}
