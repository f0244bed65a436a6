import Synchronization

/// The trainer's controls over a paced source (a recording or the demo simulator):
/// pause, speed, seek. The console writes them; the source's thread reads them.
public final class PlaybackControl: Sendable {
    public struct Settings: Sendable, Equatable {
        public var paused = false
        /// Session seconds per wall-clock second.
        public var speed: Double = 1
        /// A requested jump to this session time, consumed by the source.
        public var seekTarget: Double?
        /// Bumped by every change, so the source notices and re-anchors its pacing.
        public var generation = 0
    }

    /// Speeds the `+` and `-` keys step through.
    public static let speedSteps: [Double] = [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64]

    private let settings: Mutex<Settings>

    public init(speed: Double = 1, paused: Bool = false) {
        settings = Mutex(Settings(paused: paused, speed: speed, seekTarget: nil, generation: 0))
    }

    public var current: Settings { settings.withLock { $0 } }

    public func setPaused(_ paused: Bool) {
        settings.withLock {
            $0.paused = paused
            $0.generation += 1
        }
    }

    public func togglePause() {
        settings.withLock {
            $0.paused.toggle()
            $0.generation += 1
        }
    }

    public func setSpeed(_ speed: Double) {
        settings.withLock {
            $0.speed = max(0.01, speed)
            $0.generation += 1
        }
    }

    /// Steps the speed to the next preset up (`faster`) or down.
    public func stepSpeed(faster: Bool) {
        settings.withLock {
            let steps = Self.speedSteps
            let now = $0.speed
            let next = faster ? steps.first { $0 > now + 1e-9 } : steps.last { $0 < now - 1e-9 }
            $0.speed = next ?? now
            $0.generation += 1
        }
    }

    public func seek(to t: Double) {
        settings.withLock {
            $0.seekTarget = max(0, t)
            $0.generation += 1
        }
    }

    /// Takes a pending seek request (the source calls this).
    public func takeSeek() -> Double? {
        settings.withLock {
            let target = $0.seekTarget
            $0.seekTarget = nil
            return target
        }
    }
}
