import Foundation
import Testing

/// The reproductions of the reliability issue, run against the real binary: each once crashed
/// it (exit 132 or 139), drove the terminal, hung, or exited with the wrong status.
@Suite("Hostile input, end to end", .serialized)
struct HostileInputCLITests {
    static let session = #"{"t":0,"type":"session","v":1,"id":"S1","arms":[{"id":"PSM1","kind":"PSM","joints":[{"name":"yaw","unit":"rad","min":-1,"max":1}]}]}"#

    func write(_ lines: [String], name: String = "rec.ndjson") -> String {
        let path = CLI.temporaryDirectory().appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: path, contents: Data(lines.joined(separator: "\n").utf8 + [0x0A]))
        return path
    }

    static let hugeValues = [
        session,
        #"{"t":1e20,"type":"event","kind":"x"}"#,
        #"{"t":-1e20,"type":"event","kind":"x"}"#,
        #"{"t":1,"type":"link","rtt_ms":1e19,"jitter_ms":1e300,"loss_pct":-1e300,"bandwidth_mbps":1e19,"video_fps":1e300,"video_delay_ms":-1e19}"#,
        #"{"t":1.5,"type":"arm","arm":"PSM1","position":[1e300],"tip":[1e19,1e300,-1e300],"jaw":1e300,"twist":[1e19,1e19,1e19,1e19,1e19,-1e300]}"#,
        #"{"t":2,"type":"event","kind":"y"}"#,
    ]

    @Test("a huge number never crashes report, replay or a snapshot; bad lines make report exit 1")
    func hugeNumbers() throws {
        let path = write(Self.hugeValues)
        let report = try CLI.run(["report", path])
        #expect(report.status == 1, "exit \(report.status): \(report.stderr)")
        #expect(report.stdout.contains("outside the session times accepted"))
        #expect(report.stdout.contains("1e19"))
        let json = try CLI.run(["report", path, "--json"])
        #expect(json.status == 1)
        #expect(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) is [String: Any])
        let snapshot = try CLI.run(["replay", path, "--snapshot", "120x40", "--at", "5"])
        #expect(snapshot.status == 0, "exit \(snapshot.status): \(snapshot.stderr)")
        #expect(snapshot.stdout.contains("1e19"))
        let headless = try CLI.run(["replay", path, "--headless", "--speed", "64", "--alarm-log", "/dev/null"], timeout: 30)
        #expect(headless.status == 0, "exit \(headless.status): \(headless.stderr)")
        let check = try CLI.run(["check", path])
        #expect(check.status == 1 && check.stdout.contains("2 errors"))
    }

    @Test("the same values on standard input, live")
    func hugeNumbersLive() throws {
        let result = try CLI.run(["live", "-", "--headless", "--alarm-log", "/dev/null"],
                                 stdin: Data((Self.hugeValues.joined(separator: "\n") + "\n").utf8), timeout: 30)
        #expect(result.status == 0, "exit \(result.status): \(result.stderr)")
        #expect(result.stdout.contains("rtt primary=1e19ms"))
    }

    @Test("check prints no escape sequence from the input (OSC 52 writes the clipboard)")
    func checkSanitises() throws {
        let path = write([Self.session, #"{"t":1,"type":"arm","arm":"GH\u001b]52;c;UFdORUQ=\u0007\u001b[2J"}"#,
                          #"{"t":2,"type":"arm","arm":"\u202eDESREVER"}"#])
        let result = try CLI.run(["check", path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("'GH'"))
        #expect(!result.stdout.contains("\u{1B}") && !result.stdout.contains("\u{07}") && !result.stdout.contains("\u{202E}"))
        let json = try CLI.run(["check", path, "--json"])
        #expect(!json.stdout.contains("\u{1B}") && !json.stdout.contains("\u{202E}"))
    }

    @Test("report --json escapes C1 controls, DEL and bidi overrides from the wire")
    func reportJSONEscapes() throws {
        let path = write([Self.session, #"{"t":1,"type":"event","kind":"a\u009bb\u007fc\u202ed","text":"\u2066x\u2069"}"#])
        let result = try CLI.run(["report", path, "--json"])
        #expect(result.status == 0)
        #expect(result.stdout.contains(#"a\u009bb\u007fc\u202ed"#))
        #expect(!result.stdout.unicodeScalars.contains { (0x7F...0x9F).contains($0.value) || $0.value == 0x202E || $0.value == 0x2066 })
        let text = try CLI.run(["report", path])
        #expect(text.stdout.contains("acd: x"), "CSI (U+009B) takes the b after it as its final byte")
    }

    @Test("settings files nested 5,000 deep are refused with exit 2, wherever they are")
    func deepSettings() throws {
        let dir = CLI.temporaryDirectory()
        let deep = dir.appendingPathComponent("d.yaml").path
        try ("link: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "\n")
            .write(toFile: deep, atomically: true, encoding: .utf8)
        let path = write([Self.session])
        let given = try CLI.run(["report", path, "--alarms", deep])
        #expect(given.status == 2 && given.stderr.contains("nested more than 64 levels"))
        // The same file as the user's alarm settings, and as a stray user layout.
        let home = dir.appendingPathComponent("home").path
        try FileManager.default.createDirectory(atPath: home + "/.config/surgtop/layouts", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: deep, toPath: home + "/.config/surgtop/alarms.yaml")
        let user = try CLI.run(["report", path], environment: ["HOME": home, "XDG_CONFIG_HOME": ""])
        #expect(user.status == 2 && user.stderr.contains("alarms.yaml:1"))
        try FileManager.default.removeItem(atPath: home + "/.config/surgtop/alarms.yaml")
        try FileManager.default.copyItem(atPath: deep, toPath: home + "/.config/surgtop/layouts/stray.yaml")
        try "root:\n  rows:\n    - panel: header\n      weight: 9223372036854775000\n    - panel: link\n"
            .write(toFile: home + "/.config/surgtop/layouts/trainer.yaml", atomically: true, encoding: .utf8)
        let layouts = try CLI.run(["layouts"], environment: ["HOME": home, "XDG_CONFIG_HOME": ""])
        #expect(layouts.status == 0 && layouts.stdout.contains("stray") && layouts.stdout.contains("at most 10,000"))
        let replay = try CLI.run(["replay", path, "--snapshot", "80x24"], environment: ["HOME": home, "XDG_CONFIG_HOME": ""])
        #expect(replay.status == 0, "the default replay starts with the shipped trainer layout: \(replay.stderr)")
    }

    @Test("--alarm-log that cannot take the log is an error at start (exit 2)",
          arguments: ["DIR", "/proc/surgtop-no-such/alarms.log", "/dev/full"])
    func alarmLogCheckedAtStart(target: String) throws {
        let path = write([Self.session, #"{"t":1,"type":"event","kind":"x"}"#])
        let log = target == "DIR" ? CLI.temporaryDirectory().path : target
        let result = try CLI.run(["replay", path, "--headless", "--speed", "64", "--alarm-log", log], timeout: 30)
        #expect(result.status == 2, "exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains(log))
    }

    @Test("--alarm-log starts with an OPEN line naming what is watched")
    func alarmLogOpenLine() throws {
        let path = write([Self.session, #"{"t":1,"type":"event","kind":"x"}"#])
        let log = CLI.temporaryDirectory().appendingPathComponent("a.log").path
        let result = try CLI.run(["replay", path, "--headless", "--speed", "64", "--alarm-log", log], timeout: 30)
        #expect(result.status == 0)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("  OPEN  surgtop started writing this log, watching \(path)"))
    }

    @Test("a replay jumps over a hole in the recording (or one far-off t) instead of waiting it out")
    func replayJumpsGaps() throws {
        var lines = [Self.session]
        for k in 1...200 { lines.append(#"{"t":\#(Double(k) / 10),"type":"event","kind":"k"}"#) }
        lines.insert(#"{"t":1e8,"type":"event","kind":"far"}"#, at: 100)
        let path = write(lines)
        let start = Date()
        let result = try CLI.run(["replay", path, "--headless", "--speed", "64", "--alarm-log", "/dev/null"], timeout: 30)
        #expect(result.status == 0)
        #expect(Date().timeIntervalSince(start) < 15)
        #expect(result.stderr.contains("jumped over"))
    }

    @Test("a snapshot of a FIFO reads it once and does not hang")
    func fifoSnapshot() throws {
        let fifo = CLI.temporaryDirectory().appendingPathComponent("f.ndjson").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let lines = Self.session + "\n" + #"{"t":1,"type":"event","kind":"via fifo"}"# + "\n"
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: fifo) {
                handle.write(Data(lines.utf8))
                try? handle.close()
            }
        }
        writer.start()
        let result = try CLI.run(["replay", fifo, "--snapshot", "120x40", "--at", "5"], timeout: 20)
        #expect(result.status == 0, "exit \(result.status): \(result.stderr)")
        #expect(result.stdout.contains("S1"))
    }

    /// A gzip recording whose trailer (CRC and length) is damaged, or that is cut short.
    func damagedGzip(_ damage: (inout [UInt8]) -> Void) throws -> String {
        let dir = CLI.temporaryDirectory()
        let plain = dir.appendingPathComponent("r.ndjson").path
        var lines = [Self.session]
        for k in 1...2000 { lines.append(#"{"t":\#(Double(k) / 100),"type":"event","kind":"k\#(k)"}"#) }
        try (lines.joined(separator: "\n") + "\n").write(toFile: plain, atomically: true, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -c '\(plain)' > '\(plain).gz'"]
        try gzip.run()
        gzip.waitUntilExit()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: plain + ".gz")))
        damage(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: plain + ".gz"))
        return plain + ".gz"
    }

    @Test("a gzip file with a bad CRC gives every line that decodes, then the damage (exit 1)")
    func badCRC() throws {
        let path = try damagedGzip { $0[$0.count - 8] ^= 0xFF }
        let check = try CLI.run(["check", path])
        #expect(check.status == 1)
        #expect(check.stdout.contains("2001 lines, 2001 frames"))
        #expect(check.stdout.contains("damaged"))
        #expect(!check.stdout.contains("OK: no errors"))
        let report = try CLI.run(["report", path])
        #expect(report.status == 1 && report.stderr.contains("damaged"))
    }

    @Test("a truncated gzip file is reported as truncated, after what it holds")
    func truncatedGzip() throws {
        let path = try damagedGzip { $0.removeLast($0.count / 2) }
        let check = try CLI.run(["check", path])
        #expect(check.status == 1)
        #expect(check.stdout.contains("truncated"))
        #expect(!check.stdout.contains("OK: no errors"))
        #expect(!check.stdout.contains(" 0 lines"))
    }
}
