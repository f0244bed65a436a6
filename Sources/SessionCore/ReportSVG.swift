import SystemCalls
import Telemetry

/// The inline SVG plots of the HTML report: a time axis over the session, a value axis with
/// its unit, threshold bands, lines broken where data stopped. Pure string building; every
/// label passed in is escaped here.
enum ReportSVG {
    static let width = 960.0
    /// Room for the value axis' numbers on the left and the bands' labels on the right.
    static let left = 64.0, right = 92.0, top = 12.0, bottom = 34.0

    /// A horizontal band between two values (an alarm threshold's range).
    struct Band {
        var from: Double
        var to: Double
        /// `low`, `medium` or `high`: its colour.
        var priority: AlarmPriority
        var label: String
    }

    /// A dashed reference line (a threshold that is no alarm).
    struct Rule {
        var at: Double
        var label: String
    }

    struct Line {
        var label: String
        /// Index into the palette.
        var colour: Int
        var runs: [[SeriesPoint]]
    }

    struct Plot {
        var title: String
        var unit: String
        var start: Double
        var end: Double
        var lines: [Line]
        var bands: [Band] = []
        var rules: [Rule] = []
        /// The value range always shown (a threshold the data never reached stays in view).
        var floor: Double = 0
        var ceiling: Double? = nil
        var height = 190.0
    }

    static let palette = ["#1f5fa8", "#d9822b", "#2e8b57", "#8e44ad", "#b03a6f", "#5d6d7e", "#a0522d", "#00838f"]

    static func render(_ plot: Plot) -> String {
        let values = plot.lines.flatMap { $0.runs.joined().map(\.v) }
        var low = min(plot.floor, values.min() ?? plot.floor)
        var high = max(values.max() ?? 1, plot.ceiling ?? -Double.infinity, plot.bands.map(\.from).max() ?? -Double.infinity)
        high += (high - low) * 0.08
        if !(high > low) { high = low + 1 }
        var ticks = niceTicks(low, high)
        low = min(low, ticks.first ?? low)
        high = max(high, ticks.last ?? high)
        // Values near the largest number a double holds leave no room for the axis' arithmetic:
        // said on the plot, rather than the data clamped into a made-up range.
        let outOfRange = !(high - low).isFinite
        if outOfRange { low = 0; high = 1; ticks = niceTicks(0, 1) }
        let x0 = left, x1 = width - right, y0 = top, y1 = plot.height - bottom
        let span = max(plot.end - plot.start, 1e-9)
        func x(_ t: Double) -> Double { x0 + (min(max(t, plot.start), plot.end) - plot.start) / span * (x1 - x0) }
        func y(_ v: Double) -> Double { y1 - (min(max(v, low), high) - low) / (high - low) * (y1 - y0) }

        var s = "<figure class=\"plot\"><figcaption>\(ReportHTML.escape(plot.title))"
        if plot.lines.count > 1 || !plot.lines.isEmpty && !plot.lines[0].label.isEmpty {
            s += "<span class=\"legend\">"
            for line in plot.lines {
                s += "<span><i style=\"background:\(palette[line.colour % palette.count])\"></i>\(ReportHTML.escape(line.label))</span>"
            }
            s += "</span>"
        }
        s += "</figcaption>"
        s += "<svg viewBox=\"0 0 \(n(width)) \(n(plot.height))\" role=\"img\" aria-label=\"\(ReportHTML.escape(plot.title))\">"
        // Bands first, under everything.
        for band in plot.bands {
            let top = y(min(band.to, high)), bottom = y(max(band.from, low))
            guard bottom > top else { continue }
            s += "<rect class=\"band \(band.priority.rawValue)\" x=\"\(n(x0))\" y=\"\(n(top))\" width=\"\(n(x1 - x0))\" height=\"\(n(bottom - top))\"/>"
            if !band.label.isEmpty { s += "<text class=\"bandlabel \(band.priority.rawValue)\" x=\"\(n(x1 + 6))\" y=\"\(n(min(bottom - 3, top + 11)))\">\(ReportHTML.escape(band.label))</text>" }
        }
        // Grid and value axis.
        for v in ticks {
            s += "<line class=\"grid\" x1=\"\(n(x0))\" x2=\"\(n(x1))\" y1=\"\(n(y(v)))\" y2=\"\(n(y(v)))\"/>"
            s += "<text class=\"ytick\" x=\"\(n(x0 - 6))\" y=\"\(n(y(v) + 4))\">\(number(v, step: ticks.count > 1 ? ticks[1] - ticks[0] : 1))</text>"
        }
        s += "<text class=\"yunit\" transform=\"translate(14 \(n((y0 + y1) / 2))) rotate(-90)\">\(ReportHTML.escape(plot.unit))</text>"
        let times = timeTicks(plot.start, plot.end)
        for t in times {
            s += "<line class=\"xtickmark\" x1=\"\(n(x(t)))\" x2=\"\(n(x(t)))\" y1=\"\(n(y1))\" y2=\"\(n(y1 + 4))\"/>"
            s += "<text class=\"xtick\" x=\"\(n(x(t)))\" y=\"\(n(y1 + 16))\">\(clock(t, tenths: finer(times)))</text>"
        }
        s += "<text class=\"xunit\" x=\"\(n(x1))\" y=\"\(n(plot.height - 3))\">session time (min:s)</text>"
        // The lowest rule's label under its line, the others above theirs: close rules stay legible.
        for (k, rule) in plot.rules.sorted(by: { $0.at < $1.at }).enumerated() where rule.at >= low && rule.at <= high {
            s += "<line class=\"rule\" x1=\"\(n(x0))\" x2=\"\(n(x1))\" y1=\"\(n(y(rule.at)))\" y2=\"\(n(y(rule.at)))\"/>"
            s += "<text class=\"rulelabel\" x=\"\(n(x1 + 6))\" y=\"\(n(y(rule.at) + (k == 0 ? 10 : -3)))\">\(ReportHTML.escape(rule.label))</text>"
        }
        for line in plot.lines where !outOfRange {
            let colour = palette[line.colour % palette.count]
            for run in line.runs {
                if run.count == 1 {
                    s += "<circle cx=\"\(n(x(run[0].t)))\" cy=\"\(n(y(run[0].v)))\" r=\"1.5\" fill=\"\(colour)\"/>"
                } else {
                    s += "<polyline class=\"series\" stroke=\"\(colour)\" points=\""
                    s += run.map { n(x($0.t)) + "," + n(y($0.v)) }.joined(separator: " ")
                    s += "\"/>"
                }
            }
        }
        if plot.lines.allSatisfy({ $0.runs.isEmpty }) {
            s += "<text class=\"nodata\" x=\"\(n((x0 + x1) / 2))\" y=\"\(n((y0 + y1) / 2))\">no data</text>"
        } else if outOfRange {
            s += "<text class=\"nodata\" x=\"\(n((x0 + x1) / 2))\" y=\"\(n((y0 + y1) / 2))\">values out of plotting range</text>"
        }
        s += "<rect class=\"frame\" x=\"\(n(x0))\" y=\"\(n(y0))\" width=\"\(n(x1 - x0))\" height=\"\(n(y1 - y0))\"/>"
        return s + "</svg></figure>"
    }

