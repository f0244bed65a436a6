import ArgumentParser
import CZlib
import Console
import Simulator
import Telemetry
import TelemetrySources

#if canImport(Glibc)
import Glibc
#endif

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

    @Option(help: "Session seconds to write with --out.")
    var duration: Double?

    @Option(help: "Seed of the simulated session.")
    var seed: UInt64 = 1

    @Option(help: "Arm frames per second per arm (10–1000).")
    var rate: Double = 100

    @Flag(help: "Also simulate the surgeon's two master arms (MTML, MTMR; 7 joints each).")
    var masters = false

    func validate() throws {
        if (serve == nil) == (out == nil) { throw ValidationError("give either --serve [ADDR:]PORT or --out FILE") }
        if out != nil {
            guard let duration else { throw ValidationError("--out needs --duration SECONDS") }
            guard duration > 0 && duration <= Frame.timeLimit else { throw ValidationError("--duration must be above 0 seconds (at most 1e9)") }
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
            installTerminationHandlers()
            while !terminationWasRequested() { usleep(100_000) }
            server.stop()
        }
    }

    private func writeRecording(to path: String, options: SimulatorOptions, duration: Double) throws {
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
    }
}

/// Writes bytes to a file, gzip-compressed when the name ends in .gz, or to standard output.
final class RecordingWriter {
    private var fd: Int32 = -1
    private var gz: gzFile?
    let path: String

    init(path: String) throws {
        self.path = path
        if path == "-" {
            fd = 1
        } else if path.hasSuffix(".gz") {
            guard let handle = gzopen(path, "wb6") else { throw Failure.io("cannot write '\(path)': \(String(cString: strerror(errno)))") }
            gz = handle
        } else {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            if fd < 0 { throw Failure.io("cannot write '\(path)': \(String(cString: strerror(errno)))") }
        }
    }

    func write(_ bytes: [UInt8]) throws {
        guard !bytes.isEmpty else { return }
        try bytes.withUnsafeBytes { raw in
            if let gz {
                if gzwrite(gz, raw.baseAddress, UInt32(raw.count)) <= 0 { throw Failure.io("writing '\(path)' failed") }
                return
            }
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw Failure.io("writing '\(path)' failed: \(String(cString: strerror(errno)))")
                }
                offset += n
            }
        }
    }

    func close() throws {
        if let gz {
            if gzclose(gz) != Z_OK { throw Failure.io("finishing '\(path)' failed") }
            self.gz = nil
        } else if fd > 2 {
            _ = Glibc.close(fd)
            fd = -1
        }
    }
}
