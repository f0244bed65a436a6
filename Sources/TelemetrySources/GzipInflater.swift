import CZlib

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decompresses a gzip file through zlib's `inflate`, handing out every byte that decodes.
/// zlib's `gzread` discards what it decompressed in a call that then meets a damaged trailer
/// (a bad CRC gave 0 lines from an otherwise intact stream); here the data comes first and the
/// damage is reported after it. Concatenated gzip members are read one after another.
final class GzipInflater {
    private let fd: Int32
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutablePointer<Bytef>
    private let inputSize: Int
    private var inputEnded = false
    private var finished = false
    /// Bytes handed out so far (the position in the uncompressed recording).
    private(set) var position = 0
    /// Why the stream ended badly, once it did: "is truncated: …", "is damaged: …", "could not be read: …".
    private(set) var problem: String?

    init(fd: Int32, chunkSize: Int) throws(SourceError) {
        self.fd = fd
        inputSize = chunkSize
        input = .allocate(capacity: chunkSize)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard surg_inflate_init_gzip(stream) == Z_OK else {
            stream.deallocate()
            input.deallocate()
            throw SourceError("cannot start the gzip decompressor")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        input.deallocate()
    }

    /// Fills `out` with the next decompressed bytes; 0 at the end (or after damage, which
    /// `problem` then names).
    func read(into out: UnsafeMutableRawBufferPointer) -> Int {
        guard !finished, let base = out.baseAddress, out.count > 0 else { return 0 }
        let z = stream
        z.pointee.next_out = base.assumingMemoryBound(to: Bytef.self)
        z.pointee.avail_out = uInt(min(out.count, Int(UInt32.max)))
        let capacity = Int(z.pointee.avail_out)
        reading: while z.pointee.avail_out > 0 {
            if z.pointee.avail_in == 0 && !inputEnded { refill() }
            if finished { break }
            switch inflate(z, Z_NO_FLUSH) {
            case Z_OK:
                continue
            case Z_STREAM_END:
                // One member done: another may follow (cat a.gz b.gz is a valid gzip file).
                if z.pointee.avail_in == 0 && !inputEnded { refill() }
                if z.pointee.avail_in == 0 {
                    finished = true
                    break reading
                }
                inflateReset(z)
            case Z_BUF_ERROR:
                // No progress possible: more input is needed, and there is none.
                if inputEnded && z.pointee.avail_in == 0 {
                    finished = true
                    problem = "is truncated: the gzip stream ends early"
                    break reading
                }
            case let result:
                finished = true
                problem = "is damaged: " + (z.pointee.msg.map { String(cString: $0) } ?? "zlib error \(result)")
                break reading
            }
        }
        let produced = capacity - Int(z.pointee.avail_out)
        position += produced
        return produced
    }

    /// Reads more compressed bytes; at the end of the file or on a read error, `inputEnded`.
    private func refill() {
        var n: Int
        repeat {
            n = Glibc.read(fd, input, inputSize)
        } while n < 0 && errno == EINTR
        if n < 0 {
            problem = "could not be read: \(String(cString: strerror(errno)))"
            finished = true
        }
        if n <= 0 {
            inputEnded = true
            return
        }
        stream.pointee.next_in = input
        stream.pointee.avail_in = uInt(n)
    }

    /// Moves to `offset` in the uncompressed data: forward by decompressing, backward by
    /// starting over (gzip cannot be read backwards). False if the data ends before it.
    func seek(to offset: Int) -> Bool {
        if offset < position {
            guard lseek(fd, 0, SEEK_SET) == 0 else { return false }
            inflateReset(stream)
            stream.pointee.avail_in = 0
            inputEnded = false
            finished = false
            problem = nil
            position = 0
        }
        var scratch = [UInt8](repeating: 0, count: 1 << 16)
        while position < offset {
            let want = min(scratch.count, offset - position)
            let got = scratch.withUnsafeMutableBytes { read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want])) }
            if got == 0 { return false }
        }
        return true
    }
}
