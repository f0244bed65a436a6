import Testing
import Simulator
import Telemetry

@Suite("Arm motion")
struct ArmMotionTests {
    static let halfHour = simulate(SimulatorOptions(seed: 21, armRateHz: 10, includeMasters: true), seconds: 1800)

    func joints(of id: String) -> [JointDescriptor] {
        switch id {
        case "ECM": DVRKArms.ecm
        case "MTML": DVRKArms.mtml
        case "MTMR": DVRKArms.mtmr
        default: DVRKArms.psm
        }
    }

    @Test("every arm frame carries state, joint arrays of the declared length, and its Cartesian data")
    func arraysHaveTheRightShape() {
        for frame in Self.halfHour {
            guard let arm = frame.arm else { continue }
            let count = joints(of: arm.arm).count
            #expect(arm.state != nil && arm.homed == true && arm.following != nil)
            #expect(arm.position?.count == count && arm.velocity?.count == count && arm.effort?.count == count)
            if arm.arm.hasPrefix("PSM") {
                #expect(arm.tip?.count == 3 && arm.orientation?.count == 4 && arm.twist?.count == 6)
                if let q = arm.orientation {
                    let norm = (q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]).squareRoot()
                    #expect(abs(norm - 1) < 1e-6)
                }
                #expect(arm.tip!.allSatisfy { abs($0) <= 0.25 })
            } else {
                #expect(arm.tip == nil && arm.orientation == nil && arm.twist == nil)
            }
            if arm.arm == "ECM" { #expect(arm.jaw == nil) }
            if arm.arm.hasPrefix("MTM") { #expect(arm.jaw != nil) }
        }
    }

    @Test("positions, jaws and efforts stay within the dVRK limits")
    func withinLimits() {
        var outside: [String] = []
        for frame in Self.halfHour {
            guard let arm = frame.arm else { continue }
            for (joint, (p, e)) in zip(joints(of: arm.arm), zip(arm.position!, arm.effort!)) {
                if p < joint.min! || p > joint.max! { outside.append("\(arm.arm).\(joint.name) = \(p) at \(frame.t)") }
                if abs(e) > joint.effortMax! { outside.append("\(arm.arm).\(joint.name) effort \(e) at \(frame.t)") }
            }
            if arm.arm.hasPrefix("PSM"), let jaw = arm.jaw, jaw < DVRKArms.jaw.min! || jaw > DVRKArms.jaw.max! {
                outside.append("\(arm.arm).jaw = \(jaw) at \(frame.t)")
            }
        }
        #expect(outside.isEmpty, "\(outside.prefix(5))")
    }

    @Test("joints touch a hard limit now and then, but rarely")
    func limitsAreTouchedRarely() {
        var touching = 0, samples = 0
        for frame in Self.halfHour {
            guard let arm = frame.arm, arm.arm.hasPrefix("PSM") else { continue }
            samples += 1
            let atLimit = zip(DVRKArms.psm, arm.position!).contains { joint, p in
                joint.unit == .rad && (p == joint.min! || p == joint.max!)
            }
            if atLimit { touching += 1 }
        }
        #expect(touching > 0)
        #expect(Double(touching) / Double(samples) < 0.02)
    }

    @Test("efforts are a fraction of the limit, and occasionally come close to it")
    func effortsArePlausible() {
        var fractions: [Double] = []
        for frame in Self.halfHour {
            guard let arm = frame.arm, arm.arm.hasPrefix("PSM") else { continue }
            for (joint, e) in zip(DVRKArms.psm, arm.effort!) { fractions.append(abs(e) / joint.effortMax!) }
        }
        #expect(quantile(fractions, 0.5) < 0.35)
        #expect(quantile(fractions, 0.5) > 0.02)
        #expect(fractions.max()! > 0.9)
    }

    /// Whether a position step over one tick matches the velocities at both ends (trapezoid
    /// rule), allowing for the 1 µ quantisation and for a move that starts between two ticks.
    func agrees(_ slope: Double, _ v0: Double, _ v1: Double) -> Bool {
        abs(slope - (v0 + v1) / 2) <= 0.002 + 0.02 * abs(v0 + v1) / 2 + 0.5 * abs(v1 - v0)
    }

    @Test("velocity is the derivative of position, and the twist the derivative of the tip")
    func velocitiesMatchPositions() {
        let rate = 500.0
        let frames = simulate(SimulatorOptions(seed: 12, armRateHz: rate), seconds: 120)
        for id in ["PSM1", "PSM2", "ECM"] {
            let samples = frames.arm(id).map(\.sample)
            var checked = 0, mismatched = 0
            for (a, b) in zip(samples, samples.dropFirst()) {
                for j in a.position!.indices {
                    let joint = joints(of: id)[j]
                    // A joint resting on its hard stop reports zero velocity: skip the landing.
                    if [a.position![j], b.position![j]].contains(where: { $0 == joint.min! || $0 == joint.max! }) { continue }
                    let slope = (b.position![j] - a.position![j]) * rate
                    checked += 1
                    if !agrees(slope, a.velocity![j], b.velocity![j]) { mismatched += 1 }
                }
                if let ta = a.tip, let tb = b.tip, let va = a.twist, let vb = b.twist {
                    for k in 0..<3 {
                        let slope = (tb[k] - ta[k]) * rate
                        checked += 1
                        if !agrees(slope, va[k], vb[k]) { mismatched += 1 }
                    }
                    // Angular velocity in the base frame: ω = 2 · vec(dq/dt ⊗ q*).
                    let qa = a.orientation!, qb = b.orientation!
                    let dq = (0..<4).map { (qb[$0] - qa[$0]) * rate }
                    let q = (0..<4).map { (qa[$0] + qb[$0]) / 2 }
                    let omega = [
                        2 * (-dq[3] * q[0] + dq[0] * q[3] - dq[1] * q[2] + dq[2] * q[1]),
                        2 * (-dq[3] * q[1] + dq[1] * q[3] - dq[2] * q[0] + dq[0] * q[2]),
                        2 * (-dq[3] * q[2] + dq[2] * q[3] - dq[0] * q[1] + dq[1] * q[0]),
                    ]
                    for k in 0..<3 {
                        checked += 1
                        if !agrees(omega[k], va[3 + k], vb[3 + k]) { mismatched += 1 }
                    }
                }
            }
            #expect(checked > 100_000)
            #expect(mismatched == 0, "\(id): \(mismatched) of \(checked) samples disagree")
        }
    }

    @Test("the jaw opens and closes in grasping cycles, and insertion goes in and out")
    func graspingAndInsertion() {
        let psm1 = Self.halfHour.arm("PSM1").filter { $0.t < 300 }.map(\.sample)
        var cycles = 0
        var open = false
        for sample in psm1 {
            guard let jaw = sample.jaw else { continue }
            if !open && jaw > 0.5 { open = true }
            if open && jaw < 0.1 { open = false; cycles += 1 }
        }
        #expect(cycles >= 20)
        let insertion = psm1.map { $0.position![2] }
        #expect(insertion.max()! - insertion.min()! > 0.05)
    }

    @Test("the camera arm is still most of the time and moves with camera events")
    func cameraMovesNowAndThen() {
        let ecm = Self.halfHour.arm("ECM")
        let still = ecm.filter { $0.sample.velocity!.allSatisfy { $0 == 0 } }.count
        #expect(Double(still) / Double(ecm.count) > 0.7)
        let cameraEvents = Self.halfHour.events("camera")
        #expect(cameraEvents.count >= 8)
        for event in cameraEvents {
            let moving = ecm.contains { $0.t > event.t && $0.t < event.t + 1.5 && $0.sample.velocity!.contains { $0 != 0 } }
            #expect(moving, "ECM did not move after the camera event at \(event.t)")
        }
    }

    @Test("PSMs stop following during clutch and camera control; masters keep following")
    func followingFlags() {
        for event in Self.halfHour.events("clutch") + Self.halfHour.events("camera") {
            // The first arm tick at or after the event (its state is already applied there).
            let tick = Self.halfHour.first { $0.t >= event.t && $0.arm != nil }!.t
            let arms = Self.halfHour.filter { $0.t == tick }.compactMap(\.arm)
            let psms = arms.filter { $0.arm.hasPrefix("PSM") }
            let masters = arms.filter { $0.arm.hasPrefix("MTM") }
            #expect(psms.count == 3 && masters.count == 2)
            #expect(psms.allSatisfy { $0.following == false }, "PSMs still following after \(event.note.kind) at \(event.t)")
            #expect(masters.allSatisfy { $0.following == true })
        }
        let following = Self.halfHour.arm("PSM1").filter { $0.sample.following == true }.count
        #expect(Double(following) / Double(Self.halfHour.arm("PSM1").count) > 0.8)
    }
}
