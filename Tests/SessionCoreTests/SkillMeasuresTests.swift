import Foundation
import Testing
import Telemetry
@testable import SessionCore

/// The skill measures against values computed by hand on small synthetic tracks.
@Suite("Skill measures")
struct SkillMeasuresTests {
    static func tip(_ t: Double, _ x: Double, _ y: Double = 0, _ z: Double = 0, arm: String = "PSM1") -> Frame {
        Frame(t: t, body: .arm(ArmSample(arm: arm, tip: [x, y, z])))
    }

    static func event(_ t: Double, _ kind: String, _ text: String? = nil) -> Frame {
        Frame(t: t, body: .event(EventNote(kind: kind, text: text)))
    }

    static func measures(_ frames: [Frame]) -> SkillReport {
        var builder = SkillMeasuresBuilder()
        for frame in frames { builder.add(frame) }
        return builder.finish()
    }

    /// x from 0 to `metres` at 100 Hz over `seconds`.
    static func line(from start: Double = 0, seconds: Double = 1, metres: Double = 0.1) -> [Frame] {
        let n = Int(seconds * 100)
        return (0...n).map { k in tip(start + Double(k) / 100, metres * Double(k) / Double(n)) }
    }

    @Test("a straight line at constant speed: 100 mm in 1 s, 100 mm/s throughout, one movement, no volume")
    func straightLine() throws {
        let arm = try #require(Self.measures(Self.line()).session.arms.first)
        #expect(arm.arm == "PSM1")
        #expect(arm.samples == 101)
        #expect(abs(arm.taskTime - 1) < 1e-9)
        #expect(abs(arm.pathLengthMm - 100) < 1e-6)
        #expect(abs(arm.meanSpeedMmS - 100) < 1e-6)
        #expect(abs(arm.peakSpeedMmS - 100) < 1e-6)
        #expect(arm.movements == 1)
        #expect(arm.idleSeconds == 0)
        #expect(abs(arm.workspaceMm[0] - 100) < 1e-9 && arm.workspaceMm[1] == 0 && arm.workspaceMm[2] == 0)
        #expect(arm.workspaceCm3 == 0)
        #expect(arm.ldlj == nil, "a speed profile without jerk has no finite LDLJ")
    }

    @Test("a diagonal line: path √(10²+20²+30²) mm and a 10×20×30 mm box of 6 cm³")
    func diagonal() throws {
        let frames = (0...10).map { k in Self.tip(Double(k) / 10, 0.001 * Double(k), 0.002 * Double(k), 0.003 * Double(k)) }
        let arm = try #require(Self.measures(frames).session.arms.first)
        #expect(abs(arm.pathLengthMm - (1400.0).squareRoot()) < 1e-9)
        #expect(abs(arm.workspaceCm3 - 6) < 1e-9)
    }

    @Test("a circle of 50 mm radius in 2 s: path 2πr, constant speed πr mm/s, a 100×100×0 mm box")
    func circle() throws {
        let r = 0.05
        let frames = (0...1000).map { k -> Frame in
            let a = 2 * Double.pi * Double(k) / 1000
            return Self.tip(Double(k) * 0.002, r * cos(a), r * sin(a), 0.02)
        }
        let arm = try #require(Self.measures(frames).session.arms.first)
        #expect(abs(arm.pathLengthMm - 2 * .pi * 50) < 0.01)
        #expect(abs(arm.meanSpeedMmS - .pi * 50) < 0.01)
        #expect(abs(arm.peakSpeedMmS - .pi * 50) < 0.01)
        #expect(arm.movements == 1)
        #expect(abs(arm.workspaceMm[0] - 100) < 1e-6 && abs(arm.workspaceMm[1] - 100) < 1e-3 && arm.workspaceMm[2] == 0)
        #expect(arm.workspaceCm3 == 0)
    }

    @Test("a still arm: no path, no speed, no movement, idle all the time")
    func still() throws {
        let frames = (0...30).map { k in Self.tip(Double(k) / 30, 0.01, 0.02, 0.03) }
        let arm = try #require(Self.measures(frames).session.arms.first)
        #expect(arm.pathLengthMm == 0 && arm.meanSpeedMmS == 0 && arm.peakSpeedMmS == 0)
        #expect(arm.movements == 0)
        #expect(abs(arm.idleSeconds - 1) < 1e-9 && abs(arm.taskTime - 1) < 1e-9)
        #expect(arm.workspaceCm3 == 0)
        #expect(arm.ldlj == nil)
    }

