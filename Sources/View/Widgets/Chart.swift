import SessionCore
import Telemetry

/// An alarm threshold a chart draws across its plot: a line of dots in the priority's colour,
/// dashed by priority (high solid, medium dashed, low dotted) and labelled "lo 100", so it
/// reads without colour too.
public struct ChartThreshold: Sendable, Equatable {
    public var value: Double
    public var severity: Severity

    public init(value: Double, severity: Severity) {
        self.value = value
        self.severity = severity
    }

    /// "lo 100", "med 200", "hi 300".
    public var label: String {
        let name = switch severity {
        case .ok: ""
        case .low: "lo "
        case .medium: "med "
        case .high: "hi "
        }
        return name + NumberText.trimmed(value, 3)
    }

    /// The three thresholds of an alarm's levels.
    public static func levels(_ levels: AlarmSettings.Levels) -> [ChartThreshold] {
        [ChartThreshold(value: levels.low, severity: .low), ChartThreshold(value: levels.medium, severity: .medium),
         ChartThreshold(value: levels.high, severity: .high)]
    }
}

/// A multi-row line chart of a time series, btop style: braille dots (2×4 per cell) with a
/// value scale and its unit on the left, a time axis under it ("-4m … now", "-30s … now"), the
/// alarm thresholds as lines, and the series coloured by the level of its values. Where there
/// is no data for longer than `gapAfter` (a path down, a source gone quiet) the line stops:
/// a gap is drawn as a gap, never bridged.
///
/// Without Unicode the dots fall back to ASCII marks (`'` top half of a cell, `.` bottom half,
/// `:` both) and the thresholds to `=` (high), `-` (medium) and `- - ` (low): under a non-UTF-8
/// locale curses shows ASCII only.
public struct Chart {
    /// The series, oldest first (as a `TimeSeries` keeps it); only those in the window are drawn.
    public let points: [TimedValue]
    /// The time at the right edge ("now") and how many seconds the chart spans to its left.
    public let end: Double
    public let window: Double
    public var unit: String
    public let thresholds: [ChartThreshold]
    /// The least the top of the scale stands for, so noise on a steady value stays flat.
    public let minimumSpan: Double
    /// Points further apart than this, in seconds, are not joined.
    public var gapAfter: Double
    /// The level of a value: the series takes `theme.bar(level)` (and `okStyle` below every threshold).
    public var level: (Double) -> Severity
    public var okStyle: Style
    public var showTimeAxis: Bool
    /// The least width of the scale's labels, so charts stacked over one time axis line up.
    public var scaleColumns = 0
    public var glyphs: Glyphs
    public var theme: Theme

    public init(points: some Collection<TimedValue>, end: Double, window: Double, unit: String,
                thresholds: [ChartThreshold] = [], minimumSpan: Double = 0, gapAfter: Double = 1,
                level: @escaping (Double) -> Severity = { _ in .ok }, okStyle: Style = .plain,
                showTimeAxis: Bool = true, glyphs: Glyphs, theme: Theme) {
        let finiteEnd = end.isFinite ? end : 0
        let span = window.isFinite && window > 0 ? window : 1
        // One point before the window too, so a line enters from the left edge.
        let start = finiteEnd - span - max(0, gapAfter)
        self.points = points.filter { $0.t >= start && $0.t <= finiteEnd }
        self.end = finiteEnd
        self.window = span
        self.unit = unit
        self.thresholds = thresholds.filter { $0.value.isFinite }
        self.minimumSpan = minimumSpan.isFinite ? max(0, minimumSpan) : 0
        self.gapAfter = gapAfter.isFinite ? max(0, gapAfter) : 0
        self.level = level
        self.okStyle = okStyle
        scale = Self.scale(of: self.points, from: finiteEnd - span, thresholds: self.thresholds,
                           minimumSpan: self.minimumSpan)
        self.showTimeAxis = showTimeAxis
        self.glyphs = glyphs
        self.theme = theme
    }

    // MARK: - scale

    /// The values the scale stands for, bottom and top: from 0 when no value is negative (else
    /// from a round number under the lowest), to a round number over the highest, at least
    /// `minimumSpan`, and up to the lowest threshold once the data comes near it (60 %).
    /// Worked out once, at `init`: the frame's layout and its drawing both read it, and it
    /// takes a pass over minutes of points.
    public let scale: (low: Double, high: Double)

