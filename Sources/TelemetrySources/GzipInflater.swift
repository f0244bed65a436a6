import CZlib
import SystemCalls

/// Decompresses a gzip file through zlib's `inflate`, handing out every byte that decodes.
/// zlib's `gzread` discards what it decompressed in a call that then meets a damaged trailer
/// (a bad CRC gave 0 lines from an otherwise intact stream); here the data comes first and the
/// damage is reported after it. Concatenated gzip members are read one after another, zero
/// padding after the last is ignored (as `gzip -t` does), and a file that does not start as
/// gzip data is read as it is (as `gzread` did: a plain recording named `.gz` still plays).
final class GzipInflater {
    private let fd: Int32
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutablePointer<Bytef>
    private let inputSize: Int
    private var started = false
    private var inputEnded = false
    private var finished = false
    /// Not gzip at all: the bytes are handed out as they are.
    private var plain = false
    /// Bytes handed out so far (the position in the uncompressed recording).
    private(set) var position = 0
    /// Compressed bytes read from the file so far (a progress measure: the file's own bytes).
    private(set) var compressedRead = 0
    /// Why the stream ended badly, once it did: "is damaged: …", "has … after the gzip data",
    /// "could not be read: …".
    private(set) var problem: String?
    /// The input stopped inside a member without a data error: a file cut while being written
    /// (a recorder killed between flushes). Everything before decodes; not damage.
    private(set) var endsWithoutTrailer = false

    init(fd: Int32, chunkSize: Int) throws(SourceError) {
        self.fd = fd
        inputSize = chunkSize
        input = .allocate(capacity: chunkSize)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // deinit runs if this throws (every property is set): it frees what was allocated.
        guard surg_inflate_init_gzip(stream) == Z_OK else { throw SourceError("cannot start the gzip decompressor") }
        started = true
    }

    deinit {
        if started { inflateEnd(stream) }
        stream.deallocate()
        input.deallocate()
    }

    /// Fills `out` with the next decompressed bytes; 0 at the end (or after damage, which
    /// `problem` then names).
    func read(into out: UnsafeMutableRawBufferPointer) -> Int {
        guard !finished, let base = out.baseAddress, out.count > 0 else { return 0 }
        if position == 0 && !plain && stream.pointee.total_in == 0 && !checkMagic() { return 0 }
        if plain { return readPlain(into: out) }
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
                if !nextMember() { break reading }
                inflateReset(z)
            case Z_BUF_ERROR:
                // No progress possible: more input is needed, and there is none.
                if inputEnded && z.pointee.avail_in == 0 {
                    finished = true
                    endsWithoutTrailer = true
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

    /// At the start: whether the file is gzip data (`1f 8b`). An empty file is a problem;
    /// anything else is read as plain bytes.
    private func checkMagic() -> Bool {
        while stream.pointee.avail_in < 2 && !inputEnded { refill() }
        let z = stream.pointee
        if z.avail_in == 0 {
            finished = true
            if problem == nil { problem = "is empty: no gzip data" }
            return false
        }
        if z.avail_in >= 2, z.next_in[0] == 0x1F, z.next_in[1] == 0x8B { return true }
        if z.avail_in == 1 && z.next_in[0] == 0x1F { return true }  // one byte: inflate says truncated
        plain = true
        return true
    }

    /// After a member: true if another follows; false at a clean end (nothing, or zero
    /// padding) or at trailing data that is not gzip (a problem).
    private func nextMember() -> Bool {
        // Two bytes tell whether another member follows (the magic may straddle a read).
        while stream.pointee.avail_in < 2 && !inputEnded { refill() }
        if stream.pointee.avail_in == 0 {
            finished = true
            return false
        }
        let z = stream.pointee
        if z.avail_in >= 2, z.next_in[0] == 0x1F, z.next_in[1] == 0x8B { return true }
        // Not another member: zero padding is fine, anything else is reported.
        var trailing = 0
        var nonZero = false
        repeat {
            for k in 0..<Int(stream.pointee.avail_in) where stream.pointee.next_in[k] != 0 { nonZero = true }
            trailing += Int(stream.pointee.avail_in)
            stream.pointee.avail_in = 0
            if !inputEnded { refill() }
        } while stream.pointee.avail_in > 0
        finished = true
        if nonZero { problem = "has \(trailing) bytes after the gzip data that are not gzip (ignored)" }
        return false
    }

    private func readPlain(into out: UnsafeMutableRawBufferPointer) -> Int {
        if stream.pointee.avail_in == 0 && !inputEnded { refill() }
        let n = min(out.count, Int(stream.pointee.avail_in))
        guard n > 0 else {
            finished = true
            return 0
        }
        out.baseAddress!.copyMemory(from: stream.pointee.next_in, byteCount: n)
        stream.pointee.next_in += n
        stream.pointee.avail_in -= uInt(n)
        position += n
        return n
    }

    /// Reads more compressed bytes after those not yet consumed (moved to the buffer's start);
    /// at the end of the file or on a read error, `inputEnded`.
    private func refill() {
        let kept = Int(stream.pointee.avail_in)
        if kept > 0 && stream.pointee.next_in != input { input.update(from: stream.pointee.next_in, count: kept) }
        stream.pointee.next_in = input
        let n: Int
        do {
            n = try SystemCalls.read(fd, into: UnsafeMutableRawBufferPointer(start: input + kept, count: inputSize - kept))
        } catch {
            problem = "could not be read: \(error.text)"
            finished = true
            n = 0
        }
        if n <= 0 {
            inputEnded = true
            return
        }
        compressedRead += n
        stream.pointee.avail_in = uInt(kept + n)
    }

    /// Moves to `offset` in the uncompressed data: forward by decompressing, backward by
    /// starting over (gzip cannot be read backwards). False if the data ends before it, with
    /// `problem` saying why when it is damage.
    func seek(to offset: Int) -> Bool {
        if offset < position {
            guard SystemCalls.seek(fd, to: 0) else {
                problem = "could not be read: cannot go back to its start"
                return false
            }
            inflateReset(stream)
            stream.pointee.avail_in = 0
            stream.pointee.total_in = 0
            inputEnded = false
            finished = false
            plain = false
            problem = nil
            endsWithoutTrailer = false
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
