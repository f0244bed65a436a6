import CZstd

/// One-shot zstd compression of a chunk's records, with a context reused between chunks.
final class ZstdCompressor {
    private let context: OpaquePointer
    private let level: Int32

    init(level: Int) {
        guard let context = ZSTD_createCCtx() else { fatalError("zstd could not allocate a compression context") }
        self.context = context
        self.level = Int32(clamping: level)
    }

    deinit { ZSTD_freeCCtx(context) }

    func compress(_ input: [UInt8]) throws -> [UInt8] {
        var output: [UInt8] = []
        let written = try input.withUnsafeBytes { try compress($0, into: &output) }
        output.removeLast(output.count - written)
        return output
    }

    /// Compresses `input` into the start of `output` (grown when too small, never shrunk, so a writer reuses
    /// one buffer for every chunk) and returns how many bytes it wrote.
    func compress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws -> Int {
        let bound = ZSTD_compressBound(input.count)
        if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
        let written = output.withUnsafeMutableBytes { target in
            ZSTD_compressCCtx(context, target.baseAddress, target.count, input.baseAddress, input.count, level)
        }
        if ZSTD_isError(written) != 0 {
            throw MCAPError("zstd could not compress a chunk: \(String(cString: ZSTD_getErrorName(written))).")
        }
        return written
    }
}

/// Decompression bounded by the size the chunk declares (already checked against a cap by the caller). The
/// output grows as zstd fills it, up to one byte past the declared size, so a hostile chunk costs memory in
/// proportion to what it really holds, never to what it claims.
final class ZstdDecompressor {
    private let context: OpaquePointer

    init() {
        guard let context = ZSTD_createDCtx() else { fatalError("zstd could not allocate a decompression context") }
        self.context = context
    }

    deinit { ZSTD_freeDCtx(context) }

    func decompress(_ input: UnsafeRawBufferPointer, size: Int) throws -> [UInt8] {
        // A single frame that states its content size must state the declared one.
        if input.count > 0, ZSTD_findFrameCompressedSize(input.baseAddress, input.count) == input.count {
            let frameSize = ZSTD_getFrameContentSize(input.baseAddress, input.count)
            if frameSize != ZSTD_CONTENTSIZE_UNKNOWN, frameSize != ZSTD_CONTENTSIZE_ERROR, frameSize != UInt64(size) {
                throw MCAPError("the chunk declares \(size) uncompressed bytes but its zstd frame holds \(frameSize).")
            }
        }
        ZSTD_DCtx_reset(context, ZSTD_reset_session_only)
        let limit = size + 1  // room for one byte more than declared, to tell "holds more" from "holds exactly"
        var output = [UInt8](repeating: 0, count: min(limit, max(input.count * 4, 64 << 10)))
        var consumed = 0, written = 0
        while true {
            let (hint, read, filled) = output.withUnsafeMutableBytes { target in
                var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: consumed)
                var sink = ZSTD_outBuffer(dst: target.baseAddress, size: target.count, pos: written)
                let hint = ZSTD_decompressStream(context, &sink, &source)
                return (hint, source.pos, sink.pos)
            }
            if ZSTD_isError(hint) != 0 {
                throw MCAPError("zstd could not decompress the chunk: \(String(cString: ZSTD_getErrorName(hint))).")
            }
            consumed = read
            written = filled
            if written > size { throw MCAPError("the chunk declares \(size) uncompressed bytes but holds more.") }
            if consumed == input.count, hint == 0 { break }  // every frame read and flushed
            if written == output.count {
                output += repeatElement(0, count: min(limit, output.count * 2) - output.count)
            } else if consumed == input.count {
                throw MCAPError("the chunk's zstd data ends inside a frame.")
            }
        }
        guard written == size else {
            throw MCAPError("the chunk declares \(size) uncompressed bytes but holds \(written).")
        }
        output.removeLast(output.count - written)
        return output
    }
}