    /// The alarms as bars in time, one row per alarm, coloured by priority.
    static func timeline(_ bars: [ReportSeries.AlarmBar], start: Double, end: Double, rowLimit: Int = 30,
                         bookmarks: [Bookmark]) -> String {
        var ids: [String] = []
        for bar in bars where !ids.contains(bar.id) { ids.append(bar.id) }
        let shown = Array(ids.prefix(rowLimit))
        let row = 16.0, labelWidth = 210.0
        let x0 = labelWidth, x1 = width - 16, y0 = 8.0
        let height = y0 + Double(max(shown.count, 1)) * row + 34
        let span = max(end - start, 1e-9)
        func x(_ t: Double) -> Double { x0 + (min(max(t, start), end) - start) / span * (x1 - x0) }
        var s = "<figure class=\"plot\"><figcaption>Alarm timeline<span class=\"legend\">"
        for p in AlarmPriority.allCases.reversed() {
            s += "<span><i class=\"\(p.rawValue)\"></i>\(p.rawValue) \(p.marker)</span>"
        }
        if !bookmarks.isEmpty { s += "<span><i class=\"bookmark\"></i>bookmark</span>" }
        s += "</span></figcaption><svg viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" aria-label=\"Alarm timeline\">"
        for (k, id) in shown.enumerated() {
            let top = y0 + Double(k) * row
            if k % 2 == 0 { s += "<rect class=\"stripe\" x=\"0\" y=\"\(n(top))\" width=\"\(n(x1))\" height=\"\(n(row))\"/>" }
            s += "<text class=\"rowlabel\" x=\"\(n(x0 - 8))\" y=\"\(n(top + 12))\">\(ReportHTML.escape(ReportHTML.cut(id, 30)))</text>"
            for bar in bars where bar.id == id {
                let a = x(bar.start), b = max(x(bar.end), a + 1.5)  // a blip stays visible
                s += "<rect class=\"bar \(bar.priority.rawValue)\" x=\"\(n(a))\" y=\"\(n(top + 3))\" width=\"\(n(b - a))\" height=\"\(n(row - 6))\">"
                s += "<title>\(ReportHTML.escape(id)) \(bar.priority.rawValue) \(clock(bar.start, tenths: true))–\(clock(bar.end, tenths: true))</title></rect>"
            }
        }
        if shown.isEmpty {
            s += "<text class=\"nodata\" x=\"\(n((x0 + x1) / 2))\" y=\"\(n(y0 + 12))\">no alarm was raised</text>"
        }
        let axis = y0 + Double(max(shown.count, 1)) * row
        for mark in bookmarks {
            s += "<line class=\"bookmarkline\" x1=\"\(n(x(mark.t)))\" x2=\"\(n(x(mark.t)))\" y1=\"\(n(y0))\" y2=\"\(n(axis))\"/>"
        }
        s += "<line class=\"axis\" x1=\"\(n(x0))\" x2=\"\(n(x1))\" y1=\"\(n(axis))\" y2=\"\(n(axis))\"/>"
        let times = timeTicks(start, end)
        for t in times {
            s += "<line class=\"xtickmark\" x1=\"\(n(x(t)))\" x2=\"\(n(x(t)))\" y1=\"\(n(axis))\" y2=\"\(n(axis + 4))\"/>"
            s += "<text class=\"xtick\" x=\"\(n(x(t)))\" y=\"\(n(axis + 16))\">\(clock(t, tenths: finer(times)))</text>"
        }
        s += "<text class=\"xunit\" x=\"\(n(x1))\" y=\"\(n(height - 3))\">session time (min:s)</text>"
        s += "</svg>"
        if ids.count > shown.count {
            s += "<p class=\"note\">\(ids.count - shown.count) more alarms are in the alarm table.</p>"
        }
        return s + "</figure>"
    }

