import SessionCore
import Telemetry

/// Capped exponential backoff between connection attempts.
public struct Backoff: Sendable, Equatable {
    /// Delay after the first failure, in seconds.
    public var initial: Double
    /// Growth per further failure.
    public var factor: Double
    /// The delay never exceeds this many seconds.
    public var max: Double

    public init(initial: Double, factor: Double = 2, max: Double) {
        self.initial = initial
        self.factor = factor
        self.max = max
    }

    /// 0.25 s, 0.5 s, 1 s, 2 s, 4 s, then 5 s for ever.
    public static let standard = Backoff(initial: 0.25, factor: 2, max: 5)

    /// Seconds to wait before the next attempt after `n` consecutive failures (0 when n ≤ 0).
    public func delay(afterFailures n: Int) -> Double {
        guard n > 0 else { return 0 }
        var d = initial
        var i = 1
        while i < n, i < 64, d < max {
            d *= factor
            i += 1
        }
        return Swift.min(d, max)
    }
}

/// The TCP client's outages and retries, as a value: what `TCPClientSource` reports and when
/// it tries again, with no socket and no clock (every transition is given the time). The
/// source feeds it what happened on the event loop and does what it returns.
///
/// The rules:
/// - Before any connection has ended, the state is `.connecting(attempt:)`, counting from 1.
/// - A connection that delivered telemetry (a valid frame) ends the outage: when it ends, a
///   new outage starts then (`lostAt`), attempts count from 1 again, and it is logged ("lost …").
/// - A connection that ends before any telemetry (closed at once, only bad lines, a refused
///   stream) does not: `lostAt` stays when the data stopped, attempts count on, the backoff grows.
/// - The backoff (consecutive failures) resets only on a connection that delivered telemetry
///   for `healthyAfter` seconds or more (ended by the peer, or dropped for silence) and was not
///   refused: a gateway that sends its session frame and closes at once is retried ever more
///   slowly, up to the cap, like a stream the console refused (a session frame of another
///   format version), which never resets it, even after valid frames.
/// - A failure is logged once while it repeats the same way; the reconnection once per outage.
struct ConnectionTimeline: Sendable, Equatable {
    /// "HOST:PORT", for the log lines.
    let label: String
    let backoff: Backoff

    /// What the source reports now (nil before `start`).
    private(set) var state: SourceState?
    /// Number of the attempt in progress or about to be made, counted per outage.
    private(set) var attempt = 0
    /// Consecutive failures, for the backoff.
    private(set) var failures = 0
    /// When the data stopped (monotonic seconds), for the current outage; nil before the
    /// first connection ended.
    private(set) var lostAt: Double?
    /// The last failure reason logged, so a retry that fails the same way is not logged again.
    private var lastLoggedFailure: String?
    /// Whether the end of the current outage has been logged.
    private var reconnectLogged = false
    /// When the connection in progress opened (monotonic seconds).
    private var connectedAt: Double?

    /// Seconds a connection must have delivered telemetry (from opening until its data stopped)
    /// for its end to reset the backoff: long enough that a gateway flapping every few seconds
    /// is not redialled every 0.25 s for ever, short against a real session.
    static let healthyAfter = 10.0

    init(label: String, backoff: Backoff = .standard) {
        self.label = label
        self.backoff = backoff
    }

    /// What to report after a failure, and when to try again.
    struct Retry: Sendable, Equatable {
        var state: SourceState
        var log: String?
        /// Seconds until the next attempt.
        var delay: Double
    }

    /// The first attempt.
    mutating func start() -> SourceState {
        attempt = 1
        let s = SourceState.connecting(attempt: 1)
        state = s
        return s
    }

    /// A connection is up. Returns the log line for the end of an outage (once per outage).
    mutating func connected(peer: String, at now: Double) -> String? {
        state = .connected(peer: peer)
        connectedAt = now
        guard let lostAt, !reconnectLogged else { return nil }
        reconnectLogged = true
        return "reconnected to \(label) (\(peer)) after \(Self.seconds(now - lostAt))"
    }

    /// A connection attempt failed (refused, timed out, no route…).
    mutating func attemptFailed(reason: String) -> Retry {
        failures += 1
        attempt += 1
        var log: String?
        if lastLoggedFailure != reason {
            lastLoggedFailure = reason
            log = "cannot connect to \(label): \(reason); retrying"
        }
        let s: SourceState = if let lostAt {
            .reconnecting(lostAt: lostAt, attempt: attempt, reason: reason)
        } else {
            .connecting(attempt: attempt)
        }
        state = s
        return Retry(state: s, log: log, delay: backoff.delay(afterFailures: failures))
    }

    /// An established connection ended at `now` (its last line decoded already).
    /// - byConsole: the console closed it (a refused stream, a silent peer).
    /// - silence: the console closed it after this many seconds without a valid frame: the data
    ///   stopped then, not at the close. A console close without it is a refused stream.
    mutating func connectionEnded(reason: String, byConsole: Bool, receivedBytes: Int, receivedFrames: Int,
                                  silence: Double? = nil, at now: Double) -> Retry {
        var log: String?
        if receivedFrames > 0 || lostAt == nil {
            // A new outage starts, when the data stopped.
            lostAt = now - Swift.max(0, silence ?? 0)
            attempt = 0
            reconnectLogged = false
            let refused = byConsole && silence == nil
            let delivered = now - Swift.max(0, silence ?? 0) - (connectedAt ?? now)
            if receivedFrames > 0 && !refused && delivered >= Self.healthyAfter { failures = 0 }
            log = byConsole ? "dropped the connection to \(label): \(reason); retrying"
                : "lost \(label): \(reason); reconnecting"
        } else if lastLoggedFailure != reason {
            // The outage goes on.
            if byConsole {
                log = "dropped the connection to \(label): \(reason); retrying"
            } else if receivedBytes == 0 {
                log = "\(label) closed the connection before sending anything: \(reason); retrying"
            } else {
                log = "\(label) closed the connection before sending a valid frame: \(reason); retrying"
            }
        }
        lastLoggedFailure = reason
        connectedAt = nil
        failures += 1
        attempt += 1
        let s = SourceState.reconnecting(lostAt: lostAt ?? now, attempt: attempt, reason: reason)
        state = s
        return Retry(state: s, log: log, delay: backoff.delay(afterFailures: failures))
    }

    /// How long the data has been lost at `now` ("lost 3.2 s ago"), while reconnecting.
    func lostFor(at now: Double) -> Double? {
        guard case .reconnecting(let lostAt, _, _)? = state else { return nil }
        return Swift.max(0, now - lostAt)
    }

    /// "3.2 s" under 10 s, "42 s" from there.
    static func seconds(_ s: Double) -> String {
        NumberText.fixed(s, s < 10 ? 1 : 0) + " s"
    }
}
