import Foundation
import Testing

/// `gateway | surgtop convert - live.mcap`, stopped by a signal; and what the output file keeps.
@Suite("surgtop convert, stopped and replacing", .serialized)
struct ConvertStopTests {
    struct Stopped {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
    }

    /// Starts `convert - OUT`, writes `text` to its standard input and keeps the pipe open (a silent
    /// gateway), sends `signal` after a second, and waits up to 5 s for it to end.
    func stopWhileIdle(_ text: String, output: String, signal: Int32) throws -> Stopped {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["convert", "-", output]
        let input = Pipe(), out = Pipe(), err = Pipe()
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        usleep(1_000_000)
        kill(process.processIdentifier, signal)
        let sent = Date()
        while process.isRunning && Date().timeIntervalSince(sent) < 5 { usleep(10_000) }
        let seconds = Date().timeIntervalSince(sent)
        if process.isRunning { Issue.record("convert - did not stop within 5 s of the signal while its input was silent") }
        try? input.fileHandleForWriting.close()  // lets a stuck process reach the end of its input
        process.waitUntilExit()
        return Stopped(status: process.terminationStatus,
                       stdout: String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                       stderr: String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                       seconds: seconds)
    }

    @Test("SIGTERM while standard input is silent ends the input: the file is finished and kept, a note says so, exit 0")
    func sigtermWhileIdle() throws {
        let dir = CLI.temporaryDirectory().path
        let output = dir + "/live.mcap"
        let text = ConvertCommandTests.clean.joined(separator: "\n") + "\n"
        let stopped = try stopWhileIdle(text, output: output, signal: SIGTERM)
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.seconds < 2)
        #expect(stopped.stdout.contains("3 frames"))
        #expect(stopped.stdout.contains("stopped by SIGTERM: the input ends there"))
        let bytes = try #require(FileManager.default.contents(atPath: output))
        #expect(Array(bytes.suffix(8)) == [0x89, 0x4D, 0x43, 0x41, 0x50, 0x30, 0x0D, 0x0A], "a finished file ends with its magic")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["live.mcap"], "no temporary file left")
        let check = try CLI.run(["check", output])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }

    @Test("Ctrl-C while a line is half sent keeps the whole lines and leaves the cut one out, exit 0")
    func sigintMidLine() throws {
        let dir = CLI.temporaryDirectory().path
        let output = dir + "/live.mcap"
        let text = ConvertCommandTests.clean.joined(separator: "\n") + "\n" + #"{"t":3,"type":"arm","arm":"PSM1","posi"#
        let stopped = try stopWhileIdle(text, output: output, signal: SIGINT)
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.stdout.contains("3 frames"))
        #expect(stopped.stdout.contains("stopped by SIGINT (Ctrl-C)"))
        #expect(stopped.stdout.contains("its last line, cut mid-way, left out"))
        #expect(FileManager.default.fileExists(atPath: output))
    }

    @Test("replacing an output with --force keeps its permissions, and nothing temporary is left")
    func keepsPermissions() throws {
        let dir = CLI.temporaryDirectory().path
        let input = dir + "/rec.ndjson"
        try Data((ConvertCommandTests.clean.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: input))
        let output = dir + "/rec.mcap"
        try Data("old".utf8).write(to: URL(fileURLWithPath: output))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: output)
        let result = try CLI.run(["convert", input, output, "--force"])
        #expect(result.status == 0, "\(result.stderr)")
        let permissions = try FileManager.default.attributesOfItem(atPath: output)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["rec.mcap", "rec.ndjson"])

        let back = dir + "/back.ndjson"
        try Data("old".utf8).write(to: URL(fileURLWithPath: back))
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: back)
        let reverse = try CLI.run(["convert", output, back, "--force"])
        #expect(reverse.status == 0, "\(reverse.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: back)[.posixPermissions] as? Int == 0o640)
    }
}