    /// Round, evenly spaced values covering low…high: about five steps of 1, 2 or 5 × 10ⁿ.
    static func niceTicks(_ low: Double, _ high: Double) -> [Double] {
        let rough = (high - low) / 5
        guard rough > 0, rough.isFinite else { return [low] }
        // 10ⁿ from the exponent, over the whole range of doubles (no loop that stops short).
        let magnitude = Math.pow(10, Math.log10(rough).rounded(.down))
        guard let step = [1.0, 2, 5, 10].map({ $0 * magnitude }).first(where: { $0 >= rough * (1 - 1e-12) }),
              step.isFinite, step > 0 else { return [low] }
        var out: [Double] = []
        // Tick k is (first + k) × step: no running sum to drift, or overflow past the last.
        let first = (low / step).rounded(.down)
        for k in 0..<12 {
            let v = (first + Double(k)) * step
            guard v.isFinite, v <= high + step * 0.001 else { break }
            if v >= low - step * 0.001 { out.append(v) }
        }
        return out
    }

    /// Round session times for the time axis: about eight, at 1, 2, 5, 10, 15, 30 s, 1, 2, 5,
    /// 10, 15, 30 min, 1 h… apart.
    static func timeTicks(_ start: Double, _ end: Double) -> [Double] {
        let span = end - start
        guard span > 0, span.isFinite else { return [start] }
        let steps: [Double] = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 43_200, 86_400]
        let step = steps.first { span / $0 <= 8 } ?? (span / 8).rounded(.up)
        var t = (start / step).rounded(.up) * step
        var out: [Double] = []
        while t <= end + step * 1e-6, out.count < 20 {
            out.append(t)
            t += step
        }
        return out
    }

    /// Session time as `m:ss`, `h:mm:ss` from an hour, with tenths when asked (`1:05.3`).
    static func clock(_ t: Double, tenths: Bool = false) -> String {
        let t = max(0, t)
        let scaled = Int(saturating: (t * 10).rounded(tenths ? .toNearestOrAwayFromZero : .down))
        let whole = scaled / 10
        let seconds = whole % 60, minutes = (whole / 60) % 60, hours = whole / 3600
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let base = hours > 0 ? "\(hours):\(two(minutes)):\(two(seconds))" : "\(minutes):\(two(seconds))"
        return tenths ? base + ".\(scaled % 10)" : base
    }

    /// Whether time ticks are less than a second apart (their labels need tenths).
    static func finer(_ ticks: [Double]) -> Bool {
        ticks.count > 1 && ticks[1] - ticks[0] < 1
    }

    /// A tick's number with the decimals its step needs.
    static func number(_ v: Double, step: Double) -> String {
        let decimals = step >= 1 ? 0 : step >= 0.1 ? 1 : step >= 0.01 ? 2 : 3
        return NumberText.fixed(v, decimals)
    }

    /// A coordinate: one decimal is a tenth of a pixel.
    static func n(_ v: Double) -> String { NumberText.trimmed(v, 1) }
}
