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

    /// The engine clock: the latest time the engine was given (−∞ before the first).
    public private(set) var now = -Double.infinity

    /// The derived conditions and their readings (AlarmConditions.swift).
    var conditions = AlarmConditions()
    /// The robot's own alarms, as listed.
    var devices: [DeviceEntry] = []
    /// The bell and its pause (AlarmAudio.swift).
    var audio = AlarmAudio()
    /// Log entries not yet drained (AlarmHistory.swift).
    var logQueue = AlarmLogQueue()
    /// What the report is told (AlarmHistory.swift).
    var recorded = AlarmHistory()
    private var cachedHighest: AlarmPriority?
    /// While the clock runs on the seconds since a live source connected (no frame yet): when
    /// it connected (arrival time).
    private var connectedAt: Double?
    /// The session time of a live source's latest frame at the last evaluation: where an
    /// outage began, when frames flow again (`resume(at:after:)`).
    private var frameTime = -Double.infinity
    /// The generation of the last `sync` whose clears were logged (`SessionState.lastResync`).
    private var resyncLogged = 0
    /// The generation of the last robot clear logged (`SessionState.robotClears`).
    private var robotClearsLogged = 0
    /// The last robot clear this engine has logged: the state may forget those up to it.
    public var robotClearsTaken: Int { robotClearsLogged }

    public init(settings: AlarmSettings = .defaults) {
        self.settings = settings
    }

    /// Forgets every alarm, the audio state and the history (a seek in a replay, a new recording).
    /// Log entries not yet drained are kept. Nothing is logged.
    public mutating func reset() {
        var fresh = AlarmEngine(settings: settings)
        fresh.recorded.limit = recorded.limit
        fresh.logQueue = logQueue
        self = fresh
    }

    /// Takes over the alarms of an engine kept earlier (a replay resuming at a checkpoint),
    /// keeping, as `reset` does, this engine's log entries not yet written: the kept engine's
    /// own were written when it was current.
    public mutating func restore(from kept: AlarmEngine) {
        var restored = kept
        restored.logQueue = logQueue
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
        retime { $0 + delta }
    }

    /// Brings the clock back to session time `time` when frames of a live source flow again
    /// after an outage that did not end the session (a reconnect continuing the same session
    /// at the time it stopped): the clock ran ahead on arrival time meanwhile. Session time
    /// stood still during the outage, so every time held after `pivot` (the session time when
    /// frames stopped) moves back by the overshoot, but not before `pivot`: the outage becomes
    /// the moment it happened at, alarms from before it keep their times, and what follows is
    /// stamped with session time again.
    mutating func resume(at time: Double, after pivot: Double) {
        guard time.isFinite, pivot.isFinite, now.isFinite, time < now else { return }
        let delta = time - now
        now = time
        retime { $0 > pivot ? max(pivot, $0 + delta) : $0 }
    }

    private mutating func retime(_ move: (Double) -> Double) {
        audio.retime(move)
        conditions.retime(move)
        for k in devices.indices { devices[k].listing.retime(move) }
        recorded.retime(move)
    }

    /// Arrival jitter up to this many seconds is absorbed by the clock standing still; an
    /// overshoot beyond it is an outage that `resume(at:after:)` takes back.
    static let resumeSlack = 0.25

    /// Advances the clock (never backwards) and counts the time spent at the highest priority.
    mutating func tick(_ time: Double) -> Double {
        guard time.isFinite else { return now.isFinite ? now : 0 }
        if time > now {
            if let cachedHighest, now.isFinite { recorded.countHighest(cachedHighest, seconds: time - now) }
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
        } else if sourceIsLive, state.lastFrame != nil, now - time > Self.resumeSlack {
            // Frames flow again after an outage that continued the session.
            resume(at: time, after: frameTime.isFinite ? min(frameTime, time) : time)
        }
        if sourceIsLive, state.lastFrame != nil { frameTime = state.sessionTime }
        evaluate(state, time: time, arrivalNow: arrivalNow, sourceIsLive: sourceIsLive, source: source)
    }

    /// Re-evaluates every condition against the state at engine time `time` (session seconds).
    /// `arrivalNow` is the monotonic clock the state's arrival stamps use (for TELEMETRY.LOST,
    /// which is raised only when `sourceIsLive`). Call it after applying each batch of events
    /// and on every tick, so hysteresis and TELEMETRY.LOST advance while no data arrives.
    /// `source` is what the driver knows of the source beyond the frames (a connection that has
    /// sent nothing yet, a refused format version, arm samples dropped in a flood).
    ///
    /// `armSamplesOnly`: the caller vouches that since the last evaluation of this engine only
    /// `arm` frames were applied to `state` (a report evaluating between rounds of arm samples):
    /// the readings of links and instruments, which such frames cannot change, are kept rather
    /// than read again.
    public mutating func evaluate(_ state: SessionState, time: Double, arrivalNow: Double, sourceIsLive: Bool,
                                  source: SourceHealth = SourceHealth(), armSamplesOnly: Bool = false) {
        let previous = now
        let t = tick(time)
        expirePause(at: t)
        syncDevices(state, at: t, since: previous)
        if conditions.needsPrune { pruneConditions(state) }
        conditions.read(state, settings: settings, at: t, arrivalNow: arrivalNow, sourceIsLive: sourceIsLive, source: source,
                        armSamplesOnly: armSamplesOnly)
        for i in conditions.all.indices { step(i, at: t) }
        cachedHighest = scanHighest()
    }

    /// Drops the conditions the state no longer uses (`AlarmConditions.prune`); one that was
    /// raised keeps its history, with its message fixed as it stood.
    private mutating func pruneConditions(_ state: SessionState) {
        guard let (dropped, newIndex) = conditions.prune(state) else { return }
        let settings = settings
        for c in dropped {
            guard let r = c.record else { continue }
            recorded.retire(record: r) { peakPriority, peak in
                settings.message(rule: c.rule, subject: c.subject, listed: peakPriority, reading: peak)
            }
        }
        recorded.renumberConditions(newIndex)
    }

    /// How many derived conditions the engine holds (for tests of its bound).
    var conditionCount: Int { conditions.count }

    /// Runs one condition's hysteresis and acts on what changed.
    private mutating func step(_ i: Int, at t: Double) {
        let fresh = conditions.isFresh(i)
        // Nothing listed, nothing under way, and no level now: stepping would change nothing
        // (most conditions at most evaluations: a joint far from its limits).
        if conditions.all[i].listing == nil && conditions.all[i].tracker.isIdle
            && (!fresh || conditions.all[i].reading.raw == nil) { return }
        if !fresh { conditions.all[i].reading = .none }
        let reading = conditions.all[i].reading
        // A measured value's sustain is its level window (AlarmConditions.measure): its mean
        // over the last `sustain_s` already decides the level, so the tracker raises at once.
        // TELEMETRY.LOST clears with the first frame: a frame is proof that telemetry flows,
        // and "no telemetry" must never stay listed while it does.
        let clearAfter = conditions.all[i].rule == .telemetryLost ? 0 : settings.clearAfterSeconds
        let change = conditions.all[i].tracker.step(raw: reading.raw, at: t, sustain: 0, clearAfter: clearAfter)
        // The message states the latest reading that held at the listed priority, so a medium
        // alarm waiting to de-escalate still says what made it medium.
        let listed = conditions.all[i].tracker.displayed
        if let raw = reading.raw, listed.map({ raw >= $0 }) ?? true { conditions.all[i].shown = reading }
        if let change {
            switch change {
            case .raise(let p):
                let record = recorded.record(forCondition: i, conditions.all[i], at: t)
                conditions.all[i].record = record
                conditions.all[i].listing = AlarmListing(priority: p, raisedAt: t, segmentStart: t, record: record)
                recorded.noteRaise(record, p)
                log(.raise, t, condition: i, priority: p)
                announce(p, id: conditions.all[i].id, at: t)
            case .escalate(let from, let to):
                var listing = conditions.all[i].listing!
                recorded.changePriority(&listing, to: to, at: t)
                listing.acknowledged = false
                conditions.all[i].listing = listing
                log(.escalate, t, condition: i, priority: to, previous: from)
                announce(to, id: conditions.all[i].id, at: t)
            case .deescalate(let from, let to):
                var listing = conditions.all[i].listing!
                recorded.changePriority(&listing, to: to, at: t)
                conditions.all[i].listing = listing
                log(.deescalate, t, condition: i, priority: to, previous: from)
            case .clear(let from):
                if var listing = conditions.all[i].listing {
                    recorded.closeSegment(&listing, at: t)
                    conditions.all[i].listing = nil
                }
                log(.clear, t, condition: i, priority: from)
            }
        }
        if reading.raw != nil, let record = conditions.all[i].listing?.record {
            recorded.notePeak(reading, record: record, lowerIsWorse: conditions.all[i].rule.lowerIsWorse)
        }
    }

    // MARK: - device alarms

    private mutating func syncDevices(_ state: SessionState, at t: Double, since previous: Double) {
        takeRobotClears(state.robotClears, at: t, since: previous)
        if state.deviceAlarms.isEmpty && devices.isEmpty { return }
        var clearedBySync: Set<String> = []
        if let resync = state.lastResync, resync.generation != resyncLogged {
            // Every sync since the last evaluation: a second one must not hide the first's clears.
            clearedBySync = Set(resync.cleared(after: resyncLogged < resync.generation ? resyncLogged : 0))
            resyncLogged = resync.generation
        }
        for k in devices.indices { devices[k].seen = false }
        for alarm in state.deviceAlarms {
            if let k = devices.firstIndex(where: { $0.id == alarm.id }) {
                devices[k].seen = true
                if devices[k].unconfirmed != alarm.unconfirmed {
                    devices[k].unconfirmed = alarm.unconfirmed
                    log(alarm.unconfirmed ? .unconfirmed : .resync, t, device: k,
                        note: alarm.unconfirmed ? "unconfirmed since reconnect: the gateway sent \(state.missingSync)"
                            : "confirmed since the reconnect", resync: alarm.unconfirmed ? nil : .confirmed)
                }
                devices[k].message = alarm.message
                devices[k].source = alarm.source
                devices[k].kind = alarm.kind
                if let r = devices[k].listing.record, let message = alarm.message { recorded.setDeviceMessage(message, record: r) }
                if devices[k].listing.latched {
                    // Raised again by the robot after clearing: a new raise.
                    let record = devices[k].listing.record
                    devices[k].listing = AlarmListing(priority: alarm.priority, raisedAt: alarm.raisedAt,
                                                      segmentStart: t, record: record)
                    recorded.noteRaise(record, alarm.priority)
                    if alarm.raisedBySync {
                        log(.resync, t, device: k, note: "raised again: active at the gateway", resync: .raised)
                    } else {
                        log(.raise, t, device: k)
                    }
                    announce(alarm.priority, id: alarm.id, at: t)
                } else if devices[k].listing.priority != alarm.priority {
                    let from = devices[k].listing.priority
                    var listing = devices[k].listing
                    recorded.changePriority(&listing, to: alarm.priority, at: t)
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
                let record = recorded.record(forDevice: alarm.id, source: alarm.source, message: alarm.message, at: t)
                devices.append(DeviceEntry(id: alarm.id, kind: alarm.kind, source: alarm.source, message: alarm.message,
                                           listing: AlarmListing(priority: alarm.priority, raisedAt: alarm.raisedAt,
                                                                 segmentStart: t, record: record)))
                recorded.noteRaise(record, alarm.priority)
                if alarm.raisedBySync {
                    log(.resync, t, device: devices.count - 1, note: "raised: active at the gateway, not seen raised here",
                        resync: .raised)
                } else {
                    log(.raise, t, device: devices.count - 1)
                }
                announce(alarm.priority, id: alarm.id, at: t)
            }
        }
        var k = 0
        while k < devices.count {
            if !devices[k].seen && !devices[k].listing.latched {
                var listing = devices[k].listing
                recorded.closeSegment(&listing, at: t)
                devices[k].listing = listing
                let bySync = clearedBySync.contains(devices[k].id)
                devices[k].unconfirmed = false
                if devices[k].listing.priority == .high && !devices[k].listing.acknowledged {
                    devices[k].listing.latched = true
                    if bySync {
                        log(.resync, t, device: k, note: "cleared: no longer active at the gateway; latched until acknowledged",
                            resync: .cleared)
                    } else {
                        log(.latch, t, device: k, note: "cleared by the robot; latched until acknowledged")
                    }
                } else {
                    if bySync {
                        log(.resync, t, device: k, note: "cleared: no longer active at the gateway", resync: .cleared)
                    } else {
                        log(.clear, t, device: k)
                    }
                    devices.remove(at: k)
                    continue
                }
            }
            k += 1
        }
    }

    /// Logs each robot clear since the last evaluation at its own time, and the raise of an
    /// alarm raised since then too (cleared before this evaluation could see it listed), so
    /// no robot alarm is lost between evaluations. The alarms still listed are handled after.
    ///
    /// No time logged lies before the previous evaluation (`previous`): a clearing frame's `t`
    /// may (live, the evaluation clock runs on arrival; an out-of-order frame), and the log never
    /// goes back in time.
    private mutating func takeRobotClears(_ record: RobotClearRecord, at t: Double, since previous: Double) {
        guard record.generation != robotClearsLogged else { return }
        // A record numbered below the one taken is a new state's (a session started over).
        let after = robotClearsLogged < record.generation ? robotClearsLogged : 0
        robotClearsLogged = record.generation
        for clear in record.cleared(after: after) {
            let alarm = clear.alarm
            let floor = min(previous, t)
            let raisedAt = max(floor, min(alarm.raisedAt, t))
            let k: Int
            if let listed = devices.firstIndex(where: { $0.id == alarm.id }) {
                k = listed
                if devices[k].listing.latched {
                    // Raised again after a latch, and cleared again, since the last evaluation.
                    let record = devices[k].listing.record
                    devices[k].listing = AlarmListing(priority: alarm.priority, raisedAt: alarm.raisedAt,
                                                      segmentStart: raisedAt, record: record)
                    recorded.noteRaise(record, alarm.priority)
                    logRobotRaise(alarm, device: k, at: raisedAt)
                }
            } else {
                let record = recorded.record(forDevice: alarm.id, source: alarm.source, message: alarm.message, at: raisedAt)
                devices.append(DeviceEntry(id: alarm.id, kind: alarm.kind, source: alarm.source, message: alarm.message,
                                           listing: AlarmListing(priority: alarm.priority, raisedAt: alarm.raisedAt,
                                                                 segmentStart: raisedAt, record: record)))
                k = devices.count - 1
                recorded.noteRaise(record, alarm.priority)
                logRobotRaise(alarm, device: k, at: raisedAt)
            }
            let clearedAt = max(raisedAt, devices[k].listing.segmentStart, min(clear.t, t))
            var listing = devices[k].listing
            recorded.closeSegment(&listing, at: clearedAt)
            devices[k].listing = listing
            devices[k].unconfirmed = false
            if listing.priority == .high && !listing.acknowledged {
                devices[k].listing.latched = true
                log(.latch, clearedAt, device: k, note: "cleared by the robot; latched until acknowledged")
            } else {
                log(.clear, clearedAt, device: k)
                devices.remove(at: k)
            }
        }
    }

    private mutating func logRobotRaise(_ alarm: DeviceAlarm, device k: Int, at t: Double) {
        if alarm.raisedBySync {
            log(.resync, t, device: k, note: "raised: active at the gateway, not seen raised here", resync: .raised)
        } else {
            log(.raise, t, device: k)
        }
        announce(alarm.priority, id: alarm.id, at: t)
    }

    // MARK: - the list

    /// The listed alarms (active, and latched device alarms) in display order: highest priority
    /// first, then the oldest, then by id.
    public var alarms: [ActiveAlarm] {
        var out: [ActiveAlarm] = []
        for d in devices {
            out.append(ActiveAlarm(id: d.id, origin: .device, kind: d.kind, priority: d.listing.priority,
                                   message: d.message ?? d.id, raisedAt: d.listing.raisedAt,
                                   acknowledged: d.listing.acknowledged, latched: d.listing.latched, source: d.source,
                                   unconfirmed: d.unconfirmed))
        }
        for c in conditions.all {
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
    func top(where include: (_ id: String, _ listing: AlarmListing) -> Bool) -> AlarmPriority? {
        var top: AlarmPriority?
        for d in devices where include(d.id, d.listing) && (top == nil || d.listing.priority > top!) { top = d.listing.priority }
        for c in conditions.all {
            if let l = c.listing, include(c.id, l), top == nil || l.priority > top! { top = l.priority }
        }
        return top
    }

    func top(_ include: (AlarmListing) -> Bool) -> AlarmPriority? {
        top { _, listing in include(listing) }
    }

    /// The highest priority listed other than `id`.
    func highest(excluding id: String) -> AlarmPriority? {
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
        guard let i = conditions.index(of: id), let listing = conditions.all[i].listing, !listing.acknowledged else { return false }
        conditions.all[i].listing!.acknowledged = true
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
        for i in conditions.all.indices {
            guard let listing = conditions.all[i].listing, !listing.acknowledged else { continue }
            conditions.all[i].listing!.acknowledged = true
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

    // MARK: - log

    mutating func log(_ entry: AlarmLogEntry) {
        logQueue.append(entry)
    }

    private mutating func log(_ action: AlarmLogEntry.Action, _ t: Double, condition i: Int,
                              priority: AlarmPriority, previous: AlarmPriority? = nil) {
        let c = conditions.all[i]
        var message = settings.message(rule: c.rule, subject: c.subject, listed: priority, reading: c.shown)
        if action == .clear {
            message = settings.clearMessage(rule: c.rule, subject: c.subject, was: message,
                                            now: conditions.isFresh(i) ? c.reading : .none)
        }
        log(AlarmLogEntry(time: t, action: action, id: c.id, origin: .derived, priority: priority,
                          previous: previous, message: message))
    }

    private mutating func log(_ action: AlarmLogEntry.Action, _ t: Double, device k: Int,
                              previous: AlarmPriority? = nil, note: String? = nil,
                              resync: AlarmLogEntry.ResyncEffect? = nil) {
        let d = devices[k]
        var message = d.message ?? ""
        if let note { message += message.isEmpty ? note : " (\(note))" }
        log(AlarmLogEntry(time: t, action: action, id: d.id, origin: .device, priority: d.listing.priority,
                          previous: previous, message: message, resync: resync))
    }
}

/// One of the robot's own alarms, as the engine lists it.
struct DeviceEntry: Sendable {
    var id: String
    var kind: AlarmKind
    var source: String?
    var message: String?
    var listing: AlarmListing
    var seen = true
    /// Raised before a live reconnect and not confirmed since (`DeviceAlarm.unconfirmed`).
    var unconfirmed = false
}
