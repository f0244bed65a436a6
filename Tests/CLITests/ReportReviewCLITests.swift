import Foundation
import Testing

/// `surgtop report`, end to end, on the review's findings: a page that would replace an input,
/// paths refused before the long pass, both recordings opened first, a ratio JSON cannot hold,
/// and a hostile recording of many sessions, arms and paths.
@Suite("surgtop report: review findings", .serialized)
struct ReportReviewCLITests {
    /// A recording of 20 simulated seconds.
    static func recording(in dir: URL, name: String = "case.ndjson") throws -> String {
        let path = dir.appendingPathComponent(name).path
        let sim = try CLI.run(["sim", "--out", path, "--duration", "20", "--seed", "3"])
        #expect(sim.status == 0, "\(sim.stderr)")
        return path
    }

    static func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    @Test("--html naming the recording, a link to it, the baseline or the alarm settings is refused (exit 2) and the file is kept")
    func refusesInputs() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Self.recording(in: dir)
        let expert = try Self.recording(in: dir, name: "expert.ndjson")
        let settings = dir.appendingPathComponent("alarms.yaml").path
        _ = FileManager.default.createFile(atPath: settings, contents: Data("link:\n  rtt_ms: {low: 150, medium: 250, high: 450}\n".utf8))
        let link = dir.appendingPathComponent("link.html").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file)
        let kept = [file: Self.bytes(file), expert: Self.bytes(expert), settings: Self.bytes(settings)]
        let cases: [(html: String, says: String)] = [
            (file, "would replace the recording"),
            (link, "would replace the recording"),
            (dir.path + "/./expert.ndjson", "would replace the --baseline recording"),
            (settings, "would replace the alarm settings file"),
        ]
        for (html, says) in cases {
            let result = try CLI.run(["report", file, "--baseline", expert, "--alarms", settings, "--html", html])
            #expect(result.status == 2, "\(html): \(result.stderr)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("--html: ") && result.stderr.contains(says), "\(result.stderr)")
        }
        for (path, data) in kept { #expect(Self.bytes(path) == data, "\(path) was changed") }
    }

    @Test("an unwritable folder or a name ending in '/' is refused before the recording is read")
    func refusedUpFront() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // No recording at all: a pass over it would fail with exit 1 ("no session frame").
        let notRecording = dir.appendingPathComponent("empty.ndjson").path
        _ = FileManager.default.createFile(atPath: notRecording, contents: Data("not json\n".utf8))
        for html in ["/proc/nope.html", dir.appendingPathComponent("pages/").path + "/"] {
            let result = try CLI.run(["report", notRecording, "--html", html])
            #expect(result.status == 2, "\(html): \(result.stderr)")
            #expect(result.stderr.hasPrefix("surgtop: --html: "), "\(result.stderr)")
            #expect(!result.stderr.contains("no session frame"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["empty.ndjson"], "the probe file is removed")
    }

    @Test("a missing FILE is said before the baseline is read")
    func missingFileFirst() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let notRecording = dir.appendingPathComponent("expert.ndjson").path
        _ = FileManager.default.createFile(atPath: notRecording, contents: Data("not json\n".utf8))
        let result = try CLI.run(["report", dir.appendingPathComponent("missing.ndjson").path, "--baseline", notRecording])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cannot open recording"), "\(result.stderr)")
        #expect(!result.stderr.contains("--baseline"))
    }

    /// A recording whose PSM1 tip walks from the origin to `corner` (metres) in 1 s at 10 Hz.
    static func tipRecording(_ path: String, id: String, corner: (Double, Double, Double)) {
        var lines = [#"{"t":0,"type":"session","v":1,"id":"\#(id)","arms":[{"id":"PSM1","kind":"PSM","joints":[]}]}"#]
        for k in 0...10 {
            let f = Double(k) / 10
            lines.append(#"{"t":\#(f),"type":"arm","arm":"PSM1","tip":[\#(corner.0 * f),\#(corner.1 * f),\#(corner.2 * f)]}"#)
        }
        _ = FileManager.default.createFile(atPath: path, contents: Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    @Test("a baseline with a tiny workspace gives no ratio, and --json still prints (exit 0)")
    func tinyBaselineJSON() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let trainee = dir.appendingPathComponent("t.ndjson").path, expert = dir.appendingPathComponent("e.ndjson").path
        Self.tipRecording(trainee, id: "T", corner: (0.05, 0.05, 0.05))
        Self.tipRecording(expert, id: "E", corner: (1e-106, 1e-106, 1e-106))
        let result = try CLI.run(["report", trainee, "--baseline", expert, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let arms = try #require(((object["baseline"] as? [String: Any])?["session"] as? [String: Any])?["arms"] as? [[String: Any]])
        let workspace = try #require((arms.first?["measures"] as? [String: Any])?["workspace_cm3"] as? [String: Any])
        #expect((workspace["baseline"] as? Double ?? 0) > 0, "the baseline's volume is tiny, not 0: \(workspace)")
        #expect(workspace["ratio"] == nil, "\(workspace)")
        let text = try CLI.run(["report", trainee, "--baseline", expert])
        #expect(!text.stdout.contains("inf"))
    }

    /// 100 sessions of 32 arms (joint limits declared) and 8 paths, each sampled twice 1000 s
    /// apart: every series spans its whole width with two samples.
    static func hostile(_ path: String) {
        var text = ""
        let arms = (0..<32).map { #"{"id":"A\#($0)","kind":"PSM","joints":[{"name":"j","unit":"rad","min":-1,"max":1}]}"# }.joined(separator: ",")
        for s in 0..<100 {
            let base = Double(s) * 2000
            text += #"{"t":\#(base),"type":"session","v":1,"id":"S\#(s)","arms":[\#(arms)]}"# + "\n"
            for t in [base + 0.1, base + 1000] {
                for a in 0..<32 { text += #"{"t":\#(t),"type":"arm","arm":"A\#(a)","position":[0.5],"tip":[0.01,0.02,0.03]}"# + "\n" }
                for p in 0..<8 { text += #"{"t":\#(t),"type":"link","path":"P\#(p)","up":true,"rtt_ms":80,"jitter_ms":2,"loss_pct":0}"# + "\n" }
            }
        }
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }

    @Test("a small recording of many sessions, arms and paths makes a bounded page in bounded memory", .timeLimit(.minutes(2)))
    func hostileRecordingBounded() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("hostile.ndjson").path, page = dir.appendingPathComponent("page.html").path
        Self.hostile(file)
        // The peak memory of surgtop alone: python's only child.
        let measure = "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
            + "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        let run = try ReportHTMLCLITests.run("/usr/bin/env", ["python3", "-c", measure, CLI.binary, "report", file, "--html", page], timeout: 90)
        let numbers = run.output.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(numbers.count == 2 && numbers[0] == 0, "\(run.output)")
        let peakKB = numbers.last ?? .max
        #expect(peakKB < 120_000, "surgtop peaked at \(peakKB) KB")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.utf8.count < 2_500_000, "\(html.utf8.count) bytes")
        #expect(html.contains("Plots are drawn for the first 10 sessions only."))
        #expect(html.contains("Arms after the first 8 are not plotted.") && html.contains("Paths after the first 4 are not plotted"))
    }
}
