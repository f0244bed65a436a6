import SessionCore
import Telemetry
import Testing
@testable import View

@Suite("Link panel: the session's round trip and jitter percentiles")
struct LinkPercentilesTests {
    /// A path whose round trip ran 1…200 ms and jitter 0.1…20 ms, one sample each, 10 Hz.
    static func state() -> SessionState {
        var b = SessionBuilder()
        b.session()
        for k in 1...200 {
            b.apply(Double(k) / 10, .link(LinkSample(path: "primary", up: true, rttMs: Double(k), jitterMs: Double(k) / 10)))
        }
        // Read at the end of the last refresh interval: the figures then hold every sample.
        b.apply(40, .link(LinkSample(path: "primary", up: true, rttMs: 100, jitterMs: 10)))
        return b.state
    }

    /// A context whose clock is the state's last arrival: nothing is stale.
    static func context(_ state: SessionState) -> ViewContext {
        Fixture.context(now: state.lastFrame?.arrival ?? Fixture.now, state: state)
    }

    @Test("the state keeps the session's p50/p95/p99 of every live value, as a sort of them gives")
    func stateFigures() throws {
        let link = try #require(Self.state().link("primary"))
        let rtt = try #require(link.rttPercentiles.figures)
        #expect(rtt.samples == 201)
        // 1…200 and 100: nearest rank 101 → 100 (two of them), 191 → 190, 199 → 198.
        #expect(rtt.p50 == 100 && rtt.p95 == 190 && rtt.p99 == 198)
        #expect(link.jitterPercentiles.figures?.p99 == 19.8)
    }

    @Test("shown at 80×24 and 120×40: in a spare row under the metrics, else at the end of the path's line", arguments: screenSizes)
    func shownAtBothSizes(size: (width: Int, height: Int, layout: String)) throws {
        let state = Self.state()
        let (b, outcome) = screen(state, Self.context(state), layout: size.layout, width: size.width, height: size.height)
        let area = try #require(rect(of: .link, in: outcome))
        let lines = b.lines(in: area)
        let rtt = try #require(lines.first { $0.contains("p50/95/99 100/190/198") }, "\(lines.joined(separator: "\n"))")
        #expect(rtt.contains("RTT"))
        if let jitter = lines.first(where: { $0.contains("Jitter") && $0.contains("p50/95/99") }) {
            #expect(jitter.contains("p50/95/99 10.0/19.0/19.8"))
        }
    }

    @Test("a block with spare rows gives round trip and jitter a row each, with their unit")
    func spareRows() throws {
        let state = Self.state()
        // Too short for charts (LinkCharts), wide enough for the long labels and the whole row.
        let b = panel(.link, state, Self.context(state), width: 60, height: 8)
        #expect(b.lines.contains { $0.contains("│RTT ") && $0.contains(" session p50/95/99 100/190/198 ms") },
                "\(b.lines.joined(separator: "\n"))")
        #expect(b.lines.contains { $0.contains("│Jitter ") && $0.contains(" session p50/95/99 10.0/19.0/19.8 ms") })
        let status = try #require(b.lines.first { $0.contains("primary") })
        #expect(!status.contains("p50"), "not twice")
    }

    @Test("on the path's line only whole, never cut: both, the round trip, without its unit, its p99, or nothing")
    func onlyWhole() throws {
        let link = try #require(Self.state().link("primary"))
        let both = "RTT p50/95/99 100/190/198 ms  jitter 10.0/19.0/19.8 ms"
        #expect(LinkPanel.sessionPercentiles(link, width: 80) == both)
        #expect(LinkPanel.sessionPercentiles(link, width: both.count - 1) == "RTT p50/95/99 100/190/198 ms")
        #expect(LinkPanel.sessionPercentiles(link, width: 25) == "RTT p50/95/99 100/190/198")
        #expect(LinkPanel.sessionPercentiles(link, width: 20) == "RTT p99 198 ms")
        #expect(LinkPanel.sessionPercentiles(link, width: 10) == nil)
        for width in [24, 30, 40, 50] {
            let b = panel(.link, Self.state(), Self.context(Self.state()), width: width, height: 4)
            for line in b.lines where line.contains("p50") || line.contains("p99") {
                #expect(line.contains("100/190/198") || line.contains("RTT p99 198 ms"), "\(line)")
            }
        }
    }

    @Test("a path that never reported a round trip shows none")
    func none() throws {
        var b = SessionBuilder()
        b.session()
        b.apply(1, .link(LinkSample(path: "primary", up: true, lossPct: 0.1)))
        let link = try #require(b.state.link("primary"))
        #expect(LinkPanel.sessionPercentiles(link, width: 200) == nil)
    }
}
