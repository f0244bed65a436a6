import Telemetry

/// The "Skill measures" section of the human-readable report; text from the wire sanitised.
enum SkillText {
    /// Segments printed at most; `--json` has them all.
    static let segmentLines = 50

    static func lines(_ s: SkillReport) -> [String] {
        var out = ["", "Skill measures (tool tip; lengths mm, speeds mm/s, volume cm³):"]
        out += measures(s.session, indent: "  ")
        if !s.segments.isEmpty || s.segmentsLeftOut > 0 {
            out.append("  Segments: \(s.segments.count + s.segmentsLeftOut)")
            for segment in s.segments.prefix(segmentLines) {
                let label = segment.label.map { " " + WireText.sanitize($0) } ?? ""
                out.append("    \(segment.kind)\(label)  \(ReportText.duration(segment.start)) to \(ReportText.duration(segment.end))"
                    + " (\(ReportText.duration(segment.end - segment.start)))")
                out += measures(segment.measures, indent: "      ")
            }
            let hidden = s.segments.count - min(s.segments.count, segmentLines) + s.segmentsLeftOut
            if hidden > 0 { out.append("    … \(hidden) more" + (s.segmentsLeftOut > 0 ? " (\(s.segmentsLeftOut) beyond the report's limit)" : " (see --json)")) }
        }
        return out
    }

    private static func measures(_ m: SkillReport.Measures, indent: String) -> [String] {
        let f = ReportText.f
        var out: [String] = []
        for arm in m.arms {
            let box = arm.workspaceMm.map { f($0, 1) }.joined(separator: "×")
            out.append(indent + ReportText.padded(WireText.sanitize(arm.arm), 6)
                + " time \(ReportText.duration(arm.taskTime)), path \(f(arm.pathLengthMm, 1)),"
                + " speed mean \(f(arm.meanSpeedMmS, 1)) peak \(f(arm.peakSpeedMmS, 1)),"
                + " \(arm.movements) movement\(arm.movements == 1 ? "" : "s"), idle \(ReportText.duration(arm.idleSeconds)),"
                + " workspace \(box) (\(f(arm.workspaceCm3, 2))), LDLJ \(arm.ldlj.map { f($0, 2) } ?? "-")"
                + (arm.skippedSamples > 0 ? ", \(arm.skippedSamples) samples skipped" : "")
                + (arm.gaps > 0 ? ", \(arm.gaps) gap\(arm.gaps == 1 ? "" : "s")" : ""))
        }
        if m.arms.isEmpty { out.append(indent + "no tool-tip positions") }
        let energy = m.energyActiveSeconds.sorted { $0.key < $1.key }
            .map { "\(WireText.sanitize($0.key)) \(ReportText.duration($0.value))" }.joined(separator: ", ")
        out.append(indent + "clutch presses \(m.clutchPresses), camera moves \(m.cameraMoves)"
            + (energy.isEmpty ? "" : ", energy active: " + energy))
        return out
    }
}
