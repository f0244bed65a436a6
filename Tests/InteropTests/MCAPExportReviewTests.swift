import Foundation
@testable import Interop
import MCAP
import SystemCalls
import Testing

/// The review's findings on the MCAP writer: escaped keys, continued sessions, exact started_at,
/// bounded batches, truthful schemas, and files that fail naming what was asked for.
@Suite("MCAP export, review findings")
struct MCAPExportReviewTests {
    /// "orientation" with every character escaped: 66 bytes of key.
    static let escapedOrientation = "orientation".unicodeScalars.map { String(format: "\\u%04x", $0.value) }.joined()

    static func measuredCP(_ text: String) throws -> [[String: Any]] {
        let (mcap, _) = try MCAPExport.convert(ExportFixtures.lines(text), options: ExportFixtures.options(threaded: false))
        let (reader, messages) = try ExportFixtures.messages(mcap)
        return messages.filter { ExportFixtures.topic(reader, $0) == "/PSM1/measured_cp" }.compactMap(ExportFixtures.json)
    }

    @Test("a fully escaped key is the member it names: a later escaped orientation wins over an earlier plain one")
    func escapedKeyWithDuplicate() throws {
        #expect(Self.escapedOrientation.utf8.count == 66)
        let arm = #"{"t":1,"type":"arm","arm":"PSM1","tip":[0,0,0],"orientation":[1,0,0,0],""#
            + Self.escapedOrientation + #"":[0,0,0,1]}"#
        let cp = try Self.measuredCP(ExportFixtures.session + "\n" + arm + "\n")
        #expect(cp.count == 1)
        #expect(cp.first?["orientation"] as? [Double] == [0, 0, 0, 1], "the decoder's value: the later key")
    }

    @Test("a fully escaped key alone still carries its field")
    func escapedKeyAlone() throws {
        let arm = #"{"t":1,"type":"arm","arm":"PSM1","tip":[0.5,0,0],""# + Self.escapedOrientation + #"":[0,0,0,1]}"#
        let cp = try Self.measuredCP(ExportFixtures.session + "\n" + arm + "\n")
        #expect(cp.first?["orientation"] as? [Double] == [0, 0, 0, 1])
        #expect(cp.first?["tip"] as? [Double] == [0.5, 0, 0])
    }

