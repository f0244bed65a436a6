import Foundation
import Testing

/// A trainer's bookmarks (`FILE.marks.ndjson` beside the recording) reach every form of the report.
@Suite("surgtop report: bookmarks", .serialized)
struct ReportBookmarksCLITests {
    static func recording() -> String {
        ReportBaselineCLITests.recording("marked.ndjson", mm: 20, id: "M1")
    }

    @Test("the sidecar's bookmarks are in the text, in --json and on the page, notes sanitised")
    func bookmarksEverywhere() throws {
        let path = Self.recording()
        let sidecar = #"{"t":0.5,"note":"wrist too close \u001b[31mhere","created_at":"2026-11-26T07:00:00Z"}"# + "\n"
            + #"{"t":0.9,"note":"good recovery","created_at":"2026-11-26T07:01:00Z"}"# + "\n"
        try sidecar.write(toFile: path + ".marks.ndjson", atomically: true, encoding: .utf8)
        let text = try CLI.run(["report", path])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("Bookmarks: 2"))
        #expect(text.stdout.contains("good recovery"))
        #expect(!text.stdout.contains("\u{1B}"), "no escape sequence from the sidecar reaches the terminal")
        let json = try CLI.run(["report", path, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let marks = try #require(object["bookmarks"] as? [[String: Any]])
        #expect(marks.count == 2)
        #expect(marks.map { $0["note"] as? String } .contains("good recovery"))
        let page = CLI.temporaryDirectory().appendingPathComponent("marked.html").path
        let html = try CLI.run(["report", path, "--html", page])
        #expect(html.status == 0, "\(html.stderr)")
        let written = try String(contentsOfFile: page, encoding: .utf8)
        #expect(written.contains("good recovery"))
    }

    @Test("a damaged sidecar is said on stderr; the readable bookmarks are reported and the exit code is the recording's")
    func damagedSidecar() throws {
        let path = Self.recording()
        try ("not json\n" + #"{"t":0.7,"note":"kept","created_at":"2026-11-26T07:00:00Z"}"# + "\n")
            .write(toFile: path + ".marks.ndjson", atomically: true, encoding: .utf8)
        let result = try CLI.run(["report", path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Bookmarks: 1") && result.stdout.contains("kept"))
        #expect(result.stderr.contains("marks.ndjson"), "the problem names the sidecar: \(result.stderr)")
    }
}
