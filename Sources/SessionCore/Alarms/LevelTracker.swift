import Telemetry

/// The hysteresis of one derived condition: turns the instantaneous level of the telemetry
/// ("raw": which threshold the value reaches now) into the listed priority.
///
/// - A level raises or escalates only once the raw level has stayed at or above it for
///   `sustain` seconds (0 for state conditions such as FAULT).
/// - The listed priority drops only once the raw level has stayed below it for `clearAfter`
///   seconds; it then drops to the highest lower level that was reached within those seconds,
///   or clears when none was. So a value hovering at a threshold does not chatter.
///
/// Allocation-free: three run-start times and a bit mask.
struct LevelTracker: Sendable, Equatable {
    enum Change: Sendable, Equatable {
        case raise(AlarmPriority)
        case escalate(from: AlarmPriority, to: AlarmPriority)
        case deescalate(from: AlarmPriority, to: AlarmPriority)
        case clear(from: AlarmPriority)
    }

    /// Tolerance on durations, so 1.0 s of frames at 0.1 s steps counts as 1 s.
    static let epsilon = 1e-6

    /// Start of the current run above (bit set) or below (bit clear) each level, by rank − 1.
    private var since = SIMD4<Double>(repeating: 0)
    private var atLeast: UInt8 = 0
    private var started = false
    private(set) var displayed: AlarmPriority?

    /// Moves the run-start times by `move` (the engine clock was rebased).
    mutating func retime(_ move: (Double) -> Double) {
        for r in 0..<4 { since[r] = move(since[r]) }
    }

    /// Below every level and nothing listed: stepping with no level would change nothing.
    var isIdle: Bool { started && atLeast == 0 && displayed == nil }

    /// Feeds the raw level at engine time `t`; returns what changed in the listed priority.
    mutating func step(raw: AlarmPriority?, at t: Double, sustain: Double, clearAfter: Double) -> Change? {
        let rawRank = raw?.rank ?? 0
        for r in 1...3 {
            let bit = UInt8(1) << UInt8(r - 1)
            let now = rawRank >= r
            if !started || now != (atLeast & bit != 0) {
                since[r - 1] = t
                if now { atLeast |= bit } else { atLeast &= ~bit }
            }
        }
        started = true

        // The highest level held for the sustain time.
        var up = 0
        var r = rawRank
        while r >= 1 {
            if t - since[r - 1] >= sustain - Self.epsilon { up = r; break }
            r -= 1
        }
        let d = displayed?.rank ?? 0
        if up > d {
            let to = Self.priority(up)!
            displayed = to
            if let from = Self.priority(d) { return .escalate(from: from, to: to) }
            return .raise(to)
        }
        guard d > 0, rawRank < d, t - since[d - 1] >= clearAfter - Self.epsilon else { return nil }
        // Released at the listed level: fall to the highest lower level still held or seen lately.
        var nd = 0
        r = d - 1
        while r >= 1 {
            if rawRank >= r || t - since[r - 1] < clearAfter - Self.epsilon { nd = r; break }
            r -= 1
        }
        let from = Self.priority(d)!
        if let to = Self.priority(nd) {
            displayed = to
            return .deescalate(from: from, to: to)
        }
        displayed = nil
        return .clear(from: from)
    }

    static func priority(_ rank: Int) -> AlarmPriority? {
        switch rank {
        case 1: .low
        case 2: .medium
        case 3: .high
        default: nil
        }
    }
}
