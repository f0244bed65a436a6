import Foundation
import Testing

/// `--threads`: `check` (and `report`) give the same answer on one core and on several.
@Suite("surgtop check --threads, end to end", .serialized)
struct ThreadsCLITests {
    /// The parallel pass cuts a file into ranges of this many bytes (`RecordingReader.parallelBlockBytes`).
    static let range = 2 << 20

    /// A simulated recording of about 6 MB whose range edges fall on trouble: at the first, the
    /// session frame re-sent with other arms, an arm frame of an arm no longer declared and one
    /// with the wrong joint count; at the second, a bad line and a frame out of order; at the
    /// end, a line cut without its LF.
    static func recording(in dir: URL) throws -> String {
        let clean = dir.appendingPathComponent("clean.ndjson").path
        let made = try CLI.run(["sim", "--out", clean, "--duration", "40", "--seed", "4"])
        #expect(made.status == 0, "\(made.stderr)")
        let lines = try String(contentsOfFile: clean, encoding: .utf8).split(separator: "\n").map(String.init)
        let session = lines[0]
        let otherArms = #"{"t":T,"type":"session","v":1,"id":"ID","arms":[{"id":"PSM9","kind":"PSM","joints":[{"name":"j1","unit":"rad"}]}]}"#
        let id = session.range(of: #""id":"[^"]*""#, options: .regularExpression).map { String(session[$0].dropFirst(6).dropLast()) } ?? "x"
        var out = ""
        var edges = [range, 2 * range]
        var lastT = "0"
        for line in lines {
            if let edge = edges.first, out.utf8.count + line.utf8.count + 1 > edge - 200 {
                // Pad up to the edge, so that the next line begins exactly on it.
                let pad = #"{"t":\#(lastT),"type":"event","kind":"pad","text":""#
                out += pad + String(repeating: "x", count: edge - out.utf8.count - 1 - pad.utf8.count - 2) + "\"}\n"
                #expect(out.utf8.count == edge)
                if edges.count == 2 {
                    out += otherArms.replacingOccurrences(of: "T", with: lastT).replacingOccurrences(of: "ID", with: id) + "\n"
                    out += #"{"t":\#(lastT),"type":"arm","arm":"PSM1","position":[0.1]}"# + "\n"
                    out += #"{"t":\#(lastT),"type":"arm","arm":"PSM9","position":[0.1,0.2]}"# + "\n"
                    out += session.replacingOccurrences(of: #""t":0"#, with: #""t":\#(lastT)"#) + "\n"
                } else {
                    out += #"{"t":\#(lastT),"type":"link","#+"\n"
                    out += #"{"t":1,"type":"link","path":"primary","rtt_ms":12}"# + "\r\n"
                }
                edges.removeFirst()
            }
            if let t = line.range(of: #""t":[0-9.]+"#, options: .regularExpression) { lastT = String(line[t].dropFirst(4)) }
            out += line + "\n"
        }
        out += #"{"t":\#(lastT),"type":"link","path":"pri"#
        let path = dir.appendingPathComponent("edges.ndjson").path
        try out.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("check --json says exactly the same with 1, 2, 3 and 4 threads when errors and new arms sit on range edges")
    func sameAnswerOnEveryThreadCount() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.recording(in: dir)
        let one = try CLI.run(["check", path, "--json", "--threads", "1"])
        #expect(one.status == 1)
        let json = try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any]
        #expect(json?["bad_lines"] as? Int == 4)
        #expect(json?["truncated_last_line"] as? Bool == true)
        #expect((json?["out_of_order"] as? Int ?? 0) > 0)
        for threads in 2...4 {
            let many = try CLI.run(["check", path, "--json", "--threads", "\(threads)"])
            #expect(many.status == one.status)
            #expect(many.stdout == one.stdout, "--threads \(threads)")
        }
        let text = try CLI.run(["check", path, "--threads", "2"])
        #expect(text.stdout == (try CLI.run(["check", path, "--threads", "1"])).stdout)
    }

    @Test("when the system refuses to start a thread, check decodes on the threads it has and gives the same answer")
    func noThreadToStart() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try Self.recording(in: dir)
        let one = try CLI.run(["check", path, "--json", "--threads", "1"])
        // A stack limit of 200 GB: every new thread's stack is refused (pthread_create fails).
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", #"ulimit -s 200000000 && exec "$0" check "$1" --json --threads 2"#, CLI.binary, path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        let hung = process.isRunning
        if hung { process.terminate() }
        process.waitUntilExit()
        #expect(!hung, "check hung waiting for a worker that never started")
        #expect(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == one.stdout)
    }

    @Test("--threads out of range is a usage error that says the range")
    func outOfRange() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("x.ndjson").path
        try #"{"t":0,"type":"session","v":1,"id":"A","arms":[]}"#.write(toFile: path, atomically: true, encoding: .utf8)
        for bad in ["0", "65"] {
            let result = try CLI.run(["check", path, "--threads", bad])
            #expect(result.status == 2)
            #expect(result.stderr.contains("--threads must be from 1 to 64"), "\(result.stderr)")
        }
        #expect(try CLI.run(["check", path, "--threads", "64"]).status == 0)
    }
}
