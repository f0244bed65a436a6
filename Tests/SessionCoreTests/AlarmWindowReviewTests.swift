import Testing
import Telemetry
@testable import SessionCore

@Suite("Level windows follow the stream: slow links, late frames, huge values")
struct AlarmWindowStreamTests {
    @Test("a link reporting about once a second (jittered ±0.15 s) at 500 ms raises high")
    func oneHertzWithJitterRaises() {
        var h = AlarmHarness()
        let jitter = [0.0, 0.12, -0.1, 0.15, -0.15, 0.05, 0.1, -0.05]
        for k in 1...30 { h.feed(linkBody(rtt: 500), at: Double(k) + jitter[k % jitter.count]) }
        #expect(h.alarm("LINK.primary.RTT")?.priority == .high)
        #expect(h.actions("LINK.primary.RTT") == [.raise], "raised once and held")
        #expect((h.log("LINK.primary.RTT").first?.time ?? 99) <= 3.2, "within a couple of samples")
    }

    @Test("a link every 1.05 s for 30 s at 500 ms raises high")
    func everyOnePointOFiveSecondsRaises() {
        var h = AlarmHarness()
        for k in 0..<29 { h.feed(linkBody(rtt: 500), at: 0.5 + Double(k) * 1.05) }
        #expect(h.alarm("LINK.primary.RTT")?.priority == .high)
    }

    @Test("2 Hz frames under a 0.3 s sustain_s raise")
    func twoHertzShortSustainRaises() {
        var settings = AlarmSettings.defaults
        settings.sustainSeconds = 0.3
        var h = AlarmHarness(settings: settings)
        h.run(from: 0.5, to: 5, step: 0.5) { _ in linkBody(rtt: 500) }
        #expect(h.alarm("LINK.primary.RTT")?.priority == .high)
    }

    @Test("a silence longer than the stream's spacing starts the window again")
    func silenceBreaksTheWindow() {
        var h = AlarmHarness()
        h.run(from: 0.1, to: 0.5) { _ in linkBody(rtt: 50) }
        h.run(from: 5, to: 5.5) { _ in linkBody(rtt: 500) }
        #expect(h.alarm("LINK.primary.RTT") == nil, "half a second of 500 ms after a 4.5 s silence is not yet sustained")
        h.run(from: 5.6, to: 6.2) { _ in linkBody(rtt: 500) }
        #expect(h.alarm("LINK.primary.RTT")?.priority == .high)
    }

    @Test("a late frame (t − 0.15) every 0.5 s does not clear a raised high alarm")
    func lateFramesKeepTheAlarm() {
        var h = AlarmHarness()
        for k in 1...150 {
            let t = Double(k) / 10
            h.feed(linkBody(rtt: 500), at: t)
            if k % 5 == 0 { h.feed(linkBody(rtt: 500), at: t - 0.15) }
        }
        #expect(h.alarm("LINK.primary.RTT")?.priority == .high)
        #expect(h.actions("LINK.primary.RTT") == [.raise])
        let times = h.state.links[0].history[.rtt]!.points.map(\.t)
        #expect(times == times.sorted(), "the history stays in time order")
    }

    @Test("a lone far-ahead frame (t = 1e7) every 0.7 s neither clears the alarm nor enters the history")
    func loneTimeJumpsKeepTheAlarm() {
        var h = AlarmHarness()
        for k in 1...150 {
            let t = Double(k) / 10
            h.feed(linkBody(rtt: 500), at: t)
            if k % 7 == 0 { h.feed(linkBody(rtt: 5), at: 1e7) }
        }
        #expect(h.state.counters.timeOutliers > 0)
        #expect(h.alarm("LINK.primary.RTT")?.priority == .high)
        #expect(h.actions("LINK.primary.RTT") == [.raise])
        #expect(h.state.links[0].history[.rtt]!.points.allSatisfy { $0.t < 100 })
    }

    @Test("values near the largest double average without overflowing")
    func hugeValuesDoNotOverflow() {
        var w = LevelWindow()
        for (k, v) in [1.7e308, 1.7e308, -1.7e308].enumerated() { w.add(t: Double(k) * 0.1, value: v, seconds: 1) }
        let mean = w.mean ?? .nan
        #expect(mean.isFinite)
        #expect(abs(mean - 1.7e308 / 3) <= 1e293)
        var full = LevelWindow()
        for k in 0..<LevelWindow.capacity { full.add(t: Double(k) * 0.1, value: .greatestFiniteMagnitude, seconds: 1000) }
        #expect(full.mean == .greatestFiniteMagnitude)
    }
}

@Suite("Bandwidth on the path carrying the session, effort counted once")
struct AlarmCarrierAndEffortTests {
    @Test("only the path carrying the session is held to min_bandwidth_mbps; the backup is not")
    func bandwidthOnTheCarrierOnly() {
        var h = AlarmHarness()
        h.feed(AlarmBandwidthTests.session(minimum: 150), at: 0)
        for k in 1...30 {
            let t = Double(k) / 10
            h.feed(AlarmBandwidthTests.bandwidth(200), at: t)
            h.feed(AlarmBandwidthTests.bandwidth(20, path: "backup"), at: t)
        }
        #expect(h.alarm("LINK.backup.BANDWIDTH") == nil)
        #expect(h.state.carrierLinkIndex == 0)
        // The primary goes down: the backup carries the session, and its bandwidth now counts.
        h.feed(.link(LinkSample(path: "primary", up: false)), at: 3.1)
        for k in 32...50 { h.feed(AlarmBandwidthTests.bandwidth(20, path: "backup"), at: Double(k) / 10) }
        #expect(h.alarm("LINK.backup.BANDWIDTH")?.priority == .medium)
    }

    @Test("one effort reading followed by frames with positions only is not counted again")
    func staleEffortCountsOnce() {
        var h = AlarmHarness()
        h.feed(armBody(position: [0, 0.12, 0], effort: [2.9, 0, 0]), at: 0.1)
        h.run(from: 0.2, to: 3) { _ in armBody(position: [0, 0.12, 0]) }
        #expect(h.alarm("PSM1.yaw.EFFORT") == nil, "a single reading is not an effort held for sustain_s")
        h.run(from: 3.1, to: 4.5) { _ in armBody(position: [0, 0.12, 0], effort: [2.9, 0, 0]) }
        #expect(h.alarm("PSM1.yaw.EFFORT")?.priority == .medium)
    }
}
