import SessionCore
import Telemetry

/// What makes a finished replay a failure for a script: a recording with no session frame
/// (empty, or nothing but bad lines) played nothing, which `check` calls an error too.
public enum ReplayProblem {
    /// The sentence for a replay that ended without a session frame, or nil (exit 0).
    public static func noSessionFrame(_ driver: SessionDriver, label: String) -> String? {
        guard driver.mode == .replay, case .ended = driver.sourceState, driver.state.info == nil else { return nil }
        let bad = driver.state.counters.badLines
        let lines = bad == 0 ? "" : " (\(bad) bad line\(bad == 1 ? "" : "s"))"
        return "\(WireText.sanitize(label)): no session frame\(lines), so there was nothing to replay"
    }
}
