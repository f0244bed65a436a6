import Console
import SessionCore
import Simulator
import Telemetry
import TelemetrySources
import YAMLFiles

/// A scenario played headless through the console core (`SessionDriver` with the default alarm
/// settings), as `surgtop demo` would: frames arrive on time, ten batches a second, and the
/// alarm clock runs on arrival time, so a stretch with no frames is telemetry lost.
struct StoryRun {
    /// Each alarm raise or escalation: which alarm, to what priority, at what session second.
    struct Raise: Equatable, CustomStringConvertible {
        var id: String
        var priority: AlarmPriority
        var at: Double
        var description: String { "\(id) \(priority) at \(NumberText.fixed(at, 1))" }
    }

    var raises: [Raise] = []
    /// When each alarm was last seen active (session seconds): how long it stayed. A robot alarm
    /// the robot cleared stays listed, latched until acknowledged (IEC 60601-1-8): not active.
    var lastListed: [String: Double] = [:]
    /// Captions the console's Events panel received, with their session times.
    var captions: [(t: Double, text: String)] = []
    /// Arrival seconds with no frame, as a console would have seen them.
    var silentBatches: [Double] = []
    /// Every link sample that arrived, with its session time: what the Link panel showed.
    var links: [(t: Double, sample: LinkSample)] = []

    /// One reading of one path between two session times (inclusive), e.g. `\.rttMs`.
    func readings(_ path: String, _ reading: KeyPath<LinkSample, Double?>, from: Double, to: Double) -> [Double] {
        links.filter { $0.sample.path == path && $0.t >= from && $0.t <= to }.compactMap { $0.sample[keyPath: reading] }
    }

    func first(_ id: String, _ priority: AlarmPriority) -> Raise? {
        raises.first { $0.id == id && $0.priority == priority }
    }

    func highest(_ id: String) -> AlarmPriority? {
        raises.filter { $0.id == id }.map(\.priority).max()
    }

    func caption(containing text: String) -> Double? {
        captions.first { $0.text.contains(text) }?.t
    }

    static func shipped(_ name: String) throws -> Scenario {
        try ScenarioCatalog(directory: nil).resolve(name).get()
    }

    static func play(_ scenario: Scenario, seed: UInt64 = 1, rate: Double = 50) -> StoryRun {
        var simulator = SessionSimulator(options: SimulatorOptions(seed: seed, armRateHz: rate, scenario: scenario))
        var driver = SessionDriver(mode: .demo)
        var run = StoryRun()
        driver.step(events: [.reset, .state(.connected(peer: "scenario"))], now: 0)
        var tick = 0
        while true {
            let now = Double(tick) / 10
            if now > scenario.duration { break }
            var events: [SourceEvent] = []
            while simulator.nextTime <= now {
                let frame = simulator.next()
                if case .link(let sample) = frame.body { run.links.append((frame.t, sample)) }
                events.append(.decoded(.frame(frame)))
            }
            if events.isEmpty && tick > 0 { run.silentBatches.append(now) }
            driver.step(events: events, now: now)
            for alarm in driver.alarms.alarms {
                if run.highest(alarm.id).map({ alarm.priority > $0 }) ?? true {
                    run.raises.append(Raise(id: alarm.id, priority: alarm.priority, at: now))
                }
                if !alarm.latched { run.lastListed[alarm.id] = now }
            }
            tick += 1
        }
        run.captions = driver.state.events.filter { $0.kind == "caption" }.map { ($0.t, $0.text ?? "") }
        return run
    }
}
