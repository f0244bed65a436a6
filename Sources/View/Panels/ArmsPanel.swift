import SessionCore
import Synchronization
import Telemetry

/// The robot's arms: per arm its kind, CRTK state, homed and following, the tool tip when the
/// source sends Cartesian data; per joint its value in a readable unit, a gauge between its
/// limits and its effort against the maximum. The joint's value, gauge and status, and its
/// effort, take the colour and marker of the priority their alarm (<arm>.<joint>.LIMIT, .EFFORT)
/// has under the alarm settings, by the engine's own rules (`AlarmSettings.jointLimitLevel`,
/// `effortLevel`): cyan `*` near a limit, yellow `**` at or beyond it or at a high effort.
///
/// When one column is too short for every joint, whole arms go side by side in columns when the
/// panel is wide enough; else it shows fewer joints per arm (the scroll offset moves the window
/// of joints), and when even that does not fit, one line per arm (the offset scrolls the arms).
/// The title then says how many lines scrolling brings in ("+18 more"), and in one line per
/// arm how many joints only a taller terminal shows ("+24 joints: taller terminal").
/// Every column of joint lines starts with a heading row naming its columns ("joint",
/// "position", "limits", "effort").
enum ArmsPanel {
    enum Line {
        /// An arm's first line; `note` adds "no joint data" when there is no line for it.
        case header(Int, note: Bool)
        case cartesian(Int)
        case noJointData(Int)
        case joint(Int, Int)
        case summary(Int)
    }

    /// What the panel draws: columns of lines side by side (one unless a single column cannot
    /// hold every joint), the largest useful scroll offset, how many lines are not shown that
    /// scrolling reaches, and how many joint lines only a taller panel shows (one line per arm).
    struct Plan {
        var columns: [[Line]]
        var maxScroll: Int
        var hidden: Int
        var jointsNotShown = 0
        /// Whether each column starts with the heading row (joint lines are drawn).
        var heading = false
    }

    /// Narrowest column of arms beside another: a joint line with its name (up to 11
    /// columns), value, a two-cell gauge, its markers and effort.
    static let minColumnWidth = 30
    /// Columns that hold the tool tip on a line of its own, whole.
    static let cartesianColumnWidth = 50

    static func render(_ p: PanelContext, area: Rect, into buffer: inout CellBuffer) -> Int {
        let arms = p.state.arms
        var tags: [Span] = []
        let faults = arms.filter { $0.state == .fault }.count
        if faults > 0 { tags.append(Span("\(faults) FAULT", p.theme.critical)) }
        let newest = arms.compactMap(\.lastUpdate).max { $0.arrival < $1.arrival }
        if !arms.isEmpty, let age = p.view.staleAge(of: newest) { tags.append(p.staleTag(age)) }
        let inner = p.frame(.arms, title: PanelID.arms.title, tags: tags, area: area, into: &buffer)
        guard !inner.isEmpty else { return 0 }
        guard !arms.isEmpty else {
            let missing = HeaderPanel.endedWithoutSession(p).map { _ in "no session frame" } ?? "waiting for the session frame"
            p.placeholder(p.state.info == nil ? missing : "this session declares no arms",
                          area: inner, into: &buffer)
            return 0
        }
        // One name column for all arms, so values and gauges line up.
        var longest = 6
        for arm in arms { for joint in arm.descriptor.joints {
            longest = max(longest, buffer.columns(of: joint.name))
        } }
        let plan = plan(arms, height: inner.height, width: inner.width, scroll: p.view.scrollOffset(.arms))
        let n = plan.columns.count
        let rects = n == 1 ? [inner]
            : LayoutEngine.split(inner, .columns, (0..<(2 * n - 1)).map { $0 % 2 == 0 ? .weight(1) : .fixed(1) })
        for (k, lines) in plan.columns.enumerated() {
            let column = rects[2 * k]
            if k > 0 {
                let sep = rects[2 * k - 1]
                for y in sep.y..<sep.maxY { buffer.set(sep.x, y, p.glyphs.separator, p.theme.border) }
            }
            draw(p, lines, area: column, sideBySide: n > 1, heading: plan.heading, longestName: longest, into: &buffer)
        }
        let joints = p.tallerTag(plan.jointsNotShown, "joints", title: PanelID.arms.title, tags: tags, hidden: plan.hidden,
                                 area: area)
        p.markHidden(plan.hidden, .arms, title: PanelID.arms.title, tags: tags, notShown: joints.map { [$0] } ?? [],
                     area: area, into: &buffer)
        return plan.maxScroll
    }

