import SystemCalls
import Telemetry

/// One simulated arm: joint tracks on a motion clock, operating state, and the effort,
/// tool-tip pose and twist that follow from the motion.
struct ArmModel: Sendable {
    let id: String
    let kind: ArmKind
    let jointCount: Int
    private let lower: [Double]
    private let upper: [Double]
    private let effortMax: [Double]
    private let efforts: [EffortModel]
    /// Speed below which friction fades out (rad/s, or m/s for insertion).
    private let frictionWidth: [Double]
    /// Extra effort, as a fraction of the limit, while a joint presses on its hard stop.
    private let contactGain: [Double]
    private var tracks: [JointTrack]
    private var jawTrack: JointTrack?
    private let jawLower = DVRKArms.jaw.min ?? -0.698132
    private let jawUpper = DVRKArms.jaw.max ?? 1.39626
    /// For a master: the PSM whose jaw its gripper mirrors.
    let gripperOf: Int?

    private var clock = MotionClock(speed: 1)
    private var motionRng: Xoshiro256
    private var noiseRng: Xoshiro256

    // What the arm reports of itself; set by the script.
    var state: OperatingState = .enabled
    var following = true
    /// A PSM without an instrument has no jaw to report.
    var hasJaw: Bool
    /// The latest jaw angle, which a master's gripper mirrors.
    private(set) var lastJaw = 0.0

    // A collision: an effort surge on some joints between two times.
    private var surgeStart = 0.0
    private var surgeEnd = -1.0
    private var surge: [Double]

    // Buffers handed out in frames. Taken out and put back on every sample, so they are
    // rewritten in place (no allocation) whenever the consumer has let go of the last frame.
    private var position: [Double]
    private var velocity: [Double]
    private var effort: [Double]
    private var tip: [Double]
    private var orientation: [Double]
    private var twist: [Double]
    /// p, v, a, contact per joint: never leaves the arm.
    private var work: [Double]

    init(setup: ArmSetup, seed: UInt64, index: Int) {
        id = setup.id
        kind = setup.kind
        jointCount = setup.joints.count
        lower = setup.joints.map { $0.min ?? -Double.infinity }
        upper = setup.joints.map { $0.max ?? Double.infinity }
        effortMax = setup.joints.map { $0.effortMax ?? 1 }
        efforts = setup.efforts
        frictionWidth = setup.joints.map { $0.unit == .m ? 0.002 : 0.02 }
        // Insertion rests on its lower stop during an instrument change without pushing.
        contactGain = setup.joints.map { $0.unit == .m ? 0 : 0.6 }
        gripperOf = setup.gripperOf
        motionRng = Xoshiro256(seed: seed, stream: 0x100 + UInt64(index))
        noiseRng = Xoshiro256(seed: seed, stream: 0x200 + UInt64(index))
        var tracks: [JointTrack] = []
        for (joint, style) in zip(setup.joints, setup.styles) {
            tracks.append(JointTrack(style: style, lower: joint.min ?? -.infinity, upper: joint.max ?? .infinity,
                                     rng: &motionRng))
        }
        self.tracks = tracks
        if let jaw = setup.jaw {
            jawTrack = JointTrack(style: jaw, lower: jawLower, upper: jawUpper, rng: &motionRng)
        }
        hasJaw = setup.jaw != nil || setup.gripperOf != nil
        let n = jointCount
        surge = Array(repeating: 0, count: n)
        position = Array(repeating: 0, count: n)
        velocity = Array(repeating: 0, count: n)
        effort = Array(repeating: 0, count: n)
        work = Array(repeating: 0, count: 4 * n)
        let cartesian = setup.kind == .psm
        tip = cartesian ? [0, 0, 0] : []
        orientation = cartesian ? [0, 0, 0, 1] : []
        twist = cartesian ? [0, 0, 0, 0, 0, 0] : []
    }

    // MARK: - script controls

    /// Sets how fast the arm moves from `t`: 1 while it follows or is being handled, 0 to hold.
    mutating func setSpeed(_ speed: Double, at t: Double, fullRamp: Double = 0.25) {
        clock.set(speed: speed, at: t, fullRamp: fullRamp)
    }

    /// Drives joint `joint` (or the jaw, with `nil`) to `value` and holds it there.
    mutating func pin(joint: Int?, to value: Double, over duration: Double, at t: Double) {
        let tau = clock.state(at: t).tau
        if let joint {
            tracks[joint].pin(to: value, over: duration, at: tau, rng: &motionRng)
        } else {
            jawTrack?.pin(to: value, over: duration, at: tau, rng: &motionRng)
        }
    }

    /// Holds every joint where it is, coming to rest over `duration`.
    mutating func pinAll(over duration: Double, at t: Double) {
        let tau = clock.state(at: t).tau
        for j in tracks.indices {
            let here = tracks[j].evaluate(at: tau, rng: &motionRng).p
            tracks[j].pin(to: clamped(here, lower[j], upper[j]), over: duration, at: tau, rng: &motionRng)
        }
    }

