import Telemetry

/// What the HTML report is made of: the report (its later sessions included), the plotted
/// series of each session, the trainer's bookmarks, and the baseline comparison if any.
public struct ReportPage: Sendable {
    /// The recording as named on the command line.
    public var file: String
    public var report: SessionReport
    /// One per session, in order (the first session's, then each of `report.laterSessions`);
    /// sessions past the last one given are reported without plots.
    public var series: [ReportSeries]
    public var bookmarks: [Bookmark]
    public var baseline: SkillComparison?
    /// The alarm settings the derived alarms were computed with (their thresholds are drawn).
    public var settings: AlarmSettings
    /// "surgtop 0.10.0", and when the page was made (as the command knows it).
    public var generator: String
    public var generatedAt: String?

    public init(file: String, report: SessionReport, series: [ReportSeries], bookmarks: [Bookmark],
                baseline: SkillComparison?, settings: AlarmSettings, generator: String, generatedAt: String?) {
        self.file = file
        self.report = report
        self.series = series
        self.bookmarks = bookmarks
        self.baseline = baseline
        self.settings = settings
        self.generator = generator
        self.generatedAt = generatedAt
    }
}

/// `surgtop report FILE --html OUT`: one self-contained page a trainer opens in any browser and
/// prints. No network access of any kind: the style is inline, the plots are inline SVG, there
/// is no script, no font, no link. Every text from the wire is sanitised (`WireText`) and then
/// HTML-escaped.
public enum ReportHTML {
    /// Rows of the events table at most (the JSON report has up to 10,000).
    static let eventRows = 1_000
    /// Segment rows of the scorecard at most.
    static let segmentRows = 100
    /// Segments compared with the baseline at most (each is a table per arm).
    static let comparedSegments = 20

    public static func render(_ page: ReportPage) -> String {
        var first = page.report
        first.laterSessions = nil
        let sessions = [first] + (page.report.laterSessions ?? [])
        let title = "Session report " + (page.report.sessionID.map { WireText.sanitize($0) } ?? "")
        var s = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        s += "<title>\(escape(title))</title><style>\(style)</style></head><body>\n"
        s += "<header class=\"masthead\"><div><p class=\"kicker\">Teleoperated surgery · training review</p>"
        s += "<h1>Session report</h1></div><p class=\"made\">\(escape(page.generator))"
        s += page.generatedAt.map { "<br>made \(escape($0))" } ?? ""
        s += "<br>recording \(escape(cut(page.file, 80)))</p></header>\n"
        if sessions.count > 1 {
            s += "<p class=\"note\">This recording holds \(page.report.sessionCount) sessions; each is reported on its own below.</p>"
        }
        for (k, session) in sessions.enumerated() {
            let series = k < page.series.count ? page.series[k] : nil
            let marks = page.bookmarks.filter { $0.session == k }.sorted { $0.t < $1.t }
            s += sessionPage(session, ordinal: k, of: sessions.count, page: page, series: series, bookmarks: marks)
        }
        s += "<footer>Made by \(escape(page.generator)) from the recording's telemetry. surgtop reads telemetry and never commands the robot; derived alarms are recomputed from the recording with the thresholds shown.</footer>"
        return s + "</body></html>\n"
    }

    private static func sessionPage(_ r: SessionReport, ordinal: Int, of count: Int, page: ReportPage,
                                     series: ReportSeries?, bookmarks: [Bookmark]) -> String {
        var s = "<section class=\"first\">"
        s += "<h2>" + (count > 1 ? "Session \(ordinal + 1) of \(count): " : "Session ") + escape(r.sessionID ?? "-")
        s += r.procedure.map { " <span class=\"procedure\">\(escape($0))</span>" } ?? ""
        s += "</h2>" + header(r, file: page.file)
        s += "<h2>Scorecard</h2>"
        s += scorecard(r.skills, baseline: ordinal == 0 ? page.baseline : nil)
        guard let series else {
            // Plots only for the first sessions of a recording holding many (the page stays small).
            s += "</section>\n<section><h2>Network link</h2><p class=\"note\">Plots are drawn for the first \(page.series.count) sessions only.</p>"
            s += linkTable(r) + "</section>\n"
            s += "<section><h2>Events and bookmarks</h2>" + events(r, bookmarks: bookmarks) + "</section>\n"
            return s + "<section><h2>Alarms</h2>" + alarmTable(r) + "</section>\n"
        }
        s += "</section>\n<section><h2>Network link</h2>" + linkPlots(series, r, settings: page.settings) + "</section>\n"
        s += "<section><h2>Alarms over time</h2>"
        s += ReportSVG.timeline(series.alarmBars, start: series.start, end: max(series.end, series.start), bookmarks: bookmarks)
        if series.alarmBarsLeftOut > 0 { s += "<p class=\"note\">\(series.alarmBarsLeftOut) later alarm stretches are not drawn.</p>" }
        s += "</section>\n<section><h2>Arms: tool-tip speed and joint limits</h2>" + armPlots(series, settings: page.settings) + "</section>\n"
        s += "<section><h2>Events and bookmarks</h2>" + events(r, bookmarks: bookmarks) + "</section>\n"
        s += "<section><h2>Alarms</h2>" + alarmTable(r) + "</section>\n"
        return s
    }