    /// Rows the panel needs at `width` (border included) to show every line of every arm:
    /// what it asks of the layout. Where columns of the full joint line (40 wide) fit side by
    /// side, it asks for the rows that let them, rather than for more, tighter columns.
    /// `limit` is the most rows the layout could give (the screen's height): past it the
    /// answer is only "more than that" (`limit + 1`), so a session declaring thousands of
    /// joint lines costs a few plans of a screen's height, not a search over all of them.
    static func contentRows(_ arms: [ArmState], width: Int, limit: Int = .max) -> Int {
        guard !arms.isEmpty else { return 3 }
        let inner = max(0, width - 2)
        func enough(_ plan: Plan) -> Bool {
            let n = plan.columns.count
            let tight = n > 1 && (inner - (n - 1)) / n < 40
            return plan.hidden == 0 && plan.jointsNotShown == 0 && (!tight || inner < 2 * 40 + 1)
        }
        // A taller panel never hides more nor needs more columns, so the fewest rows that are
        // enough are found by halving: every line in one column (and the heading) always is.
        var fits = arms.indices.reduce(1) { $0 + block(arms, $1, tipLine: true).count }
        var short = 0
        // Past the limit only whether the limit itself is enough matters.
        let interiorLimit = max(0, min(limit, SizeConstraint.maxCells) - 2)
        if fits > interiorLimit {
            if !enough(plan(arms, height: interiorLimit, width: inner, scroll: 0)) { return interiorLimit + 3 }
            fits = interiorLimit
        }
        while fits - short > 1 {
            let height = (short + fits) / 2
            if enough(plan(arms, height: height, width: inner, scroll: 0)) { fits = height } else { short = height }
        }
        return fits + 2
    }

    /// Counts the work of planning (plans made, passes packing every line into columns) for
    /// the tests that bound it; nil outside them.
    final class Work: Sendable {
        private let counts = Mutex((plans: 0, packings: 0))
        init() {}
        var plans: Int { counts.withLock { $0.plans } }
        var packings: Int { counts.withLock { $0.packings } }
        func plan() { counts.withLock { $0.plans += 1 } }
        func packing() { counts.withLock { $0.packings += 1 } }
    }
    @TaskLocal static var work: Work?

    /// One column of lines, under its heading row; beside another, the tight form of a joint
    /// line when under 40.
    static func draw(_ p: PanelContext, _ lines: [Line], area: Rect, sideBySide: Bool, heading: Bool, longestName: Int,
                     into buffer: inout CellBuffer) {
        let arms = p.state.arms
        let width = area.width
        let wide = width >= 60
        let tight = sideBySide && width < 40
        let nameWidth = tight ? min(longestName, 11) : min(longestName + 1, wide ? 16 : 11)
        let top = heading ? 1 : 0
        if heading && area.height > 0 {
            headings(p, JointColumns(width: width, tight: tight, nameWidth: nameWidth, unicode: p.glyphs.unicode),
                     x: area.x, y: area.y, into: &buffer)
        }
        for (row, line) in lines.prefix(max(0, area.height - top)).enumerated() {
            let y = area.y + top + row
            switch line {
            case .header(let a, let note):
                // Without a line of its own, the tool tip goes at the right of the header if it fits.
                let ownLine = lines.contains { if case .cartesian(a) = $0 { return true } else { return false } }
                header(p, arms[a], x: area.x, y: y, width: width, withCartesian: !ownLine,
                       noJointNote: note, into: &buffer)
            case .summary(let a):
                header(p, arms[a], x: area.x, y: y, width: width, withCartesian: true,
                       noJointNote: true, summary: true, into: &buffer)
            case .cartesian(let a):
                buffer.put([Span("  ")] + cartesian(p, arms[a]), x: area.x, y: y, width: width, ellipsis: p.ellipsis)
            case .noJointData:
                buffer.put("  no joint data", x: area.x, y: y, width: width, style: p.theme.dim, ellipsis: p.ellipsis)
            case .joint(let a, let j):
                joint(p, arms[a], j, x: area.x, y: y, width: width, tight: tight, nameWidth: nameWidth,
                      into: &buffer)
            }
        }
    }

