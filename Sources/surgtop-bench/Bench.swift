import ArgumentParser
import Foundation
import SessionCore
import Simulator
import Telemetry
import TelemetrySources

#if canImport(Glibc)
import Glibc
#endif

/// Measurements behind the numbers in the README. They measure; they never pass or fail.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "surgtop-bench",
        abstract: "Measure surgtop's decoder, memory use and rendering.",
        subcommands: [Decode.self, Memory.self]
    )
}

func monotonic() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Resident set size in MB, from /proc/self/statm.
func residentMB() -> Double {
    guard let f = fopen("/proc/self/statm", "r") else { return -1 }
    defer { fclose(f) }
    var size = 0, resident = 0
    withUnsafeMutablePointer(to: &size) { s in
        withUnsafeMutablePointer(to: &resident) { r in
            _ = withVaList([s, r]) { vfscanf(f, "%ld %ld", $0) }
        }
    }
    return Double(resident) * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

/// Decodes a whole file held in memory, several times, and prints the best frames/s.
struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Decoder throughput on a file (read into memory first).")

    @Argument var file: String
    @Option var runs = 5

    func run() throws {
        guard let f = fopen(file, "rb") else { throw ValidationError("cannot open \(file)") }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        fclose(f)
        var best = Double.infinity
        var frames = 0, errors = 0
        for _ in 0..<runs {
            var stream = FrameStream()
            frames = 0
            errors = 0
            let start = monotonic()
            bytes.withUnsafeBytes { raw in
                stream.feed(raw) { outcome in
                    switch outcome {
                    case .frame: frames += 1
                    case .error: errors += 1
                    default: break
                    }
                }
            }
            stream.finish { _ in }
            best = min(best, monotonic() - start)
        }
        let mbps = Double(bytes.count) / best / 1e6
        print("surgtop decoder: \(frames) frames (\(errors) errors) in \(String(format: "%.3f", best)) s = \(Int(Double(frames) / best)) frames/s, \(String(format: "%.0f", mbps)) MB/s")
        print("FRAMES_PER_SECOND \(Int(Double(frames) / best))")
    }
}

/// Feeds a long simulated session straight into the session state and reports resident memory.
struct Memory: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Resident memory after feeding hours of a four-arm session as fast as possible.")

    @Option(help: "Session hours to simulate.") var hours: Double = 8
    @Option(help: "Arm rate in Hz.") var rate: Double = 500

    func run() throws {
        var simulator = SessionSimulator(options: SimulatorOptions(seed: 1, armRateHz: rate))
        var state = SessionState()
        let end = hours * 3600
        let start = monotonic()
        var frames = 0
        var nextReport = 3600.0
        print("start: RSS \(String(format: "%.1f", residentMB())) MB")
        while true {
            let frame = simulator.next()
            if frame.t > end { break }
            state.apply(frame, arrival: frame.t)
            frames += 1
            if frame.t >= nextReport {
                print("t=\(Int(frame.t / 3600)) h: \(frames) frames, RSS \(String(format: "%.1f", residentMB())) MB, \(String(format: "%.0f", monotonic() - start)) s")
                nextReport += 3600
            }
        }
        let elapsed = monotonic() - start
        print("fed \(frames) frames (\(hours) h, 4 arms at \(Int(rate)) Hz) in \(String(format: "%.1f", elapsed)) s (\(Int(Double(frames) / elapsed)) frames/s)")
        print("RESIDENT_MB \(String(format: "%.1f", residentMB()))")
    }
}
