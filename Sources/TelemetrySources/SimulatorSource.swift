import Simulator
import Synchronization
import Telemetry

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The built-in simulator as a source: plays the scripted session in real time
/// (scaled by the playback control's speed). Used by `surgtop demo`.
public final class SimulatorSource: TelemetrySource {
    public let options: SimulatorOptions
    public let control: PlaybackControl
    public let mode: SessionMode = .demo
    private let stopRequested = Atomic<Bool>(false)

    public var label: String { "seed \(options.seed), arms at \(Int(options.armRateHz)) Hz" }

    public init(options: SimulatorOptions, control: PlaybackControl = PlaybackControl()) {
        self.options = options
        self.control = control
    }

    public func start(sink: @escaping @Sendable (SourceEvent) -> Void) {
        DetachedThread.spawn { [self] in run(sink: sink) }
    }

    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
    }

    func run(sink: @escaping @Sendable (SourceEvent) -> Void) {
        var simulator = SessionSimulator(options: options)
        sink(.reset)
        sink(.state(.connected(peer: label)))
        var anchorT = 0.0
        var anchorWall = MonotonicClock.now()
        var seen = control.current
        var pausedReported = false
        var pending: Frame? = nil
        while !stopRequested.load(ordering: .relaxed) {
            if let target = control.takeSeek()?.target {
                // The simulator only runs forward; a seek ahead fast-forwards it.
                if target > simulator.time {
                    while simulator.time < target { sink(.decoded(.frame(simulator.next()))) }
                }
                anchorT = simulator.time
                anchorWall = MonotonicClock.now()
            }
            let settings = control.current
            let now = MonotonicClock.now()
            if settings.generation != seen.generation {
                anchorT += seen.paused ? 0 : (now - anchorWall) * seen.speed
                anchorWall = now
                seen = settings
            }
            if settings.paused {
                if !pausedReported {
                    sink(.state(.paused))
                    pausedReported = true
                }
                usleep(10_000)
                continue
            }
            if pausedReported {
                sink(.state(.connected(peer: label)))
                pausedReported = false
            }
            let due = anchorT + (now - anchorWall) * settings.speed
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
            usleep(5_000)
        }
    }
}
