/// Which way a split cuts its space: `rows` stacks children top to bottom, `columns` left to right.
public enum SplitDirection: String, Sendable, Equatable {
    case rows, columns
}

/// Per-panel options a layout file may set.
public struct PanelOptions: Sendable, Equatable {
    /// Draw for reading from across a room: big digits for link metrics, a full-width mode band
    /// in the header.
    public var large: Bool

    public init(large: Bool = false) {
        self.large = large
    }
}

/// One node of a layout tree: a panel, or a split into rows or columns of child nodes, with the
/// size it asks of its parent.
public struct LayoutNode: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        case panel(PanelID, PanelOptions)
        case split(SplitDirection, [LayoutNode])
    }

    public var content: Content
    public var constraint: SizeConstraint
    /// Line of the node in its layout file, for messages (not part of equality).
    public var line: Int?

    public static func == (a: LayoutNode, b: LayoutNode) -> Bool {
        a.content == b.content && a.constraint == b.constraint
    }

    public init(_ content: Content, constraint: SizeConstraint = SizeConstraint(), line: Int? = nil) {
        self.content = content
        self.constraint = constraint
        self.line = line
    }

    public static func panel(_ id: PanelID, _ constraint: SizeConstraint = SizeConstraint(),
                             options: PanelOptions = PanelOptions()) -> LayoutNode {
        LayoutNode(.panel(id, options), constraint: constraint)
    }

    public static func rows(_ children: [LayoutNode], _ constraint: SizeConstraint = SizeConstraint()) -> LayoutNode {
        LayoutNode(.split(.rows, children), constraint: constraint)
    }

    public static func columns(_ children: [LayoutNode], _ constraint: SizeConstraint = SizeConstraint()) -> LayoutNode {
        LayoutNode(.split(.columns, children), constraint: constraint)
    }

    /// The panels in the tree, in reading order (depth first).
    public var panels: [PanelID] {
        switch content {
        case .panel(let id, _): [id]
        case .split(_, let children): children.flatMap(\.panels)
        }
    }

    /// The smallest width and height at which every fixed size and minimum in the tree is served.
    public var minimumSize: TerminalSize {
        switch content {
        case .panel:
            return TerminalSize(width: 1, height: 1)
        case .split(let direction, let children):
            var along = 0, across = 0
            for child in children {
                let inner = child.minimumSize
                let (a, c) = direction == .rows ? (inner.height, inner.width) : (inner.width, inner.height)
                // Clamped like the engine's sizes, so a hostile tree built in code cannot overflow.
                let constraint = child.constraint.clamped
                along = min(along + (constraint.fixed ?? max(constraint.min, a)), LayoutEngine.maxTotal)
                across = max(across, c)
            }
            return direction == .rows ? TerminalSize(width: across, height: along)
                                      : TerminalSize(width: along, height: across)
        }
    }
}

/// A width and a height in cells.
public struct TerminalSize: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public func fits(in other: TerminalSize) -> Bool { width <= other.width && height <= other.height }

    public var description: String { "\(width)×\(height)" }
}

/// Where a layout came from.
public enum LayoutSource: Sendable, Equatable, CustomStringConvertible {
    /// Shipped inside the binary (generated from `Layouts/`).
    case builtIn
    /// Read from a file.
    case file(String)

    public var description: String {
        switch self {
        case .builtIn: "built-in"
        case .file(let path): path
        }
    }
}

/// A screen arrangement: a tree of splits naming the panels, and the smallest terminal it is
/// meant for.
public struct Layout: Sendable, Equatable {
    public var name: String
    public var description: String
    /// The smallest terminal the layout is designed for; below it the console falls back to
    /// `compact`.
    public var minimum: TerminalSize
    public var root: LayoutNode
    public var source: LayoutSource

    public init(name: String, description: String = "", minimum: TerminalSize, root: LayoutNode,
                source: LayoutSource = .builtIn) {
        self.name = name
        self.description = description
        self.minimum = minimum
        self.root = root
        self.source = source
    }

    /// The panels in reading order.
    public var panels: [PanelID] { root.panels }

    /// The panels Tab moves between, in reading order.
    public var focusOrder: [PanelID] { panels.filter(\.isFocusable) }

    /// The panel after `current` in focus order (the first when `current` is nil or absent).
    public func nextFocus(after current: PanelID?) -> PanelID? {
        let order = focusOrder
        guard !order.isEmpty else { return nil }
        guard let current, let k = order.firstIndex(of: current) else { return order[0] }
        return order[(k + 1) % order.count]
    }
}
