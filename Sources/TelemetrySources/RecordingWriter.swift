import CZlib
import SystemCalls

/// Writes the bytes of a recording, the counterpart of `RecordingReader`: a plain file,
/// gzip-compressed (through the system's zlib) when the name ends in `.gz`, or standard output
/// (`-`). Not thread-safe; one writer per thread.
public final class RecordingWriter: RecordingOutput {
    private var fd: Int32 = -1
    private var gzip: GzipDeflater?
    private var sizeAtClose: Int?
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
            guard let deflater = GzipDeflater() else {
                SystemCalls.close(fd)
                fd = -1
                throw SourceError("cannot write '\(path)': cannot start the gzip compressor")
            }
            gzip = deflater
        }
    }

    /// Writes to `descriptor`, opened by the caller (`convert`'s temporary file, created exclusively) and
    /// closed by `close`; errors name `name`, the file people asked for. gzip-compressed when `gzip`.
    public init(descriptor: Int32, name: String, gzip compressed: Bool) throws(SourceError) {
        path = name
        fd = descriptor
        if compressed {
            guard let deflater = GzipDeflater() else { throw SourceError("cannot write '\(name)': cannot start the gzip compressor") }
            gzip = deflater
        }
    }

    deinit { try? close() }

    /// Writes all of `bytes` (retrying short and interrupted writes). Compressed bytes reach
    /// the file only at a flush (or past `GzipDeflater.heldLimit`), so a file cut by a crash
    /// ends where a full flush did: at a line's end, when the caller writes whole lines.
    public func write(_ bytes: [UInt8]) throws(SourceError) {
        guard !bytes.isEmpty else { return }
        guard fd >= 0 else { throw SourceError("writing '\(path)' failed: it is closed") }
        if let gzip {
            bytes.withUnsafeBytes { gzip.compress($0, flush: Z_NO_FLUSH) }
            if gzip.held.count >= GzipDeflater.heldLimit { try flush() }
            return
        }
        try writeOut(bytes)
    }

    /// Pushes what zlib holds to the file as a full flush: a reader of a file cut after this
    /// point (a crash, a `kill -9`) decodes everything written up to it. Plain writes go
    /// straight to the file, so there is nothing to push.
    public func flush() throws(SourceError) {
        guard let gzip, fd >= 0 else { return }
        gzip.compress(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FULL_FLUSH)
        try writeOut(gzip.takeHeld())
    }

    /// The file's size on disk now (compressed for gzip, after the last flush), when known;
    /// once closed, its final size (gzip: with its trailer).
    public var bytesOnDisk: Int? {
        guard fd > SystemCalls.standardError else { return sizeAtClose }
        return try? SystemCalls.status(fd: fd).size
    }

    /// Finishes the file (the gzip trailer) and closes it; standard output stays open.
    public func close() throws(SourceError) {
        defer {
            if fd > SystemCalls.standardError {
                sizeAtClose = try? SystemCalls.status(fd: fd).size
                SystemCalls.close(fd)
            }
            fd = -1
            gzip = nil
        }
        if let gzip, fd >= 0 {
            gzip.compress(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
            do { try writeOut(gzip.takeHeld()) } catch { throw SourceError("finishing '\(path)' failed: \(error.description)") }
        }
    }

    private func writeOut(_ bytes: [UInt8]) throws(SourceError) {
        guard !bytes.isEmpty else { return }
        do {
            try SystemCalls.writeAll(fd, bytes)
        } catch {
            throw SourceError("writing '\(path)' failed: \(error.text)")
        }
    }
}

/// zlib's deflate writing one gzip member into memory: the writer decides when the compressed
/// bytes reach the file.
final class GzipDeflater {
    /// Compressed bytes held before they go to the file anyway, flushed (memory stays bounded
    /// even at a rate that compresses to more than this per second).
    static let heldLimit = 4 << 20
    private let stream: UnsafeMutablePointer<z_stream>
    private var out = [UInt8](repeating: 0, count: 1 << 16)
    private(set) var held: [UInt8] = []

    init?() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard surg_deflate_init_gzip(stream, 6) == Z_OK else {
            stream.deallocate()
            return nil
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `input` (may be empty) with `flush`, keeping what comes out in `held`.
    func compress(_ input: UnsafeRawBufferPointer, flush: Int32) {
        let z = stream
        z.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        z.pointee.avail_in = uInt(input.count)
        repeat {
            let produced = out.withUnsafeMutableBytes { raw -> Int in
                z.pointee.next_out = raw.baseAddress!.assumingMemoryBound(to: Bytef.self)
                z.pointee.avail_out = uInt(raw.count)
                _ = deflate(z, flush)  // in memory it cannot fail: only Z_BUF_ERROR when done
                return raw.count - Int(z.pointee.avail_out)
            }
            held.append(contentsOf: out[0..<produced])
        } while z.pointee.avail_out == 0 || z.pointee.avail_in > 0
    }

    func takeHeld() -> [UInt8] {
        defer { held.removeAll(keepingCapacity: true) }
        return held
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
