import Foundation
import Interop
import TelemetrySources
import Testing

/// `replay`, `check` and `report` of a `.mcap` file, through the real binary, against the same
/// recording as NDJSON.
@Suite("replay, check and report open .mcap files", .serialized)
struct MCAPCommandTests {
    /// A simulated recording as NDJSON and as surgtop MCAP, side by side.
    static func pair() throws -> (ndjson: String, mcap: String) {
        let dir = TestFiles.directory()
        let lines = try TestFiles.simulated(seconds: 20, rate: 20, in: dir)
        let mcap = dir.appendingPathComponent("sim.mcap").path
        try SurgtopMCAPFixture.write(lines: lines, to: mcap, chunkSize: 8 * 1024)
        return (dir.appendingPathComponent("sim.ndjson").path, mcap)
    }

    static func json(_ text: String) throws -> NSDictionary {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
    }

    @Test("check and report of a .mcap give the counts and figures of the same recording as .ndjson")
    func sameFigures() throws {
        let (ndjson, mcap) = try Self.pair()
        for command in [["check", "--json"], ["report", "--json"]] {
            let a = try TestFiles.surgtop([command[0], ndjson] + command.dropFirst())
            let b = try TestFiles.surgtop([command[0], mcap] + command.dropFirst())
            #expect(a.status == 0 && b.status == 0, "\(b.stderr)")
            let left = try Self.json(a.stdout).mutableCopy() as! NSMutableDictionary
            let right = try Self.json(b.stdout).mutableCopy() as! NSMutableDictionary
            left["file"] = nil
            right["file"] = nil
            #expect(right["notes"] as? [String] == (command[0] == "check" ? [] : nil))
            #expect(left == right, "\(command[0])")
        }
        let text = try TestFiles.surgtop(["check", mcap])
        #expect(text.stdout.contains("(read as NDJSON: line N is the file's Nth frame in file order, its messages' sequence N-1)"))
        #expect(text.stdout.hasSuffix("OK: no errors\n"))
    }

    @Test("replay --snapshot --at T of a .mcap shows what the .ndjson shows, and --from finds the same times")
    func sameReplay() throws {
        let (ndjson, mcap) = try Self.pair()
        for at in ["3", "12.5", "19.9"] {
            let a = try TestFiles.surgtop(["replay", ndjson, "--snapshot", "120x40", "--at", at])
            let b = try TestFiles.surgtop(["replay", mcap, "--snapshot", "120x40", "--at", at])
            #expect(a.status == 0 && b.status == 0, "\(b.stderr)")
            let name = { (path: String) in URL(fileURLWithPath: path).lastPathComponent }
            // The file's name aside (its padding too), the same screen.
            let same = { (text: String) in text.replacingOccurrences(of: " +", with: " ", options: .regularExpression) }
            #expect(same(b.stdout.replacingOccurrences(of: name(mcap), with: name(ndjson))) == same(a.stdout), "at \(at)")
            #expect(a.stdout.contains("00:00:20.0"))  // the timeline's end, from the last chunk
        }
        #expect(try ReplayStart.resolve("15", path: mcap).get() == 15)
        let past = { (path: String) in
            if case .failure(let error) = ReplayStart.resolve("0:25", path: path) { error.description } else { "" }
        }
        #expect(past(mcap) == past(ndjson) && past(mcap).contains("is past the end of the recording"))
        let from = try TestFiles.surgtop(["replay", mcap, "--from", "0:25"])
        #expect(from.status == 2 && from.stderr.contains("--from: 0:25 is past the end of the recording"))
    }

