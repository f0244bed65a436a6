import SystemCalls
import Telemetry

/// A JIGSAWS gesture transcription: lines `start end gesture`, frames of the kinematics counted from 1,
/// both ends included (`80 229 G1`). Read whole: a transcription is a few dozen lines (at most
/// `maxBytes`, `maxGestures` read).
struct JIGSAWSTranscription {
    struct Gesture: Equatable {
        var label: String
        var start: Int
        var end: Int
        /// Its line in the transcription, for notes.
        var line: Int
    }

    /// Gestures in order of their start, none overlapping another.
    var gestures: [Gesture] = []
    /// Bad lines, overlaps and frames out of range, the first few named.
    var notes = NoteList(limit: 10)

    /// A JIGSAWS transcription is a few dozen lines, under 2 KB: beyond these, the file is no
    /// transcription, and what it would cost (memory for every gesture) is not spent.
    static let maxBytes = 1 << 20
    static let maxGestures = 10_000
    /// Frame numbers have at most this many digits (999,999,999 frames at 30 Hz is a year).
    static let maxFrameDigits = 9
    /// A label longer than this is no gesture name.
    static let maxLabelCharacters = 64

    static func read(path: String) throws(InteropError) -> JIGSAWSTranscription {
        let bytes: [UInt8]
        do {
            switch try SystemCalls.status(path: path).kind {
            case .regular: break
            case .directory: throw InteropError("cannot read the transcription \(JIGSAWSKinematics.named(path)): it is a directory")
            // A FIFO would block the open until a writer came.
            case .other: throw InteropError("cannot read the transcription \(JIGSAWSKinematics.named(path)): it is not a regular file (a pipe or a device)")
            }
            bytes = try SystemCalls.readFile(path, limit: maxBytes + 1)
        } catch let error as SystemError {
            throw InteropError("cannot read the transcription \(JIGSAWSKinematics.named(path)): \(error == .noSuchFile ? "no such file" : error.text)")
        } catch {
            throw error as? InteropError ?? InteropError("cannot read the transcription \(JIGSAWSKinematics.named(path))")
        }
        guard bytes.count <= maxBytes else {
            throw InteropError("the transcription \(JIGSAWSKinematics.named(path)) is larger than 1 MB: a JIGSAWS transcription is a few dozen lines")
        }
        return parse(bytes, name: path)
    }

    /// The gestures of `bytes`; `name` names the file in notes.
    static func parse(_ bytes: [UInt8], name: String) -> JIGSAWSTranscription {
        var t = JIGSAWSTranscription()
        let quotedName = JIGSAWSKinematics.named(name)
        var read: [Gesture] = []
        // A UTF-8 byte order mark, which some Windows editors write, is not part of line 1.
        var rest = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.dropFirst(3) : bytes[...]
        var number = 0
        while !rest.isEmpty {
            let lf = rest.firstIndex(of: 0x0A)
            let line = rest[..<(lf ?? rest.endIndex)]
            rest = lf.map { rest[($0 + 1)...] } ?? []
            number += 1
            let fields = line.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D })
            if fields.isEmpty { continue }
            guard fields.count == 3 else {
                t.notes.add("transcription \(quotedName) line \(number): \(fields.count) fields, not 'start end gesture'; skipped")
                continue
            }
            guard let start = frame(fields[0]), let end = frame(fields[1]) else {
                t.notes.add("transcription \(quotedName) line \(number): its frames are not whole numbers from 1 to 999,999,999; skipped")
                continue
            }
            let label = WireText.sanitize(String(decoding: fields[2], as: UTF8.self))
            guard !label.isEmpty, label.count <= maxLabelCharacters else {
                t.notes.add("transcription \(quotedName) line \(number): the gesture name is empty or longer than \(maxLabelCharacters) characters; skipped")
                continue
            }
            guard start <= end else {
                t.notes.add("transcription \(quotedName) line \(number): \(label) ends (frame \(end)) before it starts (frame \(start)); skipped")
                continue
            }
            guard read.count < maxGestures else {
                t.notes.add("transcription \(quotedName) holds more than \(maxGestures) gestures: a JIGSAWS transcription has a few dozen; line \(number) and those after it left out")
                break
            }
            read.append(Gesture(label: label, start: start, end: end, line: number))
        }
        // One gesture at a time: a later start cuts the gesture still open short.
        for gesture in read.sorted(by: { ($0.start, $0.line) < ($1.start, $1.line) }) {
            if let last = t.gestures.last, gesture.start <= last.end {
                if gesture.start == last.start {
                    t.notes.add("transcription \(quotedName) line \(gesture.line): \(gesture.label) starts at frame \(gesture.start) as \(last.label) of line \(last.line) does; skipped")
                    continue
                }
                t.notes.add("transcription \(quotedName) line \(gesture.line): \(gesture.label) (frames \(gesture.start)–\(gesture.end)) overlaps \(last.label) of line \(last.line) (frames \(last.start)–\(last.end)), which ends at frame \(gesture.start - 1) instead")
                t.gestures[t.gestures.count - 1].end = gesture.start - 1
            }
            t.gestures.append(gesture)
        }
        if t.gestures.isEmpty, t.notes.count == 0 {
            t.notes.add("transcription \(quotedName) holds no gesture")
        }
        return t
    }

    /// A frame number: 1 to 999,999,999, digits only.
    private static func frame(_ field: ArraySlice<UInt8>) -> Int? {
        guard !field.isEmpty, field.count <= maxFrameDigits, field.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        let value = field.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return value >= 1 ? value : nil
    }

    /// When the gesture events happen: each gesture's start before the kinematics row of its first
    /// frame, and its end (`gesture_end`) before the row after its last frame, unless the next gesture
    /// starts there and so ends it.
    var schedule: [ScheduledEvent] {
        var events: [ScheduledEvent] = []
        for (k, g) in gestures.enumerated() {
            events.append(.init(beforeRow: g.start, gesture: k, isEnd: false))
            if k + 1 == gestures.count || gestures[k + 1].start > g.end + 1 {
                events.append(.init(beforeRow: g.end + 1, gesture: k, isEnd: true))
            }
        }
        return events
    }

    struct ScheduledEvent: Equatable {
        /// The row (frame) it comes before: its time is that frame's.
        var beforeRow: Int
        var gesture: Int
        var isEnd: Bool
    }
}

/// Notes of one kind: the first `limit` kept word for word, the rest counted.
struct NoteList: Equatable {
    let limit: Int
    private(set) var named: [String] = []
    private(set) var count = 0

    init(limit: Int) { self.limit = limit }

    /// Counts a note, made only if it is to be kept (a million blank lines cost no million strings).
    mutating func add(_ note: @autoclosure () -> String) {
        count = count.saturatingAdd(1)
        if named.count < limit { named.append(note()) }
    }

    /// The named notes, then how many more there were, in `what` ("bad rows").
    func lines(more what: String) -> [String] {
        count > named.count ? named + ["… and \(count - named.count) more \(what), not listed"] : named
    }
}
