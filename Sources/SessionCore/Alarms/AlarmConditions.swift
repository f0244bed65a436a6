import DequeModule
import Telemetry

/// The alarm engine's derived conditions and what the state says of each at one evaluation:
/// one `DerivedCondition` per link path metric, joint limit and effort, arm and instrument
/// fault, and the telemetry's own (lost, gaps, version, dropped, ignored), cached per link path,
/// arm and instrument (`slots`) so an evaluation does no lookups by name. `read` stamps each
/// condition the state has a reading for; the engine then runs every condition's hysteresis.
/// Conditions of paths, arms and joints no longer declared are pruned once they are not listed.
struct AlarmConditions: Sendable {
    /// Every condition, by index: the indices stay put between prunes.
    var all: [DerivedCondition] = []
    /// Counts evaluations: a condition's reading is this evaluation's only when stamped with it.
    private(set) var generation: UInt32 = 0
    private var index: [String: Int] = [:]
    private var linkSlots: [LinkSlot] = []
    private var armSlots: [ArmSlot] = []
    private var instrumentSlots: [InstrumentSlot] = []
    private var gapTimes: Deque<Double> = []
    private var lastGapCount = 0
    /// The conditions the last full read of links and instruments stamped (nil: none kept, as
    /// after a prune renumbered them): an evaluation after arm samples only stamps them again.
    private var keptReadings: [Int]?
    /// Whether `set` notes what it stamps in `keptReadings`.
    private var keeping = false
    /// Conditions beyond this many start a prune of those no link, arm or instrument uses any
    /// more (see `prune`); the bound then doubles with what is kept.
    private var pruneAbove = 1024

    static let allDownIndex = 0, lostIndex = 1, gapsIndex = 2, versionIndex = 3, droppedIndex = 4, ignoredIndex = 5
    static let recordingFailedIndex = 6
    private static let maxGapTimes = 1024
    /// Session seconds TELEMETRY.IGNORED stays raised after the last ignored frame.
    static let recentIgnoredSeconds = 10.0

    init() {
        add(id: "LINK.ALL.DOWN", rule: .allDown, subject: "", source: nil)
        add(id: "TELEMETRY.LOST", rule: .telemetryLost, subject: "", source: nil)
        add(id: "TELEMETRY.SEQ_GAPS", rule: .sequenceGaps, subject: "", source: nil)
        add(id: "TELEMETRY.VERSION", rule: .telemetryVersion, subject: "", source: nil)
        add(id: "TELEMETRY.DROPPED", rule: .telemetryDropped, subject: "", source: nil)
        add(id: "TELEMETRY.IGNORED", rule: .telemetryIgnored, subject: "", source: nil)
        add(id: "RECORDING.FAILED", rule: .recordingFailed, subject: "", source: nil)
    }

    var count: Int { all.count }

    /// The index of the condition `id`.
    func index(of id: String) -> Int? { index[id] }

    /// Whether condition `i` was read at this evaluation.
    func isFresh(_ i: Int) -> Bool { all[i].readingGeneration == generation }

    /// Moves every time held (hysteresis runs, listings, gap times) by `move` (the engine clock was rebased).
    mutating func retime(_ move: (Double) -> Double) {
        for k in gapTimes.indices { gapTimes[k] = move(gapTimes[k]) }
        for i in all.indices {
            all[i].tracker.retime(move)
            all[i].listing?.retime(move)
        }
    }

    /// Whether there are enough conditions to try a prune.
    var needsPrune: Bool { all.count > pruneAbove }

    // MARK: - reading the state

    /// Stamps every condition the state (and `source`) has a reading for at engine time `t`.
    /// `armSamplesOnly`: only arm frames were applied since the last read (`AlarmEngine.evaluate`).
    mutating func read(_ state: SessionState, settings: AlarmSettings, at t: Double, arrivalNow: Double,
                       sourceIsLive: Bool, source: SourceHealth, armSamplesOnly: Bool = false) {
        generation &+= 1
        let full = !armSamplesOnly || keptReadings == nil
        if full {
            keptReadings = []
            keeping = true
            readLinks(state, settings)
            keeping = false
        } else {
            // Links and instruments are as they were: so are their readings (none depends on the time).
            for i in keptReadings! { all[i].readingGeneration = generation }
        }
        readTelemetry(state, settings, at: t, arrivalNow: arrivalNow, sourceIsLive: sourceIsLive, source: source)
        readArms(state, settings)
        if full {
            keeping = true
            readInstruments(state, settings)
            keeping = false
        }
    }

