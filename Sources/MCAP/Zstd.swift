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
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { target in
                ZSTD_compressCCtx(context, target.baseAddress, bound, source.baseAddress, source.count, level)
            }
        }
        if ZSTD_isError(written) != 0 {
            throw MCAPError("zstd could not compress a chunk: \(String(cString: ZSTD_getErrorName(written))).")
        }
        output.removeLast(bound - written)
        return output
    }
}

/// Decompression into a buffer of exactly the size the chunk declares (already checked against a cap by the
/// caller), so a hostile chunk can never make it allocate more than that.
final class ZstdDecompressor {
    private let context: OpaquePointer

    init() {
        guard let context = ZSTD_createDCtx() else { fatalError("zstd could not allocate a decompression context") }
        self.context = context
    }

    deinit { ZSTD_freeDCtx(context) }

    func decompress(_ input: UnsafeRawBufferPointer, size: Int) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: size)
        let written = output.withUnsafeMutableBytes { target in
            ZSTD_decompressDCtx(context, target.baseAddress, size, input.baseAddress, input.count)
        }
        if ZSTD_isError(written) != 0 {
            throw MCAPError("zstd could not decompress the chunk: \(String(cString: ZSTD_getErrorName(written))).")
        }
        guard written == size else {
            throw MCAPError("the chunk declares \(size) uncompressed bytes but holds \(written).")
        }
        return output
    }
}
