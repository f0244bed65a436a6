/// How one child of a split wants to be sized along the split's axis.
public struct SizeConstraint: Sendable, Equatable {
    /// Exactly this many cells (served first).
    public var fixed: Int?
    /// At least this many cells (served after the fixed sizes).
    public var min: Int
    /// Share of what is left once fixed sizes and minimums are served.
    public var weight: Int
    /// Cells the node asks for when there is room (the layout's `prefer`): it replaces what its
    /// content would ask for. nil: its content decides.
    public var prefer: Int?
    /// Takes the spare cells once every node has what it asks for (the layout's `fill`).
    public var fill: Bool

    /// Largest size or minimum (cells) and weight a layout may give: the layout parser refuses
    /// more, and `LayoutEngine` clamps to them, so its arithmetic cannot overflow.
    public static let maxCells = 10_000
    public static let maxWeight = 10_000

    public init(fixed: Int? = nil, min: Int = 0, weight: Int = 1, prefer: Int? = nil, fill: Bool = false) {
        self.fixed = fixed
        self.min = min
        self.weight = weight
        self.prefer = prefer
        self.fill = fill
    }

    /// Every field within 0…its maximum.
    var clamped: SizeConstraint {
        SizeConstraint(fixed: fixed.map(Self.cells),
                       min: Self.cells(min),
                       weight: Swift.min(Swift.max(0, weight), Self.maxWeight),
                       prefer: prefer.map(Self.cells), fill: fill)
    }

    static func cells(_ n: Int) -> Int { Swift.min(Swift.max(0, n), maxCells) }

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

/// What a node can put to use along its parent split's axis: from its panel's content
/// (`PanelDemand`), then the layout's `prefer` and `fill` over it.
public struct Demand: Sendable, Equatable {
    /// Cells it can use; more would stay blank. nil: no limit known (it shares by weight).
    public var want: Int?
    /// Whether it puts spare cells to use (a chart, a canvas), once every node has its `want`.
    public var fill: Bool

    public init(want: Int?, fill: Bool = false) {
        self.want = want
        self.fill = fill
    }

    /// Nothing known: the node shares by weight, as without demands.
    public static let unknown = Demand(want: nil)
    /// Uses whatever it gets: its minimum (or the layout's `prefer`; with neither, its weight's
    /// share) first, then the spare cells.
    public static let fills = Demand(want: 0, fill: true)
}

/// A panel's height demand (rows, border included) at a width; nil when it has none.
public typealias DemandSource = (PanelID, PanelOptions, _ width: Int) -> Demand?

/// The pure layout split, after ratatui's `Layout::split`: fixed sizes first, then minimums,
/// then the rest shared by weight (a child whose share would fall under its minimum keeps its
/// minimum and the others share what remains). Integer rounding gives the spare cells to the
/// largest remainders, earlier children first, so sizes always add up to the space.
///
/// With demands (a panel's content, the layout's `prefer` and `fill`), the rest is shared in two
/// steps: first each child grows by weight towards what it asks for and no further, so a short
/// alarm list or the instruments never get rows they would leave blank; then what is still
/// spare goes to the children that fill, by weight (to every child when none fills). A
/// child that fills asks for its minimum (or its `prefer`) in the first step, so panels with
/// rows to show are served before charts grow; with neither, its weight's share.
public enum LayoutEngine {
    /// Most cells shared along one axis: no terminal is this big, and with weights and sizes
    /// clamped too the arithmetic cannot overflow.
    static let maxTotal = 1_000_000

