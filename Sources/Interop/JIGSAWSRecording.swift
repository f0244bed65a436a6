import SystemCalls
import Telemetry

/// A JIGSAWS kinematics file (with its gesture transcription, if given) read as a surgtop recording:
/// a `session` frame, then for every row one `arm` frame per arm at t = (row − 1)/30, with the gesture
/// events at their frames' times in between (README "JIGSAWS").
///
/// The lines are made as they are read, a row at a time, so a file of any length is read in bounded
/// memory. A row that is not 76 finite numbers is skipped and noted; its frame keeps its time, so the
/// transcription's frame numbers stay the file's line numbers. Seeking goes back to the nearest
/// checkpoint (one every `checkpointRows` rows) and makes the lines again: the same bytes every time.
public final class JIGSAWSRecording: ForeignRecording {
    public let fileSize: Int
    public private(set) var problem: String?

    private let path: String
    private var lines: FileLines
    private let sessionLine: [UInt8]
    private let gestures: [JIGSAWSTranscription.Gesture]
    private let schedule: [JIGSAWSTranscription.ScheduledEvent]
    private let transcriptionNotes: [String]

    /// Where making the lines stands.
    private struct Cursor {
        /// File bytes consumed into lines.
        var fileOffset = 0
        /// The last line read (its number, from 1).
        var line = 0
        /// The last good row so far: where a gesture still open at the end ends.
        var lastRow = 0
        /// The first of the blank lines just read: rows of nothing if a row follows, the file's end if not.
        var blankFrom: Int?
        var nextEvent = 0
        /// The gesture whose start is written and its end not.
        var openGesture: Int?
        var sessionWritten = false
        var ended = false
    }

    private var cursor = Cursor()
    /// Lines made and not yet handed out from `readOffset`; `outStart` is the NDJSON offset of `out[0]`.
    private var out: [UInt8] = []
    private var outStart = 0
    private var readOffset = 0
    private var checkpoints: [(offset: Int, cursor: Cursor)] = []
    private static let checkpointRows = 512
    /// At most this many gesture events a step: a million blank lines under a thousand one-frame
    /// gestures are made a few kilobytes at a time, not all at once.
    private static let eventsPerStep = 256
    private let encoder = FrameEncoder()

    // What was noted, each line judged once however often it is read again.
    private var judgedLines = 0
    private var badRows = NoteList(limit: 5)
    private var notRotations = 0
    private var firstNotRotation: (line: Int, arm: String)?
    private var endNotes = NoteList(limit: 5)
    private var endJudged = false

    /// Opens the kinematics at `kinematicsPath` and the transcription at `transcriptionPath`: an error
    /// when either cannot be read, or when the kinematics hold no row of 76 finite numbers.
    public init(kinematicsPath: String, transcriptionPath: String?) throws(InteropError) {
        path = kinematicsPath
        let name = JIGSAWSKinematics.named(kinematicsPath)
        var transcription: JIGSAWSTranscription?
        if let transcriptionPath { transcription = try JIGSAWSTranscription.read(path: transcriptionPath) }
        gestures = transcription?.gestures ?? []
        schedule = transcription?.schedule ?? []
        transcriptionNotes = transcription?.notes.lines(more: "transcription problems") ?? []
        let kind: SystemCalls.FileStatus.Kind
        do throws(SystemError) {
            kind = try SystemCalls.status(path: kinematicsPath).kind
        } catch {
            throw InteropError("cannot read JIGSAWS kinematics \(name): \(error == .noSuchFile ? "no such file" : error.text)")
        }
        // Rows are read by offset, again on every seek: only a regular file can be (a FIFO would
        // also block the open until a writer came).
        switch kind {
        case .regular: break
        case .directory: throw InteropError("cannot read JIGSAWS kinematics \(name): it is a directory")
        case .other: throw InteropError("cannot read JIGSAWS kinematics \(name): it is not a regular file (a pipe or a device)")
        }
        let fd: Int32
        do throws(SystemError) {
            fd = try SystemCalls.open(kinematicsPath, .read)
        } catch {
            throw InteropError("cannot read JIGSAWS kinematics \(name): \(error.text)")
        }
        fileSize = SystemCalls.seekToEnd(fd) ?? 0
        let firstLine = Self.firstLineOffset(fd)
        var probe = FileLines(fd: fd, maxLine: JIGSAWSKinematics.maxRowBytes)
        do {
            try Self.requireARow(&probe, from: firstLine, name: name)
        } catch {
            probe.close()
            throw error
        }
        lines = probe
        sessionLine = Array(encoder.encode(Frame(t: 0, body: .session(Self.session(path: kinematicsPath)))).utf8)
        cursor = Cursor(fileOffset: firstLine)
        checkpoints = [(0, cursor)]
    }

