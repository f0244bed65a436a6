import SessionCore
import Telemetry

/// The Link panel where it has room: per path, a multi-row chart of round trip, jitter and loss
/// (and video and bandwidth when the panel is tall enough that every chart keeps 6 rows), each
/// with its current value beside it (big digits with the `large` option) and the alarm
/// thresholds across it. The charts share the rows the panel gets, so a taller panel gets
/// taller charts. Paths side by side too narrow for full charts get narrower ones (a shorter
/// stretch of plot) before the panel falls back to its one-row sparklines.
extension LinkPanel {
    /// Metrics charted whenever the panel charts a path, in the order the charts stack.
    static let chartMetrics: [LinkMetric] = [.rtt, .jitter, .loss]
    /// Metrics charted too when every chart still gets `roomyChartRows` rows.
    static let extraChartMetrics: [LinkMetric] = [.videoFps, .bandwidth]
    static let roomyChartRows = 6
    /// Columns of the value beside a chart: "Jitter" / "  4.2 ms" / "**", or big digits.
    static let sideWidth = 10
    static let largeSideWidth = 16
    /// The narrowest chart worth drawing: scale, axis and some 26 columns of plot.
    static let chartWidth = 34
    /// The narrowest chart beside another path's: scale and some 16 columns of plot. Narrower
    /// plots are still worth it there, where comparing the paths is the point (a 120×40 demo).
    static let sideBySideChartWidth = 24

    /// The least plot rows of one chart (four with big digits: a label over three rows of digits).
    static func chartRows(large: Bool) -> Int { large ? 4 : 3 }

    /// The least width of a block of charts.
    static func chartBlockWidth(large: Bool, chartWidth: Int = chartWidth) -> Int {
        (large ? largeSideWidth : sideWidth) + chartWidth
    }

    /// What a path's block of charts shows: the charted metrics, and the metrics drawn as
    /// one-row sparklines under them.
    struct ChartPlan: Equatable {
        var charts: [LinkMetric]
        var rows: [LinkMetric]
        var hidden: Int
    }

    /// The plan for `link` in `area`, nil when its core charts do not fit (too short or narrow)
    /// or it has reported none of them.
    static func chartPlan(_ link: LinkState, area: Rect, large: Bool, chartWidth: Int = chartWidth) -> ChartPlan? {
        let reported = metrics(of: link)
        var charts = chartMetrics.filter { reported.contains($0) }
        guard !charts.isEmpty, area.width >= chartBlockWidth(large: large, chartWidth: chartWidth) else { return nil }
        let room = area.height - 2  // the status line and the time axis
        let least = chartRows(large: large)
        guard room >= charts.count * least else { return nil }
        let extras = extraChartMetrics.filter { reported.contains($0) }
        // The rest by priority, so video (which has an alarm) gets a row before bandwidth.
        var others = priority.filter { reported.contains($0) && !charts.contains($0) }
        if !extras.isEmpty, room - (others.count - extras.count) >= (charts.count + extras.count) * roomyChartRows {
            charts += extras
            others.removeAll { extras.contains($0) }
        }
        let rows = Array(others.prefix(max(0, room - charts.count * least)))
        return ChartPlan(charts: charts, rows: rows, hidden: others.count - rows.count)
    }

