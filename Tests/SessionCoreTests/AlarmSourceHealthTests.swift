import Telemetry
import Testing
@testable import SessionCore

/// The alarms on the telemetry stream that come from what the driver knows of the source
/// (`SourceHealth`): a connection with no frame yet, a refused format version, dropped samples.
@Suite("Alarm engine: silent connection, refused version, dropped samples")
struct AlarmSourceHealthTests {
    @Test("TELEMETRY.LOST counts from the connection when no frame ever came; only for a live source")
    func lostBeforeAnyFrame() {
        var engine = AlarmEngine()
        let state = SessionState()  // nothing received
        let silent = SourceHealth(silentSince: 50)
        engine.evaluate(state, arrivalNow: 50.9, sourceIsLive: true, source: silent)
        #expect(engine.alarms.isEmpty)
        engine.evaluate(state, arrivalNow: 51.2, sourceIsLive: true, source: silent)
        #expect(engine.alarms.map(\.id) == ["TELEMETRY.LOST"])
        #expect(engine.alarms.first?.priority == .high)
        #expect(engine.alarms.first?.message == "no telemetry for 1.2 s since connecting (> 1 s)")

        var replay = AlarmEngine()
        replay.evaluate(state, arrivalNow: 60, sourceIsLive: false, source: silent)
        #expect(replay.alarms.isEmpty)
        var notConnected = AlarmEngine()
        notConnected.evaluate(state, arrivalNow: 60, sourceIsLive: true, source: SourceHealth())
        #expect(notConnected.alarms.isEmpty, "no connection yet: nothing is lost")
    }

    @Test("before the first frame the clock counts from the connection; then it follows the frames")
    func clockBeforeFrames() {
        var state = SessionState()
        #expect(AlarmEngine.clock(for: state, arrivalNow: 99, sourceIsLive: true) == 0, "not connected: session time")
        #expect(AlarmEngine.clock(for: state, arrivalNow: 99, sourceIsLive: true, source: SourceHealth(silentSince: 60)) == 39)
        state.apply(Frame(t: 3, body: .event(EventNote(kind: "note"))), arrival: 100)
        #expect(AlarmEngine.clock(for: state, arrivalNow: 101.5, sourceIsLive: true, source: SourceHealth(silentSince: 60)) == 4.5)
    }

    /// A connection silent from arrival 100 to 140, evaluated every 0.5 s, then frames from
    /// `firstT` on; returns the engine and the bells rung during the silence.
    func silenceThenFrames(firstT: Double, pauseAt: Double? = nil) -> (engine: AlarmEngine, bells: [Double]) {
        var engine = AlarmEngine()
        var state = SessionState()
        let silent = SourceHealth(silentSince: 100)
        var rung: [Double] = []
        var arrival = 100.0
        while arrival < 140 {
            engine.evaluate(state, arrivalNow: arrival, sourceIsLive: true, source: silent)
            if let p = pauseAt, abs(arrival - p) < 0.01 { engine.pauseAudio(at: engine.now) }
            if engine.bellsDue(at: engine.now) > 0 { rung.append(arrival) }
            arrival += 0.5
        }
        var t = firstT
        while arrival < 150 {
            state.apply(Frame(t: t, body: .link(LinkSample(up: true, rttMs: 50))), arrival: arrival)
            engine.evaluate(state, arrivalNow: arrival, sourceIsLive: true, source: SourceHealth())
            _ = engine.bellsDue(at: engine.now)
            arrival += 0.5
            t += 0.5
        }
        return (engine, rung)
    }

    @Test("a silent connection's TELEMETRY.LOST repeats its high burst every 10 s")
    func silentBellsRepeat() {
        let (_, rung) = silenceThenFrames(firstT: 3600)
        // Raised once more than 1 s (stale_s) has passed: at 101.5 with evaluations every 0.5 s.
        #expect(rung == [101.5, 111.5, 121.5, 131.5], "\(rung)")
    }

    @Test("an audio pause runs out during a silence")
    func pauseRunsOut() {
        var engine = AlarmEngine()
        let silent = SourceHealth(silentSince: 0)
        engine.evaluate(SessionState(), arrivalNow: 2, sourceIsLive: true, source: silent)
        engine.pauseAudio(at: engine.now)
        engine.evaluate(SessionState(), arrivalNow: 62, sourceIsLive: true, source: silent)
        #expect(engine.audioPauseRemaining(at: engine.now) == 60)
        engine.evaluate(SessionState(), arrivalNow: 200, sourceIsLive: true, source: silent)
        #expect(engine.audioPauseRemaining(at: engine.now) == nil)
    }

