import ArgumentParser
import Console
import Foundation
import SessionCore
import Simulator
import SystemCalls
import Telemetry
import TelemetrySources
import View

/// Measurements behind the numbers in the README. They measure; they never pass or fail.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "surgtop-bench",
        abstract: "Measure surgtop's decoder, memory use and rendering.",
        subcommands: [Decode.self, Memory.self, Render.self, OpenReplay.self, Markers.self, Latency.self]
    )
}

func monotonic() -> Double { MonotonicClock.now() }

/// Resident set size in MB, from /proc/self/statm (its second field, in pages).
func residentMB() -> Double {
    guard let statm = try? SystemCalls.readFile("/proc/self/statm") else { return -1 }
    let fields = String(decoding: statm, as: UTF8.self).split(separator: " ")
    guard fields.count > 1, let resident = Int(fields[1]) else { return -1 }
    return Double(resident) * Double(SystemCalls.pageSize) / 1_048_576
}

/// Decodes a whole file held in memory, several times, and prints the best frames/s.
struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Decoder throughput on a file (read into memory first).")

    @Argument var file: String
    @Option var runs = 5
    @Flag(help: "Read the file as a replay does (64 KiB chunks from the page cache) instead of from memory.")
    var streaming = false

    func run() throws {
        if streaming { return try runStreaming() }
        let bytes: [UInt8]
        do { bytes = try SystemCalls.readFile(file) } catch { throw ValidationError("cannot open \(file): \(error)") }
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

    /// Reading included: what `check`, `report` and a replay's fast-forward get.
    func runStreaming() throws {
        var best = Double.infinity
        var frames = 0
        for _ in 0..<runs {
            let reader = try RecordingReader(path: file)
            frames = 0
            let start = monotonic()
            reader.decodeAll { outcome in
                if case .frame = outcome { frames += 1 }
                return true
            }
            best = min(best, monotonic() - start)
        }
        print("surgtop reader + decoder: \(frames) frames in \(String(format: "%.3f", best)) s = \(Int(Double(frames) / best)) frames/s")
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

/// The cost of one console frame as the full-screen console builds it (`ConsoleLoop`):
/// `ConsoleModel.frame` takes the alarm engine's list (formatted and sorted) and builds the view
/// context, and `ConsoleFrame.render` picks the layout for the size and draws every panel into a
/// cell buffer. Between frames the session takes a batch of new data and evaluates its alarms
/// (`SessionDriver.step`), as the console's loop does; that is not timed.
struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Median cost of building one console frame.")

    @Option var width = 120
    @Option var height = 40
    @Option var layout = "technician"
    @Option var frames = 2000

    func run() throws {
        guard LayoutCatalog.builtIn(layout) != nil else { throw ValidationError("no layout \(layout)") }
        var simulator = SessionSimulator(options: SimulatorOptions(seed: 1, armRateHz: 500))
        // Shipped layouts only, so the number does not depend on the user's files.
        var model = ConsoleModel(mode: .live, label: "bench", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: layout)
        let recorder = AlarmRecorder(destination: .none)
        // Arrival times follow session time (as a snapshot's do), so nothing looks stale.
        model.driver.step(event: .state(.connected(peer: "bench")), now: 0)
        func feed(_ count: Int) {
            let batch = (0..<count).map { _ in simulator.next() }
            model.driver.step(events: batch.map { .decoded(.frame($0)) }, now: batch.last?.t ?? 0, recorder: recorder)
        }
        while simulator.nextTime < 300 { feed(100) }
        var buffer = CellBuffer(width: width, height: height)
        var samples: [Double] = []
        samples.reserveCapacity(frames)
        for k in 0..<frames {
            // New data between frames, as in a live session (~15 frames per arm between redraws).
            feed(70)
            let now = model.driver.state.sessionTime
            let start = monotonic()
            model.frame(now: now, wallClock: "12:00:00", playback: nil).render(into: &buffer, state: &model.view)
            samples.append(monotonic() - start)
            if k == 0 { samples.removeAll() }
        }
        samples.sort()
        let median = samples[samples.count / 2] * 1e6
        let p90 = samples[samples.count * 9 / 10] * 1e6
        let alarms = model.driver.alarms.alarms.count
        print("build one \(width)x\(height) \(model.view.shownLayout) frame (\(alarms) alarms listed): "
              + "median \(String(format: "%.0f", median)) µs, p90 \(String(format: "%.0f", p90)) µs over \(samples.count) frames")
        print("FRAME_MEDIAN_US \(String(format: "%.0f", median))")
    }
}
