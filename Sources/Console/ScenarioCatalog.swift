import Simulator
import SystemCalls
import YAMLFiles

/// The scenarios a demo can play: those shipped in `Scenarios/` (embedded, `ShippedScenarios`)
/// and the user's own in `$XDG_CONFIG_HOME/surgtop/scenarios` or `~/.config/surgtop/scenarios`
/// (`NAME.yaml` or `NAME.yml`). A user file with a shipped name replaces it, as layouts do.
public struct ScenarioCatalog: Sendable {
    public struct Entry: Sendable {
        public var name: String
        /// "built-in", or the user file's path.
        public var origin: String
        public var scenario: Result<Scenario, FileProblem>
    }

    public private(set) var entries: [Entry]

    /// The tour's order: the story builds from the healthy case to the worst day.
    public static let tourOrder = ["routine", "congestion-failover", "instrument-fault", "link-loss", "long-distance"]

    /// The shipped scenarios and the user's from `directory` (nil: shipped only), read now.
    public init(directory: String? = ScenarioCatalog.defaultDirectory()) {
        var entries = ShippedScenarios.files.map { file in
            Entry(name: file.name, origin: "built-in",
                  scenario: Result { () throws(FileProblem) in
                      try ScenarioFile.parse(file.yaml, file: "built-in \(file.name)", name: file.name) })
        }
        for file in directory.map(Self.files(in:)) ?? [] {
            let name = file.name, path = file.path
            let entry = Entry(name: name, origin: path, scenario: Self.load(path: path, name: name))
            if let i = entries.firstIndex(where: { $0.name == name }) { entries[i] = entry } else { entries.append(entry) }
        }
        let rank = { (name: String) in Self.tourOrder.firstIndex(of: name) ?? Self.tourOrder.count }
        self.entries = entries.sorted { (rank($0.name), $0.name) < (rank($1.name), $1.name) }
    }

    /// `$XDG_CONFIG_HOME/surgtop/scenarios` when XDG_CONFIG_HOME is set, else
    /// `$HOME/.config/surgtop/scenarios`; nil without either.
    public static func defaultDirectory(environment: [String: String] = SystemCalls.environment()) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/surgtop/scenarios" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/surgtop/scenarios" }
        return nil
    }

    /// Reads and parses one scenario file (a regular UTF-8 file of at most 1 MiB).
    public static func load(path: String, name: String) -> Result<Scenario, FileProblem> {
        Result { () throws(FileProblem) in
            try ScenarioFile.parse(try SettingsFileGuard.readText(path: path), file: path, name: name)
        }
    }

    /// A `--scenario NAME|PATH` argument: a scenario of the catalog by name, or a file (any
    /// argument with a `/` or ending in .yaml/.yml), read now.
    public func resolve(_ argument: String) -> Result<Scenario, FileProblem> {
        if argument.contains("/") || argument.hasSuffix(".yaml") || argument.hasSuffix(".yml") {
            let file = argument.split(separator: "/").last.map(String.init) ?? argument
            let stem = file.lastIndex(of: ".").map { String(file[..<$0]) } ?? file
            return Self.load(path: argument, name: stem.isEmpty ? file : stem)
        }
        if let entry = entries.first(where: { $0.name == argument }) { return entry.scenario }
        let names = entries.map(\.name).joined(separator: ", ")
        return .failure(FileProblem(file: argument, problem: "no such scenario (scenarios: \(names); or give a file path)"))
    }

    /// `NAME.yaml` and `NAME.yml` files of a directory, by name (a missing directory has none).
    static func files(in directory: String) -> [(name: String, path: String)] {
        guard let items = try? SystemCalls.directoryEntries(directory) else { return [] }
        var out: [String: String] = [:]
        for item in items.sorted() where item.hasSuffix(".yaml") || item.hasSuffix(".yml") {
            let name = String(item[..<item.lastIndex(of: ".")!])
            guard !name.isEmpty, !name.hasPrefix(".") else { continue }
            if out[name] == nil { out[name] = directory + "/" + item }
        }
        return out.keys.sorted().map { ($0, out[$0]!) }
    }
}

extension ScenarioCatalog {
    /// `surgtop demo --list`: a heading, then one line per scenario with its length, where it
    /// comes from and its description, or the error that makes it unusable.
    public func listing() -> [String] {
        let shipped = Set(ShippedScenarios.files.map(\.name))
        let rows = entries.map { entry -> (String, String, String, String) in
            let source = entry.origin == "built-in" ? entry.origin
                : entry.origin + (shipped.contains(entry.name) ? " (overrides built-in)" : "")
            switch entry.scenario {
            case .success(let scenario):
                return (entry.name, ScenarioFile.clock(scenario.duration), source, scenario.description)
            case .failure(let problem):
                return (entry.name, "-", source, "ERROR " + problem.description)
            }
        }
        func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
        let nameWidth = max(4, rows.map(\.0.count).max() ?? 0)
        let sourceWidth = max(6, rows.map(\.2.count).max() ?? 0)
        var out = [pad("NAME", nameWidth) + "  LENGTH  " + pad("SOURCE", sourceWidth) + "  DESCRIPTION"]
        for row in rows {
            out.append(pad(row.0, nameWidth) + "  " + pad(row.1, 6) + "  " + pad(row.2, sourceWidth) + "  " + row.3)
        }
        return out
    }

    /// The scenarios a tour plays, in tour order, and a sentence for each that cannot be used.
    public func tour() -> (scenarios: [Scenario], problems: [String]) {
        var scenarios: [Scenario] = [], problems: [String] = []
        for entry in entries {
            switch entry.scenario {
            case .success(let scenario): scenarios.append(scenario)
            case .failure(let problem): problems.append("scenario \(entry.name) left out of the tour: \(problem)")
            }
        }
        return (scenarios, problems)
    }
}