    private mutating func set(_ i: Int, _ raw: AlarmPriority?, value: Double? = nil, value2: Double? = nil, aux: String? = nil) {
        all[i].reading = AlarmReading(raw: raw, value: value, value2: value2, aux: aux)
        all[i].readingGeneration = generation
        if keeping { keptReadings?.append(i) }
    }

    /// Feeds condition `i`'s window the points of `series` it has not seen.
    private mutating func feed(_ i: Int, _ series: TimeSeries, seconds: Double) {
        // The state's histories only move forward (the reducer keeps late and refused frames
        // out of them), and a seek or a new session resets the engine: what is newer is new.
        let newest = all[i].window.newest
        guard let last = series.last, last.t > newest else { return }  // nothing new
        let points = series.points
        var k = points.count
        while k > 0, points[k - 1].t > newest, points.count - k < LevelWindow.capacity { k -= 1 }
        for j in k..<points.count { all[i].window.add(t: points[j].t, value: points[j].value, seconds: seconds) }
    }

    /// Reads a measured value: its level is that of the mean of its window, once the window
    /// covers `sustain_s` (a value that has just appeared has no level yet).
    private mutating func measure(_ i: Int, _ series: TimeSeries, _ settings: AlarmSettings,
                                  level: (Double) -> AlarmPriority?) {
        feed(i, series, seconds: settings.sustainSeconds)
        guard let mean = all[i].window.mean else { return }
        set(i, all[i].window.covers(seconds: settings.sustainSeconds) ? level(mean) : nil, value: mean)
    }

    /// LINK.<path>.BANDWIDTH of link `k`, made the first time the session declares a minimum
    /// (and remade when it declares another).
    private mutating func bandwidthCondition(_ k: Int, _ slot: LinkSlot, minimum: Double) -> Int {
        if let i = slot.bandwidth, all[i].rule == .bandwidth(minimum: minimum) { return i }
        let i = add(id: "LINK.\(slot.path).BANDWIDTH", rule: .bandwidth(minimum: minimum), subject: slot.subject, source: slot.path)
        linkSlots[k].bandwidth = i
        return i
    }

    private mutating func readLinks(_ state: SessionState, _ settings: AlarmSettings) {
        let n = state.links.count
        guard n > 0 else { return }
        // A path that never said whether it is up counts as up (it is not known to be down).
        var anyUp = false, anyDown = false
        // The path that carries the session now (named in LINK.<path>.DOWN): one rule for the
        // engine, the bandwidth check and the screen.
        let carrierIndex = state.carrierLinkIndex
        var carrier: String?
        for k in 0..<n {
            let slot = linkSlot(k, path: state.links[k].path)
            if k == carrierIndex { carrier = slot.subject }
            let up = state.links[k].up
            if up == false { anyDown = true; continue }
            anyUp = true
            // The levels are `AlarmSettings`' rules (ConditionLevels.swift), which the console's
            // colours use too.
            // Each on the mean of its last `sustain_s` of samples (LevelWindow).
            let history = state.links[k].history
            // Only live metrics: one not reported since the path came back up has no reading.
            for (metric, i) in [(LinkMetric.rtt, slot.rtt), (.jitter, slot.jitter), (.loss, slot.loss), (.videoFps, slot.video)] {
                guard state.links[k].isLive(metric), let series = history[metric] else { continue }
                measure(i, series, settings) { settings.linkLevel(metric, $0) }
            }
        }
        // Spec §3: `min_bandwidth_mbps` is what the robot needs on its active path, the one
        // carrying the session (`SessionState.carrierLinkIndex`); a backup below it is no alarm.
        if let k = state.carrierLinkIndex, let minimum = settings.bandwidthMinimum(declared: state.info?.minBandwidthMbps),
           state.links[k].isLive(.bandwidth), let series = state.links[k].history[.bandwidth] {
            let i = bandwidthCondition(k, linkSlots[k], minimum: minimum)
            measure(i, series, settings) { settings.bandwidthLevel($0, minimum: minimum) }
        }
        guard anyDown else { return }
        if n >= 2 {
            for k in 0..<n where state.links[k].up == false {
                set(linkSlots[k].down, settings.linkDownLevel(anyPathUp: true), aux: carrier)
            }
        }
        if !anyUp { set(Self.allDownIndex, settings.linkDownLevel(anyPathUp: false)) }
    }

