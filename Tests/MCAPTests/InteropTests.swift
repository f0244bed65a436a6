import Foundation
import Testing
@testable import MCAP

/// Cross-checks with the official Python `mcap` package, pinned in `.ci/requirements.txt` and installed by
/// `.ci/run`. Without it the tests fail under CI=true and are skipped elsewhere.
@Suite("MCAP interop with the Python mcap package", .serialized)
struct InteropTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("mcap_check.py").path

    /// Whether `python3` can import `mcap`; records an issue under CI when it cannot.
    static func pythonMCAP() throws -> Bool {
        if try python(["-c", "import mcap, zstandard"]).status == 0 { return true }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("python3 cannot import mcap: .ci/run installs it (pip install -r .ci/requirements.txt)")
        } else {
            print("skipped: python3 cannot import mcap (CI=true makes this a failure; pip install -r .ci/requirements.txt)")
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

    @Test("Python's mcap validates what the Swift writer writes: CRCs, indexes, statistics, every message",
          arguments: [MCAPCompression.zstd(level: 3), .none])
    func pythonReadsSwift(compression: MCAPCompression) throws {
        guard try Self.pythonMCAP() else { return }
        let path = temporaryFile("swift.mcap")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let sample = Sample(channels: 6, count: 3_001, compression: compression)
        let sink = try MCAPFileSink(path: path)
        try sample.write(to: sink)
        try sink.close()
        let chunks = try MCAPReader(path: path).chunkIndexes.count

        let result = try Self.python([Self.script, "read", path])
        #expect(result.status == 0, "\(result.errors)")
        let found = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any], "\(result.output)")
        let topics = Dictionary(uniqueKeysWithValues: (0..<sample.channels).map { c in
            (Sample.topic(c), (0..<sample.count).filter { $0 % sample.channels == c }.count)
        })
        #expect(found["topics"] as? [String: Int] == topics)
        #expect(found["json_decoded"] as? Int == sample.count)
        #expect(found["indexed_messages"] as? Int == sample.count)
        #expect(found["message_index_entries"] as? Int == sample.count, "every message is indexed")
        #expect(found["chunk_indexes"] as? Int == chunks && chunks > 1)
        #expect(found["schemas"] as? [String] == ["JointState"])
        #expect(found["channels"] as? [String] == topics.keys.sorted())
        let records = try #require(found["records"] as? [String: Any])
        #expect(records["chunks"] as? Int == chunks)
        #expect(records["messages_in_stream"] as? Int == sample.count)
        #expect(records["data_section_crc"] as? Bool == true && records["summary_crc"] as? Bool == true)
        let stats = try #require(found["statistics"] as? [String: Any])
        #expect(stats["message_count"] as? Int == sample.count)
        #expect(stats["channel_count"] as? Int == sample.channels && stats["schema_count"] as? Int == 1)
        #expect(stats["chunk_count"] as? Int == chunks && stats["metadata_count"] as? Int == 1)
        #expect((stats["message_start_time"] as? NSNumber)?.uint64Value == Sample.time(0))
        #expect((stats["message_end_time"] as? NSNumber)?.uint64Value == Sample.time(sample.count - 1))
        #expect(stats["channel_message_counts"] as? [String: Int] == topics)
        #expect(found["metadata"] as? [String: [String: String]] == ["surgtop": ["epoch": "2023-11-14T22:13:20Z"]])
    }

    @Test("the Swift reader reads a chunked, zstd-compressed file written by Python's mcap")
    func swiftReadsPython() throws {
        guard try Self.pythonMCAP() else { return }
        let path = temporaryFile("python.mcap")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let result = try Self.python([Self.script, "write", path])
        #expect(result.status == 0, "\(result.errors)")

        let reader = try MCAPReader(path: path)
        #expect(reader.hasSummary && reader.problems.isEmpty)
        #expect(reader.header.library == "python mcap")
        #expect(reader.chunkIndexes.count > 1 && reader.chunkIndexes.allSatisfy { $0.compression == "zstd" })
        #expect(reader.channels.values.map(\.topic).sorted() == ["/py/0", "/py/1", "/py/2"])
        #expect(reader.channels.values.allSatisfy { $0.messageEncoding == "json" && reader.schemas[$0.schemaID]?.encoding == "jsonschema" })
        #expect(reader.statistics?.messageCount == 600)
        let messages = try reader.all()
        #expect(messages.map(\.sequence) == Array(0..<600))
        for message in messages {
            let k = Int(message.sequence)
            let object = try JSONSerialization.jsonObject(with: Data(message.data)) as? [String: Any]
            #expect(object?["k"] as? Int == k)
            #expect(reader.channels[message.channelID]?.topic == "/py/\(k % 3)")
            #expect(message.logTime == 1_700_000_000_000_000_000 + UInt64(k) * 1_000_000)
        }
        #expect(try reader.all(from: 1_700_000_000_000_000_000 + 500 * 1_000_000).map(\.sequence) == Array(500..<600))
        #expect(try reader.metadata() == [Metadata(name: "origin", values: ["writer": "python"])])
    }
}
