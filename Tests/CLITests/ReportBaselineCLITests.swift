import Foundation
import Testing

/// `surgtop report A --baseline B`, end to end: the comparison in text and JSON, and its errors.
@Suite("surgtop report --baseline", .serialized)
struct ReportBaselineCLITests {
    /// A recording whose PSM1 tip walks `mm` millimetres along x in 1 s at 10 Hz, in gesture G1;
    /// `extraArm` walks 10 mm too.
    static func recording(_ name: String, mm: Double, id: String, extraArm: String? = nil, clutches: Int = 0) -> String {
        let arms = (["PSM1"] + (extraArm.map { [$0] } ?? [])).map { #"{"id":"\#($0)","kind":"PSM","joints":[]}"# }.joined(separator: ",")
        var lines = [#"{"t":0,"type":"session","v":1,"id":"\#(id)","arms":[\#(arms)]}"#,
                     #"{"t":0,"type":"event","kind":"gesture","text":"G1"}"#]
        for k in 0...10 {
            lines.append(#"{"t":\#(Double(k) / 10),"type":"arm","arm":"PSM1","tip":[\#(mm / 1000 * Double(k) / 10),0,0]}"#)
            if let extraArm { lines.append(#"{"t":\#(Double(k) / 10),"type":"arm","arm":"\#(extraArm)","tip":[\#(0.001 * Double(k)),0,0]}"#) }
        }
        for _ in 0..<clutches { lines.append(#"{"t":1,"type":"event","kind":"clutch"}"#) }
        return write(name, lines.joined(separator: "\n") + "\n")
    }

    static func write(_ name: String, _ text: String) -> String {
        let path = CLI.temporaryDirectory().appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    @Test("--json has `baseline`: per arm each measure with trainee, baseline, difference and ratio; one-sided arms listed")
    func json() throws {
        let trainee = Self.recording("trainee.ndjson", mm: 100, id: "T1", extraArm: "PSM3", clutches: 3)
        let expert = Self.recording("expert.ndjson", mm: 50, id: "E1", extraArm: "PSM2", clutches: 1)
        let result = try CLI.run(["report", trainee, "--baseline", expert, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["session_id"] as? String == "T1", "the report itself is the trainee's")
        #expect((object["bookmarks"] as? [Any])?.isEmpty == true)
        let baseline = try #require(object["baseline"] as? [String: Any])
        #expect(baseline["file"] as? String == expert)
        #expect(baseline["session_id"] as? String == "E1")
        let session = try #require(baseline["session"] as? [String: Any])
        #expect(session["trainee_only_arms"] as? [String] == ["PSM3"])
        #expect(session["baseline_only_arms"] as? [String] == ["PSM2"])
        let arm = try #require((session["arms"] as? [[String: Any]])?.first)
        #expect(arm["arm"] as? String == "PSM1")
        let path = try #require((arm["measures"] as? [String: Any])?["path_length_mm"] as? [String: Double])
        #expect(abs(path["trainee"]! - 100) < 1e-6 && abs(path["baseline"]! - 50) < 1e-6)
        #expect(abs(path["difference"]! - 50) < 1e-6 && abs(path["ratio"]! - 2) < 1e-6)
        let clutch = try #require(session["clutch_presses"] as? [String: Double])
        #expect(clutch["difference"] == 2 && clutch["ratio"] == 3)
        let segment = try #require((baseline["segments"] as? [[String: Any]])?.first)
        #expect(segment["label"] as? String == "G1" && segment["occurrence"] as? Int == 1)
    }

    @Test("the text report ends with the comparison, side by side")
    func text() throws {
        let result = try CLI.run(["report", Self.recording("t.ndjson", mm: 100, id: "T1"), "--baseline", Self.recording("e.ndjson", mm: 50, id: "E1")])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Compared with the baseline '"))
        #expect(result.stdout.contains("(session E1): trainee, baseline, difference (trainee − baseline), ratio (trainee ÷ baseline)"))
        #expect(result.stdout.contains("      path length, mm              100.0        50.0       +50.0       2.00×"))
        #expect(result.stdout.contains("  gesture G1  trainee 0.0 s to 1.0 s, baseline 0.0 s to 1.0 s"))
    }

    @Test("a missing baseline is an I/O error (exit 2), said before any report")
    func missing() throws {
        let result = try CLI.run(["report", Self.recording("t.ndjson", mm: 100, id: "T1"), "--baseline", "/nonexistent/expert.ndjson"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("surgtop: --baseline: "))
        #expect(result.stderr.contains("/nonexistent/expert.ndjson"))
    }

    @Test("a baseline that is no recording, or has no session frame, fails (exit 1) in one sentence")
    func notARecording() throws {
        let trainee = Self.recording("t.ndjson", mm: 100, id: "T1")
        let garbage = Self.write("notes.txt", "These are my notes.\nNot telemetry.\n")
        let result = try CLI.run(["report", trainee, "--baseline", garbage])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("--baseline: '\(garbage)' is no recording to compare with: no session frame (read 2 lines: 0 frames, 2 bad lines)"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        let sessionless = Self.write("events.ndjson", #"{"t":0,"type":"event","kind":"clutch"}"# + "\n")
        let second = try CLI.run(["report", trainee, "--baseline", sessionless, "--json"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("is no recording to compare with: no session frame (read 1 line: 1 frame, 0 bad lines)"))
    }

    @Test("a baseline that is a directory is an I/O error (exit 2)")
    func directory() throws {
        let result = try CLI.run(["report", Self.recording("t.ndjson", mm: 100, id: "T1"), "--baseline", CLI.temporaryDirectory().path])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("surgtop: --baseline: "))
    }

    @Test("a baseline with bad lines is compared as read, said, and the run exits 1")
    func badLines() throws {
        let expert = Self.write("bad.ndjson", (try String(contentsOfFile: Self.recording("e.ndjson", mm: 50, id: "E1"), encoding: .utf8)) + "{oops\n")
        let result = try CLI.run(["report", Self.recording("t.ndjson", mm: 100, id: "T1"), "--baseline", expert])
        #expect(result.status == 1)
        #expect(result.stdout.contains("Compared with the baseline"))
        #expect(result.stderr.contains("has 1 bad line (run `surgtop check` on it); its measures are compared as read"))
    }
}
