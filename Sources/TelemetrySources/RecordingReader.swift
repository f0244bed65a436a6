import CZlib
import Interop
import SystemCalls
import Telemetry

/// Why a recording could not be opened or read: one sentence for a person.
public struct SourceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Reads the bytes of a recording: a plain `.ndjson` file, a gzip-compressed `.ndjson.gz`
/// (through the system's zlib), or standard input (`-`). Not thread-safe; one reader per thread.
public final class RecordingReader {
    public let path: String
    private var fd: Int32 = -1
    private var gzip: GzipInflater?
    /// A recording in another format (MCAP, a ROS 2 bag, JIGSAWS), read as the NDJSON of its frames.
    public private(set) var foreign: ForeignRecording?
    private var buffer: [UInt8]
    /// Set when the stream ended badly (a damaged gzip file, a read error).
    public internal(set) var problem: String?
    /// Set when a gzip stream stops without its end, with no damage before: a file cut while
    /// being written (a `kill -9` of a recorder). A note, not a problem: every line decodes.
    public private(set) var note: String?
    /// What a foreign recording (an MCAP file, a ROS 2 bag) says of what it read without stopping:
    /// no summary, CRCs ignored, channels skipped, bad messages. Each kind once; read at the end.
    public var notes: [String] { foreign?.notes ?? [] }

    /// The descriptor read (standard input, a file, a FIFO), for a caller that waits for data on it
    /// (`convert` stopping on a signal while a pipe is silent); nil for a foreign recording.
    public var descriptor: Int32? { foreign == nil && fd >= 0 ? fd : nil }

    public static let chunkSize = 1 << 16
    /// How much of the file has been read, in its own bytes (compressed bytes for a gzip file,
    /// whose decompressed length is not known up front): with the file's size, a progress measure.
    public var fileBytesRead: Int { foreign?.fileBytesRead ?? gzip?.compressedRead ?? plainRead }
    var plainRead = 0
    /// Gets every chunk as read, before it is decoded (`--record` of `live -`).
    public var chunkTap: WireTap?
    /// Whether the last line read had no LF (a file cut while being written): known once read.
    public internal(set) var endsMidLine = false
    /// Whether that last line, without its LF, is also bad: the file ends inside a line.
    public internal(set) var truncatedLastLine = false

    public init(path: String) throws(SourceError) {
        self.path = path
        self.buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        if path == "-" {
            fd = SystemCalls.standardInput
            return
        }
        try Self.checkReadable(path: path)
        if let format = ForeignRecordings.format(of: path) {
            do {
                foreign = try ForeignRecordings.open(path: path, format: format)
            } catch {
                throw SourceError("cannot read recording '\(path)': \(error.description)")
            }
            return
        }
        do {
            fd = try SystemCalls.open(path, .read)
        } catch {
            throw SourceError("cannot open recording '\(path)': \(error.text)")
        }
        if path.hasSuffix(".gz") {
            gzip = try GzipInflater(fd: fd, chunkSize: Self.chunkSize)
        }
    }

    /// Reads `foreign` (opened by the caller, e.g. `convert --jigsaws`) as this recording.
    public init(foreign: ForeignRecording, path: String) {
        self.path = path
        self.buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        self.foreign = foreign
    }

    deinit { close() }

    /// Whether `path` names something a recording can be read from, found without opening it:
    /// opening a FIFO would take the data its writer sends (or wait for one).
    public static func checkReadable(path: String) throws(SourceError) {
        guard path != "-" else { return }
        let status: SystemCalls.FileStatus
        do {
            status = try SystemCalls.status(path: path)
        } catch {
            throw SourceError("cannot open recording '\(path)': \(error == .noSuchFile ? "no such file" : error.text)")
        }
        if status.kind == .directory {
            throw SourceError("cannot open recording '\(path)': it is a directory")
        }
        do {
            try SystemCalls.checkReadable(path)
        } catch {
            throw SourceError("cannot open recording '\(path)': \(error.text)")
        }
    }