    private mutating func readTelemetry(_ state: SessionState, _ settings: AlarmSettings, at t: Double, arrivalNow: Double,
                                        sourceIsLive: Bool, source: SourceHealth) {
        if sourceIsLive, let since = state.lastFrame?.arrival ?? source.silentSince {
            // Since the last frame, or, when none ever came, since the source connected.
            let age = arrivalNow - since
            if age > settings.staleSeconds {
                set(Self.lostIndex, .high, value: age, aux: state.lastFrame == nil ? "since connecting" : nil)
            }
        }
        if let version = source.refusedVersion { set(Self.versionIndex, .high, value: Double(version)) }
        if let failure = source.recordingFailure { set(Self.recordingFailedIndex, .medium, aux: failure) }
        if let last = source.lastDrop, arrivalNow - last < SourceHealth.recentDropSeconds {
            set(Self.droppedIndex, .medium, value: Double(source.droppedFrames))
        }
        // Names beyond the state's limits: raised while robot alarms may be missing from the list
        // (its table is full) or while frames are being ignored.
        let limits = state.limits
        if state.deviceAlarms.count >= limits.deviceAlarms
            || state.counters.lastIgnored.map({ state.sessionTime - $0 < Self.recentIgnoredSeconds }) == true {
            set(Self.ignoredIndex, .medium, value: Double(state.counters.ignored),
                aux: "\(limits.links) link paths, \(limits.instruments) instrument arms, \(limits.deviceAlarms) robot alarms")
        }
        let gaps = state.counters.sequenceGaps
        if gaps < lastGapCount { lastGapCount = gaps }
        if gaps > lastGapCount {
            for _ in 0..<min(gaps - lastGapCount, Self.maxGapTimes) {
                if gapTimes.count == Self.maxGapTimes { gapTimes.removeFirst() }
                gapTimes.append(t)
            }
            lastGapCount = gaps
        }
        while let first = gapTimes.first, first <= t - settings.gapWindowSeconds { gapTimes.removeFirst() }
        if !gapTimes.isEmpty {
            set(Self.gapsIndex, gapTimes.count >= settings.gapCount ? .low : nil, value: Double(gapTimes.count))
        }
    }

    private mutating func readArms(_ state: SessionState, _ settings: AlarmSettings) {
        for k in state.arms.indices {
            armSlot(k, state.arms[k].descriptor)
            // Read in place: a copy of the slot (its arrays) for every arm at every evaluation cost more than the reading.
            if let level = settings.armFaultLevel(state.arms[k].state) { set(armSlots[k].fault, level) }
            // Each joint on the mean of its last `sustain_s` of samples (LevelWindow): the
            // position's history for its limits, the effort's magnitude as it arrives.
            if state.arms[k].position != nil {
                for j in 0..<min(state.arms[k].positionHistory.count, armSlots[k].limit.count) where armSlots[k].limit[j] >= 0 {
                    let i = armSlots[k].limit[j], lo = armSlots[k].lower[j], hi = armSlots[k].upper[j]
                    feed(i, state.arms[k].positionHistory[j], seconds: settings.sustainSeconds)
                    guard let p = all[i].window.mean,
                          let pct = AlarmSettings.limitMarginPct(position: p, min: lo, max: hi) else { continue }
                    let covered = all[i].window.covers(seconds: settings.sustainSeconds)
                    set(i, covered ? settings.jointLimitLevel(marginPct: pct) : nil, value: pct, value2: p)
                }
            }
            // Effort has no history: the newest is fed once, when an arm frame that carries it
            // arrives (`effortAt`), so a frame with positions only does not count it again.
            if let effort = state.arms[k].effort, let t = state.arms[k].effortAt {
                for j in 0..<min(effort.count, armSlots[k].effort.count) where armSlots[k].effort[j] >= 0 {
                    let i = armSlots[k].effort[j], maximum = armSlots[k].effortMax[j]
                    if t > all[i].window.newest {
                        all[i].window.add(t: t, value: abs(effort[j]), seconds: settings.sustainSeconds)
                    }
                    guard let e = all[i].window.mean, let pct = AlarmSettings.effortPct(effort: e, max: maximum) else { continue }
                    let covered = all[i].window.covers(seconds: settings.sustainSeconds)
                    set(i, covered ? settings.effortLevel(pct: pct) : nil, value: pct, value2: e)
                }
            }
        }
    }

