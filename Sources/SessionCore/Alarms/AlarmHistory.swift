import DequeModule
import Telemetry

/// What the alarm engine remembers for the report: one record per alarm id raised (first raise,
/// raises, seconds at each priority, the worst reading), the raises per priority and the seconds
/// each priority was the highest listed. A value the engine holds; times are the engine clock.
struct AlarmHistory: Sendable {
    /// Records kept (one per alarm id); further ids are not recorded.
    var limit = 10_000
    /// Raises per priority (the priority at the raise; escalations are not counted).
    private(set) var raisesByPriority: [AlarmPriority: Int] = [:]
    private var secondsWithHighest = SIMD4<Double>(repeating: 0)
    private var records: [Record] = []
    private var deviceRecords: [String: Int] = [:]

    /// One alarm id's record.
    struct Record: Sendable {
        var id: String
        var origin: AlarmOrigin
        var source: String?
        /// The derived condition's index in the engine (nil for a device alarm, or once pruned).
        var condition: Int?
        var firstRaised: Double
        var raises = 0
        var seconds = SIMD4<Double>(repeating: 0)
        var peakPriority = AlarmPriority.low
        /// The worst reading while listed (derived).
        var peak = AlarmReading.none
        /// The robot's message (device), or the message a pruned condition was left with.
        var deviceMessage: String?
        /// The unit of the peak value (derived).
        var peakUnit: String?

        init(id: String, origin: AlarmOrigin, source: String?, condition: Int?, firstRaised: Double) {
            self.id = id
            self.origin = origin
            self.source = source
            self.condition = condition
            self.firstRaised = firstRaised
        }
    }

    /// The record of derived condition `condition` (index `i`), begun at `t` when it has none;
    /// nil when the history is full.
    mutating func record(forCondition i: Int, _ condition: DerivedCondition, at t: Double) -> Int? {
        if let r = condition.record { return r }
        guard records.count < limit else { return nil }
        var record = Record(id: condition.id, origin: .derived, source: condition.source, condition: i, firstRaised: t)
        record.peakUnit = condition.rule.peakUnit
        records.append(record)
        return records.count - 1
    }

    /// The record of device alarm `id`, begun at `t` when it has none; nil when the history is full.
    mutating func record(forDevice id: String, source: String?, message: String?, at t: Double) -> Int? {
        if let r = deviceRecords[id] { return r }
        guard records.count < limit else { return nil }
        var record = Record(id: id, origin: .device, source: source, condition: nil, firstRaised: t)
        record.deviceMessage = message
        records.append(record)
        deviceRecords[id] = records.count - 1
        return records.count - 1
    }

    mutating func noteRaise(_ record: Int?, _ priority: AlarmPriority) {
        raisesByPriority[priority, default: 0] += 1
        guard let r = record else { return }
        records[r].raises += 1
        records[r].peakPriority = records[r].raises == 1 ? priority : max(priority, records[r].peakPriority)
    }

    /// A listed alarm changes priority at `t`: the stretch at the old one is counted.
    mutating func changePriority(_ listing: inout AlarmListing, to priority: AlarmPriority, at t: Double) {
        closeSegment(&listing, at: t)
        listing.priority = priority
        if let r = listing.record, priority > records[r].peakPriority { records[r].peakPriority = priority }
    }

    /// Counts the listing's stretch at its priority up to `t` and starts the next one there.
    mutating func closeSegment(_ listing: inout AlarmListing, at t: Double) {
        if let r = listing.record {
            records[r].seconds[listing.priority.rank - 1] += max(0, t - listing.segmentStart)
        }
        listing.segmentStart = t
    }

    /// A derived condition's reading while listed: kept when it is the worst so far.
    mutating func notePeak(_ reading: AlarmReading, record r: Int, lowerIsWorse: Bool) {
        let peak = records[r].peak
        var worse = peak.raw == nil
        if let v = reading.value, let p = peak.value {
            worse = lowerIsWorse ? v < p : v > p
        }
        if worse { records[r].peak = reading }
    }

    mutating func setDeviceMessage(_ message: String, record r: Int) {
        records[r].deviceMessage = message
    }

    /// `seconds` more during which `priority` was the highest listed.
    mutating func countHighest(_ priority: AlarmPriority, seconds: Double) {
        secondsWithHighest[priority.rank - 1] += seconds
    }

