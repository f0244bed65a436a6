import SessionCore
import SystemCalls
import Telemetry

/// What a recorder is handed, in the order it happened at the source.
enum RecorderInput: Sendable {
    /// Bytes received on the current connection, exactly as they came (lines may straddle chunks).
    case bytes([UInt8])
    /// A frame a source made itself (the demo's simulator has no wire bytes): written encoded.
    case frame(Frame)
    /// A connection (or the simulator) started delivering.
    case connected(peer: String)
    /// The connection ended (a drop, a refused stream, the end of standard input).
    case lost(reason: String)
    /// The recorder's queue was full: this much was received here and not recorded.
    case gap(RecorderGap)
}

/// What a full queue dropped between two inputs it kept.
struct RecorderGap: Sendable, Equatable {
    /// Lines lost: every LF dropped, plus the line cut at the end (`cutsLine`). A frame, for
    /// frames a source made itself.
    var lines = 0
    var bytes = 0
    /// The last bytes dropped were not at a line's end: the line goes on in the next bytes kept,
    /// which are skipped up to its LF.
    var cutsLine = false

    mutating func add(_ input: RecorderInput) {
        switch input {
        case .bytes(let chunk):
            guard !chunk.isEmpty else { return }
            bytes += chunk.count
            var linesEnded = 0
            chunk.withUnsafeBytes { raw in
                var start = 0
                while start < raw.count, let found = SystemCalls.firstOffset(of: 0x0A, in: raw.baseAddress! + start, count: raw.count - start) {
                    linesEnded += 1
                    start += found + 1
                }
            }
            // Each LF ends a line, except the first when it ends the line cut at the previous
            // chunk (counted then); a chunk not ending in LF starts a line it cuts.
            let endsCounted = cutsLine && linesEnded > 0 ? linesEnded - 1 : linesEnded
            let startsCutLine = chunk.last != 0x0A && !(cutsLine && linesEnded == 0)
            lines += endsCounted + (startsCutLine ? 1 : 0)
            cutsLine = chunk.last != 0x0A
        case .frame:
            lines += 1
        default:
            break
        }
    }
}

/// The recorder's logic, on one thread, with the clock injected: splits the bytes received
/// into lines, writes each exactly as received (bad lines too: a recording shows what the
/// console saw), adds `connection` events at drops and reconnects, starts a new file when a
/// session frame with a different id arrives, flushes at least once per `flushInterval`, and
/// stops at the first write error (the failure is in `status`; monitoring goes on).
struct RecorderCore {
    /// Bytes gathered before a write; a flush writes whatever is gathered.
    static let writeChunk = 1 << 16
    /// Seconds between flushes at most: after a crash a file lacks at most this much.
    static let flushInterval = 1.0
    /// The kind of the events the recorder adds for drops and reconnects (spec `event`).
    static let connectionKind = SessionState.connectionEventKind
    /// The kind of the event marking what a full queue did not record.
    static let recordingKind = "recording"

    typealias Opener = @Sendable (String) throws(SourceError) -> any RecordingOutput

    private let basePath: String
    private let open: Opener
    private let exists: @Sendable (String) -> Bool
    private var output: (any RecordingOutput)?
    private(set) var status: RecordingStatus
    /// Log lines for the console, taken by `takeMessages`.
    private var messages: [String] = []

    /// The current file's session id (nil until its first valid session frame).
    private var sessionId: String?
    /// The latest session time seen: the time of the events the recorder writes.
    private var lastT: Double?
    /// Decodes the lines to find session frames and `t`: per connection, as the console's.
    private var decoder = FrameDecoder()
    /// A line not yet ended by LF, and whether it grew past the line limit (then it is written
    /// as it comes, not held).
    private var partial: [UInt8] = []
    private var streamingLongLine = false
    /// After a gap that cut a line: skip what remains of it, up to its LF.
    private var skippingCutLine = false
    private var connectedBefore = false
    /// "reconnected to …", written once the new connection's first line shows which session
    /// (and so which file) it belongs to.
    private var pendingReconnect: String?
    private var buffer: [UInt8] = []
    private var lastFlush: Double
    /// Bytes on disk of the files already closed.
    private var closedBytes = 0
    private let encoder = FrameEncoder()

