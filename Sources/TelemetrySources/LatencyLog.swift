/// A `LatencyProbe` log read back (`surgtop-bench latency FILE`): each frame's latency from the
/// socket to the screen, as percentiles over frames (a read of 40 frames counts 40 times).
public struct LatencyLog: Equatable, Sendable {
    /// One read shown: its latency in microseconds, and the frames that came with it.
    public struct Entry: Equatable, Sendable {
        public var micros: Int
        public var frames: Int
    }

    /// Lowest latency first.
    public private(set) var latencies: [Entry] = []
    /// Frames shown.
    public private(set) var frames = 0
    /// Arm samples the inbox shed in a flood (never shown).
    public private(set) var dropped = 0
    /// Lines that are neither "LATENCY_US FRAMES" nor "dropped N".
    public private(set) var badLines = 0

    public init(_ bytes: [UInt8]) {
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, fields[0] == "dropped", let n = Int(fields[1]), n >= 0 {
                dropped = dropped.saturatingAdd(n)
            } else if fields.count == 2, let micros = Int(fields[0]), let count = Int(fields[1]), micros >= 0, count > 0 {
                latencies.append(Entry(micros: micros, frames: count))
                frames = frames.saturatingAdd(count)
            } else {
                badLines += 1
            }
        }
        latencies.sort { $0.micros < $1.micros }
    }

    /// The latency (seconds) that `percent` % of the frames shown stayed within (nearest rank);
    /// nil when none was shown.
    public func percentile(_ percent: Double) -> Double? {
        guard frames > 0 else { return nil }
        let rank = max(1, Int(saturating: (min(max(percent, 0), 100) / 100 * Double(frames)).rounded(.up)))
        var seen = 0
        for entry in latencies {
            seen = seen.saturatingAdd(entry.frames)
            if seen >= rank { return Double(entry.micros) / 1e6 }
        }
        return latencies.last.map { Double($0.micros) / 1e6 }
    }

    /// The highest latency, seconds.
    public var maximum: Double? { latencies.last.map { Double($0.micros) / 1e6 } }
}
