/// How one joint moves in surgery: where it works, how far and how often it goes.
struct JointStyle: Sendable {
    enum Pattern: Sendable {
        /// A bounded random walk between waypoints, with still moments: reaching, dissecting.
        case wander
        /// Jaw grasping cycles: open, hold, close (slightly below 0 when squeezing), hold.
        case grasp(closedLow: Double, closedHigh: Double)
    }

    var pattern: Pattern = .wander
    /// Working range: waypoints stay inside it (for `grasp`, the open range).
    var low: Double
    var high: Double
    /// Typical distance between successive waypoints (one standard deviation).
    var step: Double
    /// Seconds of motion between waypoints.
    var minDuration: Double
    var maxDuration: Double
    /// Chance that a waypoint repeats the last one: the joint rests for a moment.
    var holdChance: Double = 0.2

    /// The same style with slower, rarer moves (a retracting arm barely moves).
    func calmer(by factor: Double) -> JointStyle {
        var style = self
        style.minDuration *= factor
        style.maxDuration *= factor
        style.holdChance = min(0.8, holdChance * factor)
        return style
    }
}

/// A joint trajectory through random waypoints, as a C¹ cubic Hermite spline.
///
/// Tangents follow Fritsch–Butland (harmonic mean of the neighbouring slopes, zero at a
/// turn), which keeps every segment monotone: the joint never overshoots its waypoints,
/// so it stays within limits without clipping, and velocity and acceleration are exact
/// derivatives. Time here is the arm's motion time (see `MotionClock`).
struct JointTrack: Sendable {
    let style: JointStyle
    /// Hard limits of the joint.
    let lower: Double
    let upper: Double

    // The current segment, p(x) = a + b·x + c·x² + d·x³ with x = τ − start.
    private var start = 0.0
    private var end = 0.0
    private var a = 0.0, b = 0.0, c = 0.0, d = 0.0
    /// Where the segment ends, and the slope there.
    private var target = 0.0
    private var targetSlope = 0.0
    /// The waypoint after `target`, already drawn so `targetSlope` can be known.
    private var nextValue = 0.0
    private var nextDuration = 1.0
    /// The last waypoint drawn, which the random walk starts from.
    private var lastWaypoint = 0.0
    private var graspPhase = 0
    /// A scripted target held until `release` (limit touch, instrument change, stop).
    private(set) var pinned = false
    private var pinValue = 0.0

    init(style: JointStyle, lower: Double, upper: Double, rng: inout Xoshiro256) {
        self.style = style
        self.lower = lower
        self.upper = upper
        let initial = rng.uniform(style.low, style.high)
        lastWaypoint = initial
        if case .grasp(let closedLow, let closedHigh) = style.pattern {
            lastWaypoint = rng.uniform(closedLow, closedHigh)
        }
        let startValue = lastWaypoint
        let first = drawWaypoint(&rng)
        let second = drawWaypoint(&rng)
        setSegment(from: startValue, slope: 0, at: 0, to: first.value, duration: first.duration,
                   then: second.value, after: second.duration)
    }

    /// Position, velocity and acceleration (per unit of motion time) at motion time `tau`.
    @inline(__always)
    mutating func evaluate(at tau: Double, rng: inout Xoshiro256) -> (p: Double, v: Double, a: Double) {
        while tau >= end { advance(&rng) }
        let x = tau - start
        let p = a + x * (b + x * (c + x * d))
        let v = b + x * (2 * c + 3 * d * x)
        let acc = 2 * c + 6 * d * x
        return (p, v, acc)
    }

    /// Moves smoothly from wherever the joint is at `tau` to `value`, arriving at rest after
    /// `duration` of motion time, and holds it there until `release`.
    mutating func pin(to value: Double, over duration: Double, at tau: Double, rng: inout Xoshiro256) {
        let now = evaluate(at: tau, rng: &rng)
        pinned = true
        pinValue = value
        start = tau
        end = tau + max(duration, 1e-3)
        target = value
        targetSlope = 0
        fit(p0: now.p, m0: now.v, p1: value, m1: 0, duration: end - start)
    }

    /// Resumes the random walk from wherever the joint is at `tau`.
    mutating func release(at tau: Double, rng: inout Xoshiro256) {
        guard pinned else { return }
        let now = evaluate(at: tau, rng: &rng)
        pinned = false
        lastWaypoint = clamped(now.p, style.low, style.high)
        let first = drawWaypoint(&rng)
        let second = drawWaypoint(&rng)
        setSegment(from: now.p, slope: now.v, at: tau, to: first.value, duration: first.duration,
                   then: second.value, after: second.duration)
    }