    @Test("a minimum-jerk reach has LDLJ −ln(720 / 1.875²) = −5.32, whatever its length and duration")
    func minimumJerk() throws {
        // v(τ) = D/T·30(τ² − 2τ³ + τ⁴): v_peak = 1.875 D/T, ∫(d²v/dt²)² dt = 720 D²/T⁵.
        let expected = -log(720 / (1.875 * 1.875))
        for (d, seconds) in [(0.1, 4.0), (0.3, 8.0)] {
            let n = Int(seconds * 250)
            let frames = (0...n).map { k -> Frame in
                let s = Double(k) / Double(n)
                return Self.tip(seconds * s, d * (10 * pow(s, 3) - 15 * pow(s, 4) + 6 * pow(s, 5)))
            }
            let arm = try #require(Self.measures(frames).session.arms.first)
            let ldlj = try #require(arm.ldlj)
            #expect(abs(ldlj - expected) < 0.05, "LDLJ \(ldlj) for \(d) m in \(seconds) s")
            #expect(arm.movements == 1)
        }
    }

    @Test("a slow then fast then slow track counts two movements above the threshold")
    func movements() throws {
        // 100 mm/s, still for 1 s, 100 mm/s again: two speed peaks separated by a stop.
        var frames = Self.line()
        frames += (1...100).map { k in Self.tip(1 + Double(k) / 100, 0.1) }
        frames += (1...100).map { k in Self.tip(2 + Double(k) / 100, 0.1 + 0.001 * Double(k)) }
        let arm = try #require(Self.measures(frames).session.arms.first)
        #expect(arm.movements == 2)
        #expect(abs(arm.pathLengthMm - 200) < 1e-6)
        // Idle once the 0.1 s smoothing window (10 intervals) holds only the stop: the intervals
        // ending at 1.10 … 2.00 s, 91 of 10 ms.
        #expect(abs(arm.idleSeconds - 0.91) < 1e-6)
    }

    @Test("non-finite, absurd, wrongly sized, out-of-order and duplicate samples are skipped and counted")
    func skipped() throws {
        var frames = Self.line()
        frames.insert(Self.tip(0.5, .nan), at: 51)
        frames.insert(Self.tip(0.3, 0.9), at: 52)
        frames.insert(Self.tip(0.5, 0.9), at: 53)
        frames.insert(Frame(t: 0.555, body: .arm(ArmSample(arm: "PSM1", tip: [0.9, 0.9]))), at: 54)
        frames.insert(Frame(t: 0.556, body: .arm(ArmSample(arm: "PSM1", tip: [0.9, .infinity, 0]))), at: 55)
        frames.insert(Self.tip(0.557, 1e300, -1e300), at: 56)  // no tip position: would overflow every sum
        let next = try #require(frames.firstIndex { $0.t == 0.57 })
        frames.insert(Self.tip(0.56 + 1e-9, 0.56), at: next)  // a nanosecond after the sample at 0.56 s
        let arm = try #require(Self.measures(frames).session.arms.first)
        #expect(arm.skippedSamples == 7)
        #expect(arm.samples == 101)
        #expect(abs(arm.pathLengthMm - 100) < 1e-6)
    }

    @Test("a gap and a clutch add no straight-line jump to the path")
    func gapAndClutch() throws {
        var frames = Self.line()
        frames.append(Self.tip(3, 0.5))  // 2 s of silence, then 400 mm away
        frames.append(Self.tip(3.01, 0.501))
        frames.append(Self.event(3.015, "clutch"))
        frames.append(Self.tip(3.02, 0.3))  // the master re-centred during the clutch
        frames.append(Self.tip(3.03, 0.301))
        let arm = try #require(Self.measures(frames).session.arms.first)
        #expect(arm.gaps == 1)
        #expect(abs(arm.pathLengthMm - 102) < 1e-6)
        #expect(abs(arm.trackedTime - 1.02) < 1e-9)
    }

    @Test("clutch presses and camera moves are counted from events")
    func events() {
        let r = Self.measures([Self.event(1, "clutch"), Self.event(2, "camera"), Self.event(3, "clutch"),
                               Self.event(4, "note"), Self.event(5, "camera"), Self.event(6, "clutch")])
        #expect(r.session.clutchPresses == 3)
        #expect(r.session.cameraMoves == 2)
        #expect(r.session.arms.isEmpty)
    }

