import Testing
import Telemetry
@testable import Simulator

@Test func debugRun() {
    var sim = SessionSimulator(options: SimulatorOptions(seed: 1, armRateHz: 10, includeMasters: true))
    let enc = FrameEncoder()
    for i in 0..<200000 {
        let f = sim.next()
        if i < 40 || (i % 10000 == 0) { print(enc.encode(f), terminator: "") }
    }
}
