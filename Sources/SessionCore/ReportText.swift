import Telemetry

/// The human-readable report (`surgtop report FILE`): the recording, frame counts, arms, link
/// statistics per path, alarms and events, every text from the wire sanitised. The `--json`
/// form is the `SessionReport` itself.
public enum ReportText {
    /// The report of the recording `file` as lines of text, joined by newlines (no final one).
    public static func render(_ r: SessionReport, file: String) -> String {
        guard let later = r.laterSessions, !later.isEmpty else { return renderOne(r, file: file) }
        // Several sessions (spec §3, session identity): each reported on its own, never merged.
        var first = r
        first.laterSessions = nil
        let all = [first] + later
        var parts = ["This recording holds \(r.sessionCount) sessions; each is reported on its own"
            + (r.sessionCount > all.count ? " (after the \(all.count)th, together with the last)." : ".")]
        for (k, session) in all.enumerated() {
            parts.append("")
            parts.append("=== Session \(k + 1) of \(all.count) ===")
            parts.append(renderOne(session, file: file))
        }
        return parts.joined(separator: "\n")
    }

    private static func renderOne(_ r: SessionReport, file: String) -> String {
        var out: [String] = []
        func clean(_ s: String?) -> String { WireText.sanitize(s ?? "-") }
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
            out.append("  \(padded(clean(arm.id), 6)) \(padded(arm.kind, 5)) \(arm.joints.count) joints, \(arm.frames) frames, faults \(arm.faults)\(states.isEmpty ? "" : "; " + states)")
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
        if let o = r.linksLeftOut {
            out.append("  \(o.frames) link frames of \(o.paths)\(o.paths >= SessionReportBuilder.leftOutPathsCounted ? " or more" : "") more paths left out: the report describes the first \(SessionReportBuilder.linkPathLimit) paths")
        }
        out.append("")
        let byPriority = ["high", "medium", "low"].map { "\($0) \(r.alarmsByPriority[$0] ?? 0)" }.joined(separator: ", ")
        out.append("Alarms: \(r.alarms.count) conditions (raised: \(byPriority))")
        let times = ["high", "medium", "low"].map { "\($0) \(duration(r.secondsAtPriority[$0] ?? 0))" }.joined(separator: ", ")
        out.append("  time at each priority: \(times)")
        for alarm in r.alarms.sorted(by: { ($0.firstRaised, $0.id) < ($1.firstRaised, $1.id) }) {
            let marker = AlarmPriority(rawValue: alarm.priority)?.marker ?? "*"
            out.append("  \(padded(marker, 3)) \(clean(alarm.id)) [\(alarm.origin)] first at \(duration(alarm.firstRaised)), \(alarm.raises)×, \(duration(alarm.duration)) in all\(alarm.peakValue.map { ", peak " + f($0) + (alarm.peakUnit.map { " " + $0 } ?? "") } ?? "")\(alarm.message.map { " — " + clean($0) } ?? "")")
        }
        out.append("")
        let kinds = r.eventsByKind.sorted { $0.key < $1.key }.map { "\(clean($0.key)) \($0.value)" }.joined(separator: ", ")
        out.append("Events: \(r.events.count)\(kinds.isEmpty ? "" : " (" + kinds + ")")")
        for event in r.events.prefix(50) {
            out.append("  \(duration(event.t))  \(clean(event.kind))\(event.text.map { ": " + clean($0) } ?? "")")
        }
        if r.events.count > 50 { out.append("  … \(r.events.count - 50) more (see --json)") }
        if let skills = r.skills, !skills.isEmpty { out += SkillText.lines(skills) }
        if r.counts.badLines > 0 {
            out.append("")
            out.append("Errors (first \(min(10, r.errors.count)) of \(r.counts.badLines); run `surgtop check` for all):")
            for e in r.errors.prefix(10) { out.append("  line \(e.line): \(clean(e.reason))") }
        }
        return out.joined(separator: "\n")
    }

    /// A number with `digits` decimals (any double prints, see `NumberText`).
    static func f(_ v: Double, _ digits: Int = 1) -> String {
        NumberText.fixed(v, digits)
    }

    /// Seconds as `12.5 s` under a minute, else `H:MM:SS` (whole seconds, hours unbounded);
    /// a negative or NaN time is 0.
    public static func duration(_ seconds: Double) -> String {
        let s = max(0, seconds)
        if s < 60 { return NumberText.fixed(s, 1) + " s" }
        let total = Int(saturating: s.rounded(.down))
        return String(total / 3600) + ":" + twoDigits((total / 60) % 60) + ":" + twoDigits(total % 60)
    }

    private static func twoDigits(_ n: Int) -> String {
        n < 10 ? "0" + String(n) : String(n)
    }

    /// `text` cut or padded with spaces to `width`, counted in UTF-16 code units as the report
    /// always has (a column of arm ids and kinds).
    static func padded(_ text: String, _ width: Int) -> String {
        let units = text.utf16.count
        if units < width { return text + String(repeating: " ", count: width - units) }
        if units == width { return text }
        return String(decoding: Array(text.utf16.prefix(width)), as: UTF16.self)
    }
}
