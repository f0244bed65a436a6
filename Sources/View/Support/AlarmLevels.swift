import SessionCore
import Telemetry

/// The screen colours and marks a value by the alarm rules themselves: the level functions of
/// `AlarmSettings` (SessionCore, ConditionLevels.swift) that the alarm engine raises its derived
/// conditions by, under the settings the engine runs with (`ViewContext.alarmSettings`). A value
/// whose condition holds is drawn at that priority, with the alarm list's colour and marker
/// (`***` high red, `**` medium yellow, `*` low cyan); a value whose condition does not hold, or
/// that has no alarm at all (bandwidth, video delay), is drawn plainly.
///
/// The colour is the level of the value now, under the same thresholds: the engine's hysteresis
/// in time (a value must hold its level `sustainSeconds` before the alarm raises, and be gone
/// `clearAfterSeconds` before it clears) applies to the alarm list, not to the colour.
extension Severity {
    /// The severity of a condition's level (`.ok` when it does not hold).
    public init(_ level: AlarmPriority?) {
        if let level { self.init(level) } else { self = .ok }
    }
}

extension String {
    /// The text padded with spaces on the right to `width` columns (markers are ASCII).
    func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
