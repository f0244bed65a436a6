import Testing
import Telemetry
@testable import SessionCore

let psm = ArmDescriptor(id: "PSM1", kind: .psm, joints: [
    JointDescriptor(name: "yaw", unit: .rad, min: -1.588, max: 1.588, effortMax: 3.3),
    JointDescriptor(name: "insertion", unit: .m, min: 0, max: 0.24, effortMax: 9.9),
])
let ecm = ArmDescriptor(id: "ECM", kind: .ecm, joints: [])

func session(t: Double = 0, arms: [ArmDescriptor] = [psm, ecm]) -> Frame {
    Frame(t: t, body: .session(SessionInfo(id: "OR3", procedure: "Cholecystectomy", surgeonSite: "Shanghai", patientSite: "Strasbourg", distanceKm: 9200, arms: arms)))
}

func stateAfter(_ frames: [Frame], arrivalStep: Double = 0.01) -> SessionState {
    var state = SessionState()
    for (k, frame) in frames.enumerated() { state.apply(frame, arrival: 100 + Double(k) * arrivalStep) }
    return state
}

@Suite("Session state reducer")
struct ReducerTests {
    @Test("the session frame declares the arms in order, with the descriptor's names, units and limits")
    func sessionDeclaresArms() {
        let state = stateAfter([session()])
        #expect(state.info?.id == "OR3")
        #expect(state.arms.map(\.id) == ["PSM1", "ECM"])
        #expect(state.arm("PSM1")?.descriptor.joints[1].unit == .m)
        #expect(state.arm("PSM1")?.positionHistory.count == 2)
    }

    @Test("arm frames update CRTK state, joints, Cartesian data and the stream's stamp")
    func armFrames() {
        let state = stateAfter([
            session(),
            Frame(t: 1, body: .arm(ArmSample(arm: "PSM1", state: .enabled, homed: true, following: true, position: [0.1, 0.05], velocity: [0, 0.01], effort: [1, 2]))),
            Frame(t: 2, body: .arm(ArmSample(arm: "PSM1", following: false, twist: [0.03, 0.04, 0, 0, 0, 0], jaw: 0.5))),
        ])
        let arm = state.arm("PSM1")!
        #expect(arm.state == .enabled)
        #expect(arm.homed == true)
        #expect(arm.following == false, "a later frame's field replaces the earlier one")
        #expect(arm.position == [0.1, 0.05], "a field absent from a frame keeps its last value")
        #expect(arm.jaw == 0.5)
        #expect(abs(arm.tipSpeed! - 0.05) < 1e-12)
        #expect(arm.lastUpdate == Stamp(sessionTime: 2, arrival: 100.02))
        #expect(arm.positionHistory[0].last == TimedValue(t: 1, value: 0.1))
    }

    @Test("link metrics are kept per path with their history, and a path going down is timed")
    func links() {
        let state = stateAfter([
            session(),
            Frame(t: 1, body: .link(LinkSample(up: true, rttMs: 110, jitterMs: 3))),
            Frame(t: 1, body: .link(LinkSample(path: "backup", up: true, rttMs: 160))),
            Frame(t: 2, body: .link(LinkSample(up: true, rttMs: 130))),
            Frame(t: 3, body: .link(LinkSample(up: false))),
        ])
        #expect(state.links.map(\.path) == ["primary", "backup"])
        let primary = state.link("primary")!
        #expect(primary.up == false)
        #expect(primary.downSince == 3)
        #expect(primary.latest[.rtt] == 130)
        #expect(primary.latest[.jitter] == 3)
        #expect(primary.history[.rtt]?.points.map(\.value) == [110, 130])
        #expect(state.link("backup")?.latest[.rtt] == 160)
    }

