import ArgumentParser
import Console
import Foundation
import SessionCore
import Telemetry
import TelemetrySources
import View

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
        reader.decodeAll { outcome in
            builder.add(outcome)
            if case .frame(let frame) = outcome { derived.add(frame) }
            return true
        }
        derived.evaluate()
        let engine = derived.engine
        if let problem = reader.problem { Output.error(problem) }
        let report = builder.finish(alarms: engine)
        if json {
            try Output.json(report, pretty: true)
        } else {
            Output.text(ReportText.render(report, file: file))
        }
        // As `check`: a report of a recording with bad lines or damage is still printed in full,
        // but scripts learn that the input had errors.
        if report.counts.badLines > 0 || reader.problem != nil { throw ExitCode(1) }
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

/// The human-readable report.
enum ReportText {
    static func render(_ r: SessionReport, file: String) -> String {
        var out: [String] = []
        func clean(_ s: String?) -> String { TerminalText.sanitize(s ?? "-") }
        out.append("Session \(clean(r.sessionID))  \(clean(r.procedure))")
        if r.surgeonSite != nil || r.patientSite != nil {
            out.append("  \(clean(r.surgeonSite)) → \(clean(r.patientSite))")
        }
        if let started = r.startedAt { out.append("  started \(clean(started))") }
        out.append("  recording \(clean(file)), duration \(duration(r.duration))")
        out.append("")
        out.append("Frames: \(r.counts.frames)  " + FrameType.allCases.map { "\($0.rawValue) \(r.counts.byType[$0.rawValue] ?? 0)" }.joined(separator: ", "))
        out.append("  bad lines \(r.counts.badLines), unknown types \(r.counts.unknownTypes), out of order \(r.counts.outOfOrder), sequence gaps \(r.counts.sequenceGaps) (\(r.counts.missingFrames) frames missing)")
        out.append("")
        out.append("Arms:")
        if r.arms.isEmpty { out.append("  none declared") }
        for arm in r.arms {
            let states = arm.secondsByState.sorted { $0.key < $1.key }.map { "\($0.key) \(duration($0.value))" }.joined(separator: ", ")
            out.append("  \(clean(arm.id).padding(toLength: 6, withPad: " ", startingAt: 0)) \(arm.kind.padding(toLength: 5, withPad: " ", startingAt: 0)) \(arm.joints.count) joints, \(arm.frames) frames, faults \(arm.faults)\(states.isEmpty ? "" : "; " + states)")
        }
        out.append("")
        out.append("Link:")
        if r.links.isEmpty { out.append("  no link frames") }
        for link in r.links {
            out.append("  \(clean(link.path)) (\(link.samples) samples, down \(duration(link.secondsDown)) in \(link.outages) outage\(link.outages == 1 ? "" : "s"))")
            if let s = link.rttMs { out.append("    RTT ms      p50 \(f(s.p50))  p95 \(f(s.p95))  p99 \(f(s.p99))  max \(f(s.max))") }
            if let s = link.jitterMs { out.append("    jitter ms   mean \(f(s.mean))  p95 \(f(s.p95))  max \(f(s.max))") }
            if let s = link.lossPct { out.append("    loss %      mean \(f(s.mean, 2))  p95 \(f(s.p95, 2))  max \(f(s.max, 2))") }
            if let s = link.bandwidthMbps { out.append("    bandwidth   mean \(f(s.mean))  p50 \(f(s.p50))  (Mbit/s)") }
            if let s = link.videoFps { out.append("    video fps   mean \(f(s.mean))  p50 \(f(s.p50))") }
            if let s = link.videoDelayMs { out.append("    video delay ms  p50 \(f(s.p50))  p95 \(f(s.p95))  max \(f(s.max))") }
        }
        out.append("")
        let byPriority = ["high", "medium", "low"].map { "\($0) \(r.alarmsByPriority[$0] ?? 0)" }.joined(separator: ", ")
        out.append("Alarms: \(r.alarms.count) conditions (raised: \(byPriority))")
        let times = ["high", "medium", "low"].map { "\($0) \(duration(r.secondsAtPriority[$0] ?? 0))" }.joined(separator: ", ")
        out.append("  time at each priority: \(times)")
        for alarm in r.alarms.sorted(by: { ($0.firstRaised, $0.id) < ($1.firstRaised, $1.id) }) {
            let marker = AlarmPriority(rawValue: alarm.priority)?.marker ?? "*"
            out.append("  \(marker.padding(toLength: 3, withPad: " ", startingAt: 0)) \(clean(alarm.id)) [\(alarm.origin)] first at \(duration(alarm.firstRaised)), \(alarm.raises)×, \(duration(alarm.duration)) in all\(alarm.peakValue.map { ", peak " + f($0) } ?? "")\(alarm.message.map { " — " + clean($0) } ?? "")")
        }
        out.append("")
        let kinds = r.eventsByKind.sorted { $0.key < $1.key }.map { "\(clean($0.key)) \($0.value)" }.joined(separator: ", ")
        out.append("Events: \(r.events.count)\(kinds.isEmpty ? "" : " (" + kinds + ")")")
        for event in r.events.prefix(50) {
            out.append("  \(duration(event.t))  \(clean(event.kind))\(event.text.map { ": " + clean($0) } ?? "")")
        }
        if r.events.count > 50 { out.append("  … \(r.events.count - 50) more (see --json)") }
        if r.counts.badLines > 0 {
            out.append("")
            out.append("Errors (first \(min(10, r.errors.count)) of \(r.counts.badLines); run `surgtop check` for all):")
            for e in r.errors.prefix(10) { out.append("  line \(e.line): \(clean(e.reason))") }
        }
        return out.joined(separator: "\n")
    }

    static func f(_ v: Double, _ digits: Int = 1) -> String {
        NumberText.fixed(v, digits)
    }

    static func duration(_ seconds: Double) -> String {
        let s = max(0, seconds)
        if s < 60 { return NumberText.fixed(s, 1) + " s" }
        let total = Int(saturating: s.rounded(.down))
        return String(format: "%d:%02d:%02d", total / 3600, (total / 60) % 60, total % 60)
    }
}