    private mutating func advance(_ rng: inout Xoshiro256) {
        if pinned {
            // Arrived: hold still for as long as the script wants.
            start = end
            end = .infinity
            a = pinValue
            b = 0
            c = 0
            d = 0
            return
        }
        let following = drawWaypoint(&rng)
        setSegment(from: target, slope: targetSlope, at: end, to: nextValue, duration: nextDuration,
                   then: following.value, after: following.duration)
    }

    private mutating func setSegment(from p0: Double, slope m0: Double, at tau: Double,
                                     to p1: Double, duration: Double,
                                     then p2: Double, after duration2: Double) {
        let m1 = Self.monotoneSlope((p1 - p0) / duration, (p2 - p1) / duration2)
        start = tau
        end = tau + duration
        target = p1
        targetSlope = m1
        nextValue = p2
        nextDuration = duration2
        fit(p0: p0, m0: m0, p1: p1, m1: m1, duration: duration)
    }

    private mutating func fit(p0: Double, m0: Double, p1: Double, m1: Double, duration h: Double) {
        let slope = (p1 - p0) / h
        a = p0
        b = m0
        c = (3 * slope - 2 * m0 - m1) / h
        d = (m0 + m1 - 2 * slope) / (h * h)
    }

    /// Fritsch–Butland: the harmonic mean of the slopes on each side, or 0 at a turn.
    private static func monotoneSlope(_ left: Double, _ right: Double) -> Double {
        guard left * right > 0 else { return 0 }
        return 2 * left * right / (left + right)
    }

    private mutating func drawWaypoint(_ rng: inout Xoshiro256) -> (value: Double, duration: Double) {
        switch style.pattern {
        case .wander:
            if rng.chance(style.holdChance) {
                return (lastWaypoint, rng.uniform(style.minDuration, style.maxDuration * 1.5))
            }
            var value = lastWaypoint + style.step * rng.normal()
            // Reflect off the working range, so the walk lingers nowhere in particular.
            if value > style.high { value = 2 * style.high - value }
            if value < style.low { value = 2 * style.low - value }
            value = clamped(value, style.low, style.high)
            lastWaypoint = value
            return (value, rng.uniform(style.minDuration, style.maxDuration))
        case .grasp(let closedLow, let closedHigh):
            graspPhase = (graspPhase + 1) % 4
            switch graspPhase {
            case 1:  // open
                lastWaypoint = rng.uniform(style.low, style.high)
                return (lastWaypoint, rng.uniform(0.25, 0.5))
            case 2:  // hold open while positioning around tissue or needle
                return (lastWaypoint, rng.uniform(0.2, 1.2))
            case 3:  // close
                lastWaypoint = rng.uniform(closedLow, closedHigh)
                return (lastWaypoint, rng.uniform(0.15, 0.35))
            default:  // hold closed: grasping, pulling, driving a needle
                return (lastWaypoint, rng.uniform(style.minDuration, style.maxDuration))
            }
        }
    }
}

/// An arm's motion time: runs at full speed while the arm moves and slows smoothly to a stop
/// when it must hold still (clutch, camera control, pause, fault). Joint tracks are functions
/// of motion time, so stopping never makes a position jump, and velocity = dp/dτ · speed.
struct MotionClock: Sendable {
    private var refTime = 0.0
    private var refTau = 0.0
    private var fromSpeed: Double
    private var toSpeed: Double
    private var ramp = 0.0

    init(speed: Double) {
        fromSpeed = speed
        toSpeed = speed
    }

    /// Motion time, speed and speed's rate of change at session time `t` (t ≥ last change).
    @inline(__always)
    func state(at t: Double) -> (tau: Double, speed: Double, rate: Double) {
        let x = t - refTime
        if x >= ramp {
            return (refTau + 0.5 * (fromSpeed + toSpeed) * ramp + toSpeed * (x - ramp), toSpeed, 0)
        }
        let rate = (toSpeed - fromSpeed) / ramp
        return (refTau + fromSpeed * x + 0.5 * rate * x * x, fromSpeed + rate * x, rate)
    }

    /// Heads for `speed` from time `t`, taking `fullRamp` seconds for a whole stop or start.
    mutating func set(speed: Double, at t: Double, fullRamp: Double) {
        guard speed != toSpeed else { return }
        let now = state(at: t)
        refTime = t
        refTau = now.tau
        fromSpeed = now.speed
        toSpeed = speed
        ramp = abs(speed - now.speed) * fullRamp
    }
}