    @Test("a bad CRC: check exits 1 with a sentence naming the chunk; with --ignore-crc it reads on, notes it and exits 0")
    func badCRC() throws {
        let dir = TestFiles.directory()
        let path = dir.appendingPathComponent("crc.mcap").path
        let lines = [session] + (1...300).map { armLine(Double($0) / 10, seq: $0 + 1, Double($0) / 1000) }
        try SurgtopMCAPFixture.write(lines: lines, to: path, chunkSize: 2000, compression: .none)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let at = try #require(bytes.range(of: Data(#""jaw":0.05}"#.utf8))).upperBound - 2
        bytes[at] = UInt8(ascii: "9")
        try bytes.write(to: URL(fileURLWithPath: path))

        let stopped = try TestFiles.surgtop(["check", path])
        #expect(stopped.status == 1)
        #expect(stopped.stdout.contains("  recording '\(path)': CRC mismatch in the chunk at byte "))
        #expect(stopped.stdout.contains("reading stopped there (--ignore-crc reads it anyway)"))
        #expect(stopped.stdout.hasSuffix("NOT OK: no bad lines among those read, but the recording is damaged (above)\n"))

        let read = try TestFiles.surgtop(["check", path, "--ignore-crc", "--json"])
        #expect(read.status == 0, "\(read.stdout)")
        let result = try Self.json(read.stdout)
        #expect(result["frames"] as? Int == lines.count)
        let notes = try #require(result["notes"] as? [String])
        #expect(notes.contains { $0.hasPrefix("CRC mismatch in the chunk at byte ") && $0.hasSuffix("(read anyway: --ignore-crc)") })

        let report = try TestFiles.surgtop(["report", path])
        #expect(report.status == 1 && report.stderr.contains("--ignore-crc reads it anyway"))
        let reported = try TestFiles.surgtop(["report", path, "--ignore-crc"])
        #expect(reported.status == 0 && reported.stderr.contains("(read anyway: --ignore-crc)"))
    }

    @Test("a truncated .mcap is checked to its cut with a note, not a failure; a bad message is a bad line (exit 1)")
    func truncatedAndBadMessage() throws {
        let (_, mcap) = try Self.pair()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: mcap))
        let cut = mcap.replacingOccurrences(of: "sim.mcap", with: "cut.mcap")
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
        let run = try TestFiles.surgtop(["check", cut])
        #expect(run.status == 0)
        #expect(run.stdout.contains("has no summary (the file has no Footer): read by scanning; the file ends inside a record at byte"))

        var messages = SurgtopMCAPFixture.messages([session, armLine(1, seq: 2, 0.1)])
        messages.append(FixtureMessage(topic: "/events", schema: "surgtop.event", sequence: 2, logTime: 946_684_802_000_000_000,
                                       data: Array("{\"t\":2,\"type\":\"event\",\"kind\":\"note\",\"text\":\"\u{1b}[2J".utf8)))
        let bad = mcap.replacingOccurrences(of: "sim.mcap", with: "bad.mcap")
        try SurgtopMCAPFixture.write(messages, to: bad)
        let checked = try TestFiles.surgtop(["check", bad])
        #expect(checked.status == 1)
        #expect(checked.stdout.contains("1 message could not be read as telemetry (each is a bad line): channel '/events' at log time 946684802.000000000 s: "))
        #expect(checked.stdout.contains("  line 3: "))
        #expect(!checked.stdout.contains("\u{1b}"))
    }

    @Test("an empty file and a directory named x.mcap are refused in one sentence, exit 2")
    func unreadable() throws {
        let dir = TestFiles.directory()
        let empty = dir.appendingPathComponent("empty.mcap").path
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        let folder = dir.appendingPathComponent("x.mcap").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for command in ["check", "report", "replay"] {
            let a = try TestFiles.surgtop([command, empty])
            #expect(a.status == 2 && a.stderr == "surgtop: cannot read recording '\(empty)': it is empty (0 bytes), not an MCAP file\n", "\(command)")
            let b = try TestFiles.surgtop([command, folder])
            #expect(b.status == 2 && b.stderr == "surgtop: cannot open recording '\(folder)': it is a directory\n", "\(command)")
        }
    }
}
