import DequeModule
import Telemetry
import SystemCalls  // Math.log: libm stays behind SystemCalls

/// The skill measures of a training report (README "Skill measures"): per arm whose frames carry a
/// tool-tip position, over the whole session and over each segment that events mark. Lengths in mm,
/// speeds in mm/s, volumes in cm³, times in session seconds.
public struct SkillReport: Sendable, Codable, Equatable {
    /// The measures of one arm's tool tip over a stretch of the session.
    public struct ArmSkill: Sendable, Codable, Equatable {
        public var arm: String
        /// Tip samples used, and those skipped (non-finite, not x/y/z, out of order or duplicate t).
        public var samples: Int = 0
        public var skippedSamples: Int = 0
        /// Seconds from the first to the last tip sample.
        public var taskTime: Double = 0
        /// Seconds covered by sample intervals that counted (gaps and clutches left out).
        public var trackedTime: Double = 0
        /// Economy of motion, Σ‖p(i+1) − p(i)‖ over counted intervals, mm.
        public var pathLengthMm: Double = 0
        public var meanSpeedMmS: Double = 0
        public var peakSpeedMmS: Double = 0
        public var movements: Int = 0
        public var idleSeconds: Double = 0
        /// Axis-aligned bounding box of the tip positions: its extent per axis (mm) and volume (cm³).
        public var workspaceMm: [Double] = [0, 0, 0]
        public var workspaceCm3: Double = 0
        /// Log dimensionless jerk of the speed profile; absent when it is undefined (no movement,
        /// or a speed profile without any jerk).
        public var ldlj: Double?
        /// Intervals longer than `SkillThresholds.maxGapSeconds`, not added to the path.
        public var gaps: Int = 0
    }

    /// The measures of one segment marked by events.
    public struct Segment: Sendable, Codable, Equatable {
        /// `gesture` (from one `gesture` event to the next, or to a `gesture_end`) or `teleop` (from `teleop_engaged`
        /// to `teleop_paused`).
        public var kind: String
        /// The gesture event's text (e.g. `G3`); absent for teleoperation.
        public var label: String?
        public var start: Double
        public var end: Double
        public var measures: Measures
    }

    /// The measures of one stretch: per arm, and those that come from events and instruments.
    public struct Measures: Sendable, Codable, Equatable {
        public var arms: [ArmSkill] = []
        public var clutchPresses: Int = 0
        public var cameraMoves: Int = 0
        /// Seconds with the instrument energy active, per instrument arm.
        public var energyActiveSeconds: [String: Double] = [:]
    }

    public var thresholds = SkillThresholds()
    /// The whole session.
    public var session = Measures()
    /// Segments in order of their start (at most `SkillMeasuresBuilder.segmentLimit`).
    public var segments: [Segment] = []
    /// Segments beyond the limit, not reported.
    public var segmentsLeftOut = 0

    /// Whether there is nothing to report (no tip, no clutch, camera, energy or segment).
    public var isEmpty: Bool {
        session.arms.isEmpty && session.clutchPresses == 0 && session.cameraMoves == 0
            && session.energyActiveSeconds.isEmpty && segments.isEmpty
    }
}

/// The thresholds of the skill measures, reported with them so a report says what it used.
public struct SkillThresholds: Sendable, Codable, Equatable {
    /// Below this smoothed tip speed the arm is idle, mm/s.
    public var idleSpeedMmS = 5.0
    /// A movement starts when the smoothed speed rises above this, mm/s …
    public var movementStartMmS = 20.0
    /// … and ends when it falls below this (hysteresis: noise around one level is one movement).
    public var movementEndMmS = 10.0
    /// A sample interval longer than this is a gap: no straight-line jump is added, s.
    public var maxGapSeconds = 0.25
    /// Speeds are smoothed over this span of the latest sample intervals, s (3 samples at 30 Hz).
    public var smoothingSeconds = 0.1
    /// A dimensionless jerk below this (LDLJ above about 20.7) is floating-point noise, not motion;
    /// the smoothest rest-to-rest reach (minimum jerk) has LDLJ −5.3.
    public static let dimensionlessJerkFloor = 1e-9
    /// A tip coordinate beyond this is no position (a hostile or broken source), m: bounding
    /// it keeps every sum, speed and volume finite.
    public static let tipRangeMetres = 1_000.0
    /// A sample less than this after the previous one is a duplicate, s (a 1 MHz source at most).
    public static let minIntervalSeconds = 1e-6
}