    static func hasJointData(_ arm: ArmState) -> Bool {
        !arm.descriptor.joints.isEmpty && arm.position != nil
    }

    static func hasCartesian(_ arm: ArmState) -> Bool {
        (arm.tip?.count ?? 0) >= 3 || arm.tipSpeed != nil
    }

    /// An arm's lines when everything is shown: its header, the tool tip on a line of its own
    /// when asked, then every joint (or "no joint data").
    static func block(_ arms: [ArmState], _ a: Int, tipLine: Bool) -> [Line] {
        var lines: [Line] = [.header(a, note: false)]
        if tipLine && hasCartesian(arms[a]) { lines.append(.cartesian(a)) }
        if hasJointData(arms[a]) {
            lines += arms[a].descriptor.joints.indices.map { .joint(a, $0) }
        } else {
            lines.append(.noJointData(a))
        }
        return lines
    }

    /// The lines to draw, in columns: everything in one column when it fits; else every line
    /// in the fewest columns side by side that hold it (arms in order, whole, balanced), when
    /// the panel is wide enough; else one column with each arm's first line and the same
    /// number of joints for every arm (the offset moves that window down the joints), or a
    /// joint for the first arms only when not every arm can have one; else one line per arm
    /// (the offset scrolls the arms). Joint lines leave the first row of each column to the
    /// heading. `hidden` counts the lines not shown that the offset reaches, `jointsNotShown`
    /// those only a taller panel shows.
    static func plan(_ arms: [ArmState], height fullHeight: Int, width: Int, scroll: Int) -> Plan {
        work?.plan()
        func jointCount(_ a: Int) -> Int { hasJointData(arms[a]) ? arms[a].descriptor.joints.count : 0 }
        // Joint lines go under a heading row; one line per arm has none.
        let heading = arms.contains(where: hasJointData)
        let height = heading ? fullHeight - 1 : fullHeight
        let mergeCartesian = width >= 100
        let full = arms.indices.flatMap { block(arms, $0, tipLine: !mergeCartesian) }
        if full.count <= height { return Plan(columns: [full], maxScroll: 0, hidden: 0, heading: heading) }
        // Every line of every arm, minus tool-tip lines: what "+N more" counts against.
        let all = arms.indices.reduce(0) { $0 + 1 + max(1, jointCount($1)) }
        let most = min(arms.count, (width + 1) / (minColumnWidth + 1))
        if most >= 2 {
            for count in 2...most {
                let columnWidth = (width - (count - 1)) / count
                // The tool tip keeps a line of its own only where it fits whole; else the
                // header carries it when there is room.
                for tipLine in columnWidth >= cartesianColumnWidth ? [true, false] : [false] {
                    let blocks = arms.indices.map { block(arms, $0, tipLine: tipLine) }
                    if let split = balanced(blocks, columns: count, height: height) {
                        return Plan(columns: split, maxScroll: 0, hidden: 0, heading: heading)
                    }
                }
            }
        }
        // The same number of joints for every arm, as many as fit.
        let mostJoints = arms.indices.map(jointCount).max() ?? 0
        var k = mostJoints
        while k >= 1 {
            let need = arms.indices.reduce(0) { $0 + 1 + min(jointCount($1), k) }
            if need <= height { break }
            k -= 1
        }
        // With no room for a joint of every arm, the rows beyond the arms' first lines still
        // show a joint each of the first arms rather than stay blank.
        if k >= 1 || (heading && arms.count < height) {
            // Rows left over go to the first arms that have more joints, one each.
            var spare = height - arms.indices.reduce(0) { $0 + 1 + min(jointCount($1), k) }
            var counts = arms.indices.map { min(jointCount($0), k) }
            for a in arms.indices where spare > 0 && jointCount(a) > k {
                counts[a] += 1
                spare -= 1
            }
            // An arm given no joint line has none that scrolling brings in: a taller panel shows them.
            let unreachable = arms.indices.filter { counts[$0] == 0 }.reduce(0) { $0 + jointCount($1) }
            let maxScroll = arms.indices.map { counts[$0] == 0 ? 0 : jointCount($0) - counts[$0] }.max() ?? 0
            let offset = min(scroll, maxScroll)
            var out: [Line] = []
            for a in arms.indices {
                let n = jointCount(a)
                out.append(.header(a, note: n == 0))
                let start = min(offset, max(0, n - counts[a]))
                for j in start..<min(n, start + counts[a]) { out.append(.joint(a, j)) }
            }
            let shown = arms.indices.reduce(0) { $0 + 1 + max(counts[$1], jointCount($1) == 0 ? 1 : 0) }
            return Plan(columns: [out], maxScroll: maxScroll, hidden: all - shown - unreachable,
                        jointsNotShown: unreachable, heading: heading)
        }
        // One line per arm (its state, worst joint, "no joint data"): the offset scrolls the
        // arms; their joints need a taller panel.
        let maxScroll = max(0, arms.count - fullHeight)
        let first = min(scroll, maxScroll)
        let shown = min(fullHeight, arms.count - first)
        return Plan(columns: [arms.indices.dropFirst(first).prefix(shown).map { .summary($0) }], maxScroll: maxScroll,
                    hidden: arms.count - shown, jointsNotShown: arms.indices.reduce(0) { $0 + jointCount($1) })
    }

