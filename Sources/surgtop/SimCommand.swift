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

        Examples:
          surgtop sim --serve 7000                 then: surgtop live 127.0.0.1:7000
          surgtop sim --out demo.ndjson --duration 600 --seed 3 --rate 500
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

    func validate() throws {
        if (serve == nil) == (out == nil) { throw ValidationError("give either --serve [ADDR:]PORT or --out FILE") }
        if out != nil {
            guard let duration else { throw ValidationError("--out needs --duration SECONDS") }
            guard duration > 0 && duration <= Frame.timeLimit else {
                throw ValidationError("--duration must be above 0 seconds (at most 1e9), not \(NumberText.trimmed(duration, 3))")
            }
        }
    }

    func run() throws {
        let options = SimulatorOptions(seed: seed, armRateHz: rate, includeMasters: masters)
        do { try options.validate() } catch { throw Failure.usage(error.description) }
        if let out {
            try writeRecording(to: out, options: options, duration: duration ?? 0)
        } else if let serve {
            let address: ListenAddress
            do { address = try ListenAddress(parsing: serve) } catch { throw Failure.usage("\(error)") }
            let server = SimulationServer(address: address, options: options)
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
