import Telemetry

/// What a `session` frame means for the session the console holds (spec §3, session identity).
public enum SessionIdentity: Sendable, Equatable {
    /// The first session frame: nothing to end.
    case first
    /// The same `id`, its clock going on: the session continues (a reconnect, new arms).
    case continues
    /// A different `id`: the previous session has ended; nothing of it carries over.
    case new(previousID: String)
    /// The same `id` with `t` more than `restartBackstep` behind the session clock: the source
    /// restarted (a gateway rebooted and began again at t = 0). Treated as a new session of the
    /// same id, or the clock would sit frozen at the old time while data flows.
    case restarted(from: Double)

    /// Session seconds a session frame of the same id may lie behind the clock and still
    /// continue it. A reconnect after an outage resumes at or after the old time; a gateway
    /// that merely reorders a frame or two is well within this. Five seconds is also the
    /// handshake allowance (`telemetry.handshake_s`).
    public static let restartBackstep = 5.0

    /// Judges `incoming`, a session frame at `t`, against `state`.
    public static func judge(_ incoming: SessionInfo, at t: Double, against state: SessionState) -> SessionIdentity {
        judge(incoming, at: t, currentID: state.info?.id, sessionTime: state.sessionTime)
    }

    /// The same, given the current session's id (nil before any) and clock.
    public static func judge(_ incoming: SessionInfo, at t: Double, currentID: String?, sessionTime: Double) -> SessionIdentity {
        guard let currentID else { return .first }
        if incoming.id != currentID { return .new(previousID: currentID) }
        if t < sessionTime - restartBackstep { return .restarted(from: sessionTime) }
        return .continues
    }

    /// Whether this frame starts a new session (state and alarms start afresh).
    public var startsNewSession: Bool {
        switch self {
        case .first, .continues: false
        case .new, .restarted: true
        }
    }

    /// One sentence for the screen, the Events panel and the alarm log, with `id` the new
    /// session's: "new session B; previous session A ended".
    public func announcement(newID id: String, at t: Double) -> String? {
        switch self {
        case .first, .continues:
            nil
        case .new(let previous):
            "new session \(shownName(id)); previous session \(shownName(previous)) ended"
        case .restarted(let from):
            "new session \(shownName(id)); previous session \(shownName(id)) ended "
                + "(the source restarted: its clock went back from \(NumberText.fixed(from, 1)) s to \(NumberText.fixed(t, 1)) s)"
        }
    }
}

/// Wire text named in a console-made line (the Events panel, the alarm log): sanitised and cut
/// to 80 characters, so a 60 KB id does not become a 60 KB line.
func shownName(_ text: String) -> String {
    let clean = WireText.sanitize(text)
    return clean.count > 80 ? clean.prefix(79) + "…" : clean
}
