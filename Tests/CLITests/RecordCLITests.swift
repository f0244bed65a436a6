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

    func liveKilled(recording name: String) throws -> (path: String, dir: URL) {
        let dir = CLI.temporaryDirectory()
        let port = 23_000 + Int.random(in: 0..<1000)
        let path = dir.appendingPathComponent(name).path
        let bin = CLI.binary
        shell("\(bin) sim --serve 127.0.0.1:\(port) --rate 200 </dev/null >/dev/null 2>&1 & echo $! > \(dir.path)/sim.pid")
        defer { shell("kill $(cat \(dir.path)/sim.pid) 2>/dev/null") }
        usleep(300_000)
        shell("\(bin) live 127.0.0.1:\(port) --record \(path) --headless --alarm-log \(dir.path)/alarms.log "
            + "</dev/null >\(dir.path)/out.txt 2>\(dir.path)/err.txt & echo $! > \(dir.path)/live.pid")
        usleep(3_500_000)
        shell("kill -9 $(cat \(dir.path)/live.pid)")
        usleep(200_000)
        return (path, dir)
    }

    @Test("live --record FILE.ndjson survives kill -9: check passes, or reports only a truncated last line")
    func killedPlain() throws {
        let (path, dir) = try liveKilled(recording: "case.ndjson")
        let out = try String(contentsOfFile: dir.appendingPathComponent("out.txt").path, encoding: .utf8)
        #expect(out.contains("connected"), "the console ran: \(out)")
        let (status, json) = try checkJSON(path)
        let frames = json["frames"] as? Int ?? 0
        #expect(frames > 400, "at least a second of a 200 Hz session (four arms) reached the disk: \(frames) frames")
        let bad = json["bad_lines"] as? Int ?? -1
        #expect(json["read_problem"] == nil)
        if bad == 0 {
            #expect(status == 0)
        } else {
            #expect(bad == 1)
            #expect(json["truncated_last_line"] as? Bool == true)
        }
        #expect((json["by_type"] as? [String: Int])?["session"] == 1)
    }

    @Test("live --record FILE.ndjson.gz survives kill -9: every line up to the last flush decodes")
    func killedGzip() throws {
        let (path, _) = try liveKilled(recording: "case.ndjson.gz")
        let (_, json) = try checkJSON(path)
        let frames = json["frames"] as? Int ?? 0
        #expect(frames > 400, "at least a second of frames was flushed: \(frames)")
        let bad = json["bad_lines"] as? Int ?? -1
        #expect(bad <= 1, "only the line the kill cut can be bad")
        if bad == 1 { #expect(json["truncated_last_line"] as? Bool == true) }
        let problem = json["read_problem"] as? String
        #expect(problem == nil || problem!.contains("truncated"), "\(problem ?? "")")
        let text = try CLI.run(["check", path])
        if bad == 1 { #expect(text.stdout.contains("is truncated: the file ends inside it")) }
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
