import Testing
import Telemetry
@testable import SessionCore

/// Calls `bellsDue` every 0.1 s over [from, to] and returns the times (and counts) it rang.
private func bells(_ h: inout AlarmHarness, from: Double, to: Double) -> [(t: Double, n: Int)] {
    var out: [(t: Double, n: Int)] = []
    var k = 0
    while true {
        let t = ((from + Double(k) * 0.1) * 1000).rounded() / 1000
        if t > to + 1e-9 { break }
        let n = h.engine.bellsDue(at: t)
        if n > 0 { out.append((t, n)) }
        k += 1
    }
    h.entries += h.engine.drainLog()
    return out
}

private func flat(_ rings: [(t: Double, n: Int)]) -> [Double] { rings.map(\.t) }

@Suite("Alarm engine: audio")
struct AlarmAudioTests {
    @Test("high: a burst of 3 bells when raised, repeated every 10 s")
    func highRepeats() {
        var h = AlarmHarness()
        h.feed(armBody(state: .fault), at: 1)
        let rings = bells(&h, from: 1, to: 35)
        #expect(flat(rings) == [1, 11, 21, 31])
        #expect(rings.allSatisfy { $0.n == 3 })
    }

    @Test("medium: 2 bells when raised, again every 25 s")
    func mediumRepeats() {
        var h = AlarmHarness()
        h.feed(deviceAlarm("PSM1.COLLISION", .raised, .medium), at: 1)
        let rings = bells(&h, from: 1, to: 60)
        #expect(flat(rings) == [1, 26, 51])
        #expect(rings.allSatisfy { $0.n == 2 })
    }

    @Test("low: one bell, once, when raised")
    func lowOnce() {
        var h = AlarmHarness()
        h.feed(deviceAlarm("ECM.LIGHT_SOURCE", .raised, .low), at: 1)
        let rings = bells(&h, from: 1, to: 100)
        #expect(flat(rings) == [1])
        #expect(rings.first?.n == 1)
    }

    @Test("only the highest unacknowledged priority sounds; a new alarm at that priority rings at once")
    func highestSounds() {
        var h = AlarmHarness()
        h.feed(deviceAlarm("A", .raised, .medium), at: 1)
        let r7 = h.engine.bellsDue(at: 1)
        #expect(r7 == 2)
        h.feed(deviceAlarm("B", .raised, .high), at: 3)
        let r8 = h.engine.bellsDue(at: 3)
        #expect(r8 == 3, "escalated sound at once")
        h.feed(deviceAlarm("C", .raised, .low), at: 4)
        let r9 = h.engine.bellsDue(at: 4)
        #expect(r9 == 0, "a low alarm under a high one adds no bell")
        h.feed(deviceAlarm("D", .raised, .high), at: 5)
        let r10 = h.engine.bellsDue(at: 5)
        #expect(r10 == 3, "a new high alarm rings at once")
        let r11 = h.engine.bellsDue(at: 14.9)
        #expect(r11 == 0)
        let r12 = h.engine.bellsDue(at: 15)
        #expect(r12 == 3)
        // Acknowledge the highs: the medium takes over, quietly until its own interval.
        h.engine.acknowledge(id: "B", at: 16)
        h.engine.acknowledge(id: "D", at: 16)
        let r13 = h.engine.bellsDue(at: 16)
        #expect(r13 == 0)
        let r14 = h.engine.bellsDue(at: 40.9)
        #expect(r14 == 0)
        let r15 = h.engine.bellsDue(at: 41)
        #expect(r15 == 2)
        h.engine.acknowledgeAll(at: 42)
        let r16 = bells(&h, from: 42, to: 200)
        #expect(r16.isEmpty, "acknowledged alarms do not sound")
    }

    @Test("pausing the audio silences it for 120 s with a countdown, then the bell resumes")
    func pause() {
        var h = AlarmHarness()
        h.feed(armBody(state: .fault), at: 1)
        let r17 = h.engine.bellsDue(at: 1)
        #expect(r17 == 3)
        h.engine.pauseAudio(at: 2)
        #expect(h.engine.audioPausedUntil == 122)
        #expect(h.engine.audioPauseRemaining(at: 30) == 92)
        let r18 = bells(&h, from: 2, to: 121.9)
        #expect(r18.isEmpty)
        let r19 = h.engine.bellsDue(at: 122)
        #expect(r19 == 3, "the pause ends, the alarm sounds again")
        #expect(h.engine.audioPausedUntil == nil)
        #expect(h.engine.audioPauseRemaining(at: 122) == nil)
        h.entries += h.engine.drainLog()
        let audio = h.entries.filter { $0.id == nil }
        #expect(audio.map(\.text) == ["t=2.0  AUDIO-PAUSE  audio paused for 120 s",
                                      "t=122.0  AUDIO-RESUME  audio pause of 120 s ended"])
    }

    @Test("a new alarm of higher priority than every listed one breaks through the pause; others do not")
    func breakThrough() {
        var h = AlarmHarness()
        h.feed(deviceAlarm("A", .raised, .medium), at: 1)
        h.engine.pauseAudio(at: 2)
        h.feed(deviceAlarm("B", .raised, .medium), at: 3)
        #expect(h.engine.audioPausedUntil != nil, "not higher than the medium already listed")
        let r20 = h.engine.bellsDue(at: 3)
        #expect(r20 == 0)
        h.feed(deviceAlarm("C", .raised, .high, message: "Emergency stop"), at: 4)
        #expect(h.engine.audioPausedUntil == nil)
        let r21 = h.engine.bellsDue(at: 4)
        #expect(r21 == 3)
        #expect(h.entries.last?.text == "t=4.0  AUDIO-BREAK  *** C  audio pause ended by a new high-priority alarm")

        // A derived alarm escalating above everything listed breaks through too.
        var g = AlarmHarness()
        g.run(from: 0, to: 2) { _ in linkBody(rtt: 150) }
        g.engine.pauseAudio(at: 2)
        g.run(from: 2.1, to: 3.1) { _ in linkBody(rtt: 250) }
        #expect(g.engine.audioPausedUntil == nil)
        #expect(g.actions("LINK.primary.RTT") == [.raise, .escalate, .audioBreakThrough])
        let r22 = g.engine.bellsDue(at: 3.1)
        #expect(r22 == 2)
    }

    @Test("alarms raised during a pause stay silent; resumeAudio ends the pause early")
    func resume() {
        var h = AlarmHarness()
        h.engine.pauseAudio(at: 0.5)
        h.feed(deviceAlarm("A", .raised, .low), at: 1)
        #expect(h.engine.audioPausedUntil == nil, "with nothing listed, any new alarm is the highest: it breaks through")
        let r23 = h.engine.bellsDue(at: 1)
        #expect(r23 == 1)
        h.feed(deviceAlarm("B", .raised, .medium), at: 2)
        let r24 = h.engine.bellsDue(at: 2)
        #expect(r24 == 2)
        h.engine.pauseAudio(at: 3)
        h.feed(deviceAlarm("C", .raised, .low), at: 4)
        let r25 = h.engine.bellsDue(at: 4)
        #expect(r25 == 0)
        h.engine.resumeAudio(at: 10)
        let r26 = h.engine.bellsDue(at: 10)
        #expect(r26 == 2, "the medium rings again at once")
        h.entries += h.engine.drainLog()
        #expect(h.entries.map(\.action).filter { $0 != .raise } == [.audioPause, .audioBreakThrough, .audioPause, .audioResume])
    }
}
