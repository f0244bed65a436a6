import DequeModule
import Telemetry

/// The console's alarm system (IEC 60601-1-8 style), pure and deterministic: no clock of its own.
///
/// It mirrors the robot's own alarms (`SessionState.deviceAlarms`) and derives alarm conditions
/// from the telemetry (link thresholds, lost telemetry, sequence gaps, arm and instrument faults,
/// joint limits and efforts), with hysteresis (sustain before raising, clear-after before clearing),
/// acknowledgement, latching of high-priority device alarms, flashing and bell data, an audio pause,
/// a log of everything that happened, and a history for the report.
///
/// Every `time` is the engine clock, in session seconds; see `clock(for:arrivalNow:sourceIsLive:)`.
/// The engine keeps the clock monotonic (an earlier time counts as the latest one); after a seek
/// call `reset()`.
public struct AlarmEngine: Sendable {
    public let settings: AlarmSettings
    /// Log entries kept until drained; beyond this the oldest are dropped (and counted).
    public var logLimit = 10_000
    /// History records kept (one per alarm id); further ids are not recorded.
    public var historyLimit = 10_000

    /// The engine clock: the latest time the engine was given (−∞ before the first).
    public private(set) var now = -Double.infinity
    public private(set) var droppedLogEntries = 0
    /// Raises per priority (the priority at the raise; escalations are not counted).
    public private(set) var raisesByPriority: [AlarmPriority: Int] = [:]

    private var conditions: [DerivedCondition] = []
    /// Counts evaluations: a condition's reading is this evaluation's only when stamped with it.
    private var generation: UInt32 = 0
    private var conditionIndex: [String: Int] = [:]
    private var linkSlots: [LinkSlot] = []
    private var armSlots: [ArmSlot] = []
    private var instrumentSlots: [InstrumentSlot] = []
    private var gapTimes: Deque<Double> = []
    private var lastGapCount = 0
    private var devices: [DeviceEntry] = []
    private var pausedUntil: Double?
    private var audioTop: AlarmPriority?
    private var nextRing = 0.0
    private var pendingSound: AlarmPriority?
    private var pendingLog: Deque<AlarmLogEntry> = []
    private var records: [HistoryEntry] = []
    private var deviceRecords: [String: Int] = [:]
    private var cachedHighest: AlarmPriority?
    private var secondsWithHighest = SIMD4<Double>(repeating: 0)

    private static let allDownIndex = 0, lostIndex = 1, gapsIndex = 2, versionIndex = 3, droppedIndex = 4, ignoredIndex = 5
    /// Conditions beyond this many start a prune of those no link, arm or instrument uses any
    /// more (see `pruneConditions`); the bound then doubles with what is kept.
    private var pruneAbove = 1024
    /// While the clock runs on the seconds since a live source connected (no frame yet): when
    /// it connected (arrival time).
    private var connectedAt: Double?
    private static let maxGapTimes = 1024
    /// Session seconds TELEMETRY.IGNORED stays raised after the last ignored frame.
    static let recentIgnoredSeconds = 10.0

    public init(settings: AlarmSettings = .defaults) {
        self.settings = settings
        addCondition(id: "LINK.ALL.DOWN", rule: .allDown, subject: "", source: nil)
        addCondition(id: "TELEMETRY.LOST", rule: .telemetryLost, subject: "", source: nil)
        addCondition(id: "TELEMETRY.SEQ_GAPS", rule: .sequenceGaps, subject: "", source: nil)
        addCondition(id: "TELEMETRY.VERSION", rule: .telemetryVersion, subject: "", source: nil)
        addCondition(id: "TELEMETRY.DROPPED", rule: .telemetryDropped, subject: "", source: nil)
        addCondition(id: "TELEMETRY.IGNORED", rule: .telemetryIgnored, subject: "", source: nil)
    }

    /// Forgets every alarm, the audio state and the history (a seek in a replay, a new recording).
    /// Log entries not yet drained are kept. Nothing is logged.
    public mutating func reset() {
        var fresh = AlarmEngine(settings: settings)
        fresh.logLimit = logLimit
        fresh.historyLimit = historyLimit
        fresh.pendingLog = pendingLog
        fresh.droppedLogEntries = droppedLogEntries
        self = fresh
    }

    /// Takes over the alarms of an engine kept earlier (a replay resuming at a checkpoint),
    /// keeping, as `reset` does, this engine's log entries not yet written: the kept engine's
    /// own were written when it was current.
    public mutating func restore(from kept: AlarmEngine) {
        var restored = kept
        restored.pendingLog = pendingLog
        restored.droppedLogEntries = droppedLogEntries
        self = restored
    }

    // MARK: - the clock

