import Testing
import Telemetry
@testable import SessionCore

@Suite("Alarm engine: link, telemetry and hysteresis")
struct AlarmLinkTests {
    @Test("round trip ≥ 100 ms raises low once the mean of the last second reaches it, naming the mean and the threshold")
    func rttRaisesOnTheMean() {
        var h = AlarmHarness()
        h.run(from: 0, to: 0.9) { _ in linkBody(rtt: 80) }
        h.run(from: 1.0, to: 1.1) { _ in linkBody(rtt: 150) }
        #expect(h.alarm("LINK.primary.RTT") == nil, "mean of the last second (8 × 80, 2 × 150): 94 ms")
        h.feed(linkBody(rtt: 150), at: 1.2)
        let alarm = h.alarm("LINK.primary.RTT")
        #expect(alarm?.priority == .low)
        #expect(alarm?.origin == .derived)
        #expect(alarm?.message == "primary round trip 101 ms ≥ 100 ms (1 s mean)", "7 × 80 and 3 × 150")
        #expect(alarm?.raisedAt == 1.2)
        #expect(alarm?.source == "primary")
        #expect(h.log("LINK.primary.RTT").map(\.text) == ["t=1.2  RAISE  * LINK.primary.RTT  primary round trip 101 ms ≥ 100 ms (1 s mean)"])
        h.run(from: 1.3, to: 2.5) { _ in linkBody(rtt: 150) }
        #expect(h.alarm("LINK.primary.RTT")?.message == "primary round trip 150 ms ≥ 100 ms (1 s mean)")
        #expect(h.alarm("LINK.primary.RTT")?.value == 150)
    }

    @Test("a rising round trip escalates the one entry in place, each level once the mean reaches it")
    func escalationInPlace() {
        var h = AlarmHarness()
        h.run(from: 0, to: 4.9) { _ in linkBody(rtt: 150) }
        h.run(from: 5, to: 5.4) { _ in linkBody(rtt: 245) }
        #expect(h.alarm("LINK.primary.RTT")?.priority == .low, "mean 197.5 ms")
        h.feed(linkBody(rtt: 245), at: 5.5)
        #expect(h.alarm("LINK.primary.RTT")?.priority == .medium, "mean 207 ms")
        #expect(h.alarm("LINK.primary.RTT")?.raisedAt == 1.0, "the entry keeps its raise time")
        h.run(from: 5.6, to: 6.5) { _ in linkBody(rtt: 245) }
        #expect(h.alarm("LINK.primary.RTT")?.message == "primary round trip 245 ms ≥ 200 ms (1 s mean)")
        h.run(from: 6.6, to: 11) { t in linkBody(rtt: t < 10 ? 245 : 350) }
        #expect(h.alarm("LINK.primary.RTT")?.priority == .high)
        #expect(h.ids.filter { $0 == "LINK.primary.RTT" }.count == 1)
        #expect(h.actions("LINK.primary.RTT") == [.raise, .escalate, .escalate])
        #expect(h.log("LINK.primary.RTT").map(\.time) == [1.0, 5.5, 10.5])
        #expect(h.log("LINK.primary.RTT").last?.text == "t=10.5  ESCALATE  *** LINK.primary.RTT (was **)  primary round trip 308 ms ≥ 300 ms (1 s mean)")
    }

