import Console
import Foundation
import SessionCore
import Testing
import View
import YAMLFiles

/// Settings files that once stopped surgtop at start: nested deep enough to overflow the YAML
/// parser's stack (SIGSEGV), or with sizes that overflowed the layout arithmetic (SIGILL).
@Suite("Hostile settings files")
struct HostileSettingsFileTests {
    static let deepFlow = "link: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "\n"
    static let deepBlock = (0..<1000).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1\n"
    static let deepCompact = "link:\n  " + String(repeating: "- ", count: 5000) + "x\n"
    static let laughs = """
    a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    root: {rows: [*c]}

    """

    func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "surgtop-hostile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// What a hand-written pre-scan of the YAML text once missed (a review found each): block
    /// scalars, continuation lines, flow keys, tabs after anchors and tags, other line breaks.
    /// `D` stands for 100,000 nested flow lists.
    static let scannerBypasses: [String] = [
        "- a: |\n    text\n  b: D\n", "- a: b >\n  c: D\n", "a: x\n  \"y\nb: D\n",
        "a: x\n  [\nb:\n  " + String(repeating: "- ", count: 100_000) + "x\n",
        "link: [a:\", D]\n", "link: {? \"]\", D}\n", "link: &x\tD\n", "link: !!seq\tD\n", "---\tD\n",
        "x:\r- D\n", "x:\u{85}- D\n", "x:\u{2028}- D\n",
    ].map { $0.replacingOccurrences(of: "D", with: String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)) }

    @Test("YAML that a text pre-scan under-counts is still refused (or fails to parse), never composed",
          arguments: scannerBypasses)
    func scannerBypass(yaml: String) {
        #expect(throws: FileProblem.self) { try AlarmSettingsFile.parse(yaml: yaml, file: "b.yaml") }
        #expect(throws: FileProblem.self) { try LayoutParser.parse(yaml: yaml, file: "b.yaml", defaultName: "b") }
    }

    @Test("an alias hidden behind a continuation line is refused")
    func hiddenAlias() {
        #expect(throws: FileProblem.self) { try SettingsFileGuard.checkShape("a: x\n  \"y\nb: &a [1]\nc: *a\n", file: "a.yaml") }
    }

    @Test("depth is counted exactly: 64 nested levels pass, 65 do not")
    func exactDepth() throws {
        func nested(_ n: Int) -> String {
            (0..<n).map { String(repeating: "  ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1\n"
        }
        try SettingsFileGuard.checkShape(nested(64), file: "ok.yaml")
        #expect(throws: FileProblem.self) { try SettingsFileGuard.checkShape(nested(65), file: "deep.yaml") }
    }

    @Test("alarm settings nested 5,000 deep are refused with the file and line",
          arguments: [deepFlow, deepBlock, deepCompact])
    func deepAlarmSettings(yaml: String) {
        #expect(throws: FileProblem.self) { try AlarmSettingsFile.parse(yaml: yaml, file: "d.yaml") }
        do {
            _ = try AlarmSettingsFile.parse(yaml: yaml, file: "d.yaml")
        } catch {
            #expect(error.description.hasPrefix("d.yaml:"))
            #expect(error.problem.contains("nested more than 64 levels"))
        }
    }

    @Test("a layout nested 5,000 deep is refused", arguments: [deepFlow, deepBlock, deepCompact])
    func deepLayout(yaml: String) {
        #expect(throws: FileProblem.self) { try LayoutParser.parse(yaml: yaml, file: "x.yaml", defaultName: "x") }
    }

    @Test("aliases are refused (a few lines could expand to billions of nodes)")
    func aliases() {
        #expect(throws: FileProblem.self) { try LayoutParser.parse(yaml: Self.laughs, file: "x.yaml", defaultName: "x") }
        do {
            _ = try LayoutParser.parse(yaml: Self.laughs, file: "x.yaml", defaultName: "x")
        } catch {
            #expect(error.line == 2 && error.problem.contains("aliases"))
        }
    }

    @Test("ordinary YAML passes the shape check: quotes, comments, block scalars, brackets in words")
    func ordinaryShapes() throws {
        let yaml = """
        --- # a document
        tabbed: |\t# a comment after a tab
          text
        name: "a [quoted { text"
        description: 'it''s [not a list'
        note: |
          lines [[[[ here
            are text {{{{
        word: a[b
        list:
          - - x
            - {a: [1, 2], b: "]"}
        tagged: !!str [x]
        anchored: &n 3

        """
        try SettingsFileGuard.checkShape(yaml, file: "ok.yaml")
        try SettingsFileGuard.checkShape(defaultAlarmSettingsYAML, file: "defaults")
        for file in ShippedLayouts.files { try SettingsFileGuard.checkShape(file.yaml, file: file.name) }
    }

    @Test("sizes, minimums and weights near 2^63 are refused when the layout is read",
          arguments: ["weight", "size", "min"])
    func hugeLayoutNumbers(key: String) {
        let yaml = "root:\n  rows:\n    - panel: header\n      \(key): 9223372036854775000\n    - panel: link\n"
        do {
            _ = try LayoutParser.parse(yaml: yaml, file: "t.yaml", defaultName: "t")
            Issue.record("accepted")
        } catch {
            #expect(error.line == 4 && error.problem.contains("at most 10,000"))
        }
    }

    @Test("a YAML 1.1 base-60 number beyond Int is an error, not a trap in the YAML library (found by fuzzing)")
    func base60Overflow() {
        let big = "9223372036:922337203685477580"
        #expect(throws: FileProblem.self) {
            try LayoutParser.parse(yaml: "min_width: \(big)\nroot: {panel: header}\n", file: "b.yaml", defaultName: "b")
        }
        #expect(throws: FileProblem.self) { try AlarmSettingsFile.parse(yaml: "telemetry:\n  gap_count: \(big)\n", file: "a.yaml") }
        #expect(throws: FileProblem.self) { try AlarmSettingsFile.parse(yaml: "audio:\n  high_bells: -\(big)\n", file: "a.yaml") }
    }

    @Test("the layout engine never overflows, whatever constraints it is given")
    func engineClamps() {
        let sizes = LayoutEngine.sizes(total: 100, [SizeConstraint(min: Int.max, weight: Int.max),
                                                    SizeConstraint(fixed: Int.max), SizeConstraint(min: Int.min, weight: Int.min),
                                                    .weight(Int.max / 2, min: Int.max / 2)])
        #expect(sizes.reduce(0, +) <= 100)
    }

    @Test("a stray deep file among the user's layouts is listed as an error; every other layout works")
    func strayUserLayout() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.deepFlow.write(toFile: dir + "/stray.yaml", atomically: true, encoding: .utf8)
        try "root:\n  rows:\n    - panel: header\n      weight: 9223372036854775000\n    - panel: link\n"
            .write(toFile: dir + "/trainer.yaml", atomically: true, encoding: .utf8)
        let catalog = UserLayouts.catalog(directory: dir)
        #expect(catalog.entries.first { $0.name == "stray" }?.error != nil)
        #expect(catalog.entries.first { $0.name == "trainer" }?.error != nil)
        // The replay default falls back to the shipped trainer layout.
        #expect(catalog.defaultLayout(for: .replay) == LayoutCatalog.builtIn("trainer"))
        #expect(catalog.listing().contains { $0.contains("stray") && $0.contains("ERROR") })
    }

    @Test("a FIFO, a directory or an oversized file is refused without reading it")
    func notRegularFiles() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fifo = dir + "/fifo.yaml"
        #expect(mkfifo(fifo, 0o600) == 0)
        let big = dir + "/big.yaml"
        try String(repeating: "# padding\n", count: 110_000).write(toFile: big, atomically: true, encoding: .utf8)
        for (path, problem) in [(fifo, "not a regular file"), (dir, "not a regular file"),
                                (big, "too large"), (dir + "/none.yaml", "no such file")] {
            do {
                _ = try AlarmSettingsFile.load(path: path)
                Issue.record("\(path) accepted")
            } catch {
                #expect(error.problem.contains(problem), "\(path): \(error)")
            }
            #expect(UserLayouts.load(path: path, name: nil).isFailure)
        }
    }
}

private extension Result {
    var isFailure: Bool {
        if case .failure = self { return true }
        return false
    }
}