/// Streams one arm's tip samples into its measures, in bounded memory: running sums, the bounding
/// box, and the last few speeds for the smoothing window and the jerk's finite differences.
struct TipTrack: Sendable {
    let thresholds: SkillThresholds
    var result: SkillReport.ArmSkill
    private var first: Double?
    /// The latest sample's time: a sample at or before it is out of order or a duplicate.
    private var latest: Double?
    private var last: (t: Double, p: SIMD3<Double>)?
    private var low = SIMD3<Double>(repeating: .infinity)
    private var high = SIMD3<Double>(repeating: -.infinity)
    /// Recent intervals (end time, length mm, seconds) within the smoothing window.
    /// A deque with running sums: a stream with samples a microsecond apart holds 100,000 of them,
    /// and summing those for every sample would make a report quadratic.
    private var window = Deque<(t: Double, mm: Double, dt: Double)>()
    private var windowMm = 0.0, windowDt = 0.0
    /// The last smoothed speeds with their times, for d²v/dt².
    private var speeds: [(t: Double, v: Double)] = []
    private var jerkIntegral = 0.0
    private var moving = false

    init(arm: String, thresholds: SkillThresholds) {
        self.thresholds = thresholds
        result = .init(arm: arm)
    }

    /// The next run of samples starts afresh (a clutch: the tip's jump is no motion to measure).
    mutating func breakRun() {
        last = nil
        window.removeAll()
        windowMm = 0
        windowDt = 0
        speeds.removeAll()
    }

    mutating func add(t: Double, tip: Readings) {
        guard tip.count == 3, t.isFinite, tip.allSatisfy({ abs($0) <= SkillThresholds.tipRangeMetres }) else {
            result.skippedSamples += 1
            return
        }
        let p = SIMD3(tip[tip.startIndex], tip[tip.startIndex + 1], tip[tip.startIndex + 2]) * 1000  // m → mm
        if let latest, t < latest + SkillThresholds.minIntervalSeconds {
            result.skippedSamples += 1
            return
        }
        latest = t
        result.samples += 1
        if first == nil { first = t }
        result.taskTime = t - (first ?? t)
        low = pointwiseMin(low, p)
        high = pointwiseMax(high, p)
        defer { last = (t, p) }
        guard let last else { return }
        let dt = t - last.t
        if dt > thresholds.maxGapSeconds {
            result.gaps += 1
            window.removeAll()
            windowMm = 0
            windowDt = 0
            speeds.removeAll()
            return
        }
        let mm = ((p - last.p) * (p - last.p)).sum().squareRoot()
        result.pathLengthMm += mm
        result.trackedTime += dt
        window.append((t, mm, dt))
        windowMm += mm
        windowDt += dt
        // Keep the intervals that end within the window (always at least the latest).
        while window.count > 1, t - (window[0].t - window[0].dt) > thresholds.smoothingSeconds + 1e-9 {
            let old = window.removeFirst()
            windowMm -= old.mm
            windowDt -= old.dt
        }
        // Re-summed when one interval is left, so rounding from the running sums cannot build up.
        if window.count == 1 { windowMm = window[0].mm; windowDt = window[0].dt }
        let v = windowMm / windowDt
        result.peakSpeedMmS = max(result.peakSpeedMmS, v)
        if v < thresholds.idleSpeedMmS { result.idleSeconds += dt }
        if !moving, v > thresholds.movementStartMmS {
            moving = true
            result.movements += 1
        } else if moving, v < thresholds.movementEndMmS {
            moving = false
        }
        speeds.append((t, v))
        if speeds.count > 3 { speeds.removeFirst() }
        if speeds.count == 3 {
            // d²v/dt² by the three-point difference for uneven spacing, over the middle sample's span.
            let (a, b, c) = (speeds[0], speeds[1], speeds[2])
            let second = 2 * ((c.v - b.v) / (c.t - b.t) - (b.v - a.v) / (b.t - a.t)) / (c.t - a.t)
            jerkIntegral += second * second * (c.t - a.t) / 2
        }
    }

    func finish() -> SkillReport.ArmSkill {
        var r = result
        if r.samples > 0 {
            let extent = high - low
            r.workspaceMm = [extent.x, extent.y, extent.z]
            r.workspaceCm3 = extent.x * extent.y * extent.z / 1000
        }
        r.meanSpeedMmS = r.trackedTime > 0 ? r.pathLengthMm / r.trackedTime : 0
        // LDLJ = −ln((T³ / v_peak²) ∫ (d²v/dt²)² dt), T the tracked time (Balasubramanian 2012).
        let dimensionless = r.trackedTime * r.trackedTime * r.trackedTime / (r.peakSpeedMmS * r.peakSpeedMmS) * jerkIntegral
        // Below the floor the jerk is rounding noise of a constant speed: no finite LDLJ to report.
        if r.peakSpeedMmS > 0, dimensionless > SkillThresholds.dimensionlessJerkFloor, dimensionless.isFinite {
            r.ldlj = -Math.log(dimensionless)
        }
        return r
    }
}

/// The measures of one stretch (the session, or one segment) as frames arrive.
struct SkillStretch: Sendable {
    let thresholds: SkillThresholds
    let start: Double
    private(set) var tracks: [TipTrack] = []
    private(set) var clutchPresses = 0
    private(set) var cameraMoves = 0
    private var energySince: [String: Double] = [:]
    private var energySeconds: [String: Double] = [:]

