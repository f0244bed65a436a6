import Foundation
import Testing

/// Every mistake on the command line gets one sentence and the README's exit code:
/// 0 success, 1 the input had errors, 2 usage or I/O errors.
@Suite("Exit codes and sentences, end to end", .serialized)
struct ExitCodeTests {
    static let session = #"{"t":0,"type":"session","v":1,"id":"T1","arms":[]}"#

    func write(_ lines: [String], name: String = "rec.ndjson") -> String {
        let path = CLI.temporaryDirectory().appendingPathComponent(name).path
        let text = lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    /// A short simulated recording with alarms in it (the demo's round trips raise low alarms at 1 s).
    func recording() throws -> String {
        let path = CLI.temporaryDirectory().appendingPathComponent("sim.ndjson").path
        let made = try CLI.run(["sim", "--out", path, "--duration", "3", "--rate", "10"])
        #expect(made.status == 0, "\(made.stderr)")
        return path
    }

    @Test("--layout with no such layout exits 2 with one sentence, headless, in the console's place and in a snapshot")
    func unknownLayout() throws {
        let path = try recording()
        for arguments in [["replay", path, "--headless", "--layout", "nosuch"],
                          ["demo", "--snapshot", "80x24", "--layout", "nosuch"],
                          ["replay", path, "--headless", "--layout", "/nonexistent/mine.yaml"]] {
            let result = try CLI.run(arguments, environment: ["HOME": CLI.temporaryDirectory().path, "XDG_CONFIG_HOME": ""])
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("surgtop: "), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "one sentence: \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        let named = try CLI.run(["replay", path, "--headless", "--layout", "compact", "--speed", "64"])
        #expect(named.status == 0, "a layout that exists is fine: \(named.stderr)")
    }

    @Test("replay --headless of a recording without a valid frame exits 1, as check does")
    func replayWithoutFrames() throws {
        for (lines, problem) in [(["garbage", "{\"t\":1}"], "no session frame (2 bad lines)"), ([], "no session frame,")] {
            let path = write(lines)
            let replay = try CLI.run(["replay", path, "--headless"])
            #expect(replay.status == 1, "\(replay.stderr)")
            #expect(replay.stderr.contains("surgtop: \(path): \(problem)"), "\(replay.stderr)")
            let check = try CLI.run(["check", path])
            #expect(check.status == 1)
        }
        let good = try CLI.run(["replay", write([Self.session]), "--headless"])
        #expect(good.status == 0, "\(good.stderr)")
    }

    @Test("check of an empty file reports no session frame and exits 1, in text and in JSON")
    func checkEmpty() throws {
        let path = write([])
        let text = try CLI.run(["check", path])
        #expect(text.status == 1)
        #expect(text.stdout.contains("no session frame"))
        #expect(!text.stdout.contains("OK: no errors"))
        let json = try CLI.run(["check", path, "--json"])
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["no_session_frame"] as? Bool == true)
        let clean = try CLI.run(["check", write([Self.session]), "--json"])
        #expect(clean.status == 0)
        let cleanObject = try #require(try JSONSerialization.jsonObject(with: Data(clean.stdout.utf8)) as? [String: Any])
        #expect(cleanObject["no_session_frame"] as? Bool == false)
    }

    @Test("report without a session frame says so with what it read, exits 1, and prints no report; --json says so too")
    func reportEmpty() throws {
        let empty = write([])
        let result = try CLI.run(["report", empty])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty, "no 'Session -  -' report: \(result.stdout)")
        #expect(result.stderr == "surgtop: \(empty): no session frame (the file is empty), so there is nothing to report\n",
                "\(result.stderr)")
        // Frames and bad lines but no session frame: counted, and no report of nothing.
        let headless = write([#"{"t":1,"type":"event","kind":"note"}"#, "garbage", "{\"t\":2}"], name: "headless.ndjson")
        let text = try CLI.run(["report", headless])
        #expect(text.status == 1)
        #expect(text.stdout.isEmpty, "\(text.stdout)")
        #expect(text.stderr == "surgtop: \(headless): no session frame (read 3 lines: 1 frame, 2 bad lines), so there is nothing to report\n",
                "\(text.stderr)")
        let json = try CLI.run(["report", headless, "--json"])
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        #expect(object["no_session_frame"] as? Bool == true)
        #expect(object["lines"] as? Int == 3)
        let counts = try #require(object["counts"] as? [String: Any])
        #expect(counts["frames"] as? Int == 1 && counts["bad_lines"] as? Int == 2, "\(counts)")
        #expect(object["session_id"] == nil && object["links"] == nil, "no report of nothing")
        // A recording with a session frame is reported as before.
        let good = try CLI.run(["report", write([Self.session], name: "good.ndjson"), "--json"])
        #expect(good.status == 0 && good.stdout.contains("\"session_id\" : \"T1\""), "\(good.stdout)")
    }

