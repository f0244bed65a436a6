import Telemetry

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
    /// The connection dropped at `lostAt` (monotonic seconds, see `MonotonicClock`); retrying.
    case reconnecting(lostAt: Double, attempt: Int, reason: String)
    /// A recording is paused (replay only).
    case paused
    /// The recording or stream has ended; no more frames will come.
    case ended
    /// The source cannot go on (missing file, port in use…). The message is one sentence for a person.
    case failed(String)
}

/// Everything a source reports, in order, to whoever consumes it.
public enum SourceEvent: Sendable {
    /// A decoded line: a frame, an unknown type, a decode error (blank lines are not reported).
    case decoded(DecodeOutcome)
    /// The source's state changed.
    case state(SourceState)
    /// Start over: a new connection or a seek backwards. The session state should be rebuilt
    /// from the frames that follow.
    case reset
    /// A replay can resume from here: the state as it stands now, after every frame before
    /// this event, is the state at this checkpoint.
    case checkpoint(ReplayCheckpoint)
    /// A seek went back (or ahead) to this checkpoint: the state should be the one kept for it;
    /// the frames that follow come after it.
    case resumed(ReplayCheckpoint)
    /// The seek with this number (`PlaybackControl.seek`) is carried out: what follows comes
    /// from where it led (after its `.reset` or `.resumed`, if it needed one).
    case seeked(Int)
    /// Something worth a line in the log (a refused second gateway, a retry…).
    case log(String)
}

/// A source of telemetry: file, standard input, TCP client, TCP listener or the simulator.
/// It runs on its own threads and never waits on the consumer's screen: events go to `sink`,
/// which must be cheap and thread-safe (see `SourceInbox`).
public protocol TelemetrySource: AnyObject, Sendable {
    /// What kind of session this source delivers.
    var mode: SessionMode { get }
    /// A short description for the header and logs (a path, HOST:PORT, "simulator seed 7").
    var label: String { get }
    /// Starts delivering events. Called once.
    func start(sink: @escaping @Sendable (SourceEvent) -> Void)
    /// Stops delivering and releases sockets, files and threads. Idempotent.
    func stop()
}
