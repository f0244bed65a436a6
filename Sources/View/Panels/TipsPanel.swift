import SessionCore
import Telemetry

/// A top-down view (the x–y plane, y up) of each PSM's tool-tip trail over the last seconds,
/// each arm in its own colour, the older half dimmer, the newest point marked with the arm's
/// number; under it a scale bar and a legend (height z and tip speed per arm). A trail that
/// stopped is dim and its legend says for how long instead of the old height and speed.
///
/// The panel is a pure function of the state, so the view cannot remember its bounds between
/// frames. It stays steady anyway: the scale comes from a short ladder (`TipView.cellLadder`)
/// and the centre snaps to an eighth of the view, so it changes only when the trails cross a
/// step, not every frame; it grows the moment a trail leaves the view and shrinks only once
/// the far point is older than the trail (10 s).
enum TipsPanel {
    /// Arm colours in PSM order: none of the alarm colours (red, yellow), so a trail never
    /// looks like an alarm.
    static let palette: [Color] = [.cyan, .magenta, .green, .white, .blue]

    static func render(_ p: PanelContext, area: Rect, into buffer: inout CellBuffer) {
        let psms = p.state.arms.filter { $0.descriptor.kind == .psm }
        let window = psms.first?.tipTrail.window ?? HistoryLimits().tipWindow
        let title = PanelID.tips.title
        let tag = Span("top view, last " + NumberText.trimmed(window, 0) + " s", p.theme.dim)
        // The tag only describes the view, so unlike a state tag it gives way to the title.
        let roomForTag = area.width - 4 - buffer.columns(of: title) - 2 - 1 >= buffer.columns(of: tag.text) + 2
        let inner = p.frame(.tips, title: title, tags: roomForTag ? [tag] : [], area: area, into: &buffer)
        guard !inner.isEmpty else { return }
        if let sentence = absence(p.state, psms) {
            p.placeholder(sentence, area: inner, into: &buffer)
            return
        }
        let arms = psms.enumerated().map { k, arm in
            TipArm(arm: arm, number: k + 1, color: palette[k % palette.count], stale: staleness(of: arm, p))
        }
        // Bottom up: the legend (one line, or one per arm when that does not fit), the scale, the canvas.
        let oneLine = legendLine(p, arms)
        let legendRows = buffer.columns(of: oneLine) <= inner.width ? 1 : arms.count
        let canvasRows = inner.height - legendRows - 1
        guard canvasRows >= 2, inner.width >= 8 else {
            // Too small to draw: the figures alone.
            drawLegend(p, arms, oneLine: oneLine, rows: legendRows, area: inner, into: &buffer)
            return
        }
        let canvasArea = Rect(x: inner.x, y: inner.y, width: inner.width, height: canvasRows)
        let points = arms.map { visiblePoints($0.arm.tipTrail) }
        let view = TipView.fitting(points.flatMap { $0 }, columns: canvasArea.width, rows: canvasArea.height)
        var canvas = BrailleCanvas(width: canvasArea.width, height: canvasArea.height)
        // Stale arms first, so a live trail is drawn over one that stopped.
        for k in arms.indices.sorted(by: { (arms[$0].stale != nil ? 0 : 1) < (arms[$1].stale != nil ? 0 : 1) }) {
            draw(points[k], of: arms[k], view: view, theme: p.theme, on: &canvas)
        }
        canvas.render(into: &buffer, x: canvasArea.x, y: canvasArea.y)
        // The newest point of each arm, marked with its number (readable without colour).
        for (k, arm) in arms.enumerated() {
            guard let newest = points[k].last else { continue }
            let dot = view.dot(newest)
            guard dot.x >= 0, dot.y >= 0, dot.x / 2 < canvasArea.width, dot.y / 4 < canvasArea.height else { continue }
            let column = dot.x / 2, row = dot.y / 4
            buffer.put(String(arm.number % 10), x: canvasArea.x + column, y: canvasArea.y + row, width: 1,
                       style: marker(arm, theme: p.theme))
        }
        drawScale(p, view, y: canvasArea.maxY, area: inner, into: &buffer)
        drawLegend(p, arms, oneLine: oneLine, rows: legendRows,
                   area: Rect(x: inner.x, y: canvasArea.maxY + 1, width: inner.width, height: legendRows), into: &buffer)
    }

