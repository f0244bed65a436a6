import Testing
import Telemetry
@testable import SessionCore

@Suite("Alarm engine: device alarms, latching and acknowledgement")
struct AlarmDeviceTests {
    @Test("device alarms are mirrored by id with the sender's priority and text, and go when cleared")
    func deviceRaiseAndClear() {
        var h = AlarmHarness()
        h.feed(deviceAlarm("PSM1.COLLISION", .raised, .medium, message: "Instrument collision detected", source: "PSM1"), at: 4.2)
        let alarm = h.alarm("PSM1.COLLISION")
        #expect(alarm == ActiveAlarm(id: "PSM1.COLLISION", origin: .device, priority: .medium,
                                     message: "Instrument collision detected", raisedAt: 4.2, source: "PSM1"))
        #expect(alarm?.flashing == true)
        h.feed(deviceAlarm("PSM1.COLLISION", .raised, .low, message: "Collision easing"), at: 5)
        #expect(h.alarm("PSM1.COLLISION")?.priority == .low, "the robot de-escalates it: in place, at once")
        #expect(h.alarm("PSM1.COLLISION")?.message == "Collision easing")
        #expect(h.alarm("PSM1.COLLISION")?.raisedAt == 4.2)
        h.feed(deviceAlarm("PSM1.COLLISION", .cleared), at: 6)
        #expect(h.ids.isEmpty, "a medium or low device alarm goes when the robot clears it")
        #expect(h.actions("PSM1.COLLISION") == [.raise, .deescalate, .clear])
        #expect(h.log("PSM1.COLLISION").first?.text == "t=4.2  RAISE  ** PSM1.COLLISION  Instrument collision detected")
        #expect(h.log("PSM1.COLLISION").first?.origin == .device)
    }

    @Test("a high device alarm cleared by the robot stays listed, latched, until acknowledged")
    func highDeviceAlarmsLatch() {
        var h = AlarmHarness()
        h.feed(deviceAlarm("PSM2.ENCODER_MISMATCH", .raised, .high, message: "Encoder and potentiometer disagree"), at: 10)
        h.feed(deviceAlarm("PSM2.ENCODER_MISMATCH", .cleared), at: 12)
        let latched = h.alarm("PSM2.ENCODER_MISMATCH")
        #expect(latched?.latched == true)
        #expect(latched?.acknowledged == false)
        #expect(latched?.flashing == true)
        #expect(h.engine.highestPriority == .high, "the header counts latched alarms")
        #expect(h.actions("PSM2.ENCODER_MISMATCH") == [.raise, .latch])
        h.evaluate(at: 100)
        #expect(h.alarm("PSM2.ENCODER_MISMATCH")?.latched == true, "however long")

        let r1 = h.engine.acknowledge(id: "PSM2.ENCODER_MISMATCH", at: 101)
        #expect(r1)
        h.entries += h.engine.drainLog()
        #expect(h.ids.isEmpty, "acknowledged: it goes")
        #expect(h.engine.highestPriority == nil)
        #expect(h.actions("PSM2.ENCODER_MISMATCH") == [.raise, .latch, .acknowledge])
        #expect(h.log("PSM2.ENCODER_MISMATCH").last?.time == 101)
        let record = h.history(of: "PSM2.ENCODER_MISMATCH")
        #expect(record?.duration == 2, "from the robot's raise to its clear")
        #expect(record?.isOpen == false)
    }

    @Test("a high device alarm acknowledged while active goes when cleared; one raised again while latched un-latches")
    func acknowledgedHighDoesNotLatch() {
        var h = AlarmHarness()
        h.feed(deviceAlarm("ARM.E_STOP", .raised, .high), at: 1)
        h.engine.acknowledge(id: "ARM.E_STOP", at: 1.5)
        #expect(h.alarm("ARM.E_STOP")?.acknowledged == true)
        #expect(h.alarm("ARM.E_STOP")?.message == "ARM.E_STOP", "no text: the id")
        h.feed(deviceAlarm("ARM.E_STOP", .cleared), at: 2)
        #expect(h.ids.isEmpty)

        h.feed(deviceAlarm("ARM.E_STOP", .raised, .high), at: 3)
        h.feed(deviceAlarm("ARM.E_STOP", .cleared), at: 4)
        #expect(h.alarm("ARM.E_STOP")?.latched == true)
        h.feed(deviceAlarm("ARM.E_STOP", .raised, .high), at: 5)
        #expect(h.alarm("ARM.E_STOP")?.latched == false)
        #expect(h.alarm("ARM.E_STOP")?.raisedAt == 5)
        #expect(h.actions("ARM.E_STOP") == [.raise, .acknowledge, .clear, .raise, .latch, .raise])
        #expect(h.history(of: "ARM.E_STOP")?.raises == 3)
    }

    @Test("acknowledging stops the flashing; the alarm stays listed while its condition lasts; escalation un-acknowledges")
    func acknowledgement() {
        var h = AlarmHarness()
        h.run(from: 0, to: 1) { _ in linkBody(rtt: 250) }
        #expect(h.alarm("LINK.primary.RTT")?.flashing == true)
        let r2 = h.engine.acknowledge(id: "LINK.primary.RTT", at: 1.5)
        #expect(r2)
        let r3 = h.engine.acknowledge(id: "LINK.primary.RTT", at: 1.6)
        #expect(!r3, "already acknowledged")
        let r4 = h.engine.acknowledge(id: "NO.SUCH", at: 1.6)
        #expect(!r4)
        h.entries += h.engine.drainLog()
        let acked = h.alarm("LINK.primary.RTT")
        #expect(acked?.acknowledged == true)
        #expect(acked?.flashing == false)
        #expect(h.engine.highestPriority == .medium, "acknowledged alarms still count in the header")
        #expect(h.log("LINK.primary.RTT").last?.text == "t=1.5  ACK  ** LINK.primary.RTT  primary round trip 250 ms ≥ 200 ms (1 s mean)")

        h.run(from: 1.1, to: 5) { _ in linkBody(rtt: 250) }
        #expect(h.alarm("LINK.primary.RTT")?.acknowledged == true, "stays acknowledged while it lasts")
        h.run(from: 5.1, to: 6.1) { _ in linkBody(rtt: 350) }
        #expect(h.alarm("LINK.primary.RTT")?.priority == .high)
        #expect(h.alarm("LINK.primary.RTT")?.acknowledged == false, "an escalation needs a new acknowledgement")
        h.engine.acknowledge(id: "LINK.primary.RTT", at: 6.2)
        h.run(from: 6.3, to: 9) { _ in linkBody(rtt: 250) }
        #expect(h.alarm("LINK.primary.RTT")?.priority == .medium)
        #expect(h.alarm("LINK.primary.RTT")?.acknowledged == true, "a de-escalation keeps the acknowledgement")
        h.run(from: 9.1, to: 12) { _ in linkBody(rtt: 50) }
        h.run(from: 12.1, to: 14) { _ in linkBody(rtt: 250) }
        #expect(h.alarm("LINK.primary.RTT")?.acknowledged == false, "raised anew after clearing")
    }

    @Test("acknowledge all acknowledges every listed alarm and removes latched ones")
    func acknowledgeAll() {
        var h = AlarmHarness()
        h.feed(deviceAlarm("A.HIGH", .raised, .high), at: 1)
        h.feed(deviceAlarm("A.HIGH", .cleared), at: 1.5)
        h.feed(deviceAlarm("B.LOW", .raised, .low), at: 2)
        h.run(from: 2, to: 3) { _ in linkBody(rtt: 150) }
        let r5 = h.engine.acknowledgeAll(at: 4)
        #expect(r5 == 3)
        #expect(h.ids.sorted() == ["B.LOW", "LINK.primary.RTT"])
        #expect(h.engine.alarms.allSatisfy { $0.acknowledged })
        #expect(!h.engine.hasUnacknowledged)
        let r6 = h.engine.acknowledgeAll(at: 5)
        #expect(r6 == 0)
    }

    @Test("flash phases: high about 2 Hz, medium about 0.6 Hz, half lit; low steady")
    func flashPhases() {
        #expect(AlarmEngine.isLitPhase(priority: .high, at: 0.1))
        #expect(!AlarmEngine.isLitPhase(priority: .high, at: 0.3))
        #expect(AlarmEngine.isLitPhase(priority: .high, at: 0.6))
        #expect(AlarmEngine.isLitPhase(priority: .medium, at: 0.5))
        #expect(!AlarmEngine.isLitPhase(priority: .medium, at: 1.0))
        #expect(AlarmEngine.isLitPhase(priority: .medium, at: 1.7))
        #expect(AlarmEngine.isLitPhase(priority: .low, at: 0.3))
        #expect(AlarmEngine.isLitPhase(priority: .low, at: 1.0))
        let lit = (0..<1000).filter { AlarmEngine.isLitPhase(priority: .high, at: Double($0) / 100) }.count
        #expect(lit == 500)
    }

    @Test("wire text is stripped of control characters in the log line")
    func logTextIsSanitised() {
        var h = AlarmHarness()
        h.feed(deviceAlarm("X.\u{1B}[2J", .raised, .low, message: "bad\u{07}text"), at: 1)
        #expect(h.entries.last?.text == "t=1.0  RAISE  * X.  badtext")
    }
}
