import Telemetry

/// The pure reducer: frames in, state out. No clocks: `arrival` is injected by the caller.
extension SessionState {
    /// Applies one decoded line: frames change the state, errors and unknown types are counted.
    public mutating func apply(_ outcome: DecodeOutcome, arrival: Double) {
        switch outcome {
        case .frame(let frame): apply(frame, arrival: arrival)
        case .blank: break
        case .unknownType: counters.unknownTypes += 1
        case .error(let error): note(error)
        }
    }

    /// Counts a line that could not be used and keeps it among the recent errors.
    public mutating func note(_ error: DecodeError) {
        counters.badLines += 1
        if awaitingSync { badLineAwaitingSync = true }
        if recentErrors.count == limits.errors { recentErrors.removeFirst() }
        recentErrors.append(error)
    }

    /// Applies one frame received at `arrival` (monotonic seconds).
    public mutating func apply(_ frame: Frame, arrival: Double) {
        counters.frames[frame.typeName.ordinal] += 1
        counters.order.observe(frame)
        // A lone frame far ahead, whose time the clock refuses, adds nothing to the histories.
        let refused = !advanceClock(to: frame.t)
        let stamp = Stamp(sessionTime: frame.t, arrival: arrival)
        lastFrame = stamp
        arrivalRate.record(at: arrival)
        if awaitingSync { concludeReconnect(with: frame) }

        switch frame.body {
        case .session(let info): applySession(info)
        case .sync(let sync): applySync(sync, stamp)
        case .link(let sample): applyLink(sample, stamp, refused: refused)
        case .arm(let sample): applyArm(sample, stamp, refused: refused)
        case .instrument(let sample): applyInstrument(sample, stamp)
        case .alarm(let report): applyAlarm(report, at: frame.t)
        case .event(let note):
            let entry = EventEntry(t: frame.t, kind: note.kind, text: note.text)
            noteCaption(entry, refused: refused)
            appendEvent(entry)
        }
    }

    /// Moves the session time to `t` if it is later; a lone frame far ahead is counted instead.
    /// Returns false for that frame: its time was refused.
    private mutating func advanceClock(to t: Double) -> Bool {
        guard t > sessionTime else { return true }
        if lastFrame == nil || t - sessionTime <= Self.timeJumpLimit {
            sessionTime = t
            unconfirmedJump = nil
        } else if let jump = unconfirmedJump, abs(t - jump) <= Self.timeJumpLimit {
            sessionTime = t  // two frames agree: the stream has moved on
            unconfirmedJump = nil
        } else {
            unconfirmedJump = t
            counters.timeOutliers += 1
            return false
        }
        return true
    }

    /// Adds a sample to a history unless its frame's time was refused or is older than the
    /// history's newest point (a late frame): the histories, which the screen plots and the alarm
    /// engine's level windows read, only move forward in time.
    private func keepsInHistory(_ series: TimeSeries?, at t: Double, refused: Bool) -> Bool {
        !refused && (series?.last.map { t >= $0.t } ?? true)
    }

    /// A new source connection or a seek: forget sequence and ordering so they are not
    /// counted as gaps; keep everything else until the next session frame says otherwise.
    public mutating func sourceRestarted() {
        counters.order.restart()
    }

    // MARK: - per frame type

    private mutating func applySession(_ info: SessionInfo) {
        self.info = info
        // Keep the history of an arm that is declared again with the same joints.
        var kept: [ArmState] = []
        var index: [String: Int] = [:]
        for descriptor in info.arms {
            if let old = arm(descriptor.id), old.descriptor.joints == descriptor.joints {
                var arm = old
                arm.descriptor = descriptor
                kept.append(arm)
            } else {
                kept.append(ArmState(descriptor: descriptor, limits: limits))
            }
            index[descriptor.id] = kept.count - 1
        }
        arms = kept
        armIndex = index
    }

    private mutating func applyLink(_ sample: LinkSample, _ stamp: Stamp, refused: Bool) {
        let k: Int
        if let found = links.firstIndex(where: { $0.path == sample.path }) {
            k = found
        } else {
            guard links.count < limits.links else {
                noteIgnored(at: stamp.sessionTime)
                return
            }
            links.append(LinkState(path: sample.path))
            k = links.count - 1
        }
        if let up = sample.up {
            if !up && links[k].up != false { links[k].downSince = stamp.sessionTime }
            if up && links[k].up == false { links[k].backUpAt = stamp.sessionTime }
            if up { links[k].downSince = nil }
            links[k].up = up
        }
        for metric in LinkMetric.allCases {
            guard let value = metric.value(in: sample) else { continue }
            // A path that is down carries no traffic: what a gateway reports for it then is
            // not measured, so it is neither shown nor fed to the alarm windows.
            guard links[k].up != false else { continue }
            links[k].liveStamps[metric] = stamp
            links[k].latest[metric] = value
            if metric == .rtt { links[k].rttPercentiles.record(value, at: stamp.sessionTime) }
            if metric == .jitter { links[k].jitterPercentiles.record(value, at: stamp.sessionTime) }
            guard keepsInHistory(links[k].history[metric], at: stamp.sessionTime, refused: refused) else { continue }
            links[k].history[metric, default: TimeSeries(capacity: limits.linkCapacity, interval: limits.linkInterval)]
                .append(t: stamp.sessionTime, value: value)
        }
        links[k].lastUpdate = stamp
    }