    /// Why there is no trail to draw, as a sentence; nil when there is one.
    static func absence(_ state: SessionState, _ psms: [ArmState]) -> String? {
        guard state.info != nil else { return "Waiting for the session frame" }
        guard !psms.isEmpty else { return "No PSM in this session: no tool tips to show" }
        guard psms.contains(where: { $0.lastUpdate != nil }) else { return "Waiting for the arms' first frames" }
        guard psms.contains(where: { !$0.tipTrail.isEmpty }) else {
            return "No tool-tip positions in this telemetry: the arms send joints only"
        }
        return nil
    }

    /// Whether the arm's trail stopped: a live arm that sends nothing is STALE, as everywhere
    /// in the console; an arm whose frames come (in a replay too) while its newest tip falls
    /// behind the session clock sends no usable tip (none, or only refused ones), though its
    /// joints keep its `lastUpdate` fresh.
    static func staleness(of arm: ArmState, _ p: PanelContext) -> TipStaleness? {
        if let age = p.view.staleAge(of: arm.lastUpdate) { return .armSilent(age) }
        guard let newest = arm.tipTrail.last else { return nil }
        let lag = p.state.sessionTime - newest.t
        return lag > p.view.staleAfter ? .noTip(lag) : nil
    }

    /// The trail's points within its window of its own newest point: an arm that stopped
    /// keeps its last seconds on screen (marked stale), rather than vanishing.
    static func visiblePoints(_ trail: TipTrail) -> [TipPoint] {
        guard let newest = trail.last else { return [] }
        let from = newest.t - trail.window
        var out: [TipPoint] = []
        out.reserveCapacity(trail.count)
        for k in 0..<trail.count where trail[k].t > from { out.append(trail[k]) }
        return out
    }

    /// A silence longer than this between two points is a gap in the data, not a straight move.
    static let gap = 0.5

    static func draw(_ points: [TipPoint], of arm: TipArm, view: TipView, theme: Theme, on canvas: inout BrailleCanvas) {
        guard let newest = points.last else { return }
        let half = newest.t - (arm.arm.tipTrail.window / 2)
        var previous: TipPoint?
        for point in points {
            let style = trailStyle(arm, older: point.t < half, theme: theme)
            let b = view.dot(point)
            if let previous, point.t - previous.t <= gap {
                let a = view.dot(previous)
                canvas.line(from: a, to: b, style: style)
            } else {
                canvas.set(dotX: b.x, dotY: b.y, style: style)
            }
            previous = point
        }
    }

    /// The older half of a trail and a stale arm's whole trail are dim.
    static func trailStyle(_ arm: TipArm, older: Bool, theme: Theme) -> Style {
        theme.style(arm.color, older || arm.stale != nil ? .dim : [])
    }

    static func marker(_ arm: TipArm, theme: Theme) -> Style {
        arm.stale != nil ? theme.style(arm.color, [.dim, .reverse]) : theme.style(arm.color, [.bold, .reverse])
    }

    /// "├────┤ 10 mm" at the left, the axes at the right.
    static func drawScale(_ p: PanelContext, _ view: TipView, y: Int, area: Rect, into buffer: inout CellBuffer) {
        let bar = view.scaleBar
        let unicode = p.glyphs.unicode
        let dash = String(repeating: unicode ? "─" : "-", count: max(0, bar.cells - 2))
        let drawn = bar.cells >= 2 ? (unicode ? "├" + dash + "┤" : "|" + dash + "|") : "|"
        let label = " " + NumberText.trimmed(bar.millimetres, 2) + " mm"
        let used = buffer.put([Span(drawn, p.theme.plain), Span(label, p.theme.label)], x: area.x, y: y, width: area.width,
                              ellipsis: p.ellipsis)
        let axes = unicode ? "x → y ↑" : "x -> y ^"
        let axesWidth = buffer.columns(of: axes)
        if used + 2 + axesWidth <= area.width {
            buffer.put(axes, x: area.maxX - axesWidth, y: y, width: axesWidth, style: p.theme.dim)
        }
    }

