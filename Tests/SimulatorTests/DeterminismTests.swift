import Testing
import Simulator
import Telemetry

@Suite("Determinism")
struct DeterminismTests {
    @Test("the same seed and options give the same frames and the same bytes")
    func sameSeedSameSession() {
        let options = SimulatorOptions(seed: 42, armRateHz: 100, includeMasters: true)
        let first = simulate(options, seconds: 60)
        let second = simulate(options, seconds: 60)
        #expect(first.count > 25_000)
        #expect(first == second)
        let encoder = FrameEncoder()
        #expect(first.map(encoder.encode) == second.map(encoder.encode))
    }

    @Test("frames kept by the caller never change, whether or not the caller keeps them")
    func keptAndDroppedFramesAgree() {
        // The simulator rewrites its arrays in place once a frame has been let go;
        // a kept frame must still read exactly as a dropped one did when it was fresh.
        let options = SimulatorOptions(seed: 9, armRateHz: 250)
        let encoder = FrameEncoder()
        let kept = simulate(options, seconds: 20).map(encoder.encode)
        var simulator = SessionSimulator(options: options)
        var streamed: [String] = []
        while simulator.nextTime <= 20 { streamed.append(encoder.encode(simulator.next())) }
        #expect(kept == streamed)
    }

    @Test("a copied simulator goes on exactly like the original")
    func copiesAreIndependentValues() {
        var original = SessionSimulator(options: SimulatorOptions(seed: 5))
        _ = original.frames(through: 3)
        var copy = original
        let fromOriginal = original.frames(through: 8)
        let fromCopy = copy.frames(through: 8)
        #expect(fromOriginal == fromCopy)
        #expect(!fromOriginal.isEmpty)
    }

    @Test("different seeds give different sessions")
    func differentSeedsDiffer() {
        let one = simulate(SimulatorOptions(seed: 1), seconds: 10)
        let two = simulate(SimulatorOptions(seed: 2), seconds: 10)
        #expect(one != two)
        let armsOne = one.arm("PSM1").map(\.sample.position)
        let armsTwo = two.arm("PSM1").map(\.sample.position)
        #expect(armsOne != armsTwo)
        let rttOne = one.links("primary").map(\.sample.rttMs)
        let rttTwo = two.links("primary").map(\.sample.rttMs)
        #expect(rttOne != rttTwo)
    }

    @Test("the script does not depend on the arm rate")
    func scriptIndependentOfArmRate() {
        func script(_ rate: Double) -> [String] {
            simulate(SimulatorOptions(seed: 3, armRateHz: rate), seconds: 900).compactMap { frame in
                if let alarm = frame.alarm { return "\(frame.t) \(alarm.id) \(alarm.state)" }
                if let event = frame.event { return "\(frame.t) \(event.kind) \(event.text ?? "")" }
                return nil
            }
        }
        #expect(script(10) == script(50))
    }
}
