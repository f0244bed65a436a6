import Testing
import Telemetry
@testable import SessionCore

/// `report A --baseline B`: the trainee's measures beside the expert's, on tracks whose
/// measures are known by hand.
@Suite("Skill comparison with a baseline")
struct SkillComparisonTests {
    typealias T = SkillMeasuresTests

    /// x from 0 to `mm` millimetres in 1 s at 100 Hz, starting at `start`.
    static func line(_ mm: Double, start: Double = 0, arm: String = "PSM1") -> [Frame] {
        (0...100).map { k in T.tip(start + Double(k) / 100, mm / 1000 * Double(k) / 100, arm: arm) }
    }

    /// The trainee: PSM1 walks 100 mm in 1 s (G1), MTML 30 mm in 1 s (G2); one clutch, energy 2 s.
    static let trainee: SkillReport = T.measures(
        [T.event(0, "gesture", "G1")] + line(100)
            + [T.event(1.5, "gesture", "G2")] + line(30, start: 1.5, arm: "MTML")
            + [Frame(t: 2.6, body: .instrument(InstrumentSample(arm: "PSM1", energyActive: true))),
               Frame(t: 4.6, body: .instrument(InstrumentSample(arm: "PSM1", energyActive: false))),
               T.event(4.7, "clutch")])

    /// The expert: PSM1 walks 50 mm in 1 s (G1), PSM2 40 mm (G3); no clutch, energy 1 s.
    static let expert: SkillReport = T.measures(
        [T.event(0, "gesture", "G1")] + line(50)
            + [T.event(1.5, "gesture", "G3")] + line(40, start: 1.5, arm: "PSM2")
            + [Frame(t: 2.6, body: .instrument(InstrumentSample(arm: "PSM1", energyActive: true))),
               Frame(t: 3.6, body: .instrument(InstrumentSample(arm: "PSM1", energyActive: false)))])

    static let comparison = SkillComparison(trainee: trainee, baseline: expert, file: "expert.ndjson", sessionId: "E1")

    @Test("an arm both have: each measure side by side, difference trainee − baseline, ratio trainee ÷ baseline")
    func sideBySide() throws {
        let psm1 = try #require(Self.comparison.session.arms.first { $0.arm == "PSM1" })
        let path = try #require(psm1.measures["path_length_mm"])
        #expect(abs(path.trainee! - 100) < 1e-6 && abs(path.baseline! - 50) < 1e-6)
        #expect(abs(path.difference! - 50) < 1e-6)
        #expect(abs(path.ratio! - 2) < 1e-9)
        let time = try #require(psm1.measures["task_time"])
        #expect(abs(time.difference!) < 1e-9 && abs(time.ratio! - 1) < 1e-9, "both took 1 s")
        let speed = try #require(psm1.measures["mean_speed_mm_s"])
        #expect(abs(speed.trainee! - 100) < 1e-6 && abs(speed.ratio! - 2) < 1e-6)
        #expect(Set(psm1.measures.keys) == Set(SkillComparison.armMeasures.map(\.key)))
    }

    @Test("no ratio where the baseline is 0 or the measure is a logarithm; no difference without both values")
    func ratioOnlyWhereMeaningful() throws {
        let psm1 = try #require(Self.comparison.session.arms.first { $0.arm == "PSM1" })
        let idle = try #require(psm1.measures["idle_seconds"])
        #expect(idle.baseline == 0 && idle.difference == 0 && idle.ratio == nil)
        let ldlj = try #require(psm1.measures["ldlj"])
        #expect(ldlj.trainee == nil && ldlj.baseline == nil && ldlj.difference == nil && ldlj.ratio == nil,
                "a constant speed has no LDLJ")
        #expect(SkillComparison.armMeasures.first { $0.key == "ldlj" }?.hasRatio == false)
        let clutch = Self.comparison.session.clutchPresses
        #expect(clutch.trainee == 1 && clutch.baseline == 0 && clutch.difference == 1 && clutch.ratio == nil)
        let energy = try #require(Self.comparison.session.energyActiveSeconds["PSM1"])
        #expect(abs(energy.difference! - 1) < 1e-9 && abs(energy.ratio! - 2) < 1e-9)
    }

    @Test("arms and segments of one recording only are listed as such; segments pair by kind, label and occurrence")
    func onlyInOne() throws {
        #expect(Self.comparison.session.traineeOnlyArms == ["MTML"])
        #expect(Self.comparison.session.baselineOnlyArms == ["PSM2"])
        #expect(Self.comparison.segments.map(\.label) == ["G1"])
        let g1 = try #require(Self.comparison.segments.first)
        #expect(abs(g1.comparison.arms[0].measures["path_length_mm"]!.difference! - 50) < 1e-6)
        #expect(Self.comparison.traineeOnlySegments.map(\.label) == ["G2"])
        #expect(Self.comparison.baselineOnlySegments.map(\.label) == ["G3"])
    }

    @Test("the text names the baseline and prints each measure with difference and ratio")
    func text() {
        let text = SkillComparisonText.lines(Self.comparison).joined(separator: "\n")
        #expect(text.contains("Compared with the baseline 'expert.ndjson' (session E1)"))
        #expect(text.contains("path length, mm              100.0        50.0       +50.0       2.00×"))
        #expect(text.contains("arms of the trainee only: MTML"))
        #expect(text.contains("arms of the baseline only: PSM2"))
        #expect(text.contains("Segments of the trainee only: gesture G2"))
    }
}
