import Telemetry

/// A trainee's skill measures beside an expert's (`surgtop report A --baseline B`): every measure
/// of every arm both have, over the session and over each segment both have, with the
/// difference (trainee − baseline) and, for measures on a ratio scale, the ratio
/// (trainee ÷ baseline). Arms and segments found in one recording only are listed as such.
public struct SkillComparison: Sendable, Codable, Equatable {
    /// One measure of both: the values, the difference and (when it means something) the ratio.
    public struct Value: Sendable, Codable, Equatable {
        public var trainee: Double?
        public var baseline: Double?
        /// trainee − baseline, when both have a value and it is finite.
        public var difference: Double?
        /// trainee ÷ baseline, for a measure on a ratio scale with a baseline above 0, when finite.
        public var ratio: Double?

        init(_ a: Double?, _ b: Double?, ratio meaningful: Bool) {
            trainee = a
            baseline = b
            if let a, let b {
                // A tiny baseline makes a ratio (or two huge values a difference) overflow to
                // infinity: no number to show, and none JSON can hold.
                difference = (a - b).isFinite ? a - b : nil
                if meaningful, b > 0, (a / b).isFinite { ratio = a / b }
            }
        }
    }

    /// One arm's measures, by the `ArmSkill` JSON key (`path_length_mm`, …).
    public struct Arm: Sendable, Codable, Equatable {
        public var arm: String
        public var measures: [String: Value]
    }

    /// One stretch compared: the arms both have, and those found in one only.
    public struct Stretch: Sendable, Codable, Equatable {
        public var arms: [Arm] = []
        public var traineeOnlyArms: [String] = []
        public var baselineOnlyArms: [String] = []
        public var clutchPresses: Value
        public var cameraMoves: Value
        /// Energy-active seconds per instrument arm either has (0 for the other).
        public var energyActiveSeconds: [String: Value] = [:]
    }

    /// A segment both recordings have: the n-th (`occurrence`, from 1) of its kind and label.
    public struct Segment: Sendable, Codable, Equatable {
        public var kind: String
        public var label: String?
        public var occurrence: Int
        public var trainee: Span
        public var baseline: Span
        public var comparison: Stretch
    }

    /// A segment found in one recording only.
    public struct LoneSegment: Sendable, Codable, Equatable {
        public var kind: String
        public var label: String?
        public var occurrence: Int
        public var start: Double
        public var end: Double
    }

    public struct Span: Sendable, Codable, Equatable {
        public var start: Double
        public var end: Double
    }

    /// The baseline recording, as named on the command line, and its session.
    public var file: String
    public var sessionId: String?
    public var session: Stretch
    public var segments: [Segment] = []
    public var traineeOnlySegments: [LoneSegment] = []
    public var baselineOnlySegments: [LoneSegment] = []

    /// One measure of an arm: its JSON key, how people read it, and whether a ratio means something.
    public struct Measure: Sendable {
        public var key: String
        public var label: String
        public var unit: String
        /// Counts, times, lengths, speeds and volumes have a true zero: a ratio means "1.4× as long".
        /// LDLJ is a logarithm: only its difference means something.
        public var hasRatio: Bool
        public var value: @Sendable (SkillReport.ArmSkill) -> Double?
    }

    /// The arm measures compared, in the order they are printed.
    public static let armMeasures: [Measure] = [
        .init(key: "task_time", label: "task time", unit: "s", hasRatio: true) { $0.taskTime },
        .init(key: "path_length_mm", label: "path length", unit: "mm", hasRatio: true) { $0.pathLengthMm },
        .init(key: "mean_speed_mm_s", label: "mean speed", unit: "mm/s", hasRatio: true) { $0.meanSpeedMmS },
        .init(key: "peak_speed_mm_s", label: "peak speed", unit: "mm/s", hasRatio: true) { $0.peakSpeedMmS },
        .init(key: "movements", label: "movements", unit: "", hasRatio: true) { Double($0.movements) },
        .init(key: "idle_seconds", label: "idle time", unit: "s", hasRatio: true) { $0.idleSeconds },
        .init(key: "workspace_cm3", label: "workspace", unit: "cm³", hasRatio: true) { $0.workspaceCm3 },
        .init(key: "ldlj", label: "smoothness (LDLJ)", unit: "", hasRatio: false) { $0.ldlj },
    ]

    public init(trainee: SkillReport, baseline: SkillReport, file: String, sessionId: String?) {
        self.file = file
        self.sessionId = sessionId
        session = Self.compare(trainee.session, baseline.session)
        // Segments pair by kind, label and occurrence: the second G3 of one with the second G3 of the other.
        let a = Self.numbered(trainee.segments), b = Self.numbered(baseline.segments)
        for (key, segment) in a {
            if let other = b.first(where: { $0.key == key })?.segment {
                segments.append(.init(kind: key.kind, label: key.label, occurrence: key.occurrence,
                                      trainee: .init(start: segment.start, end: segment.end),
                                      baseline: .init(start: other.start, end: other.end),
                                      comparison: Self.compare(segment.measures, other.measures)))
            } else {
                traineeOnlySegments.append(Self.lone(key, segment))
            }
        }
        for (key, segment) in b where !a.contains(where: { $0.key == key }) {
            baselineOnlySegments.append(Self.lone(key, segment))
        }
    }

    struct SegmentKey: Equatable {
        var kind: String
        var label: String?
        var occurrence: Int
    }

