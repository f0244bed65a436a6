import SessionCore
import Testing
@testable import TelemetrySources

/// The TCP client's outages and retries as a value: no socket, and the time given to each step.
@Suite("Connection timeline")
struct ConnectionTimelineTests {
    static let label = "gw:7000"
    typealias Retry = ConnectionTimeline.Retry

    /// A connection that delivered `frames` valid frames ends at `t`.
    static func ended(_ timeline: inout ConnectionTimeline, at t: Double, reason: String = "connection closed by peer",
                      byConsole: Bool = false, bytes: Int = 100, frames: Int) -> Retry {
        timeline.connectionEnded(reason: reason, byConsole: byConsole, receivedBytes: bytes, receivedFrames: frames, at: t)
    }

    static let refusal = "refused its stream: its session frame declares telemetry format version 2, "
        + "and this console reads version 1 only"

    // MARK: - backoff

    @Test("standard backoff: 0.25, 0.5, 1, 2, 4, then 5 s")
    func standardBackoff() {
        let delays = (1...9).map { Backoff.standard.delay(afterFailures: $0) }
        #expect(delays == [0.25, 0.5, 1, 2, 4, 5, 5, 5, 5])
        #expect(Backoff.standard.delay(afterFailures: 0) == 0)
        #expect(Backoff.standard.delay(afterFailures: -3) == 0)
        #expect(Backoff.standard.delay(afterFailures: Int.max) == 5)
        #expect(Backoff(initial: 0.02, factor: 2, max: 0.08).delay(afterFailures: 3) == 0.08)
        #expect(Backoff(initial: 1, factor: 3, max: 100).delay(afterFailures: 4) == 27)
    }

    // MARK: - before the first connection

    @Test("before any connection: connecting attempts 1, 2, 3… with growing delays; a repeated failure is logged once")
    func connectingAttempts() {
        var timeline = ConnectionTimeline(label: Self.label)
        #expect(timeline.state == nil)
        #expect(timeline.start() == .connecting(attempt: 1))
        let retries = (0..<7).map { _ in timeline.attemptFailed(reason: "connection refused") }
        #expect(retries.map(\.state) == (2...8).map { .connecting(attempt: $0) })
        #expect(retries.map(\.delay) == [0.25, 0.5, 1, 2, 4, 5, 5])
        #expect(retries.compactMap(\.log) == ["cannot connect to gw:7000: connection refused; retrying"])
        // Another reason is logged, and the same one again after it.
        #expect(timeline.attemptFailed(reason: "host unreachable").log == "cannot connect to gw:7000: host unreachable; retrying")
        #expect(timeline.attemptFailed(reason: "connection refused").log != nil)
        #expect(timeline.lostAt == nil)
        #expect(timeline.lostFor(at: 100) == nil, "nothing was lost: nothing had come")
    }

    @Test("a connection dropped for silence: the outage dates from when the data stopped, not from the drop")
    func silenceDatesTheOutage() {
        var timeline = ConnectionTimeline(label: Self.label)
        _ = timeline.start()
        _ = timeline.connected(peer: "10.0.0.1:7000", at: 10)
        let retry = timeline.connectionEnded(reason: "sent no valid frame for 5 s (silent, or a half-open connection)",
                                             byConsole: true, receivedBytes: 80, receivedFrames: 1, silence: 5, at: 20)
        #expect(retry.state == .reconnecting(lostAt: 15, attempt: 1, reason: "sent no valid frame for 5 s (silent, or a half-open connection)"))
        #expect(timeline.lostFor(at: 21) == 6)
        #expect(timeline.connected(peer: "10.0.0.1:7000", at: 21) == "reconnected to gw:7000 (10.0.0.1:7000) after 6.0 s")
    }

    @Test("the first connection is not a reconnection")
    func firstConnection() {
        var timeline = ConnectionTimeline(label: Self.label)
        _ = timeline.start()
        _ = timeline.attemptFailed(reason: "connection refused")
        #expect(timeline.connected(peer: "10.0.0.1:7000", at: 50) == nil)
        #expect(timeline.state == .connected(peer: "10.0.0.1:7000"))
    }

    // MARK: - outages

