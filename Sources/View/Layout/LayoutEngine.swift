/// How one child of a split wants to be sized along the split's axis.
public struct SizeConstraint: Sendable, Equatable {
    /// Exactly this many cells (served first).
    public var fixed: Int?
    /// At least this many cells (served after the fixed sizes).
    public var min: Int
    /// Share of what is left once fixed sizes and minimums are served.
    public var weight: Int

    /// Largest size or minimum (cells) and weight a layout may give: the layout parser refuses
    /// more, and `LayoutEngine` clamps to them, so its arithmetic cannot overflow.
    public static let maxCells = 10_000
    public static let maxWeight = 10_000

    public init(fixed: Int? = nil, min: Int = 0, weight: Int = 1) {
        self.fixed = fixed
        self.min = min
        self.weight = weight
    }

    /// Every field within 0…its maximum.
    var clamped: SizeConstraint {
        SizeConstraint(fixed: fixed.map { Swift.min(Swift.max(0, $0), Self.maxCells) },
                       min: Swift.min(Swift.max(0, min), Self.maxCells),
                       weight: Swift.min(Swift.max(0, weight), Self.maxWeight))
    }

    public static func fixed(_ n: Int) -> SizeConstraint { SizeConstraint(fixed: n, weight: 0) }
    public static func weight(_ w: Int, min: Int = 0) -> SizeConstraint { SizeConstraint(min: min, weight: w) }
}

/// A panel placed on screen.
public struct Placement: Sendable, Equatable {
    public var panel: PanelID
    public var rect: Rect
    public var options: PanelOptions

    public init(panel: PanelID, rect: Rect, options: PanelOptions = PanelOptions()) {
        self.panel = panel
        self.rect = rect
        self.options = options
    }
}

/// The pure layout split, after ratatui's `Layout::split`: fixed sizes first, then minimums,
/// then the rest shared by weight (a child whose share would fall under its minimum keeps its
/// minimum and the others share what remains). Integer rounding gives the spare cells to the
/// largest remainders, earlier children first, so sizes always add up to the space.
public enum LayoutEngine {
    /// Sizes along one axis for `total` cells.
    public static func sizes(total: Int, _ given: [SizeConstraint]) -> [Int] {
        let constraints = given.map(\.clamped)
        var out = [Int](repeating: 0, count: constraints.count)
        var remaining = max(0, total)
        for (i, c) in constraints.enumerated() {
            guard let f = c.fixed else { continue }
            out[i] = min(max(0, f), remaining)
            remaining -= out[i]
        }
        // Minimums, in order, as far as the space goes.
        var frozen = [Bool](repeating: false, count: constraints.count)
        var minSum = 0
        for (i, c) in constraints.enumerated() where c.fixed == nil {
            minSum += max(0, c.min)
            if c.weight <= 0 { frozen[i] = true }
        }
        if minSum >= remaining {
            for (i, c) in constraints.enumerated() where c.fixed == nil {
                out[i] = min(max(0, c.min), remaining)
                remaining -= out[i]
            }
            return out
        }
        for (i, c) in constraints.enumerated() where c.fixed == nil && frozen[i] {
            out[i] = max(0, c.min)
            remaining -= out[i]
        }
        // Weighted shares; children whose share is under their minimum are frozen at it.
        while true {
            var weights = 0
            for (i, c) in constraints.enumerated() where c.fixed == nil && !frozen[i] { weights += c.weight }
            guard weights > 0 else { break }
            var under: [Int] = []
            for (i, c) in constraints.enumerated() where c.fixed == nil && !frozen[i] {
                if remaining * c.weight < c.min * weights { under.append(i) }
            }
            if !under.isEmpty {
                for i in under {
                    frozen[i] = true
                    out[i] = constraints[i].min
                    remaining -= constraints[i].min
                }
                continue
            }
            var given = 0
            var remainders: [(index: Int, rest: Int)] = []
            for (i, c) in constraints.enumerated() where c.fixed == nil && !frozen[i] {
                let exact = remaining * c.weight
                out[i] = exact / weights
                given += out[i]
                remainders.append((i, exact % weights))
            }
            var spare = remaining - given
            for r in remainders.sorted(by: { $0.rest != $1.rest ? $0.rest > $1.rest : $0.index < $1.index }) {
                guard spare > 0 else { break }
                out[r.index] += 1
                spare -= 1
            }
            break
        }
        return out
    }

    /// Splits `rect` along a direction into consecutive rectangles.
    public static func split(_ rect: Rect, _ direction: SplitDirection, _ constraints: [SizeConstraint]) -> [Rect] {
        let total = direction == .rows ? rect.height : rect.width
        var offset = 0
        return sizes(total: total, constraints).map { size in
            defer { offset += size }
            return direction == .rows
                ? Rect(x: rect.x, y: rect.y + offset, width: rect.width, height: size)
                : Rect(x: rect.x + offset, y: rect.y, width: size, height: rect.height)
        }
    }

    /// Places every panel of a layout tree in `rect`. Panels that get no room are left out.
    public static func split(_ rect: Rect, _ node: LayoutNode) -> [Placement] {
        var out: [Placement] = []
        place(node, in: rect, into: &out)
        return out
    }

    private static func place(_ node: LayoutNode, in rect: Rect, into out: inout [Placement]) {
        switch node.content {
        case .panel(let id, let options):
            if !rect.isEmpty { out.append(Placement(panel: id, rect: rect, options: options)) }
        case .split(let direction, let children):
            let rects = split(rect, direction, children.map(\.constraint))
            for (child, r) in zip(children, rects) { place(child, in: r, into: &out) }
        }
    }
}