    @Test("de-escalation waits 2 s with the mean below the level, and the alarm clears 2 s after the mean is below every level")
    func deescalationAndClear() {
        var h = AlarmHarness()
        h.run(from: 0, to: 10) { _ in linkBody(rtt: 350) }
        #expect(h.alarm("LINK.primary.RTT")?.priority == .high)
        // 250 from 10.1: the mean is under 300 from 10.6 (6 × 250, 4 × 350: 290 ms).
        h.run(from: 10.1, to: 12.5) { _ in linkBody(rtt: 250) }
        #expect(h.alarm("LINK.primary.RTT")?.priority == .high, "1.9 s below the high threshold")
        h.feed(linkBody(rtt: 250), at: 12.6)
        #expect(h.alarm("LINK.primary.RTT")?.priority == .medium)
        h.run(from: 12.7, to: 20.0) { _ in linkBody(rtt: 250) }
        // 60 from 20.1: the mean is under 200 from 20.3 and under 100 from 20.8.
        h.run(from: 20.1, to: 22.7) { _ in linkBody(rtt: 60) }
        #expect(h.alarm("LINK.primary.RTT")?.priority == .low, "medium ended at 22.3, low was seen until 20.7")
        #expect(h.alarm("LINK.primary.RTT")?.message.hasSuffix("ms ≥ 100 ms (1 s mean)") == true,
                "the message states the threshold of the listed level, with the last mean that held")
        h.feed(linkBody(rtt: 60), at: 22.8)
        #expect(h.alarm("LINK.primary.RTT") == nil)
        #expect(h.actions("LINK.primary.RTT") == [.raise, .deescalate, .deescalate, .clear])
        #expect(h.log("LINK.primary.RTT").map(\.time) == [1.0, 12.6, 22.3, 22.8])
        #expect(h.log("LINK.primary.RTT")[1].previous == .high)
    }

    @Test("a CLEAR says the condition is over, with the value now, not the raise condition as if it held")
    func clearLineSaysItIsOver() {
        var h = AlarmHarness()
        h.run(from: 0, to: 5) { _ in linkBody(rtt: 150) }
        h.run(from: 5.1, to: 9) { _ in linkBody(rtt: 50) }
        let clear = h.log("LINK.primary.RTT").last
        #expect(clear?.action == .clear)
        // The mean is under 100 ms from 5.6 (5 × 50, 5 × 150 is 100): cleared 2 s later.
        #expect(clear?.text == "t=7.6  CLEAR  * LINK.primary.RTT  condition over, now 50 ms; was: primary round trip 100 ms ≥ 100 ms (1 s mean)")
    }

    @Test("a drop from high steps down as the mean falls, and clears 2 s after the mean is below every level")
    func dropToClear() {
        var h = AlarmHarness()
        h.run(from: 0, to: 5) { _ in linkBody(rtt: 350) }
        h.run(from: 5.1, to: 8) { _ in linkBody(rtt: 50) }
        #expect(h.alarm("LINK.primary.RTT") == nil)
        #expect(h.actions("LINK.primary.RTT").first == .raise)
        #expect(h.actions("LINK.primary.RTT").last == .clear)
        // The mean is under 100 ms from 5.9: cleared 2 s later.
        #expect(h.log("LINK.primary.RTT").last?.time == 7.9)

        // A brief return (0.2 s at 150 ms) does not lift the mean of the second to any level.
        var g = AlarmHarness()
        g.run(from: 0, to: 5) { _ in linkBody(rtt: 350) }
        g.run(from: 5.1, to: 6.5) { _ in linkBody(rtt: 50) }
        g.run(from: 6.6, to: 6.7) { _ in linkBody(rtt: 150) }
        g.run(from: 6.8, to: 9) { _ in linkBody(rtt: 50) }
        #expect(g.alarm("LINK.primary.RTT") == nil)
        #expect(g.log("LINK.primary.RTT").last?.time == 7.9)
    }

    @Test("a value hovering at a threshold for 20 s raises once and does not chatter")
    func hoveringDoesNotChatter() {
        // 1.5 s above, 1.5 s below: long enough to raise, never long enough to clear.
        var h = AlarmHarness()
        h.run(from: 0, to: 20) { t in
            linkBody(rtt: Int((t / 1.5).rounded(.down)) % 2 == 0 ? 202 : 198)
        }
        #expect(h.actions("LINK.primary.RTT") == [.raise], "medium at 1 s, once")
        #expect(h.alarm("LINK.primary.RTT")?.priority == .medium)
        #expect(h.alarm("LINK.primary.RTT")?.raisedAt == 1.0)
        h.run(from: 20.1, to: 30) { _ in linkBody(rtt: 90) }
        // The mean is below 200 from 20.0 and below 100 from 21.0 (it took 198 ms samples from
        // 19.5): medium until 22.0, low until 23.0.
        #expect(h.actions("LINK.primary.RTT") == [.raise, .deescalate, .clear])
        #expect(h.log("LINK.primary.RTT").map(\.time) == [1.0, 22.0, 23.0])

        // Excursions above the threshold whose mean stays under it raise nothing at all.
        var g = AlarmHarness()
        g.run(from: 0, to: 20) { t in
            linkBody(rtt: Int((t / 0.5).rounded(.down)) % 2 == 0 ? 104 : 94)
        }
        #expect(g.entries.isEmpty)
    }

    @Test("jitter and loss have their own three thresholds and messages")
    func jitterAndLoss() {
        var h = AlarmHarness()
        h.run(from: 0, to: 1) { _ in linkBody(jitter: 60, loss: 1.2) }
        #expect(h.alarm("LINK.primary.JITTER")?.priority == .high)
        #expect(h.alarm("LINK.primary.JITTER")?.message == "primary jitter 60 ms ≥ 50 ms (1 s mean)")
        #expect(h.alarm("LINK.primary.LOSS")?.priority == .medium)
        #expect(h.alarm("LINK.primary.LOSS")?.message == "primary packet loss 1.2 % ≥ 1 % (1 s mean)")

        var g = AlarmHarness()
        g.run(from: 0, to: 1) { _ in linkBody(jitter: 12.34, loss: 0.5) }
        #expect(g.alarm("LINK.primary.JITTER")?.message == "primary jitter 12.3 ms ≥ 10 ms (1 s mean)")
        #expect(g.alarm("LINK.primary.LOSS")?.priority == .low, "exactly at the threshold counts")
        g.run(from: 1.1, to: 2) { _ in linkBody(jitter: 9.9, loss: 0.49) }
        g.run(from: 2.1, to: 4.1) { _ in linkBody(jitter: 9.9, loss: 0.49) }
        #expect(g.ids.isEmpty)
    }

    @Test("video whose mean over the last second is below 24 fps is medium; 24 fps is fine")
    func videoRate() {
        var h = AlarmHarness()
        h.run(from: 0, to: 3) { _ in linkBody(fps: 24) }
        #expect(h.ids.isEmpty)
        h.feed(linkBody(fps: 18), at: 3.1)
        #expect(h.alarm("LINK.primary.VIDEO")?.priority == .medium, "the mean is 23.4 fps")
        h.run(from: 3.2, to: 4.1) { _ in linkBody(fps: 18) }
        #expect(h.alarm("LINK.primary.VIDEO")?.priority == .medium)
        #expect(h.alarm("LINK.primary.VIDEO")?.message == "primary video 18 fps < 24 fps (1 s mean)")
    }

    @Test("the primary path down while the backup is up is medium at once; no path up is high")
    func pathsDown() {
        var h = AlarmHarness()
        h.run(from: 0, to: 3) { _ in linkBody(rtt: 150) }
        h.feed(linkBody("backup", up: true, rtt: 60), at: 3.0)
        h.feed(linkBody("primary", up: false), at: 3.1)
        let down = h.alarm("LINK.primary.DOWN")
        #expect(down?.priority == .medium, "a state, not a measurement: no sustain")
        #expect(down?.message == "primary path down; backup carries the session")
        #expect(h.alarm("LINK.ALL.DOWN") == nil)
        #expect(h.alarm("LINK.primary.RTT")?.priority == .low, "listed until 2 s after the path went down")
        h.evaluate(at: 5.1)
        #expect(h.alarm("LINK.primary.RTT") == nil, "a down path's stale metrics do not alarm")

        h.feed(linkBody("backup", up: false), at: 6)
        #expect(h.alarm("LINK.ALL.DOWN")?.priority == .high)
        #expect(h.alarm("LINK.ALL.DOWN")?.message == "no network path up")
        #expect(h.alarm("LINK.primary.DOWN")?.message == "primary path down")
        #expect(h.engine.highestPriority == .high)

        h.feed(linkBody("backup", up: true), at: 7)
        h.evaluate(at: 9)
        #expect(h.alarm("LINK.ALL.DOWN") == nil)
        #expect(h.alarm("LINK.backup.DOWN") == nil)
        #expect(h.alarm("LINK.primary.DOWN")?.priority == .medium)
        h.feed(linkBody("primary", up: true, rtt: 60), at: 10)
        h.evaluate(at: 12)
        #expect(h.ids.isEmpty)
    }

    @Test("a single path going down is high at once (no backup carries the session)")
    func singlePathDown() {
        var h = AlarmHarness()
        h.feed(linkBody(up: true, rtt: 50), at: 1)
        h.feed(linkBody(up: false), at: 2)
        #expect(h.ids == ["LINK.ALL.DOWN"])
        #expect(h.alarm("LINK.ALL.DOWN")?.priority == .high)
    }

    @Test("no telemetry from a live source for more than 1 s (arrival time) raises TELEMETRY.LOST, high")
    func telemetryLost() {
        var h = AlarmHarness()
        h.live = true
        h.run(from: 0, to: 10) { _ in linkBody(rtt: 50) }
        let lastArrival = h.arrivalOffset + 10
        // The lead's clock for live sources: session time plus the arrival seconds since the last frame.
        func tick(_ h: inout AlarmHarness, _ arrival: Double) {
            h.engine.evaluate(h.state, arrivalNow: arrival, sourceIsLive: true)
            h.entries += h.engine.drainLog()
        }
        #expect(abs(AlarmEngine.clock(for: h.state, arrivalNow: lastArrival + 0.7, sourceIsLive: true) - 10.7) < 1e-9)
        #expect(AlarmEngine.clock(for: h.state, arrivalNow: lastArrival + 0.7, sourceIsLive: false) == 10)
        tick(&h, lastArrival + 1.0)
        #expect(h.alarm("TELEMETRY.LOST") == nil, "1 s exactly is not more than 1 s")
        tick(&h, lastArrival + 1.2)
        let lost = h.alarm("TELEMETRY.LOST")
        #expect(lost?.priority == .high)
        #expect(lost?.message == "no telemetry for 1.2 s (> 1 s)")
        #expect(abs((lost?.raisedAt ?? 0) - 11.2) < 1e-9)
        tick(&h, lastArrival + 30)
        #expect(h.alarm("TELEMETRY.LOST")?.message == "no telemetry for 30.0 s (> 1 s)")
        #expect(h.engine.now == 40)
        // Frames come back (the gateway resumed with its own clock): the first one clears the
        // alarm, with no clear-after delay ("no telemetry" must not stay listed while data flows).
        h.state.apply(Frame(t: 40.5, body: linkBody(rtt: 50)), arrival: lastArrival + 30.5)
        tick(&h, lastArrival + 30.5)
        #expect(h.alarm("TELEMETRY.LOST") == nil)
        h.state.apply(Frame(t: 42.6, body: linkBody(rtt: 50)), arrival: lastArrival + 32.6)
        tick(&h, lastArrival + 32.6)
        #expect(h.alarm("TELEMETRY.LOST") == nil)
        #expect(h.actions("TELEMETRY.LOST") == [.raise, .clear])
        #expect(h.engine.history.first { $0.id == "TELEMETRY.LOST" }?.peakValue == 30)
    }

    @Test("a replayed recording never raises TELEMETRY.LOST, however long the gap")
    func noTelemetryLostInReplay() {
        var h = AlarmHarness()
        h.run(from: 0, to: 2) { _ in linkBody(rtt: 50) }
        h.evaluate(at: 2, arrival: h.arrivalOffset + 500)
        #expect(h.ids.isEmpty)
    }

    @Test("sequence gaps that recur (3 within 10 s) raise TELEMETRY.SEQ_GAPS, low; the rule is configurable")
    func sequenceGaps() {
        var h = AlarmHarness()
        var seq = 0
        func frame(_ h: inout AlarmHarness, _ t: Double, skip: Int = 0) {
            seq += 1 + skip
            h.feed(linkBody(rtt: 50), at: t, seq: seq)
        }
        frame(&h, 1)
        frame(&h, 2, skip: 3)
        frame(&h, 8, skip: 1)
        #expect(h.alarm("TELEMETRY.SEQ_GAPS") == nil, "two gaps")
        frame(&h, 13, skip: 1)
        #expect(h.alarm("TELEMETRY.SEQ_GAPS") == nil, "the first gap is more than 10 s old")
        frame(&h, 14, skip: 2)
        let gaps = h.alarm("TELEMETRY.SEQ_GAPS")
        #expect(gaps?.priority == .low)
        #expect(gaps?.message == "3 sequence gaps within 10 s (≥ 3)")
        #expect(h.state.counters.sequenceGaps == 4)
        frame(&h, 18)
        #expect(h.alarm("TELEMETRY.SEQ_GAPS") != nil)
        frame(&h, 18.5)
        frame(&h, 20.5)
        #expect(h.alarm("TELEMETRY.SEQ_GAPS") == nil, "below 3 gaps from t=18, cleared 2 s later")

        var settings = AlarmSettings.defaults
        settings.gapCount = 1
        var g = AlarmHarness(settings: settings)
        seq = 0
        frame(&g, 1)
        frame(&g, 2, skip: 1)
        #expect(g.alarm("TELEMETRY.SEQ_GAPS")?.message == "1 sequence gaps within 10 s (≥ 1)")
    }

    @Test("thresholds come from the settings")
    func customThresholds() {
        var settings = AlarmSettings.defaults
        settings.rttMs = .init(low: 150, medium: 250, high: 400)
        settings.sustainSeconds = 0
        var h = AlarmHarness(settings: settings)
        h.feed(linkBody(rtt: 140), at: 1)
        #expect(h.ids.isEmpty)
        h.feed(linkBody(rtt: 260), at: 2)
        #expect(h.alarm("LINK.primary.RTT")?.message == "primary round trip 260 ms ≥ 250 ms", "sustain 0 raises at once")
    }
}