    /// Whether `path` is a regular file (which can be read twice: for its length, then played).
    public static func isRegularFile(_ path: String) -> Bool {
        SystemCalls.isRegularFile(path)
    }

    public func close() {
        gzip = nil
        if fd > SystemCalls.standardInput { SystemCalls.close(fd) }
        fd = -1
    }

    /// Reads the next chunk and hands it to `body`; returns false at the end of the stream.
    public func readChunk(_ body: (UnsafeRawBufferPointer) -> Void) -> Bool {
        let n: Int = buffer.withUnsafeMutableBytes { raw in
            if let foreign {
                let got = foreign.read(into: raw)
                if let stopped = foreign.problem { problem = stopped }
                return got
            }
            if let gzip {
                let got = gzip.read(into: raw)
                if let damage = gzip.problem { problem = "recording '\(path)' \(damage)" }
                note = gzip.endsWithoutTrailer ? Self.cutNote(path) : nil
                return got
            }
            do throws(SystemError) {
                return try SystemCalls.read(fd, into: raw)
            } catch {
                problem = "reading '\(path)' failed: \(error.text)"
                return 0
            }
        }
        guard n > 0 else { return false }
        plainRead += n
        buffer.withUnsafeBytes { raw in
            let chunk = UnsafeRawBufferPointer(rebasing: raw[0..<n])
            chunkTap?(chunk)
            body(chunk)
        }
        return true
    }

    /// Decodes the whole recording, calling `body` for every line that is not blank.
    /// `body` returns false to stop early. Returns the number of lines read: stopped early, the
    /// number of the line it stopped at.
    @discardableResult
    public func decodeAll(_ body: (DecodeOutcome) -> Bool) -> Int {
        decodeAll(from: nil) { outcome, _ in body(outcome) }
    }

    /// Decodes the recording from `position` (nil: from its start), calling `body` for every
    /// line that is not blank with the position just after that line, where a later read may
    /// resume. `body` returns false to stop early. Returns the number of the last line read (the
    /// one it stopped at, if stopped).
    @discardableResult
    public func decodeAll(from position: RecordingPosition?, _ body: (DecodeOutcome, () -> RecordingPosition) -> Bool) -> Int {
        var stream = FrameStream(decoder: position?.decoder ?? FrameDecoder(), offset: position?.offset ?? 0)
        if let position, !seek(to: position.offset) { return stream.decoder.lineNumber }
        var stop = false
        var stoppedAt = 0
        while !stop, readChunk({ chunk in
            stream.feed(chunk) { outcome, lineEnd, decoder in
                if stop { return }
                if case .blank = outcome { return }
                if !body(outcome, { RecordingPosition(offset: lineEnd, decoder: decoder) }) {
                    stop = true
                    stoppedAt = decoder.lineNumber
                }
            }
        }) {}
        if stop { return stoppedAt }
        if !stop {
            let end = stream.offset
            let decoder = stream.decoder
            stream.finish { outcome in
                endsMidLine = true
                if case .error = outcome { truncatedLastLine = true }
                if case .blank = outcome { return }
                _ = body(outcome, { RecordingPosition(offset: end, decoder: decoder) })
            }
        }
        return stream.decoder.lineNumber
    }

    static func cutNote(_ path: String) -> String {
        "recording '\(path)' was cut while being written: its gzip stream stops without its end (every line up to there decodes)"
    }

    /// Moves to a byte offset of the (uncompressed) recording. A gzip file is decompressed up to
    /// it, which zlib does far faster than decoding the lines would be.
    private func seek(to offset: Int) -> Bool {
        let done: Bool
        if let foreign {
            done = foreign.seek(to: offset)
            if let stopped = foreign.problem { problem = stopped }
        } else if let gzip {
            done = gzip.seek(to: offset)
            if let damage = gzip.problem { problem = "recording '\(path)' \(damage)" }
            note = gzip.endsWithoutTrailer ? Self.cutNote(path) : nil
        } else {
            done = fd > SystemCalls.standardInput && SystemCalls.seek(fd, to: offset)  // standard input cannot seek
        }
        // Said, not silent: the replay would otherwise just end.
        if !done && problem == nil { problem = "recording '\(path)' could not be read again from byte \(offset): it changed or is shorter" }
        return done
    }
}

