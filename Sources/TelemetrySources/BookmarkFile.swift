import SessionCore
import Synchronization
import SystemCalls
import Telemetry

/// The trainer's bookmarks of a recording, in a sidecar file beside it: `FILE.marks.ndjson`, one
/// JSON object a line, `{"t":…,"note":"…","created_at":"…Z"}` (with `"session":N` for a later
/// session of the recording). Bookmarks are only ever appended; the recording is never touched.
///
/// The sidecar is read as untrusted: at most `maxBytes` of it, at most `maxBookmarks`, each
/// line checked (a bad one is skipped, counted and said), notes sanitised and cut to
/// `maxNoteCharacters`.
public enum BookmarkFile {
    public static let maxBytes = 1 << 20
    public static let maxBookmarks = 10_000
    public static let maxNoteCharacters = 500
    /// Sessions a recording may hold, as far as a bookmark can name one.
    static let maxSession = 1_000_000

    /// What reading a sidecar gave: its bookmarks, oldest first, and one sentence about what was
    /// wrong with it (bad lines, too large, unreadable), or nil.
    public struct Contents: Sendable, Equatable {
        public var bookmarks: [Bookmark]
        public var problem: String?
    }

    /// The sidecar of `recording`.
    public static func path(recording: String) -> String {
        recording + ".marks.ndjson"
    }

    /// Reads the bookmarks of `recording`; no sidecar is no bookmarks and no problem.
    public static func read(recording: String) -> Contents {
        let file = path(recording: recording)
        let name = "'" + WireText.sanitize(file) + "'"
        guard SystemCalls.exists(file) else { return Contents(bookmarks: []) }
        // A FIFO or a device would block the start, or never end.
        guard SystemCalls.isRegularFile(file) else {
            return Contents(bookmarks: [], problem: "bookmarks not read: \(name) is not a regular file")
        }
        let bytes: [UInt8]
        do {
            bytes = try SystemCalls.readFile(file, limit: maxBytes)
        } catch {
            return Contents(bookmarks: [], problem: "bookmarks not read: \(name): \(error.text)")
        }
        return parse(bytes, name: name)
    }

    /// The bookmarks in a sidecar's bytes (`name` quoted as the problem sentence shows it).
    static func parse(_ bytes: [UInt8], name: String) -> Contents {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        var notes: [String] = []
        if bytes.count > maxBytes {
            lines.removeLast()  // cut inside it
            notes.append("only its first \(maxBytes >> 20) MiB read")
        }
        var bookmarks: [Bookmark] = []
        var bad = 0
        var firstBad: String?
        var ignored = 0
        for (k, line) in lines.enumerated() {
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            switch bookmark(Array(line)) {
            case .success(let mark):
                if bookmarks.count < maxBookmarks { bookmarks.append(mark) } else { ignored += 1 }
            case .failure(let why):
                bad += 1
                if firstBad == nil { firstBad = "line \(k + 1): \(why.description)" }
            }
        }
        if bad > 0, let firstBad {
            notes.insert("\(bad) bad line\(bad == 1 ? "" : "s") skipped (\(firstBad))", at: 0)
        }
        if ignored > 0 { notes.append("\(ignored) bookmarks past the first \(maxBookmarks) ignored") }
        return Contents(bookmarks: bookmarks, problem: notes.isEmpty ? nil : "bookmarks \(name): " + notes.joined(separator: "; "))
    }

    /// One line as a bookmark, or why it is not one.
    static func bookmark(_ line: [UInt8]) -> Result<Bookmark, FlatJSONError> {
        let members: [String: FlatJSONObject.Value]
        switch FlatJSONObject.parse(line) {
        case .success(let found): members = found
        case .failure(let error): return .failure(error)
        }
        guard case .number(let t) = members["t"], t.isFinite, t >= 0, t <= Frame.timeLimit else {
            return .failure(FlatJSONError("\"t\" must be session seconds from 0 to 1e9"))
        }
        guard case .string(let rawNote) = members["note"] else { return .failure(FlatJSONError("\"note\" must be a string")) }
        var session = 0
        switch members["session"] {
        case nil: break
        case .number(let n) where n >= 0 && n <= Double(maxSession) && n == n.rounded():
            session = Int(saturating: n)
        default:
            return .failure(FlatJSONError("\"session\" must be a whole number from 0 to \(maxSession)"))
        }
        var createdAt = ""
        if case .string(let text) = members["created_at"] { createdAt = String(WireText.sanitize(text).prefix(40)) }
        let note = String(WireText.sanitize(rawNote).prefix(maxNoteCharacters))
        return .success(Bookmark(t: t, session: session, note: note, createdAt: createdAt))
    }