    /// The engine clock for a state: its session time, plus, for a live source, the arrival
    /// seconds since the last frame, so hysteresis and audio go on while data is missing.
    /// Before the first frame of a live source that has connected, the seconds since it
    /// connected (`SourceHealth.silentSince`), so a silent gateway's TELEMETRY.LOST repeats its
    /// bell and an audio pause runs out; when the first frame comes, `evaluate` moves every
    /// time the engine holds onto the session's clock (`rebase(by:)`).
    public static func clock(for state: SessionState, arrivalNow: Double, sourceIsLive: Bool,
                             source: SourceHealth = SourceHealth()) -> Double {
        guard sourceIsLive else { return state.sessionTime }
        guard let last = state.lastFrame else {
            return source.silentSince.map { max(0, arrivalNow - $0) } ?? state.sessionTime
        }
        return state.sessionTime + max(0, arrivalNow - last.arrival)
    }

    /// Moves every time the engine holds (its clock, hysteresis runs, listings, history,
    /// audio) by `delta` seconds: the clock it ran before a live source's first frame (seconds
    /// since connecting) becomes the session's. A silence of 40 s before a stream that starts
    /// at t = 3600 is then a 40 s alarm ending at 3600, not a 3600 s one, and a stream that
    /// starts at t = 0 does not find the clock 40 s ahead of it.
    mutating func rebase(by delta: Double) {
        guard delta.isFinite, delta != 0, now.isFinite else { return }
        now += delta
        nextRing += delta
        pausedUntil = pausedUntil.map { $0 + delta }
        for k in gapTimes.indices { gapTimes[k] += delta }
        for i in conditions.indices {
            conditions[i].tracker.shift(by: delta)
            conditions[i].listing?.shift(by: delta)
        }
        for k in devices.indices { devices[k].listing.shift(by: delta) }
        for r in records.indices { records[r].firstRaised += delta }
    }

    /// Advances the clock (never backwards) and counts the time spent at the highest priority.
    private mutating func tick(_ time: Double) -> Double {
        guard time.isFinite else { return now.isFinite ? now : 0 }
        if time > now {
            if let cachedHighest, now.isFinite { secondsWithHighest[cachedHighest.rank - 1] += time - now }
            now = time
        }
        return now
    }

    // MARK: - evaluation

    /// Evaluates at the clock `clock(for: state, arrivalNow:, sourceIsLive:)`.
    public mutating func evaluate(_ state: SessionState, arrivalNow: Double, sourceIsLive: Bool,
                                  source: SourceHealth = SourceHealth()) {
        let time = Self.clock(for: state, arrivalNow: arrivalNow, sourceIsLive: sourceIsLive, source: source)
        if sourceIsLive && state.lastFrame == nil, let since = source.silentSince {
            connectedAt = since
        } else if let since = connectedAt, state.lastFrame != nil {
            // The first frame: what the clock would read now since connecting becomes `time`.
            rebase(by: time - max(0, arrivalNow - since))
            connectedAt = nil
        }
        evaluate(state, time: time, arrivalNow: arrivalNow, sourceIsLive: sourceIsLive, source: source)
    }

    /// Re-evaluates every condition against the state at engine time `time` (session seconds).
    /// `arrivalNow` is the monotonic clock the state's arrival stamps use (for TELEMETRY.LOST,
    /// which is raised only when `sourceIsLive`). Call it after applying each batch of events
    /// and on every tick, so hysteresis and TELEMETRY.LOST advance while no data arrives.
    /// `source` is what the driver knows of the source beyond the frames (a connection that has
    /// sent nothing yet, a refused format version, arm samples dropped in a flood).
    public mutating func evaluate(_ state: SessionState, time: Double, arrivalNow: Double, sourceIsLive: Bool,
                                  source: SourceHealth = SourceHealth()) {
        let t = tick(time)
        expirePause(at: t)
        syncDevices(state, at: t)
        if conditions.count > pruneAbove { pruneConditions(state) }
        generation &+= 1
        readLinks(state)
        readTelemetry(state, at: t, arrivalNow: arrivalNow, sourceIsLive: sourceIsLive, source: source)
        readArms(state)
        readInstruments(state)
        for i in conditions.indices { step(i, at: t) }
        cachedHighest = scanHighest()
    }

    private mutating func set(_ i: Int, _ raw: AlarmPriority?, value: Double? = nil, value2: Double? = nil, aux: String? = nil) {
        conditions[i].reading = AlarmReading(raw: raw, value: value, value2: value2, aux: aux)
        conditions[i].readingGeneration = generation
    }

