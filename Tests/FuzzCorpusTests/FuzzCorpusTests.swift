import Foundation
import SurgtopFuzz
import Testing

/// Every seed of the fuzz corpus, reproductions of past crashes among them, run through what the
/// fuzz targets do (decode, apply, evaluate alarms, draw; read settings, lay out) in the normal
/// suite: a crash here stops the test process, so each file is a regression test.
@Suite("The fuzz corpus as regression tests")
struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FuzzCorpus")

    static func files(_ target: String) -> [String] {
        let dir = corpus.appendingPathComponent(target).path
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted().map { dir + "/" + $0 }
    }

    /// The reproductions, drawn in every mode, layout and size rather than one.
    static func isReproduction(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent
        return ["t-", "link-metrics-", "arm-values-", "arm-id-", "text-bidi", "found-", "session-version"].contains { name.hasPrefix($0) }
    }

    @Test("the corpus is there: seeds of every frame type and every reproduction")
    func corpusPresent() {
        func stem(_ path: String) -> String { (((path as NSString).lastPathComponent) as NSString).deletingPathExtension }
        let wire = Self.files("wire").map(stem)
        for name in ["frame-session", "frame-sync", "frame-arm", "t-huge-1e20", "link-metrics-1e19",
                     "arm-id-escape-sequences", "text-bidi-overrides", "session-version-2"] {
            #expect(wire.contains(name), "\(name)")
        }
        let settings = Self.files("settings").map(stem)
        for name in ["deep-flow-nesting", "layout-huge-weight", "billion-laughs", "found-layout-engine-overflow"] {
            #expect(settings.contains(name), "\(name)")
        }
    }

    @Test("every wire seed runs the whole path without a crash", arguments: files("wire").filter { !$0.hasSuffix(".dict") && !$0.hasSuffix(".md") })
    func wire(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        data.withUnsafeBytes { bytes in
            WireFuzz.run(bytes)
            if Self.isReproduction(path) { WireFuzz.runEveryScreen(bytes) }
        }
        let screen = data.withUnsafeBytes { WireFuzz.screen($0) }
        #expect(!screen.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x202E }, "no escape or bidi override drawn")
    }

    @Test("every settings seed is read as a layout and as alarm settings without a crash",
          arguments: files("settings").filter { !$0.hasSuffix(".dict") && !$0.hasSuffix(".md") })
    func settings(path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        data.withUnsafeBytes { SettingsFuzz.run($0) }
    }
}
