import Testing
import Telemetry
import Simulator
@testable import SessionCore

@Suite("Alarm engine: history, reset and a whole simulated session")
struct AlarmHistoryTests {
    @Test("the history keeps, per condition, peak priority, first raise, raises, seconds at each priority and the peak value")
    func history() {
        var h = AlarmHarness()
        // Levels follow the mean of the last second (10 samples): low at 1, medium at 5.2 and
        // high at 5.8 as 320 ms samples replace 150 ms ones; once 50 ms samples come at 10.1 the
        // mean is under 300 from 10.1, under 200 from 10.5 and under 100 from 10.9, so the alarm
        // steps down 2 s after each (12.1 medium, 12.5 low) and clears at 12.9; 210 ms from
        // 20.1 raises low at 20.4 and medium at 21.0.
        h.run(from: 0, to: 10) { t in linkBody(rtt: t < 5 ? 150 : 320) }
        h.run(from: 10.1, to: 20) { _ in linkBody(rtt: 50) }
        h.run(from: 20.1, to: 30) { _ in linkBody(rtt: 210) }
        let record = h.history(of: "LINK.primary.RTT")
        #expect(record?.origin == .derived)
        #expect(record?.peakPriority == .high)
        #expect(record?.firstRaised == 1)
        #expect(record?.raises == 2)
        #expect(abs((record?.secondsLow ?? 0) - 5.2) < 1e-9, "4.2 + 0.4 + 0.6")
        #expect(abs((record?.secondsHigh ?? 0) - 6.3) < 1e-9)
        #expect(abs((record?.secondsMedium ?? 0) - 10) < 1e-9, "0.6 + 0.4 + 9, still open: counted up to the clock")
        #expect(abs((record?.duration ?? 0) - 21.5) < 1e-9)
        #expect(record?.peakValue == 320)
        #expect(record?.peakUnit == "ms")
        #expect(record?.message == "primary round trip 320 ms ≥ 300 ms (1 s mean)")
        #expect(record?.isOpen == true)
        #expect(h.engine.raisesByPriority == [.low: 2])
        #expect(abs(h.engine.seconds(withHighest: .high) - 6.3) < 1e-9)
        #expect(abs(h.engine.history(at: 40).first { $0.id == "LINK.primary.RTT" }!.secondsMedium - 20) < 1e-9)

        // For video and joint limits the peak is the lowest value.
        var g = AlarmHarness()
        g.run(from: 0, to: 3) { t in linkBody(fps: t < 2 ? 20 : 12) }
        #expect(g.history(of: "LINK.primary.VIDEO")?.peakValue == 12)
    }

    @Test("reset forgets everything (a seek), and the engine runs on when session time jumps back")
    func resetOnSeek() {
        var h = AlarmHarness()
        h.run(from: 0, to: 100, step: 1) { _ in linkBody(rtt: 350) }
        h.engine.pauseAudio(at: 100)
        #expect(h.ids == ["LINK.primary.RTT"])
        h.engine.reset()
        #expect(h.engine.alarms.isEmpty)
        #expect(h.engine.history.isEmpty)
        #expect(h.engine.audioPausedUntil == nil)
        #expect(h.engine.now == -.infinity)
        let r27 = h.engine.drainLog()
        #expect(r27.map(\.action) == [.audioPause], "undrained entries survive a reset")
        // Replay from 10 s: a fresh state, as the driver rebuilds it.
        h.state = SessionState()
        h.state.apply(Frame(t: 0, body: .session(SessionInfo(id: "OR3-TEST", arms: [alarmPSM]))), arrival: 0)
        h.run(from: 10, to: 10.9) { _ in linkBody(rtt: 250) }
        #expect(h.ids.isEmpty, "the sustain counts from the seek, not from before it")
        h.feed(linkBody(rtt: 250), at: 11)
        #expect(h.alarm("LINK.primary.RTT")?.raisedAt == 11)
    }

    @Test("without reset, an earlier time is taken as the latest one (the clock never runs backwards)")
    func monotonicClock() {
        var h = AlarmHarness()
        h.run(from: 0, to: 5) { _ in linkBody(rtt: 150) }
        h.evaluate(at: 3)
        #expect(h.engine.now == 5)
        #expect(h.alarm("LINK.primary.RTT") != nil)
    }

    @Test("a simulated session: the engine is deterministic, raises the scripted conditions, and stays small")
    func simulatedSession() {
        func run() -> (log: [String], history: [AlarmRecord]) {
            var sim = SessionSimulator(options: SimulatorOptions(seed: 3))
            var state = SessionState()
            var engine = AlarmEngine()
            var log: [String] = []
            var frame = sim.next()
            var n = 0
            while frame.t < 450 {
                state.apply(frame, arrival: frame.t)
                n += 1
                if n % 4 == 0 || frame.typeName == .alarm {
                    engine.evaluate(state, time: state.sessionTime, arrivalNow: frame.t, sourceIsLive: false)
                }
                if engine.bellsDue(at: state.sessionTime) > 0 { engine.acknowledgeAll(at: state.sessionTime) }
                log += engine.drainLog().map(\.text)
                frame = sim.next()
            }
            return (log, engine.history)
        }
        let first = run()
        let second = run()
        #expect(first.log == second.log)
        let ids = Set(first.history.map(\.id))
        #expect(ids.isSuperset(of: ["LINK.primary.RTT", "LINK.primary.LOSS", "LINK.primary.DOWN", "PSM2.COLLISION"]))
        #expect(first.history.contains { $0.origin == .device })
        #expect(first.history.contains { $0.id.hasSuffix(".LIMIT") })
        #expect(!ids.contains("TELEMETRY.LOST"))
        #expect(first.log.count < 200, "no chatter: \(first.log.count) log lines in 7.5 minutes")
    }
}
