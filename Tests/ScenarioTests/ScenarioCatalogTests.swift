import Console
import Foundation
import Simulator
import Telemetry
import Testing
import YAMLFiles

@Suite("Scenario catalog")
struct ScenarioCatalogTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("the embedded scenarios are the Scenarios/ files, byte for byte (run scripts/embed-scenarios)")
    func embeddedAreTheFiles() throws {
        let folder = Self.root.appendingPathComponent("Scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.map { String($0.dropLast(5)) } == ShippedScenarios.files.map(\.name).sorted(), "run scripts/embed-scenarios")
        for file in ShippedScenarios.files {
            let data = try Data(contentsOf: folder.appendingPathComponent(file.name + ".yaml"))
            let same = Array(data) == Array(file.yaml.utf8)
            #expect(same, "Scenarios/\(file.name).yaml differs: run scripts/embed-scenarios")
        }
    }

    @Test("every shipped scenario parses, lasts 2 to 4 minutes, and lets each caption stand 6 s or more")
    func shippedAreDemoReady() throws {
        let catalog = ScenarioCatalog(directory: nil)
        #expect(catalog.entries.map(\.name) == ScenarioCatalog.tourOrder)
        for entry in catalog.entries {
            let scenario = try entry.scenario.get()
            #expect((120...240).contains(scenario.duration), "\(entry.name)")
            let captions = scenario.steps.compactMap { step in step.caption.map { (step.time, $0) } }
            #expect(captions.first?.0 == 0, "\(entry.name) says what it is from the start")
            for (a, b) in zip(captions, captions.dropFirst()) {
                #expect(b.0 - a.0 >= 6, "\(entry.name): caption at \(b.0) follows \(a.0) too soon")
            }
            // The last caption stands too, before the tour moves on.
            #expect(scenario.duration - (captions.last?.0 ?? 0) >= 6, "\(entry.name)")
            for (_, text) in captions { #expect(text.count <= 120, "\(entry.name): '\(text)' is \(text.count) long") }
        }
    }

    @Test("a user file replaces a shipped one of the same name; XDG_CONFIG_HOME is honoured")
    func userFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scenarios-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try scenarioYAML().write(to: dir.appendingPathComponent("routine.yaml"), atomically: true, encoding: .utf8)
        try scenarioYAML().write(to: dir.appendingPathComponent("mine.yml"), atomically: true, encoding: .utf8)
        try "title: [".write(to: dir.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let catalog = ScenarioCatalog(directory: dir.path)
        let routine = try catalog.resolve("routine").get()
        #expect(routine.title == "Test" && routine.name == "routine")
        #expect(try catalog.resolve("mine").get().name == "mine")
        let listing = catalog.listing()
        #expect(listing.contains { $0.hasPrefix("routine") && $0.contains("(overrides built-in)") })
        #expect(listing.contains { $0.hasPrefix("broken") && $0.contains("ERROR \(dir.path)/broken.yaml:") && $0.contains("invalid YAML") })
        let tour = catalog.tour()
        #expect(tour.scenarios.count == 6 && tour.problems.count == 1)
        #expect(ScenarioCatalog.defaultDirectory(environment: ["XDG_CONFIG_HOME": "/x", "HOME": "/h"]) == "/x/surgtop/scenarios")
        #expect(ScenarioCatalog.defaultDirectory(environment: ["HOME": "/h"]) == "/h/.config/surgtop/scenarios")
    }

    @Test("--scenario takes a name or a path; an unknown name lists the scenarios")
    func resolve() throws {
        let catalog = ScenarioCatalog(directory: nil)
        let unknown = try #require(catalog.resolve("nosuch").failureValue)
        #expect(unknown.description == "nosuch: no such scenario (scenarios: "
                + ScenarioCatalog.tourOrder.joined(separator: ", ") + "; or give a file path)")
        let missing = try #require(catalog.resolve("/nonexistent/x.yaml").failureValue)
        #expect(missing.description == "/nonexistent/x.yaml: no such file")
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}