    @Test("instruments: tool null unmounts (and forgets the use count), absent keeps the tool")
    func instruments() {
        var state = stateAfter([session(), Frame(t: 1, body: .instrument(InstrumentSample(arm: "PSM1", tool: .model("LARGE_NEEDLE_DRIVER"), state: .engaged, usesLeft: 7, energy: EnergyMode.none, energyActive: false)))])
        #expect(state.instrument(on: "PSM1")?.tool == "LARGE_NEEDLE_DRIVER")
        state.apply(Frame(t: 2, body: .instrument(InstrumentSample(arm: "PSM1", energyActive: true))), arrival: 200)
        #expect(state.instrument(on: "PSM1")?.tool == "LARGE_NEEDLE_DRIVER")
        #expect(state.instrument(on: "PSM1")?.energyActive == true)
        state.apply(Frame(t: 3, body: .instrument(InstrumentSample(arm: "PSM1", tool: .none, state: InstrumentState.none))), arrival: 201)
        #expect(state.instrument(on: "PSM1")?.tool == nil)
        // An empty arm shows no use count: the removed instrument's is not the arm's.
        #expect(state.instrument(on: "PSM1")?.usesLeft == nil)
    }

    @Test("another instrument mounted does not inherit the last one's use count")
    func newInstrumentUses() {
        var state = stateAfter([session(), Frame(t: 1, body: .instrument(InstrumentSample(arm: "PSM1", tool: .model("MARYLAND_BIPOLAR_FORCEPS"), state: .engaged, usesLeft: 3)))])
        state.apply(Frame(t: 2, body: .instrument(InstrumentSample(arm: "PSM1", tool: .model("LARGE_NEEDLE_DRIVER"), state: .inserted))), arrival: 200)
        #expect(state.instrument(on: "PSM1")?.usesLeft == nil)
        state.apply(Frame(t: 3, body: .instrument(InstrumentSample(arm: "PSM1", tool: .model("LARGE_NEEDLE_DRIVER"), usesLeft: 10))), arrival: 201)
        #expect(state.instrument(on: "PSM1")?.usesLeft == 10)
        // The same model again (a periodic repeat) keeps the count it has.
        state.apply(Frame(t: 4, body: .instrument(InstrumentSample(arm: "PSM1", tool: .model("LARGE_NEEDLE_DRIVER")))), arrival: 202)
        #expect(state.instrument(on: "PSM1")?.usesLeft == 10)
    }

    @Test("device alarms are raised and cleared by id; a re-raise updates in place")
    func deviceAlarms() {
        var state = stateAfter([
            session(),
            Frame(t: 4, body: .alarm(AlarmReport(id: "PSM1.COLLISION", state: .raised, priority: .medium, source: "PSM1", message: "collision"))),
            Frame(t: 5, body: .alarm(AlarmReport(id: "ECM.FAULT", state: .raised, priority: .high))),
            Frame(t: 6, body: .alarm(AlarmReport(id: "PSM1.COLLISION", state: .raised, priority: .high))),
        ])
        #expect(state.deviceAlarms.map(\.id) == ["PSM1.COLLISION", "ECM.FAULT"])
        #expect(state.deviceAlarms[0].priority == .high)
        #expect(state.deviceAlarms[0].raisedAt == 4)
        #expect(state.deviceAlarms[0].message == "collision")
        state.apply(Frame(t: 7, body: .alarm(AlarmReport(id: "PSM1.COLLISION", state: .cleared))), arrival: 300)
        #expect(state.deviceAlarms.map(\.id) == ["ECM.FAULT"])
    }

    @Test("counters: frames by type, bad lines with their reasons, unknown types, out-of-order frames, sequence gaps")
    func counters() {
        var state = SessionState()
        state.apply(.frame(Frame(t: 0, seq: 1, body: session().body)), arrival: 0)
        state.apply(.frame(Frame(t: 2, seq: 2, body: .event(EventNote(kind: "a")))), arrival: 0)
        state.apply(.frame(Frame(t: 1, seq: 3, body: .event(EventNote(kind: "b")))), arrival: 0)
        state.apply(.frame(Frame(t: 3, seq: 7, body: .event(EventNote(kind: "c")))), arrival: 0)
        state.apply(.unknownType("haptics"), arrival: 0)
        state.apply(.error(DecodeError(line: 9, kind: .syntax, reason: "bad")), arrival: 0)
        #expect(state.counters.frames(of: .event) == 3)
        #expect(state.counters.frames(of: .session) == 1)
        #expect(state.counters.outOfOrder == 1)
        #expect(state.counters.sequenceGaps == 1)
        #expect(state.counters.missingFrames == 3)
        #expect(state.counters.unknownTypes == 1)
        #expect(state.counters.badLines == 1)
        #expect(state.recentErrors.last?.line == 9)
        #expect(state.sessionTime == 3, "session time is the greatest t seen")
        #expect(state.events.map(\.kind) == ["a", "b", "c"])
    }