    /// `blocks` in order into at most `columns` columns of at most `height` lines, the tallest
    /// column as short as it can be; nil when they do not fit.
    static func balanced(_ blocks: [[Line]], columns: Int, height: Int) -> [[Line]]? {
        let tallest = blocks.map(\.count).max() ?? 0
        guard tallest <= height else { return nil }
        /// Blocks in order, a new column whenever the next would pass `limit`.
        func packed(_ limit: Int) -> [[Line]] {
            work?.packing()
            var split: [[Line]] = [[]]
            for block in blocks {
                if split[split.count - 1].count + block.count > limit { split.append([]) }
                split[split.count - 1] += block
            }
            return split
        }
        // A higher limit never needs more columns, so the lowest that fits is found by halving.
        var fits = height
        var best = packed(height)
        guard best.count <= columns else { return nil }
        var short = tallest - 1
        while fits - short > 1 {
            let limit = (short + fits) / 2
            let split = packed(limit)
            if split.count <= columns { fits = limit; best = split } else { short = limit }
        }
        return best
    }

    static func stateSpan(_ p: PanelContext, _ state: OperatingState?) -> Span {
        guard let state else { return Span("state ?", p.theme.dim) }
        switch state {
        case .fault: return Span(" FAULT ", p.theme.badge(Severity(p.view.alarmSettings.armFaultLevel(.fault))))
        case .enabled: return Span("ENABLED", p.theme.good)
        case .paused: return Span("PAUSED", p.theme.severity(.medium))
        case .disabled: return Span("DISABLED", p.theme.dim)
        }
    }