    static func scale(of points: [TimedValue], from start: Double, thresholds: [ChartThreshold],
                      minimumSpan: Double) -> (low: Double, high: Double) {
        var lo = Double.infinity, hi = -Double.infinity
        for p in points where p.value.isFinite && p.t >= start {
            lo = min(lo, p.value)
            hi = max(hi, p.value)
        }
        guard lo.isFinite else { return (0, Self.roundUp(minimumSpan > 0 ? minimumSpan : 1)) }
        let bottom = lo >= 0 ? 0 : -Self.roundUp(-lo)
        var top = max(hi, 0)
        if top - bottom < minimumSpan { top = bottom + minimumSpan }
        if let lowest = thresholds.map(\.value).filter({ $0 > bottom }).min(), lowest > 0, hi >= 0.6 * lowest {
            top = max(top, lowest)
        }
        var rounded = Self.roundUp(top)
        if rounded <= bottom { rounded = bottom == 0 ? 1 : 0 }
        return (bottom, rounded)
    }

    /// The round number at or above `x` (1, 1.5, 2, 3, 4, 5, 6 or 8 times a power of ten), so
    /// the middle label is round too. Finite for any finite `x`.
    static func roundUp(_ x: Double) -> Double {
        guard x.isFinite else { return .greatestFiniteMagnitude }
        guard x > 0 else { return 0 }
        var power = 1.0
        while power * 10 <= x { power *= 10 }
        while power > x { power /= 10 }
        for m in [1, 1.5, 2, 3, 4, 5, 6, 8, 10] as [Double] where m * power >= x * (1 - 1e-12) {
            let r = m * power
            return r.isFinite ? r : .greatestFiniteMagnitude
        }
        return x
    }

    static func label(_ v: Double) -> String {
        NumberText.trimmed(v, abs(v) >= 10 ? 0 : abs(v) >= 1 ? 1 : 3)
    }

    // MARK: - drawing

    /// Where a chart drew its plot, and how time maps onto its columns.
    public struct Plot: Sendable, Equatable {
        public var area: Rect
        public var start: Double
        public var end: Double

        /// The column of time `t` (clamped to the plot).
        public func column(of t: Double) -> Int {
            guard area.width > 1, end > start else { return area.maxX - 1 }
            let f = min(max((t - start) / (end - start), 0), 1)
            return area.x + Int(saturating: (f * Double(area.width - 1)).rounded())
        }
    }

    /// Draws the chart into `area` and returns where its plot is. A short area drops the time
    /// axis (under 3 rows), a narrow one the scale; a 1×1 area still gets the series.
    @discardableResult
    public func render(into buffer: inout CellBuffer, area: Rect) -> Plot {
        let (lo, hi) = scale
        let labels = scaleLabels(lo, hi)
        let labelWidth = max(scaleColumns, labels.map { buffer.columns(of: $0) }.max() ?? 0)
        let axisRow = showTimeAxis && area.height >= 3
        let plotHeight = area.height - (axisRow ? 1 : 0)
        let withScale = area.width >= labelWidth + 1 + 8
        let plotX = area.x + (withScale ? labelWidth + 1 : 0)
        let plot = Rect(x: plotX, y: area.y, width: area.maxX - plotX, height: plotHeight)
        let result = Plot(area: plot, start: end - window, end: end)
        guard !plot.isEmpty else { return result }
        if withScale { drawScale(labels, lo: lo, hi: hi, width: labelWidth, plot: plot, into: &buffer) }
        drawSeries(lo: lo, hi: hi, plot: plot, into: &buffer)
        if axisRow { drawTimeAxis(plot: plot, y: plot.maxY, into: &buffer) }
        return result
    }

    /// The columns the scale's labels take (without `scaleColumns`).
    public func labelColumns(in buffer: CellBuffer) -> Int {
        let (lo, hi) = scale
        return scaleLabels(lo, hi).map { buffer.columns(of: $0) }.max() ?? 0
    }

    /// Top (with the unit), middle and bottom labels, as many as the rows allow.
    func scaleLabels(_ lo: Double, _ hi: Double) -> [String] {
        let top = Self.label(hi) + (unit.isEmpty ? "" : " " + unit)
        return [top, Self.label((lo + hi) / 2), Self.label(lo)]
    }

    /// The dot row of value `v` (0 at the top), far outside the plot for wild values.
    func dotRow(_ v: Double, lo: Double, hi: Double, dots: Int) -> Int {
        // Halved so that hi - lo cannot overflow with values near ±1.8e308.
        let f = (v / 2 - lo / 2) / (hi / 2 - lo / 2)
        return dots - 1 - Int(saturating: (f * Double(dots - 1)).rounded())
    }