    /// Opens `path` now (a path that cannot be written is the caller's error to report).
    init(path: String, now: Double, open: @escaping Opener = { path throws(SourceError) in try RecordingWriter(path: path) },
         exists: @escaping @Sendable (String) -> Bool = { SystemCalls.exists($0) }) throws(SourceError) {
        basePath = path
        self.open = open
        self.exists = exists
        output = try open(path)
        status = RecordingStatus(path: path)
        lastFlush = now
        buffer.reserveCapacity(Self.writeChunk)
    }

    var isFailed: Bool { status.failure != nil }

    mutating func takeMessages() -> [String] {
        defer { messages = [] }
        return messages
    }

    // MARK: - inputs

    mutating func handle(_ input: RecorderInput, now: Double) {
        guard !isFailed else { return }
        switch input {
        case .bytes(let chunk):
            chunk.withUnsafeBytes { received($0) }
        case .frame(let frame):
            var line: [UInt8] = []
            encoder.encode(frame, into: &line)
            if line.last == 0x0A { line.removeLast() }
            line.withUnsafeBytes { complete($0, outcome: .frame(frame)) }
        case .connected(let peer):
            endPartialLine()
            decoder.reset()
            if connectedBefore { pendingReconnect = "reconnected to \(WireText.sanitize(peer))" }
            connectedBefore = true
        case .lost(let reason):
            // A line the drop cut is recorded as the console decoded it: ended, and bad.
            endPartialLine()
            writePendingReconnect()
            writeEvent(kind: Self.connectionKind, "connection lost: \(WireText.sanitize(reason))")
        case .gap(let gap):
            partial.removeAll(keepingCapacity: true)  // the start of a line the gap cut
            streamingLongLine = false
            skippingCutLine = gap.cutsLine
            status.lostLines = status.lostLines.saturatingAdd(gap.lines)
            status.lostBytes = status.lostBytes.saturatingAdd(gap.bytes)
            let what = gap.bytes > 0 ? "\(gap.lines) lines (\(gap.bytes) bytes)" : "\(gap.lines) frames"
            writeEvent(kind: Self.recordingKind, "the recorder fell behind the stream (slow disk): \(what) received here were not recorded")
        }
        if buffer.count >= Self.writeChunk { writeBuffer() }
    }

    /// Flushes when `flushInterval` has passed since the last flush.
    mutating func tick(now: Double) {
        guard !isFailed, now - lastFlush >= Self.flushInterval else { return }
        lastFlush = now
        flush()
    }

    /// Writes everything held and closes the file (gzip: its trailer).
    mutating func finish() {
        guard !isFailed, let file = output else { return }
        endPartialLine()
        writeBuffer()
        guard !isFailed else { return }
        closedBytes += file.bytesOnDisk ?? 0
        output = nil
        do { try file.close() } catch { fail(error) }
    }

    // MARK: - lines

    private mutating func received(_ chunk: UnsafeRawBufferPointer) {
        guard let base = chunk.baseAddress else { return }
        var start = 0
        while start < chunk.count {
            let rest = chunk.count - start
            let found = SystemCalls.firstOffset(of: 0x0A, in: base + start, count: rest)
            let piece = UnsafeRawBufferPointer(start: base + start, count: found ?? rest)
            start += (found ?? rest) + (found == nil ? 0 : 1)
            if skippingCutLine {
                if found != nil { skippingCutLine = false }
                continue
            }
            guard found != nil else {
                append(partialLine: piece)
                continue
            }
            if streamingLongLine {
                buffer.append(contentsOf: piece)
                buffer.append(0x0A)
                streamingLongLine = false
                _ = decoder.skipLine()
            } else if partial.isEmpty {
                complete(piece, outcome: decoder.decode(piece))
            } else {
                partial.append(contentsOf: piece)
                let line = partial
                partial.removeAll(keepingCapacity: true)
                line.withUnsafeBytes { complete($0, outcome: decoder.decode($0)) }
            }
            if buffer.count >= Self.writeChunk { writeBuffer() }
        }
    }