    /// The worst joint of an arm by its LIMIT level, as (priority, joint index).
    static func worstJoint(_ p: PanelContext, _ arm: ArmState) -> (AlarmPriority, Int)? {
        guard let position = arm.position else { return nil }
        var worst: (AlarmPriority, Int)?
        for (j, d) in arm.descriptor.joints.enumerated() where j < position.count {
            guard let level = p.view.alarmSettings.jointLimitLevel(position: position[j], min: d.min, max: d.max) else {
                continue
            }
            if worst.map({ level > $0.0 }) ?? true { worst = (level, j) }
        }
        return worst
    }

    /// "PSM1 PSM  ENABLED  homed  following  jaw 23°  AT LIMIT: outer_pitch   tip …  STALE 2.1 s";
    /// under 60 columns "PSM1 ENABLED  LIMIT outer_pitch  follow".
    static func header(_ p: PanelContext, _ arm: ArmState, x: Int, y: Int, width: Int, withCartesian: Bool,
                       noJointNote: Bool, summary: Bool = false, into buffer: inout CellBuffer) {
        let t = p.theme
        let compact = width < 60
        var spans = [Span(TerminalText.sanitize(arm.id), t.bold)]
        if !compact { spans.append(Span(" " + arm.descriptor.kind.rawValue, t.label)) }
        spans.append(Span(compact ? " " : "  "))
        spans.append(stateSpan(p, arm.state))
        let worst = worstJoint(p, arm)
        var alert: [Span] = []
        if let worst {
            let name = TerminalText.sanitize(arm.descriptor.joints[worst.1].name)
            // Medium is the LIMIT alarm's "at its limit", low its "near".
            let at = worst.0 >= .medium
            let text: String
            if compact {
                text = (at ? " LIMIT " : " near ") + name + " "
            } else {
                text = (at ? " AT LIMIT: " : " near limit: ") + name + " "
            }
            alert = [Span("  "), Span(text, t.badge(Severity(worst.0)))]
        }
        if compact { spans += alert }
        switch arm.homed {
        case .some(true): if !compact { spans.append(Span("  homed")) }
        case .some(false): spans.append(Span("  NOT HOMED", t.severity(.medium)))
        case nil: break
        }
        switch arm.following {
        case .some(true): spans.append(Span(compact ? "  follow" : "  following", t.good))
        case .some(false): spans.append(Span(compact ? "  no follow" : "  not following", t.dim))
        case nil: break
        }
        if let jaw = arm.jaw, !compact {
            spans.append(Span("  jaw ", t.label))
            spans.append(Span(Format.converted(jaw, { $0 * 180 / .pi }, 0) + p.glyphs.degree))
        }
        if !compact { spans += alert }
        if noJointNote && !hasJointData(arm) {
            spans.append(Span("  no joint data", t.dim))
        } else if summary && worst == nil {
            spans.append(Span("  \(arm.descriptor.joints.count) joints ok", t.dim))
        }
        var right: [Span] = []
        if let age = p.view.staleAge(of: arm.lastUpdate) {
            right.append(Span("  "))
            right.append(p.staleTag(age))
        }
        let leftWidth = buffer.columns(of: spans)
        if withCartesian && hasCartesian(arm) {
            // The tool tip only when it fits whole: a cut coordinate would mislead.
            let tip = cartesian(p, arm)
            let both = buffer.columns(of: tip) + buffer.columns(of: right)
            if leftWidth + both + 2 <= width { right = tip + right }
        }
        let rightWidth = buffer.columns(of: right)
        if rightWidth > 0 && leftWidth + rightWidth + 2 <= width {
            buffer.put(spans, x: x, y: y, width: width - rightWidth, ellipsis: p.ellipsis)
            buffer.put(right, x: x + width - rightWidth, y: y, width: rightWidth)
        } else {
            buffer.put(spans + right, x: x, y: y, width: width, ellipsis: p.ellipsis)
        }
    }

