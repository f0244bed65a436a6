import CZlib

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
            fd = 1
        } else if path.hasSuffix(".gz") {
            guard let handle = gzopen(path, "wb6") else {
                throw SourceError("cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
            gz = handle
        } else {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if fd < 0 { throw SourceError("cannot write '\(path)': \(String(cString: strerror(errno)))") }
        }
    }

    deinit { try? close() }

    /// Writes all of `bytes` (retrying short and interrupted writes).
    public func write(_ bytes: [UInt8]) throws(SourceError) {
        guard !bytes.isEmpty else { return }
        if let problem = bytes.withUnsafeBytes({ write($0) }) { throw problem }
    }

    private func write(_ raw: UnsafeRawBufferPointer) -> SourceError? {
        if let gz {
            var offset = 0
            while offset < raw.count {
                let n = min(raw.count - offset, 1 << 30)
                if gzwrite(gz, raw.baseAddress! + offset, UInt32(n)) <= 0 { return SourceError("writing '\(path)' failed") }
                offset += n
            }
            return nil
        }
        guard fd >= 0 else { return SourceError("writing '\(path)' failed: it is closed") }
        var offset = 0
        while offset < raw.count {
            let n = systemWrite(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return SourceError("writing '\(path)' failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        return nil
    }

    /// Finishes the file (the gzip trailer) and closes it; standard output stays open.
    public func close() throws(SourceError) {
        if let gz {
            self.gz = nil
            if gzclose(gz) != Z_OK { throw SourceError("finishing '\(path)' failed") }
        } else if fd > 2 {
            _ = systemClose(fd)
            fd = -1
        }
    }
}

#if canImport(Glibc)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { Glibc.write(fd, buffer, count) }
private func systemClose(_ fd: Int32) -> Int32 { Glibc.close(fd) }
#elseif canImport(Darwin)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { Darwin.write(fd, buffer, count) }
private func systemClose(_ fd: Int32) -> Int32 { Darwin.close(fd) }
#endif