    /// Draws every path as charts: side by side where full charts fit, else stacked, else side
    /// by side with narrower charts where they leave no metric out (stacked, a short panel has
    /// too few rows for them); false (nothing drawn) when some path's charts do not fit.
    static func renderCharts(_ p: PanelContext, _ links: [LinkState], _ inner: Rect, large: Bool, tags: [Span],
                             area: Rect, into buffer: inout CellBuffer) -> Bool {
        let n = links.count
        let sideBySide = LayoutEngine.split(inner, .columns, (0..<(2 * n - 1)).map { $0 % 2 == 0 ? .weight(1) : .fixed(1) })
            .enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        let stacked = LayoutEngine.split(inner, .rows, links.map { _ in .weight(1) })
        func plans(_ rects: [Rect], chartWidth: Int = chartWidth) -> [ChartPlan]? {
            var all: [ChartPlan] = []
            for (link, rect) in zip(links, rects) {
                guard let plan = chartPlan(link, area: rect, large: large, chartWidth: chartWidth) else { return nil }
                all.append(plan)
            }
            return all
        }
        let rects: [Rect], chosen: [ChartPlan]
        if n >= 2, let side = plans(sideBySide) {
            (rects, chosen) = (sideBySide, side)
        } else if let stack = plans(stacked) {
            (rects, chosen) = (stacked, stack)
        } else if n >= 2, let side = plans(sideBySide, chartWidth: sideBySideChartWidth), side.allSatisfy({ $0.hidden == 0 }) {
            // Only where every metric keeps its place: else the sparkline rows show more.
            (rects, chosen) = (sideBySide, side)
        } else {
            return false
        }
        if n >= 2, rects == sideBySide {
            for rect in rects.dropLast() {
                for y in rect.y..<rect.maxY { buffer.set(rect.maxX, y, p.glyphs.separator, p.theme.border) }
            }
        }
        var hidden = 0
        for (k, link) in links.enumerated() {
            chartBlock(p, link, chosen[k], area: rects[k], large: large, into: &buffer)
            hidden += chosen[k].hidden
        }
        if let tag = p.tallerTag(hidden, "metrics", title: PanelID.link.title, tags: tags, hidden: 0, area: area) {
            p.markHidden(0, .link, title: PanelID.link.title, tags: tags, notShown: [tag], area: area, into: &buffer)
        }
        return true
    }

    /// One path: its status line, its charts sharing the rows (the last one with the time
    /// axis), then its other metrics as sparkline rows.
    static func chartBlock(_ p: PanelContext, _ link: LinkState, _ plan: ChartPlan, area: Rect, large: Bool,
                           into buffer: inout CellBuffer) {
        statusLine(p, link, x: area.x, y: area.y, width: area.width, into: &buffer)
        let chartRows = area.height - 1 - plan.rows.count
        let heights = LayoutEngine.split(Rect(x: 0, y: 0, width: 1, height: chartRows - 1), .rows,
                                         plan.charts.map { _ in .weight(1) }).map(\.height)
        // One span for every chart of the path: they share the time axis under the last.
        let window = plan.charts.compactMap { link.history[$0].map { chartWindow($0, now: clock(p)) } }.max() ?? 60
        let charts = plan.charts.map { chart(p, link, $0, window: window, timeAxis: $0 == plan.charts.last) }
        // One width for every scale, so the plots line up over the one time axis.
        let scaleColumns = charts.compactMap { $0?.labelColumns(in: buffer) }.max() ?? 0
        var y = area.y + 1
        for (k, metric) in plan.charts.enumerated() {
            let height = heights[k] + (k == plan.charts.count - 1 ? 1 : 0)
            metricChart(p, link, metric, charts[k], scaleColumns: scaleColumns,
                        area: Rect(x: area.x, y: y, width: area.width, height: height), large: large, into: &buffer)
            y += height
        }
        for metric in plan.rows {
            metricRow(p, link, metric, x: area.x, y: y, width: area.width, into: &buffer)
            y += 1
        }
    }

    /// How many seconds a chart spans: the history it has, rounded up to a round span (at
    /// least a minute), at most what the history keeps.
    static func chartWindow(_ history: TimeSeries, now: Double) -> Double {
        let kept = max(history.window, 60)
        guard let first = history.points.first else { return min(60, kept) }
        let covered = now - first.t
        let span = [60, 120, 180, 300, 600, 900, 1800, 3600].first { $0 >= covered } ?? covered
        return min(span, kept)
    }