    /// Lets every pinned joint (and the jaw) wander again.
    mutating func releaseAll(at t: Double) {
        let tau = clock.state(at: t).tau
        for j in tracks.indices { tracks[j].release(at: tau, rng: &motionRng) }
        jawTrack?.release(at: tau, rng: &motionRng)
    }

    mutating func release(joint: Int, at t: Double) {
        tracks[joint].release(at: clock.state(at: t).tau, rng: &motionRng)
    }

    /// An effort surge from a collision, `levels` per joint as signed fractions of the limit.
    mutating func collide(from start: Double, until end: Double, levels: [Double]) {
        surgeStart = start
        surgeEnd = end
        for j in surge.indices { surge[j] = j < levels.count ? levels[j] : 0 }
    }

    func limits(of joint: Int) -> (lower: Double, upper: Double) {
        (lower[joint], upper[joint])
    }

    // MARK: - sampling

    /// The arm's frame body at session time `t`. `gripper` is a master's gripper angle.
    mutating func sample(at t: Double, gripper: Double?) -> ArmSample {
        let now = clock.state(at: t)
        let n = jointCount
        var raw: [Double] = []
        swap(&raw, &work)
        raw.withUnsafeMutableBufferPointer { r in
            for j in 0..<n {
                let k = tracks[j].evaluate(at: now.tau, rng: &motionRng)
                var p = k.p
                var v = k.v * now.speed
                var a = k.a * now.speed * now.speed + k.v * now.rate
                var contact = 0.0
                // A joint scripted onto its hard stop rests there, pressing into it.
                if p >= upper[j] {
                    p = upper[j]
                    if v >= 0 { v = 0; a = 0; contact = 1 }
                } else if p <= lower[j] {
                    p = lower[j]
                    if v <= 0 { v = 0; a = 0; contact = -1 }
                }
                r[4 * j] = p
                r[4 * j + 1] = v
                r[4 * j + 2] = a
                r[4 * j + 3] = contact
            }
        }
        let surgeLevel = t >= surgeStart && t < surgeEnd
            ? min(1, (t - surgeStart) / 0.08) * (1 - 0.6 * (t - surgeStart) / (surgeEnd - surgeStart))
            : 0
        // With a fault the amplifiers are off and the brakes hold the arm.
        let power = state == .fault ? 0.05 : 1
        var pos: [Double] = []
        var vel: [Double] = []
        var eff: [Double] = []
        swap(&pos, &position)
        swap(&vel, &velocity)
        swap(&eff, &effort)
        raw.withUnsafeBufferPointer { r in
            pos.withUnsafeMutableBufferPointer { pb in
                for j in 0..<n { pb[j] = quantized(r[4 * j], 1e6) }
            }
            vel.withUnsafeMutableBufferPointer { vb in
                for j in 0..<n { vb[j] = quantized(r[4 * j + 1], 1e6) }
            }
            eff.withUnsafeMutableBufferPointer { eb in
                for j in 0..<n {
                    let p = r[4 * j], v = r[4 * j + 1], a = r[4 * j + 2]
                    let m = efforts[j]
                    var e = m.bias + m.gravity * roughSin(p) + m.spring * p + m.viscous * v
                        + m.coulomb * softSign(v, frictionWidth[j]) + m.inertia * a
                        + m.noise * noiseRng.wobble()
                    e += r[4 * j + 3] * contactGain[j]
                    e += surge[j] * surgeLevel
                    e = clamped(e * power, -0.97, 0.97)
                    eb[j] = quantized(e * effortMax[j], 1e5)
                }
            }
        }
        var jaw: Double? = nil
        if let gripper {
            jaw = quantized(gripper, 1e6)
        } else if jawTrack != nil {
            let k = jawTrack!.evaluate(at: now.tau, rng: &motionRng)
            lastJaw = clamped(k.p, jawLower, jawUpper)
            if hasJaw { jaw = quantized(lastJaw, 1e6) }
        }
        let sample: ArmSample
        if kind == .psm {
            toolPose(raw)
            sample = ArmSample(arm: id, state: state, homed: true, following: following,
                               position: pos, velocity: vel, effort: eff,
                               tip: tip, orientation: orientation, twist: twist, jaw: jaw)
        } else {
            sample = ArmSample(arm: id, state: state, homed: true, following: following,
                               position: pos, velocity: vel, effort: eff, jaw: jaw)
        }
        swap(&raw, &work)
        swap(&pos, &position)
        swap(&vel, &velocity)
        swap(&eff, &effort)
        return sample
    }

