import Testing
import Telemetry
@testable import SessionCore

@Suite("Alarm levels on the mean of the last sustain_s of samples")
struct AlarmWindowTests {
    /// A round trip alternating between `a` and `b` every 200 ms, from t = 0.
    static func swinging(_ h: inout AlarmHarness, _ a: Double, _ b: Double, until end: Double) {
        h.run(from: 0, to: end, step: 0.2) { t in linkBody(rtt: Int((t / 0.2).rounded()) % 2 == 0 ? a : b) }
    }

    @Test("a round trip swinging between 280 and 380 ms (mean 330) raises high within about a second")
    func swingingAboveHighEscalates() {
        var h = AlarmHarness()
        Self.swinging(&h, 280, 380, until: 1.2)
        let alarm = h.alarm("LINK.primary.RTT")
        #expect(alarm?.priority == .high)
        #expect(alarm?.raisedAt ?? 99 <= 1.2)
        #expect(alarm?.message.hasPrefix("primary round trip 3") == true)
        #expect(alarm?.message.hasSuffix("ms ≥ 300 ms (1 s mean)") == true)
        Self.swinging(&h, 280, 380, until: 30)
        #expect(h.alarm("LINK.primary.RTT")?.priority == .high, "it stays high while it swings")
        #expect(h.actions("LINK.primary.RTT") == [.raise])
    }

    @Test("a round trip swinging between 240 and 310 ms (mean 275) stays medium")
    func swingingBelowHighStaysMedium() {
        var h = AlarmHarness()
        Self.swinging(&h, 240, 310, until: 30)
        #expect(h.alarm("LINK.primary.RTT")?.priority == .medium)
        #expect(h.actions("LINK.primary.RTT") == [.raise])
    }

    @Test("a value that has just appeared has no level until its samples span sustain_s")
    func newValueWaitsForItsWindow() {
        var h = AlarmHarness()
        h.run(from: 0, to: 0.9) { _ in linkBody(rtt: 500) }
        #expect(h.alarm("LINK.primary.RTT") == nil)
        h.feed(linkBody(rtt: 500), at: 1.0)
        #expect(h.alarm("LINK.primary.RTT")?.priority == .high)
    }

    @Test("the swinging link keeps the 2 s clear hysteresis once it settles")
    func swingingClearsAfterTwoSeconds() {
        var h = AlarmHarness()
        Self.swinging(&h, 280, 380, until: 10)
        h.run(from: 10.2, to: 20, step: 0.2) { _ in linkBody(rtt: 50) }
        #expect(h.alarm("LINK.primary.RTT") == nil)
        #expect(h.actions("LINK.primary.RTT").last == .clear)
        // The mean falls under 100 ms within the first second of 50 ms samples, then 2 s pass.
        let cleared = h.log("LINK.primary.RTT").last?.time ?? 0
        #expect(cleared > 12 && cleared < 13.2)
    }

    @Test("a 1e19 ms spike leaving the window leaves the mean of the rest exact")
    func hugeSpikeLeavesAnExactMean() {
        var w = LevelWindow()
        for k in 0..<10 { w.add(t: Double(k) * 0.1, value: 120, seconds: 1) }
        w.add(t: 1.0, value: 1e19, seconds: 1)
        #expect(w.mean! > 1e17)
        for k in 11..<30 { w.add(t: Double(k) * 0.1, value: 120, seconds: 1) }
        #expect(w.mean == 120)
        w.add(t: 3.0, value: .greatestFiniteMagnitude, seconds: 1)
        w.add(t: 3.1, value: .greatestFiniteMagnitude, seconds: 1)
        #expect(w.mean?.isFinite == true)
    }
}

@Suite("Bandwidth alarm")
struct AlarmBandwidthTests {
    static func session(minimum: Double?) -> Frame.Body {
        .session(SessionInfo(id: "OR3-TEST", minBandwidthMbps: minimum, arms: [alarmPSM]))
    }

    static func bandwidth(_ mbps: Double, path: String = "primary") -> Frame.Body {
        .link(LinkSample(path: path, up: true, bandwidthMbps: mbps))
    }

    @Test("below the session's min_bandwidth_mbps for sustain_s raises LINK.<path>.BANDWIDTH, medium")
    func raisesBelowTheDeclaredMinimum() {
        var h = AlarmHarness()
        h.feed(Self.session(minimum: 150), at: 0)
        h.run(from: 0, to: 5) { _ in Self.bandwidth(200) }
        #expect(h.alarm("LINK.primary.BANDWIDTH") == nil)
        h.run(from: 5.1, to: 5.4) { _ in Self.bandwidth(90) }
        #expect(h.alarm("LINK.primary.BANDWIDTH") == nil, "the mean of the last second is still 156 Mbit/s")
        h.run(from: 5.6, to: 7) { _ in Self.bandwidth(90) }
        let alarm = h.alarm("LINK.primary.BANDWIDTH")
        #expect(alarm?.priority == .medium)
        #expect(alarm?.message == "primary bandwidth 90 Mbit/s < 150 Mbit/s the robot needs (1 s mean)")
        h.run(from: 7.1, to: 10) { _ in Self.bandwidth(180) }
        #expect(h.alarm("LINK.primary.BANDWIDTH") == nil)
        #expect(h.actions("LINK.primary.BANDWIDTH") == [.raise, .clear])
    }

    @Test("without a declared minimum (or with an unusable one) bandwidth raises nothing")
    func noMinimumNoAlarm() {
        for minimum in [nil, 0, -5, Double.infinity] as [Double?] {
            var h = AlarmHarness()
            h.feed(Self.session(minimum: minimum), at: 0)
            h.run(from: 0, to: 5) { _ in Self.bandwidth(1) }
            #expect(h.ids.isEmpty)
        }
    }
}

@Suite("Level window settings")
struct LevelWindowSettingsTests {
    @Test("sustain_s beyond what the window keeps (300 s) is a settings error")
    func sustainIsBounded() {
        var s = AlarmSettings()
        s.sustainSeconds = 301
        #expect(s.problems().contains { $0.key == "timing.sustain_s" })
        s.sustainSeconds = 300
        #expect(s.problems().isEmpty)
    }
}
