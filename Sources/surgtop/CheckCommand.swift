import ArgumentParser
import Interop
import SessionCore
import Telemetry
import TelemetrySources

/// `surgtop check FILE`: validates a recording against telemetry v1.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a recording against the telemetry v1 format.",
        discussion: """
        Reads every line and prints the counts of frames by type and every error with its line \
        number. Exit status: 0 when the recording is clean, 1 when it has errors (a recording \
        without a session frame, an empty file say, is one; so is a last line the file ends \
        inside), 2 when it cannot be read or the arguments are wrong. A gzip file cut while \
        being written (no end, no damage) is noted, not an error. Unknown frame types are counted, not errors.

        An MCAP file (.mcap) is read as the NDJSON of its frames: line N is its Nth frame. A \
        message that is not valid telemetry is a bad line (exit 1), named in the notes by \
        channel and log time; a CRC mismatch stops reading (exit 1) unless --ignore-crc is \
        given, which reads on and notes it (exit 0 if nothing else is wrong). A file cut \
        before its summary is read by scanning, and noted: not an error. Channels that are \
        not surgtop's are listed and skipped.

        Examples:
          surgtop check session.ndjson
          surgtop check session.ndjson.gz --json | jq .errors
          surgtop check session.mcap --ignore-crc
          surgtop check session.ndjson --threads 1     # one pass, one core
        """
    )

    @Argument(help: "The recording (.ndjson, .ndjson.gz or .mcap), or - for standard input.")
    var file: String

    @Flag(help: "Print one JSON object with the counts and an `errors` array of {line, reason}.")
    var json = false

    @OptionGroup var interop: InteropFlags

    @OptionGroup var threading: ThreadsOption

    struct Result: Encodable {
        var file: String
        var lines: Int
        var frames: Int
        var byType: [String: Int]
        var unknownTypes: Int
        var outOfOrder: Int
        var sequenceGaps: Int
        var badLines: Int
        var readProblem: String?
        /// A gzip stream that stops without its end, undamaged (a recorder killed): a note.
        var cutWhileWriting: Bool
        /// The last line has no LF and is bad: the file was cut while being written (a crash
        /// of the recorder, a `kill -9`); that line is among `errors` too.
        var truncatedLastLine: Bool
        /// The recording's sessions, in order (spec §3: a new id, or the same id with its clock
        /// gone back, starts one; split where the console and `report` split), at most
        /// `sessionsListed` of them; ids sanitised and cut to 80 characters.
        var sessions: [SessionStart]
        /// How many sessions the recording holds, listed or not.
        var sessionCount: Int
        /// Sessions beyond the list (a file restarting its clock on every line).
        var sessionsNotListed: Int
        /// No session frame at all (an empty file, or only bad lines): not a recording.
        var noSessionFrame: Bool
        /// What a foreign recording (.mcap) said without stopping: no summary, CRCs ignored,
        /// channels skipped, bad messages (each kind once).
        var notes: [String]
        var errors: [SessionReport.ErrorLine]
    }

    struct SessionStart: Encodable {
        var id: String
        /// The 1-based number of its session frame among the recording's frames.
        var firstFrame: Int
    }

    func run() throws {
        try interop.apply()
        let reader = try Output.openRecording(file)
        var builder = SessionReportBuilder()
        builder.errorLimit = .max
        builder.eventLimit = 0
        builder.countsOnly = true
        var sessions: [SessionStart] = []
        var sessionCount = 0
        var clock = SessionClock(rule: .anywhere)  // the console's rule for a file
        var frames = 0
        let lines = reader.decodeAll(threads: threading.count) { outcome in
            if case .frame(let frame) = outcome {
                frames += 1
                if let identity = clock.observe(frame), identity != .continues, case .session(let info) = frame.body {
                    sessionCount = sessionCount.saturatingAdd(1)
                    if sessions.count < Self.sessionsListed {
                        sessions.append(SessionStart(id: SessionIdentity.displayName(info.id), firstFrame: frames))
                    }
                }
            }
            builder.add(outcome)
            return true
        }
        // The counts are the whole file's: every session's reports summed.
        let report = Self.total(builder.finish())
        let result = Result(file: file, lines: lines, frames: report.counts.frames, byType: report.counts.byType,
                            unknownTypes: report.counts.unknownTypes, outOfOrder: report.counts.outOfOrder,
                            sequenceGaps: report.counts.sequenceGaps, badLines: report.counts.badLines,
                            readProblem: reader.problem, cutWhileWriting: reader.note != nil,
                            truncatedLastLine: reader.truncatedLastLine,
                            sessions: sessions, sessionCount: sessionCount,
                            sessionsNotListed: sessionCount - sessions.count,
                            noSessionFrame: report.counts.byType[FrameType.session.rawValue, default: 0] == 0,
                            notes: reader.notes, errors: report.errors)
        if json {
            try Output.json(result)
        } else {
            Output.text("\(file): \(lines) lines, \(result.frames) frames")
            if reader.foreign is SurgtopMCAPRecording {
                Output.text("  (read as NDJSON: line N is the file's Nth frame in file order, its messages' sequence N-1)")
            } else if reader.foreign != nil {
                Output.text("  (read as NDJSON: line N is the Nth frame made of the file, in file order)")
            }
            for type in FrameType.allCases {
                Output.text("  \(type.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(result.byType[type.rawValue] ?? 0)")
            }
            Output.text("  unknown types \(result.unknownTypes), out of order \(result.outOfOrder), sequence gaps \(result.sequenceGaps)")
            if sessionCount > 1 {
                Output.text("  \(sessionCount) sessions (each starts afresh; `surgtop report` reports them apart):")
                for s in sessions { Output.text("    \(WireText.quoted(s.id)) from frame \(s.firstFrame)") }
                if result.sessionsNotListed > 0 { Output.text("    … and \(result.sessionsNotListed) more, not listed") }
            }
            if let problem = reader.problem { Output.text("  \(problem)") }
            if let note = reader.note { Output.text("  \(note)") }
            for note in result.notes { Output.text("  \(note)") }
            if result.noSessionFrame { Output.text("  no session frame: a recording starts with one") }
            if result.badLines == 0 && (reader.problem != nil || result.noSessionFrame) {
                Output.text(reader.problem != nil ? "NOT OK: no bad lines among those read, but the recording is damaged (above)"
                                                  : "NOT OK: no session frame")
            } else if result.badLines == 0 {
                Output.text("OK: no errors")
            } else {
                Output.text("\(result.badLines) error\(result.badLines == 1 ? "" : "s"):")
                for e in result.errors { Output.text("  line \(e.line): \(e.reason)") }
                if result.truncatedLastLine {
                    Output.text("  line \(lines) is truncated: the file ends inside it (cut while being written)")
                }
            }
        }
        if result.badLines > 0 || reader.problem != nil || result.noSessionFrame { throw ExitCode(1) }
    }

    /// Sessions listed at most: as many as `report` reports apart.
    static let sessionsListed = SessionReportBuilder().sessionLimit

    /// The counts and errors of every session of `report`, added up.
    static func total(_ report: SessionReport) -> SessionReport {
        var total = report
        for later in report.laterSessions ?? [] {
            total.counts.frames += later.counts.frames
            total.counts.badLines += later.counts.badLines
            total.counts.unknownTypes += later.counts.unknownTypes
            total.counts.outOfOrder += later.counts.outOfOrder
            total.counts.sequenceGaps += later.counts.sequenceGaps
            total.counts.byType.merge(later.counts.byType, uniquingKeysWith: +)
            total.errors += later.errors
        }
        return total
    }
}
