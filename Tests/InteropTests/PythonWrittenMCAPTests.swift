import Foundation
import Testing

/// A file in surgtop's layout written by another writer (the official Python `mcap` package, pinned in
/// `.ci/requirements.txt`): its own chunking and indexes, schemas and channels only inside chunks and
/// in the summary. Without the package the test fails under CI=true and is skipped elsewhere.
@Suite("surgtop MCAP written by Python's mcap", .serialized)
struct PythonWrittenMCAPTests {
    /// NDJSON (argv 1) → surgtop MCAP (argv 2), one message per frame, arm frames in parts.
    static let writer = """
    import json, sys
    from mcap.writer import Writer, CompressionType
    parts = [("operating_state", ["state","homed","following"]), ("measured_js", ["position","velocity","effort"]),
             ("jaw/measured_js", ["jaw"]), ("measured_cp", ["tip","orientation"]), ("measured_cv", ["twist"])]
    whole = {"session": "/session", "sync": "/sync", "alarm": "/alarms", "event": "/events"}
    with open(sys.argv[2], "wb") as f:
        w = Writer(f, chunk_size=16384, compression=CompressionType.ZSTD)
        w.start(profile="surgtop", library="python mcap")
        schemas, channels = {}, {}
        def channel(topic, schema):
            if schema not in schemas:
                schemas[schema] = w.register_schema(name="surgtop." + schema, encoding="jsonschema", data=b'{"type":"object"}')
            if topic not in channels:
                channels[topic] = w.register_channel(topic=topic, message_encoding="json", schema_id=schemas[schema])
            return channels[topic]
        for ordinal, line in enumerate(l for l in open(sys.argv[1]) if l.strip()):
            frame = json.loads(line)
            time = int((946684800 + frame["t"]) * 1e9)
            def put(topic, schema, data):
                w.add_message(channel(topic, schema), log_time=time, publish_time=time, sequence=ordinal, data=data)
            if frame["type"] == "arm":
                common = {k: frame[k] for k in ("t", "type", "seq", "arm") if k in frame}
                for part, fields in parts:
                    carried = {k: frame[k] for k in fields if k in frame}
                    if carried:
                        put("/%s/%s" % (frame["arm"], part), part, json.dumps(dict(common, **carried), separators=(",", ":")).encode())
            elif frame["type"] == "link":
                put("/link/" + frame.get("path", "primary"), "link", line.strip().encode())
            elif frame["type"] == "instrument":
                put("/%s/instrument" % frame["arm"], "instrument", line.strip().encode())
            else:
                put(whole[frame["type"]], frame["type"], line.strip().encode())
        w.finish()
    """

    static func python(_ arguments: [String]) throws -> (status: Int32, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: errors, as: UTF8.self))
    }

    @Test("a simulated session written by Python's mcap reads back as the same frames, and seeks within it")
    func pythonWritten() throws {
        guard try Self.python(["-c", "import mcap, zstandard"]).status == 0 else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("python3 cannot import mcap: .ci/run installs it (pip install -r .ci/requirements.txt)")
            }
            return
        }
        let dir = TestFiles.directory()
        _ = try TestFiles.simulated(in: dir)
        let ndjson = dir.appendingPathComponent("sim.ndjson").path
        let mcap = dir.appendingPathComponent("python.mcap").path
        let run = try Self.python(["-c", Self.writer, ndjson, mcap])
        #expect(run.status == 0, "\(run.errors)")
        let read = try outcomes(mcap)
        #expect(read.reader.notes.isEmpty && read.reader.problem == nil)
        #expect(read.outcomes == (try outcomes(ndjson).outcomes))

        let whole = text(of: try openMCAP(mcap))
        var start = whole.count * 2 / 3
        while whole[start - 1] != 0x0A { start += 1 }
        let again = try openMCAP(mcap)
        #expect(again.seek(to: start))
        #expect(text(of: again) == Array(whole[start...]))
    }
}