    /// Where line 1 starts: after a UTF-8 byte order mark, which some Windows editors write.
    private static func firstLineOffset(_ fd: Int32) -> Int {
        var head = [UInt8](repeating: 0, count: 3)
        let n = (try? head.withUnsafeMutableBytes { try SystemCalls.read(fd, at: 0, into: $0) }) ?? 0
        return n == 3 && head == [0xEF, 0xBB, 0xBF] ? 3 : 0
    }

    /// Throws unless some line is a row: a file with nothing to replay is refused at once, clearly.
    private static func requireARow(_ lines: inout FileLines, from start: Int, name: String) throws(InteropError) {
        var offset = start
        var number = 0
        var first: (line: Int, problem: JIGSAWSKinematics.Problem)?
        while true {
            let next: FileLines.Line?
            do { next = try lines.line(at: offset) } catch {
                throw InteropError("reading JIGSAWS kinematics \(name) failed: \(error.text)")
            }
            guard let next else { break }
            number += 1
            offset = next.end
            let parsed: Result<[Double], JIGSAWSKinematics.Problem> =
                next.isTooLong ? .failure(.tooLong) : next.withBytes { JIGSAWSKinematics.parse($0) }
            switch parsed {
            case .success: return
            case .failure(.empty): continue
            case .failure(let problem): if first == nil { first = (number, problem) }
            }
        }
        guard let first else {
            throw InteropError("JIGSAWS kinematics \(name) is empty: it should hold rows of \(JIGSAWSKinematics.columns) numbers")
        }
        throw InteropError("JIGSAWS kinematics \(name) holds no row of \(JIGSAWSKinematics.columns) finite numbers (line \(first.line): \(first.problem.description))")
    }

    deinit { lines.close() }

    /// The session: its id the file's name without directory and extension (`Knot_Tying_F001`), the
    /// procedure its task, the four arms with no joints (JIGSAWS has Cartesian data only), no start time.
    static func session(path: String) -> SessionInfo {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        let stem = file.lastIndex(of: ".").map { file[..<$0] } ?? file[...]
        let clean = WireText.sanitize(String(stem))
        let id = clean.isEmpty ? "jigsaws" : String(clean.prefix(128))
        let task = id.split(separator: "_").dropLast().joined(separator: "_").lowercased()
        let procedure = ["knot_tying": "Knot tying", "suturing": "Suturing", "needle_passing": "Needle passing"][task]
        return SessionInfo(id: id, procedure: procedure, robot: "da Vinci (JIGSAWS)", arms: JIGSAWSKinematics.arms)
    }