    /// "tip x 12.0 y -34.5 z 101.0 mm  speed 42 mm/s"
    static func cartesian(_ p: PanelContext, _ arm: ArmState) -> [Span] {
        var spans: [Span] = []
        if let tip = arm.tip, tip.count >= 3 {
            spans.append(Span("tip ", p.theme.label))
            func mm(_ metres: Double) -> String { Format.converted(metres, { $0 * 1000 }, 1) }
            spans.append(Span("x " + mm(tip[0]) + " y " + mm(tip[1]) + " z " + mm(tip[2]) + " mm"))
        }
        if let speed = arm.tipSpeed {
            spans.append(Span((spans.isEmpty ? "" : "  ") + "speed ", p.theme.label))
            let mm = speed * 1000
            spans.append(Span((mm.isFinite ? Format.adaptive(mm, maxDecimals: 1) : Format.converted(speed, { $0 * 1000 }, 0))
                              + " mm/s"))
        }
        return spans
    }

    /// A joint's value in a readable unit: degrees for radians, millimetres for metres.
    static func jointValue(_ value: Double, _ unit: JointUnit, glyphs: Glyphs) -> String {
        // The one conversion alarms, the alarm log and the report use too (SessionCore).
        switch unit {
        case .rad: Format.converted(value, unit.readable, 1) + glyphs.degree
        case .m: Format.converted(value, unit.readable, 1) + " mm"
        }
    }

    /// "  pitch      -17.2°  ████▌·······  *  near   eff 34%   "; under 60 columns the status is
    /// the marker alone and the effort "34%" with its marker right after it.
    /// Tight (a column of arms beside another, under 40) the line has no indent, the value 8
    /// columns (9 in ASCII) and the gauge may be two cells.
    /// Where a joint line puts its columns, shared by the joint lines and their heading row.
    struct JointColumns {
        let wide: Bool
        let indent: Int
        let nameWidth: Int
        let valueWidth: Int
        let statusWidth: Int
        let effortWidth: Int
        /// The effort's marker: after a space when wide, right after the figure when narrow.
        let effortMarkerWidth: Int
        /// Tight, the status marker follows the gauge and the effort the status without a space
        /// (its figure is right-aligned).
        let gap: Int
        let gaugeWidth: Int
        /// Narrowest gauge drawn.
        let minGauge: Int

        init(width: Int, tight: Bool, nameWidth: Int, unicode: Bool) {
            wide = width >= 60
            indent = wide ? 2 : tight ? 0 : 1
            self.nameWidth = nameWidth
            valueWidth = wide ? 10 : tight ? (unicode ? 8 : 9) : 9
            statusWidth = wide ? 8 : 2
            effortWidth = wide ? 8 : 4
            effortMarkerWidth = wide ? 4 : 2
            gap = tight ? 0 : 1
            gaugeWidth = width - (indent + nameWidth + valueWidth + 1 + gap + statusWidth + gap
                                  + effortWidth + effortMarkerWidth + gap)
            minGauge = tight ? 2 : 3
        }
    }

    /// The heading row over a column of joint lines: each column named where the joint lines
    /// draw it ("limits" over the gauge between the joint's limits, "alarm" over the LIMIT
    /// alarm's marker and word when wide).
    static func headings(_ p: PanelContext, _ c: JointColumns, x: Int, y: Int, into buffer: inout CellBuffer) {
        let style = p.theme.header
        var cx = x + c.indent
        buffer.put("joint", x: cx, y: y, width: c.nameWidth, style: style)
        cx += c.nameWidth
        buffer.put("position", x: cx, y: y, width: c.valueWidth, style: style, alignment: .right)
        cx += c.valueWidth + 1
        if c.gaugeWidth >= c.minGauge {
            // Under three cells a cut word would read as noise; the gauge speaks for itself there.
            if c.gaugeWidth >= 3 {
                buffer.put(c.gaugeWidth >= 6 ? "limits" : "lim", x: cx, y: y, width: c.gaugeWidth, style: style)
            }
            cx += c.gaugeWidth + c.gap
        }
        if c.wide { buffer.put("alarm", x: cx, y: y, width: c.statusWidth, style: style) }
        cx += c.statusWidth + c.gap
        // Ending with the figures ("eff 34%"); narrow, over the figure and its marker ("34%*").
        buffer.put("effort", x: cx, y: y, width: c.wide ? c.effortWidth : c.effortWidth + c.effortMarkerWidth,
                   style: style, alignment: .right)
    }

