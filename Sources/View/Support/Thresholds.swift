import SessionCore

/// Three steps of badness for one quantity. For a quantity where more is worse (RTT) a value at
/// or above `high` is `.high`; where less is worse (video fps) a value below `high` is.
public struct Threshold: Sendable, Equatable {
    public var low: Double
    public var medium: Double
    public var high: Double
    public var higherIsWorse: Bool

    public init(low: Double, medium: Double, high: Double, higherIsWorse: Bool = true) {
        self.low = low
        self.medium = medium
        self.high = high
        self.higherIsWorse = higherIsWorse
    }

    public func severity(of value: Double) -> Severity {
        if higherIsWorse {
            if value >= high { return .high }
            if value >= medium { return .medium }
            if value >= low { return .low }
        } else {
            if value < high { return .high }
            if value < medium { return .medium }
            if value < low { return .low }
        }
        return .ok
    }
}

/// Link thresholds, defaults from the telesurgery literature (see shared/realdata/README.md):
/// round trip ≤ 100 ms is acceptable, ≤ 200 ms good-to-fair, ≤ 300 ms the limit judged safe;
/// jitter 5–10 ms is the 6G target; losses of 1–3 % were seen when bandwidth fell short;
/// ≥ 30 Mbit/s is a target; below 24 fps endoscope video is no longer fluid.
public struct LinkThresholds: Sendable, Equatable {
    public var rtt = Threshold(low: 100, medium: 200, high: 300)
    public var jitter = Threshold(low: 10, medium: 20, high: 50)
    public var loss = Threshold(low: 0.5, medium: 1, high: 3)
    public var bandwidth = Threshold(low: 30, medium: 20, high: 10, higherIsWorse: false)
    public var videoFps = Threshold(low: 50, medium: 30, high: 24, higherIsWorse: false)
    public var videoDelay = Threshold(low: 200, medium: 300, high: 500)

    public init() {}

    public func threshold(for metric: LinkMetric) -> Threshold {
        switch metric {
        case .rtt: rtt
        case .jitter: jitter
        case .loss: loss
        case .bandwidth: bandwidth
        case .videoFps: videoFps
        case .videoDelay: videoDelay
        }
    }

    public func severity(_ metric: LinkMetric, _ value: Double) -> Severity {
        threshold(for: metric).severity(of: value)
    }
}

/// Joint thresholds: a position within `near` of its range from a limit is amber, within
/// `at` (or past it) is at the limit; effort as a fraction of its maximum.
public struct JointThresholds: Sendable, Equatable {
    public var near: Double = 0.05
    public var at: Double = 0.005
    public var effortWarning: Double = 0.8
    public var effortHigh: Double = 1.0

    public init() {}

    /// How close a position is to its limits.
    public func severity(position: Double, min lo: Double, max hi: Double) -> Severity {
        let range = hi - lo
        guard range > 0 else { return .ok }
        let margin = Swift.min(position - lo, hi - position) / range
        if margin <= at { return .high }
        if margin <= near { return .medium }
        return .ok
    }

    public func severity(effortFraction f: Double) -> Severity {
        if f >= effortHigh { return .high }
        if f >= effortWarning { return .medium }
        return .ok
    }
}

/// Every threshold the view colours by, in one place.
public struct Thresholds: Sendable, Equatable {
    public var link = LinkThresholds()
    public var joints = JointThresholds()

    public init(link: LinkThresholds = LinkThresholds(), joints: JointThresholds = JointThresholds()) {
        self.link = link
        self.joints = joints
    }
}

extension Thresholds {
    /// The screen's colours from the alarm settings (`--alarms FILE`), so a value is coloured at
    /// exactly the level at which its alarm raises.
    public init(alarms: AlarmSettings) {
        var link = LinkThresholds()
        link.rtt = Threshold(low: alarms.rttMs.low, medium: alarms.rttMs.medium, high: alarms.rttMs.high)
        link.jitter = Threshold(low: alarms.jitterMs.low, medium: alarms.jitterMs.medium, high: alarms.jitterMs.high)
        link.loss = Threshold(low: alarms.lossPct.low, medium: alarms.lossPct.medium, high: alarms.lossPct.high)
        // The video alarm has one level (medium below `videoFpsBelow`); the screen keeps its
        // earlier warnings above it.
        link.videoFps.high = min(link.videoFps.high, alarms.videoFpsBelow)
        var joints = JointThresholds()
        joints.near = alarms.nearLimitPct / 100
        joints.at = alarms.atLimitPct / 100
        joints.effortWarning = min(joints.effortWarning, alarms.effortPct / 100)
        self.init(link: link, joints: joints)
    }
}