    private mutating func applyArm(_ sample: ArmSample, _ stamp: Stamp, refused: Bool) {
        // The decoder has already checked that the arm was declared and the lengths match;
        // a frame built by hand for an unknown arm is dropped rather than trusted.
        guard let k = armSlot(sample.arm) else { return }
        if let v = sample.state { arms[k].state = v }
        if let v = sample.homed { arms[k].homed = v }
        if let v = sample.following { arms[k].following = v }
        if let v = sample.position {
            arms[k].position = v
            let n = min(v.count, arms[k].positionHistory.count)
            // Late or refused frames stay out of the histories (`keepsInHistory`), read here from
            // each series' newest point: this runs for every joint of every arm frame.
            if !refused {
                for j in 0..<n where arms[k].positionHistory[j].last.map({ stamp.sessionTime >= $0.t }) ?? true {
                    arms[k].positionHistory[j].append(t: stamp.sessionTime, value: v[j])
                }
            }
        }
        if let v = sample.velocity { arms[k].velocity = v }
        // Effort only from frames in time: the alarm engine feeds `effort` at `effortAt`, so a
        // late or refused frame's effort must not stand in for the newest one.
        if let v = sample.effort, !refused, arms[k].effortAt.map({ stamp.sessionTime > $0 }) ?? true {
            arms[k].effort = v
            arms[k].effortAt = stamp.sessionTime
        }
        if let v = sample.tip {
            arms[k].tip = v
            // Like the joint histories: a refused frame's time would put the trail out of order.
            if !refused { arms[k].tipTrail.append(t: stamp.sessionTime, position: v) }
        }
        if let v = sample.orientation { arms[k].orientation = v }
        if let v = sample.twist { arms[k].twist = v }
        if let v = sample.jaw { arms[k].jaw = v }
        arms[k].lastUpdate = stamp
    }

    /// The index of arm `id`: the few arms of a robot are compared in place (two short strings
    /// compare faster than one is hashed, and this runs for every arm frame); a session frame
    /// declaring many arms is looked up by name.
    private func armSlot(_ id: String) -> Int? {
        guard arms.count <= 8 else { return armIndex[id] }
        return arms.lastIndex { $0.descriptor.id == id }  // the last of a repeated id, as `armIndex` keeps it
    }

    mutating func applyInstrument(_ sample: InstrumentSample, _ stamp: Stamp) {
        let k: Int
        if let found = instruments.firstIndex(where: { $0.arm == sample.arm }) {
            k = found
        } else {
            guard instruments.count < limits.instruments else {
                noteIgnored(at: stamp.sessionTime)
                return
            }
            instruments.append(InstrumentStatus(arm: sample.arm))
            k = instruments.count - 1
        }
        switch sample.tool {
        case .unchanged: break
        case .none:
            // An empty arm has no use count: the removed instrument's would read as the arm's.
            instruments[k].tool = nil
            instruments[k].usesLeft = nil
        case .model(let name):
            // Another instrument: the last one's use count is not its count.
            if instruments[k].tool != name { instruments[k].usesLeft = nil }
            instruments[k].tool = name
        }
        if let v = sample.state { instruments[k].state = v }
        if let v = sample.usesLeft { instruments[k].usesLeft = v }
        if let v = sample.energy { instruments[k].energy = v }
        if let v = sample.energyActive { instruments[k].energyActive = v }
        instruments[k].lastUpdate = stamp
    }

    private mutating func applyAlarm(_ report: AlarmReport, at t: Double) {
        switch report.state {
        case .raised:
            raiseDeviceAlarm(report, at: t)
        case .cleared:
            if let k = deviceAlarms.firstIndex(where: { $0.id == report.id }) {
                robotClears.append(deviceAlarms.remove(at: k), at: t)
            }
        }
    }

    /// Raises a robot alarm, or updates the one listed under its id (the robot says it is still
    /// raised, so it is no longer unconfirmed); an `alarm` frame and a `sync` share this. Returns
    /// whether the alarm is new here; a new id beyond `HistoryLimits` is counted, never kept.
    @discardableResult
    mutating func raiseDeviceAlarm(_ report: AlarmReport, at t: Double, bySync: Bool = false) -> Bool {
        let priority = report.priority ?? .low
        if let k = deviceAlarms.firstIndex(where: { $0.id == report.id }) {
            deviceAlarms[k].unconfirmed = false
            deviceAlarms[k].priority = priority
            deviceAlarms[k].message = report.message ?? deviceAlarms[k].message
            deviceAlarms[k].source = report.source ?? deviceAlarms[k].source
            deviceAlarms[k].kind = report.kind ?? deviceAlarms[k].kind
            deviceAlarms[k].updatedAt = t
            return false
        }
        guard deviceAlarms.count < limits.deviceAlarms else {
            noteIgnored(at: t)
            return false
        }
        deviceAlarms.append(DeviceAlarm(id: report.id, priority: priority, kind: report.kind ?? .technical,
                                        source: report.source, message: report.message,
                                        raisedAt: t, updatedAt: t, raisedBySync: bySync))
        return true
    }

    /// A valid frame with a name beyond `HistoryLimits`: counted, never kept.
    mutating func noteIgnored(at t: Double) {
        counters.ignored += 1
        counters.lastIgnored = t
    }

    private mutating func appendEvent(_ entry: EventEntry) {
        // The console's connection entries have room of their own (ConnectionEvents.swift).
        if events.count - connectionLog.entries >= limits.events { removeOldestEvent(byConsole: false) }
        events.append(entry)
    }
}