    @Test("energy-active time from instrument frames, still-active energy counted to the end")
    func energy() {
        func energy(_ t: Double, _ on: Bool?, _ arm: String = "PSM1") -> Frame {
            Frame(t: t, body: .instrument(InstrumentSample(arm: arm, energy: .bipolar, energyActive: on)))
        }
        let r = Self.measures([energy(0, false), energy(2, true), energy(3, true), energy(3.5, false), energy(4, nil),
                               energy(5, true), energy(4.5, false, "PSM2"), Self.event(6, "note")])
        // PSM2 never delivered energy: only instruments that did are listed.
        #expect(r.session.energyActiveSeconds == ["PSM1": 2.5])
    }

    @Test("gesture events split the track into segments measured on their own")
    func gestures() throws {
        var frames = Self.line(seconds: 2, metres: 0.2)
        frames.insert(Self.event(0, "gesture", "G1"), at: 0)
        frames.insert(Self.event(1, "gesture", "G2"), at: 101)  // before the sample at 1 s
        frames.insert(Self.event(0.5, "clutch"), at: 51)
        let r = Self.measures(frames)
        #expect(r.segments.map(\.kind) == ["gesture", "gesture"])
        #expect(r.segments.map(\.label) == ["G1", "G2"])
        #expect(r.segments.map(\.start) == [0, 1] && r.segments.map(\.end) == [1, 2])
        let paths = r.segments.map { $0.measures.arms.first?.pathLengthMm ?? -1 }
        // G1 has the samples 0 … 0.99 s less the interval across the clutch; G2 those of 1 … 2 s.
        #expect(abs(paths[0] - 98) < 1e-6 && abs(paths[1] - 100) < 1e-6)
        #expect(r.segments.map(\.measures.clutchPresses) == [1, 0])
        #expect(abs((r.session.arms.first?.pathLengthMm ?? 0) - 199) < 1e-6)
    }

    @Test("teleop_engaged to teleop_paused is a segment; one still engaged at the end closes there")
    func teleop() throws {
        var frames = Self.line(seconds: 2, metres: 0.2)
        frames.insert(Self.event(0.505, "teleop_engaged"), at: 51)
        frames.insert(Self.event(1.505, "teleop_paused"), at: 152)
        frames.insert(Self.event(1.805, "teleop_engaged"), at: 183)
        let r = Self.measures(frames)
        #expect(r.segments.map(\.kind) == ["teleop", "teleop"])
        #expect(r.segments.map(\.start) == [0.505, 1.805] && r.segments.map(\.end) == [1.505, 2])
        let first = try #require(r.segments.first?.measures.arms.first)
        #expect(abs(first.pathLengthMm - 99) < 1e-6 && abs(first.taskTime - 0.99) < 1e-9)
        #expect(abs((r.segments.last?.measures.arms.first?.pathLengthMm ?? 0) - 19) < 1e-6)
    }

    @Test("energy already active when a segment opens counts from its start")
    func energyInSegment() {
        let r = Self.measures([Frame(t: 0, body: .instrument(InstrumentSample(arm: "PSM1", energyActive: true))),
                               Self.event(1, "gesture", "G1"), Self.event(4, "note")])
        #expect(r.segments.first?.measures.energyActiveSeconds == ["PSM1": 3])
        #expect(r.session.energyActiveSeconds == ["PSM1": 4])
    }

    @Test("the report prints a Skill measures section with each arm and segment")
    func reportText() {
        var builder = SessionReportBuilder()
        builder.add(Frame(t: 0, body: .session(SessionInfo(id: "S", arms: [ArmDescriptor(id: "PSM1", kind: .psm)]))))
        builder.add(Self.event(0, "gesture", "G1\u{1B}[31m"))
        for frame in Self.line() { builder.add(frame) }
        builder.add(Self.event(1, "camera"))
        let text = ReportText.render(builder.finish(), file: "x")
        #expect(text.contains("""

            Skill measures (tool tip; lengths mm, speeds mm/s, volume cm³):
              PSM1   time 1.0 s, path 100.0, speed mean 100.0 peak 100.0, 1 movement, idle 0.0 s, workspace 100.0×0.0×0.0 (0.00), LDLJ -
              clutch presses 0, camera moves 1
              Segments: 1
                gesture G1  0.0 s to 1.0 s (1.0 s)
                  PSM1   time 1.0 s, path 100.0, speed mean 100.0 peak 100.0, 1 movement, idle 0.0 s, workspace 100.0×0.0×0.0 (0.00), LDLJ -
                  clutch presses 0, camera moves 1
            """))
    }
}