    @Test("negative numbers for --speed, --from, --duration, --at and --rate say what is wrong, not 'Missing value'")
    func negativeNumbers() throws {
        let path = write([Self.session])
        let cases: [([String], String)] = [
            (["replay", path, "--speed", "-1"], "--speed must be from 0.1 to 64, not -1"),
            (["replay", path, "--from", "-1"], "--from: '-1': a time cannot be negative; type 750, 12:30 or 09:12:30"),
            (["sim", "--out", path + ".out", "--duration", "-5"], "--duration must be above 0 seconds (at most 1e9), not -5"),
            (["demo", "--snapshot", "80x24", "--at", "-2.5"], "--at must be 0 or more seconds (at most 1e9), not -2.5"),
            (["demo", "--rate", "-5"], "arm rate must be between 10 and 1000 Hz, not -5"),
            (["demo", "--seed", "-1"], "the value '-1' is invalid for '--seed <seed>'"),
            (["--seed", "-1"], "the value '-1' is invalid for '--seed <seed>'"),
            (["demo", "--snapshot", "10"], "--snapshot takes a size like 120x40, not '10'"),
            (["replay"], "missing expected argument '<file>'"),
            (["demo", "--bogus"], "unknown option '--bogus'"),
        ]
        for (arguments, sentence) in cases {
            let result = try CLI.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            // One line, "surgtop: <sentence>": no "Error:", "Usage:" or "See …" lines.
            #expect(result.stderr == "surgtop: \(sentence)\n", "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        // --help is untouched.
        let help = try CLI.run(["replay", "--help"])
        #expect(help.status == 0 && help.stdout.contains("USAGE: surgtop replay <file>") && help.stdout.contains("--speed"))
    }

    @Test("an unknown command is named as one, exit 2; the commands and help still work")
    func unknownCommand() throws {
        let result = try CLI.run(["frobnicate"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("surgtop: unknown command 'frobnicate'"), "\(result.stderr)")
        #expect(result.stderr.contains("replay") && !result.stderr.contains("Usage: surgtop demo"))
        let help = try CLI.run(["help", "check"])
        #expect(help.status == 0 && help.stdout.contains("Validate a recording"))
        // A word after the demo's options is no command either; `help` of no command is no help.
        for arguments in [["--layout", "compact", "frobnicate"], ["--headless", "frobnicate"], ["help", "frobnicate"]] {
            let other = try CLI.run(arguments)
            #expect(other.status == 2, "\(arguments)")
            #expect(other.stderr.hasPrefix("surgtop: unknown command 'frobnicate': the commands are demo, live, replay"),
                    "\(arguments): \(other.stderr)")
            #expect(other.stderr.split(separator: "\n").count == 1 && other.stdout.isEmpty)
        }
        let layouts = try CLI.run(["layouts"])
        #expect(layouts.status == 0)
    }

    @Test("options typed before the command are named as such, with the command line that works")
    func optionsBeforeCommand() throws {
        let path = write([Self.session])
        let cases: [([String], String)] = [
            (["--headless", "replay", path, "--speed", "100"], "surgtop replay \(path) --speed 100 --headless"),
            (["--layout", "compact", "replay", path], "surgtop replay \(path) --layout compact"),
            (["--speed", "4", "replay", path], "surgtop replay \(path) --speed 4"),
            (["--alarm-log=/tmp/x.log", "check", path], "surgtop check \(path) --alarm-log=/tmp/x.log"),
        ]
        for (arguments, corrected) in cases {
            let result = try CLI.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr == "surgtop: options go after the command: \(corrected)\n", "\(arguments): \(result.stderr)")
        }
        // The demo's own options before nothing at all are the demo's: they work.
        let demo = try CLI.run(["--seed", "3", "--snapshot", "80x24", "--at", "2"])
        #expect(demo.status == 0 && demo.stdout.contains("DEMO"), "\(demo.stderr)")
    }