    /// The line a bookmark is stored as (with its newline).
    public static func line(for mark: Bookmark) -> String {
        var out: [UInt8] = Array("{\"t\":".utf8)
        JSONText.appendNumber(mark.t, to: &out)
        out += Array(",\"note\":".utf8)
        JSONText.appendQuoted(mark.note, to: &out)
        out += Array(",\"created_at\":".utf8)
        JSONText.appendQuoted(mark.createdAt, to: &out)
        if mark.session != 0 { out += Array(",\"session\":\(mark.session)".utf8) }
        out += Array("}\n".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `mark` to the sidecar of `recording` (created when missing). A sidecar that does
    /// not end with a newline (cut by a crash) gets one first, so the new line stays its own.
    public static func append(_ mark: Bookmark, recording: String) throws(SourceError) {
        let file = path(recording: recording)
        let name = "'" + WireText.sanitize(file) + "'"
        if SystemCalls.exists(file), !SystemCalls.isRegularFile(file) {
            throw SourceError("bookmark not saved: \(name) is not a regular file")
        }
        do {
            var text = line(for: mark)
            if endsInsideLine(file) { text = "\n" + text }
            let fd = try SystemCalls.open(file, .append)
            defer { SystemCalls.close(fd) }
            try SystemCalls.writeAll(fd, text)
        } catch {
            throw SourceError("bookmark not saved to \(name): \(error.text)")
        }
    }

    /// Whether the file's last byte is not a newline.
    private static func endsInsideLine(_ file: String) -> Bool {
        guard let fd = try? SystemCalls.open(file, .read) else { return false }
        defer { SystemCalls.close(fd) }
        guard let size = SystemCalls.seekToEnd(fd), size > 0 else { return false }
        var last: [UInt8] = [0]
        let got = last.withUnsafeMutableBytes { try? SystemCalls.read(fd, at: size - 1, into: $0) }
        return got == 1 && last[0] != 0x0A
    }

    /// Now, as a bookmark's `created_at` ("2026-11-26T07:12:03Z").
    public static func now() -> String {
        RecordingClock.timestamp(start: SystemCalls.wallSeconds(), t: 0) ?? ""
    }
}

/// Writes bookmarks on a thread of its own, in order, so a slow or hung disk never holds up the
/// screen; what failed is picked up by the console (`takeProblem`).
public final class BookmarkWriter: Sendable {
    public let recording: String
    private let state = Mutex<(queue: [Bookmark], writing: Bool, problems: [String])>(([], false, []))

    public init(recording: String) {
        self.recording = recording
    }

    /// Queues `mark` for the sidecar.
    public func append(_ mark: Bookmark) {
        let start = state.withLock { s -> Bool in
            s.queue.append(mark)
            if s.writing { return false }
            s.writing = true
            return true
        }
        guard start else { return }
        SystemCalls.startDetachedThread { [self] in drain() }
    }

    private func drain() {
        while let mark = state.withLock({ s -> Bookmark? in
            if s.queue.isEmpty {
                s.writing = false
                return nil
            }
            return s.queue.removeFirst()
        }) {
            do {
                try BookmarkFile.append(mark, recording: recording)
            } catch {
                state.withLock { $0.problems.append(error.description) }
            }
        }
    }

    /// The oldest write failure not yet taken, as a sentence.
    public func takeProblem() -> String? {
        state.withLock { $0.problems.isEmpty ? nil : $0.problems.removeFirst() }
    }

    /// Whether every queued bookmark has been written (or has failed).
    public var isIdle: Bool { state.withLock { !$0.writing } }

    /// At quit: waits up to `seconds` for the bookmarks still queued to be written, and returns
    /// what must be said on stderr: every failure not yet taken (those that came while waiting
    /// too), and the bookmarks still unwritten when the wait ran out.
    public func finish(within seconds: Double = 2) -> [String] {
        let deadline = MonotonicClock.now() + seconds
        while !isIdle && MonotonicClock.now() < deadline { SystemCalls.sleep(seconds: 0.01) }
        var said: [String] = []
        while let problem = takeProblem() { said.append(problem) }
        let waiting = state.withLock { $0.writing ? max(1, $0.queue.count) : 0 }
        if waiting > 0 {
            said.append("bookmark not saved: \(waiting == 1 ? "one bookmark was" : "\(waiting) bookmarks were") still being written to '"
                + WireText.sanitize(BookmarkFile.path(recording: recording)) + "' after \(NumberText.fixed(seconds, 0)) s")
        }
        return said
    }
}