    /// Holds the start of a line; one past the line limit is written as it comes (it can be
    /// no frame, so it cannot start a session), so memory stays bounded.
    private mutating func append(partialLine piece: UnsafeRawBufferPointer) {
        if streamingLongLine {
            buffer.append(contentsOf: piece)
            return
        }
        partial.append(contentsOf: piece)
        if partial.count > FrameDecoder.maxLineBytes + 1 {
            writePendingReconnect()
            buffer.append(contentsOf: partial)
            partial.removeAll(keepingCapacity: false)
            streamingLongLine = true
        }
    }

    /// The connection ended inside a line: it is recorded, ended with LF so the next stays apart.
    private mutating func endPartialLine() {
        skippingCutLine = false
        if streamingLongLine {
            buffer.append(0x0A)
            streamingLongLine = false
            _ = decoder.skipLine()
        } else if !partial.isEmpty {
            let line = partial
            partial.removeAll(keepingCapacity: true)
            line.withUnsafeBytes { complete($0, outcome: decoder.decode($0)) }
        }
    }

    /// One whole line (without its LF) and what it decodes to.
    private mutating func complete(_ line: UnsafeRawBufferPointer, outcome: DecodeOutcome) {
        var sessionFrame = false
        if case .frame(let frame) = outcome {
            if case .session(let info) = frame.body {
                sessionFrame = true
                if let current = sessionId, current != info.id {
                    startFile(forSession: info.id)
                    if isFailed { return }
                }
                sessionId = info.id
            }
            lastT = frame.t
        }
        if !sessionFrame { writePendingReconnect() }
        buffer.append(contentsOf: line)
        buffer.append(0x0A)
        if sessionFrame { writePendingReconnect() }
    }

    private mutating func writePendingReconnect() {
        guard let text = pendingReconnect else { return }
        pendingReconnect = nil
        writeEvent(kind: Self.connectionKind, text)
    }

    /// An `event` frame of the recorder's own, at the latest session time seen; none before the
    /// file's first session frame (a recording starts with its session frame).
    private mutating func writeEvent(kind: String, _ text: String) {
        guard sessionId != nil else { return }
        encoder.encode(Frame(t: lastT ?? 0, body: .event(EventNote(kind: kind, text: text))), into: &buffer)
        if buffer.last != 0x0A { buffer.append(0x0A) }
    }

    /// A new session (a different id): the current file is finished and the new session
    /// goes to a file of its own next to the first.
    private mutating func startFile(forSession id: String) {
        writeBuffer()
        if let file = output {
            closedBytes += file.bytesOnDisk ?? 0
            output = nil
            do { try file.close() } catch { return fail(error) }
        }
        if isFailed { return }
        let path = RecordingFileName.path(forSession: id, nextTo: basePath, exists: exists)
        do {
            output = try open(path)
        } catch {
            return fail(error)
        }
        status.path = path
        status.files += 1
        lastT = nil
        messages.append("a new session (\(WireText.sanitize(id))) began: recording it to '\(path)'")
    }

    // MARK: - the disk

    private mutating func writeBuffer() {
        guard !buffer.isEmpty, let file = output else { return }
        do {
            try file.write(buffer)
        } catch {
            return fail(error)
        }
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func flush() {
        writeBuffer()
        guard let file = output, !isFailed else { return }
        do {
            try file.flush()
        } catch {
            return fail(error)
        }
        status.bytesOnDisk = closedBytes + (file.bytesOnDisk ?? 0)
    }

    private mutating func fail(_ error: SourceError) {
        status.failure = error.description
        messages.append("recording stopped: \(error.description); monitoring goes on")
        buffer = []
        partial = []
        if let file = output {
            output = nil
            try? file.close()
        }
    }
}