    // MARK: header

    private static func header(_ r: SessionReport, file: String) -> String {
        var facts: [(String, String)] = []
        if r.surgeonSite != nil || r.patientSite != nil {
            facts.append(("Sites", escape(r.surgeonSite ?? "-") + " → " + escape(r.patientSite ?? "-")))
        }
        if let started = r.startedAt { facts.append(("Started", escape(started))) }
        facts.append(("Duration", escape(ReportText.duration(r.duration))))
        facts.append(("Recording", escape(cut(file, 80))))
        facts.append(("Frames", "\(r.counts.frames)" + (r.counts.badLines > 0 ? " (\(r.counts.badLines) bad lines)" : "")
            + (r.counts.sequenceGaps > 0 ? ", \(r.counts.sequenceGaps) sequence gaps" : "")))
        let arms = r.arms.map { escape($0.id) + " <span class=\"dim\">\(escape($0.kind))</span>" }.joined(separator: ", ")
        facts.append(("Arms", arms.isEmpty ? "none declared" : arms))
        let raised = ["high", "medium", "low"].map { "\(r.alarmsByPriority[$0] ?? 0) \($0)" }.joined(separator: ", ")
        facts.append(("Alarms", "\(r.alarms.count) conditions; raised \(raised)"))
        let kinds = r.eventsByKind.sorted { $0.key < $1.key }.map { "\(escape($0.key)) \($0.value)" }.joined(separator: ", ")
        facts.append(("Events", "\(r.events.count)" + (kinds.isEmpty ? "" : " (\(kinds))")))
        return "<dl class=\"facts\">" + facts.map { "<div><dt>\($0.0)</dt><dd>\($0.1)</dd></div>" }.joined() + "</dl>"
    }

    // MARK: scorecard

