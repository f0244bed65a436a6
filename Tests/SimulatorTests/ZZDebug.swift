import Testing
import Telemetry
@preconcurrency import Glibc
@testable import Simulator

@Test func debugRun() {
    var sim = SessionSimulator(options: SimulatorOptions(seed: 1, armRateHz: 10, includeMasters: true))
    let enc = FrameEncoder()
    for _ in 0..<2_000_000 {
        let f = sim.next()
        switch f.body {
        case .arm, .link: break
        default: fputs(enc.encode(f), stderr)
        }
        if f.t > 3600 { break }
    }
}
