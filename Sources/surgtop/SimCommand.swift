import ArgumentParser
import Console
import Simulator
import SystemCalls
import Telemetry
import TelemetrySources

/// `surgtop sim`: the simulator as a live gateway (--serve) or as a recording (--out).
struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a simulated live session over TCP, or write a simulated recording.",
        discussion: """
        --serve runs one simulated session in real time and streams it to any number of TCP \
        clients; a client that joins late gets the session frame first, then the live stream. \
        --out writes --duration seconds of session as fast as possible (gzip when FILE ends in .gz).

        Without --scenario the session is the free-running one (a cholecystectomy over New \
        York-Strasbourg with random incidents, as long as you like). With --scenario (a name from \
        `surgtop demo --list`, or a YAML file) it is that scenario's story: --out writes it to its \
        end (or to --duration, if shorter); --serve plays it in a loop, each round a new session \
        that every client receives.

        Examples:
          surgtop sim --serve 7000                 then: surgtop live 127.0.0.1:7000
          surgtop sim --out demo.ndjson --duration 600 --seed 3 --rate 500
          surgtop sim --out failover.ndjson --scenario congestion-failover
          surgtop sim --serve 7000 --scenario link-loss
        """
    )

    @Option(help: ArgumentHelp("Serve the session to TCP clients on [ADDR:]PORT (loopback unless an address is given).", valueName: "[ADDR:]PORT"))
    var serve: String?

    @Option(help: ArgumentHelp("Write a recording to FILE (- for standard output).", valueName: "FILE"))
    var out: String?

    @Option(parsing: .unconditional, help: "Session seconds to write with --out.")
    var duration: Double?

    @Option(parsing: .unconditional, help: "Seed of the simulated session.")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Arm frames per second per arm (10–1000).")
    var rate: Double = 100

    @Flag(help: "Also simulate the surgeon's two master arms (MTML, MTMR; 7 joints each).")
    var masters = false

    @Option(help: ArgumentHelp("Play this scenario (a name, see `surgtop demo --list`, or a YAML file) instead of the free-running session.",
                               valueName: "NAME|PATH"))
    var scenario: String?

    func validate() throws {
        if (serve == nil) == (out == nil) { throw ValidationError("give either --serve [ADDR:]PORT or --out FILE") }
        if masters && scenario != nil {
            throw ValidationError("--masters does not go with --scenario (the scenario names its arms)")
        }
        if out != nil, scenario == nil || duration != nil {
            guard let duration else { throw ValidationError("--out needs --duration SECONDS (or a --scenario)") }
            guard duration > 0 && duration <= Frame.timeLimit else {
                throw ValidationError("--duration must be above 0 seconds (at most 1e9), not \(NumberText.trimmed(duration, 3))")
            }
        }
    }

    func run() throws {
        var options = SimulatorOptions(seed: seed, armRateHz: rate, includeMasters: masters)
        do { try options.validate() } catch { throw Failure.usage(error.description) }
        if let scenario {
            switch ScenarioCatalog().resolve(scenario) {
            case .success(let played): options.scenario = played
            case .failure(let problem): throw Failure.usage(problem.description)
            }
        }
        if let out {
            // A scenario's session ends with its story.
            let end = min(duration ?? .infinity, options.scenario?.duration ?? .infinity)
            try writeRecording(to: out, options: options, duration: end)
        } else if let serve {
            let address: ListenAddress
            do { address = try ListenAddress(parsing: serve) } catch { throw Failure.usage("\(error)") }
            // A scenario is served in a loop, each round a new session.
            let server = SimulationServer(address: address, options: options, scenarios: options.scenario.map { [$0] } ?? [])
            do { try server.start() } catch { throw Failure.io("\(error)") }
            // The bound address as `live` takes it back (IPv6 in brackets, the port the system chose).
            Output.error("serving a simulated session on \(server.boundAddress ?? address.description) (Ctrl-C stops)")
            SystemCalls.installTerminationHandlers()
            while !SystemCalls.terminationWasRequested { SystemCalls.sleep(seconds: 0.1) }
            server.stop()
        }
    }

    private func writeRecording(to path: String, options: SimulatorOptions, duration: Double) throws {
        do throws(SourceError) {
            let sink = try RecordingWriter(path: path)
            var simulator = SessionSimulator(options: options)
            let encoder = FrameEncoder()
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 20)
            while true {
                let frame = simulator.next()
                if frame.t > duration { break }
                encoder.encode(frame, into: &buffer)
                if buffer.count >= 1 << 20 {
                    try sink.write(buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try sink.write(buffer)
            try sink.close()
        } catch {
            throw Failure.io(error.description)
        }
    }
}