    private mutating func readLinks(_ state: SessionState) {
        let n = state.links.count
        guard n > 0 else { return }
        // A path that never said whether it is up counts as up (it is not known to be down).
        var anyUp = false, anyDown = false
        var carrier: String?, carrierKnown = false
        for k in 0..<n {
            let slot = linkSlot(k, path: state.links[k].path)
            let up = state.links[k].up
            if up == false { anyDown = true; continue }
            anyUp = true
            if carrier == nil || (up == true && !carrierKnown) {
                carrier = slot.subject
                carrierKnown = up == true
            }
            // The levels are `AlarmSettings`' rules (ConditionLevels.swift), which the console's
            // colours use too.
            let latest = state.links[k].latest
            if let v = latest[.rtt] { set(slot.rtt, settings.linkLevel(.rtt, v), value: v) }
            if let v = latest[.jitter] { set(slot.jitter, settings.linkLevel(.jitter, v), value: v) }
            if let v = latest[.loss] { set(slot.loss, settings.linkLevel(.loss, v), value: v) }
            if let v = latest[.videoFps] { set(slot.video, settings.linkLevel(.videoFps, v), value: v) }
        }
        guard anyDown else { return }
        if n >= 2 {
            for k in 0..<n where state.links[k].up == false {
                set(linkSlots[k].down, .medium, aux: carrier)
            }
        }
        if !anyUp { set(Self.allDownIndex, .high) }
    }

