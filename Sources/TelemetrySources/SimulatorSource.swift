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
    private let stopRequested = Atomic<Bool>(false)

    public var label: String { "seed \(options.seed), arms at \(Int(options.armRateHz)) Hz" }

    public init(options: SimulatorOptions) {
        self.options = options
    }

    public func start(sink: @escaping @Sendable (SourceEvent) -> Void) {
        SystemCalls.startDetachedThread { [self] in run(sink: sink) }
    }

    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    func run(sink: @escaping @Sendable (SourceEvent) -> Void) {
        var simulator = SessionSimulator(options: options)
        sink(.reset)
        sink(.state(.connected(peer: label)))
        let start = MonotonicClock.now()
        var pending: Frame? = nil
        while !stopRequested.load(ordering: .relaxed) {
            let due = MonotonicClock.now() - start
            // Emit everything up to the current session time, then sleep a little.
            while true {
                let frame = pending ?? simulator.next()
                if frame.t > due {
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