    func drawScale(_ labels: [String], lo: Double, hi: Double, width: Int, plot: Rect, into buffer: inout CellBuffer) {
        let rows = plot.height
        let dots = rows * 4
        var marks: [(row: Int, text: String)] = [(0, labels[0])]
        if rows >= 2 { marks.append((rows - 1, labels[2])) }
        // The middle label only on a row of its own: beside a threshold line ("75" next to
        // "lo 100") it would read as the line's value.
        let middle = dotRow((lo + hi) / 2, lo: lo, hi: hi, dots: dots) / 4
        let lined = Set(visibleThresholds(lo: lo, hi: hi, dots: dots).map { $0.y / 4 })
        if rows >= 5, !lined.contains(middle) { marks.append((middle, labels[1])) }
        let axis = plot.x - 1
        for row in 0..<rows {
            buffer.set(axis, plot.y + row, glyphs.unicode ? "│" : "|", theme.border)
        }
        for mark in marks {
            buffer.put(mark.text, x: plot.x - 1 - width, y: plot.y + mark.row, width: width, style: theme.label,
                       alignment: .right)
            buffer.set(axis, plot.y + mark.row, glyphs.unicode ? "┤" : "+", theme.border)
        }
    }

    func drawSeries(lo: Double, hi: Double, plot: Rect, into buffer: inout CellBuffer) {
        var canvas = BrailleCanvas(width: plot.width, height: plot.height)
        let dots = canvas.dotHeight
        // Each dot row takes the level of the highest value it stands for, so the colour changes
        // on the row a threshold is drawn on.
        let rowStyle: [(Style, UInt8)] = (0..<dots).map { y in
            // Halved, as in `dotRow`, so that no step overflows.
            let f = (Double(y) - 0.5) / Double(max(1, dots - 1))
            let severity = level(min(2 * (hi / 2 - f * (hi / 2 - lo / 2)), hi))
            return (severity == .ok ? okStyle : theme.bar(severity), UInt8(1 + severity.rawValue))
        }
        let start = end - window
        let lastX = max(1, canvas.dotWidth - 1)
        let plotDot = { (dx: Int, dy: Int) in
            guard dy >= 0, dy < dots else { return }
            canvas.set(dotX: dx, dotY: dy, style: rowStyle[dy].0, rank: rowStyle[dy].1)
        }
        // Minutes of history put dozens of points in each dot column. The segments joining the
        // points of one column are vertical, so together they cover the span from the lowest to
        // the highest: a run of joined points in one column is drawn once, as that span (the
        // same dots as segment by segment, for a fraction of the work).
        var run: (x: Int, low: Int, high: Int)?
        func flush() {
            guard let r = run else { return }
            run = nil
            // Off-scale ends are held to the plot, so a wild value costs no more than its height.
            let low = max(r.low, 0), high = min(r.high, dots - 1)
            guard low <= high else { return }
            for y in low...high { plotDot(r.x, y) }
        }
        var previous: (x: Int, y: Int, t: Double, value: Double)?
        for p in points {
            guard p.value.isFinite else { previous = nil; flush(); continue }
            let x = Int(saturating: ((p.t - start) / window * Double(lastX)).rounded())
            let y = dotRow(p.value, lo: lo, hi: hi, dots: dots)
            defer { previous = (x, y, p.t, p.value) }
            // Points before the window only carry the line in to its left edge.
            guard p.t >= start else { continue }
            if let prev = previous, p.t - prev.t <= gapAfter {
                if prev.t >= start, prev.x == x, let r = run, r.x == x {
                    run = (x, min(r.low, y), max(r.high, y))
                    continue
                }
                flush()
                let from = prev.t >= start ? (prev.x, prev.y)
                    : (0, dotRow(Self.entry(from: (prev.t, prev.value), to: (p.t, p.value), at: start, lo: lo, hi: hi),
                                 lo: lo, hi: hi, dots: dots))
                BrailleCanvas.forEachDot(from: from, to: (x, y), limit: canvas.lineLimit, plotDot)
            } else {
                flush()
                plotDot(x, y)
            }
            run = (x, y, y)
        }
        flush()
        drawThresholds(lo: lo, hi: hi, plot: plot, canvas: &canvas, into: &buffer)
        canvas.render(into: &buffer, x: plot.x, y: plot.y)
        labelThresholds(lo: lo, hi: hi, plot: plot, dots: dots, into: &buffer)
    }

