import Testing
import Telemetry
@testable import Simulator

@Test func explore() {
    var sim = SessionSimulator(options: SimulatorOptions(seed: 1, armRateHz: 10, includeMasters: true))
    let enc = FrameEncoder()
    var rtts: [Double] = [], jit: [Double] = [], loss: [Double] = [], fps: [Double] = [], brtt: [Double] = [], bw: [Double] = [], vd: [Double] = []
    var n = 0
    var pmin = [String: [Double]](), pmax = [String: [Double]](), emax = [String: [Double]]()
    var lines: [String] = []
    while sim.nextTime <= 3600 {
        let f = sim.next()
        n += 1
        if n <= 25 { lines.append(enc.encode(f)) }
        switch f.body {
        case .link(let l):
            if l.path == "primary", let r = l.rttMs { rtts.append(r); jit.append(l.jitterMs!); loss.append(l.lossPct!); fps.append(l.videoFps!); bw.append(l.bandwidthMbps!); vd.append(l.videoDelayMs!) }
            if l.path == "backup", let r = l.rttMs { brtt.append(r) }
        case .arm(let a):
            let p = a.position!
            pmin[a.arm] = zip(pmin[a.arm] ?? p, p).map { Swift.min($0, $1) }
            pmax[a.arm] = zip(pmax[a.arm] ?? p, p).map { Swift.max($0, $1) }
            emax[a.arm] = zip(emax[a.arm] ?? a.effort!.map { abs($0) }, a.effort!).map { Swift.max($0, abs($1)) }
        case .session: break
        default:
            if f.t < 1300 { lines.append(enc.encode(f)) }
        }
    }
    print(lines.joined(), terminator: "")
    func q(_ xs: [Double], _ p: Double) -> Double { let s = xs.sorted(); return s[Int(p * Double(s.count - 1))] }
    for (name, xs) in [("rtt", rtts), ("jitter", jit), ("loss", loss), ("fps", fps), ("backup", brtt), ("bw", bw), ("vdelay", vd)] {
        print(name, q(xs, 0), q(xs, 0.05), q(xs, 0.5), q(xs, 0.95), q(xs, 0.99), q(xs, 1))
    }
    for k in pmin.keys.sorted() { print(k, pmin[k]!, pmax[k]!, emax[k]!) }
}
