import Foundation
import Telemetry
import Testing
import TelemetrySources

/// Writing recordings (`surgtop sim --out`), read back as a replay reads them.
@Suite struct RecordingWriterTests {
    static func temporaryPath(_ name: String) throws -> String {
        let dir = NSTemporaryDirectory() + "surgtop-writer-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/" + name
    }

    /// A session frame, then one arm at 10 Hz for `seconds`, encoded.
    static func frames(seconds: Int) -> [UInt8] {
        let encoder = FrameEncoder()
        var bytes = Array((TCPTest.session("REC", arms: ["PSM1"]) + "\n").utf8)
        for k in 0...(seconds * 10) {
            let t = Double(k) / 10
            encoder.encode(Frame(t: t, body: .arm(ArmSample(arm: "PSM1", position: [t]))), into: &bytes)
        }
        return bytes
    }

    /// Every byte of a recording, through `RecordingReader`.
    static func readBack(_ path: String) throws -> (bytes: [UInt8], problem: String?) {
        let reader = try RecordingReader(path: path)
        var bytes: [UInt8] = []
        while reader.readChunk({ bytes.append(contentsOf: $0) }) {}
        return (bytes, reader.problem)
    }

    @Test("a plain and a gzip recording read back byte for byte, written in pieces", arguments: ["r.ndjson", "r.ndjson.gz"])
    func roundTrip(name: String) throws {
        let path = try Self.temporaryPath(name)
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let bytes = Self.frames(seconds: 600)
        let writer = try RecordingWriter(path: path)
        #expect(writer.path == path)
        // Pieces of every size, an empty one among them, as the simulator's buffer fills.
        var offset = 0
        for size in [0, 1, 100, 70_000] + Array(repeating: 4_096, count: 100) where offset < bytes.count {
            let end = min(bytes.count, offset + size)
            try writer.write(Array(bytes[offset..<end]))
            offset = end
        }
        try writer.write(Array(bytes[offset...]))
        try writer.close()
        try writer.close()  // closing twice is harmless

        let back = try Self.readBack(path)
        #expect(back.problem == nil)
        #expect(back.bytes == bytes)
        let raw = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        if name.hasSuffix(".gz") {
            #expect(raw.starts(with: [0x1F, 0x8B]), "gzip magic")
            #expect(raw.count < bytes.count / 2)
        } else {
            #expect(raw == bytes)
        }
        // The frames decode as written.
        var times: [Double] = []
        try RecordingReader(path: path).decodeAll { outcome in
            if case .frame(let frame) = outcome { times.append(frame.t) }
            return true
        }
        #expect(times.count == 6_002 && times.last == 600)
    }

    @Test("a file that cannot be created is an error naming it")
    func unwritable() {
        for path in ["/nonexistent/dir/r.ndjson", "/nonexistent/dir/r.ndjson.gz"] {
            do {
                _ = try RecordingWriter(path: path)
                Issue.record("\(path) accepted")
            } catch {
                #expect(error.description.hasPrefix("cannot write '\(path)'"), "\(error)")
            }
        }
    }
}
