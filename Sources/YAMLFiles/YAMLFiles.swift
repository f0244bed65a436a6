import Telemetry
import Yams

/// A settings file that cannot be used (a layout, alarm settings): which file, where in it,
/// and what is wrong. Shown as "FILE:LINE:COLUMN: PROBLEM", like a compiler.
public struct FileProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file's path, or a name such as "built-in compact".
    public var file: String
    /// 1-based line and column, when known.
    public var line: Int?
    public var column: Int?
    public var problem: String

    public init(file: String, line: Int? = nil, column: Int? = nil, problem: String) {
        self.file = file
        self.line = line
        self.column = column
        self.problem = problem
    }

    public var description: String {
        var s = file
        if let line {
            s += ":\(line)"
            if let column { s += ":\(column)" }
        }
        return s + ": " + problem
    }
}

/// Composes a YAML document, turning Yams' errors into a `FileProblem` with the line and column.
/// Returns nil for an empty document. Text nested too deep or using aliases is refused before
/// it reaches the parser (`SettingsFileGuard.checkShape`).
public func composeYAML(_ yaml: String, file: String) throws(FileProblem) -> Node? {
    try SettingsFileGuard.checkShape(yaml, file: file)
    do {
        return try Yams.compose(yaml: yaml)
    } catch let error as YamlError {
        throw problem(from: error, file: file)
    } catch {
        throw FileProblem(file: file, problem: "cannot read YAML: \(error)")
    }
}

private func problem(from error: YamlError, file: String) -> FileProblem {
    func detail(_ context: YamlError.Context?, _ problem: String) -> String {
        guard let context else { return problem }
        return "\(problem) (\(context.text) at line \(context.mark.line))"
    }
    switch error {
    case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
         let .composer(context, problem, mark, _):
        return FileProblem(file: file, line: mark.line, column: mark.column, problem: "invalid YAML: " + detail(context, problem))
    case let .reader(problem, offset, _, yaml):
        var line: Int?
        if let offset {
            line = 1 + yaml.utf8.prefix(offset).reduce(0) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        }
        return FileProblem(file: file, line: line, problem: "invalid text: \(problem)")
    default:
        return FileProblem(file: file, problem: "invalid YAML: \(error)")
    }
}

/// A walker over a composed YAML tree whose errors name the file and the node's place in it.
/// Schemas (layouts, alarm settings) build on `fail`, `kind` and `pairs`.
public protocol YAMLTreeReader {
    var file: String { get }
}

extension YAMLTreeReader {
    public func fail(_ node: Node?, _ problem: String) -> FileProblem {
        FileProblem(file: file, line: node?.mark?.line, column: node?.mark?.column, problem: problem)
    }

    /// A whole number written in decimal, read with `Int(_:)` (nil beyond `Int`) rather than
    /// Yams' integer constructor, which traps on a YAML 1.1 base-60 number beyond `Int`
    /// (`9223372036:922337203685477580`, found by the settings fuzzer).
    public func wholeNumber(_ node: Node) -> Int? {
        guard case .scalar(let scalar) = node else { return nil }
        return Int(scalar.string)
    }

    /// What a node is, for "found …" in messages.
    public func kind(_ node: Node) -> String {
        switch node {
        case .scalar(let s): s.string.isEmpty ? "nothing" : WireText.quoted(s.string)
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }

    /// The pairs of a mapping in file order, refusing unknown and repeated keys.
    /// `allowed` is listed in that order when a key is unknown.
    public func pairs(_ node: Node, allowed: [String], what: String) throws(FileProblem) -> [(key: String, keyNode: Node, value: Node)] {
        guard case .mapping(let mapping) = node else {
            throw fail(node, "\(what) must be a mapping of keys to values, found \(kind(node))")
        }
        var out: [(key: String, keyNode: Node, value: Node)] = []
        var seen = Set<String>()
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else { throw fail(keyNode, "keys must be plain words in \(what)") }
            let key = scalar.string
            guard allowed.contains(key) else {
                throw fail(keyNode, "unknown key '\(key)' in \(what) (expected one of: \(allowed.joined(separator: ", ")))")
            }
            guard seen.insert(key).inserted else { throw fail(keyNode, "key '\(key)' appears twice in \(what)") }
            out.append((key, keyNode, value))
        }
        return out
    }
}
