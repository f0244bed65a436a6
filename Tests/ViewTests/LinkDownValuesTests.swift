import SessionCore
import Telemetry
import Testing
@testable import View

/// A path that is down carries no teleoperation traffic: its round trip, loss and video rate
/// are shown as absent (dimmed dashes and the age of the last live values), never as numbers
/// that look healthy, even when the gateway keeps repeating them.
@Suite("Link: a path that is down shows no live numbers")
struct LinkDownValuesTests {
    /// Primary up with healthy values until t = 10, then down from 10.2 while the gateway
    /// repeats the same numbers; the backup carries the session to t = 14.
    func state() -> SessionState {
        var b = SessionBuilder()
        b.session()
        b.linkHistory(path: "primary", until: 10, seconds: 5) { _ in
            LinkSample(rttMs: 117, jitterMs: 2.5, lossPct: 0, bandwidthMbps: 48, videoFps: 60, videoDelayMs: 140)
        }
        b.apply(10.2, .link(LinkSample(path: "primary", up: false, rttMs: 117, jitterMs: 2.5, lossPct: 0, videoFps: 60)))
        b.linkHistory(path: "backup", until: 14, seconds: 5) { _ in LinkSample(rttMs: 163, lossPct: 0.2, videoFps: 59) }
        return b.state
    }

    @Test("the down path's metric rows show dimmed dashes and how old its last live values are")
    func rowsShowDashes() throws {
        let s = state()
        #expect(abs((s.link("primary")?.lastLiveStamp?.sessionTime ?? 0) - 10) < 1e-6)
        let b = panel(.link, s, Fixture.context(now: 1014, state: s), width: 120, height: 12)
        let lines = b.lines
        let primary = try #require(lines.firstIndex { $0.contains("primary") })
        #expect(lines[primary].contains("DOWN for 3.8 s"))
        let x = try #require(b.find("primary")).x
        let column = lines.map { String($0.dropFirst(x).prefix(58)) }
        let rtt = try #require(column.first { $0.hasPrefix("RTT ") }, "\(lines.joined(separator: "\n"))")
        #expect(rtt.contains("— ms") && rtt.contains("4.0 s ago"), "\(rtt)")
        for metric in ["RTT ", "Loss ", "Video "] {
            let row = try #require(column.first { $0.hasPrefix(metric) })
            #expect(!row.contains("117") && !row.contains("0.00") && !row.contains("60.0"), "\(row)")
        }
        #expect(b.style(of: "—")?.fg == Theme(colors: true).dim.fg)
        // The backup, which is up, keeps its live numbers.
        #expect(lines.contains { $0.contains("163 ms") })
    }

    @Test("big tiles and the one-line summary show the dash too")
    func largeAndSummary() throws {
        let s = state()
        let large = panel(.link, s, Fixture.context(now: 1014, state: s), width: 140, height: 16, large: true)
        #expect(large.contains("DOWN"))
        #expect(large.contains("4.0 s ago"), "\(large.lines.joined(separator: "\n"))")
        let short = panel(.link, s, Fixture.context(now: 1014, state: s), width: 66, height: 4)
        let line = try #require(short.lines.first { $0.contains("primary") })
        #expect(line.contains("— values 4.0 s ago") && !line.contains("117"), "\(line)")
        #expect(short.lines.contains { $0.contains("backup") && $0.contains("163") }, "\(short.lines.joined(separator: "\n"))")
    }

    @Test("a path reported down from the start has no live value to age")
    func neverUp() {
        var b = SessionBuilder()
        b.session()
        b.apply(1, .link(LinkSample(path: "primary", up: false, rttMs: 117)))
        let s = b.state
        #expect(s.link("primary")?.lastLiveStamp == nil)
        let p = panel(.link, s, Fixture.context(state: s), width: 120, height: 12)
        #expect(p.contains("no live value") && !p.contains("117"))
    }

    @Test("the age of a down path's values grows with the clock while nothing arrives (a reconnect), not with the frozen session time")
    func ageFollowsTheClock() throws {
        let s = state()
        for (now, age) in [(1014.0, "4.0 s ago"), (1020.0, "10 s ago"), (1090.0, "1m20s ago")] {
            let b = panel(.link, s, Fixture.context(now: now, state: s), width: 120, height: 12)
            let row = try #require(b.lines.first { $0.contains("RTT ") && $0.contains("— ms") }, "\(b.lines.joined(separator: "\n"))")
            #expect(row.contains(age), "at \(now): \(row)")
        }
        // A replay has no wall clock to age against: the session time.
        let replay = panel(.link, s, Fixture.context(mode: .replay, now: 5000, state: s), width: 120, height: 12)
        #expect(replay.lines.contains { $0.contains("RTT ") && $0.contains("4.0 s ago") }, "\(replay.lines.joined(separator: "\n"))")
    }

    @Test("after the path comes back up, a value sent only while it was down is not shown; one not reported since shows as absent")
    func backUpShowsOnlyLiveValues() throws {
        var b = SessionBuilder()
        b.session()
        b.apply(1, .link(LinkSample(path: "primary", up: true, rttMs: 100, jitterMs: 2)))
        b.apply(2, .link(LinkSample(path: "primary", up: false, rttMs: 900, lossPct: 100, videoFps: 0)))
        b.apply(3, .link(LinkSample(path: "primary", up: true)))
        b.apply(4, .link(LinkSample(path: "primary", rttMs: 40)))
        let s = b.state
        // Five rows: the metrics' sparkline rows (LinkChartsTests has the charts).
        let p = panel(.link, s, Fixture.context(now: 1004, state: s), width: 120, height: 5)
        let text = p.lines.joined(separator: "\n")
        #expect(!text.contains("100.0") && !text.contains("***") && !text.contains("900"), "\(text)")
        #expect(p.lines.contains { $0.contains("RTT ") && $0.contains(" 40") }, "\(text)")
        let jitter = try #require(p.lines.first { $0.contains("Jitter") }, "\(text)")
        #expect(jitter.contains("—") && jitter.contains("3.0 s ago"), "not reported since the path came back: \(jitter)")
    }
}