    // MARK: - ForeignRecording

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var filled = 0
        while filled < buffer.count {
            if readOffset == outStart + out.count {
                outStart += out.count
                out.removeAll(keepingCapacity: true)
                guard makeMore() else { break }
                continue
            }
            let from = readOffset - outStart
            let n = min(buffer.count - filled, out.count - from)
            out.withUnsafeBytes { bytes in
                buffer.baseAddress!.advanced(by: filled).copyMemory(from: bytes.baseAddress!.advanced(by: from), byteCount: n)
            }
            filled += n
            readOffset += n
        }
        return filled
    }

    public func seek(to offset: Int) -> Bool {
        let before = readOffset
        // A line starts there: at the start of what one step made, or after an LF.
        guard make(upTo: offset), offset == outStart || out[offset - outStart - 1] == 0x0A else {
            _ = make(upTo: before)  // back where reading was, which was made before
            return false
        }
        readOffset = offset
        return true
    }

    /// Makes lines until `offset` lies within `out` (or at its end), from the nearest checkpoint when
    /// it lies before; false when the NDJSON ends before it.
    private func make(upTo offset: Int) -> Bool {
        guard offset >= 0 else { return false }
        if offset < outStart || offset > outStart + out.count {
            guard let checkpoint = checkpoints.last(where: { $0.offset <= offset }) else { return false }
            if offset < outStart || checkpoint.offset > outStart + out.count {
                cursor = checkpoint.cursor
                out.removeAll(keepingCapacity: true)
                outStart = checkpoint.offset
            }
            while outStart + out.count < offset {
                outStart += out.count
                out.removeAll(keepingCapacity: true)
                guard makeMore() else { return false }
            }
        }
        return true
    }

    public var fileBytesRead: Int { min(cursor.fileOffset, fileSize) }

    public var notes: [String] {
        var all = transcriptionNotes + badRows.lines(more: "bad rows")
        if badRows.count > 0 {
            all.append("JIGSAWS kinematics \(JIGSAWSKinematics.named(path)): \(badRows.count) \(badRows.count == 1 ? "row" : "rows") skipped; their frames keep their times")
        }
        if notRotations > 0, let first = firstNotRotation {
            all.append("JIGSAWS kinematics \(JIGSAWSKinematics.named(path)): \(notRotations) arm \(notRotations == 1 ? "sample has" : "samples have") a matrix that is no rotation (first: line \(first.line), \(first.arm)); their orientation is left out")
        }
        return all + endNotes.lines(more: "gestures out of range")
    }

    // MARK: - Making the lines

    /// Makes the next step's lines into `out`: a row's (or, while many are due, a batch of its
    /// events), nothing for a blank or bad line; false at the end. One checkpoint per 512 lines.
    private func makeMore() -> Bool {
        guard !cursor.ended else { return false }
        guard cursor.sessionWritten else {
            out += sessionLine
            cursor.sessionWritten = true
            return true
        }
        if cursor.line % Self.checkpointRows == 0, cursor.blankFrom == nil,
           let last = checkpoints.last, last.cursor.line < cursor.line, last.offset < outStart + out.count {
            checkpoints.append((outStart + out.count, cursor))
        }
        let next: FileLines.Line?
        do {
            next = try lines.line(at: cursor.fileOffset)
        } catch {
            problem = "reading JIGSAWS kinematics \(JIGSAWSKinematics.named(path)) failed at byte \(cursor.fileOffset): \(error.text)"
            cursor.ended = true
            return false
        }
        guard let next else {
            finish()
            return true
        }
        let number = cursor.line + 1
        let parsed: Result<[Double], JIGSAWSKinematics.Problem> =
            next.isTooLong ? .failure(.tooLong) : next.withBytes { JIGSAWSKinematics.parse($0) }
        // Events due before a good row come first, a bounded batch a step: while some are left, the
        // row waits (it is read again next step). Those due at blank or bad rows wait for the next
        // good row, at their own times, so a bad last row is no frame for a gesture to end at.
        if case .success = parsed, !writeEvents(before: number) { return true }
        cursor.line = number
        cursor.fileOffset = next.end
        if case .failure(.empty) = parsed {
            if cursor.blankFrom == nil { cursor.blankFrom = number }
            return true
        }
        let judging = number > judgedLines
        judgedLines = max(judgedLines, number)
        if let from = cursor.blankFrom, judging {
            // Blank lines inside the file are frames without data: each a bad row.
            for line in from..<number { badRows.add(rowNote(line, .empty)) }
        }
        cursor.blankFrom = nil
        switch parsed {
        case .success(let row):
            cursor.lastRow = number
            let t = JIGSAWSKinematics.time(ofFrame: number)
            for arm in JIGSAWSKinematics.arms.indices {
                let (sample, isRotation) = JIGSAWSKinematics.armSample(arm, of: row)
                encoder.encode(Frame(t: t, body: .arm(sample)), into: &out)
                if !isRotation, judging {
                    notRotations = notRotations.saturatingAdd(1)
                    if firstNotRotation == nil { firstNotRotation = (number, sample.arm) }
                }
            }
        case .failure(let why):
            if judging { badRows.add(rowNote(number, why)) }
        }
        return true
    }

    private func rowNote(_ line: Int, _ why: JIGSAWSKinematics.Problem) -> String {
        "JIGSAWS kinematics \(JIGSAWSKinematics.named(path)) line \(line): \(why.description); row skipped"
    }

    /// Writes the gesture events due before row `row` (at the times of the frames they start or end
    /// at), at most `eventsPerStep`; false when more are due.
    private func writeEvents(before row: Int) -> Bool {
        var written = 0
        while cursor.nextEvent < schedule.count, schedule[cursor.nextEvent].beforeRow <= row {
            guard written < Self.eventsPerStep else { return false }
            let event = schedule[cursor.nextEvent]
            writeEvent(event, at: JIGSAWSKinematics.time(ofFrame: event.beforeRow))
            cursor.nextEvent += 1
            written += 1
        }
        return true
    }

    private func writeEvent(_ event: JIGSAWSTranscription.ScheduledEvent, at t: Double) {
        let label = gestures[event.gesture].label
        encoder.encode(Frame(t: t, body: .event(EventNote(kind: event.isEnd ? "gesture_end" : "gesture", text: label))), into: &out)
        cursor.openGesture = event.isEnd ? nil : event.gesture
    }

    /// After the last good row: the gesture still open ends at its end, or just after that row when
    /// its end lies beyond (noted), also when the gesture after it (which would have ended it) starts
    /// beyond the last row and is left out (noted). At most two events: the rest are only counted.
    private func finish() {
        cursor.ended = true
        let rows = cursor.lastRow
        let name = JIGSAWSKinematics.named(path)
        while cursor.nextEvent < schedule.count {
            let event = schedule[cursor.nextEvent]
            cursor.nextEvent += 1
            if event.isEnd {
                // Only the open gesture's: the others started beyond the last row and were left out.
                if event.gesture == cursor.openGesture { close(event.gesture, lastRow: rows) }
                continue
            }
            if let open = cursor.openGesture { close(open, lastRow: rows) }
            let g = gestures[event.gesture]
            if !endJudged { endNotes.add("\(name): gesture \(g.label) (frames \(g.start)–\(g.end)) starts after the last frame, \(rows); left out") }
        }
        endJudged = true
    }

    /// Writes the `gesture_end` of gesture `k` at its end, clamped to just after row `lastRow`.
    private func close(_ k: Int, lastRow rows: Int) {
        let g = gestures[k]
        if g.end > rows, !endJudged {
            endNotes.add("\(JIGSAWSKinematics.named(path)): gesture \(g.label) (frames \(g.start)–\(g.end)) ends after the last frame, \(rows); it ends there")
        }
        writeEvent(.init(beforeRow: min(g.end, rows) + 1, gesture: k, isEnd: true), at: JIGSAWSKinematics.time(ofFrame: min(g.end, rows) + 1))
    }
}