    /// Tool-tip pose and twist of a PSM in its remote-centre-of-motion frame (CRTK
    /// measured_cp / measured_cv): the shaft pivots about the RCM by yaw and pitch, the tip
    /// sits `insertion − 15.6 mm` along it, and roll and the wrist turn the tip.
    private mutating func toolPose(_ raw: [Double]) {
        let yaw = raw[0], pitch = raw[4], insertion = raw[8], roll = raw[12]
        let wristPitch = raw[16], wristYaw = raw[20]
        let yawRate = raw[1], pitchRate = raw[5], insertionRate = raw[9], rollRate = raw[13]
        let wristPitchRate = raw[17], wristYawRate = raw[21]

        // Half-angle sines and cosines; full angles follow without more libm calls.
        let sy = Math.sin(-0.5 * yaw), cy = Math.cos(-0.5 * yaw)
        let sp = Math.sin(-0.5 * pitch), cp = Math.cos(-0.5 * pitch)
        let sr = Math.sin(0.5 * roll), cr = Math.cos(0.5 * roll)
        let swp = Math.sin(0.5 * wristPitch), cwp = Math.cos(0.5 * wristPitch)
        let swy = Math.sin(0.5 * wristYaw), cwy = Math.cos(0.5 * wristYaw)
        let sinYaw = -2 * sy * cy, cosYaw = cy * cy - sy * sy
        let sinPitch = -2 * sp * cp, cosPitch = cp * cp - sp * sp

        // Shaft direction and tip position.
        let dx = sinYaw * cosPitch, dy = -sinPitch, dz = -cosYaw * cosPitch
        let r = insertion - 0.0156
        let tx = r * dx, ty = r * dy, tz = r * dz
        // d/dt of r·d(yaw, pitch).
        let vx = insertionRate * dx + r * (yawRate * cosYaw * cosPitch - pitchRate * sinYaw * sinPitch)
        let vy = insertionRate * dy - r * pitchRate * cosPitch
        let vz = insertionRate * dz + r * (yawRate * sinYaw * cosPitch + pitchRate * cosYaw * sinPitch)

        // q = Ry(−yaw) · Rx(−pitch) · Rz(roll) · Rx(wrist pitch) · Ry(wrist yaw), as x y z w.
        // Q2 = Ry(−yaw)·Rx(−pitch)
        let w2 = cy * cp, x2 = cy * sp, y2 = sy * cp, z2 = -sy * sp
        // Q3 = Q2·Rz(roll)
        let w3 = w2 * cr - z2 * sr, x3 = x2 * cr + y2 * sr, y3 = y2 * cr - x2 * sr, z3 = w2 * sr + z2 * cr
        // Q4 = Q3·Rx(wrist pitch)
        let w4 = w3 * cwp - x3 * swp, x4 = w3 * swp + x3 * cwp, y4 = y3 * cwp + z3 * swp, z4 = z3 * cwp - y3 * swp
        // Q5 = Q4·Ry(wrist yaw)
        let w5 = w4 * cwy - y4 * swy, x5 = x4 * cwy - z4 * swy, y5 = w4 * swy + y4 * cwy, z5 = z4 * cwy + x4 * swy

        // Angular velocity: each joint's rate about its axis, expressed in the base frame.
        // Yaw turns about −y; pitch about −(Q1·x); roll about Q2·z; wrist about Q3·x, Q4·y.
        var wx = 0.0, wy = -yawRate, wz = 0.0
        wx -= pitchRate * cosYaw
        wz -= pitchRate * sinYaw
        wx += rollRate * 2 * (x2 * z2 + y2 * w2)
        wy += rollRate * 2 * (y2 * z2 - x2 * w2)
        wz += rollRate * (1 - 2 * (x2 * x2 + y2 * y2))
        wx += wristPitchRate * (1 - 2 * (y3 * y3 + z3 * z3))
        wy += wristPitchRate * 2 * (x3 * y3 + z3 * w3)
        wz += wristPitchRate * 2 * (x3 * z3 - y3 * w3)
        wx += wristYawRate * 2 * (x4 * y4 - z4 * w4)
        wy += wristYawRate * (1 - 2 * (x4 * x4 + z4 * z4))
        wz += wristYawRate * 2 * (y4 * z4 + x4 * w4)

        tip.withUnsafeMutableBufferPointer { b in
            b[0] = quantized(tx, 1e6)
            b[1] = quantized(ty, 1e6)
            b[2] = quantized(tz, 1e6)
        }
        orientation.withUnsafeMutableBufferPointer { b in
            b[0] = quantized(x5, 1e7)
            b[1] = quantized(y5, 1e7)
            b[2] = quantized(z5, 1e7)
            b[3] = quantized(w5, 1e7)
        }
        twist.withUnsafeMutableBufferPointer { b in
            b[0] = quantized(vx, 1e6)
            b[1] = quantized(vy, 1e6)
            b[2] = quantized(vz, 1e6)
            b[3] = quantized(wx, 1e6)
            b[4] = quantized(wy, 1e6)
            b[5] = quantized(wz, 1e6)
        }
    }
}