    /// Seconds during which the highest listed priority was `priority`.
    func seconds(withHighest priority: AlarmPriority) -> Double {
        secondsWithHighest[priority.rank - 1]
    }

    /// Moves the first raises by `move` (the engine clock was rebased).
    mutating func retime(_ move: (Double) -> Double) {
        for r in records.indices { records[r].firstRaised = move(records[r].firstRaised) }
    }

    /// A derived condition the engine drops keeps its record, with its message fixed as it stands
    /// (`message` of its peak priority and reading).
    mutating func retire(record r: Int, message: (_ peakPriority: AlarmPriority, _ peak: AlarmReading) -> String) {
        records[r].deviceMessage = message(records[r].peakPriority, records[r].peak)
        records[r].condition = nil
    }

    /// The engine renumbered its conditions: `newIndex[old]`.
    mutating func renumberConditions(_ newIndex: [Int]) {
        for r in records.indices { if let i = records[r].condition { records[r].condition = newIndex[i] } }
    }

    /// The records in order of first raise, with the alarms listed now (`open`) counted up to
    /// `time`; `message` states a record's message.
    func list(at time: Double, open: [AlarmListing], message: (Record) -> String) -> [AlarmRecord] {
        var out: [AlarmRecord] = []
        out.reserveCapacity(records.count)
        for r in records {
            out.append(AlarmRecord(id: r.id, origin: r.origin, source: r.source, peakPriority: r.peakPriority,
                                   firstRaised: r.firstRaised, raises: r.raises, secondsLow: r.seconds[0],
                                   secondsMedium: r.seconds[1], secondsHigh: r.seconds[2], peakValue: r.peak.value,
                                   peakUnit: r.peakUnit, message: message(r), isOpen: false))
        }
        for listing in open {
            guard let r = listing.record, !listing.latched else { continue }
            let dt = max(0, time - listing.segmentStart)
            switch listing.priority {
            case .low: out[r].secondsLow += dt
            case .medium: out[r].secondsMedium += dt
            case .high: out[r].secondsHigh += dt
            }
            out[r].isOpen = true
        }
        return out
    }
}

/// The alarm log entries not yet written: kept until drained, the oldest dropped (and counted)
/// beyond the limit.
struct AlarmLogQueue: Sendable {
    var limit = 10_000
    private(set) var dropped = 0
    private var pending: Deque<AlarmLogEntry> = []

    mutating func append(_ entry: AlarmLogEntry) {
        if pending.count >= max(1, limit) {
            pending.removeFirst()
            dropped += 1
        }
        pending.append(entry)
    }

    mutating func drain() -> [AlarmLogEntry] {
        let out = Array(pending)
        pending.removeAll(keepingCapacity: true)
        return out
    }
}

// MARK: - the engine's history and log

extension AlarmEngine {
    /// Log entries kept until drained; beyond this the oldest are dropped (and counted).
    public var logLimit: Int {
        get { logQueue.limit }
        set { logQueue.limit = newValue }
    }

    /// History records kept (one per alarm id); further ids are not recorded.
    public var historyLimit: Int {
        get { recorded.limit }
        set { recorded.limit = newValue }
    }

    /// Log entries dropped because they were not drained in time.
    public var droppedLogEntries: Int { logQueue.dropped }

    /// Raises per priority (the priority at the raise; escalations are not counted).
    public var raisesByPriority: [AlarmPriority: Int] { recorded.raisesByPriority }

    /// The log entries since the last drain, oldest first.
    public mutating func drainLog() -> [AlarmLogEntry] {
        logQueue.drain()
    }

    /// Every alarm condition raised so far, in order of first raise; open alarms count up to the
    /// engine clock.
    public var history: [AlarmRecord] { history(at: now) }

    /// The history with open alarms counted up to `time`.
    public func history(at time: Double) -> [AlarmRecord] {
        var open = devices.map(\.listing)
        for c in conditions.all { if let listing = c.listing { open.append(listing) } }
        return recorded.list(at: time, open: open) { r in
            guard let i = r.condition else { return r.deviceMessage ?? r.id }
            let c = conditions.all[i]
            return settings.message(rule: c.rule, subject: c.subject, listed: r.peakPriority, reading: r.peak)
        }
    }

    /// Seconds during which the highest listed priority was `priority` (what the header showed),
    /// up to the engine clock.
    public func seconds(withHighest priority: AlarmPriority) -> Double {
        recorded.seconds(withHighest: priority)
    }
}
