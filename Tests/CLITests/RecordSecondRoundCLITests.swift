import Foundation
import Testing

/// `--record`, `report`, `replay --snapshot` and the command line: the second round of fixes,
/// with the real binary.
@Suite("surgtop --record and the command line, second round", .serialized)
struct RecordSecondRoundCLITests {
    static func session(_ id: String, t: Double = 0) -> String {
        #"{"t":\#(t),"type":"session","v":1,"id":"\#(id)","arms":[]}"#
    }

    static func link(_ t: Double) -> String {
        #"{"t":\#(t),"type":"link","path":"primary","rtt_ms":80,"up":true}"#
    }

    func size(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
    }

    /// "2.2 MB", as the status line spells a size.
    func shown(_ bytes: Int) -> String {
        bytes < 1_000_000 ? String(format: "%.0f kB", Double(bytes) / 1e3) : String(format: "%.1f MB", Double(bytes) / 1e6)
    }

    @Test("live - --record: the last status line shows the finished file's size, not the size before the last flush")
    func finalStatusHasFinalSize() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for name in ["case.ndjson", "case.ndjson.gz"] {
            let path = dir.appendingPathComponent(name).path
            let lines = [Self.session("A")] + (0..<30_000).map { Self.link(Double($0) / 1000) }
            let result = try CLI.run(["live", "-", "--headless", "--record", path], stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
            #expect(result.status == 0, "\(result.stderr)")
            let last = try #require(result.stdout.split(separator: "\n").last.map(String.init))
            #expect(size(path) > 0)
            #expect(last.contains("rec \(shown(size(path)))"), "\(name): \(last) for \(size(path)) bytes")
        }
    }

    @Test("live - --record splits a restarted stream into the files the console's sessions are (the file rule, wrapped or not)")
    func standardInputRestartRecorded() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("in.ndjson").path
        // 30 s of session A, then the gateway restarts: A again at t = 0.
        var lines = [Self.session("A")] + (1...300).map { Self.link(Double($0) / 10) }
        lines += [Self.session("A")] + (1...10).map { Self.link(Double($0) / 10) }
        let stdin = Data((lines.joined(separator: "\n") + "\n").utf8)
        for record in [false, true] {
            let result = try CLI.run(["live", "-", "--headless"] + (record ? ["--record", path] : []), stdin: stdin)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("source restarted"), "record \(record): the console split the session: \(result.stderr)")
        }
        let second = dir.appendingPathComponent("in.A.ndjson").path
        #expect(FileManager.default.fileExists(atPath: second), "the recorder split where the console did")
    }

    @Test("report exits 1 when the bad lines are in a later session")
    func reportCountsLaterSessions() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("two.ndjson").path
        let lines = [Self.session("A"), Self.link(1), Self.session("B"), "not json", Self.link(2)]
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let report = try CLI.run(["report", path])
        #expect(report.status == 1, "\(report.stdout)\(report.stderr)")
        let check = try CLI.run(["check", path])
        #expect(check.status == 1, "report and check agree")
        let clean = dir.appendingPathComponent("clean.ndjson").path
        try ([Self.session("A"), Self.link(1), Self.session("B"), Self.link(2)].joined(separator: "\n") + "\n")
            .write(toFile: clean, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["report", clean]).status == 0)
    }

    @Test("replay --snapshot without --at fails on a recording with no session frame, as with --at")
    func snapshotWithoutSessionFrame() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("none.ndjson").path
        try ((1...50).map { Self.link(Double($0)) }.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        for at in [[], ["--at", "100"], ["--at", "3"]] {
            let result = try CLI.run(["replay", path, "--snapshot", "80x24"] + at)
            #expect(result.status == 1, "\(at): \(result.stderr)")
            #expect(result.stderr.contains("no session frame"), "\(at): \(result.stderr)")
        }
        // A session frame later than --at is a recording all the same.
        let late = dir.appendingPathComponent("late.ndjson").path
        try ([Self.session("A", t: 5), Self.link(6)].joined(separator: "\n") + "\n").write(toFile: late, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["replay", late, "--snapshot", "80x24"]).status == 0)
    }

    @Test("--record's help says what is recorded and how files are named; an unknown option is named as such")
    func helpAndUnknownOption() throws {
        let help = try CLI.run(["live", "--help"])
        let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("every line received, exactly as received, bad ones too"), "\(text)")
        #expect(text.contains("STEM.<id>.ndjson[.gz]"), "\(text)")
        #expect(!text.contains("FILE-stem"))
        for arguments in [["live", "--frob"], ["live", "127.0.0.1:1", "--frob"], ["live", "--record", "x.ndjson", "--frob"]] {
            let result = try CLI.run(arguments)
            #expect(result.status == 2)
            #expect(result.stderr == "surgtop: unknown option '--frob'\n", "\(arguments): \(result.stderr)")
        }
        let missing = try CLI.run(["live"])
        #expect(missing.stderr.contains("give the gateway as HOST:PORT"), "still said when nothing is wrong but the missing gateway")
    }
}