    /// The alarm thresholds drawn across a metric's chart, from the engine's own settings: the
    /// three levels of round trip, jitter and loss, video's minimum frame rate, and bandwidth's
    /// minimum on the path carrying the session.
    static func thresholds(_ p: PanelContext, _ link: LinkState, _ metric: LinkMetric) -> [ChartThreshold] {
        let settings = p.view.alarmSettings
        switch metric {
        case .rtt: return ChartThreshold.levels(settings.rttMs)
        case .jitter: return ChartThreshold.levels(settings.jitterMs)
        case .loss: return ChartThreshold.levels(settings.lossPct)
        case .videoFps: return [ChartThreshold(value: settings.videoFpsBelow, severity: .medium)]
        case .bandwidth:
            let carries = p.state.carrierLinkIndex.map { p.state.links[$0].path == link.path } ?? false
            guard carries, let minimum = settings.bandwidthMinimum(declared: p.state.info?.minBandwidthMbps) else { return [] }
            return [ChartThreshold(value: minimum, severity: .medium)]
        case .videoDelay: return []
        }
    }

    /// The level of a value of `metric` under the engine's rules (`.ok` for metrics without an alarm).
    static func valueLevel(_ p: PanelContext, _ link: LinkState, _ metric: LinkMetric) -> (Double) -> Severity {
        let settings = p.view.alarmSettings
        if metric == .bandwidth {
            let carries = p.state.carrierLinkIndex.map { p.state.links[$0].path == link.path } ?? false
            let minimum = carries ? settings.bandwidthMinimum(declared: p.state.info?.minBandwidthMbps) : nil
            return { Severity(settings.bandwidthLevel($0, minimum: minimum)) }
        }
        return { Severity(settings.linkLevel(metric, $0)) }
    }

    /// A metric's chart with its value beside it: label, value and unit, marker; or, large,
    /// the label over big digits. A path that is down shows a dash and the age of its last
    /// value, and its chart says DOWN over its right end, where the line has stopped.
    static func metricChart(_ p: PanelContext, _ link: LinkState, _ metric: LinkMetric, _ chart: Chart?,
                            scaleColumns: Int, area: Rect, large: Bool, into buffer: inout CellBuffer) {
        let sideColumns = large ? largeSideWidth : sideWidth
        let sideArea = Rect(x: area.x, y: area.y, width: sideColumns - 1, height: area.height)
        if large {
            largeSide(p, link, metric, area: sideArea, into: &buffer)
        } else {
            side(p, link, metric, area: sideArea, into: &buffer)
        }
        guard var chart else { return }
        chart.scaleColumns = scaleColumns
        let plot = chart.render(into: &buffer, area: Rect(x: area.x + sideColumns, y: area.y, width: area.width - sideColumns,
                                                          height: area.height))
        outageNote(p, link, plot: plot, into: &buffer)
    }

    /// The chart of a metric's history (nil before it has any), thresholds and colours from the
    /// alarm engine's settings.
    static func chart(_ p: PanelContext, _ link: LinkState, _ metric: LinkMetric, window: Double, timeAxis: Bool) -> Chart? {
        guard let history = link.history[metric] else { return nil }
        let now = clock(p)
        let lines = thresholds(p, link, metric)
        let hasAlarm = AlarmSettings.hasAlarm(metric) || !lines.isEmpty
        return Chart(points: history.points, end: now, window: window, unit: unit(metric),
                     thresholds: lines, minimumSpan: minimumSpan(metric),
                     gapAfter: max(2 * p.view.staleAfter, 3 * history.interval), level: valueLevel(p, link, metric),
                     okStyle: hasAlarm ? p.theme.bar(.ok) : p.theme.plain, showTimeAxis: timeAxis,
                     glyphs: p.glyphs, theme: p.theme)
    }

    /// Over the right end of the plot, where the line stops: "DOWN 12 s" in the path-down
    /// colour while the path is down, "STALE 3.4 s" while a live source has gone quiet.
    static func outageNote(_ p: PanelContext, _ link: LinkState, plot: Chart.Plot,
                           into buffer: inout CellBuffer) {
        let note: Span
        if link.up == false {
            let since = link.downSince.map { " " + Format.duration(clock(p) - $0) } ?? ""
            note = Span(" DOWN" + since + " ", downStyle(p))
        } else if let age = p.view.staleAge(of: link.lastUpdate) {
            note = Span(" " + p.staleTag(age).text + " ", p.theme.stale)
        } else {
            return
        }
        let area = plot.area
        guard area.height > 0 else { return }
        let width = min(buffer.columns(of: note.text), area.width)
        buffer.put(note.text, x: area.maxX - width, y: area.y + (area.height - 1) / 2, width: width, style: note.style,
                   ellipsis: p.ellipsis)
    }

