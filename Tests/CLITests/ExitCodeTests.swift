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
        let named = try CLI.run(["replay", path, "--headless", "--layout", "compact", "--speed", "100"])
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

    @Test("report of an empty file says there is no session frame and exits 1, instead of an empty report")
    func reportEmpty() throws {
        let result = try CLI.run(["report", write([])])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty, "no 'Session -  -' report: \(result.stdout)")
        #expect(result.stderr.contains("no session frame, so there is nothing to report"), "\(result.stderr)")
        // Frames but no session frame: the report is printed, and scripts learn the input is wrong.
        let headless = try CLI.run(["report", write([#"{"t":1,"type":"event","kind":"note"}"#])])
        #expect(headless.status == 1)
        #expect(headless.stdout.contains("Events: 1"), "\(headless.stdout)")
        #expect(headless.stderr.contains("no session frame (a recording starts with one)"))
    }

    @Test("negative numbers for --speed, --from, --duration, --at and --rate say what is wrong, not 'Missing value'")
    func negativeNumbers() throws {
        let path = write([Self.session])
        let cases: [([String], String)] = [
            (["replay", path, "--speed", "-1"], "--speed must be above 0 and at most 1000, not -1"),
            (["replay", path, "--from", "-1"], "--from must be 0 or more seconds (at most 1e9), not -1"),
            (["sim", "--out", path + ".out", "--duration", "-5"], "--duration must be above 0 seconds (at most 1e9), not -5"),
            (["demo", "--snapshot", "80x24", "--at", "-2.5"], "--at must be 0 or more seconds (at most 1e9), not -2.5"),
            (["demo", "--rate", "-5"], "arm rate must be between 10 and 1000 Hz, not -5"),
        ]
        for (arguments, sentence) in cases {
            let result = try CLI.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains(sentence), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("Missing value"))
        }
    }

    @Test("an unknown command is named as one, exit 2; the commands and help still work")
    func unknownCommand() throws {
        let result = try CLI.run(["frobnicate"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("surgtop: unknown command 'frobnicate'"), "\(result.stderr)")
        #expect(result.stderr.contains("replay") && !result.stderr.contains("Usage: surgtop demo"))
        let help = try CLI.run(["help", "check"])
        #expect(help.status == 0 && help.stdout.contains("Validate a recording"))
        let layouts = try CLI.run(["layouts"])
        #expect(layouts.status == 0)
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
        let replay = try CLI.run(["replay", path, "--headless", "--speed", "100"], environment: environment)
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: state.path + "/surgtop")) == nil,
                "the replay left no log under \(state.path)")

        let explicit = state.appendingPathComponent("replay.log").path
        _ = try CLI.run(["replay", path, "--headless", "--speed", "100", "--alarm-log", explicit], environment: environment)
        #expect((try? String(contentsOfFile: explicit, encoding: .utf8))?.contains("RAISE") == true)

        let live = try CLI.run(["live", "-", "--headless"], stdin: try Data(contentsOf: URL(fileURLWithPath: path)),
                               environment: environment)
        #expect(live.status == 0, "\(live.stderr)")
        let logs = try FileManager.default.contentsOfDirectory(atPath: state.path + "/surgtop")
        #expect(logs.count == 1 && logs[0].hasSuffix(".alarms.log") && !logs[0].contains(".replay."), "\(logs)")
    }
}
