import ArgumentParser
import Console
import SessionCore
import Telemetry
import TelemetrySources

/// `surgtop report FILE`: a summary of a recording a trainer can hand to a trainee.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise a recording: duration, frames, arms, link statistics, alarms, events.",
        discussion: """
        Link statistics are per path: round trip p50/p95/p99/max, jitter, loss, and the time the \
        path was down. Alarms are listed with their priority, first raise and duration. The \
        --json form is stable and documented in the README.

        Examples:
          surgtop report session.ndjson
          surgtop report session.ndjson --json > report.json
        """
    )

    @Argument(help: "The recording (.ndjson or .ndjson.gz), or - for standard input.")
    var file: String

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    @Option(help: ArgumentHelp("Alarm thresholds (YAML) for the derived alarms, overriding the defaults (default: ~/.config/surgtop/alarms.yaml when it exists).", valueName: "FILE"))
    var alarms: String?

    func run() throws {
        let reader = try Output.openRecording(file)
        let settings = try loadAlarmSettings(alarms)
        var builder = SessionReportBuilder()
        // Derived alarms are recomputed from the recording, as the console would have shown them.
        var derived = DerivedAlarms(engine: AlarmEngine(settings: settings))
        let lines = reader.decodeAll { outcome in
            if case .frame(let frame) = outcome, builder.startsNewSession(frame) {
                // A new session: its alarms start afresh, and the ended one's are its own.
                derived.evaluate()
                builder.endSession(alarms: derived.engine)
                derived = DerivedAlarms(engine: AlarmEngine(settings: settings))
            }
            builder.add(outcome)
            if case .frame(let frame) = outcome { derived.add(frame) }
            return true
        }
        derived.evaluate()
        let engine = derived.engine
        if let problem = reader.problem { Output.error(problem) }
        if let note = reader.note { Output.error(note) }  // a cut file: said, not a failure
        let report = builder.finish(alarms: engine)
        // A recording without a session frame (an empty file, only bad lines, frames with no
        // session before them) is not one: say so with what was read, rather than print a
        // report of nothing ("Session -  -").
        guard report.counts.byType[FrameType.session.rawValue, default: 0] > 0 else {
            if json { try Output.json(NoSession(file: file, lines: lines, counts: report.counts), pretty: true) }
            Output.error("\(file): no session frame (\(NoSession.readText(lines: lines, counts: report.counts))), so there is nothing to report")
            throw ExitCode(1)
        }
        if json {
            try Output.json(report, pretty: true)
        } else {
            Output.text(ReportText.render(report, file: file))
        }
        // As `check`: a report of a recording with bad lines or damage is still printed in full,
        // but scripts learn that the input had errors.
        // Every session counts: bad lines in a later session fail the run as in the first.
        if Check.total(report).counts.badLines > 0 || reader.problem != nil { throw ExitCode(1) }
    }

    /// `report --json` of a recording without a session frame: what was read, and no report.
    struct NoSession: Encodable {
        var file: String
        var noSessionFrame = true
        var lines: Int
        var counts: SessionReport.Counts

        init(file: String, lines: Int, counts: SessionReport.Counts) {
            self.file = file
            self.lines = lines
            self.counts = counts
        }

        /// "read 3 lines: 1 frame, 2 bad lines".
        static func readText(lines: Int, counts: SessionReport.Counts) -> String {
            func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
            if lines == 0 { return "the file is empty" }
            return "read \(count(lines, "line")): \(count(counts.frames, "frame")), \(count(counts.badLines, "bad line"))"
        }
    }
}

/// Recomputes the derived alarms of a recording. Arm frames come by the thousand per second,
/// and evaluating after each one would spend most of the report's time re-reading unchanged
/// links and arms. Instead the engine is evaluated just before an arm's sample would be
/// replaced by its next one, so it still sees every sample of every arm (peaks included), and
/// after every other frame.
struct DerivedAlarms {
    var state = SessionState()
    var engine: AlarmEngine
    private var unseen = Set<String>()

    init(engine: AlarmEngine) {
        self.engine = engine
    }

    mutating func add(_ frame: Frame) {
        if case .arm(let sample) = frame.body {
            if unseen.contains(sample.arm) { evaluate() }
            state.apply(frame, arrival: frame.t)
            unseen.insert(sample.arm)
        } else {
            state.apply(frame, arrival: frame.t)
            evaluate()
        }
    }

    mutating func evaluate() {
        engine.evaluate(state, time: state.sessionTime, arrivalNow: state.sessionTime, sourceIsLive: false)
        _ = engine.drainLog()
        unseen.removeAll(keepingCapacity: true)
    }
}