    /// "RTT" / "232 ms" / "**" beside a chart; a dash and the age of the last value when the
    /// value is not live.
    static func side(_ p: PanelContext, _ link: LinkState, _ metric: LinkMetric, area: Rect, into buffer: inout CellBuffer) {
        let w = area.width
        // Bold, not dim like the scale beside it: "RTT … 300 ms┤" must not read as the value.
        buffer.put(label(metric, long: false), x: area.x, y: area.y, width: w, style: p.theme.bold, ellipsis: p.ellipsis)
        guard area.height >= 2, let value = link.latest[metric] else { return }
        if let age = absentAge(p, link, metric) {
            buffer.put(p.glyphs.none + " " + unit(metric), x: area.x, y: area.y + 1, width: w, style: p.theme.dim,
                       alignment: .right)
            if area.height >= 3 {
                buffer.put(age, x: area.x, y: area.y + 2, width: w, style: p.theme.dim, alignment: .right, ellipsis: p.ellipsis)
            }
            return
        }
        let severity = Severity(level(p, link, metric, value))
        let style = p.theme.severity(severity)
        let text = format(metric, value)
        let unitText = " " + unit(metric)
        let unitWidth = buffer.columns(of: unitText)
        buffer.put(text, x: area.x, y: area.y + 1, width: w - unitWidth, style: style, alignment: .right, ellipsis: p.ellipsis)
        buffer.put(unitText, x: area.x + w - unitWidth, y: area.y + 1, width: unitWidth, style: p.theme.label)
        let markerRow = area.height >= 3 ? area.y + 2 : area.y
        buffer.put(severity.marker, x: area.x, y: markerRow, width: w, style: style, alignment: .right)
    }

    /// "RTT (ms)" over the value in big digits, its marker after them.
    static func largeSide(_ p: PanelContext, _ link: LinkState, _ metric: LinkMetric, area: Rect,
                          into buffer: inout CellBuffer) {
        let w = area.width
        buffer.put(label(metric, long: false) + " (" + unit(metric) + ")", x: area.x, y: area.y, width: w,
                   style: p.theme.label, ellipsis: p.ellipsis)
        guard let value = link.latest[metric] else { return }
        guard link.isLive(metric) else {
            buffer.put(p.glyphs.none, x: area.x, y: area.y + 2, width: w, style: p.theme.dim)
            if let age = absentAge(p, link, metric) {
                buffer.put(age, x: area.x, y: area.y + 3, width: w, style: p.theme.dim, ellipsis: p.ellipsis)
            }
            return
        }
        let severity = Severity(level(p, link, metric, value))
        let text = metric == .loss ? Format.fixed(value, 1) : Format.adaptive(value, maxDecimals: value < 10 ? 1 : 0)
        let big = BigText(text, style: p.theme.bar(severity), glyphs: p.glyphs)
        let marker = severity.marker
        if big.width <= w {
            big.render(into: &buffer, area: Rect(x: area.x, y: area.y + 1, width: w, height: 3))
            // The marker after the digits, or on the label's row when they fill the column.
            if big.width + 1 + marker.count <= w {
                buffer.put(marker, x: area.x + big.width + 1, y: area.y + 3, width: marker.count, style: p.theme.severity(severity))
            } else {
                buffer.put(marker, x: area.x, y: area.y, width: w, style: p.theme.severity(severity), alignment: .right)
            }
        } else {
            buffer.put(text + " " + marker, x: area.x, y: area.y + 2, width: w, style: p.theme.severity(severity),
                       ellipsis: p.ellipsis)
        }
    }
}
