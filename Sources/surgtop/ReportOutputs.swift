import Foundation
import SessionCore
import SystemCalls
import Telemetry
import TelemetrySources

/// One pass over a recording for `report`: the report (derived alarms recomputed, session by
/// session) and, for the HTML page, each session's plotted series.
struct ReportPass {
    var report: SessionReport
    var series: [ReportSeries]
    var lines: Int

    /// Sessions plotted at most: a recording of many short sessions keeps the page and the
    /// memory small; later sessions get their tables without plots.
    static let plottedSessions = 10

    static func run(_ reader: RecordingReader, settings: AlarmSettings, collectSeries: Bool,
                    threads: Int = RecordingReader.defaultThreads) -> ReportPass {
        var builder = SessionReportBuilder()
        var series: [ReportSeries] = []
        // Derived alarms are recomputed from the recording, as the console would have shown them.
        var derived = DerivedAlarms(engine: AlarmEngine(settings: settings), collectSeries: collectSeries)
        // Decoding may use every core (a plain file, read in ranges); this closure runs on this
        // thread, in line order.
        let lines = reader.decodeAll(threads: threads) { outcome in
            // Asked of session frames only: the question copies the builder (captured by this closure).
            if case .frame(let frame) = outcome, case .session = frame.body, builder.startsNewSession(frame) {
                // A new session: its alarms and plots start afresh, and the ended one's are its own.
                derived.evaluate()
                builder.endSession(alarms: derived.engine)
                if let done = derived.series?.finish() { series.append(done) }
                derived = DerivedAlarms(engine: AlarmEngine(settings: settings),
                                        collectSeries: collectSeries && series.count < plottedSessions)
            }
            builder.add(outcome)
            if case .frame(let frame) = outcome { derived.add(frame) }
            return true
        }
        derived.evaluate()
        if let done = derived.series?.finish() { series.append(done) }
        return ReportPass(report: builder.finish(alarms: derived.engine), series: series, lines: lines)
    }
}

/// `--baseline FILE`: the expert's recording, read for its skill measures.
struct BaselineRecording {
    var path: String
    var report: SessionReport
    /// Bad lines or damage: compared all the same, but the run exits 1 as for FILE.
    var hadErrors: Bool

    /// Opens it (a file that cannot be opened is a usage error, exit 2), then reads it (one
    /// without a session frame, not a recording, fails the run, exit 1), each said in one sentence.
    static func open(_ path: String) throws -> RecordingReader {
        do {
            return try RecordingReader(path: path)
        } catch {
            throw Failure.io("--baseline: \(error.description)")
        }
    }

    static func read(_ reader: RecordingReader, path: String, threads: Int = RecordingReader.defaultThreads) throws -> BaselineRecording {
        var builder = SessionReportBuilder()
        let lines = reader.decodeAll(threads: threads) { outcome in
            builder.add(outcome)
            return true
        }
        let report = builder.finish()
        if let problem = reader.problem { Output.error("--baseline: \(problem)") }
        guard report.counts.byType[FrameType.session.rawValue, default: 0] > 0 else {
            throw Failure(message: "--baseline: \(WireText.quoted(path)) is no recording to compare with: no session frame ("
                + Report.NoSession.readText(lines: lines, counts: report.counts) + ")", code: 1)
        }
        let bad = Check.total(report).counts.badLines
        if bad > 0 { Output.error("--baseline: \(WireText.quoted(path)) has \(bad) bad line\(bad == 1 ? "" : "s") (run `surgtop check` on it); its measures are compared as read") }
        if (report.laterSessions?.count ?? 0) > 0 {
            Output.error("--baseline: \(WireText.quoted(path)) holds \(report.sessionCount) sessions; its first is compared")
        }
        return BaselineRecording(path: path, report: report, hadErrors: bad > 0 || reader.problem != nil)
    }
}

/// `report --json`: the report's keys, then `bookmarks` and, with `--baseline`, `baseline`.
struct ReportJSON: Encodable {
    var report: SessionReport
    var bookmarks: [Bookmark]
    var baseline: SkillComparison?

    struct Mark: Encodable {
        var t: Double
        var session: Int
        var note: String
        var createdAt: String
    }

    enum Keys: String, CodingKey { case bookmarks, baseline }

    func encode(to encoder: Encoder) throws {
        try report.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(bookmarks.map { Mark(t: $0.t, session: $0.session, note: $0.note, createdAt: $0.createdAt) }, forKey: .bookmarks)
        try container.encodeIfPresent(baseline, forKey: .baseline)
    }
}

/// Writing the page of `--html`.
enum HTMLReportFile {
    /// Refuses, before any work is done, a page that could not be written (a directory, a path
    /// in a missing or unwritable directory, a name ending in '/') or that would replace one
    /// of the inputs (`inputs`: each input as a sentence names it, "the recording", and its path).
    static func checkWritable(_ path: String, inputs: [(name: String, path: String)]) throws {
        guard !path.isEmpty, path != "-" else { throw Failure.usage("--html needs a file name, e.g. --html report.html") }
        guard !path.hasSuffix("/") else {
            throw Failure.usage("--html: \(WireText.quoted(path)) names a directory; name the page's file, e.g. \(WireText.quoted(path + "report.html"))")
        }
        let existing = try? SystemCalls.status(path: path)
        if existing?.kind == .directory {
            throw Failure.usage("--html: \(WireText.quoted(path)) is a directory; name the page's file, e.g. \(WireText.quoted(path + "/report.html"))")
        }
        // The page is written by renaming a new file over the path: were it an input, the input
        // would be lost. stat follows symbolic links: a link to an input is refused as well.
        if let existing {
            for input in inputs where input.path != "-" {
                guard let status = try? SystemCalls.status(path: input.path),
                      status.device == existing.device, status.inode == existing.inode else { continue }
                throw Failure.usage("--html: \(WireText.quoted(path)) would replace \(input.name) \(WireText.quoted(input.path)); name another file for the page")
            }
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard (try? SystemCalls.status(path: folder))?.kind == .directory else {
            throw Failure.usage("--html: the directory \(WireText.quoted(folder)) does not exist")
        }
        // Only writing tells whether writing works (permissions, a read-only mount, /proc).
        let probe = folder + "/.surgtop-html-probe-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"  // never a leftover's name
        do {
            SystemCalls.close(try SystemCalls.open(probe, .createNew))
            try? SystemCalls.removeFile(probe)
        } catch {
            throw Failure.usage("--html: cannot write in the directory \(WireText.quoted(folder)): \(error.description)")
        }
    }

    /// Writes the page whole (a reader never sees half of it); the number of bytes written.
    static func write(_ page: String, to path: String) throws -> Int {
        let data = Data(page.utf8)
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw Failure.io("--html: cannot write \(WireText.quoted(path)): \((error as NSError).localizedDescription)")
        }
        return data.count
    }

    /// Now, UTC, to the second: "2026-11-26 07:12:03 UTC".
    static func now() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: Date())
    }
}
