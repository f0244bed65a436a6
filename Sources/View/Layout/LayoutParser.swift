import Telemetry
import Yams
import YAMLFiles

/// A layout file that cannot be used: which file, where in it, and what is wrong. The console
/// shows `description` and falls back to the mode's default layout.
public typealias LayoutError = FileProblem

/// Reads the YAML layout schema (documented in Layouts/README.md) into a `Layout`, checking
/// its meaning as well as its syntax.
public enum LayoutParser {
    static let topKeys = ["description", "min_height", "min_width", "name", "root"]
    static let nodeKeys = ["columns", "fill", "large", "min", "panel", "prefer", "rows", "size", "weight"]

    /// Parses `yaml`. `file` names the source in errors; `defaultName` is used when the file
    /// has no `name`.
    public static func parse(yaml: String, file: String, defaultName: String,
                             source: LayoutSource = .builtIn) throws(LayoutError) -> Layout {
        let document = try composeYAML(yaml, file: file)
        guard let document else {
            throw LayoutError(file: file, line: 1, problem: "the file is empty; a layout needs at least `root:`")
        }
        var reader = Reader(file: file)
        return try reader.layout(document, defaultName: defaultName, source: source)
    }

    /// Walks the composed YAML tree with the file name at hand for errors.
    struct Reader: YAMLTreeReader {
        let file: String
        var seenPanels: [PanelID: Int] = [:]

        init(file: String) {
            self.file = file
        }

        /// A whole number from 0 to `limit` (cells, or a weight): larger ones mean nothing on a
        /// screen and would overflow the layout arithmetic.
        func count(_ node: Node, _ key: String, limit: Int) throws(LayoutError) -> Int {
            guard case .scalar = node, let n = wholeNumber(node) else {
                throw fail(node, "\(key) must be a whole number, found \(kind(node))")
            }
            guard n >= 0 else { throw fail(node, "\(key) must not be negative, found \(n)") }
            guard n <= limit else { throw fail(node, "\(key) must be at most \(Format.grouped(limit)), found \(n)") }
            return n
        }

        func text(_ node: Node, _ key: String) throws(LayoutError) -> String {
            guard case .scalar(let s) = node else { throw fail(node, "\(key) must be text, found \(kind(node))") }
            return s.string
        }

        mutating func layout(_ document: Node, defaultName: String, source: LayoutSource) throws(LayoutError) -> Layout {
            var name = defaultName
            var description = ""
            var minWidth: Int?, minHeight: Int?
            var root: LayoutNode?
            for (key, _, value) in try pairs(document, allowed: LayoutParser.topKeys, what: "the layout") {
                switch key {
                case "name": name = try text(value, key)
                case "description": description = try text(value, key)
                case "min_width": minWidth = try count(value, key, limit: SizeConstraint.maxCells)
                case "min_height": minHeight = try count(value, key, limit: SizeConstraint.maxCells)
                default: root = try node(value)
                }
            }
            guard let root else { throw fail(document, "the layout has no `root:` node") }
            guard root.panels.count > 0 else { throw fail(document, "the layout places no panel") }
            let needed = root.minimumSize
            let minimum = TerminalSize(width: max(minWidth ?? 0, needed.width), height: max(minHeight ?? 0, needed.height))
            return Layout(name: name, description: description, minimum: minimum, root: root, source: source)
        }

        mutating func node(_ yaml: Node) throws(LayoutError) -> LayoutNode {
            let entries = try pairs(yaml, allowed: LayoutParser.nodeKeys, what: "a layout node")
            var content: LayoutNode.Content?
            var contentKey: String?
            var fixed: Int?, weight: Int?, minimum = 0, prefer: Int?
            var large: Bool?, fill = false
            var largeNode: Node?
            // The key of each sizing entry, so a mistake in how they combine names its line.
            var keyNodes: [String: Node] = [:]
            for (key, keyNode, value) in entries {
                keyNodes[key] = keyNode
                switch key {
                case "panel", "rows", "columns":
                    if let contentKey {
                        throw fail(keyNode, "a node has one of panel, rows or columns, this one has both \(contentKey) and \(key)")
                    }
                    contentKey = key
                    if key == "panel" {
                        let name = try text(value, key)
                        guard let id = PanelID(rawValue: name) else {
                            let known = PanelID.allCases.map(\.rawValue).joined(separator: ", ")
                            throw fail(value, "unknown panel \(WireText.quoted(name)) (known panels: \(known))")
                        }
                        if let first = seenPanels[id] {
                            throw fail(value, "panel '\(name)' is placed twice (first at line \(first))")
                        }
                        seenPanels[id] = value.mark?.line ?? 0
                        content = .panel(id, PanelOptions())
                    } else {
                        guard case .sequence(let items) = value else {
                            throw fail(value, "\(key) must be a list of nodes, found \(kind(value))")
                        }
                        guard !items.isEmpty else { throw fail(keyNode, "\(key) is empty: list at least one node") }
                        var children: [LayoutNode] = []
                        for item in items { children.append(try node(item)) }
                        content = .split(key == "rows" ? .rows : .columns, children)
                    }
                case "size": fixed = try count(value, key, limit: SizeConstraint.maxCells)
                case "weight": weight = try count(value, key, limit: SizeConstraint.maxWeight)
                case "min": minimum = try count(value, key, limit: SizeConstraint.maxCells)
                case "prefer": prefer = try count(value, key, limit: SizeConstraint.maxCells)
                case "fill":
                    guard let b = value.bool, case .scalar = value else {
                        throw fail(value, "fill must be true or false, found \(kind(value))")
                    }
                    fill = b
                default:
                    guard let b = value.bool, case .scalar = value else {
                        throw fail(value, "large must be true or false, found \(kind(value))")
                    }
                    large = b
                    largeNode = keyNode
                }
            }
            guard var content else {
                throw fail(yaml, "a node needs one of panel, rows or columns")
            }
            if fixed != nil, weight != nil {
                throw fail(yaml, "a node has either a fixed size or a weight, not both")
            }
            if fixed != nil, prefer != nil || fill {
                let key = fill ? "fill" : "prefer"
                throw fail(keyNodes[key] ?? yaml,
                           "a node with a fixed size neither prefers a size nor fills; drop `\(key)` or `size`")
            }
            if let prefer, prefer < minimum {
                throw fail(keyNodes["prefer"] ?? yaml,
                           "prefer (\(prefer)) is less than min (\(minimum)); a node never gets less than its minimum")
            }
            // A zero weight keeps the node at its minimum: it could neither grow nor fill.
            if weight == 0, fill || prefer != nil {
                let key = fill ? "fill" : "prefer"
                throw fail(keyNodes[key] ?? yaml,
                           "a node with weight 0 stays at its minimum, so it neither prefers a size nor fills; "
                           + "drop `\(key)` or give it a weight")
            }
            if let large {
                guard case .panel(let id, _) = content else {
                    throw fail(largeNode, "large applies to a panel, not to rows or columns")
                }
                content = .panel(id, PanelOptions(large: large))
            }
            let constraint = SizeConstraint(fixed: fixed, min: minimum, weight: fixed != nil ? 0 : (weight ?? 1),
                                            prefer: prefer, fill: fill)
            return LayoutNode(content, constraint: constraint, line: yaml.mark?.line)
        }
    }
}
