import ArgumentParser
import SystemCalls
import Telemetry
import TelemetrySources

/// Reads the log a live console wrote with `SURGTOP_LATENCY_LOG=FILE` (`LatencyProbe`): the
/// time from a frame's socket read to the screen that shows it, over every frame shown.
struct Latency: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Socket-to-screen latency percentiles from a SURGTOP_LATENCY_LOG file.")

    @Argument(help: "The file SURGTOP_LATENCY_LOG named.") var file: String

    func run() throws {
        let bytes: [UInt8]
        do { bytes = try SystemCalls.readFile(file) } catch { throw ValidationError("cannot read \(file): \(error)") }
        let log = LatencyLog(bytes)
        guard let p50 = log.percentile(50), let p99 = log.percentile(99), let worst = log.maximum else {
            throw ValidationError("\(file) holds no latency: the console showed no frame from a TCP source")
        }
        let ms = { (seconds: Double) in NumberText.fixed(seconds * 1000, 1) }
        print("socket to screen: \(log.frames) frames in \(log.latencies.count) reads: p50 \(ms(p50)) ms, p99 \(ms(p99)) ms, "
            + "max \(ms(worst)) ms; \(log.dropped) arm samples dropped by the inbox"
            + (log.badLines > 0 ? "; \(log.badLines) unreadable lines" : ""))
        print("LATENCY_P50_MS \(ms(p50))")
        print("LATENCY_P99_MS \(ms(p99))")
        print("LATENCY_MAX_MS \(ms(worst))")
        print("LATENCY_FRAMES \(log.frames)")
        print("LATENCY_DROPPED \(log.dropped)")
    }
}
