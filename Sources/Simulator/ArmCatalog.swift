import Telemetry

/// Effort of one joint as fractions of its effort limit: gravity and cable loads, friction,
/// inertia and sensor noise. Units: per rad (or m) of position, per unit/s of velocity,
/// per unit/s² of acceleration.
struct EffortModel: Sendable {
    var bias = 0.0
    var gravity = 0.0
    var spring = 0.0
    var viscous = 0.0
    var coulomb = 0.0
    var inertia = 0.0
    var noise = 0.01
}

/// Everything that makes one simulated arm what it is.
struct ArmSetup: Sendable {
    var id: String
    var kind: ArmKind
    var joints: [JointDescriptor]
    var styles: [JointStyle]
    var efforts: [EffortModel]
    /// The jaw of a PSM's instrument; a master's gripper is derived from its PSM's jaw.
    var jaw: JointStyle?
    /// For a master: the index of the PSM whose jaw its gripper mirrors.
    var gripperOf: Int?
}

/// The arms of the simulated session and how each one moves. Working ranges are the
/// middle of the dVRK limits, where a surgeon spends most of a case.
enum ArmCatalog {
    static func psm(_ id: String, yawCentre: Double, calm: Double) -> ArmSetup {
        let j = DVRKArms.psm
        var styles = [
            JointStyle(low: yawCentre - 0.4, high: yawCentre + 0.4, step: 0.15, minDuration: 0.8, maxDuration: 2.5),
            JointStyle(low: -0.35, high: 0.55, step: 0.12, minDuration: 0.8, maxDuration: 2.5),
            // Insertion goes in and out over several centimetres.
            JointStyle(low: 0.07, high: 0.19, step: 0.03, minDuration: 1.0, maxDuration: 4.0, holdChance: 0.25),
            JointStyle(low: -2.2, high: 2.2, step: 0.7, minDuration: 0.6, maxDuration: 2.0),
            JointStyle(low: -0.9, high: 0.9, step: 0.35, minDuration: 0.4, maxDuration: 1.5),
            JointStyle(low: -0.9, high: 0.9, step: 0.35, minDuration: 0.4, maxDuration: 1.5),
        ]
        var jaw = JointStyle(pattern: .grasp(closedLow: -0.15, closedHigh: 0.04),
                             low: 0.5, high: 1.2, step: 0, minDuration: 0.8, maxDuration: 4.0)
        if calm > 1 {
            styles = styles.map { $0.calmer(by: calm) }
            jaw = jaw.calmer(by: calm)
        }
        let efforts = [
            EffortModel(gravity: 0.06, viscous: 0.25, coulomb: 0.04, inertia: 0.04, noise: 0.015),
            EffortModel(bias: 0.18, gravity: 0.15, viscous: 0.25, coulomb: 0.04, inertia: 0.05, noise: 0.015),
            // Instrument weight along the shaft, cannula friction.
            EffortModel(bias: 0.2, viscous: 1.5, coulomb: 0.08, inertia: 0.3, noise: 0.01),
            EffortModel(viscous: 0.04, coulomb: 0.12, inertia: 0.01, noise: 0.03),
            // Wrist cables pull back towards neutral.
            EffortModel(spring: 0.18, viscous: 0.05, coulomb: 0.08, inertia: 0.01, noise: 0.03),
            EffortModel(spring: 0.18, viscous: 0.05, coulomb: 0.08, inertia: 0.01, noise: 0.03),
        ]
        return ArmSetup(id: id, kind: .psm, joints: j, styles: styles, efforts: efforts, jaw: jaw)
    }