/// The lines of a file read by offset (pread), through one buffer: a line is found where it starts,
/// however the reads before went, so seeking is setting an offset.
struct FileLines {
    struct Line {
        fileprivate let buffer: [UInt8]
        fileprivate let range: Range<Int>
        /// The offset just past the line and its LF.
        let end: Int
        /// Longer than the limit: its bytes are not kept.
        let isTooLong: Bool

        func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
            buffer.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[range])) }
        }
    }

    private let fd: Int32
    private let maxLine: Int
    private var buffer: [UInt8] = []
    /// The file offset of `buffer[0]`; `atEnd` when the buffer reaches the end of the file.
    private var bufferStart = 0
    private var atEnd = false

    init(fd: Int32, maxLine: Int) {
        self.fd = fd
        self.maxLine = maxLine
    }

    func close() { SystemCalls.close(fd) }

    /// The line starting at `offset`, without its LF; nil at the end of the file.
    mutating func line(at offset: Int) throws(SystemError) -> Line? {
        // The buffer must hold the line and its LF, or the end of the file, or show the line is too long.
        if offset < bufferStart || (!atEnd && offset + maxLine + 1 > bufferStart + buffer.count) {
            try fill(from: offset)
        }
        let from = offset - bufferStart
        guard from < buffer.count else { return nil }
        let window = buffer[from..<min(buffer.count, from + maxLine + 1)]
        if let lf = window.firstIndex(of: 0x0A) {
            return Line(buffer: buffer, range: from..<lf, end: bufferStart + lf + 1, isTooLong: false)
        }
        if window.count <= maxLine {  // the last line, without an LF
            return Line(buffer: buffer, range: from..<buffer.count, end: bufferStart + buffer.count, isTooLong: false)
        }
        return Line(buffer: [], range: 0..<0, end: try endOfLongLine(from: offset + maxLine + 1), isTooLong: true)
    }

    /// Reads from `offset` into the buffer: room for two of the longest lines.
    private mutating func fill(from offset: Int) throws(SystemError) {
        let size = 2 * (maxLine + 1)
        if buffer.count != size { buffer = [UInt8](repeating: 0, count: size) }
        var got = 0
        while got < size {
            let read: Result<Int, SystemError> = buffer.withUnsafeMutableBytes { raw in
                do throws(SystemError) {
                    return .success(try SystemCalls.read(fd, at: offset + got, into: UnsafeMutableRawBufferPointer(rebasing: raw[got...])))
                } catch {
                    return .failure(error)
                }
            }
            let n = try read.get()
            if n == 0 { break }
            got += n
        }
        atEnd = got < size
        buffer.removeSubrange(got...)
        bufferStart = offset
    }

    /// The offset just past the LF that ends a too-long line, scanning on from `offset`.
    private mutating func endOfLongLine(from offset: Int) throws(SystemError) -> Int {
        var at = offset
        while true {
            try fill(from: at)
            if let lf = buffer.firstIndex(of: 0x0A) { return bufferStart + lf + 1 }
            if atEnd { return bufferStart + buffer.count }
            at = bufferStart + buffer.count
        }
    }
}