    @Test("--snapshot of a replay that fails exits 1 with one sentence, as headless and the console do; the frame still prints")
    func snapshotExitCodes() throws {
        let empty = write([], name: "empty.ndjson")
        let version2 = write([#"{"t":0,"type":"session","v":2,"id":"X","arms":[]}"#], name: "v2.ndjson")
        let cases: [([String], Data?, String)] = [
            (["replay", empty, "--snapshot", "80x24"], nil, "surgtop: \(empty): no session frame, so there was nothing to replay\n"),
            (["replay", "-", "--snapshot", "80x24"], Data(), "surgtop: standard input: no session frame, so there was nothing to replay\n"),
            (["replay", version2, "--snapshot", "80x24"], nil,
             "surgtop: line 1: session frame declares telemetry format version 2; this reader understands version 1 only\n"),
        ]
        for (arguments, stdin, sentence) in cases {
            let result = try CLI.run(arguments, stdin: stdin)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr == sentence, "\(arguments): \(result.stderr)")
            #expect(result.stdout.contains("REPLAY"), "the snapshot still prints: \(result.stdout)")
            let headless = try CLI.run(Array(arguments.prefix(2)) + ["--headless"], stdin: stdin)
            #expect(headless.status == 1, "the same verdict headless: \(headless.stderr)")
        }
        let empty80 = try CLI.run(["replay", empty, "--snapshot", "100x24"])
        #expect(empty80.stdout.contains("no session frame in this recording: nothing to replay"), "\(empty80.stdout)")
        #expect(!empty80.stdout.contains("waiting for the session frame"))
        let good = try CLI.run(["replay", write([Self.session], name: "good.ndjson"), "--snapshot", "80x24"])
        #expect(good.status == 0 && good.stderr.isEmpty, "\(good.stderr)")
        let demo = try CLI.run(["demo", "--snapshot", "80x24", "--at", "1"])
        #expect(demo.status == 0 && demo.stderr.isEmpty)
    }

    @Test("the alarm log file is UTF-8 under the C locale too: it is data, not a screen")
    func alarmLogUTF8UnderCLocale() throws {
        let path = try recording()
        let log = CLI.temporaryDirectory().appendingPathComponent("c-locale.log").path
        let result = try CLI.run(["replay", path, "--headless", "--speed", "64", "--alarm-log", log],
                                 environment: ["LANG": "C", "LC_ALL": "C"])
        #expect(result.status == 0, "\(result.stderr)")
        let text = try #require(try? String(contentsOfFile: log, encoding: .utf8))
        #expect(text.contains(" ≥ "), "\(text)")
        #expect(!text.contains(" >= "), "no ASCII spelling in the file: \(text)")
    }

    @Test("--alarm-log whose directory cannot be looked at gives the system's reason, not 'does not exist'")
    func alarmLogDirectoryReason() throws {
        let dir = CLI.temporaryDirectory()
        let file = dir.appendingPathComponent("plain").path
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        let log = file + "/sub/alarms.log"
        let result = try CLI.run(["replay", write([Self.session]), "--headless", "--alarm-log", log])
        #expect(result.status == 2)
        #expect(result.stderr == "surgtop: alarm log \(log): the directory \(file)/sub cannot be used: Not a directory\n", "\(result.stderr)")
    }

    @Test("--version prints the version and the telemetry format it reads, exit 0")
    func version() throws {
        let result = try CLI.run(["--version"])
        #expect(result.status == 0)
        let line = result.stdout.trimmingCharacters(in: .newlines)
        #expect(line.range(of: #"^surgtop \d+\.\d+\.\d+ \(telemetry format v1\)$"#, options: .regularExpression) != nil, "\(line)")
    }

    @Test("--alarm-log in a directory that does not exist exits 2 and creates nothing")
    func alarmLogMissingDirectory() throws {
        let dir = CLI.temporaryDirectory()
        let log = dir.appendingPathComponent("typo/alarms.log").path
        let result = try CLI.run(["replay", write([Self.session]), "--headless", "--alarm-log", log])
        #expect(result.status == 2)
        #expect(result.stderr.contains("alarm log \(log): the directory \(dir.path)/typo does not exist"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("typo").path))
    }

    @Test("a replay writes no alarm log unless --alarm-log is given; a live session logs by default")
    func alarmLogOnlyLiveByDefault() throws {
        let path = try recording()
        let state = CLI.temporaryDirectory()
        let environment = ["XDG_STATE_HOME": state.path]
        let replay = try CLI.run(["replay", path, "--headless", "--speed", "64"], environment: environment)
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: state.path + "/surgtop")) == nil,
                "the replay left no log under \(state.path)")

        let explicit = state.appendingPathComponent("replay.log").path
        _ = try CLI.run(["replay", path, "--headless", "--speed", "64", "--alarm-log", explicit], environment: environment)
        #expect((try? String(contentsOfFile: explicit, encoding: .utf8))?.contains("RAISE") == true)

        let live = try CLI.run(["live", "-", "--headless"], stdin: try Data(contentsOf: URL(fileURLWithPath: path)),
                               environment: environment)
        #expect(live.status == 0, "\(live.stderr)")
        let logs = try FileManager.default.contentsOfDirectory(atPath: state.path + "/surgtop")
        #expect(logs.count == 1 && logs[0].hasSuffix(".alarms.log") && !logs[0].contains(".replay."), "\(logs)")
    }
}
