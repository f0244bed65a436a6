import SessionCore
import Synchronization
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

/// Why the recorder's queue overflowed, as far as the recorder can tell: its writes took most
/// of its time (the disk), or they did not (it got too little CPU for the stream).
enum RecorderLag: Sendable, Equatable {
    case slowDisk, cpu
}

/// The recorder's logic, on one thread, with the clock injected: splits the bytes received
/// into lines, writes each exactly as received (bad lines too: a recording shows what the
/// console saw), adds `connection` events at drops and reconnects, starts a new file when a
/// session frame starts a new session (`SessionIdentity`, as the console judges it), flushes
/// at least once per `flushInterval`, and stops at the first write error (the failure is in
/// `status`; monitoring goes on).
///
/// It does not decode the stream (the console does, on the other core): only lines that
/// mention `"session"` are decoded; of the others it reads just the `t` (a byte scan), for the
/// session clock (`SessionClock`, with the source's restart rule, so it splits sessions exactly
/// where the console does) and the session time of the events it writes.
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
    /// Times the disk's calls (`diskSeconds`), to tell a slow disk from a busy CPU.
    private let clock: @Sendable () -> Double
    private var output: (any RecordingOutput)?
    private(set) var status: RecordingStatus
    /// Log lines for the console, taken by `takeMessages`.
    private var messages: [String] = []
    /// Seconds spent in the disk's calls so far.
    private(set) var diskSeconds = 0.0
    /// What the next note of a queue overflow blames (the recorder's thread measures it).
    var lag = RecorderLag.slowDisk

    /// The current file's session id (nil until its first valid session frame).
    private var sessionId: String?
    /// Where sessions start, as the console judges it: fed every line's `t`.
    private var sessionClock = SessionClock(rule: .anywhere)
    /// The `t` of the current session's latest session frame.
    private var sessionFrameT = 0.0
    /// The `t` of the last whole line written: the session time of an event written now.
    private var lastLineT: Double?
    /// A line not yet ended by LF, and whether it grew past the line limit (then it is written
    /// as it comes, not held).
    private var partial: [UInt8] = []
    private var streamingLongLine = false
    /// After a gap that cut a line: skip what remains of it, up to its LF.
    private var skippingCutLine = false
    private var connectedBefore = false
    /// "reconnected to …", written once the new connection's session frame shows which session
    /// (and so which file) it belongs to.
    private var pendingReconnect: String?
    /// After a reconnect, until the connection's session frame: its lines may belong to another
    /// session, so they are not recorded, only counted (the frame itself was lost to a full queue).
    private var awaitingSession = false
    private var unplacedLines = 0
    private var unplacedBytes = 0
    private var buffer: [UInt8] = []
    private var lastFlush: Double
    /// Bytes on disk of the files already closed.
    private var closedBytes = 0
    /// Bytes handed to the core and not on disk yet, readable without the core's lock: quitting
    /// reads it when a write never returns. `restOfChunk`: the part of the chunk being split not
    /// looked at yet; `abandonedBytes`: the line begun that quitting gave up on.
    let held = HeldBytes()
    private var restOfChunk = 0
    private var abandonedBytes = 0
    private let encoder = FrameEncoder()

    /// Opens `path` now, or with `openingNow: false` at `openFile()` (a path that cannot be
    /// written is the caller's error to report).
    init(path: String, now: Double, open: @escaping Opener = { path throws(SourceError) in try RecordingWriter(path: path) },
         exists: @escaping @Sendable (String) -> Bool = { SystemCalls.exists($0) },
         clock: @escaping @Sendable () -> Double = { MonotonicClock.now() }, openingNow: Bool = true) throws(SourceError) {
        basePath = path
        self.open = open
        self.exists = exists
        self.clock = clock
        status = RecordingStatus(path: path)
        lastFlush = now
        buffer.reserveCapacity(Self.writeChunk)
        if openingNow { try openFile() }
    }

    var isFailed: Bool { status.failure != nil }

    /// Where a same-id session frame may start a new session: the source's rule, as the
    /// console applies it (`TelemetrySource.restartRule`). Set before the first input.
    mutating func setRestartRule(_ rule: SessionClock.RestartRule) {
        sessionClock = SessionClock(rule: rule)
    }

    /// Creates (or truncates) FILE, once.
    mutating func openFile() throws(SourceError) {
        guard !opened else { return }
        output = try open(basePath)
        opened = true
    }
    private var opened = false

    /// When the next flush is due: the recorder's thread sleeps no longer than this.
    var nextFlush: Double { lastFlush + Self.flushInterval }

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
            line.withUnsafeBytes { complete($0) }
        case .connected(let peer):
            endPartialLine()
            sessionClock.reconnect()  // as the console does on the connection's `.reset`
            if connectedBefore {
                pendingReconnect = "reconnected to \(WireText.sanitize(peer))"
                awaitingSession = true
            }
            connectedBefore = true
        case .lost(let reason):
            // A line the drop cut is recorded as the console decoded it: ended, and bad.
            endPartialLine()
            if awaitingSession {
                // The connection ended before its session frame (a refused stream, a retry): it
                // never joined a file, so neither "reconnected" nor "lost" is written for it.
                pendingReconnect = nil
                awaitingSession = false
                reportUnplaced("received on a connection that ended before its session frame")
            } else {
                writePendingReconnect()
                writeEvent(kind: Self.connectionKind, "connection lost: \(WireText.sanitize(reason))")
            }
        case .gap(let gap):
            // A long line being written out is ended first, so the note is a line of its own.
            if streamingLongLine { buffer.append(0x0A) }
            streamingLongLine = false
            partial.removeAll(keepingCapacity: true)  // the start of a line the gap cut
            skippingCutLine = gap.cutsLine
            status.lostLines = status.lostLines.saturatingAdd(gap.lines)
            status.lostBytes = status.lostBytes.saturatingAdd(gap.bytes)
            let what = gap.bytes > 0 ? "\(gap.lines) lines (\(gap.bytes) bytes)" : "\(gap.lines) frames"
            let why = lag == .slowDisk ? "the recorder fell behind the stream (slow disk)" : "the recorder fell behind the stream"
            if !awaitingSession { writeEvent(kind: Self.recordingKind, "\(why): \(what) received here were not recorded") }
        }
        if buffer.count >= Self.writeChunk { writeBuffer() }
        publishHeld()
    }

    /// Flushes when `flushInterval` has passed since the last flush (the time moves on after a
    /// failure too: nothing is due then).
    mutating func tick(now: Double) {
        guard now - lastFlush >= Self.flushInterval else { return }
        lastFlush = now
        if !isFailed { flush() }
    }

    /// Writes everything held and closes the file (gzip: its trailer). `abandoning`: the rest
    /// of the stream will not come (quitting with a backlog), so a line begun is not written.
    /// Returns the bytes held that were not written (that begun line).
    @discardableResult
    mutating func finish(abandoning: Bool = false) -> Int {
        guard !isFailed, let file = output else { return 0 }
        var dropped = 0
        if abandoning {
            dropped = partial.count
            abandonedBytes = dropped
            partial = []
            if streamingLongLine { buffer.append(0x0A) }
            streamingLongLine = false
        } else {
            endPartialLine()
        }
        writeBuffer()
        guard !isFailed else { return dropped }
        output = nil
        do { try file.close() } catch { fail(error) }
        // Read after closing: a gzip file's held data and trailer are on disk only now.
        closedBytes += file.bytesOnDisk ?? 0
        status.bytesOnDisk = closedBytes
        return dropped
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
            } else if partial.isEmpty {
                complete(piece)
            } else {
                partial.append(contentsOf: piece)
                let line = partial
                partial.removeAll(keepingCapacity: true)
                line.withUnsafeBytes { complete($0) }
            }
            if buffer.count >= Self.writeChunk {
                restOfChunk = chunk.count - start
                writeBuffer()
            }
        }
        restOfChunk = 0
    }

    /// Holds the start of a line; one past the line limit is written as it comes (it can be
    /// no frame, so it cannot start a session), so memory stays bounded.
    private mutating func append(partialLine piece: UnsafeRawBufferPointer) {
        if streamingLongLine {
            buffer.append(contentsOf: piece)
            return
        }
        partial.append(contentsOf: piece)
        guard partial.count > FrameDecoder.maxLineBytes + 1 else { return }
        if awaitingSession {
            // Not placed in any file: counted, and the rest of it skipped.
            unplacedLines += 1
            unplacedBytes = unplacedBytes.saturatingAdd(partial.count)
            skippingCutLine = true
        } else {
            writePendingReconnect()
            buffer.append(contentsOf: partial)
            streamingLongLine = true
        }
        partial.removeAll(keepingCapacity: false)
    }

    /// The connection ended inside a line: it is recorded, ended with LF so the next stays apart.
    private mutating func endPartialLine() {
        skippingCutLine = false
        if streamingLongLine {
            buffer.append(0x0A)
            streamingLongLine = false
        } else if !partial.isEmpty {
            let line = partial
            partial.removeAll(keepingCapacity: true)
            // Cut: not a line whose time the session reached.
            line.withUnsafeBytes { complete($0, whole: false) }
        }
    }

    /// One line (without its LF). Only a line that mentions `"session"` is decoded.
    private mutating func complete(_ line: UnsafeRawBufferPointer, whole: Bool = true) {
        if Self.mentionsSession(line) {
            var decoder = FrameDecoder()  // a session frame needs nothing declared before it
            if case .frame(let frame) = decoder.decode(line), case .session(let info) = frame.body {
                return sessionFrame(line, frame, info)
            }
        }
        // The console's clock takes every frame it decodes; a cut line it decodes as bad.
        let t = whole ? Self.timestamp(line) : nil
        if let t { sessionClock.observe(t: t) }
        if awaitingSession {
            unplacedLines += 1
            unplacedBytes = unplacedBytes.saturatingAdd(line.count + 1)
            return
        }
        writePendingReconnect()
        buffer.append(contentsOf: line)
        buffer.append(0x0A)
        if let t { lastLineT = t }
    }

    /// A session frame: a new session (a different id, or the same id with its clock gone back,
    /// as the console judges) goes to a file of its own.
    private mutating func sessionFrame(_ line: UnsafeRawBufferPointer, _ frame: Frame, _ info: SessionInfo) {
        let t = frame.t
        let identity = sessionClock.observe(frame) ?? .continues
        switch identity {
        case .new:
            startFile(forSession: info.id, restarted: false)
        case .restarted:
            startFile(forSession: info.id, restarted: true)
        case .first, .continues:
            break
        }
        if isFailed { return }
        sessionId = info.id
        sessionFrameT = t
        buffer.append(contentsOf: line)
        buffer.append(0x0A)
        lastLineT = t
        writePendingReconnect()
        if awaitingSession {
            awaitingSession = false
            reportUnplaced("received on this connection before its session frame")
        }
    }

    /// Lines of a connection whose session was never known: counted as lost, and said in the
    /// file (an event of kind `recording`) and the log.
    private mutating func reportUnplaced(_ when: String) {
        defer { unplacedLines = 0; unplacedBytes = 0 }
        guard unplacedLines > 0 else { return }
        status.lostLines = status.lostLines.saturatingAdd(unplacedLines)
        status.lostBytes = status.lostBytes.saturatingAdd(unplacedBytes)
        let note = "\(unplacedLines) line\(unplacedLines == 1 ? "" : "s") (\(unplacedBytes) bytes) \(when) were not recorded (their session was unknown)"
        writeEvent(kind: Self.recordingKind, note)
        messages.append("recording: " + note)
    }

    /// The session time as far as the recorder knows it: the later of its session frame's `t`
    /// and the last line's.
    private func sessionTime() -> Double {
        max(sessionFrameT, lastLineT ?? sessionFrameT)
    }

    /// The top-level `t` of a line, by a byte scan (the first `"t":`; a frame's `t` comes before
    /// any nested object in practice), nil when it holds none or one the decoder would refuse.
    static func timestamp(_ line: UnsafeRawBufferPointer) -> Double? {
        guard let base = line.baseAddress else { return nil }
        var start = 0
        while start < line.count, let quote = SystemCalls.firstOffset(of: 0x22, in: base + start, count: line.count - start) {
            var at = start + quote + 1
            start = at
            guard at + 1 < line.count, line[at] == UInt8(ascii: "t"), line[at + 1] == 0x22 else { continue }
            at += 2
            while at < line.count && (line[at] == 0x20 || line[at] == 0x09) { at += 1 }
            guard at < line.count, line[at] == UInt8(ascii: ":") else { continue }
            at += 1
            while at < line.count && (line[at] == 0x20 || line[at] == 0x09) { at += 1 }
            var end = at
            while end < line.count, Self.numberBytes.contains(line[end]) { end += 1 }
            guard end > at, end - at <= 32,
                  let t = Double(String(decoding: UnsafeRawBufferPointer(rebasing: line[at..<end]), as: UTF8.self)),
                  t.isFinite, abs(t) <= Frame.timeLimit else { return nil }
            return t
        }
        return nil
    }

    private static let numberBytes = Set("0123456789.eE+-".utf8)

    /// Whether the line may be a session frame: it holds `"session"`, or an escape (`\`) that
    /// could spell it (`"sess\u0069on"` decodes as "session" too). A byte scan, no decoding.
    static func mentionsSession(_ line: UnsafeRawBufferPointer) -> Bool {
        guard let base = line.baseAddress else { return false }
        if SystemCalls.firstOffset(of: 0x5C, in: base, count: line.count) != nil { return true }
        let word = Array("session\"".utf8)
        var start = 0
        while start + word.count < line.count,
              let quote = SystemCalls.firstOffset(of: 0x22, in: base + start, count: line.count - start - word.count) {
            let at = start + quote + 1
            if (0..<word.count).allSatisfy({ line[at + $0] == word[$0] }) { return true }
            start = at
        }
        return false
    }

    private mutating func writePendingReconnect() {
        guard let text = pendingReconnect else { return }
        pendingReconnect = nil
        writeEvent(kind: Self.connectionKind, text)
    }

    /// An `event` frame of the recorder's own, at the session time of the last line; none
    /// before the file's first session frame (a recording starts with its session frame).
    private mutating func writeEvent(kind: String, _ text: String) {
        guard sessionId != nil else { return }
        encoder.encode(Frame(t: sessionTime(), body: .event(EventNote(kind: kind, text: text))), into: &buffer)
        if buffer.last != 0x0A { buffer.append(0x0A) }
    }

    /// A new session: the current file is finished and the new session goes to a file of its
    /// own next to the first.
    private mutating func startFile(forSession id: String, restarted: Bool) {
        writeBuffer()
        if let file = output {
            output = nil
            let started = clock()
            defer { diskSeconds += clock() - started }
            do { try file.close() } catch { return fail(error) }
            closedBytes += file.bytesOnDisk ?? 0  // after closing: a gzip file's end is on disk only now
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
        sessionFrameT = 0
        lastLineT = nil
        let why = restarted ? " (the source restarted: its clock went back)" : ""
        messages.append("a new session (\(WireText.sanitize(id))) began\(why): recording it to '\(path)'")
    }

    // MARK: - the disk

    private mutating func writeBuffer() {
        guard !buffer.isEmpty, let file = output else { return }
        publishHeld()  // a write that never returns leaves this count for quitting to say
        let started = clock()
        defer { diskSeconds += clock() - started }
        do {
            try file.write(buffer)
        } catch {
            return fail(error)
        }
        buffer.removeAll(keepingCapacity: true)
        publishHeld()
    }

    private func publishHeld() {
        held.store(buffer.count.saturatingAdd(partial.count).saturatingAdd(restOfChunk).saturatingAdd(abandonedBytes))
    }

    private mutating func flush() {
        writeBuffer()
        guard let file = output, !isFailed else { return }
        let started = clock()
        defer { diskSeconds += clock() - started }
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
        publishHeld()
        if let file = output {
            output = nil
            try? file.close()
        }
    }
}

/// A count of bytes another thread reads without the core's lock.
final class HeldBytes: Sendable {
    private let value = Atomic<Int>(0)
    func store(_ bytes: Int) { value.store(bytes, ordering: .releasing) }
    func load() -> Int { value.load(ordering: .acquiring) }
}