    private mutating func readInstruments(_ state: SessionState, _ settings: AlarmSettings) {
        for k in state.instruments.indices {
            instrumentSlot(k, arm: state.instruments[k].arm)
            let slot = instrumentSlots[k]
            let status = state.instruments[k]
            if let level = settings.instrumentFaultLevel(status.state) { set(slot.fault, level, aux: status.tool) }
            if let level = settings.instrumentUsesLevel(usesLeft: status.usesLeft, state: status.state),
               let uses = status.usesLeft {
                set(slot.uses, level, value: Double(uses), aux: status.tool)
            }
        }
    }

    // MARK: - pruning

    /// Drops the conditions of links, arms, joints and instruments the state no longer has,
    /// once they are not listed: a stream that declares new arm or joint names in every session
    /// frame must not grow the engine (and its per-evaluation work) without end. Returns the
    /// conditions dropped and every kept condition's new index (`newIndex[old]`, −1 when
    /// dropped), nil when none was dropped.
    mutating func prune(_ state: SessionState) -> (dropped: [DerivedCondition], newIndex: [Int])? {
        if linkSlots.count > state.links.count { linkSlots.removeLast(linkSlots.count - state.links.count) }
        if armSlots.count > state.arms.count { armSlots.removeLast(armSlots.count - state.arms.count) }
        if instrumentSlots.count > state.instruments.count {
            instrumentSlots.removeLast(instrumentSlots.count - state.instruments.count)
        }
        var keep = [Bool](repeating: false, count: all.count)
        for i in 0...Self.recordingFailedIndex { keep[i] = true }  // the fixed conditions
        for s in linkSlots {
            for i in [s.rtt, s.jitter, s.loss, s.video, s.down] { keep[i] = true }
            if let i = s.bandwidth { keep[i] = true }
        }
        for s in armSlots {
            keep[s.fault] = true
            for i in s.limit + s.effort where i >= 0 { keep[i] = true }
        }
        for s in instrumentSlots {
            keep[s.fault] = true
            keep[s.uses] = true
        }
        for i in all.indices where all[i].listing != nil { keep[i] = true }
        var newIndex = [Int](repeating: -1, count: all.count)
        var kept: [DerivedCondition] = []
        var dropped: [DerivedCondition] = []
        for i in all.indices {
            if keep[i] {
                newIndex[i] = kept.count
                kept.append(all[i])
            } else {
                dropped.append(all[i])
            }
        }
        guard kept.count < all.count else {
            pruneAbove = max(pruneAbove, 2 * all.count)
            return nil
        }
        keptReadings = nil  // renumbered: the next read is a full one
        all = kept
        index = [:]
        for i in all.indices { index[all[i].id] = i }
        for k in linkSlots.indices {
            linkSlots[k].rtt = newIndex[linkSlots[k].rtt]
            linkSlots[k].jitter = newIndex[linkSlots[k].jitter]
            linkSlots[k].loss = newIndex[linkSlots[k].loss]
            linkSlots[k].video = newIndex[linkSlots[k].video]
            linkSlots[k].down = newIndex[linkSlots[k].down]
            linkSlots[k].bandwidth = linkSlots[k].bandwidth.map { newIndex[$0] }
        }
        for k in armSlots.indices {
            armSlots[k].fault = newIndex[armSlots[k].fault]
            armSlots[k].limit = armSlots[k].limit.map { $0 >= 0 ? newIndex[$0] : -1 }
            armSlots[k].effort = armSlots[k].effort.map { $0 >= 0 ? newIndex[$0] : -1 }
        }
        for k in instrumentSlots.indices {
            instrumentSlots[k].fault = newIndex[instrumentSlots[k].fault]
            instrumentSlots[k].uses = newIndex[instrumentSlots[k].uses]
        }
        pruneAbove = max(1024, 2 * all.count)
        return (dropped, newIndex)
    }

    // MARK: - the slots

