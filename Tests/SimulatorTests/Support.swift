import Simulator
import Telemetry

/// Runs a simulator and keeps every frame with t ≤ `seconds`.
func simulate(_ options: SimulatorOptions = SimulatorOptions(), seconds: Double) -> [Frame] {
    var simulator = SessionSimulator(options: options)
    return simulator.frames(through: seconds)
}

extension Frame {
    var arm: ArmSample? {
        if case .arm(let sample) = body { return sample }
        return nil
    }

    var link: LinkSample? {
        if case .link(let sample) = body { return sample }
        return nil
    }

    var instrument: InstrumentSample? {
        if case .instrument(let sample) = body { return sample }
        return nil
    }

    var alarm: AlarmReport? {
        if case .alarm(let report) = body { return report }
        return nil
    }

    var event: EventNote? {
        if case .event(let note) = body { return note }
        return nil
    }
}

extension Array where Element == Frame {
    func arm(_ id: String) -> [(t: Double, sample: ArmSample)] {
        compactMap { frame in frame.arm.flatMap { $0.arm == id ? (frame.t, $0) : nil } }
    }

    func links(_ path: String) -> [(t: Double, sample: LinkSample)] {
        compactMap { frame in frame.link.flatMap { $0.path == path ? (frame.t, $0) : nil } }
    }

    func events(_ kind: String) -> [(t: Double, note: EventNote)] {
        compactMap { frame in frame.event.flatMap { $0.kind == kind ? (frame.t, $0) : nil } }
    }
}

/// The value below which a fraction `p` of `values` lie (nearest rank).
func quantile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[Swift.min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
}

/// The longest run of consecutive elements meeting `condition`, as (first, last) times.
func longestRun<T>(_ items: [(t: Double, sample: T)], where condition: (T) -> Bool) -> (start: Double, end: Double)? {
    var best: (Double, Double)? = nil
    var start: Double? = nil
    var last = 0.0
    for item in items {
        if condition(item.sample) {
            if start == nil { start = item.t }
            last = item.t
            if let s = start, best == nil || last - s > best!.1 - best!.0 { best = (s, last) }
        } else {
            start = nil
        }
    }
    return best
}
