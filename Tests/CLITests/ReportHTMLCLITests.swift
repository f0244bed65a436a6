import Foundation
import Testing

/// `surgtop report FILE --html OUT`, end to end: the page written, refused paths, and the page
/// rendered by a real browser (headless Chromium).
@Suite("surgtop report --html", .serialized)
struct ReportHTMLCLITests {
    /// What would make a browser fetch something, or run anything.
    static let externalReferences = ["src=", "href=", "url(", "<link", "@import", "@font-face", "<script", "<iframe",
                                     "<object", "<embed", "<img", "http-equiv", "srcset", "<base", "http:", "https:"]

    /// A small simulated recording (20 s, every arm, link and alarm).
    static func recording(in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("case.ndjson").path
        let sim = try CLI.run(["sim", "--out", path, "--duration", "20", "--seed", "3"])
        #expect(sim.status == 0, "\(sim.stderr)")
        return path
    }

    @Test("--html writes one self-contained page, says where, and still prints the report")
    func writesPage() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("page.html").path
        let result = try CLI.run(["report", try Self.recording(in: dir), "--html", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("Session SIM-0003"))
        #expect(result.stdout.contains("Report page written to '\(out)' ("))
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        for reference in Self.externalReferences { #expect(!html.contains(reference), "the page contains \(reference)") }
        #expect(html.contains("<h2>Scorecard</h2>") && html.contains("<svg"))
        #expect(html.utf8.count < 300_000)
    }

    @Test("with --json the JSON stays alone on stdout and the page's path goes to stderr")
    func jsonAndPage() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("page.html").path
        let result = try CLI.run(["report", try Self.recording(in: dir), "--json", "--html", out])
        #expect(result.status == 0)
        #expect(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) is [String: Any])
        #expect(result.stderr.contains("report page written to '\(out)'"))
        #expect(FileManager.default.fileExists(atPath: out))
    }

    @Test("a directory, or a path in a missing directory, is refused before any work (exit 2)")
    func refusedPaths() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let recording = try Self.recording(in: dir)
        let intoDirectory = try CLI.run(["report", recording, "--html", dir.path])
        #expect(intoDirectory.status == 2)
        #expect(intoDirectory.stdout.isEmpty)
        #expect(intoDirectory.stderr.contains("--html: '\(dir.path)' is a directory; name the page's file"))
        let missing = try CLI.run(["report", recording, "--html", dir.appendingPathComponent("no/such/page.html").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("does not exist"))
    }

    @Test("the bands drawn are the thresholds in force: --alarms FILE is honoured")
    func alarmSettingsHonoured() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let settings = dir.appendingPathComponent("alarms.yaml").path
        _ = FileManager.default.createFile(atPath: settings, contents: Data("link:\n  rtt_ms: {low: 150, medium: 250, high: 450}\n".utf8))
        let out = dir.appendingPathComponent("page.html").path
        let result = try CLI.run(["report", try Self.recording(in: dir), "--alarms", settings, "--html", out])
        #expect(result.status == 0, "\(result.stderr)")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.contains("high ≥ 450") && html.contains("low ≥ 150 ms"))
        #expect(!html.contains("high ≥ 300"), "the default round-trip threshold is not drawn")
    }

    /// Chromium as Debian installs it (`.ci/run` installs it).
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("the page renders in headless Chromium to a picture that is not blank", .timeLimit(.minutes(2)))
    func rendersInChromium() throws {
        guard let chromium = Self.chromium else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                Issue.record("chromium is not installed: .ci/run installs Debian's chromium for this test")
            } else {
                print("skipped: chromium is not installed (CI=true makes this a failure; apt-get install chromium)")
            }
            return
        }
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }  // the profile and the picture with it
        let out = dir.appendingPathComponent("page.html").path
        let report = try CLI.run(["report", try Self.recording(in: dir), "--html", out])
        #expect(report.status == 0)
        let png = dir.appendingPathComponent("page.png").path
        let render = try Self.run(chromium, ["--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars",
                                             "--user-data-dir=" + dir.appendingPathComponent("profile").path,
                                             "--screenshot=" + png, "--window-size=1000,1400", "file://" + out], timeout: 60)
        #expect(render.status == 0, "chromium failed: \(render.output.suffix(600))")
        #expect(FileManager.default.fileExists(atPath: png), "chromium wrote no picture: \(render.output.suffix(600))")
        let tool = CLI.packageRoot.appendingPathComponent("scripts/png-tool").path
        let stats = try Self.run("/usr/bin/env", ["python3", tool, "stats", png], timeout: 60)
        #expect(stats.status == 0, "\(stats.output)")
        let numbers = try #require(try JSONSerialization.jsonObject(with: Data(stats.output.utf8)) as? [String: Double])
        #expect(numbers["width"] == 1000 && numbers["height"] == 1400)
        #expect((numbers["non_white_fraction"] ?? 0) > 0.03, "\(stats.output)")
        // Text alone has many colours: the plots are proven by their own. The first two lines'
        // colours (the paths primary and backup), and the bands as drawn over white at their opacity.
        let lines = ["1f5fa8", "d9822b"]
        let bands = [Self.overWhite("138496", 0.10), Self.overWhite("d49a00", 0.15), Self.overWhite("c0392b", 0.12)]
        let counted = try Self.run("/usr/bin/env", ["python3", tool, "count", png, "--tolerance", "1"] + lines + bands, timeout: 60)
        let pixels = try #require(try JSONSerialization.jsonObject(with: Data(counted.output.utf8)) as? [String: Int], "\(counted.output)")
        for colour in lines { #expect(pixels[colour, default: 0] > 300, "line #\(colour): \(counted.output)") }
        for colour in bands { #expect(pixels[colour, default: 0] > 5_000, "band #\(colour): \(counted.output)") }
    }

    /// `rgb` (RRGGBB) painted at `opacity` over white, as RRGGBB: how a band shows.
    static func overWhite(_ rgb: String, _ opacity: Double) -> String {
        stride(from: 0, to: 6, by: 2).map { i -> String in
            let start = rgb.index(rgb.startIndex, offsetBy: i)
            let channel = Double(Int(rgb[start..<rgb.index(start, offsetBy: 2)], radix: 16) ?? 0)
            let shown = Int((255 * (1 - opacity) + channel * opacity).rounded())
            return (shown < 16 ? "0" : "") + String(shown, radix: 16)
        }.joined()
    }

    /// Runs a program with a deadline; stdout and stderr together. The output goes to a file,
    /// not a pipe: a child the program leaves behind holding a pipe could block the reading.
    /// Past the deadline its whole process group is killed (Foundation starts it in its own).
    static func run(_ program: String, _ arguments: [String], timeout: Double) throws -> (status: Int32, output: String) {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("output.txt")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(-process.processIdentifier, SIGKILL)
            Issue.record("\(program) did not finish within \(timeout) s")
        }
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}
