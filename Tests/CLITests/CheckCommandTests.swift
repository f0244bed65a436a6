import Foundation
import Testing

@Suite("surgtop check, report and sim --out, end to end", .serialized)
struct CLICommandTests {
    static let session = #"{"t":0,"type":"session","v":1,"id":"T1","arms":[{"id":"PSM1","kind":"PSM","joints":[{"name":"yaw","unit":"rad","min":-1.5,"max":1.5}]}]}"#

    func write(_ lines: [String], name: String = "rec.ndjson") -> String {
        let path = CLI.temporaryDirectory().appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: path, contents: Data(lines.joined(separator: "\n").utf8 + [0x0A]))
        return path
    }

    @Test("check on a clean recording prints the counts and exits 0")
    func checkClean() throws {
        let path = write([Self.session, #"{"t":1,"type":"arm","arm":"PSM1","position":[0.1]}"#, #"{"t":2,"type":"event","kind":"note"}"#])
        let result = try CLI.run(["check", path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("3 lines, 3 frames"))
        #expect(result.stdout.contains("OK: no errors"))
    }

    @Test("check lists every error with its line number and exits 1")
    func checkErrors() throws {
        let path = write([Self.session, "garbage", #"{"t":1,"type":"arm","arm":"PSM2"}"#, #"{"t":2,"type":"event","kind":"note"}"#, #"{"t":3,"type":"arm","arm":"PSM1","position":[1,2]}"#])
        let result = try CLI.run(["check", path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("3 errors"))
        #expect(result.stdout.contains("line 2:"))
        #expect(result.stdout.contains("line 3:"))
        #expect(result.stdout.contains("line 5:"))
    }

    @Test("check --json prints one object with the counts and every error as {line, reason}")
    func checkJSON() throws {
        let path = write([Self.session, "garbage", #"{"t":2,"type":"wibble"}"#, "[1]"])
        let result = try CLI.run(["check", path, "--json"])
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let errors = try #require(object["errors"] as? [[String: Any]])
        #expect(errors.count == 2)
        #expect(errors.map { $0["line"] as? Int } == [2, 4])
        #expect(errors.allSatisfy { ($0["reason"] as? String)?.isEmpty == false })
        #expect(object["unknown_types"] as? Int == 1)
        #expect(object["frames"] as? Int == 1)
    }

    @Test("a missing file is one clear sentence and exit 2")
    func missingFile() throws {
        let result = try CLI.run(["check", "/nonexistent/rec.ndjson"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no such file"))
        #expect(!result.stderr.contains("Fatal error"))
        let report = try CLI.run(["report", "/nonexistent/rec.ndjson"])
        #expect(report.status == 2)
    }

    @Test("bad arguments exit 2 with one line naming what is missing (the usage is in --help)")
    func usage() throws {
        let result = try CLI.run(["check"])
        #expect(result.status == 2)
        #expect(result.stderr == "surgtop: missing expected argument '<file>'\n", "\(result.stderr)")
        let sim = try CLI.run(["sim", "--out", "x.ndjson"])
        #expect(sim.status == 2)
        #expect(sim.stderr.contains("--duration"))
    }

    @Test("check reads standard input with -")
    func stdin() throws {
        let result = try CLI.run(["check", "-"], stdin: Data((Self.session + "\n").utf8))
        #expect(result.status == 0)
        #expect(result.stdout.contains("1 frames"))
    }

    @Test("sim --out writes a valid recording, deterministic by seed, and gzip when asked")
    func simOut() throws {
        let dir = CLI.temporaryDirectory()
        let a = dir.appendingPathComponent("a.ndjson").path
        let b = dir.appendingPathComponent("b.ndjson").path
        let gz = dir.appendingPathComponent("c.ndjson.gz").path
        #expect(try CLI.run(["sim", "--out", a, "--duration", "20", "--seed", "7", "--rate", "50"]).status == 0)
        #expect(try CLI.run(["sim", "--out", b, "--duration", "20", "--seed", "7", "--rate", "50"]).status == 0)
        #expect(try CLI.run(["sim", "--out", gz, "--duration", "20", "--seed", "7", "--rate", "50"]).status == 0)
        let bytesA = try Data(contentsOf: URL(fileURLWithPath: a))
        #expect(bytesA == (try Data(contentsOf: URL(fileURLWithPath: b))), "same seed and options, same bytes")
        #expect(bytesA.count > 10_000)
        let gzBytes = try Data(contentsOf: URL(fileURLWithPath: gz))
        #expect(gzBytes.prefix(2) == Data([0x1F, 0x8B]), "a .gz name gives a gzip file")
        let checkPlain = try CLI.run(["check", a, "--json"])
        let checkGz = try CLI.run(["check", gz, "--json"])
        #expect(checkPlain.status == 0)
        #expect(checkGz.status == 0)
        let plain = try #require(try JSONSerialization.jsonObject(with: Data(checkPlain.stdout.utf8)) as? [String: Any])
        let viaGz = try #require(try JSONSerialization.jsonObject(with: Data(checkGz.stdout.utf8)) as? [String: Any])
        #expect(plain["frames"] as? Int == viaGz["frames"] as? Int)
        let byType = try #require(plain["by_type"] as? [String: Int])
        #expect((byType["arm"] ?? 0) >= 4 * 50 * 20, "four arms at 50 Hz for 20 s")
    }

    @Test("a truncated gzip recording is reported, and what could be read is kept")
    func truncatedGzip() throws {
        let dir = CLI.temporaryDirectory()
        let gz = dir.appendingPathComponent("t.ndjson.gz").path
        #expect(try CLI.run(["sim", "--out", gz, "--duration", "30", "--seed", "2"]).status == 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: gz))
        bytes = bytes.prefix(bytes.count / 2)
        try bytes.write(to: URL(fileURLWithPath: gz))
        let result = try CLI.run(["check", gz])
        #expect(result.status == 1)
        #expect(result.stdout.contains("truncated") || result.stdout.contains("damaged"))
        let json = try CLI.run(["check", gz, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["frames"] as? Int ?? 0) > 100, "the frames before the damage are kept and counted: \(json.stdout.prefix(200))")
    }

    @Test("report summarises link statistics, arms, alarms and events; --json is an object with stable keys")
    func report() throws {
        let dir = CLI.temporaryDirectory()
        let path = dir.appendingPathComponent("r.ndjson").path
        #expect(try CLI.run(["sim", "--out", path, "--duration", "60", "--seed", "3", "--rate", "20"]).status == 0)
        let text = try CLI.run(["report", path])
        #expect(text.status == 0)
        #expect(text.stdout.contains("RTT ms"))
        #expect(text.stdout.contains("PSM1"))
        #expect(text.stdout.contains("primary"))
        let json = try CLI.run(["report", path, "--json"])
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        for key in ["session_id", "duration", "counts", "arms", "links", "alarms", "alarms_by_priority", "events", "events_by_kind"] {
            #expect(object[key] != nil, "report JSON has \(key)")
        }
        let links = try #require(object["links"] as? [[String: Any]])
        let rtt = try #require(links.first?["rtt_ms"] as? [String: Double])
        #expect(rtt["p50"]! <= rtt["p95"]! && rtt["p95"]! <= rtt["p99"]! && rtt["p99"]! <= rtt["max"]!)
        #expect((object["duration"] as? Double ?? 0) > 59)
    }

    @Test("without --alarms, the user's own alarm settings file is read when it exists; a bad one is exit 2 naming it")
    func userAlarmSettings() throws {
        let dir = CLI.temporaryDirectory()
        let path = dir.appendingPathComponent("r.ndjson").path
        #expect(try CLI.run(["sim", "--out", path, "--duration", "20", "--seed", "3", "--rate", "20"]).status == 0)
        let config = dir.appendingPathComponent("config").path
        let env = ["XDG_CONFIG_HOME": config]
        func rttAlarms(_ result: CLI.Result) -> Int {
            let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            let alarms = object?["alarms"] as? [[String: Any]] ?? []
            return alarms.filter { ($0["id"] as? String)?.hasSuffix(".RTT") == true }.count
        }
        #expect(rttAlarms(try CLI.run(["report", path, "--json"], environment: env)) > 0, "the defaults raise RTT alarms here")
        try FileManager.default.createDirectory(atPath: config + "/surgtop", withIntermediateDirectories: true)
        try "link:\n  rtt_ms: {low: 1000, medium: 2000, high: 3000}\n".write(toFile: config + "/surgtop/alarms.yaml", atomically: true, encoding: .utf8)
        let relaxed = try CLI.run(["report", path, "--json"], environment: env)
        #expect(relaxed.status == 0)
        #expect(rttAlarms(relaxed) == 0, "the user's thresholds apply")
        try "link:\n  rtt: 5\n".write(toFile: config + "/surgtop/alarms.yaml", atomically: true, encoding: .utf8)
        let bad = try CLI.run(["report", path], environment: env)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("alarms.yaml:2"), "\(bad.stderr)")
    }

    @Test("text from the wire reaches the terminal without escape sequences")
    func reportSanitises() throws {
        let path = write([#"{"t":0,"type":"session","v":1,"id":"X\u001b]0;pwned\u0007","procedure":"Chole\u001b[31mcystectomy","arms":[]}"#,
                          #"{"t":1,"type":"event","kind":"note","text":"a\u009b2Jb"}"#])
        let report = try CLI.run(["report", path])
        #expect(report.status == 0)
        #expect(!report.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B })
        #expect(report.stdout.contains("Cholecystectomy"))
        let status = try CLI.run(["replay", path, "--headless", "--speed", "10"])
        #expect(status.status == 0)
        #expect(status.stdout.contains("ended"), "the status lines were printed")
        #expect(!status.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
    }

    @Test("a session frame of an unknown version stops a replay with one clear sentence")
    func unknownVersion() throws {
        let path = write([#"{"t":0,"type":"session","v":3,"id":"x","arms":[]}"#])
        let result = try CLI.run(["replay", path, "--headless"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("version 3"))
    }

    @Test("replay --headless prints status lines starting with the source state and ends with 'ended'")
    func headlessReplay() throws {
        let lines = [Self.session] + (1...30).map { #"{"t":\#(Double($0) / 10),"type":"link","rtt_ms":120}"# }
            + [#"{"t":3.1,"type":"alarm","id":"PSM1.COLLISION","state":"raised","priority":"medium"}"#]
        let path = write(lines)
        let result = try CLI.run(["replay", path, "--headless", "--speed", "4"])
        #expect(result.status == 0)
        let status = result.stdout.split(separator: "\n")
        #expect(status.last?.hasPrefix("ended") == true)
        #expect(status.last?.contains("primary=120ms") == true)
        #expect(status.last?.contains("** PSM1.COLLISION") == true)
    }
}
