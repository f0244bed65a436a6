import ArgumentParser
import Console
import SessionCore
import SystemCalls
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

        --baseline compares the skill measures with an expert's recording, side by side with \
        the difference and ratio. --html also writes one self-contained page (no network \
        access) with the scorecard, plots and tables, to open in any browser and print.

        FILE may be an MCAP file (.mcap, surgtop's own or a ROS 2 bag): what it says without \
        failing (no summary, channels skipped, CRCs ignored) goes to stderr; a CRC mismatch \
        stops reading (exit 1) unless --ignore-crc is given.

        Examples:
          surgtop report session.ndjson
          surgtop report session.ndjson --json > report.json
          surgtop report trainee.ndjson --baseline expert.ndjson --html review.html
          surgtop report session.mcap --ignore-crc
        """
    )

    @Argument(help: "The recording (.ndjson, .ndjson.gz or .mcap), or - for standard input.")
    var file: String

    @Flag(help: "Print the report as one JSON object.")
    var json = false

    @Option(help: ArgumentHelp("Alarm thresholds (YAML) for the derived alarms, overriding the defaults (default: ~/.config/surgtop/alarms.yaml when it exists).", valueName: "FILE"))
    var alarms: String?

    @Option(help: ArgumentHelp("An expert's recording to compare the skill measures with, side by side.", valueName: "FILE"))
    var baseline: String?

    @Option(help: ArgumentHelp("Also write the report as one self-contained HTML page (plots, scorecard, tables) to this file.", valueName: "OUT.html"))
    var html: String?

    @OptionGroup var interop: InteropFlags

    @OptionGroup var threading: ThreadsOption

    func run() throws {
        try interop.apply()
        if let html {
            var inputs = [(name: "the recording", path: file)]
            if let baseline { inputs.append((name: "the --baseline recording", path: baseline)) }
            if let settingsFile = alarms ?? AlarmSettingsFile.defaultPath(environment: SystemCalls.environment()) {
                inputs.append((name: "the alarm settings file", path: settingsFile))
            }
            try HTMLReportFile.checkWritable(html, inputs: inputs)
        }
        let settings = try loadAlarmSettings(alarms)
        // Both recordings are opened before either is read: a missing one fails at once. Then the
        // baseline is read: an empty one fails before the long pass over FILE.
        let reader = try Output.openRecording(file)
        let expertReader = try baseline.map { (path: $0, reader: try BaselineRecording.open($0)) }
        let expert = try expertReader.map { try BaselineRecording.read($0.reader, path: $0.path, threads: threading.count) }
        let read = ReportPass.run(reader, settings: settings, collectSeries: html != nil, threads: threading.count)
        let report = read.report
        if let problem = reader.problem { Output.error(problem) }
        if let note = reader.note { Output.error(note) }  // a cut file: said, not a failure
        for note in reader.notes { Output.error(note) }  // an MCAP file's: no summary, channels skipped…
        // A recording without a session frame (an empty file, only bad lines, frames with no
        // session before them) is not one: say so with what was read, rather than print a
        // report of nothing ("Session -  -").
        guard report.counts.byType[FrameType.session.rawValue, default: 0] > 0 else {
            if json { try Output.json(NoSession(file: file, lines: read.lines, counts: report.counts), pretty: true) }
            Output.error("\(file): no session frame (\(NoSession.readText(lines: read.lines, counts: report.counts))), so there is nothing to report")
            throw ExitCode(1)
        }
        let bookmarks = loadBookmarks(for: file)
        let none = SkillMeasuresBuilder().finish()
        let comparison = expert.map {
            SkillComparison(trainee: report.skills ?? none, baseline: $0.report.skills ?? none, file: $0.path, sessionId: $0.report.sessionID)
        }
        if json {
            try Output.json(ReportJSON(report: report, bookmarks: bookmarks, baseline: comparison), pretty: true)
        } else {
            var text = ReportText.render(report, file: file)
            if !bookmarks.isEmpty { text += "\n" + BookmarkText.lines(bookmarks).joined(separator: "\n") }
            if let comparison { text += "\n" + SkillComparisonText.lines(comparison).joined(separator: "\n") }
            Output.text(text)
        }
        if let html {
            let page = ReportPage(file: file, report: report, series: read.series, bookmarks: bookmarks, baseline: comparison,
                                  settings: settings, generator: "surgtop \(SurgtopVersion.number)", generatedAt: HTMLReportFile.now())
            let bytes = try HTMLReportFile.write(ReportHTML.render(page), to: html)
            let said = "report page written to '\(WireText.sanitize(html))' (\(NumberText.fixed(Double(bytes) / 1024, 0)) KB)"
            if json { Output.error(said) } else { Output.text("\n" + said.prefix(1).uppercased() + said.dropFirst()) }
        }
        // As `check`: a report of a recording with bad lines or damage is still printed in full,
        // but scripts learn that the input had errors.
        // Every session counts: bad lines in a later session fail the run as in the first.
        if Check.total(report).counts.badLines > 0 || reader.problem != nil { throw ExitCode(1) }
        // A baseline read with errors was compared all the same, and said so: the input had errors.
        if expert?.hadErrors == true { throw ExitCode(1) }
    }

    /// The trainer's bookmarks of the recording at `path` (`FILE.marks.ndjson` beside it, none
    /// when there is no such file). A damaged sidecar is said on stderr; what could be read is
    /// reported, and the exit code stays the recording's own.
    func loadBookmarks(for path: String) -> [Bookmark] {
        guard path != "-" else { return [] }  // standard input has no sidecar
        let contents = BookmarkFile.read(recording: path)
        if let problem = contents.problem { Output.error(problem) }
        return contents.bookmarks
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
    /// The arms whose sample the state holds since the last evaluation. A few arms: compared
    /// in place, as hashing every arm frame's name cost more than the comparison.
    private var seen: [String] = []
    /// The same past `fewArms` (a session frame may declare hundreds): looked up by hash.
    private var manySeen = Set<String>()
    private static let fewArms = 16
    /// Whether only arm frames were applied since the last evaluation: the engine then keeps
    /// its readings of links and instruments (`AlarmEngine.evaluate(…armSamplesOnly:)`).
    private var armSamplesOnly = false
    /// The HTML report's plots, when asked for: every frame, and the alarms' raises and clears.
    var series: ReportSeriesBuilder?

    init(engine: AlarmEngine, collectSeries: Bool = false) {
        self.engine = engine
        if collectSeries { series = ReportSeriesBuilder() }
    }

    mutating func add(_ frame: Frame) {
        series?.add(frame)
        if case .arm(let sample) = frame.body {
            if seen.contains(sample.arm) || (!manySeen.isEmpty && manySeen.contains(sample.arm)) { evaluate() }
            state.apply(frame, arrival: frame.t)
            if seen.count < Self.fewArms { seen.append(sample.arm) } else { manySeen.insert(sample.arm) }
        } else {
            state.apply(frame, arrival: frame.t)
            armSamplesOnly = false
            evaluate()
        }
    }

    mutating func evaluate() {
        engine.evaluate(state, time: state.sessionTime, arrivalNow: state.sessionTime, sourceIsLive: false,
                        armSamplesOnly: armSamplesOnly)
        armSamplesOnly = true
        state.robotClears.forget(through: engine.robotClearsTaken)
        let log = engine.drainLog()
        series?.add(log)
        seen.removeAll(keepingCapacity: true)
        if !manySeen.isEmpty { manySeen.removeAll(keepingCapacity: true) }
    }
}