    @Test("a connection that delivered telemetry ends: an outage starts, the backoff starts over")
    func lostConnection() {
        var timeline = ConnectionTimeline(label: Self.label)
        _ = timeline.start()
        for _ in 0..<5 { _ = timeline.attemptFailed(reason: "connection refused") }
        _ = timeline.connected(peer: "10.0.0.1:7000", at: 10)
        let lost = Self.ended(&timeline, at: 100, frames: 4_000)
        #expect(lost == Retry(state: .reconnecting(lostAt: 100, attempt: 1, reason: "connection closed by peer"),
                              log: "lost gw:7000: connection closed by peer; reconnecting", delay: 0.25))
        #expect(timeline.lostFor(at: 103.25) == 3.25)
        #expect(timeline.lostFor(at: 99) == 0, "never negative")

        // Refused reconnections: attempts count on, lostAt stays, the backoff grows, logged once.
        let retries = (0..<6).map { _ in timeline.attemptFailed(reason: "connection refused") }
        #expect(retries.map(\.state) == (2...7).map { .reconnecting(lostAt: 100, attempt: $0, reason: "connection refused") })
        #expect(retries.map(\.delay) == [0.5, 1, 2, 4, 5, 5])
        #expect(retries.compactMap(\.log) == ["cannot connect to gw:7000: connection refused; retrying"])
        #expect(timeline.lostFor(at: 117.5) == 17.5)

        // Back: the reconnection is logged with the outage's length, once.
        #expect(timeline.connected(peer: "10.0.0.1:7000", at: 117.5) == "reconnected to gw:7000 (10.0.0.1:7000) after 18 s")
        #expect(timeline.lostFor(at: 118) == nil, "connected: nothing is lost")
    }

    @Test("the outage's length: tenths under 10 s, whole seconds from there")
    func outageLength() {
        #expect(ConnectionTimeline.seconds(0) == "0.0 s")
        #expect(ConnectionTimeline.seconds(3.24) == "3.2 s")
        #expect(ConnectionTimeline.seconds(9.94) == "9.9 s")
        #expect(ConnectionTimeline.seconds(12.4) == "12 s")
        #expect(ConnectionTimeline.seconds(.infinity).hasSuffix(" s"), "no trap")

        var timeline = ConnectionTimeline(label: Self.label)
        _ = timeline.start()
        _ = timeline.connected(peer: "p", at: 0)
        _ = Self.ended(&timeline, at: 1, frames: 1)
        #expect(timeline.connected(peer: "p", at: 4.2) == "reconnected to gw:7000 (p) after 3.2 s")
    }

    @Test("connections that end before any telemetry do not end the outage: lostAt stays, logs do not repeat")
    func emptyConnections() {
        var timeline = ConnectionTimeline(label: Self.label)
        _ = timeline.start()
        _ = timeline.connected(peer: "p", at: 0)
        _ = Self.ended(&timeline, at: 10, frames: 20)

        var retries: [Retry] = []
        var logs: [String?] = []
        for k in 0..<4 {
            logs.append(timeline.connected(peer: "p", at: 11 + Double(k)))
            retries.append(Self.ended(&timeline, at: 11.5 + Double(k), bytes: 0, frames: 0))
        }
        #expect(logs == ["reconnected to gw:7000 (p) after 1.0 s", nil, nil, nil], "the reconnection is logged once per outage")
        #expect(retries.map(\.state) == (2...5).map { .reconnecting(lostAt: 10, attempt: $0, reason: "connection closed by peer") })
        #expect(retries.map(\.delay) == [0.5, 1, 2, 4], "the backoff grows through empty connections")
        #expect(retries.compactMap(\.log).isEmpty, "the same reason as the loss: not logged again")

        // Another reason is logged; the outage still goes on.
        let reset = Self.ended(&timeline, at: 16, reason: "connection reset by peer", bytes: 0, frames: 0)
        #expect(reset.log == "gw:7000 closed the connection before sending anything: connection reset by peer; retrying")
        #expect(reset.state == .reconnecting(lostAt: 10, attempt: 6, reason: "connection reset by peer"))
        #expect(reset.delay == 5)
        // Bytes but no valid frame.
        let bad = Self.ended(&timeline, at: 20, bytes: 12, frames: 0)
        #expect(bad.log == "gw:7000 closed the connection before sending a valid frame: connection closed by peer; retrying")
        #expect(bad.state == .reconnecting(lostAt: 10, attempt: 7, reason: "connection closed by peer"))

        // A connection that delivers ends the outage; its loss is a new one, logged again.
        #expect(timeline.connected(peer: "p", at: 30) == nil, "already logged for this outage")
        let next = Self.ended(&timeline, at: 40, frames: 1)
        #expect(next == Retry(state: .reconnecting(lostAt: 40, attempt: 1, reason: "connection closed by peer"),
                              log: "lost gw:7000: connection closed by peer; reconnecting", delay: 0.25))
        #expect(timeline.connected(peer: "p", at: 41) == "reconnected to gw:7000 (p) after 1.0 s")
    }

    @Test("a first connection that ends empty starts the outage then")
    func firstConnectionEmpty() {
        var timeline = ConnectionTimeline(label: Self.label)
        _ = timeline.start()
        _ = timeline.attemptFailed(reason: "connection refused")
        _ = timeline.connected(peer: "p", at: 5)
        let retry = Self.ended(&timeline, at: 6, bytes: 0, frames: 0)
        #expect(retry.state == .reconnecting(lostAt: 6, attempt: 1, reason: "connection closed by peer"))
        #expect(retry.delay == 0.5, "the connect failure before it still counts")
        #expect(retry.log == "lost gw:7000: connection closed by peer; reconnecting")
    }

    // MARK: - refused streams

    @Test("a refused stream never resets the backoff: retried ever more slowly, up to the cap, logged once")
    func refusedStreams() {
        var timeline = ConnectionTimeline(label: Self.label)
        _ = timeline.start()
        _ = timeline.connected(peer: "p", at: 0)
        _ = Self.ended(&timeline, at: 10, frames: 100)  // a good session, then lost

        var retries: [Retry] = []
        for k in 0..<7 {
            _ = timeline.connected(peer: "p", at: 11 + Double(k))
            retries.append(Self.ended(&timeline, at: 11 + Double(k), reason: Self.refusal, byConsole: true, frames: 0))
        }
        #expect(retries.map(\.delay) == [0.5, 1, 2, 4, 5, 5, 5])
        #expect(retries.map(\.state) == (2...8).map { .reconnecting(lostAt: 10, attempt: $0, reason: Self.refusal) })
        #expect(retries.compactMap(\.log) == ["dropped the connection to gw:7000: \(Self.refusal); retrying"])
    }

    @Test("a stream refused after valid frames starts a new outage, but still does not reset the backoff")
    func refusedAfterFrames() {
        var timeline = ConnectionTimeline(label: Self.label)
        _ = timeline.start()
        for _ in 0..<3 { _ = timeline.attemptFailed(reason: "connection refused") }  // failures: 3
        var delays: [Double] = []
        for k in 0..<3 {
            let t = 100 * Double(k + 1)
            _ = timeline.connected(peer: "p", at: t)
            // A version 1 session and frames, then a version 2 session frame on the same stream.
            let retry = Self.ended(&timeline, at: t + 1, reason: Self.refusal, byConsole: true, frames: 50)
            #expect(retry.state == .reconnecting(lostAt: t + 1, attempt: 1, reason: Self.refusal))
            #expect(retry.log == "dropped the connection to gw:7000: \(Self.refusal); retrying")
            delays.append(retry.delay)
        }
        #expect(delays == [2, 4, 5])

        // Refused after a long good run: still no reset.
        _ = timeline.connected(peer: "p", at: 400)
        #expect(Self.ended(&timeline, at: 460, reason: Self.refusal, byConsole: true, frames: 600).delay == 5)

        // The same stream ended by the peer instead, after delivering for 10 s: the backoff starts over.
        _ = timeline.connected(peer: "p", at: 500)
        #expect(Self.ended(&timeline, at: 510, frames: 50).delay == 0.25)
    }

    // MARK: - when the backoff starts over

    @Test("a gateway that sends its session frame and closes at once is retried ever more slowly, not every 0.25 s")
    func flappingGatewayBacksOff() {
        var timeline = ConnectionTimeline(label: Self.label)
        _ = timeline.start()
        var delays: [Double] = []
        var t = 0.0
        for _ in 0..<7 {
            _ = timeline.connected(peer: "p", at: t)
            let retry = Self.ended(&timeline, at: t + 0.01, frames: 1)
            delays.append(retry.delay)
            t += 0.01 + retry.delay
        }
        #expect(delays == [0.25, 0.5, 1, 2, 4, 5, 5])
    }

    @Test("a connection dropped for silence after delivering for 10 s resets the backoff; a shorter one does not")
    func silenceDropResets() {
        let silent = "sent no valid frame for 5 s (silent, or a half-open connection)"
        var timeline = ConnectionTimeline(label: Self.label)
        _ = timeline.start()
        for _ in 0..<4 { _ = timeline.attemptFailed(reason: "connection refused") }  // failures: 4
        // Delivered from 100 to 115, silent until the drop at 120.
        _ = timeline.connected(peer: "p", at: 100)
        let healthy = timeline.connectionEnded(reason: silent, byConsole: true, receivedBytes: 9_000, receivedFrames: 150,
                                               silence: 5, at: 120)
        #expect(healthy.delay == 0.25, "15 s of telemetry: the gateway was healthy, the backoff starts over")
        #expect(healthy.state == .reconnecting(lostAt: 115, attempt: 1, reason: silent))

        // Delivered for 4 s only (connected at 200, data stopped at 204, dropped at 209).
        for _ in 0..<3 { _ = timeline.attemptFailed(reason: "connection refused") }  // failures: 4
        _ = timeline.connected(peer: "p", at: 200)
        let short = timeline.connectionEnded(reason: silent, byConsole: true, receivedBytes: 900, receivedFrames: 5,
                                             silence: 5, at: 209)
        #expect(short.delay == 4, "too short to count as healthy: the backoff goes on growing (5 failures)")
        #expect(ConnectionTimeline.healthyAfter == 10)
    }
}