    private static func numbered(_ segments: [SkillReport.Segment]) -> [(key: SegmentKey, segment: SkillReport.Segment)] {
        var seen: [String: Int] = [:]
        return segments.map { segment in
            let name = segment.kind + "\u{0}" + (segment.label ?? "")
            seen[name, default: 0] += 1
            return (SegmentKey(kind: segment.kind, label: segment.label, occurrence: seen[name]!), segment)
        }
    }

    private static func lone(_ key: SegmentKey, _ segment: SkillReport.Segment) -> LoneSegment {
        .init(kind: key.kind, label: key.label, occurrence: key.occurrence, start: segment.start, end: segment.end)
    }

    static func compare(_ a: SkillReport.Measures, _ b: SkillReport.Measures) -> Stretch {
        var out = Stretch(clutchPresses: .init(Double(a.clutchPresses), Double(b.clutchPresses), ratio: true),
                          cameraMoves: .init(Double(a.cameraMoves), Double(b.cameraMoves), ratio: true))
        for arm in a.arms {
            guard let other = b.arms.first(where: { $0.arm == arm.arm }) else {
                out.traineeOnlyArms.append(arm.arm)
                continue
            }
            var measures: [String: Value] = [:]
            for m in armMeasures { measures[m.key] = Value(m.value(arm), m.value(other), ratio: m.hasRatio) }
            out.arms.append(.init(arm: arm.arm, measures: measures))
        }
        out.baselineOnlyArms = b.arms.map(\.arm).filter { id in !a.arms.contains { $0.arm == id } }
        for arm in Set(a.energyActiveSeconds.keys).union(b.energyActiveSeconds.keys) {
            out.energyActiveSeconds[arm] = Value(a.energyActiveSeconds[arm] ?? 0, b.energyActiveSeconds[arm] ?? 0, ratio: true)
        }
        return out
    }
}

/// The comparison as text, after the trainee's report; wire text sanitised.
public enum SkillComparisonText {
    public static func lines(_ c: SkillComparison) -> [String] {
        var out = ["", "Compared with the baseline \(WireText.quoted(c.file))"
            + (c.sessionId.map { " (session \(WireText.sanitize($0)))" } ?? "")
            + ": trainee, baseline, difference (trainee − baseline), ratio (trainee ÷ baseline)"]
        out.append("  Whole session")
        out += stretch(c.session, indent: "    ")
        for segment in c.segments {
            out.append("  \(name(segment.kind, segment.label, segment.occurrence))  trainee \(ReportText.duration(segment.trainee.start))"
                + " to \(ReportText.duration(segment.trainee.end)), baseline \(ReportText.duration(segment.baseline.start))"
                + " to \(ReportText.duration(segment.baseline.end))")
            out += stretch(segment.comparison, indent: "    ")
        }
        for (title, lone) in [("Segments of the trainee only", c.traineeOnlySegments), ("Segments of the baseline only", c.baselineOnlySegments)]
        where !lone.isEmpty {
            out.append("  \(title): " + lone.map { "\(name($0.kind, $0.label, $0.occurrence)) (\(ReportText.duration($0.start)) to \(ReportText.duration($0.end)))" }
                .joined(separator: ", "))
        }
        return out
    }

    private static func name(_ kind: String, _ label: String?, _ occurrence: Int) -> String {
        kind + (label.map { " " + WireText.sanitize($0) } ?? "") + (occurrence > 1 ? " #\(occurrence)" : "")
    }

    private static func stretch(_ s: SkillComparison.Stretch, indent: String) -> [String] {
        var out: [String] = []
        let header = column("trainee") + column("baseline") + column("difference") + column("ratio")
        for arm in s.arms {
            out.append(indent + ReportText.padded(WireText.sanitize(arm.arm), 24) + header)
            for m in SkillComparison.armMeasures {
                guard let v = arm.measures[m.key] else { continue }
                out.append(indent + "  " + ReportText.padded(m.label + (m.unit.isEmpty ? "" : ", " + m.unit), 22) + row(v, decimals: m.key == "movements" ? 0 : (m.key == "workspace_cm3" || m.key == "ldlj" ? 2 : 1)))
            }
        }
        if !s.traineeOnlyArms.isEmpty { out.append(indent + "arms of the trainee only: " + s.traineeOnlyArms.map(WireText.sanitize).joined(separator: ", ")) }
        if !s.baselineOnlyArms.isEmpty { out.append(indent + "arms of the baseline only: " + s.baselineOnlyArms.map(WireText.sanitize).joined(separator: ", ")) }
        if s.arms.isEmpty && s.traineeOnlyArms.isEmpty && s.baselineOnlyArms.isEmpty { out.append(indent + "no tool-tip positions in either") }
        out.append(indent + ReportText.padded("clutch presses", 24) + row(s.clutchPresses, decimals: 0))
        out.append(indent + ReportText.padded("camera moves", 24) + row(s.cameraMoves, decimals: 0))
        for (arm, v) in s.energyActiveSeconds.sorted(by: { $0.key < $1.key }) {
            out.append(indent + ReportText.padded("energy active \(WireText.sanitize(arm)), s", 24) + row(v, decimals: 1))
        }
        return out
    }

    private static func column(_ text: String) -> String {
        String(repeating: " ", count: max(1, 12 - text.count)) + text
    }

    private static func row(_ v: SkillComparison.Value, decimals: Int) -> String {
        let f = { (x: Double?) in x.map { NumberText.fixed($0, decimals) } ?? "-" }
        let difference = v.difference.map { ($0 > 0 ? "+" : "") + NumberText.fixed($0, decimals) } ?? "-"
        return column(f(v.trainee)) + column(f(v.baseline)) + column(difference) + column(v.ratio.map { NumberText.fixed($0, 2) + "×" } ?? "-")
    }
}
