import Synchronization
import SessionCore
import Telemetry
import TelemetrySources
import Testing
@testable import Console

/// A flapping connection must not flood the Events panel nor push the surgery's own events
/// out: repeats collapse into one entry with a count, and every connection entry carries the
/// wall-clock time of its moment (session time stands still during an outage).
@Suite("Connection events: flapping collapses, the stream's events stay")
struct ConnectionEventFloodTests {
    func connectionEntries(_ driver: SessionDriver) -> [String] {
        driver.state.events.filter { $0.kind == SessionState.connectionEventKind }.compactMap(\.text)
    }

    /// A driver whose wall clock reads "12:01:SS" from `seconds` (one tick per call).
    func driver(clock start: Int = 3) -> SessionDriver {
        var driver = SessionDriver(mode: .live)
        let tick = Tick(start)
        driver.wallClock = { tick.next() }
        return driver
    }

    final class Tick: Sendable {
        private let seconds: Synchronized
        init(_ start: Int) { seconds = Synchronized(start) }
        func next() -> String {
            let s = seconds.increment()
            return "12:\(s / 60 < 10 ? "0" : "")\(s / 60):\(s % 60 < 10 ? "0" : "")\(s % 60)"
        }
    }

    @Test("a gateway that sends its session frame and closes, 80 times: the first pair listed, the rest one counted entry")
    func clientFlapping() throws {
        var d = driver()
        d.step(events: [.reset, .state(.connected(peer: "10.0.0.1:7000")),
                        .connection(.connected(peer: "10.0.0.1:7000", afterOutage: nil))], now: 0)
        for k in 0..<80 {
            d.step(events: [.connection(.lost(peer: "10.0.0.1:7000", reason: "connection closed by peer")),
                            .reset, .state(.connected(peer: "10.0.0.1:7000")),
                            .connection(.connected(peer: "10.0.0.1:7000", afterOutage: 0.3 + Double(k) / 100))],
                   now: Double(k))
        }
        let entries = connectionEntries(d)
        #expect(entries.count == 4, "\(entries)")
        #expect(entries[0] == "12:00:04 connected to 10.0.0.1:7000")
        #expect(entries[1] == "12:00:05 lost 10.0.0.1:7000: connection closed by peer", "the first occurrence stays readable")
        #expect(entries[2] == "12:00:06 reconnected to 10.0.0.1:7000 after 0.3 s without data")
        // The latest state: the newest texts, the count since the first occurrence.
        #expect(entries[3] == "12:02:44 ×80 since 12:00:05: lost 10.0.0.1:7000: connection closed by peer, "
            + "then reconnected to 10.0.0.1:7000 after 1.1 s without data", "\(entries[3])")
    }

    @Test("a second gateway retrying every 50 ms from new ports: one entry for the first refusal, one counting the rest")
    func refusedGatewayCollapsed() {
        var d = driver()
        d.step(events: [.reset, .state(.connected(peer: "127.0.0.1:5555")),
                        .connection(.gatewayConnected(peer: "127.0.0.1:5555"))], now: 0)
        for k in 0..<157 {
            d.step(events: [.connection(.refusedGateway(peer: "127.0.0.1:\(40_000 + k)", current: "127.0.0.1:5555"))],
                   now: Double(k) * 0.05)
        }
        let entries = connectionEntries(d)
        #expect(entries.count == 3, "\(entries)")
        #expect(entries[1].hasSuffix("refused a second gateway from 127.0.0.1:40000 while 127.0.0.1:5555 is connected"))
        #expect(entries[2].contains("×157 since 12:00:05: refused a second gateway from 127.0.0.1:40156"), "\(entries[2])")
        // Another host is another pattern: listed.
        d.step(events: [.connection(.refusedGateway(peer: "10.9.9.9:1", current: "127.0.0.1:5555"))], now: 9)
        #expect(connectionEntries(d).last?.hasSuffix("refused a second gateway from 10.9.9.9:1 while 127.0.0.1:5555 is connected") == true)
        #expect(connectionEntries(d).count == 4)
    }

    @Test("silence drops whose measured seconds differ are still repeats of one another")
    func numbersDoNotSplitAPattern() {
        let a = ConnectionEvent.dropped(peer: "10.0.0.1:41000", reason: "sent no valid frame for 5.2 s (silent, or a half-open connection)",
                                        reconnecting: false)
        let b = ConnectionEvent.dropped(peer: "10.0.0.1:41007", reason: "sent no valid frame for 5.4 s (silent, or a half-open connection)",
                                        reconnecting: false)
        #expect(a.pattern == b.pattern)
        #expect(ConnectionEvent.lost(peer: "[::1]:5", reason: "x").pattern == "lost [::1] x")
        #expect(ConnectionEvent.lost(peer: "10.0.0.1:5", reason: "x").pattern != ConnectionEvent.lost(peer: "10.0.0.2:5", reason: "x").pattern)
    }

    @Test("connection entries never push the stream's own events out, whatever their number")
    func streamEventsStay() {
        var d = driver()
        let limits = HistoryLimits()
        var frames: [SourceEvent] = [.decoded(.frame(Frame(t: 0, body: .session(SessionInfo(id: "S", arms: [])))))]
        for k in 0..<limits.events {
            frames.append(.decoded(.frame(Frame(t: Double(k) / 10, body: .event(EventNote(kind: "clutch", text: "#\(k)"))))))
        }
        d.step(events: frames, now: 0)
        // 500 different connection events (a different host each: no collapsing).
        for k in 0..<500 {
            d.step(events: [.connection(.lost(peer: "10.0.\(k / 250).\(k % 250):7000", reason: "connection reset by peer"))], now: 1)
        }
        let stream = d.state.events.filter { !$0.byConsole }
        #expect(stream.count == limits.events, "every one of the stream's events is kept")
        #expect(stream.first?.text == "#0")
        #expect(connectionEntries(d).count == ConnectionLog.limit)
        #expect(connectionEntries(d).last?.contains("10.0.1.249:7000") == true, "the newest connection entries are kept")
        // The stream's events still roll over at their own limit.
        d.step(events: [.decoded(.frame(Frame(t: 200, body: .event(EventNote(kind: "clutch", text: "new")))))], now: 2)
        #expect(d.state.events.filter { !$0.byConsole }.first?.text == "#1")
        #expect(connectionEntries(d).count == ConnectionLog.limit)
    }
}

/// A counter the wall clock closure can share.
final class Synchronized: Sendable {
    private let value: Mutex<Int>
    init(_ start: Int) { value = Mutex(start) }
    func increment() -> Int { value.withLock { $0 += 1; return $0 } }
}