    @Test("a restarted source does not count the new sequence as a gap")
    func restart() {
        var state = SessionState()
        // Without the restart, t going 10 -> 0 is out of order and seq 1 -> 500 a gap.
        state.apply(Frame(t: 10, seq: 1, body: session().body), arrival: 0)
        state.sourceRestarted()
        state.apply(Frame(t: 0, seq: 500, body: session().body), arrival: 1)
        #expect(state.counters.sequenceGaps == 0)
        #expect(state.counters.outOfOrder == 0)
        state.apply(Frame(t: 1, seq: 502, body: session().body), arrival: 2)
        #expect(state.counters.sequenceGaps == 1, "after the restart, counting goes on from the new sequence")
    }

    @Test("a repeated session frame keeps the history of arms declared again with the same joints")
    func redeclareKeepsHistory() {
        let state = stateAfter([
            session(),
            Frame(t: 1, body: .arm(ArmSample(arm: "PSM1", position: [0.1, 0.05]))),
            session(t: 2, arms: [psm]),
        ])
        #expect(state.arms.map(\.id) == ["PSM1"])
        #expect(state.arm("PSM1")?.position == [0.1, 0.05])
        #expect(state.arm("ECM") == nil)
    }

    @Test("staleness: each stream's age is measured from its own last arrival")
    func staleness() {
        let state = stateAfter([session(), Frame(t: 1, body: .link(LinkSample(rttMs: 100))), Frame(t: 1.2, body: .arm(ArmSample(arm: "PSM1", homed: true)))], arrivalStep: 0.5)
        // Arrivals: session 100.0, link 100.5, arm 101.0.
        #expect(SessionState.age(of: state.link("primary")?.lastUpdate, now: 101.9) == 1.4000000000000057)
        #expect(SessionState.age(of: state.arm("PSM1")?.lastUpdate, now: 101.9)! < 1)
        #expect(SessionState.age(of: state.arm("ECM")?.lastUpdate, now: 101.9) == nil, "a stream that never updated has no age")
    }

    @Test("arrival rate counts frames per second of arrival time")
    func rate() {
        var meter = RateMeter()
        for k in 0..<300 { meter.record(at: 10 + Double(k) / 100) }  // 100 per second for 3 s
        #expect(meter.rate(at: 13.0) == 100)
        #expect(meter.rate(at: 20) == 0, "no frames for seconds: the rate falls to zero")
    }
}

@Suite("Bounded history")
struct HistoryTests {
    @Test("a time series keeps at most its capacity, oldest dropped first")
    func capacity() {
        var series = TimeSeries(capacity: 3, interval: 0)
        for k in 0..<5 { series.append(t: Double(k), value: Double(k)) }
        #expect(series.points.map(\.value) == [2, 3, 4])
    }

    @Test("samples in the same bucket replace each other, so a fast stream keeps a fixed rate of points")
    func buckets() {
        var series = TimeSeries(capacity: 100, interval: 0.1)
        for k in 0..<1000 { series.append(t: Double(k) / 1000, value: Double(k)) }  // 1 s at 1 kHz
        #expect(series.points.count == 10)
        #expect(series.last?.value == 999)
    }

    @Test("joint history stays at its capacity over a long fast session")
    func jointHistoryBounded() {
        var state = SessionState(limits: HistoryLimits(jointCapacity: 50, jointInterval: 0.1))
        state.apply(session(), arrival: 0)
        for k in 0..<20_000 {
            let t = Double(k) / 500
            state.apply(Frame(t: t, body: .arm(ArmSample(arm: "PSM1", position: [sin(t), 0.1]))), arrival: t)
        }
        #expect(state.arm("PSM1")?.positionHistory[0].points.count == 50)
        #expect(state.arm("PSM1")?.positionHistory[0].points.last?.t == 19_999.0 / 500, "the newest point is kept")
    }
}

#if canImport(Glibc)
import Glibc
#endif
