import SessionCore
import Simulator
import Synchronization
import SystemCalls
import Telemetry

/// The built-in simulator as a source: plays the scripted session in real time, as a live
/// robot would (a demo has no pause, speed or seek). Used by `surgtop demo`.
public final class SimulatorSource: TelemetrySource {
    public let options: SimulatorOptions
    public let mode: SessionMode = .demo
    /// Scenarios played in turn, looping forever, each as a new session (`SessionTour`);
    /// empty: the free-running script of `options`.
    public let tour: [Scenario]
    private let stopRequested = Atomic<Bool>(false)

    public var label: String {
        let rates = "seed \(options.seed), arms at \(Int(options.armRateHz)) Hz"
        switch tour.count {
        case 0: return rates
        case 1: return "scenario \(tour[0].name), \(rates)"
        default: return "scenario tour, \(rates)"
        }
    }

    public init(options: SimulatorOptions, tour: [Scenario] = []) {
        self.options = options
        self.tour = tour
    }

    public func start(sink: @escaping @Sendable (SourceEvent) -> Void) {
        SystemCalls.startDetachedThread { [self] in run(sink: sink) }
    }

    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    func run(sink: @escaping @Sendable (SourceEvent) -> Void) {
        var sessions = SessionTour(options: options, scenarios: tour)
        var simulator = sessions.next()
        sink(.reset)
        sink(.state(.connected(peer: label)))
        var start = MonotonicClock.now()
        var pending: Frame? = nil
        while !stopRequested.load(ordering: .relaxed) {
            let due = MonotonicClock.now() - start
            if let end = simulator.endTime, due > end {
                // The story is told: the next scenario starts as a new session at its own t = 0.
                simulator = sessions.next()
                start += end
                pending = nil
                continue
            }
            // Emit everything up to the current session time, then sleep a little.
            while true {
                let frame = pending ?? simulator.next()
                if frame.t > due || frame.t > simulator.endTime ?? .infinity {
                    pending = frame
                    break
                }
                pending = nil
                sink(.decoded(.frame(frame)))
            }
            SystemCalls.sleep(seconds: 0.005)
        }
    }
}