    private static func scorecard(_ skills: SkillReport?, baseline: SkillComparison?) -> String {
        var s = ""
        // The comparison first: a trainee with nothing to score still has a baseline to fall short of.
        if let baseline {
            s += "<p class=\"note\">Beside the baseline \(escape(cut(baseline.file, 80)))"
                + (baseline.sessionId.map { " (session \(escape($0)))" } ?? "")
                + ": difference = trainee − baseline, ratio = trainee ÷ baseline.</p>"
            s += comparisonTables(baseline.session)
            for segment in baseline.segments.prefix(comparedSegments) {
                s += "<h3>\(escape(segmentName(segment.kind, segment.label, segment.occurrence)))"
                s += " <span class=\"dim\">trainee \(clock(segment.trainee.start))–\(clock(segment.trainee.end)),"
                s += " baseline \(clock(segment.baseline.start))–\(clock(segment.baseline.end))</span></h3>"
                s += comparisonTables(segment.comparison)
            }
            if baseline.segments.count > comparedSegments {
                s += "<p class=\"note\">\(baseline.segments.count - comparedSegments) more segments both have are compared in the text and JSON reports.</p>"
            }
            let lone = baseline.traineeOnlySegments.map { "trainee only: " + segmentName($0.kind, $0.label, $0.occurrence) }
                + baseline.baselineOnlySegments.map { "baseline only: " + segmentName($0.kind, $0.label, $0.occurrence) }
            if !lone.isEmpty { s += "<p class=\"note\">Segments in one recording only: \(escape(lone.joined(separator: "; "))).</p>" }
            return s
        }
        guard let skills, !skills.isEmpty else {
            return "<p class=\"note\">No tool-tip positions, clutch, camera or energy events: nothing to score.</p>"
        }
        s += measuresTable(skills.session)
        if !skills.segments.isEmpty {
            s += "<h3>Segments</h3><table class=\"data\"><thead><tr><th>Segment</th><th>From</th><th>To</th><th>Arm</th>"
            s += "<th class=\"num\">Time s</th><th class=\"num\">Path mm</th><th class=\"num\">Mean mm/s</th><th class=\"num\">Peak mm/s</th>"
            s += "<th class=\"num\">Movements</th><th class=\"num\">Idle s</th><th class=\"num\">LDLJ</th></tr></thead><tbody>"
            var rows = 0
            for segment in skills.segments where rows < segmentRows {
                let name = escape(segmentName(segment.kind, segment.label, 1))
                if segment.measures.arms.isEmpty {
                    s += "<tr><td>\(name)</td><td>\(clock(segment.start))</td><td>\(clock(segment.end))</td><td colspan=\"8\" class=\"dim\">no tool-tip positions</td></tr>"
                    rows += 1
                }
                for arm in segment.measures.arms where rows < segmentRows {
                    s += "<tr><td>\(name)</td><td>\(clock(segment.start))</td><td>\(clock(segment.end))</td><td>\(escape(arm.arm))</td>"
                    s += [f(arm.taskTime, 1), f(arm.pathLengthMm, 1), f(arm.meanSpeedMmS, 1), f(arm.peakSpeedMmS, 1),
                          "\(arm.movements)", f(arm.idleSeconds, 1), arm.ldlj.map { f($0, 2) } ?? "–"].map { "<td class=\"num\">\($0)</td>" }.joined()
                    s += "</tr>"
                    rows += 1
                }
            }
            s += "</tbody></table>"
            let hidden = skills.segments.count + skills.segmentsLeftOut - min(skills.segments.count, segmentRows)
            if hidden > 0 || rows >= segmentRows { s += "<p class=\"note\">The JSON report (<code>report --json</code>) has every segment.</p>" }
        }
        return s
    }

