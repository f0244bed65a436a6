import Foundation
import Testing

/// `surgtop report` on a recording with tool-tip positions and gesture events, end to end.
@Suite("surgtop report: skill measures", .serialized)
struct SkillReportCLITests {
    /// A PSM tip moving 100 mm along x in 1 s at 10 Hz, in two gestures of 0.5 s.
    static func recording() -> String {
        var lines = [#"{"t":0,"type":"session","v":1,"id":"T1","arms":[{"id":"PSM1","kind":"PSM","joints":[]}]}"#,
                     #"{"t":0,"type":"event","kind":"gesture","text":"G1"}"#]
        for k in 0...10 {
            if k == 5 { lines.append(#"{"t":0.5,"type":"event","kind":"gesture","text":"G2"}"#) }
            lines.append(#"{"t":\#(Double(k) / 10),"type":"arm","arm":"PSM1","tip":[\#(Double(k) / 100),0,0]}"#)
        }
        lines.append(#"{"t":1,"type":"event","kind":"clutch"}"#)
        let path = CLI.temporaryDirectory().appendingPathComponent("skills.ndjson").path
        _ = FileManager.default.createFile(atPath: path, contents: Data(lines.joined(separator: "\n").utf8 + [0x0A]))
        return path
    }

    @Test("report --json has the skill measures under `skills`: thresholds, the session per arm, segments")
    func json() throws {
        let result = try CLI.run(["report", Self.recording(), "--json"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let skills = try #require(object["skills"] as? [String: Any], "report JSON has skills")
        let thresholds = try #require(skills["thresholds"] as? [String: Double])
        #expect(thresholds["idle_speed_mm_s"] == 5 && thresholds["movement_start_mm_s"] == 20)
        let session = try #require(skills["session"] as? [String: Any])
        #expect(session["clutch_presses"] as? Int == 1)
        let arm = try #require((session["arms"] as? [[String: Any]])?.first)
        #expect(arm["arm"] as? String == "PSM1")
        #expect(abs((arm["path_length_mm"] as? Double ?? 0) - 100) < 1e-6)
        #expect(abs((arm["peak_speed_mm_s"] as? Double ?? 0) - 100) < 1e-6)
        let segments = try #require(skills["segments"] as? [[String: Any]])
        #expect(segments.map { $0["label"] as? String } == ["G1", "G2"])
    }

    @Test("report prints the Skill measures section")
    func text() throws {
        let result = try CLI.run(["report", Self.recording()])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Skill measures (tool tip; lengths mm, speeds mm/s, volume cm³):\n  PSM1   time 1.0 s, path 100.0, speed mean 100.0 peak 100.0, 1 movement"))
        #expect(result.stdout.contains("    gesture G2  0.5 s to 1.0 s (0.5 s)\n"))
    }
}
