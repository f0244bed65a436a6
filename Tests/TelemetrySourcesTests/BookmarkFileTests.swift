import Foundation
import SessionCore
import Telemetry
import Testing
@testable import TelemetrySources

/// The bookmark sidecar (`FILE.marks.ndjson`): appended to, never the recording; read as hostile.
@Suite("Bookmark file", .serialized)
struct BookmarkFileTests {
    static func directory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("surgtop-marks-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static func recording(in dir: String) throws -> String {
        let path = dir + "/case.ndjson"
        try "{\"type\":\"session\",\"t\":0,\"id\":\"S\",\"arms\":[]}\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a bookmark is appended beside the recording and read back; the recording is untouched")
    func roundTrip() throws {
        let recording = try Self.recording(in: Self.directory())
        let before = try Data(contentsOf: URL(fileURLWithPath: recording))
        #expect(BookmarkFile.read(recording: recording) == BookmarkFile.Contents(bookmarks: [], problem: nil))
        let first = Bookmark(t: 12.5, note: "clutch \"late\"", createdAt: "2026-11-26T07:12:03Z")
        let second = Bookmark(t: 3, session: 1, note: "second session", createdAt: "2026-11-26T07:13:00Z")
        try BookmarkFile.append(first, recording: recording)
        try BookmarkFile.append(second, recording: recording)
        let text = try String(contentsOfFile: recording + ".marks.ndjson", encoding: .utf8)
        #expect(text == "{\"t\":12.5,\"note\":\"clutch \\\"late\\\"\",\"created_at\":\"2026-11-26T07:12:03Z\"}\n"
            + "{\"t\":3,\"note\":\"second session\",\"created_at\":\"2026-11-26T07:13:00Z\",\"session\":1}\n")
        #expect(BookmarkFile.read(recording: recording).bookmarks == [first, second])
        #expect(try Data(contentsOf: URL(fileURLWithPath: recording)) == before)
    }

    @Test("bad lines are skipped, counted and the first one said; good ones around them are kept")
    func badLines() throws {
        let recording = try Self.recording(in: Self.directory())
        let lines = [
            "{\"t\":1,\"note\":\"ok\",\"created_at\":\"x\"}",
            "not json",
            "{\"t\":-4,\"note\":\"negative\"}",
            "{\"t\":1e300,\"note\":\"huge\"}",
            "{\"t\":\"5\",\"note\":\"t as text\"}",
            "{\"t\":2,\"note\":7}",
            "{\"t\":2,\"note\":\"bad session\",\"session\":-1}",
            "",
            "{\"t\":3,\"note\":\"also ok\",\"extra\":[1,{\"a\":2}]}",
        ]
        try lines.joined(separator: "\n").write(toFile: recording + ".marks.ndjson", atomically: true, encoding: .utf8)
        let contents = BookmarkFile.read(recording: recording)
        #expect(contents.bookmarks.map(\.note) == ["ok", "also ok"])
        let problem = try #require(contents.problem)
        #expect(problem.contains("6 bad lines skipped"))
        #expect(problem.contains("line 2:"), "the first bad line is named")
    }

    @Test("escape sequences and controls in a note are made harmless, and long notes cut")
    func hostileNotes() throws {
        let recording = try Self.recording(in: Self.directory())
        let long = String(repeating: "x", count: 5_000)
        let lines = ["{\"t\":1,\"note\":\"\\u001b[2Jwiped\\u0007\\u009b31m\"}", "{\"t\":2,\"note\":\"\(long)\"}"]
        try lines.joined(separator: "\n").write(toFile: recording + ".marks.ndjson", atomically: true, encoding: .utf8)
        let marks = BookmarkFile.read(recording: recording).bookmarks
        #expect(marks.count == 2)
        #expect(!marks[0].note.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        #expect(marks[0].note.contains("wiped"))
        #expect(marks[1].note.count == BookmarkFile.maxNoteCharacters)
    }

    @Test("a huge sidecar is read only up to its cap, and says so")
    func huge() throws {
        let recording = try Self.recording(in: Self.directory())
        let line = "{\"t\":1,\"note\":\"\(String(repeating: "n", count: 100))\"}\n"
        let text = String(repeating: line, count: (BookmarkFile.maxBytes / line.utf8.count) * 3)
        try text.write(toFile: recording + ".marks.ndjson", atomically: true, encoding: .utf8)
        let contents = BookmarkFile.read(recording: recording)
        #expect(contents.bookmarks.count <= BookmarkFile.maxBookmarks)
        #expect(contents.bookmarks.count > 1_000)
        #expect(contents.problem?.contains("only its first 1 MiB read") == true)
        #expect(contents.problem?.contains("bad line") == false, "the line cut at the cap is not counted as bad")
    }

    @Test("a sidecar cut inside its last line gets a newline before the next bookmark")
    func cutSidecar() throws {
        let recording = try Self.recording(in: Self.directory())
        try "{\"t\":1,\"note\":\"a\"}\n{\"t\":2,\"no".write(toFile: recording + ".marks.ndjson", atomically: true, encoding: .utf8)
        try BookmarkFile.append(Bookmark(t: 5, note: "after the cut", createdAt: "z"), recording: recording)
        let contents = BookmarkFile.read(recording: recording)
        #expect(contents.bookmarks.map(\.note) == ["a", "after the cut"])
        #expect(contents.problem?.contains("1 bad line skipped") == true)
    }

    @Test("a directory that cannot take the sidecar is a clear sentence from the writer")
    func readOnlyDirectory() async throws {
        let dir = try Self.directory()
        let recording = try Self.recording(in: dir)
        // A directory where the sidecar would go (root ignores permissions, so a path that is no file).
        try FileManager.default.createDirectory(atPath: recording + ".marks.ndjson", withIntermediateDirectories: true)
        let writer = BookmarkWriter(recording: recording)
        writer.append(Bookmark(t: 1, note: "n", createdAt: "z"))
        let deadline = Date().addingTimeInterval(5)
        var problem: String?
        while problem == nil && Date() < deadline {
            problem = writer.takeProblem()
            try await Task.sleep(nanoseconds: 10_000_000)
        }
        #expect(problem?.contains("bookmark not saved") == true)
        #expect(problem?.contains("not a regular file") == true)
        #expect(BookmarkFile.read(recording: recording).problem?.contains("not a regular file") == true)
    }
}