    /// The session's measures: one column per arm.
    private static func measuresTable(_ m: SkillReport.Measures) -> String {
        var s = ""
        if !m.arms.isEmpty {
            s += "<table class=\"data score\"><thead><tr><th>Measure</th>" + m.arms.map { "<th class=\"num name\">\(escape($0.arm))</th>" }.joined() + "</tr></thead><tbody>"
            for measure in SkillComparison.armMeasures {
                s += "<tr><th>\(escape(measure.label))\(measure.unit.isEmpty ? "" : " <span class=\"dim\">\(escape(measure.unit))</span>")</th>"
                s += m.arms.map { "<td class=\"num\">\(measure.value($0).map { f($0, decimals(measure.key)) } ?? "–")</td>" }.joined() + "</tr>"
            }
            s += "<tr><th>workspace extent <span class=\"dim\">mm</span></th>"
            s += m.arms.map { "<td class=\"num\">\($0.workspaceMm.map { f($0, 0) }.joined(separator: " × "))</td>" }.joined() + "</tr>"
            s += "</tbody></table>"
        } else {
            s += "<p class=\"note\">No tool-tip positions.</p>"
        }
        let energy = m.energyActiveSeconds.sorted { $0.key < $1.key }.map { "\(escape($0.key)) \(f($0.value, 1)) s" }.joined(separator: ", ")
        s += "<p class=\"counts\">Clutch presses <b>\(m.clutchPresses)</b> · camera moves <b>\(m.cameraMoves)</b>"
        s += " · energy active " + (energy.isEmpty ? "<b>none</b>" : "<b>\(energy)</b>") + "</p>"
        return s
    }

    /// One table per arm both have: trainee, baseline, difference, ratio.
    private static func comparisonTables(_ c: SkillComparison.Stretch) -> String {
        var s = "<div class=\"compare\">"
        for arm in c.arms {
            s += "<table class=\"data\"><thead><tr><th class=\"name\">\(escape(arm.arm))</th><th class=\"num\">Trainee</th><th class=\"num\">Baseline</th>"
            s += "<th class=\"num\">Difference</th><th class=\"num\">Ratio</th></tr></thead><tbody>"
            for measure in SkillComparison.armMeasures {
                guard let v = arm.measures[measure.key] else { continue }
                s += "<tr><th>\(escape(measure.label))\(measure.unit.isEmpty ? "" : " <span class=\"dim\">\(escape(measure.unit))</span>")</th>"
                s += valueCells(v, decimals: decimals(measure.key)) + "</tr>"
            }
            s += "</tbody></table>"
        }
        s += "</div><table class=\"data narrow\"><thead><tr><th></th><th class=\"num\">Trainee</th><th class=\"num\">Baseline</th>"
        s += "<th class=\"num\">Difference</th><th class=\"num\">Ratio</th></tr></thead><tbody>"
        s += "<tr><th>clutch presses</th>" + valueCells(c.clutchPresses, decimals: 0) + "</tr>"
        s += "<tr><th>camera moves</th>" + valueCells(c.cameraMoves, decimals: 0) + "</tr>"
        for (arm, v) in c.energyActiveSeconds.sorted(by: { $0.key < $1.key }) {
            s += "<tr><th>energy active \(escape(arm)) <span class=\"dim\">s</span></th>" + valueCells(v, decimals: 1) + "</tr>"
        }
        s += "</tbody></table>"
        if !c.traineeOnlyArms.isEmpty { s += "<p class=\"note\">Arms of the trainee only: \(escape(c.traineeOnlyArms.joined(separator: ", "))).</p>" }
        if !c.baselineOnlyArms.isEmpty { s += "<p class=\"note\">Arms of the baseline only: \(escape(c.baselineOnlyArms.joined(separator: ", "))).</p>" }
        return s
    }

    private static func valueCells(_ v: SkillComparison.Value, decimals: Int) -> String {
        let difference = v.difference.map { ($0 > 0 ? "+" : "") + f($0, decimals) } ?? "–"
        return [v.trainee.map { f($0, decimals) } ?? "–", v.baseline.map { f($0, decimals) } ?? "–", difference,
                v.ratio.map { f($0, 2) + "×" } ?? "–"].map { "<td class=\"num\">\($0)</td>" }.joined()
    }

    private static func decimals(_ key: String) -> Int {
        switch key {
        case "movements": 0
        case "workspace_cm3", "ldlj": 2
        default: 1
        }
    }

    // MARK: plots

    private static func linkPlots(_ series: ReportSeries, _ r: SessionReport, settings: AlarmSettings) -> String {
        guard !series.links.isEmpty else { return "<p class=\"note\">No link frames.</p>" }
        let start = series.start, end = max(series.end, series.start)
        let links = series.links
        func bands(_ levels: AlarmSettings.Levels, unit: String) -> [ReportSVG.Band] {
            [.init(from: levels.low, to: levels.medium, priority: .low, label: "low ≥ \(NumberText.trimmed(levels.low, 2)) \(unit)"),
             .init(from: levels.medium, to: levels.high, priority: .medium, label: "medium ≥ \(NumberText.trimmed(levels.medium, 2))"),
             .init(from: levels.high, to: .infinity, priority: .high, label: "high ≥ \(NumberText.trimmed(levels.high, 2))")]
        }
        func plot(_ title: String, unit: String, levels: AlarmSettings.Levels, _ pick: (ReportSeries.Link) -> DownsampledSeries) -> String {
            ReportSVG.render(.init(title: title, unit: unit, start: start, end: end,
                                   lines: links.enumerated().map { .init(label: WireText.sanitize($0.element.path), colour: $0.offset, runs: pick($0.element).runs) },
                                   bands: bands(levels, unit: unit), ceiling: levels.high * 1.15))
        }
        var s = plot("Round trip", unit: "ms", levels: settings.rttMs) { $0.rtt }
        s += plot("Jitter", unit: "ms", levels: settings.jitterMs) { $0.jitter }
        s += plot("Packet loss", unit: "%", levels: settings.lossPct) { $0.loss }
        if series.morePaths { s += "<p class=\"note\">Paths after the first \(links.count) are not plotted; the table has them.</p>" }
        s += "<p class=\"note\">Bands: the alarm thresholds in force (low, medium, high); a level is judged on the mean of the last "
            + "\(NumberText.trimmed(settings.sustainSeconds, 2)) s. Each line shows the smallest and largest value of every stretch, so spikes stay visible; breaks are times without data or with the path down.</p>"
        s += linkTable(r)
        return s
    }

    private static func linkTable(_ r: SessionReport) -> String {
        var s = "<table class=\"data\"><thead><tr><th>Path</th><th class=\"num\">Samples</th><th class=\"num\">RTT p50 / p95 / max ms</th>"
        s += "<th class=\"num\">Jitter mean / max ms</th><th class=\"num\">Loss mean / max %</th><th class=\"num\">Down</th></tr></thead><tbody>"
        for link in r.links {
            let rtt = link.rttMs.map { "\(f($0.p50, 0)) / \(f($0.p95, 0)) / \(f($0.max, 0))" } ?? "–"
            let jitter = link.jitterMs.map { "\(f($0.mean, 1)) / \(f($0.max, 1))" } ?? "–"
            let loss = link.lossPct.map { "\(f($0.mean, 2)) / \(f($0.max, 2))" } ?? "–"
            s += "<tr><td>\(escape(link.path))</td><td class=\"num\">\(link.samples)</td><td class=\"num\">\(rtt)</td><td class=\"num\">\(jitter)</td>"
            s += "<td class=\"num\">\(loss)</td><td class=\"num\">\(escape(ReportText.duration(link.secondsDown))) in \(link.outages)</td></tr>"
        }
        s += "</tbody></table>"
        if let o = r.linksLeftOut {
            s += "<p class=\"note\">\(o.frames) link frames of \(o.paths)\(o.paths >= SessionReportBuilder.leftOutPathsCounted ? " or more" : "") more paths left out: the report describes the first \(SessionReportBuilder.linkPathLimit) paths.</p>"
        }
        return s
    }

    private static func armPlots(_ series: ReportSeries, settings: AlarmSettings) -> String {
        guard !series.arms.isEmpty else { return "<p class=\"note\">No arm frames.</p>" }
        let start = series.start, end = max(series.end, series.start)
        let thresholds = SkillThresholds()
        var s = "<p class=\"note\">Tip speed: the path walked over each \(NumberText.trimmed(thresholds.smoothingSeconds * 1000, 0)) ms, as the skill measures smooth it; dashed, the idle and movement thresholds. "
            + "Joint limits: the joint nearest to one of its limits, its distance as a share of its range; bands, the LIMIT alarm's low (within \(NumberText.trimmed(settings.nearLimitPct, 2)) %) and medium (within \(NumberText.trimmed(settings.atLimitPct, 2)) %, or beyond).</p>"
        for (k, arm) in series.arms.enumerated() {
            let name = WireText.sanitize(arm.arm)
            s += "<div class=\"arm\">"
            if arm.tipSpeed.samples > 0 {
                s += ReportSVG.render(.init(title: "\(name) tool-tip speed", unit: "mm/s", start: start, end: end,
                                            lines: [.init(label: "", colour: k, runs: arm.tipSpeed.runs)],
                                            rules: [.init(at: thresholds.idleSpeedMmS, label: "idle < \(NumberText.trimmed(thresholds.idleSpeedMmS, 1))"),
                                                    .init(at: thresholds.movementStartMmS, label: "move > \(NumberText.trimmed(thresholds.movementStartMmS, 1))")],
                                            height: 150))
            }
            if arm.limitMargin.samples > 0 {
                s += ReportSVG.render(.init(title: "\(name) nearest joint limit", unit: "% of range", start: start, end: end,
                                            lines: [.init(label: "", colour: k, runs: arm.limitMargin.runs)],
                                            bands: [.init(from: -.infinity, to: settings.atLimitPct, priority: .medium, label: ""),
                                                    .init(from: settings.atLimitPct, to: settings.nearLimitPct, priority: .low,
                                                          label: "limit ≤ \(NumberText.trimmed(settings.nearLimitPct, 2)) %")],
                                            ceiling: 50, height: 150))
            }
            if arm.tipSpeed.samples == 0 && arm.limitMargin.samples == 0 {
                s += "<p class=\"note\">\(escape(name)): no tool-tip positions, and no joint positions with declared limits.</p>"
            }
            s += "</div>"
        }
        if series.moreArms { s += "<p class=\"note\">Arms after the first \(series.arms.count) are not plotted.</p>" }
        return s
    }

    // MARK: tables

    private static func events(_ r: SessionReport, bookmarks: [Bookmark]) -> String {
        enum Row { case event(SessionReport.Event), bookmark(Bookmark) }
        var rows = r.events.prefix(eventRows).map { Row.event($0) } + bookmarks.map { Row.bookmark($0) }
        func time(_ row: Row) -> Double {
            switch row {
            case .event(let e): e.t
            case .bookmark(let b): b.t
            }
        }
        rows.sort { time($0) < time($1) }
        guard !rows.isEmpty else { return "<p class=\"note\">No events and no bookmarks.</p>" }
        var s = "<table class=\"data events\"><thead><tr><th>Time</th><th>Kind</th><th>What</th></tr></thead><tbody>"
        for row in rows {
            switch row {
            case .event(let e):
                s += "<tr><td class=\"num\">\(clock(e.t))</td><td>\(escape(e.kind))</td><td>\(escape(e.text ?? ""))</td></tr>"
            case .bookmark(let b):
                s += "<tr class=\"bookmark\"><td class=\"num\">\(clock(b.t))</td><td>bookmark</td><td>\(escape(b.note))"
                s += " <span class=\"dim\">(\(escape(b.createdAt)))</span></td></tr>"
            }
        }
        s += "</tbody></table>"
        if r.events.count > eventRows { s += "<p class=\"note\">\(r.events.count - eventRows) more events are in the JSON report.</p>" }
        return s
    }

    private static func alarmTable(_ r: SessionReport) -> String {
        guard !r.alarms.isEmpty else { return "<p class=\"note\">No alarm was raised.</p>" }
        let times = ["high", "medium", "low"].map { "\($0) \(ReportText.duration(r.secondsAtPriority[$0] ?? 0))" }.joined(separator: ", ")
        var s = "<p class=\"note\">Time at each priority (the highest listed): \(escape(times)).</p>"
        s += "<table class=\"data alarms\"><thead><tr><th>Priority</th><th>Alarm</th><th>Origin</th><th class=\"num\">First</th>"
        s += "<th class=\"num\">Raised</th><th class=\"num\">Duration</th><th class=\"num\">Peak</th><th>Message</th></tr></thead><tbody>"
        for alarm in r.alarms.sorted(by: { ($0.firstRaised, $0.id) < ($1.firstRaised, $1.id) }) {
            let priority = AlarmPriority(rawValue: alarm.priority) ?? .low
            s += "<tr class=\"\(priority.rawValue)\"><td><span class=\"pill \(priority.rawValue)\">\(priority.marker) \(priority.rawValue)</span></td>"
            s += "<td class=\"id\">\(escape(alarm.id))</td><td>\(escape(alarm.origin))</td><td class=\"num\">\(clock(alarm.firstRaised))</td>"
            s += "<td class=\"num\">\(alarm.raises)×</td><td class=\"num\">\(escape(ReportText.duration(alarm.duration)))</td>"
            s += "<td class=\"num\">\(alarm.peakValue.map { f($0, 1) + (alarm.peakUnit.map { " " + escape($0) } ?? "") } ?? "–")</td>"
            s += "<td>\(escape(alarm.message ?? ""))</td></tr>"
        }
        return s + "</tbody></table>"
    }

    // MARK: text

    /// Text from outside, safe in HTML: sanitised as for a terminal, then escaped.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in WireText.sanitize(text).unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// At most `limit` characters, with an ellipsis when cut.
    static func cut(_ text: String, _ limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit - 1)) + "…" : text
    }

    private static func segmentName(_ kind: String, _ label: String?, _ occurrence: Int) -> String {
        kind + (label.map { " " + $0 } ?? "") + (occurrence > 1 ? " #\(occurrence)" : "")
    }

    private static func clock(_ t: Double) -> String { ReportSVG.clock(t, tenths: true) }

    private static func f(_ v: Double, _ decimals: Int) -> String { NumberText.fixed(v, decimals) }

    /// The page's one style sheet: a light page on screen, and A4 in print with a page break
    /// before each section and no plot or table row split.
    static let style = """
    :root{--ink:#1b2430;--dim:#5b6673;--rule:#d5dbe2;--accent:#1f4e79;--high:#c0392b;--medium:#d49a00;--low:#138496}
    *{box-sizing:border-box}
    body{margin:0 auto;max-width:1060px;padding:24px 32px 48px;font:14px/1.45 "Helvetica Neue",Helvetica,Arial,"Liberation Sans",sans-serif;color:var(--ink);background:#fff}
    .masthead{display:flex;justify-content:space-between;align-items:flex-end;border-bottom:3px solid var(--accent);padding-bottom:10px;margin-bottom:8px}
    .kicker{margin:0;color:var(--accent);font-size:12px;letter-spacing:.08em;text-transform:uppercase;font-weight:600}
    h1{margin:2px 0 0;font-size:28px;font-weight:650}
    .made{margin:0;text-align:right;color:var(--dim);font-size:12px}
    h2{font-size:19px;margin:26px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--rule);color:var(--accent)}
    h3{font-size:15px;margin:18px 0 6px}
    .procedure{color:var(--dim);font-weight:400}
    .facts{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:4px 28px;margin:0}
    .facts div{display:flex;gap:10px;border-bottom:1px dotted var(--rule);padding:3px 0}
    .facts dt{min-width:84px;color:var(--dim);font-weight:600}
    .facts dd{margin:0}
    .dim{color:var(--dim);font-weight:400}
    .note{color:var(--dim);font-size:12.5px;margin:6px 0}
    .counts{margin:8px 0}
    table.data{border-collapse:collapse;width:100%;margin:6px 0 12px;font-size:13px}
    table.data th,table.data td{padding:4px 8px;border-bottom:1px solid var(--rule);text-align:left;vertical-align:top}
    table.data thead th{background:#eef2f6;border-bottom:2px solid #b8c2cc;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
    table.data tbody th{font-weight:500}
    table.data thead th.name{text-transform:none;letter-spacing:0;font-size:13px}
    .num{text-align:right!important;font-variant-numeric:tabular-nums;white-space:nowrap}
    table.score{width:auto;min-width:60%}
    .compare{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:0 24px}
    table.narrow{width:auto;min-width:50%}
    tr.bookmark td{background:#fff6d6}
    td.id{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12px;white-space:nowrap}
    .pill{display:inline-block;padding:0 7px;border-radius:9px;font-size:11.5px;font-weight:600;color:#fff;white-space:nowrap}
    .pill.high{background:var(--high)}.pill.medium{background:var(--medium);color:#1b2430}.pill.low{background:var(--low)}
    figure.plot{margin:10px 0 14px}
    figcaption{font-weight:600;font-size:13.5px;display:flex;justify-content:space-between;align-items:center}
    .legend{font-weight:400;font-size:12px;color:var(--dim)}
    .legend span{margin-left:14px;white-space:nowrap}
    .legend i{display:inline-block;width:14px;height:4px;margin-right:5px;vertical-align:middle;border-radius:2px}
    .legend i.high{background:var(--high)}.legend i.medium{background:var(--medium)}.legend i.low{background:var(--low)}.legend i.bookmark{background:#7a5c00;width:2px;height:12px}
    svg{width:100%;height:auto;display:block;font-family:inherit}
    svg text{font-size:11px;fill:var(--dim)}
    .ytick{text-anchor:end}.xtick{text-anchor:middle}.xunit{text-anchor:end;font-style:italic}.yunit{text-anchor:middle;font-weight:600}
    .rowlabel{text-anchor:end;fill:var(--ink)!important;font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:10.5px!important}
    .grid{stroke:#e6eaef;stroke-width:1}.frame{fill:none;stroke:#aab4bf;stroke-width:1}.axis,.xtickmark{stroke:#8a96a3;stroke-width:1}
    .series{fill:none;stroke-width:1.3;stroke-linejoin:round}
    .band.low{fill:var(--low);fill-opacity:.10}.band.medium{fill:var(--medium);fill-opacity:.15}.band.high{fill:var(--high);fill-opacity:.12}
    .bandlabel{font-size:10px!important}.bandlabel.low{fill:var(--low)}.bandlabel.medium{fill:#9a7000}.bandlabel.high{fill:var(--high)}
    .rule{stroke:#7d8894;stroke-dasharray:4 3;stroke-width:1}.rulelabel{font-size:10px!important}
    .stripe{fill:#f4f6f8}.bar.high{fill:var(--high)}.bar.medium{fill:var(--medium)}.bar.low{fill:var(--low)}
    .bookmarkline{stroke:#7a5c00;stroke-width:1.2;stroke-dasharray:2 2}
    .nodata{text-anchor:middle;font-style:italic}
    footer{margin-top:32px;padding-top:8px;border-top:1px solid var(--rule);color:var(--dim);font-size:11.5px}
    @page{size:A4;margin:14mm 12mm}
    @media print{
    body{max-width:none;padding:0;font-size:10pt;background:#fff;color:#000}
    section{break-before:page}
    section.first{break-before:auto}
    figure.plot,tr,.facts div,h2,h3{break-inside:avoid}
    h2,h3{break-after:avoid}
    table.data thead th{background:#fff}
    .compare{grid-template-columns:repeat(2,minmax(0,1fr))}
    }
    """
}