    /// The value at `start` of the line from a point before the window to the first inside it.
    /// The outside point is not part of the scale, so its value is first held to the scale:
    /// a spike that has just scrolled off shows as the line's slope into the window, never as
    /// a full-height bar at the left edge.
    static func entry(from outside: (t: Double, value: Double), to inside: (t: Double, value: Double), at start: Double,
                      lo: Double, hi: Double) -> Double {
        let held = min(max(outside.value, lo), hi)
        let f = inside.t > outside.t ? min(max((start - outside.t) / (inside.t - outside.t), 0), 1) : 1
        // Halved, as in `dotRow`, so that the difference cannot overflow near ±1.8e308.
        return held + 2 * ((inside.value / 2 - held / 2) * f)
    }

    /// The visible thresholds: their dot row, style and dash pattern.
    func visibleThresholds(lo: Double, hi: Double, dots: Int) -> [(t: ChartThreshold, y: Int)] {
        thresholds.filter { $0.value >= lo && $0.value <= hi }
            .map { ($0, dotRow($0.value, lo: lo, hi: hi, dots: dots)) }
            .filter { $0.1 >= 0 && $0.1 < dots }
    }

    func drawThresholds(lo: Double, hi: Double, plot: Rect, canvas: inout BrailleCanvas, into buffer: inout CellBuffer) {
        for (threshold, y) in visibleThresholds(lo: lo, hi: hi, dots: canvas.dotHeight) {
            let style = theme.bar(threshold.severity)
            if glyphs.unicode {
                // Dots under the series (rank 0): high solid, medium dashed, low dotted.
                for x in 0..<canvas.dotWidth {
                    let on = switch threshold.severity {
                    case .high, .ok: true
                    case .medium: x % 4 < 2
                    case .low: x % 4 == 0
                    }
                    if on { canvas.set(dotX: x, dotY: y, style: style, rank: 0) }
                }
            } else {
                let row = plot.y + y / 4
                for column in 0..<plot.width {
                    let mark: Character? = switch threshold.severity {
                    case .high, .ok: "="
                    case .medium: "-"
                    case .low: column % 2 == 0 ? "-" : nil
                    }
                    if let mark { buffer.set(plot.x + column, row, mark, style) }
                }
            }
        }
    }

    /// "lo 100" at the left end of each threshold's row, over the oldest of the series: a line
    /// keeps its label however dense the data (in monochrome the label is what tells the lines
    /// apart), and the newest data, at the right, stays in view. Labels sharing a row go side
    /// by side; a plot narrower than a label shows the line alone.
    func labelThresholds(lo: Double, hi: Double, plot: Rect, dots: Int, into buffer: inout CellBuffer) {
        var used: [Int: Int] = [:]  // plot row → columns its labels already take
        for (threshold, y) in visibleThresholds(lo: lo, hi: hi, dots: dots) {
            let text = " " + threshold.label + " "
            let width = buffer.columns(of: text)
            let row = y / 4
            let x = used[row, default: 0]
            guard x + width <= plot.width else { continue }
            buffer.put(text, x: plot.x + x, y: plot.y + row, width: width, style: theme.severity(threshold.severity))
            used[row] = x + width
        }
    }

    /// "-4m   -3m   -2m   -1m   now" (minutes past two minutes, else seconds), as many as fit apart.
    func drawTimeAxis(plot: Rect, y: Int, into buffer: inout CellBuffer) {
        let minutes = window > 120
        let steps: [Double] = minutes ? [60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400]
                                      : [1, 2, 5, 10, 15, 20, 30, 60]
        let perColumn = window / Double(max(1, plot.width - 1))
        let labelRoom = 8.0
        let step = steps.first { $0 / perColumn >= labelRoom } ?? window
        let now = "now"
        let nowWidth = buffer.columns(of: now)
        buffer.put(now, x: plot.maxX - nowWidth, y: y, width: nowWidth, style: theme.label)
        var leftmostUsed = plot.maxX - nowWidth  // columns from here on are taken
        var k = 1.0
        while k * step <= window + 1e-9 {
            let seconds = k * step
            let text = minutes ? "-\(Int(saturating: seconds / 60))m" : "-\(Int(saturating: seconds))s"
            let width = buffer.columns(of: text)
            let centre = plot.x + Int(saturating: ((window - seconds) / perColumn).rounded())
            let x = max(plot.x, min(centre - width / 2, plot.maxX - width))
            if x + width < leftmostUsed {
                buffer.put(text, x: x, y: y, width: width, style: theme.label)
                leftmostUsed = x
            }
            k += 1
        }
    }
}