    @discardableResult
    private mutating func add(id: String, rule: AlarmRule, subject: String, source: String?) -> Int {
        if let i = index[id] {
            if all[i].rule != rule {
                // Same id, new figures (a joint redeclared with other limits): keep its state.
                let old = all[i]
                var fresh = DerivedCondition(id: id, rule: rule, subject: subject, source: source)
                fresh.tracker = old.tracker
                fresh.window = old.window
                fresh.shown = old.shown
                fresh.listing = old.listing
                fresh.record = old.record
                all[i] = fresh
            }
            return i
        }
        all.append(DerivedCondition(id: id, rule: rule, subject: subject, source: source))
        index[id] = all.count - 1
        return all.count - 1
    }

    private mutating func linkSlot(_ k: Int, path: String) -> LinkSlot {
        if k < linkSlots.count, linkSlots[k].path == path { return linkSlots[k] }
        let name = WireText.sanitize(path)
        let slot = LinkSlot(
            path: path, subject: name,
            rtt: add(id: "LINK.\(path).RTT", rule: .rtt, subject: name, source: path),
            jitter: add(id: "LINK.\(path).JITTER", rule: .jitter, subject: name, source: path),
            loss: add(id: "LINK.\(path).LOSS", rule: .loss, subject: name, source: path),
            video: add(id: "LINK.\(path).VIDEO", rule: .video, subject: name, source: path),
            down: add(id: "LINK.\(path).DOWN", rule: .pathDown, subject: name, source: path))
        if k < linkSlots.count { linkSlots[k] = slot } else { linkSlots.append(slot) }
        return slot
    }

    private mutating func armSlot(_ k: Int, _ descriptor: ArmDescriptor) {
        if k < armSlots.count, armSlots[k].id == descriptor.id, armSlots[k].joints == descriptor.joints { return }
        let arm = descriptor.id
        let name = WireText.sanitize(arm)
        var limit: [Int] = [], effort: [Int] = []
        var lower: [Double] = [], upper: [Double] = [], effortMax: [Double] = []
        for joint in descriptor.joints {
            lower.append(joint.min ?? 0)
            upper.append(joint.max ?? 0)
            effortMax.append(joint.effortMax ?? 0)
            let subject = "\(name) \(WireText.sanitize(joint.name))"
            if let lo = joint.min, let hi = joint.max, lo.isFinite, hi.isFinite, hi > lo {
                limit.append(add(id: "\(arm).\(joint.name).LIMIT", rule: .jointLimit(unit: joint.unit, min: lo, max: hi),
                                 subject: subject, source: arm))
            } else {
                limit.append(-1)
            }
            if let m = joint.effortMax, m.isFinite, m > 0 {
                effort.append(add(id: "\(arm).\(joint.name).EFFORT", rule: .effort(unit: joint.unit, max: m),
                                  subject: subject, source: arm))
            } else {
                effort.append(-1)
            }
        }
        let slot = ArmSlot(id: arm, joints: descriptor.joints,
                           fault: add(id: "\(arm).FAULT", rule: .armFault, subject: name, source: arm),
                           limit: limit, effort: effort, lower: lower, upper: upper, effortMax: effortMax)
        if k < armSlots.count { armSlots[k] = slot } else { armSlots.append(slot) }
    }

    private mutating func instrumentSlot(_ k: Int, arm: String) {
        if k < instrumentSlots.count, instrumentSlots[k].arm == arm { return }
        let name = WireText.sanitize(arm)
        let slot = InstrumentSlot(
            arm: arm,
            fault: add(id: "\(arm).INSTRUMENT.FAULT", rule: .instrumentFault, subject: name, source: arm),
            uses: add(id: "\(arm).INSTRUMENT.USES", rule: .instrumentUses, subject: name, source: arm))
        if k < instrumentSlots.count { instrumentSlots[k] = slot } else { instrumentSlots.append(slot) }
    }
}

// MARK: - the slots' storage

private struct LinkSlot: Sendable {
    var path: String
    /// The path's name for messages (control characters removed).
    var subject: String
    var rtt, jitter, loss, video, down: Int
    /// LINK.<path>.BANDWIDTH, once the session declares the bandwidth it needs.
    var bandwidth: Int?
}

private struct ArmSlot: Sendable {
    var id: String
    var joints: [JointDescriptor]
    var fault: Int
    /// Condition index per joint, −1 when the joint has no limits (no effort maximum).
    var limit: [Int]
    var effort: [Int]
    /// The joints' figures, by joint.
    var lower: [Double]
    var upper: [Double]
    var effortMax: [Double]
}

private struct InstrumentSlot: Sendable {
    var arm: String
    var fault, uses: Int
}
