import Telemetry

/// The recurring kinds of episode the script plans, each at its own pace.
enum Planner: Sendable, Equatable {
    case clutch
    case camera
    case teleopPause
    case toolChange
    case energy(psm: Int)
    case collision
    case trackingError
    case encoderFault
    case lightSource
    case procedureNote
    case limitTouch(psm: Int)
    /// The network's ten-minute cycle: one primary outage and one degradation episode.
    case networkCycle(Int)
}

enum ToolChangeStep: Sendable, Equatable {
    case removed, inserted, engaging, engaged
}

/// One thing the script does at one moment.
enum ScriptStep: Sendable, Equatable {
    case plan(Planner)
    case event(EventNote)
    case alarm(AlarmReport)
    case clutch(Bool)
    case camera(Bool)
    case teleopPaused(Bool)
    case toolChange(psm: Int, ToolChangeStep)
    case energy(psm: Int, on: Bool)
    case armState(arm: Int, OperatingState)
    case limitRelease(arm: Int, joint: Int)
    case primaryLink(up: Bool)
    case degrade(plateau: Double, peakMs: Double)
    /// A scenario's caption, sent as an event of kind `caption`.
    case caption(String)
    case scenario(ScenarioAction)
}

/// The script's agenda on a 1 ms grid (so event times print as clean decimals). Steps at
/// the same millisecond run in the order they were added.
struct Schedule: Sendable {
    private struct Entry: Sendable {
        var ms: Int
        var order: Int
        var step: ScriptStep
    }

    /// Latest first, so the earliest is at the end and pops cheaply. It stays short (a few
    /// dozen steps), so a linear insert is enough.
    private var entries: [Entry] = []
    private var added = 0

    mutating func add(_ step: ScriptStep, at ms: Int) {
        added += 1
        let entry = Entry(ms: ms, order: added, step: step)
        var i = entries.count
        while i > 0, entries[i - 1].ms < ms || (entries[i - 1].ms == ms && entries[i - 1].order < entry.order) {
            i -= 1
        }
        entries.insert(entry, at: i)
    }

    /// The time of the earliest step, in ms.
    var nextMillis: Int? { entries.last?.ms }

    mutating func popNext() -> (ms: Int, step: ScriptStep)? {
        guard let entry = entries.popLast() else { return nil }
        return (entry.ms, entry.step)
    }
}