    @Test("the silence before a stream counts as what it lasted, whatever t the stream starts at",
          arguments: [3600.0, 0.0])
    func silenceDuration(firstT: Double) {
        let (engine, _) = silenceThenFrames(firstT: firstT)
        let lost = engine.history.first { $0.id == "TELEMETRY.LOST" }
        // Raised 1.5 s after connecting (over 1 s stale), cleared when frames came at 140.
        let seconds = lost.map { $0.secondsLow + $0.secondsMedium + $0.secondsHigh } ?? -1
        #expect(abs(seconds - 38.5) < 1e-6, "\(seconds) s")
        #expect(abs((lost?.firstRaised ?? 0) - (firstT - 38.5)) < 1e-6, "raised 38.5 s before the first frame's t")
        #expect(engine.now >= firstT + 9, "the clock follows the stream")
    }

    @Test("TELEMETRY.VERSION is high while a version is refused and clears after clear_after_s")
    func versionAlarm() {
        var h = AlarmHarness()
        h.live = true
        var health = SourceHealth(refusedVersion: 7)
        h.engine.evaluate(h.state, time: 0.5, arrivalNow: h.arrivalOffset + 0.5, sourceIsLive: true, source: health)
        let alarm = h.engine.alarms.first { $0.id == "TELEMETRY.VERSION" }
        #expect(alarm?.priority == .high)
        #expect(alarm?.message == "stream refused: its session frame declares telemetry format version 7; this console reads version 1 only")
        health.refusedVersion = nil
        h.engine.evaluate(h.state, time: 2.0, arrivalNow: h.arrivalOffset + 2.0, sourceIsLive: true, source: health)
        #expect(h.engine.alarms.contains { $0.id == "TELEMETRY.VERSION" }, "clear_after_s not over yet")
        h.engine.evaluate(h.state, time: 4.1, arrivalNow: h.arrivalOffset + 4.1, sourceIsLive: true, source: health)
        #expect(!h.engine.alarms.contains { $0.id == "TELEMETRY.VERSION" })
    }

    @Test("TELEMETRY.DROPPED is medium while drops are recent, with the count")
    func droppedAlarm() {
        var h = AlarmHarness()
        let health = SourceHealth(droppedFrames: 12_345, lastDrop: h.arrivalOffset)
        h.engine.evaluate(h.state, time: 0.2, arrivalNow: h.arrivalOffset + 0.2, sourceIsLive: true, source: health)
        let alarm = h.engine.alarms.first { $0.id == "TELEMETRY.DROPPED" }
        #expect(alarm?.priority == .medium)
        #expect(alarm?.message == "console falling behind: 12345 arm samples dropped so far (the source sends faster than they can be applied)")
        // No drop for over a second: the condition is gone, and clears after clear_after_s.
        h.engine.evaluate(h.state, time: 1.5, arrivalNow: h.arrivalOffset + 1.5, sourceIsLive: true, source: health)
        h.engine.evaluate(h.state, time: 3.6, arrivalNow: h.arrivalOffset + 3.6, sourceIsLive: true, source: health)
        #expect(!h.engine.alarms.contains { $0.id == "TELEMETRY.DROPPED" })
    }

    @Test("StreamOrder takes a dropped run as observed: no gap for it, gaps around and within it still count")
    func streamOrderDroppedRun() {
        func arm(_ t: Double, _ seq: Int?) -> Frame { Frame(t: t, seq: seq, body: .arm(ArmSample(arm: "PSM1"))) }
        var order = StreamOrder()
        order.observe(arm(1, 1))
        order.observeDropped(firstT: 1.1, lastT: 1.9, firstSeq: 2, lastSeq: 9, outOfOrder: 0, sequenceGaps: 0, missingFrames: 0)
        order.observe(arm(2, 10))
        #expect(order.sequenceGaps == 0 && order.missingFrames == 0 && order.outOfOrder == 0)

        // A gap before the run, one inside it (counted by the source), a t that went back.
        order.observeDropped(firstT: 1.5, lastT: 2.5, firstSeq: 13, lastSeq: 20, outOfOrder: 1, sequenceGaps: 1, missingFrames: 2)
        order.observe(arm(2.6, 21))
        #expect(order.sequenceGaps == 2)
        #expect(order.missingFrames == 4)
        #expect(order.outOfOrder == 2)

        // A run without sequence numbers leaves the last one in place.
        order.observeDropped(firstT: 2.7, lastT: 2.8, firstSeq: nil, lastSeq: nil, outOfOrder: 0, sequenceGaps: 0, missingFrames: 0)
        order.observe(arm(2.9, 22))
        #expect(order.sequenceGaps == 2)
    }
}