/// A place in a recording to resume reading from: the byte offset of a line's start, with the
/// decoder as it stood there (the arms declared so far, the line count).
public struct RecordingPosition: Sendable {
    public var offset: Int
    public var decoder: FrameDecoder

    public init(offset: Int, decoder: FrameDecoder) {
        self.offset = offset
        self.decoder = decoder
    }
}

extension RecordingReader {
    /// The `t` of a plain recording's last frame, read from its tail (for the replay timeline);
    /// nil for compressed files, standard input or a tail without a valid frame. surgtop's MCAP: its last
    /// frame, from its last chunk; nil for other foreign recordings, which only reading through tells
    /// (`RecordingLength` does that in the background): the caller must not wait for it.
    public static func lastTimestamp(path: String) -> Double? {
        if let format = ForeignRecordings.format(of: path) {
            guard format == .mcap, RecordingReader.isRegularFile(path) else { return nil }
            return MCAPRecordings.lastTimestamp(path: path)
        }
        guard path != "-", !path.hasSuffix(".gz") else { return nil }
        guard let fd = try? SystemCalls.open(path, .read) else { return nil }
        defer { SystemCalls.close(fd) }
        guard let size = SystemCalls.seekToEnd(fd) else { return nil }
        let length = min(size, tailBytes)
        guard length > 0 else { return nil }
        var tail = [UInt8](repeating: 0, count: length)
        let got = tail.withUnsafeMutableBytes { try? SystemCalls.read(fd, at: size - length, into: $0) }
        guard got == length else { return nil }
        return lastTimestamp(inTail: tail)
    }

    /// How much of a recording's end is searched for its last frame.
    static let tailBytes = 256 * 1024

    /// The `t` of the last line with one among `tail`, the final bytes of a recording.
    static func lastTimestamp(inTail tail: [UInt8]) -> Double? {
        // Scan lines backwards for the last one with a `t`. Arm frames need declared arms, so
        // read just the common fields through an event-shaped check: any decodable `t` will do.
        var end = tail.count
        while end > 0 {
            var start = end - 1
            while start > 0 && tail[start - 1] != 0x0A { start -= 1 }
            if end - start > 1, let t = timestamp(in: Array(tail[start..<end])) { return t }
            end = start - 1
        }
        return nil
    }

    /// The `t` of a recording's last frame, reading it to the end (what a gzip file needs).
    static func lastTimestampByReading(path: String) -> Double? {
        guard let reader = try? RecordingReader(path: path) else { return nil }
        // Trimmed to at least 256 KiB: that always holds the last complete line (lines are at most 64 KiB).
        var tail: [UInt8] = []
        tail.reserveCapacity(4 * tailBytes + chunkSize)
        while reader.readChunk({ chunk in
            tail.append(contentsOf: chunk)
            if tail.count > 4 * tailBytes { tail.removeFirst(tail.count - tailBytes) }
        }) {}
        return lastTimestamp(inTail: tail)
    }

    /// The value of the top-level `t` of one line. Arm frames only decode once their session
    /// frame is known, so those fall back to reading the number after `"t":`.
    private static func timestamp(in line: [UInt8]) -> Double? {
        var decoder = FrameDecoder()
        if case .frame(let frame) = line.withUnsafeBytes({ decoder.decode($0) }) { return frame.t }
        // The recorder's byte scan (`"t"`, white space around the colon, the decoder's range).
        return line.withUnsafeBytes { RecorderCore.timestamp($0) }
    }
}
