import Telemetry

/// The rules of the derived conditions, one value at a time: what priority a value has under
/// these settings (nil: the condition does not hold). The alarm engine's readers call them for
/// every evaluation, and the console colours and marks the values it draws with them, so the
/// screen and the alarm list cannot disagree about a threshold.
///
/// These are instantaneous levels. The engine adds hysteresis in time on top (a measured value
/// must hold its level for `sustainSeconds` before the alarm raises or escalates, and stay below
/// it for `clearAfterSeconds` before it clears or de-escalates); the screen shows the level of the
/// value now, so a value can be coloured a second before its alarm is listed, and plain for two
/// seconds while its alarm is still listed.
extension AlarmSettings {
    // MARK: link

    /// Whether `metric` has a threshold alarm of its own settings (bandwidth's depends on the
    /// session: see `bandwidthLevel`; video delay has none: shown plainly).
    public static func hasAlarm(_ metric: LinkMetric) -> Bool {
        switch metric {
        case .rtt, .jitter, .loss, .videoFps: true
        case .bandwidth, .videoDelay: false
        }
    }

    /// LINK.<path>.RTT, .JITTER and .LOSS at the priority whose threshold `value` reaches;
    /// LINK.<path>.VIDEO medium under `videoFpsBelow`; nil for metrics without an alarm. A path
    /// reported down (`pathUp == false`) raises no metric alarm (LINK.<path>.DOWN covers it).
    public func linkLevel(_ metric: LinkMetric, _ value: Double, pathUp: Bool? = true) -> AlarmPriority? {
        guard pathUp != false else { return nil }
        switch metric {
        case .rtt: return rttMs.priority(of: value)
        case .jitter: return jitterMs.priority(of: value)
        case .loss: return lossPct.priority(of: value)
        case .videoFps: return value < videoFpsBelow ? .medium : nil
        case .bandwidth, .videoDelay: return nil
        }
    }

    /// The bandwidth a session declares it needs (`min_bandwidth_mbps`), when usable: a finite
    /// number above 0. Without it bandwidth has no alarm.
    public func bandwidthMinimum(declared: Double?) -> Double? {
        guard let declared, declared.isFinite, declared > 0 else { return nil }
        return declared
    }

    /// LINK.<path>.BANDWIDTH: medium below the bandwidth the session needs. A path reported
    /// down raises no bandwidth alarm (LINK.<path>.DOWN covers it).
    public func bandwidthLevel(_ value: Double, minimum: Double?, pathUp: Bool? = true) -> AlarmPriority? {
        guard pathUp != false, let minimum = bandwidthMinimum(declared: minimum) else { return nil }
        return value < minimum ? .medium : nil
    }

    // MARK: joints

    /// How far `position` is from the nearer of its limits, as a share of the range in % (negative
    /// beyond a limit); nil when the joint has no usable limits (both finite, max above min) or
    /// the position is not a finite number.
    public static func limitMarginPct(position p: Double, min lo: Double?, max hi: Double?) -> Double? {
        guard let lo, let hi, lo.isFinite, hi.isFinite, hi > lo, p.isFinite else { return nil }
        return Swift.min(p - lo, hi - p) / (hi - lo) * 100
    }

    /// <arm>.<joint>.LIMIT for a margin from `limitMarginPct`: medium within `atLimitPct` (or
    /// beyond the limit), low within `nearLimitPct`.
    public func jointLimitLevel(marginPct: Double) -> AlarmPriority? {
        if marginPct <= atLimitPct { return .medium }
        if marginPct <= nearLimitPct { return .low }
        return nil
    }

    /// <arm>.<joint>.LIMIT for a position between the joint's declared limits.
    public func jointLimitLevel(position: Double, min lo: Double?, max hi: Double?) -> AlarmPriority? {
        Self.limitMarginPct(position: position, min: lo, max: hi).flatMap(jointLimitLevel(marginPct:))
    }

    /// An effort as a share of the joint's maximum, in % (its magnitude: either direction counts);
    /// nil without a usable maximum (finite, above 0) or a finite effort.
    public static func effortPct(effort e: Double, max maximum: Double?) -> Double? {
        guard let maximum, maximum.isFinite, maximum > 0, e.isFinite else { return nil }
        return abs(e) / maximum * 100
    }

    /// <arm>.<joint>.EFFORT for a share from `effortPct`: medium at or above `effortPct`.
    public func effortLevel(pct: Double) -> AlarmPriority? {
        pct >= effortPct ? .medium : nil
    }

    /// <arm>.<joint>.EFFORT for an effort against the joint's maximum.
    public func effortLevel(effort: Double, max maximum: Double?) -> AlarmPriority? {
        Self.effortPct(effort: effort, max: maximum).flatMap(effortLevel(pct:))
    }

    // MARK: states

    /// A path reported down: LINK.ALL.DOWN (high) when no path is up, else its own
    /// LINK.<path>.DOWN (medium, raised when another path is known).
    public func linkDownLevel(anyPathUp: Bool) -> AlarmPriority {
        anyPathUp ? .medium : .high
    }

    /// <arm>.FAULT: high while the arm is in FAULT.
    public func armFaultLevel(_ state: OperatingState?) -> AlarmPriority? {
        state == .fault ? .high : nil
    }

    /// <arm>.INSTRUMENT.FAULT: high while the instrument is in FAULT.
    public func instrumentFaultLevel(_ state: InstrumentState?) -> AlarmPriority? {
        state == .fault ? .high : nil
    }

    /// <arm>.INSTRUMENT.USES: low when an instrument (any state but NONE) has no uses left.
    public func instrumentUsesLevel(usesLeft: Int?, state: InstrumentState?) -> AlarmPriority? {
        guard let usesLeft, usesLeft <= 0, state != InstrumentState.none else { return nil }
        return .low
    }
}
