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

    /// The same allowance for the first session frame of a new live connection. A gateway that
    /// kept its session through the outage resumes at or after the time it stopped at (its clock
    /// ran on); one that comes back more than a second behind restarted. With five seconds here,
    /// a gateway restarted and reached again within five seconds of its old time (a quick reboot,
    /// the console's backoff) was taken as continuing, and the clock stood still until the new
    /// session caught up with the old time.
    public static let reconnectBackstep = 1.0

    /// Judges `incoming`, a session frame at `t`, given the current session's id (nil before
    /// any) and its clock; `mayRestart` false when a same-id frame can only continue the session
    /// (a live source between reconnects). `SessionClock` decides both.
    public static func judge(_ incoming: SessionInfo, at t: Double, currentID: String?, sessionTime: Double,
                             mayRestart: Bool = true, backstep: Double = restartBackstep) -> SessionIdentity {
        guard let currentID else { return .first }
        if incoming.id != currentID { return .new(previousID: currentID) }
        if mayRestart && t < sessionTime - backstep { return .restarted(from: sessionTime) }
        return .continues
    }

    /// Wire text named in a console-made line (the screen, `check`, the alarm log): sanitised
    /// and cut to 80 characters, so a 60 KB id does not become a 60 KB line.
    public static func displayName(_ text: String) -> String {
        shownName(text)
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

/// Where sessions start in a stream of frames (spec §3, session identity): the one rule the
/// console, the replay's seek positions, `check` and `report` share, so they all split a
/// recording in the same places.
///
/// A different `id` always starts a new session. The same `id` starts one ("the source
/// restarted") only when its `t` lies more than `SessionIdentity.restartBackstep` behind the
/// session's *steady* clock, and only where a restart can happen:
/// - `.afterReconnect` (a live TCP source, which reports its connections): on the first session
///   frame of a new connection, more than `SessionIdentity.reconnectBackstep` (1 s) behind.
///   Within one connection the gateway re-sends the session frame
///   when the arms change; that never ends the session.
/// - `.anywhere` (a file, standard input, a recording: no connection events): on any same-id
///   session frame. A recording made by the console holds the gateway's session frame at each
///   reconnect, and nothing marks the connection, so the clock decides.
///
/// The steady clock ignores lone outliers: a frame's `t` counts once the frame after it does not
/// go back more than the backstep from it. One stray frame at t = 900 in a stream at t = 10 is
/// never confirmed (the next frame is back at 10), so a session frame re-sent at t = 10.1 still
/// continues the session; a gateway that restarted goes back from times its frames confirmed.
public struct SessionClock: Sendable, Equatable {
    public enum RestartRule: Sendable, Equatable {
        case afterReconnect
        case anywhere
    }

    public let rule: RestartRule
    /// The current session's id (nil before the first session frame).
    public private(set) var currentID: String?
    /// How many sessions started before the current one in this stream (0 in the first): with
    /// `t`, a position in a recording that holds several sessions (each restarting its clock).
    public private(set) var ordinal = 0
    /// The latest `t` confirmed by the frame after it (the current session's start at first).
    public private(set) var steadyTime = 0.0
    /// The previous frame's `t`, not yet confirmed.
    private var lastT: Double?
    /// A new connection whose first session frame has not come yet (`.afterReconnect`).
    private var reconnected = false

    public init(rule: RestartRule) {
        self.rule = rule
    }

    /// A live source made a new connection: its first session frame may be a restart.
    public mutating func reconnect() {
        reconnected = true
    }

    /// Takes the `t` of the next frame when it is not a session frame (the recorder reads only that).
    public mutating func observe(t: Double) {
        if let lastT, t >= lastT - SessionIdentity.restartBackstep { steadyTime = max(steadyTime, lastT) }
        lastT = t
    }

    /// Takes the next frame of the stream; for a session frame, returns what it means.
    public mutating func observe(_ frame: Frame) -> SessionIdentity? {
        observe(t: frame.t)
        guard case .session(let info) = frame.body else { return nil }
        let mayRestart = rule == .anywhere || reconnected
        let backstep = reconnected ? SessionIdentity.reconnectBackstep : SessionIdentity.restartBackstep
        reconnected = false
        let identity = SessionIdentity.judge(info, at: frame.t, currentID: currentID, sessionTime: steadyTime,
                                             mayRestart: mayRestart, backstep: backstep)
        if identity.startsNewSession || identity == .first {
            if identity.startsNewSession { ordinal = ordinal.saturatingAdd(1) }
            currentID = info.id
            steadyTime = frame.t
        }
        return identity
    }
}