    /// Sizes along one axis for `total` cells. `content` is each child's demand from its
    /// content (nil: none known); the constraints' `prefer` and `fill` apply either way.
    public static func sizes(total requested: Int, _ given: [SizeConstraint], content: [Demand]? = nil) -> [Int] {
        let total = min(requested, maxTotal)
        let constraints = given.map(\.clamped)
        let demands = constraints.indices.map { i in
            merged(constraints[i], content.flatMap { i < $0.count ? $0[i] : nil } ?? .unknown)
        }
        guard demands.contains(where: { $0.want != nil || $0.fill }) else { return weighted(total: total, constraints) }
        var out = [Int](repeating: 0, count: constraints.count)
        var remaining = max(0, total)
        for (i, c) in constraints.enumerated() {
            guard let f = c.fixed else { continue }
            out[i] = min(f, remaining)
            remaining -= out[i]
        }
        let flexible = constraints.indices.filter { constraints[$0].fixed == nil }
        let minimums = constraints.map(\.min)
        if flexible.reduce(0, { $0 + minimums[$1] }) >= remaining {
            // Minimums, in order, as far as the space goes.
            for i in flexible {
                out[i] = min(minimums[i], remaining)
                remaining -= out[i]
            }
            return out
        }
        let weights = constraints.map(\.weight)
        // A child that fills with neither a minimum nor a `prefer` asks for its weight's share
        // in step 1: else a neighbour with rows to show could take them all and leave it none.
        let flexibleWeight = flexible.reduce(0) { $0 + weights[$1] }
        func floor(_ i: Int) -> Int {
            guard demands[i].fill, demands[i].want == 0, minimums[i] == 0, flexibleWeight > 0 else { return 0 }
            return remaining * weights[i] / flexibleWeight
        }
        // Step 1: towards what each asks for; a zero weight keeps its minimum.
        let caps: [Int?] = constraints.indices.map { i in
            weights[i] == 0 ? minimums[i] : demands[i].want.map { max($0, minimums[i], floor(i)) }
        }
        let first = share(remaining, flexible, weights: weights, floors: minimums, caps: caps)
        for i in flexible {
            out[i] = first[i]
            remaining -= first[i]
        }
        guard remaining > 0 else { return out }
        // Step 2: the spare cells to those that use them.
        let growing = flexible.filter { weights[$0] > 0 }
        let fillers = growing.filter { demands[$0].fill }
        let none = [Int](repeating: 0, count: constraints.count)
        let extra = share(remaining, fillers.isEmpty ? growing : fillers, weights: weights, floors: none,
                          caps: none.map { _ in nil })
        for i in flexible { out[i] += extra[i] }
        return out
    }

    /// A child's demand: the layout's `prefer` replaces its content's want, `fill` adds to it.
    static func merged(_ c: SizeConstraint, _ content: Demand) -> Demand {
        Demand(want: c.prefer ?? content.want.map(SizeConstraint.cells), fill: c.fill || content.fill)
    }

    /// `amount` cells among `members` by weight, none under its floor nor over its cap (nil:
    /// no cap); the floors must fit in `amount`. Rounding gives the spare cells to the largest
    /// remainders, earlier members first. What no member can take is left over.
    ///
    /// Members whose share breaks a bound are settled a group at a time: those over their cap
    /// when capping them frees more than lifting the others to their floors takes (the others'
    /// shares can only grow then), else those under their floor.
    static func share(_ amount: Int, _ members: [Int], weights: [Int], floors: [Int], caps: [Int?]) -> [Int] {
        var out = [Int](repeating: 0, count: weights.count)
        var amount = amount
        var active = members
        for i in members where weights[i] <= 0 {
            out[i] = floors[i]
            amount -= floors[i]
        }
        active.removeAll { weights[$0] <= 0 }
        while !active.isEmpty {
            let total = active.reduce(0) { $0 + weights[$1] }
            // Shares and bounds scaled by `total`, so the comparisons stay exact.
            let under = active.filter { amount * weights[$0] < floors[$0] * total }
            let over = active.filter { i in caps[i].map { amount * weights[i] > $0 * total } ?? false }
            if !under.isEmpty || !over.isEmpty {
                let needed = under.reduce(0) { $0 + floors[$1] * total - amount * weights[$1] }
                let freed = over.reduce(0) { $0 + amount * weights[$1] - (caps[$1] ?? 0) * total }
                let capped = freed >= needed && !over.isEmpty
                for i in capped ? over : under {
                    out[i] = capped ? caps[i] ?? 0 : floors[i]
                    amount -= out[i]
                }
                active.removeAll { (capped ? over : under).contains($0) }
                continue
            }
            byWeight(amount, among: active, weights: { weights[$0] }, totalWeight: total, into: &out)
            break
        }
        return out
    }

    /// Sets `out[i]` to child i's share of `amount` by weight, for each index in `among`. Integer
    /// rounding gives the spare cells to the largest remainders, earlier children first, so the
    /// shares add up to `amount` exactly.
    private static func byWeight(_ amount: Int, among: [Int], weights: (Int) -> Int, totalWeight: Int,
                              into out: inout [Int]) {
        var given = 0
        var remainders: [(index: Int, rest: Int)] = []
        for i in among {
            let exact = amount * weights(i)
            out[i] = exact / totalWeight
            given += out[i]
            remainders.append((i, exact % totalWeight))
        }
        var spare = amount - given
        for r in remainders.sorted(by: { $0.rest != $1.rest ? $0.rest > $1.rest : $0.index < $1.index }) {
            guard spare > 0 else { break }
            out[r.index] += 1
            spare -= 1
        }
    }