    @Test("a session frame repeating the id without started_at continues the session's time base; a new id does not")
    func continuedSession() throws {
        let text = ExportFixtures.session + "\n"
            + #"{"t":5,"type":"event","kind":"note"}"# + "\n"
            + #"{"t":6,"type":"session","v":1,"id":"S1","arms":[]}"# + "\n"
            + #"{"t":7,"type":"event","kind":"note"}"# + "\n"
            + #"{"t":0,"type":"session","v":1,"id":"S2","arms":[]}"# + "\n"
            + #"{"t":1,"type":"event","kind":"note"}"# + "\n"
        let (mcap, summary) = try MCAPExport.convert(ExportFixtures.lines(text), options: ExportFixtures.options())
        let (_, messages) = try ExportFixtures.messages(mcap)
        let base = ExportFixtures.startedAtNs, second: UInt64 = 1_000_000_000
        #expect(messages.map(\.logTime) == [
            base, base + 5 * second, base + 6 * second, base + 7 * second,
            ExportFixtures.fallbackNs, ExportFixtures.fallbackNs + second,
        ])
        #expect(summary.timeBase == "started_at and fallback_epoch")
    }

    @Test("started_at's fraction is kept to the nanosecond, digits past the ninth dropped, offsets applied")
    func exactStartedAt() throws {
        let whole: Int128 = 1_795_507_200 * 1_000_000_000
        #expect(MCAPExport.nanoseconds(rfc3339: "2026-11-24T08:00:00.123456789Z") == whole + 123_456_789)
        #expect(MCAPExport.nanoseconds(rfc3339: "2026-11-24T08:00:00.1234567891Z") == whole + 123_456_789)
        #expect(MCAPExport.nanoseconds(rfc3339: "2026-11-24T09:00:00.5+01:00") == whole + 500_000_000)
        #expect(MCAPExport.nanoseconds(rfc3339: "2026-11-24T08:00:00Z") == whole)
        #expect(MCAPExport.nanoseconds(rfc3339: "2026-11-24T08:00:00.Z") == nil)
        #expect(MCAPExport.nanoseconds(rfc3339: "yesterday") == nil)

        let session = ExportFixtures.session.replacingOccurrences(of: "08:00:00Z", with: "08:00:00.123456789Z")
        let (mcap, _) = try MCAPExport.convert(ExportFixtures.lines(session + "\n"), options: ExportFixtures.options())
        let (_, messages) = try ExportFixtures.messages(mcap)
        #expect(messages.first?.logTime == ExportFixtures.startedAtNs + 123_456_789)
    }

    @Test("a recording fed at once goes to the writer in bounded batches, and the file is the same fed in 64 KiB pieces")
    func boundedBatches() throws {
        let (lines, _) = ExportFixtures.simulated(seed: 11, seconds: 20, startedAt: ExportFixtures.startedAt, masters: true)
        #expect(lines.count > 4 * ExportBatch.targetBytes)

        let single = MCAPMemorySink()
        let unthreaded = try MCAPExport(sink: single, options: ExportFixtures.options(threaded: false))
        try lines.withUnsafeBytes { try unthreaded.feed($0) }
        let singleSummary = try unthreaded.finish()
        #expect(unthreaded.batchesSent > 4)
        #expect(unthreaded.largestBatch < ExportBatch.targetBytes + 64 * 1024, "one line past the target at most")

        let threaded = MCAPMemorySink()
        let export = try MCAPExport(sink: threaded, options: ExportFixtures.options(threaded: true))
        try lines.withUnsafeBytes { all in
            var start = 0
            while start < all.count {
                let end = min(start + 65_536, all.count)
                try export.feed(UnsafeRawBufferPointer(rebasing: all[start..<end]))
                start = end
            }
        }
        let threadedSummary = try export.finish()
        #expect(export.batchesSent > 4)
        #expect(threadedSummary == singleSummary)
        #expect(threaded.bytes == single.bytes, "the same file, byte for byte")
    }

    @Test("schemas say what travels: whole frames keep a newer gateway's members, arm frames only the spec's")
    func unknownMembers() throws {
        let text = ExportFixtures.session + "\n"
            + #"{"t":1,"type":"arm","arm":"PSM1","state":"ENABLED","torque_sensor":[1,2]}"# + "\n"
            + #"{"t":2,"type":"link","rtt_ms":30,"fec_pct":4}"# + "\n"
        let (mcap, _) = try MCAPExport.convert(ExportFixtures.lines(text), options: ExportFixtures.options())
        let (reader, messages) = try ExportFixtures.messages(mcap)
        let state = try #require(messages.first { ExportFixtures.topic(reader, $0) == "/PSM1/operating_state" }.flatMap(ExportFixtures.json))
        #expect(state["torque_sensor"] == nil)
        let link = try #require(messages.first { ExportFixtures.topic(reader, $0) == "/link/primary" }.flatMap(ExportFixtures.json))
        #expect(link["fec_pct"] as? Int == 4)
        for kind in [SurgtopMCAPSchemas.Kind.operatingState, .measuredJS, .jaw, .measuredCP, .measuredCV] {
            let schema = String(decoding: SurgtopMCAPSchemas.data(kind), as: UTF8.self)
            #expect(schema.contains("keeps only the telemetry-v1 fields"), "\(kind)")
        }
    }

    @Test("a file sink on a descriptor names the file asked for in its errors, not the temporary one")
    func sinkErrorsNameTheOutput() throws {
        let full = try SystemCalls.open("/dev/full", .writeTruncating)
        let sink = MCAPFileSink(descriptor: full, name: "case.mcap")
        let error = #expect(throws: MCAPError.self) {
            try [UInt8](repeating: 1, count: 10).withUnsafeBytes { try sink.write($0) }
        }
        #expect(error?.description.contains("case.mcap") == true, "\(String(describing: error))")
        try sink.close()
    }

    @Test("a temporary file is created exclusively: a link planted under its name is not written through")
    func exclusiveTemporary() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("surgtop-excl-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let victim = dir + "/victim", planted = dir + "/.out.mcap.partial-1"
        try Data("keep".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.createSymbolicLink(atPath: planted, withDestinationPath: victim)
        #expect(throws: SystemError.fileExists) { try SystemCalls.createExclusive(planted) }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep")

        let fresh = dir + "/.out.mcap.partial-2"
        let fd = try SystemCalls.createExclusive(fresh, permissions: 0o600)
        SystemCalls.close(fd)
        #expect(SystemCalls.permissions(path: fresh) == 0o600)
    }
}