    /// The camera arm moves only when the surgeon takes the camera, slowly and not far.
    static var ecm: ArmSetup {
        let styles = [
            JointStyle(low: -0.35, high: 0.35, step: 0.12, minDuration: 1.5, maxDuration: 3.0, holdChance: 0.1),
            JointStyle(low: 0.0, high: 0.45, step: 0.1, minDuration: 1.5, maxDuration: 3.0, holdChance: 0.1),
            JointStyle(low: 0.06, high: 0.13, step: 0.015, minDuration: 1.5, maxDuration: 3.0, holdChance: 0.1),
            JointStyle(low: -0.25, high: 0.25, step: 0.08, minDuration: 1.5, maxDuration: 3.0, holdChance: 0.1),
        ]
        let efforts = [
            EffortModel(gravity: 0.02, viscous: 0.1, coulomb: 0.02, inertia: 0.05, noise: 0.004),
            // The heaviest axis: holding the endoscope up against gravity.
            EffortModel(bias: 0.22, gravity: 0.2, viscous: 0.1, coulomb: 0.02, inertia: 0.05, noise: 0.004),
            EffortModel(bias: 0.12, viscous: 0.6, coulomb: 0.03, inertia: 0.1, noise: 0.003),
            EffortModel(spring: 0.1, viscous: 0.1, coulomb: 0.05, inertia: 0.02, noise: 0.01),
        ]
        return ArmSetup(id: "ECM", kind: .ecm, joints: DVRKArms.ecm, styles: styles, efforts: efforts)
    }

    /// A surgeon-side master; `mirror` is +1 for the right hand, −1 for the left.
    static func mtm(_ id: String, joints: [JointDescriptor], mirror: Double, gripperOf psm: Int) -> ArmSetup {
        let styles = [
            JointStyle(low: mirror > 0 ? -0.55 : -0.15, high: mirror > 0 ? 0.15 : 0.55,
                       step: 0.12, minDuration: 0.7, maxDuration: 2.2),
            JointStyle(low: 0.2, high: 0.75, step: 0.12, minDuration: 0.7, maxDuration: 2.2),
            JointStyle(low: -0.45, high: 0.25, step: 0.12, minDuration: 0.7, maxDuration: 2.2),
            JointStyle(low: mirror > 0 ? 0.0 : -1.6, high: mirror > 0 ? 1.6 : 0.0, step: 0.4, minDuration: 0.6, maxDuration: 2.0),
            JointStyle(low: -0.3, high: 1.2, step: 0.35, minDuration: 0.5, maxDuration: 1.6),
            JointStyle(low: -0.5, high: 0.5, step: 0.2, minDuration: 0.5, maxDuration: 1.6),
            JointStyle(low: -2.5, high: 2.5, step: 0.8, minDuration: 0.6, maxDuration: 2.0),
        ]
        // Gravity compensation dominates the shoulder and elbow; the wrist is light.
        let efforts = [
            EffortModel(gravity: 0.03, viscous: 0.1, coulomb: 0.03, inertia: 0.02, noise: 0.01),
            EffortModel(bias: 0.25, gravity: 0.2, viscous: 0.1, coulomb: 0.03, inertia: 0.02, noise: 0.01),
            EffortModel(bias: 0.1, gravity: 0.15, viscous: 0.1, coulomb: 0.03, inertia: 0.02, noise: 0.01),
            EffortModel(viscous: 0.05, coulomb: 0.05, inertia: 0.01, noise: 0.02),
            EffortModel(gravity: 0.1, viscous: 0.05, coulomb: 0.05, inertia: 0.01, noise: 0.02),
            EffortModel(spring: 0.1, viscous: 0.05, coulomb: 0.05, inertia: 0.01, noise: 0.02),
            EffortModel(viscous: 0.02, coulomb: 0.1, inertia: 0.005, noise: 0.03),
        ]
        return ArmSetup(id: id, kind: .mtm, joints: joints, styles: styles, efforts: efforts, gripperOf: psm)
    }

    /// PSM1 and PSM2 are the surgeon's right and left hands; PSM3 retracts and barely moves.
    /// The masters, when present, drive PSM1 (MTMR) and PSM2 (MTML).
    static func arms(includeMasters: Bool) -> [ArmSetup] {
        var arms = [
            psm("PSM1", yawCentre: 0.35, calm: 1),
            psm("PSM2", yawCentre: -0.35, calm: 1),
            psm("PSM3", yawCentre: 0.8, calm: 3),
            ecm,
        ]
        if includeMasters {
            arms.append(mtm("MTML", joints: DVRKArms.mtml, mirror: -1, gripperOf: 1))
            arms.append(mtm("MTMR", joints: DVRKArms.mtmr, mirror: 1, gripperOf: 0))
        }
        return arms
    }
}
