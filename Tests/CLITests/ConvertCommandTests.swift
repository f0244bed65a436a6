import Foundation
import Testing

@Suite("surgtop convert, end to end", .serialized)
struct ConvertCommandTests {
    static let session = #"{"t":0,"type":"session","v":1,"id":"T1","started_at":"2026-11-24T08:00:00Z","arms":[{"id":"PSM1","kind":"PSM","joints":[{"name":"yaw","unit":"rad"}]}]}"#
    static let clean = [session, #"{"t":1,"type":"arm","arm":"PSM1","position":[0.1],"jaw":0.2}"#, #"{"t":2,"type":"link","rtt_ms":30}"#]

    func write(_ lines: [String], name: String = "rec.ndjson", in dir: URL = CLI.temporaryDirectory()) -> String {
        let path = dir.appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: path, contents: Data(lines.joined(separator: "\n").utf8 + [0x0A]))
        return path
    }

    /// The names in `dir`, hidden ones included: a failed conversion must leave no temporary file.
    func names(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
    }

    @Test("a clean recording converts to MCAP with exit 0 and a summary per channel; the MCAP starts with its magic")
    func clean() throws {
        let input = write(Self.clean)
        let dir = (input as NSString).deletingLastPathComponent
        let output = dir + "/rec.mcap"
        let result = try CLI.run(["convert", input, output])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("3 frames, 4 messages on 4 channels"))
        #expect(result.stdout.contains("/PSM1/measured_js"))
        #expect(result.stdout.contains("/PSM1/jaw/measured_js"))
        #expect(result.stdout.contains("/link/primary"))
        #expect(result.stdout.contains("log time: the session's started_at + t"))
        #expect(result.stderr.isEmpty, "no progress bar without a terminal")
        let bytes = try #require(FileManager.default.contents(atPath: output))
        #expect(Array(bytes.prefix(8)) == [0x89, 0x4D, 0x43, 0x41, 0x50, 0x30, 0x0D, 0x0A])
        #expect(names(dir) == ["rec.mcap", "rec.ndjson"])
    }

    @Test("standard input and gzip convert, and --compression none writes uncompressed chunks")
    func stdinAndGzip() throws {
        let dir = CLI.temporaryDirectory()
        let text = Self.clean.joined(separator: "\n") + "\n"
        let fromStdin = try CLI.run(["convert", "-", dir.appendingPathComponent("in.mcap").path, "--compression", "none"], stdin: Data(text.utf8))
        #expect(fromStdin.status == 0, "\(fromStdin.stderr)")
        let plain = try #require(FileManager.default.contents(atPath: dir.appendingPathComponent("in.mcap").path))
        #expect(plain.range(of: Data(#""position":[0.1]"#.utf8)) != nil, "uncompressed: the message text is in the file")

        let gz = dir.appendingPathComponent("rec.ndjson.gz").path
        let sim = try CLI.run(["sim", "--out", gz, "--duration", "2", "--rate", "50"])
        #expect(sim.status == 0)
        let result = try CLI.run(["convert", gz, dir.appendingPathComponent("gz.mcap").path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("/PSM1/measured_cp"))
        #expect(result.stdout.contains("no started_at: 2000-01-01T00:00:00Z + t"))
    }

    @Test("bad lines are left out and listed, and the conversion exits 1 as check would; unknown types are no failure")
    func badLines() throws {
        let input = write(Self.clean + ["garbage", #"{"t":3,"type":"wibble"}"#, #"{"t":4,"type":"arm","arm":"PSM7"}"#])
        let output = (input as NSString).deletingLastPathComponent + "/rec.mcap"
        let result = try CLI.run(["convert", input, output])
        #expect(result.status == 1)
        #expect(result.stdout.contains("3 frames"))
        #expect(result.stdout.contains("2 bad lines, not written:"))
        #expect(result.stdout.contains("line 4:") && result.stdout.contains("line 6:"))
        #expect(result.stdout.contains("1 frame of unknown types, not written: line 5 'wibble'"))
        #expect(FileManager.default.fileExists(atPath: output), "written all the same")

        let unknownOnly = write(Self.clean + [#"{"t":3,"type":"wibble"}"#])
        let again = try CLI.run(["convert", unknownOnly, (unknownOnly as NSString).deletingLastPathComponent + "/u.mcap"])
        #expect(again.status == 0)
    }

    @Test("refusals exit 2 with one sentence: unknown pairs, same file, an existing output, --transcription alone")
    func refusals() throws {
        let input = write(Self.clean)
        let dir = (input as NSString).deletingLastPathComponent
        let pairs = try CLI.run(["convert", input, dir + "/out.txt"])
        #expect(pairs.status == 2)
        #expect(pairs.stderr.contains("cannot convert") && pairs.stderr.contains("supported: .ndjson, .ndjson.gz or - → .mcap"))
        #expect(try CLI.run(["convert", input, dir + "/out.ndjson"]).status == 2, "NDJSON to NDJSON is no conversion")

        let same = try CLI.run(["convert", input, input, "--force"])
        #expect(same.status == 2 && same.stderr.contains("is the input itself"))
        // The same file by another name.
        let link = dir + "/link.mcap"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: input)
        let mcapIn = try CLI.run(["convert", link, input, "--force"])
        #expect(mcapIn.status == 2 && mcapIn.stderr.contains("is the input itself"))
        try FileManager.default.removeItem(atPath: link)

        let existing = write(["old"], name: "exists.mcap", in: URL(fileURLWithPath: dir))
        let refused = try CLI.run(["convert", input, existing])
        #expect(refused.status == 2 && refused.stderr.contains("exists: give --force to replace it"))
        #expect(FileManager.default.contents(atPath: existing) == Data("old\n".utf8), "left as it was")
        let forced = try CLI.run(["convert", input, existing, "--force"])
        #expect(forced.status == 0)
        #expect(FileManager.default.contents(atPath: existing)?.prefix(1) == Data([0x89]))

        let transcription = try CLI.run(["convert", input, dir + "/t.mcap", "--transcription", "T.txt"])
        #expect(transcription.status == 2 && transcription.stderr.contains("--transcription needs --jigsaws"))
        let compression = try CLI.run(["convert", input, dir + "/c.mcap", "--compression", "lz4"])
        #expect(compression.status == 2 && compression.stderr.contains("--compression must be zstd or none"))
        let chunk = try CLI.run(["convert", input, dir + "/c.mcap", "--chunk-size", "1"])
        #expect(chunk.status == 2 && chunk.stderr.contains("--chunk-size must be from 64 to 65536 KiB"))
        let missing = try CLI.run(["convert", dir + "/missing.ndjson", dir + "/m.mcap"])
        #expect(missing.status == 2 && missing.stderr.contains("no such file"))
        for result in [pairs, same, refused, transcription, compression, chunk, missing] {
            #expect(result.stderr.split(separator: "\n").count == 1, "one sentence: \(result.stderr)")
        }
        #expect(names(dir) == ["exists.mcap", "rec.ndjson"], "no output or temporary file left by a refusal")
    }

    @Test("an input with no frame writes nothing and exits 2; a missing directory is exit 2; no half file is left")
    func nothingWritten() throws {
        let input = write(["garbage", "more garbage"])
        let dir = (input as NSString).deletingLastPathComponent
        let result = try CLI.run(["convert", input, dir + "/out.mcap"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("holds no frame"))
        #expect(names(dir) == ["rec.ndjson"], "no output and no temporary file")

        let noDirectory = try CLI.run(["convert", write(Self.clean), dir + "/missing/out.mcap"])
        #expect(noDirectory.status == 2 && noDirectory.stderr.contains("does not exist"))

        // A device is never replaced (a temporary file and a rename would put a file in its place).
        try FileManager.default.createSymbolicLink(atPath: dir + "/null.mcap", withDestinationPath: "/dev/null")
        let device = try CLI.run(["convert", write(Self.clean), dir + "/null.mcap", "--force"])
        #expect(device.status == 2 && device.stderr.contains("not a regular file"))
        let directory = try CLI.run(["convert", write(Self.clean), dir + "/", "--force"])
        #expect(directory.status == 2)
    }

    @Test("--help teaches the directions with examples")
    func help() throws {
        let result = try CLI.run(["convert", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("surgtop convert case.ndjson.gz case.mcap"))
        #expect(result.stdout.contains("--jigsaws"))
        #expect(result.stdout.contains("Exit status"))
    }
}
