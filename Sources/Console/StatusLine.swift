import SessionCore
import Telemetry
import View

/// The one-line status that `--headless` prints every second: source state first, then session
/// time, frames/s, RTT per path and the active alarms with their IEC 60601-1-8 markers.
public enum StatusLine {
    public static func render(driver: SessionDriver, now: Double) -> String {
        let state = driver.state
        var parts: [String] = [sourceText(driver.sourceState, now: now)]
        if case .connecting = driver.sourceState, let failure = driver.connectFailure {
            parts[0] += ": " + WireText.sanitize(failure)
        } else if case .reconnecting(_, _, let reason) = driver.sourceState, !reason.isEmpty {
            parts[0] += ": " + WireText.sanitize(reason)  // why it is down, or why it cannot reconnect
        }
        parts.append("t=\(clock(state.sessionTime))")
        parts.append("frames/s=\(NumberText.fixed(state.arrivalRate.rate(at: now), 0))")
        if state.links.isEmpty {
            parts.append("rtt -")
        } else {
            let rtts = state.links.map { link -> String in
                let name = WireText.sanitize(link.path)
                if link.up == false { return "\(name)=DOWN" }
                guard link.isLive(.rtt), let rtt = link.latest[.rtt] else { return "\(name)=-" }
                return "\(name)=\(NumberText.fixed(rtt, 0))ms"
            }
            parts.append("rtt " + rtts.joined(separator: " "))
        }
        let shown = driver.alarms.alarms
        if shown.isEmpty {
            parts.append("alarms: none")
        } else {
            parts.append("alarms: " + shown.map { "\($0.priority.marker) \(WireText.sanitize($0.id))\($0.unconfirmed ? " (unconfirmed since reconnect)" : "")" }.joined(separator: ", "))
        }
        if state.counters.badLines > 0 { parts.append("bad lines=\(state.counters.badLines)") }
        if state.counters.ignored > 0 { parts.append("ignored=\(state.counters.ignored)") }
        if state.counters.timeOutliers > 0 { parts.append("time outliers=\(state.counters.timeOutliers)") }
        if let r = driver.recording {
            let lost = r.lostLines > 0 ? ", \(r.lostLines) lines lost" : ""
            parts.append(r.failure != nil ? "rec FAILED" : "rec \(r.sizeText)\(r.behind ? " BEHIND" : "")\(lost)")
        }
        return parts.joined(separator: "  ")
    }

    /// The source state as the status line's first word(s).
    public static func sourceText(_ state: SourceState, now: Double) -> String {
        switch state {
        case .connecting(let attempt): attempt > 1 ? "connecting (attempt \(attempt))" : "connecting"
        case .listening(let address): "listening on \(WireText.sanitize(address))"
        case .connected: "connected"
        case .reconnecting(let lostAt, _, _): "reconnecting (lost \(oneDecimal(max(0, now - lostAt))) s ago)"
        case .paused: "paused"
        case .ended: "ended"
        case .failed(let reason): "failed: \(WireText.sanitize(reason))"
        }
    }

    /// Session time as H:MM:SS.s.
    public static func clock(_ t: Double) -> String {
        let tenths = Int(saturating: (max(0, t) * 10).rounded(.down))
        let h = tenths / 36000, m = (tenths / 600) % 60, s = (tenths / 10) % 60, d = tenths % 10
        return "\(h):\(m < 10 ? "0" : "")\(m):\(s < 10 ? "0" : "")\(s).\(d)"
    }

    static func oneDecimal(_ v: Double) -> String {
        let tenths = Int(saturating: (v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}
