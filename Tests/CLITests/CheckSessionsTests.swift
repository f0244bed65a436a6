import Foundation
import Testing

/// `check` lists a recording's sessions where the console and `report` split it, within bounds.
@Suite("surgtop check: the sessions of a recording", .serialized)
struct CheckSessionsTests {
    static func session(_ id: String, _ t: Double) -> String {
        #"{"t":\#(t),"type":"session","v":1,"id":"\#(id)","arms":[]}"#
    }

    static func write(_ lines: [String]) -> String {
        let path = CLI.temporaryDirectory().appendingPathComponent("rec.ndjson").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(lines.joined(separator: "\n").utf8 + [0x0A]))
        return path
    }

    @Test("120 sessions: check lists 100 with ids cut to 80 characters and says how many more, in text and JSON")
    func sessionListIsBounded() throws {
        let long = String(repeating: "L", count: 300)
        var lines: [String] = []
        for k in 0..<120 {
            lines.append(Self.session("\(long)\(k)", 0))
            lines.append(#"{"t":0.1,"type":"event","kind":"note"}"#)
        }
        let path = Self.write(lines)
        let text = try CLI.run(["check", path])
        #expect(text.status == 0)
        #expect(text.stdout.contains("120 sessions"), "\(text.stdout.prefix(2000))")
        #expect(text.stdout.contains("… and 20 more, not listed"))
        #expect(text.stdout.split(separator: "\n").filter { $0.contains(" from frame ") }.count == 100)
        #expect(text.stdout.split(separator: "\n").allSatisfy { $0.count < 200 }, "ids are shortened")
        let json = try CLI.run(["check", path, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let sessions = try #require(object["sessions"] as? [[String: Any]])
        #expect(sessions.count == 100)
        #expect(sessions.allSatisfy { ($0["id"] as? String)?.count ?? 0 <= 80 })
        #expect(object["session_count"] as? Int == 120 && object["sessions_not_listed"] as? Int == 20, "\(object.keys)")
    }

    @Test("one stray frame far ahead, then the session frame again: one session for check and report, as for the console")
    func strayFrameIsOneSession() throws {
        var lines = [Self.session("A", 0)]
        for k in 1...100 { lines.append(#"{"t":\#(Double(k) / 10),"type":"link","rtt_ms":40}"#) }
        lines.append(#"{"t":900,"type":"link","rtt_ms":40}"#)
        lines.append(Self.session("A", 10.1))
        lines.append(#"{"t":10.2,"type":"link","rtt_ms":40}"#)
        let path = Self.write(lines)
        let check = try CLI.run(["check", path])
        #expect(!check.stdout.contains("sessions"), "\(check.stdout)")
        let report = try CLI.run(["report", path, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        #expect(object["session_count"] as? Int == 1, "\(object.keys)")
    }
}
