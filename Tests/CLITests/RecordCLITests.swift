import Foundation
import Testing

/// `live --record` and `demo --record`, end to end: the real binary, killed, on a full disk.
@Suite("surgtop --record, end to end", .serialized)
struct RecordCLITests {
    /// Runs a shell line (background processes and kill -9 are the shell's business).
    @discardableResult
    func shell(_ line: String) -> Int32 { system(line) }

    func checkJSON(_ path: String) throws -> (status: Int32, json: [String: Any]) {
        let result = try CLI.run(["check", path, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return (result.status, try #require(object, "check --json printed: \(result.stdout) \(result.stderr)"))
    }

    /// Waits until `path` holds `text` (a background process said it), up to `seconds`.
    func waitFor(_ text: String, in path: String, seconds: Double = 30) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let content = try? String(contentsOfFile: path, encoding: .utf8), content.contains(text) { return content }
            usleep(20_000)
        }
        return nil
    }

    func liveKilled(recording name: String) throws -> (path: String, dir: URL) {
        let dir = CLI.temporaryDirectory()
        let path = dir.appendingPathComponent(name).path
        let bin = CLI.binary
        // Port 0: the simulator binds a free port and says which once it accepts.
        shell("\(bin) sim --serve 127.0.0.1:0 --rate 200 </dev/null >/dev/null 2>\(dir.path)/sim.txt & echo $! > \(dir.path)/sim.pid")
        defer { shell("kill $(cat \(dir.path)/sim.pid) 2>/dev/null") }
        let said = try #require(waitFor(" (Ctrl-C stops)", in: "\(dir.path)/sim.txt"), "the simulator never said where it serves")
        let address = try #require(said.components(separatedBy: "serving a simulated session on ").last?.components(separatedBy: " ").first)
        shell("\(bin) live \(address) --record \(path) --headless --alarm-log \(dir.path)/alarms.log "
            + "</dev/null >\(dir.path)/out.txt 2>\(dir.path)/err.txt & echo $! > \(dir.path)/live.pid")
        #expect(waitFor("connected", in: "\(dir.path)/out.txt") != nil, "the console connected")
        usleep(2_500_000)  // a few flushes
        shell("kill -9 $(cat \(dir.path)/live.pid)")
        usleep(200_000)
        return (path, dir)
    }

    @Test("live --record FILE.ndjson survives kill -9: check passes (exit 0), every line whole")
    func killedPlain() throws {
        let (path, dir) = try liveKilled(recording: "case.ndjson")
        let out = try String(contentsOfFile: dir.appendingPathComponent("out.txt").path, encoding: .utf8)
        #expect(out.contains("connected"), "the console ran: \(out)")
        let (status, json) = try checkJSON(path)
        let frames = json["frames"] as? Int ?? 0
        #expect(frames > 400, "at least a second of a 200 Hz session (four arms) reached the disk: \(frames) frames")
        // Lines reach the file whole (held until their LF), so a kill leaves no cut line.
        #expect(status == 0, "\(json)")
        #expect(json["bad_lines"] as? Int == 0)
        #expect(json["read_problem"] == nil)
        #expect(json["truncated_last_line"] as? Bool == false)
        #expect((json["by_type"] as? [String: Int])?["session"] == 1)
    }

    @Test("live --record FILE.ndjson.gz survives kill -9: check says 'cut while being written' and passes (exit 0)")
    func killedGzip() throws {
        let (path, _) = try liveKilled(recording: "case.ndjson.gz")
        let (status, json) = try checkJSON(path)
        let frames = json["frames"] as? Int ?? 0
        #expect(frames > 400, "at least a second of frames was flushed: \(frames)")
        // Compressed bytes reach the file only at full flushes, which follow whole lines.
        #expect(status == 0, "\(json)")
        #expect(json["bad_lines"] as? Int == 0)
        #expect(json["read_problem"] == nil)
        #expect(json["cut_while_writing"] as? Bool == true)
        let text = try CLI.run(["check", path])
        #expect(text.status == 0)
        #expect(text.stdout.contains("was cut while being written: its gzip stream stops without its end"))
        #expect(text.stdout.contains("OK: no errors"))
        let replay = try CLI.run(["report", path])
        #expect(replay.status == 0, "a cut file is reported, with a note: \(replay.stderr)")
        #expect(replay.stderr.contains("was cut while being written"))
    }

    @Test("--record never overwrites a recording, and a start that fails leaves FILE alone")
    func existingFileKept() throws {
        let dir = CLI.temporaryDirectory()
        let path = dir.appendingPathComponent("x.ndjson").path
        let earlier = #"{"t":0,"type":"session","v":1,"id":"A","arms":[]}"# + "\n"
        try earlier.write(toFile: path, atomically: true, encoding: .utf8)
        for arguments in [["demo", "--record", path, "--headless"], ["live", "-", "--record", path, "--headless"]] {
            let result = try CLI.run(arguments, timeout: 30)
            #expect(result.status == 2)
            #expect(result.stderr == "surgtop: --record: '\(path)' already exists; choose another name or remove it\n")
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == earlier)
        // Validated and bound before FILE is created.
        let fresh = dir.appendingPathComponent("fresh.ndjson").path
        let listener = try CLI.run(["live", "not-an-address", "--record", fresh, "--headless"], timeout: 30)
        #expect(listener.status == 2)
        let busy = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(busy) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(busy, $0, length) } }
        _ = listen(busy, 1)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(busy, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let inUse = try CLI.run(["live", "--listen", "127.0.0.1:\(port)", "--record", fresh, "--headless"], timeout: 30)
        #expect(inUse.status == 2, "\(inUse.stderr)")
        // A layout or an alarm log that cannot be used stops the start before FILE is created too.
        for mistake in [["--layout", "nosuch"], ["--alarm-log", dir.path + "/missing/alarms.log"]] {
            for command in [["demo"], ["live", "-"]] {
                let run = try CLI.run(command + ["--record", fresh, "--headless"] + mistake, timeout: 30)
                #expect(run.status == 2, "\(command) \(mistake): \(run.stderr)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: fresh), "no file is created by a start that failed")
    }

    @Test("--record with --snapshot is refused (exit 2, one sentence)")
    func snapshotRefused() throws {
        let dir = CLI.temporaryDirectory()
        let path = dir.appendingPathComponent("s.ndjson").path
        for arguments in [["demo", "--snapshot", "80x24", "--record", path], ["live", "-", "--snapshot", "80x24", "--record", path]] {
            let result = try CLI.run(arguments, stdin: Data(), timeout: 30)
            #expect(result.status == 2)
            #expect(result.stderr == "surgtop: --record does not go with --snapshot (a snapshot shows one frame and records nothing)\n")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("demo --record /dev/full: RECORDING.FAILED with the reason, and monitoring goes on")
    func fullDisk() throws {
        let dir = CLI.temporaryDirectory()
        let log = dir.appendingPathComponent("alarms.log").path
        shell("timeout -s INT 4 \(CLI.binary) demo --record /dev/full --headless --alarm-log \(log) "
            + "</dev/null >\(dir.path)/out.txt 2>\(dir.path)/err.txt")
        let out = try String(contentsOfFile: dir.appendingPathComponent("out.txt").path, encoding: .utf8)
        let err = try String(contentsOfFile: dir.appendingPathComponent("err.txt").path, encoding: .utf8)
        let lines = out.split(separator: "\n")
        #expect(lines.count >= 3, "a status line every second went on: \(out)")
        #expect(lines.last?.contains("** RECORDING.FAILED") == true)
        #expect(lines.last?.contains("rec FAILED") == true)
        #expect(lines.last?.hasPrefix("connected") == true)
        #expect(err.contains("recording stopped: writing '/dev/full' failed: No space left on device; monitoring goes on"))
        let alarmLog = try String(contentsOfFile: log, encoding: .utf8)
        #expect(alarmLog.contains("RAISE  ** RECORDING.FAILED  recording stopped: writing '/dev/full' failed: No space left on device"))
    }

    @Test("demo --record: the recording is what the demo showed, and check passes")
    func demoRecording() throws {
        let dir = CLI.temporaryDirectory()
        let path = dir.appendingPathComponent("demo.ndjson.gz").path
        shell("timeout -s INT 3 \(CLI.binary) demo --record \(path) --headless --alarm-log \(dir.path)/a.log </dev/null >/dev/null 2>&1")
        let (status, json) = try checkJSON(path)
        #expect(status == 0, "a demo stopped normally leaves a finished gzip file")
        #expect((json["frames"] as? Int ?? 0) > 400)
        #expect(json["read_problem"] == nil)
    }

    @Test("a new session while recording goes to a file of its own, named with its id")
    func newSessionFile() throws {
        let dir = CLI.temporaryDirectory()
        let path = dir.appendingPathComponent("case.ndjson").path
        let lines = [
            #"{"t":0,"type":"session","v":1,"id":"OR3-A","arms":[]}"#,
            #"{"t":1,"type":"link","path":"primary","rtt_ms":80,"up":true}"#,
            "garbage line",
            #"{"t":0,"type":"session","v":1,"id":"OR/../B","arms":[]}"#,
            #"{"t":0.5,"type":"link","path":"primary","rtt_ms":90,"up":true}"#,
        ]
        let result = try CLI.run(["live", "-", "--record", path, "--headless", "--alarm-log", dir.path + "/a.log"],
                                 stdin: Data((lines.joined(separator: "\n") + "\n").utf8), timeout: 30)
        #expect(result.status == 0, "\(result.stderr)")
        let first = try String(contentsOfFile: path, encoding: .utf8)
        #expect(first == lines[0..<3].joined(separator: "\n") + "\n", "bad lines are recorded too, as received")
        let second = try String(contentsOfFile: dir.appendingPathComponent("case.OR_B.ndjson").path, encoding: .utf8)
        // The end of standard input ends the live stream: a connection event at its last time.
        let ended = #"{"t":0.5,"type":"event","kind":"connection","text":"connection lost: the stream ended"}"#
        #expect(second == (lines[3...] + [ended]).joined(separator: "\n") + "\n")
    }

    @Test("a --record path that cannot be opened is a usage error (exit 2, one sentence)")
    func unopenable() throws {
        let dir = CLI.temporaryDirectory()
        for (path, reason) in [(dir.path + "/missing/x.ndjson", "No such file or directory"), (dir.path, "Is a directory")] {
            let result = try CLI.run(["demo", "--record", path, "--headless"], timeout: 30)
            #expect(result.status == 2)
            #expect(result.stderr == "surgtop: --record: cannot write '\(path)': \(reason)\n")
        }
    }
}
