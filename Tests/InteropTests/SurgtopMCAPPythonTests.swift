import Foundation
import Interop
import MCAP
import Telemetry
import Testing

/// Cross-checks the MCAP files surgtop writes with the official Python `mcap` reader and the `jsonschema`
/// package (pinned in `.ci/requirements.txt`, installed by `.ci/run`). Without them the tests fail under
/// CI=true and are skipped elsewhere.
@Suite("surgtop MCAP read by Python's mcap and validated by jsonschema", .serialized)
struct SurgtopMCAPPythonTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("check_surgtop_mcap.py").path

    static func pythonReady() throws -> Bool {
        if try python(["-c", "import mcap, zstandard, jsonschema"]).status == 0 { return true }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("python3 cannot import mcap, zstandard and jsonschema: .ci/run installs them (pip install -r .ci/requirements.txt)")
        } else {
            print("skipped: python3 cannot import mcap, zstandard and jsonschema (CI=true makes this a failure)")
        }
        return false
    }

    static func python(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var seed: UInt64
        var startedAt: String?
        var compression: MCAPCompression
        var masters: Bool
        var testDescription: String {
            "seed \(seed), \(startedAt == nil ? "no started_at" : "started_at"), \(compression == .none ? "none" : "zstd")\(masters ? ", masters" : "")"
        }
    }

    static let cases: [Case] = [
        Case(seed: 1, startedAt: ExportFixtures.startedAt, compression: .zstd(level: 1), masters: false),
        Case(seed: 2, startedAt: nil, compression: .zstd(level: 1), masters: true),
        Case(seed: 3, startedAt: "2026-11-24T08:00:00.125+01:00", compression: .none, masters: false),
        Case(seed: 9, startedAt: nil, compression: .none, masters: true),
    ]

    @Test("Python's mcap reads every file (CRCs checked), counts per channel match the frames, every message matches its schema",
          arguments: cases)
    func crossCheck(_ c: Case) throws {
        guard try Self.pythonReady() else { return }
        let (lines, frames) = ExportFixtures.simulated(seed: c.seed, seconds: 4, startedAt: c.startedAt, masters: c.masters)
        let (mcap, summary) = try MCAPExport.convert(lines, options: ExportFixtures.options(c.compression, chunkSize: 64 << 10))
        let expected = ExportFixtures.expectedTopics(frames)
        #expect(summary.frames == frames.count && summary.messages == expected)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("surgtop-mcapout-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("session.mcap").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(mcap))

        let result = try Self.python([Self.script, path])
        #expect(result.status == 0, "\(result.errors)")
        let found = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any], "\(result.output)")
        let total = expected.values.reduce(0, +)
        #expect(found["stream_messages"] as? Int == total)
        #expect(found["messages"] as? [String: Int] == expected)
        #expect(found["statistics"] as? [String: Int] == expected)
        #expect(found["invalid"] as? Int == 0, "\(found["first_invalid"] ?? "")")
        #expect(found["frames"] as? Int == frames.count)
        #expect(found["frames_with_several_log_times"] as? Int == 0)
        #expect(found["frames_split_across_chunks"] as? Int == 0)
        #expect((found["chunks"] as? Int ?? 0) > 1 && found["chunks"] as? Int == found["chunk_indexes"] as? Int)
        #expect(found["profile"] as? String == "surgtop")
        #expect(found["schema_encodings"] as? [String] == ["jsonschema"] && found["message_encodings"] as? [String] == ["json"])
        let schemas = try #require(found["schemas"] as? [String])
        #expect(schemas.allSatisfy { $0.hasPrefix(SurgtopMCAPProfile.schemaPrefix) })
        #expect(schemas.contains("surgtop.measured_js") && schemas.contains("surgtop.link") && schemas.contains("surgtop.session"))
        let metadata = try #require((found["metadata"] as? [String: [String: String]])?["surgtop"])
        #expect(metadata["format"] == "telemetry-v1")
        #expect(metadata["time_base"] == (c.startedAt == nil ? "fallback_epoch" : "started_at"))
        #expect(metadata["fallback_epoch"] == (c.startedAt == nil ? "2000-01-01T00:00:00Z" : nil))
        let first = try #require((found["first_messages"] as? [String: [String: Any]])?["/session"])
        let base: UInt64 = switch c.startedAt {
        case nil: ExportFixtures.fallbackNs
        case ExportFixtures.startedAt: ExportFixtures.startedAtNs
        default: ExportFixtures.startedAtNs - 3_600_000_000_000 + 125_000_000  // 08:00:00.125+01:00
        }
        #expect((first["log_time"] as? NSNumber)?.uint64Value == base)
        // PlotJuggler and Foxglove plot flat arrays: measured_js carries names and numbers side by side.
        let js = try #require((found["first_messages"] as? [String: [String: Any]])?["/PSM1/measured_js"]?["data"] as? [String: Any])
        #expect((js["name"] as? [String])?.count == (js["position"] as? [Double])?.count)
    }
}