    /// Per arm: its number and name in its colour, then the tip's height and speed, or how long
    /// the trail has been stopped (its last height and speed are no longer the tip's).
    static func legendSpans(_ p: PanelContext, _ arm: TipArm) -> [Span] {
        var spans = [Span(String(arm.number % 10), marker(arm, theme: p.theme)),
                     Span(" " + TerminalText.fit(arm.arm.id, width: 16, ellipsis: p.ellipsis), p.theme.style(arm.color, .bold))]
        switch arm.stale {
        case .armSilent(let age):
            return spans + [Span(" "), p.staleTag(age)]
        case .noTip(let lag):
            let text = "no tip " + Format.duration(lag)
            return spans + [Span(" "), Span(p.theme.colors ? text : "[" + text + "]", p.theme.stale)]
        case nil:
            break
        }
        if let tip = arm.arm.tipTrail.last {
            spans.append(Span(" z " + NumberText.fixed(tip.z * 1000, 0) + " mm"))
        } else {
            spans.append(Span(" no tip", p.theme.dim))
        }
        if let speed = arm.speed {
            spans.append(Span(" " + NumberText.fixed(speed * 1000, 0) + " mm/s"))
        }
        return spans
    }

    static func legendLine(_ p: PanelContext, _ arms: [TipArm]) -> [Span] {
        var line: [Span] = []
        for (k, arm) in arms.enumerated() {
            if k > 0 { line.append(Span("  ")) }
            line += legendSpans(p, arm)
        }
        return line
    }

    static func drawLegend(_ p: PanelContext, _ arms: [TipArm], oneLine: [Span], rows: Int, area: Rect,
                           into buffer: inout CellBuffer) {
        guard !area.isEmpty else { return }
        if rows == 1 || arms.count == 1 {
            buffer.put(oneLine, x: area.x, y: area.maxY - 1, width: area.width, ellipsis: p.ellipsis)
            return
        }
        // One line per arm, from the bottom up, as many as fit.
        let shown = min(arms.count, area.height)
        for k in 0..<shown {
            buffer.put(legendSpans(p, arms[k]), x: area.x, y: area.maxY - shown + k, width: area.width, ellipsis: p.ellipsis)
        }
    }
}

/// A PSM as the panel draws it.
struct TipArm {
    let arm: ArmState
    let number: Int
    let color: Color
    /// How the trail stopped, when it has.
    let stale: TipStaleness?

    /// The tip's speed (m/s): the arm's own twist when it sends one, else measured along the
    /// trail over its last half second.
    var speed: Double? {
        if let speed = arm.tipSpeed, speed.isFinite { return speed }
        let trail = arm.tipTrail
        guard let newest = trail.last else { return nil }
        var k = trail.count - 1
        while k > 0 && newest.t - trail[k].t < 0.5 { k -= 1 }
        let earlier = trail[k], dt = newest.t - earlier.t
        guard dt > 0, dt <= 1 else { return nil }
        let dx = newest.x - earlier.x, dy = newest.y - earlier.y, dz = newest.z - earlier.z
        return (dx * dx + dy * dy + dz * dz).squareRoot() / dt
    }
}

/// How a PSM's trail stopped.
enum TipStaleness: Equatable {
    /// A live arm that sends nothing: seconds since its last frame arrived.
    case armSilent(Double)
    /// An arm whose frames carry no usable tip: session seconds since its newest tip.
    case noTip(Double)
}

/// Where the trails go on a canvas: metres per dot and the point at the canvas's centre.
/// Braille dots are square on a terminal whose cells are twice as tall as wide (2 dots across
/// half a cell width, 4 down two half-widths), so one scale serves x and y and a circle stays round.
struct TipView: Equatable {
    /// Millimetres per cell column (two dots), from a ladder whose steps are at most ×2 apart and
    /// keep a scale bar of 1, 2 or 5 times a power of ten millimetres a whole number of cells long.
    let millimetresPerCell: Double
    /// The view's centre, metres.
    let centreX: Double
    let centreY: Double
    let columns: Int
    let rows: Int

    /// Mantissas of the ladder of millimetres per cell.
    static let cellLadder: [Double] = [1, 2, 2.5, 4, 5]
    /// The smallest span the view shows across its narrow side: a tip holding still is not
    /// magnified into noise.
    static let minimumSpan = 0.02
    /// Room left around the trails on each side, as a share of the view.
    static let margin = 0.1

