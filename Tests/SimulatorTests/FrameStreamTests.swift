import Testing
import Simulator
import Telemetry

@Suite("Frame stream")
struct FrameStreamTests {
    @Test("the first frame is the session frame at t = 0 with the declared arms")
    func firstFrameIsSession() throws {
        var simulator = SessionSimulator(options: SimulatorOptions())
        let first = simulator.next()
        #expect(first.t == 0)
        #expect(first.seq == 1)
        guard case .session(let info) = first.body else {
            Issue.record("first frame is \(first.typeName), not session")
            return
        }
        #expect(info == simulator.session)
        #expect(info.version == 1)
        #expect(info.id == "SIM-0001")
        #expect(info.arms.map(\.id) == ["PSM1", "PSM2", "PSM3", "ECM"])
        #expect(info.arms.map(\.kind) == [.psm, .psm, .psm, .ecm])
        #expect(info.arms[0].joints == DVRKArms.psm)
        #expect(info.arms[3].joints == DVRKArms.ecm)
    }

    @Test("masters are declared when asked for, each with its own dVRK limits")
    func mastersDeclared() {
        let simulator = SessionSimulator(options: SimulatorOptions(includeMasters: true))
        let arms = simulator.session.arms
        #expect(arms.map(\.id) == ["PSM1", "PSM2", "PSM3", "ECM", "MTML", "MTMR"])
        #expect(arms[4].kind == .mtm && arms[5].kind == .mtm)
        #expect(arms[4].joints == DVRKArms.mtml)
        #expect(arms[5].joints == DVRKArms.mtmr)
        #expect(arms[4].joints.count == 7)
    }

    @Test("session ids come from the seed unless one is given")
    func sessionIDs() {
        #expect(SessionSimulator(options: SimulatorOptions(seed: 7)).session.id == "SIM-0007")
        #expect(SessionSimulator(options: SimulatorOptions(seed: 123_456)).session.id == "SIM-123456")
        #expect(SessionSimulator(options: SimulatorOptions(sessionID: "OR3-20261124-01")).session.id == "OR3-20261124-01")
    }

    @Test("time never goes backwards and seq counts every frame from 1")
    func orderAndSequence() {
        let frames = simulate(SimulatorOptions(seed: 11, includeMasters: true), seconds: 120)
        for (previous, frame) in zip(frames, frames.dropFirst()) {
            #expect(frame.t >= previous.t)
            #expect(frame.seq == previous.seq.map { $0 + 1 })
        }
        #expect(frames.first?.seq == 1)
        #expect(frames.dropFirst().allSatisfy { $0.typeName != .session })
    }

    @Test("within one instant: links, then arms in declaration order, then instruments, alarms, events")
    func fixedOrderWithinAnInstant() {
        let frames = simulate(SimulatorOptions(seed: 4, includeMasters: true), seconds: 600).dropFirst()
        let armOrder = ["PSM1", "PSM2", "PSM3", "ECM", "MTML", "MTMR"]
        func rank(_ frame: Frame) -> Int {
            switch frame.body {
            case .session, .sync: 0  // the simulator never emits sync; a server sends it per client
            case .link(let l): l.path == "primary" ? 10 : 11
            case .arm(let a): 20 + (armOrder.firstIndex(of: a.arm) ?? 9)
            case .instrument: 30
            case .alarm: 40
            case .event: 50
            }
        }
        var misordered = 0
        for (previous, frame) in zip(frames, frames.dropFirst()) where frame.t == previous.t {
            if rank(frame) < rank(previous) { misordered += 1 }
        }
        #expect(misordered == 0)
    }

    @Test("a 250 Hz arm rate gives 250 frames per arm per second at exact tick times")
    func armRate() {
        let rate = 250.0
        let frames = simulate(SimulatorOptions(seed: 2, armRateHz: rate), seconds: 10)
        for id in ["PSM1", "PSM2", "PSM3", "ECM"] {
            let times = frames.arm(id).map(\.t)
            for second in 0..<10 {
                let count = times.filter { $0 >= Double(second) && $0 < Double(second + 1) }.count
                #expect(count == 250, "\(id) sent \(count) frames in second \(second)")
            }
            #expect(times.enumerated().allSatisfy { $0.element == Double($0.offset) / rate })
        }
    }

    @Test("each path sends one link frame per link tick")
    func linkRate() {
        let frames = simulate(SimulatorOptions(seed: 2, armRateHz: 50, linkRateHz: 4), seconds: 30)
        for path in ["primary", "backup"] {
            let times = frames.links(path).map(\.t)
            #expect(times.count == 121)
            #expect(times.enumerated().allSatisfy { $0.element == Double($0.offset) / 4 })
        }
    }

    @Test("frames(through:) stops exactly at the given time and time reports the last frame")
    func framesThrough() {
        var simulator = SessionSimulator(options: SimulatorOptions(seed: 3))
        let frames = simulator.frames(through: 5)
        #expect(frames.last?.t == 5)
        #expect(simulator.time == 5)
        #expect(simulator.nextTime > 5)
        let following = simulator.next()
        #expect(following.t > 5)
        #expect(following.seq == frames.count + 1)
        #expect(simulator.sessionFrame.t == following.t)
        #expect(simulator.sessionFrame.body == .session(simulator.session))
        #expect(simulator.sessionFrame.seq == nil)
    }

    @Test("every number on the wire is finite and no zero prints as -0")
    func encodesCleanly() {
        let frames = simulate(SimulatorOptions(seed: 8, includeMasters: true), seconds: 60)
        let encoder = FrameEncoder()
        for frame in frames {
            let line = encoder.encode(frame)
            #expect(!line.contains("null") || line.contains("\"tool\":null"), "\(line)")
            #expect(!line.contains("-0,") && !line.contains("-0]"), "\(line)")
        }
    }
}