    private mutating func readTelemetry(_ state: SessionState, at t: Double, arrivalNow: Double, sourceIsLive: Bool,
                                        source: SourceHealth) {
        if sourceIsLive, let since = state.lastFrame?.arrival ?? source.silentSince {
            // Since the last frame, or, when none ever came, since the source connected.
            let age = arrivalNow - since
            if age > settings.staleSeconds {
                set(Self.lostIndex, .high, value: age, aux: state.lastFrame == nil ? "since connecting" : nil)
            }
        }
        if let version = source.refusedVersion { set(Self.versionIndex, .high, value: Double(version)) }
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

    private mutating func readArms(_ state: SessionState) {
        for k in state.arms.indices {
            armSlot(k, state.arms[k].descriptor)
            let slot = armSlots[k]
            if let level = settings.armFaultLevel(state.arms[k].state) { set(slot.fault, level) }
            if let position = state.arms[k].position {
                for j in 0..<min(position.count, slot.limit.count) where slot.limit[j] >= 0 {
                    let i = slot.limit[j], lo = slot.lower[j], hi = slot.upper[j]
                    let p = position[j]
                    guard let pct = AlarmSettings.limitMarginPct(position: p, min: lo, max: hi) else { continue }
                    set(i, settings.jointLimitLevel(marginPct: pct), value: pct, value2: p)
                }
            }
            if let effort = state.arms[k].effort {
                for j in 0..<min(effort.count, slot.effort.count) where slot.effort[j] >= 0 {
                    let i = slot.effort[j], maximum = slot.effortMax[j]
                    let e = effort[j]
                    guard let pct = AlarmSettings.effortPct(effort: e, max: maximum) else { continue }
                    set(i, settings.effortLevel(pct: pct), value: pct, value2: e)
                }
            }
        }
    }

    private mutating func readInstruments(_ state: SessionState) {
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

    /// Runs one condition's hysteresis and acts on what changed.
    private mutating func step(_ i: Int, at t: Double) {
        let fresh = conditions[i].readingGeneration == generation
        if !fresh && conditions[i].listing == nil && conditions[i].tracker.isIdle { return }
        if !fresh { conditions[i].reading = .none }
        let reading = conditions[i].reading
        let sustain = conditions[i].rule.sustains ? settings.sustainSeconds : 0
        let change = conditions[i].tracker.step(raw: reading.raw, at: t, sustain: sustain,
                                                clearAfter: settings.clearAfterSeconds)
        // The message states the latest reading at which the condition was present.
        if reading.raw != nil { conditions[i].shown = reading }
        if let change {
            switch change {
            case .raise(let p):
                let record = recordIndex(forCondition: i, at: t)
                conditions[i].listing = AlarmListing(priority: p, raisedAt: t, segmentStart: t, record: record)
                noteRaise(record, p)
                log(.raise, t, condition: i, priority: p)
                announce(p, id: conditions[i].id, at: t)
            case .escalate(let from, let to):
                var listing = conditions[i].listing!
                changePriority(&listing, to: to, at: t)
                listing.acknowledged = false
                conditions[i].listing = listing
                log(.escalate, t, condition: i, priority: to, previous: from)
                announce(to, id: conditions[i].id, at: t)
            case .deescalate(let from, let to):
                var listing = conditions[i].listing!
                changePriority(&listing, to: to, at: t)
                conditions[i].listing = listing
                log(.deescalate, t, condition: i, priority: to, previous: from)
            case .clear(let from):
                if var listing = conditions[i].listing {
                    closeSegment(&listing, at: t)
                    conditions[i].listing = nil
                }
                log(.clear, t, condition: i, priority: from)
            }
        }
        if reading.raw != nil, let record = conditions[i].listing?.record {
            let peak = records[record].peak
            var worse = peak.raw == nil
            if let v = reading.value, let p = peak.value {
                worse = conditions[i].rule.lowerIsWorse ? v < p : v > p
            }
            if worse { records[record].peak = reading }
        }
    }

    // MARK: - device alarms

    private mutating func syncDevices(_ state: SessionState, at t: Double) {
        if state.deviceAlarms.isEmpty && devices.isEmpty { return }
        for k in devices.indices { devices[k].seen = false }
        for alarm in state.deviceAlarms {
            if let k = devices.firstIndex(where: { $0.id == alarm.id }) {
                devices[k].seen = true
                devices[k].message = alarm.message
                devices[k].source = alarm.source
                devices[k].kind = alarm.kind
                if let r = devices[k].listing.record, let message = alarm.message { records[r].deviceMessage = message }
                if devices[k].listing.latched {
                    // Raised again by the robot after clearing: a new raise.
                    let record = devices[k].listing.record
                    devices[k].listing = AlarmListing(priority: alarm.priority, raisedAt: alarm.raisedAt,
                                                      segmentStart: t, record: record)
                    noteRaise(record, alarm.priority)
                    log(.raise, t, device: k)
                    announce(alarm.priority, id: alarm.id, at: t)
                } else if devices[k].listing.priority != alarm.priority {
                    let from = devices[k].listing.priority
                    var listing = devices[k].listing
                    changePriority(&listing, to: alarm.priority, at: t)
                    devices[k].listing = listing
                    if alarm.priority > from {
                        devices[k].listing.acknowledged = false
                        log(.escalate, t, device: k, previous: from)
                        announce(alarm.priority, id: alarm.id, at: t)
                    } else {
                        log(.deescalate, t, device: k, previous: from)
                    }
                }
            } else {
                let record = recordIndex(forDevice: alarm.id, source: alarm.source, message: alarm.message, at: t)
                devices.append(DeviceEntry(id: alarm.id, kind: alarm.kind, source: alarm.source, message: alarm.message,
                                           listing: AlarmListing(priority: alarm.priority, raisedAt: alarm.raisedAt,
                                                                 segmentStart: t, record: record)))
                noteRaise(record, alarm.priority)
                log(.raise, t, device: devices.count - 1)
                announce(alarm.priority, id: alarm.id, at: t)
            }
        }
        var k = 0
        while k < devices.count {
            if !devices[k].seen && !devices[k].listing.latched {
                var listing = devices[k].listing
                closeSegment(&listing, at: t)
                devices[k].listing = listing
                if devices[k].listing.priority == .high && !devices[k].listing.acknowledged {
                    devices[k].listing.latched = true
                    log(.latch, t, device: k, note: "cleared by the robot; latched until acknowledged")
                } else {
                    log(.clear, t, device: k)
                    devices.remove(at: k)
                    continue
                }
            }
            k += 1
        }
    }

    // MARK: - the list

    /// The listed alarms (active, and latched device alarms) in display order: highest priority
    /// first, then the oldest, then by id.
    public var alarms: [ActiveAlarm] {
        var out: [ActiveAlarm] = []
        for d in devices {
            out.append(ActiveAlarm(id: d.id, origin: .device, kind: d.kind, priority: d.listing.priority,
                                   message: d.message ?? d.id, raisedAt: d.listing.raisedAt,
                                   acknowledged: d.listing.acknowledged, latched: d.listing.latched, source: d.source))
        }
        for c in conditions {
            guard let listing = c.listing else { continue }
            out.append(ActiveAlarm(id: c.id, origin: .derived, kind: .technical, priority: listing.priority,
                                   message: settings.message(rule: c.rule, subject: c.subject, listed: listing.priority, reading: c.shown),
                                   raisedAt: listing.raisedAt, acknowledged: listing.acknowledged, latched: false,
                                   source: c.source, value: c.reading.value))
        }
        out.sort(by: ActiveAlarm.displayOrder)
        return out
    }

    /// The highest priority listed (active or latched, acknowledged or not): what the header shows.
    /// Kept current by every evaluation and every acknowledgement.
    public var highestPriority: AlarmPriority? { cachedHighest }

    /// Whether any listed alarm is unacknowledged (or latched).
    public var hasUnacknowledged: Bool { top { !$0.acknowledged } != nil }

    /// Whether any listed alarm flashes (unacknowledged, medium or high), without building the list.
    public var hasFlashing: Bool { top { !$0.acknowledged }.map { $0 >= .medium } ?? false }

    private func scanHighest() -> AlarmPriority? { top { _ in true } }

    /// The highest priority among the listed alarms that `include` accepts (given each one's id and listing).
    private func top(where include: (_ id: String, _ listing: AlarmListing) -> Bool) -> AlarmPriority? {
        var top: AlarmPriority?
        for d in devices where include(d.id, d.listing) && (top == nil || d.listing.priority > top!) { top = d.listing.priority }
        for c in conditions {
            if let l = c.listing, include(c.id, l), top == nil || l.priority > top! { top = l.priority }
        }
        return top
    }

    private func top(_ include: (AlarmListing) -> Bool) -> AlarmPriority? {
        top { _, listing in include(listing) }
    }

    /// The highest priority listed other than `id`.
    private func highest(excluding id: String) -> AlarmPriority? {
        top { other, _ in other != id }
    }

    // MARK: - acknowledgement

    /// Acknowledges one alarm: it stops flashing and sounding and stays listed while its condition
    /// lasts; a latched alarm goes. Returns whether anything changed.
    @discardableResult
    public mutating func acknowledge(id: String, at time: Double) -> Bool {
        let t = tick(time)
        defer { cachedHighest = scanHighest() }
        if let k = devices.firstIndex(where: { $0.id == id }) { return acknowledgeDevice(k, at: t) }
        guard let i = conditionIndex[id], let listing = conditions[i].listing, !listing.acknowledged else { return false }
        conditions[i].listing!.acknowledged = true
        log(.acknowledge, t, condition: i, priority: listing.priority)
        return true
    }

    /// Acknowledges every listed alarm; latched ones go. Returns how many were acknowledged.
    @discardableResult
    public mutating func acknowledgeAll(at time: Double) -> Int {
        let t = tick(time)
        defer { cachedHighest = scanHighest() }
        var count = 0
        var k = 0
        while k < devices.count {
            let latched = devices[k].listing.latched
            if acknowledgeDevice(k, at: t) { count += 1; if latched { continue } }
            k += 1
        }
        for i in conditions.indices {
            guard let listing = conditions[i].listing, !listing.acknowledged else { continue }
            conditions[i].listing!.acknowledged = true
            log(.acknowledge, t, condition: i, priority: listing.priority)
            count += 1
        }
        return count
    }

    private mutating func acknowledgeDevice(_ k: Int, at t: Double) -> Bool {
        if devices[k].listing.latched {
            log(.acknowledge, t, device: k, note: "acknowledged after the robot cleared it; removed")
            devices.remove(at: k)
            return true
        }
        guard !devices[k].listing.acknowledged else { return false }
        devices[k].listing.acknowledged = true
        log(.acknowledge, t, device: k)
        return true
    }

    // MARK: - visual

    /// Whether an alarm of `priority` that flashes is in its lit phase at `time` (any clock in
    /// seconds): high ~2 Hz, medium ~0.6 Hz, each lit half the period (IEC 60601-1-8: 1.4–2.8 Hz
    /// and 0.4–0.8 Hz, duty 20–60 %); low is steady (always lit).
    public static func isLitPhase(priority: AlarmPriority, at time: Double) -> Bool {
        let hz: Double
        switch priority {
        case .low: return true
        case .medium: hz = 0.6
        case .high: hz = 2
        }
        let cycles = time * hz
        return cycles - cycles.rounded(.down) < 0.5
    }

    // MARK: - audio

    /// Until when the audio is paused (engine clock), nil when not paused.
    public var audioPausedUntil: Double? { pausedUntil }

    /// Seconds left in the audio pause at `time` (the header's countdown), nil when not paused.
    public func audioPauseRemaining(at time: Double) -> Double? {
        pausedUntil.map { max(0, $0 - max(time, now)) }
    }

    /// Pauses the bell for `settings.audioPauseSeconds` (again from now when already paused).
    public mutating func pauseAudio(at time: Double) {
        let t = tick(time)
        pausedUntil = t + settings.audioPauseSeconds
        log(AlarmLogEntry(time: t, action: .audioPause,
                          message: "audio paused for \(NumberText.trimmed(settings.audioPauseSeconds, 1)) s"))
    }

    /// Ends an audio pause early; an unacknowledged medium or high alarm rings at the next `bellsDue`.
    public mutating func resumeAudio(at time: Double) {
        let t = tick(time)
        guard pausedUntil != nil else { return }
        pausedUntil = nil
        audioTop = nil
        log(AlarmLogEntry(time: t, action: .audioResume, message: "audio resumed"))
    }

    private mutating func expirePause(at t: Double) {
        guard let until = pausedUntil, t >= until else { return }
        pausedUntil = nil
        audioTop = nil
        log(AlarmLogEntry(time: until, action: .audioResume,
                          message: "audio pause of \(NumberText.trimmed(settings.audioPauseSeconds, 1)) s ended"))
    }

    /// A raise or escalation to `priority`: it sounds, and it breaks through an audio pause when
    /// it is higher than every other listed alarm.
    private mutating func announce(_ priority: AlarmPriority, id: String, at t: Double) {
        if pausedUntil != nil {
            if let other = highest(excluding: id), other >= priority {
                // Not higher than everything listed: the pause holds.
            } else {
                pausedUntil = nil
                audioTop = nil
                log(AlarmLogEntry(time: t, action: .audioBreakThrough, id: id, priority: priority,
                                  message: "audio pause ended by a new \(priority.rawValue)-priority alarm"))
            }
        }
        if pendingSound == nil || priority > pendingSound! { pendingSound = priority }
    }

    /// How many terminal bells to ring now (0 most of the time). Call it on every tick.
    /// High: a burst of `highBells` when raised and every `highRepeatSeconds`; medium: `mediumBells`
    /// when raised and every `mediumRepeatSeconds`; low: `lowBells` once when raised. Only the highest
    /// unacknowledged priority sounds; nothing sounds while the audio is paused.
    public mutating func bellsDue(at time: Double) -> Int {
        let t = tick(time)
        expirePause(at: t)
        defer { pendingSound = nil }
        guard pausedUntil == nil, let top = top({ !$0.acknowledged }) else {
            if pausedUntil == nil { audioTop = nil }
            return 0
        }
        if top == .low {
            audioTop = nil
            return pendingSound == .low ? settings.lowBells : 0
        }
        let interval = top == .high ? settings.highRepeatSeconds : settings.mediumRepeatSeconds
        var ring = false
        if let current = audioTop {
            if top > current {
                ring = true
            } else if let pending = pendingSound, pending >= top {
                ring = true
            } else if top < current {
                nextRing = t + interval
            } else if t >= nextRing - LevelTracker.epsilon {
                ring = true
            }
        } else {
            ring = true
        }
        audioTop = top
        guard ring else { return 0 }
        nextRing = t + interval
        return settings.bells(for: top)
    }

    // MARK: - log

    /// The log entries since the last drain, oldest first.
    public mutating func drainLog() -> [AlarmLogEntry] {
        let out = Array(pendingLog)
        pendingLog.removeAll(keepingCapacity: true)
        return out
    }

    private mutating func log(_ entry: AlarmLogEntry) {
        if pendingLog.count >= max(1, logLimit) {
            pendingLog.removeFirst()
            droppedLogEntries += 1
        }
        pendingLog.append(entry)
    }

    private mutating func log(_ action: AlarmLogEntry.Action, _ t: Double, condition i: Int,
                              priority: AlarmPriority, previous: AlarmPriority? = nil) {
        let c = conditions[i]
        let message = settings.message(rule: c.rule, subject: c.subject, listed: priority, reading: c.shown)
        log(AlarmLogEntry(time: t, action: action, id: c.id, origin: .derived, priority: priority,
                          previous: previous, message: message))
    }

    private mutating func log(_ action: AlarmLogEntry.Action, _ t: Double, device k: Int,
                              previous: AlarmPriority? = nil, note: String? = nil) {
        let d = devices[k]
        var message = d.message ?? ""
        if let note { message += message.isEmpty ? note : " (\(note))" }
        log(AlarmLogEntry(time: t, action: action, id: d.id, origin: .device, priority: d.listing.priority,
                          previous: previous, message: message))
    }

    // MARK: - history

    /// Every alarm condition raised so far, in order of first raise; open alarms count up to the
    /// engine clock.
    public var history: [AlarmRecord] { history(at: now) }

    /// The history with open alarms counted up to `time`.
    public func history(at time: Double) -> [AlarmRecord] {
        var out: [AlarmRecord] = []
        out.reserveCapacity(records.count)
        for r in records {
            var message = r.deviceMessage ?? r.id
            if let i = r.condition {
                let c = conditions[i]
                message = settings.message(rule: c.rule, subject: c.subject, listed: r.peakPriority, reading: r.peak)
            }
            out.append(AlarmRecord(id: r.id, origin: r.origin, source: r.source, peakPriority: r.peakPriority,
                                   firstRaised: r.firstRaised, raises: r.raises, secondsLow: r.seconds[0],
                                   secondsMedium: r.seconds[1], secondsHigh: r.seconds[2], peakValue: r.peak.value,
                                   message: message, isOpen: false))
        }
        func addOpen(_ listing: AlarmListing) {
            guard let r = listing.record, !listing.latched else { return }
            let dt = max(0, time - listing.segmentStart)
            switch listing.priority {
            case .low: out[r].secondsLow += dt
            case .medium: out[r].secondsMedium += dt
            case .high: out[r].secondsHigh += dt
            }
            out[r].isOpen = true
        }
        for d in devices { addOpen(d.listing) }
        for c in conditions { if let l = c.listing { addOpen(l) } }
        return out
    }

    /// Seconds during which the highest listed priority was `priority` (what the header showed),
    /// up to the engine clock.
    public func seconds(withHighest priority: AlarmPriority) -> Double {
        secondsWithHighest[priority.rank - 1]
    }

    private mutating func recordIndex(forCondition i: Int, at t: Double) -> Int? {
        if let r = conditions[i].record { return r }
        guard records.count < historyLimit else { return nil }
        let c = conditions[i]
        records.append(HistoryEntry(id: c.id, origin: .derived, source: c.source, condition: i, firstRaised: t))
        conditions[i].record = records.count - 1
        return records.count - 1
    }

    private mutating func recordIndex(forDevice id: String, source: String?, message: String?, at t: Double) -> Int? {
        if let r = deviceRecords[id] { return r }
        guard records.count < historyLimit else { return nil }
        var entry = HistoryEntry(id: id, origin: .device, source: source, condition: nil, firstRaised: t)
        entry.deviceMessage = message
        records.append(entry)
        deviceRecords[id] = records.count - 1
        return records.count - 1
    }

    private mutating func noteRaise(_ record: Int?, _ priority: AlarmPriority) {
        raisesByPriority[priority, default: 0] += 1
        guard let r = record else { return }
        records[r].raises += 1
        records[r].peakPriority = records[r].raises == 1 ? priority : max(priority, records[r].peakPriority)
    }

    private mutating func changePriority(_ listing: inout AlarmListing, to priority: AlarmPriority, at t: Double) {
        closeSegment(&listing, at: t)
        listing.priority = priority
        if let r = listing.record, priority > records[r].peakPriority { records[r].peakPriority = priority }
    }

    private mutating func closeSegment(_ listing: inout AlarmListing, at t: Double) {
        if let r = listing.record {
            records[r].seconds[listing.priority.rank - 1] += max(0, t - listing.segmentStart)
        }
        listing.segmentStart = t
    }

    // MARK: - pruning

    /// How many derived conditions the engine holds (for tests of its bound).
    var conditionCount: Int { conditions.count }

    /// Drops the conditions of links, arms, joints and instruments the state no longer has,
    /// once they are not listed: a stream that declares new arm or joint names in every session
    /// frame must not grow the engine (and its per-evaluation work) without end. A dropped
    /// condition that was raised keeps its history, with its message fixed as it stood.
    private mutating func pruneConditions(_ state: SessionState) {
        if linkSlots.count > state.links.count { linkSlots.removeLast(linkSlots.count - state.links.count) }
        if armSlots.count > state.arms.count { armSlots.removeLast(armSlots.count - state.arms.count) }
        if instrumentSlots.count > state.instruments.count {
            instrumentSlots.removeLast(instrumentSlots.count - state.instruments.count)
        }
        var keep = [Bool](repeating: false, count: conditions.count)
        for i in 0...Self.ignoredIndex { keep[i] = true }
        for s in linkSlots { for i in [s.rtt, s.jitter, s.loss, s.video, s.down] { keep[i] = true } }
        for s in armSlots {
            keep[s.fault] = true
            for i in s.limit + s.effort where i >= 0 { keep[i] = true }
        }
        for s in instrumentSlots {
            keep[s.fault] = true
            keep[s.uses] = true
        }
        for i in conditions.indices where conditions[i].listing != nil { keep[i] = true }
        var newIndex = [Int](repeating: -1, count: conditions.count)
        var kept: [DerivedCondition] = []
        for i in conditions.indices {
            if keep[i] {
                newIndex[i] = kept.count
                kept.append(conditions[i])
            } else if let r = conditions[i].record {
                let c = conditions[i]
                records[r].deviceMessage = settings.message(rule: c.rule, subject: c.subject, listed: records[r].peakPriority,
                                                            reading: records[r].peak)
                records[r].condition = nil
            }
        }
        guard kept.count < conditions.count else {
            pruneAbove = max(pruneAbove, 2 * conditions.count)
            return
        }
        conditions = kept
        conditionIndex = [:]
        for i in conditions.indices { conditionIndex[conditions[i].id] = i }
        for r in records.indices { if let i = records[r].condition { records[r].condition = newIndex[i] } }
        for k in linkSlots.indices {
            linkSlots[k].rtt = newIndex[linkSlots[k].rtt]
            linkSlots[k].jitter = newIndex[linkSlots[k].jitter]
            linkSlots[k].loss = newIndex[linkSlots[k].loss]
            linkSlots[k].video = newIndex[linkSlots[k].video]
            linkSlots[k].down = newIndex[linkSlots[k].down]
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
        pruneAbove = max(1024, 2 * conditions.count)
    }

    // MARK: - cached ids

    @discardableResult
    private mutating func addCondition(id: String, rule: AlarmRule, subject: String, source: String?) -> Int {
        if let i = conditionIndex[id] {
            if conditions[i].rule != rule {
                // Same id, new figures (a joint redeclared with other limits): keep its state.
                let old = conditions[i]
                var fresh = DerivedCondition(id: id, rule: rule, subject: subject, source: source)
                fresh.tracker = old.tracker
                fresh.shown = old.shown
                fresh.listing = old.listing
                fresh.record = old.record
                conditions[i] = fresh
            }
            return i
        }
        conditions.append(DerivedCondition(id: id, rule: rule, subject: subject, source: source))
        conditionIndex[id] = conditions.count - 1
        return conditions.count - 1
    }

    private mutating func linkSlot(_ k: Int, path: String) -> LinkSlot {
        if k < linkSlots.count, linkSlots[k].path == path { return linkSlots[k] }
        let name = WireText.sanitize(path)
        let slot = LinkSlot(
            path: path, subject: name,
            rtt: addCondition(id: "LINK.\(path).RTT", rule: .rtt, subject: name, source: path),
            jitter: addCondition(id: "LINK.\(path).JITTER", rule: .jitter, subject: name, source: path),
            loss: addCondition(id: "LINK.\(path).LOSS", rule: .loss, subject: name, source: path),
            video: addCondition(id: "LINK.\(path).VIDEO", rule: .video, subject: name, source: path),
            down: addCondition(id: "LINK.\(path).DOWN", rule: .pathDown, subject: name, source: path))
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
                limit.append(addCondition(id: "\(arm).\(joint.name).LIMIT", rule: .jointLimit(unit: joint.unit, min: lo, max: hi),
                                          subject: subject, source: arm))
            } else {
                limit.append(-1)
            }
            if let m = joint.effortMax, m.isFinite, m > 0 {
                effort.append(addCondition(id: "\(arm).\(joint.name).EFFORT", rule: .effort(unit: joint.unit, max: m),
                                           subject: subject, source: arm))
            } else {
                effort.append(-1)
            }
        }
        let slot = ArmSlot(id: arm, joints: descriptor.joints,
                           fault: addCondition(id: "\(arm).FAULT", rule: .armFault, subject: name, source: arm),
                           limit: limit, effort: effort, lower: lower, upper: upper, effortMax: effortMax)
        if k < armSlots.count { armSlots[k] = slot } else { armSlots.append(slot) }
    }

    private mutating func instrumentSlot(_ k: Int, arm: String) {
        if k < instrumentSlots.count, instrumentSlots[k].arm == arm { return }
        let name = WireText.sanitize(arm)
        let slot = InstrumentSlot(
            arm: arm,
            fault: addCondition(id: "\(arm).INSTRUMENT.FAULT", rule: .instrumentFault, subject: name, source: arm),
            uses: addCondition(id: "\(arm).INSTRUMENT.USES", rule: .instrumentUses, subject: name, source: arm))
        if k < instrumentSlots.count { instrumentSlots[k] = slot } else { instrumentSlots.append(slot) }
    }
}

// MARK: - internal storage

private struct LinkSlot: Sendable {
    var path: String
    /// The path's name for messages (control characters removed).
    var subject: String
    var rtt, jitter, loss, video, down: Int
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

private struct DeviceEntry: Sendable {
    var id: String
    var kind: AlarmKind
    var source: String?
    var message: String?
    var listing: AlarmListing
    var seen = true
}

private struct HistoryEntry: Sendable {
    var id: String
    var origin: AlarmOrigin
    var source: String?
    var condition: Int?
    var firstRaised: Double
    var raises = 0
    var seconds = SIMD4<Double>(repeating: 0)
    var peakPriority = AlarmPriority.low
    /// The worst reading while listed (derived).
    var peak = AlarmReading.none
    var deviceMessage: String?

    init(id: String, origin: AlarmOrigin, source: String?, condition: Int?, firstRaised: Double) {
        self.id = id
        self.origin = origin
        self.source = source
        self.condition = condition
        self.firstRaised = firstRaised
    }
}