    /// The split without demands: fixed, minimums, then weights.
    static func weighted(total: Int, _ constraints: [SizeConstraint]) -> [Int] {
        var out = [Int](repeating: 0, count: constraints.count)
        var remaining = min(max(0, total), maxTotal)
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
            let active = constraints.indices.filter { constraints[$0].fixed == nil && !frozen[$0] }
            byWeight(remaining, among: active, weights: { constraints[$0].weight }, totalWeight: weights, into: &out)
            break
        }
        return out
    }

    /// Splits `rect` along a direction into consecutive rectangles.
    public static func split(_ rect: Rect, _ direction: SplitDirection, _ constraints: [SizeConstraint],
                             content: [Demand]? = nil) -> [Rect] {
        let total = direction == .rows ? rect.height : rect.width
        var offset = 0
        return sizes(total: total, constraints, content: content).map { size in
            defer { offset += size }
            return direction == .rows
                ? Rect(x: rect.x, y: rect.y + offset, width: rect.width, height: size)
                : Rect(x: rect.x + offset, y: rect.y, width: size, height: rect.height)
        }
    }

    /// Places every panel of a layout tree in `rect`. Panels that get no room are left out.
    /// `demand` says how many rows each panel's content can use at a width; without it only
    /// the layout's own `prefer` and `fill` are known.
    public static func split(_ rect: Rect, _ node: LayoutNode, demand: DemandSource? = nil) -> [Placement] {
        var out: [Placement] = []
        // Each split asks again for the panels below it: ask each panel once per width.
        var asked: [Asked: Demand?] = [:]
        let once: DemandSource? = demand.map { source in
            { id, options, width in
                let key = Asked(panel: id, width: width)
                if let known = asked[key] { return known }
                let demand = source(id, options, width)
                asked[key] = demand
                return demand
            }
        }
        place(node, in: rect, demand: once, into: &out)
        return out
    }

    private struct Asked: Hashable {
        let panel: PanelID
        let width: Int
    }

    private static func place(_ node: LayoutNode, in rect: Rect, demand: DemandSource?, into out: inout [Placement]) {
        switch node.content {
        case .panel(let id, let options):
            if !rect.isEmpty { out.append(Placement(panel: id, rect: rect, options: options)) }
        case .split(let direction, let children):
            // Content says how many rows a node needs; widths come from the layout alone.
            let content = demand.flatMap { source in
                direction == .rows ? children.map { height(of: $0, width: rect.width, source) } : nil
            }
            let rects = split(rect, direction, children.map(\.constraint), content: content)
            for (child, r) in zip(children, rects) { place(child, in: r, demand: demand, into: &out) }
        }
    }

    /// The rows a node's content can use at `width`: a panel's own demand; a rows split the sum
    /// of its children's (their fixed sizes, minimums and `prefer` counted), a columns split
    /// the most any of its columns needs. A rows split fills when any child fills (the spare
    /// rows go to it); a columns split only when every column does, since rows it gains reach
    /// every column, and one that cannot use them would leave them blank.
    static func height(of node: LayoutNode, width: Int, _ source: DemandSource) -> Demand {
        switch node.content {
        case .panel(let id, let options):
            return source(id, options, max(0, width)) ?? .unknown
        case .split(.rows, let children):
            var want: Int? = 0
            var fill = false
            for child in children {
                let c = child.constraint.clamped
                if let f = c.fixed {
                    want = want.map { min($0 + f, SizeConstraint.maxCells) }
                    continue
                }
                // A zero weight keeps its minimum whatever its content asks.
                guard c.weight > 0 else {
                    want = want.map { min($0 + c.min, SizeConstraint.maxCells) }
                    continue
                }
                let d = merged(c, height(of: child, width: width, source))
                fill = fill || d.fill
                if let w = want, let dw = d.want { want = min(w + max(c.min, dw), SizeConstraint.maxCells) } else { want = nil }
            }
            return Demand(want: want, fill: fill)
        case .split(.columns, let children):
            let widths = sizes(total: width, children.map(\.constraint))
            var want: Int? = 0
            var fill = true
            for (child, w) in zip(children, widths) {
                let d = height(of: child, width: w, source)
                fill = fill && d.fill
                if let most = want, let dw = d.want { want = max(most, dw, child.minimumSize.height) } else { want = nil }
            }
            return Demand(want: want, fill: fill)
        }
    }
}
