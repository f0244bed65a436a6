// What the rest of surgtop needs to know about a source, as plain values: the session's mode and
// the source's own state. Sources (TelemetrySources) report them; the console and the view show
// them without depending on how frames arrive.

/// Whether a session is watched live, replayed from a recording, or simulated for a demo.
/// The console shows it so that a demo or a replay can never be mistaken for a live session.
public enum SessionMode: String, Sendable, Equatable {
    case live = "LIVE", replay = "REPLAY", demo = "DEMO"
}

/// What a source says of its own connection or playback.
public enum SourceState: Sendable, Equatable {
    /// Opening a file, or connecting for the first time (attempt counts from 1).
    case connecting(attempt: Int)
    /// Waiting for a gateway to connect to us (`--listen`).
    case listening(address: String)
    /// Receiving data; `peer` names the other end or the file.
    case connected(peer: String)
    /// The connection dropped at `lostAt` (monotonic seconds, see `MonotonicClock` in
    /// TelemetrySources); retrying.
    case reconnecting(lostAt: Double, attempt: Int, reason: String)
    /// A recording is paused (replay only).
    case paused
    /// The recording or stream has ended; no more frames will come.
    case ended
    /// The source cannot go on (missing file, port in use…). The message is one sentence for a person.
    case failed(String)
}
