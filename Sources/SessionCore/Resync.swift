import Telemetry

// Resynchronisation with the gateway (spec §3, `sync`). A gateway sends `sync` right after the
// session frame on every connection: the robot alarms active now and the instruments mounted.
// The console makes its robot-alarm list exactly that list. A gateway that sends no `sync`
// leaves the console unsure of alarms raised before a reconnect: they stay listed, marked
// unconfirmed, until the robot raises or clears them again. Derived alarms are not affected.

/// The robot alarms recent `sync` frames cleared, numbered so the alarm engine logs each once
/// as a resynchronisation, even when several syncs come before it evaluates.
public struct ResyncRecord: Sendable, Equatable {
    /// The latest sync's number.
    public var generation: Int
    /// The robot alarms the syncs cleared (listed before, not in the sync), oldest first; the
    /// latest `kept`, enough for the syncs of one evaluation.
    public var cleared: [ClearedAlarm]

    public struct ClearedAlarm: Sendable, Equatable {
        /// The number of the sync that cleared it.
        public var generation: Int
        public var id: String
    }

    public static let kept = 1024

    /// Ids cleared by the syncs numbered after `generation` (those the engine has not taken).
    public func cleared(after generation: Int) -> [String] {
        cleared.filter { $0.generation > generation }.map(\.id)
    }
}

extension SessionState {
    /// A live source made a new connection: until its `sync` frame (or, from a gateway that
    /// sends none, its first other frame after the session frame), robot alarms raised before
    /// are in doubt.
    public mutating func expectSync() {
        awaitingSync = true
        badLineAwaitingSync = false
    }

    /// What the gateway failed to send after a reconnect: "no sync frame", or "no valid sync
    /// frame" when a line it sent there could not be read (an invalid or over-long `sync`).
    public var missingSync: String {
        badLineAwaitingSync ? "no valid sync frame" : "no sync frame"
    }

    /// Robot alarms listed now that are in doubt since the reconnect.
    public var unconfirmedAlarmCount: Int {
        deviceAlarms.reduce(0) { $0 + ($1.unconfirmed ? 1 : 0) }
    }

    /// The first frame after a reconnect that is neither the session frame nor `sync`: the gateway
    /// sends no `sync`, so every robot alarm raised before the reconnect is marked unconfirmed
    /// (never silently kept as current).
    mutating func concludeReconnect(with frame: Frame) {
        switch frame.body {
        case .session, .sync: return
        default: break
        }
        awaitingSync = false
        guard !deviceAlarms.isEmpty else { return }
        for k in deviceAlarms.indices { deviceAlarms[k].unconfirmed = true }
        let n = deviceAlarms.count
        let without = badLineAwaitingSync ? "a valid sync frame" : "a sync frame"
        recordConnectionEvent("reconnected without \(without): \(n) robot alarm\(n == 1 ? "" : "s") unconfirmed since reconnect")
    }

    /// Makes the robot-alarm list exactly the sync's `alarms` (the first `limits.deviceAlarms`
    /// distinct ids; the rest are counted as ignored) and applies its `instruments`. Each alarm
    /// raised or cleared here is a `connection` event.
    mutating func applySync(_ sync: SyncSnapshot, _ stamp: Stamp) {
        awaitingSync = false
        let t = stamp.sessionTime
        // Duplicate ids: the last entry wins, in the place of the first.
        var listed: [String: AlarmReport] = [:]
        var order: [String] = []
        for alarm in sync.alarms {
            if listed.updateValue(alarm, forKey: alarm.id) == nil { order.append(alarm.id) }
        }
        var cleared: [String] = []
        deviceAlarms.removeAll { alarm in
            guard listed[alarm.id] == nil else { return false }
            cleared.append(alarm.id)
            return true
        }
        for id in cleared { recordConnectionEvent("resync: \(shownName(id)) cleared (no longer active at the gateway)") }
        for id in order {
            if raiseDeviceAlarm(listed[id]!, at: t, bySync: true) {
                recordConnectionEvent("resync: \(shownName(id)) raised (active at the gateway, not seen raised here)")
            }
        }
        for instrument in sync.instruments ?? [] { applyInstrument(instrument, stamp) }
        let generation = (lastResync?.generation ?? 0) &+ 1
        var record = lastResync ?? ResyncRecord(generation: generation, cleared: [])
        record.generation = generation
        record.cleared += cleared.map { ResyncRecord.ClearedAlarm(generation: generation, id: $0) }
        if record.cleared.count > ResyncRecord.kept { record.cleared.removeFirst(record.cleared.count - ResyncRecord.kept) }
        lastResync = record
    }
}
