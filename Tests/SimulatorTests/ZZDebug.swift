import Testing
import Telemetry
@preconcurrency import Glibc
@testable import Simulator

@Test func debugRun() {
    var sim = SessionSimulator(options: SimulatorOptions(seed: 1, armRateHz: 10, includeMasters: true))
    for i in 0..<20000 {
        let f = sim.next()
        if i > 30 { fputs("\(i) \(f.t) \(f.typeName)\n", stderr) }
    }
}