    var metresPerDot: Double { millimetresPerCell / 2000 }

    /// The dot of a point: x to the right, y up.
    func dot(_ point: TipPoint) -> (x: Int, y: Int) {
        let fx = (point.x - centreX) / metresPerDot + Double(columns)  // columns * 2 dots / 2
        let fy = Double(rows) * 2 - (point.y - centreY) / metresPerDot  // rows * 4 dots / 2
        return (Int(saturating: fx.rounded(.down)), Int(saturating: fy.rounded(.down)))
    }

    /// The view that fits `points` on a canvas of `columns` × `rows` cells.
    static func fitting(_ points: [TipPoint], columns: Int, rows: Int) -> TipView {
        let columns = max(1, columns), rows = max(1, rows)
        var minX = 0.0, maxX = 0.0, minY = 0.0, maxY = 0.0
        if let first = points.first {
            (minX, maxX, minY, maxY) = (first.x, first.x, first.y, first.y)
            for p in points {
                minX = min(minX, p.x); maxX = max(maxX, p.x)
                minY = min(minY, p.y); maxY = max(maxY, p.y)
            }
        }
        let dotsX = Double(columns * 2), dotsY = Double(rows * 4)
        let usable = 1 - 2 * margin
        let spanX = maxX - minX, spanY = maxY - minY
        let floor = minimumSpan / min(dotsX, dotsY)
        let needed = max(spanX / (dotsX * usable), spanY / (dotsY * usable), floor)  // metres per dot
        let cx = (minX + maxX) / 2, cy = (minY + maxY) / 2
        // Up the ladder until the snapped centre keeps every point inside (it does at the first
        // step that fits by the margin; the loop guards the rounding).
        var step = ladderStep(atLeast: needed * 2000)
        for _ in 0..<8 {
            let perDot = step / 2000
            let eighthX = dotsX * perDot / 8, eighthY = dotsY * perDot / 8
            let sx = (cx / eighthX).rounded() * eighthX, sy = (cy / eighthY).rounded() * eighthY
            let halfX = dotsX * perDot / 2, halfY = dotsY * perDot / 2
            if minX >= sx - halfX, maxX <= sx + halfX, minY >= sy - halfY, maxY <= sy + halfY {
                return TipView(millimetresPerCell: step, centreX: sx, centreY: sy, columns: columns, rows: rows)
            }
            step = ladderStep(atLeast: step * 1.0001)
        }
        return TipView(millimetresPerCell: step, centreX: cx, centreY: cy, columns: columns, rows: rows)
    }

    /// The smallest ladder value at or above `value` (millimetres per cell).
    static func ladderStep(atLeast value: Double) -> Double {
        guard value.isFinite, value > 0 else { return cellLadder[0] }
        var decade = 1.0
        while decade * 10 <= value { decade *= 10 }
        while decade > value { decade /= 10 }
        for mantissa in cellLadder + [10] where mantissa * decade >= value * (1 - 1e-12) {
            return mantissa * decade
        }
        return 10 * decade
    }

    /// A scale bar of 1, 2 or 5 × 10ⁿ mm, a whole number of cells long and about a fifth of
    /// the view (4 to 10 cells on a narrow canvas).
    var scaleBar: (millimetres: Double, cells: Int) {
        let target = max(4, min(10, columns / 5))
        var best = (millimetres: millimetresPerCell, cells: 1)
        var bestMiss = Int.max
        for n in 1...max(1, target * 2) {
            let length = millimetresPerCell * Double(n)
            guard Self.isRound(length) else { continue }
            let miss = abs(n - target)
            if miss < bestMiss { (best, bestMiss) = ((length, n), miss) }
        }
        return best
    }

    /// Whether `millimetres` is 1, 2 or 5 times a power of ten.
    static func isRound(_ millimetres: Double) -> Bool {
        guard millimetres > 0, millimetres.isFinite else { return false }
        var decade = 1.0
        while decade * 10 <= millimetres * (1 + 1e-9) { decade *= 10 }
        while decade > millimetres * (1 + 1e-9) { decade /= 10 }
        let mantissa = millimetres / decade
        return [1.0, 2, 5].contains { abs(mantissa - $0) < 1e-6 }
    }
}