    /// A stretch from `start`, with the instruments whose energy is active already.
    init(start: Double, thresholds: SkillThresholds, energyActive arms: [String] = []) {
        self.start = start
        self.thresholds = thresholds
        for arm in arms { energySince[arm] = start }
    }

    var energyActiveArms: [String] { Array(energySince.keys) }

    mutating func add(_ frame: Frame, armLimit: Int) {
        switch frame.body {
        case .arm(let sample):
            guard let tip = sample.tip else { return }
            // A few arms: comparing ids beats hashing one per frame.
            if let k = tracks.firstIndex(where: { $0.result.arm == sample.arm }) {
                tracks[k].add(t: frame.t, tip: tip)
            } else if tracks.count < armLimit {
                tracks.append(TipTrack(arm: sample.arm, thresholds: thresholds))
                tracks[tracks.count - 1].add(t: frame.t, tip: tip)
            }
        case .instrument(let sample):
            guard let active = sample.energyActive, frame.t.isFinite else { return }
            // Bounded as the state bounds instrument arms: a stream inventing arm names by the
            // million must not grow these.
            if active, energySince[sample.arm] == nil, energySince.count < armLimit,
               energySeconds[sample.arm] != nil || energySeconds.count < armLimit {
                energySince[sample.arm] = frame.t
            } else if !active, let since = energySince.removeValue(forKey: sample.arm) {
                energySeconds[sample.arm, default: 0] += max(0, frame.t - since)
            }
        case .event(let event):
            switch event.kind {
            case "clutch":
                clutchPresses += 1
                for k in tracks.indices { tracks[k].breakRun() }
            case "camera": cameraMoves += 1
            default: break
            }
        default: break
        }
    }

    /// The measures, still-active energy counted up to `end`.
    func finish(at end: Double) -> SkillReport.Measures {
        var energy = energySeconds
        for (arm, since) in energySince { energy[arm, default: 0] += max(0, end - since) }
        return .init(arms: tracks.map { $0.finish() }, clutchPresses: clutchPresses, cameraMoves: cameraMoves,
                     energyActiveSeconds: energy)
    }
}

/// Feeds frames into a `SkillReport`: the session, plus the open gesture and teleoperation segments.
public struct SkillMeasuresBuilder: Sendable {
    public var thresholds = SkillThresholds()
    /// Segments reported, at most (a hostile file marking a gesture per line stays bounded).
    public var segmentLimit = 1_000
    /// Arms measured per stretch, at most.
    public var armLimit = 32

    private var session: SkillStretch?
    private var gesture: (label: String?, stretch: SkillStretch)?
    private var teleop: SkillStretch?
    private var segments: [SkillReport.Segment] = []
    private var segmentsLeftOut = 0
    private var lastT: Double?

    public init() {}

    public mutating func add(_ frame: Frame) {
        let t = frame.t
        guard t.isFinite else { return }
        if session == nil { session = SkillStretch(start: t, thresholds: thresholds) }
        lastT = max(lastT ?? t, t)
        if case .event(let event) = frame.body {
            switch event.kind {
            case "gesture":
                close(gesture?.stretch, kind: "gesture", label: gesture?.label, at: t)
                gesture = (event.text, stretch(from: t))
            case "gesture_end":
                // The end of a transcribed gesture with a gap before the next: the gap is no segment.
                close(gesture?.stretch, kind: "gesture", label: gesture?.label, at: t)
                gesture = nil
            case "teleop_engaged" where teleop == nil:
                teleop = stretch(from: t)
            case "teleop_paused":
                close(teleop, kind: "teleop", label: nil, at: t)
                teleop = nil
            default: break
            }
        }
        session?.add(frame, armLimit: armLimit)
        gesture?.stretch.add(frame, armLimit: armLimit)
        teleop?.add(frame, armLimit: armLimit)
    }

    /// A segment's stretch from `t`, with the energy already active in the session.
    private func stretch(from t: Double) -> SkillStretch {
        SkillStretch(start: t, thresholds: thresholds, energyActive: session?.energyActiveArms ?? [])
    }

    private mutating func close(_ stretch: SkillStretch?, kind: String, label: String?, at end: Double) {
        guard let stretch else { return }
        guard segments.count < segmentLimit else { segmentsLeftOut += 1; return }
        segments.append(.init(kind: kind, label: label, start: stretch.start, end: end, measures: stretch.finish(at: end)))
    }

    /// The report; open segments end at the last frame.
    public func finish() -> SkillReport {
        var builder = self
        let end = lastT ?? 0
        builder.close(gesture?.stretch, kind: "gesture", label: gesture?.label, at: end)
        builder.close(teleop, kind: "teleop", label: nil, at: end)
        var report = SkillReport()
        report.thresholds = thresholds
        report.session = session?.finish(at: end) ?? .init()
        report.segments = builder.segments.sorted { ($0.start, $0.kind) < ($1.start, $1.kind) }
        report.segmentsLeftOut = builder.segmentsLeftOut
        return report
    }
}