    static func joint(_ p: PanelContext, _ arm: ArmState, _ j: Int, x: Int, y: Int, width: Int, tight: Bool,
                      nameWidth: Int, into buffer: inout CellBuffer) {
        let t = p.theme
        let d = arm.descriptor.joints[j]
        guard let position = arm.position, j < position.count else { return }
        let v = position[j]
        let c = JointColumns(width: width, tight: tight, nameWidth: nameWidth, unicode: p.glyphs.unicode)
        let wide = c.wide, indent = c.indent, valueWidth = c.valueWidth, statusWidth = c.statusWidth
        let effortWidth = c.effortWidth, effortMarkerWidth = c.effortMarkerWidth, gap = c.gap, gaugeWidth = c.gaugeWidth

        let limitLevel = p.view.alarmSettings.jointLimitLevel(position: v, min: d.min, max: d.max)
        let severity = Severity(limitLevel)
        var cx = x + indent
        buffer.put(d.name, x: cx, y: y, width: nameWidth, style: t.label, ellipsis: p.ellipsis)
        cx += nameWidth
        buffer.put(jointValue(v, d.unit, glyphs: p.glyphs), x: cx, y: y, width: valueWidth,
                   style: t.severity(severity), alignment: .right, ellipsis: p.ellipsis)
        cx += valueWidth + 1
        if gaugeWidth >= c.minGauge {
            let gaugeArea = Rect(x: cx, y: y, width: gaugeWidth, height: 1)
            if let lo = d.min, let hi = d.max, hi > lo {
                Gauge(fraction: (v - lo) / (hi - lo), style: t.bar(severity), trackStyle: t.dim, glyphs: p.glyphs)
                    .render(into: &buffer, area: gaugeArea)
            } else if j < arm.positionHistory.count {
                // No limits to measure against: show where it has been instead.
                Sparkline(values: arm.positionHistory[j].recentValues(gaugeWidth), glyphs: p.glyphs,
                          style: { _ in t.dim }).render(into: &buffer, area: gaugeArea)
            }
            cx += gaugeWidth + gap
        }
        // The LIMIT alarm's marker, and when wide its words: medium is at the limit, low near it.
        var status = severity.marker
        if wide, let limitLevel { status = status.padded(to: 3) + (limitLevel >= .medium ? "LIMIT" : "near") }
        buffer.put(status, x: cx, y: y, width: statusWidth, style: t.severity(severity))
        cx += statusWidth + gap
        guard let effort = arm.effort, j < effort.count else { return }
        let e = effort[j]
        if let pct = AlarmSettings.effortPct(effort: e, max: d.effortMax) {
            let s = Severity(p.view.alarmSettings.effortLevel(pct: pct))
            let text = Format.fixed(pct, 0) + "%"
            buffer.put(wide ? "eff " + text : text, x: cx, y: y, width: effortWidth, style: t.severity(s),
                       alignment: .right)
            buffer.put((wide ? " " : "") + s.marker, x: cx + effortWidth, y: y, width: effortMarkerWidth,
                       style: t.severity(s))
        } else if wide {
            let unit = d.unit == .m ? "N" : "Nm"
            buffer.put(Format.adaptive(e, maxDecimals: 2) + unit, x: cx, y: y, width: effortWidth, style: t.label,
                       alignment: .right)
        }
    }
}
