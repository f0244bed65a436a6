import SessionCore
import Telemetry
import Testing
@testable import View

/// `seconds` of points at 10 Hz ending at `end`, values from `f(t)`.
private func series(until end: Double = 100, seconds: Double = 60, _ f: (Double) -> Double) -> [TimedValue] {
    stride(from: end - seconds, through: end + 1e-9, by: 0.1).map { TimedValue(t: $0, value: f($0)) }
}

/// A chart of round trips under the default RTT thresholds (100 / 200 / 300 ms).
private func rttChart(_ points: [TimedValue], end: Double = 100, window: Double = 60, unicode: Bool = true,
                      colors: Bool = true) -> Chart {
    let settings = AlarmSettings.defaults
    return Chart(points: points, end: end, window: window, unit: "ms", thresholds: ChartThreshold.levels(settings.rttMs),
                 minimumSpan: 20, gapAfter: 1, level: { Severity(settings.linkLevel(.rtt, $0)) },
                 okStyle: Theme(colors: colors).bar(.ok), glyphs: Glyphs(unicode: unicode), theme: Theme(colors: colors))
}

/// Draws `chart` into a `width` × `height` buffer (ASCII when `unicode` is false) at (0, 0).
private func draw(_ chart: Chart, width: Int = 60, height: Int = 13, unicode: Bool = true) -> (CellBuffer, Chart.Plot) {
    var buffer = CellBuffer(width: width, height: height)
    buffer.asciiOnly = !unicode
    let plot = chart.render(into: &buffer, area: buffer.area)
    return (buffer, plot)
}

/// How many braille dots a cell shows.
private func dots(_ cell: Cell) -> Int {
    (cell.character.unicodeScalars.first.map { $0.value - 0x2800 } ?? 0).nonzeroBitCount
}

private func isBraille(_ c: Character) -> Bool {
    c.unicodeScalars.first.map { (0x2801...0x28FF).contains($0.value) } ?? false
}

@Suite struct ChartScaleTests {
    @Test("The scale runs from 0 to a round number over the data, its unit on the top label")
    func scaleLabelsAndUnit() throws {
        let (b, plot) = draw(rttChart(series { _ in 112 }))
        #expect(rttChart(series { _ in 112 }).scale == (0, 150))
        let lines = b.lines
        #expect(lines[0].hasPrefix("150 ms┤"))
        #expect(lines[plot.area.maxY - 1].hasPrefix("     0┤"))
        // The middle label, on the row that holds 75 ms.
        let middle = try #require(b.find("75┤"))
        #expect(middle.y > 0 && middle.y < plot.area.maxY - 1)
        #expect(abs(middle.y - (plot.area.height - 1) / 2) <= 1)
        #expect(plot.area.x == 7)
    }

    @Test("The scale reaches the lowest threshold when the data comes near it, not otherwise")
    func lowestThresholdWhenNear() {
        #expect(rttChart(series { _ in 30 }).scale == (0, 30))
        #expect(rttChart(series { _ in 70 }).scale == (0, 100))
        let (far, _) = draw(rttChart(series { _ in 30 }))
        #expect(!far.contains("lo 100") && !far.contains("med 200"))
        let (near, _) = draw(rttChart(series { _ in 70 }))
        #expect(near.contains("lo 100") && !near.contains("med 200") && !near.contains("hi 300"))
    }

    @Test("A steady value keeps a least span; a negative value moves the bottom below 0")
    func minimumSpanAndNegatives() {
        #expect(rttChart(series { _ in 3 }).scale == (0, 20))
        let scale = rttChart(series { $0 < 70 ? -42 : 10 }).scale
        #expect(scale.low == -50 && scale.high >= 10)
    }
}

@Suite struct ChartAxisTests {
    @Test("A minute or two is labelled in seconds, longer in minutes, ending at now")
    func secondsAndMinutes() {
        let (short, plot) = draw(rttChart(series { _ in 50 }))
        let axis = short.lines[plot.area.maxY]
        #expect(axis.hasSuffix("now"))
        #expect(axis.contains("-60s") && axis.contains("-30s"))
        #expect(!axis.contains("m "))

        let (long, longPlot) = draw(rttChart(series(seconds: 300) { _ in 50 }, window: 300), width: 100)
        let minutes = long.lines[longPlot.area.maxY]
        #expect(minutes.hasSuffix("now"))
        for label in ["-5m", "-4m", "-3m", "-2m", "-1m"] { #expect(minutes.contains(label)) }
        #expect(!minutes.contains("s "))
        // "-5m" at the left edge of the plot, where the window starts.
        #expect(long.find("-5m")?.x == longPlot.area.x)
    }

    @Test("Time labels never run into each other on a narrow chart")
    func narrowAxis() {
        let (b, plot) = draw(rttChart(series(seconds: 300) { _ in 50 }, window: 300), width: 24)
        let axis = b.lines[plot.area.maxY]
        #expect(axis.hasSuffix("now"))
        let words = axis.split(separator: " ")
        #expect(words.allSatisfy { $0 == "now" || ($0.hasPrefix("-") && $0.hasSuffix("m")) })
    }

    @Test("Without room for the axis (under 3 rows) the series takes every row")
    func shortChartHasNoAxis() {
        // 0 ms on two rows: the series on the bottom row, where the axis would be.
        let (b, _) = draw(rttChart(series { _ in 0 }), height: 2)
        #expect(!b.contains("now"))
        #expect(b.lines[1].contains { isBraille($0) })
    }
}

@Suite struct ChartThresholdTests {
    @Test("Each threshold is a line on its row, in its priority's colour, labelled")
    func linesAtTheirRows() throws {
        // 0…300 ms over 12 plot rows (48 dots): 100 ms lies 16 dots above the bottom, in row 7;
        // 200 ms 31 dots up, in row 4; 300 ms on the top row.
        let chart = rttChart(series { $0 > 99 ? 250 : 20 })
        #expect(chart.scale == (0, 300))
        let (b, plot) = draw(chart)
        #expect(plot.area.height == 12)
        let lo = try #require(b.find("lo 100"))
        let med = try #require(b.find("med 200"))
        let hi = try #require(b.find("hi 300"))
        #expect((lo.y, med.y, hi.y) == (7, 4, 0))
        #expect(b[lo.x, lo.y].style.fg == .cyan)
        #expect(b[med.x, med.y].style.fg == .yellow)
        #expect(b[hi.x, hi.y].style.fg == .red)
        // Each line runs across the plot in its colour: solid high, dashed medium (two dots in
        // every other cell), dotted low (one dot in every other cell).
        let span = plot.area.x + 20..<plot.area.maxX - 4
        func marks(_ row: Int) -> [Cell] { span.map { b[$0, row] }.filter { isBraille($0.character) } }
        #expect(marks(0).count == span.count && marks(0).allSatisfy { $0.style.fg == .red && dots($0) == 2 })
        #expect(abs(marks(4).count - span.count / 2) <= 1 && marks(4).allSatisfy { $0.style.fg == .yellow && dots($0) == 2 })
        #expect(abs(marks(7).count - span.count / 2) <= 1 && marks(7).allSatisfy { $0.style.fg == .cyan && dots($0) == 1 })
    }

    @Test("In monochrome the thresholds keep their labels and line patterns")
    func monochrome() throws {
        let (b, _) = draw(rttChart(series { $0 > 99 ? 250 : 20 }, colors: false))
        #expect(!b.usesColor)
        #expect(b.contains("lo 100") && b.contains("med 200") && b.contains("hi 300"))
        // The high line is solid, the low one dotted: telling them apart needs no colour.
        let hi = try #require(b.find("hi 300")), lo = try #require(b.find("lo 100"))
        let hiDots = b.lines[hi.y].filter(isBraille).count, loDots = b.lines[lo.y].filter(isBraille).count
        #expect(hiDots > loDots)
    }

    @Test("Over a dense series every threshold keeps its label, at the left end of its row",
          arguments: [true, false])
    func labelsOverADenseSeries(colors: Bool) throws {
        // A round trip swinging 20…290 ms every sample: the line covers every row of the plot.
        let chart = rttChart(series { Int(($0 * 10).rounded()) % 2 == 0 ? 20 : 290 }, colors: colors)
        #expect(chart.scale == (0, 300))
        let (b, plot) = draw(chart)
        for label in ["lo 100", "med 200", "hi 300"] {
            let found = b.find(" " + label + " ")
            #expect(found?.x == plot.area.x, "\(label)")
        }
        let lo = try #require(b.find("lo 100"))
        #expect(lo.y == 7)
        if colors { #expect(b[lo.x, lo.y].style.fg == .cyan) }
        // The newest data, at the right, is not covered.
        #expect(isBraille(b[plot.area.maxX - 1, lo.y].character))
    }

    @Test("Thresholds that share a row put their labels side by side")
    func labelsSharingARow() throws {
        // 0…300 ms on 2 plot rows: 200 and 300 ms both fall in the top row.
        let (b, plot) = draw(rttChart(series { $0 > 99 ? 250 : 20 }), height: 3)
        #expect(plot.area.height == 2)
        let med = try #require(b.find("med 200")), hi = try #require(b.find("hi 300"))
        #expect(med.y == hi.y)
        #expect(b.contains(" med 200  hi 300 ") || b.contains(" hi 300  med 200 "))
    }

    @Test("The series takes the colour of the level its values reach")
    func seriesColourChangesAtThresholds() throws {
        // Flat at 50 ms (no alarm), then at 250 ms (medium) for the last second.
        let (b, plot) = draw(rttChart(series { $0 > 99 ? 250 : 50 }))
        let row50 = plot.area.y + 9   // 50 ms of 300 over 48 dots: 8 dots up, row 9
        let lowCells = (plot.area.x..<plot.area.maxX - 2).filter { isBraille(b[$0, row50].character) }
        #expect(lowCells.count > 40)
        #expect(lowCells.allSatisfy { b[$0, row50].style.fg == .green })
        let right = plot.area.maxX - 1
        let rising = (plot.area.y..<plot.area.maxY).filter { isBraille(b[right, $0].character) }
        #expect(rising.contains { b[right, $0].style.fg == .yellow })
    }
}

@Suite struct ChartSeriesTests {
    @Test("A steady series is one row of braille dots across the plot")
    func flatSeries() {
        // 0 on a 0…20 scale: the bottom dot row, dots 7 and 8 of every cell (U+28C0 "⣀").
        let chart = rttChart(series { _ in 0 })
        let (b, plot) = draw(chart)
        let bottom = plot.area.maxY - 1
        let row = (plot.area.x..<plot.area.maxX).map { b[$0, bottom].character }
        #expect(row.allSatisfy { $0 == "⣀" })
        for y in plot.area.y..<bottom {
            #expect(!(plot.area.x..<plot.area.maxX).contains { isBraille(b[$0, y].character) })
        }
    }

    @Test("A ramp rises from the bottom-left to the top-right")
    func ramp() {
        let (b, plot) = draw(rttChart(series { ($0 - 40) * 2 }))   // 0 → 120 ms over the minute
        let a = plot.area
        func top(_ x: Int) -> Int? { (a.y..<a.maxY).first { isBraille(b[x, $0].character) } }
        #expect(top(a.x) == a.maxY - 1)
        let left = top(a.x) ?? 0, middle = top(a.x + a.width / 2) ?? 0, right = top(a.maxX - 1) ?? a.maxY
        #expect(right < middle && middle < left)
    }

    @Test("Where there is no data the line stops: a gap, not a bridge")
    func gaps() {
        // Data for the first and last 20 s of the minute, nothing between.
        let points = series { _ in 50 }.filter { $0.t < 60 || $0.t > 80 }
        let (b, plot) = draw(rttChart(points))
        let a = plot.area
        func hasDots(_ x: Int) -> Bool {
            (a.y..<a.maxY).contains { isBraille(b[x, $0].character) && b[x, $0].style.fg == .green }
        }
        let column = { (t: Double) in plot.column(of: t) }
        #expect(hasDots(column(50)) && hasDots(column(90)))
        #expect(!(column(62)...column(78)).contains { hasDots($0) })
        // NaN in the data breaks the line the same way.
        let broken = series { abs($0 - 70) < 5 ? .nan : 50 }
        let (nb, np) = draw(rttChart(broken))
        #expect(!(np.column(of: 66)...np.column(of: 74)).contains { x in
            (np.area.y..<np.area.maxY).contains { isBraille(nb[x, $0].character) && nb[x, $0].style.fg == .green }
        })
    }

    @Test("A spike that just scrolled off leaves no full-height bar at the left edge")
    func spikeScrolledOff() {
        // The reviewer's case: −1e300 at 39.5 s, 50 ms from 40.2 s on, a minute ending at 100 s.
        let points = [TimedValue(t: 39.5, value: -1e300), TimedValue(t: 40.2, value: 50), TimedValue(t: 100, value: 50)]
        let (b, plot) = draw(rttChart(points))
        let a = plot.area
        let column0 = (a.y..<a.maxY).filter { isBraille(b[a.x, $0].character) }
        #expect(column0.contains(a.y))
        #expect(!column0.contains(a.maxY - 1), "\(column0)")
        // 40.2 s and 100 s are too far apart to join: the newest 50 ms is a dot at the top right.
        #expect(isBraille(b[a.maxX - 1, a.y].character))
        #expect(!(a.y + 1..<a.maxY).contains { isBraille(b[a.maxX - 1, $0].character) })
    }

    @Test("A line that was already running before the window enters at its left edge")
    func lineEntersFromTheLeft() {
        // 10 ms before the window and after it: a flat line that starts in the first column.
        let points = [TimedValue(t: 39.4, value: 10), TimedValue(t: 40.4, value: 10), TimedValue(t: 100, value: 10)]
        let (b, plot) = draw(rttChart(points))
        let a = plot.area
        let row = (a.y..<a.maxY).first { isBraille(b[a.maxX - 1, $0].character) }
        #expect(row != nil)
        if let row { #expect(isBraille(b[a.x, row].character)) }
        // A point before the window with nothing after it inside draws nothing.
        let (lone, lonePlot) = draw(rttChart([TimedValue(t: 39.9, value: 500)]))
        #expect(!(lonePlot.area.y..<lonePlot.area.maxY).contains { isBraille(lone[lonePlot.area.x, $0].character) })
    }

    @Test("Without UTF-8 the chart is ASCII: marks for the dots, = - for the thresholds")
    func asciiFallback() throws {
        let (b, plot) = draw(rttChart(series { $0 > 99 ? 250 : 50 }, unicode: false), unicode: false)
        #expect(b.isASCII)
        #expect(b.lines[0].hasPrefix("300 ms+"))
        let hi = try #require(b.find("hi 300")), med = try #require(b.find("med 200")), lo = try #require(b.find("lo 100"))
        #expect(b.lines[hi.y].contains("====="))
        #expect(b.lines[med.y].contains("-----"))
        #expect(b.lines[lo.y].contains("- - -"))
        // The steady 50 ms: a row of marks across the plot.
        let row = b.lines[plot.area.y + 9]
        #expect(row.filter { $0 == "." || $0 == "'" || $0 == ":" }.count > 40)
        #expect(b.lines[plot.area.maxY].hasSuffix("now"))
    }
}

@Suite struct ChartHostileTests {
    @Test("NaN, infinities, 1e308 and negative values draw a chart, never a crash or a nan label")
    func hostileValues() {
        let wild: [Double] = [.nan, .infinity, -.infinity, 1e308, -1e308, -5, .greatestFiniteMagnitude, 0]
        let points = series { wild[Int($0 * 10) % wild.count] }
        for unicode in [true, false] {
            let (b, plot) = draw(rttChart(points, unicode: unicode), unicode: unicode)
            let text = b.text
            #expect(!text.contains("nan") && !text.contains("inf"))
            #expect(plot.area.width > 0)
            #expect(b.lines[0].contains("e308"))
        }
        // A wild end time, window or threshold draws an empty chart.
        let odd = Chart(points: points, end: .nan, window: -.infinity, unit: "%",
                        thresholds: [ChartThreshold(value: .nan, severity: .high)], minimumSpan: .infinity,
                        gapAfter: .nan, glyphs: .utf8, theme: .color)
        let (b, _) = draw(odd)
        #expect(!b.text.contains("nan"))
    }

    @Test("1-row, 1-column and empty areas stay inside their area", arguments: [(1, 1), (1, 10), (30, 1), (0, 5), (5, 0)])
    func tinyAreas(size: (width: Int, height: Int)) {
        var b = CellBuffer(width: 40, height: 12)
        let area = Rect(x: 3, y: 4, width: size.width, height: size.height)
        rttChart(series { $0 - 30 }).render(into: &b, area: area)
        for y in 0..<b.height {
            for x in 0..<b.width where x < area.x || x >= area.maxX || y < area.y || y >= area.maxY {
                #expect(b[x, y] == .blank)
            }
        }
        // Any area that is not empty, down to one cell, still shows the series (10…70 ms, green).
        let shown = area.intersection(b.area)
        guard !shown.isEmpty else { return }
        let cells = (shown.y..<shown.maxY).flatMap { y in (shown.x..<shown.maxX).map { b[$0, y] } }
        #expect(cells.contains { isBraille($0.character) && $0.style.fg == .green }, "\(size)")
    }

    @Test("A wild value just before the window enters as a bounded slope, never a full-height bar",
          arguments: [-1e300, 1e308, -Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude, 300])
    func wildValueBeforeTheWindow(before: Double) {
        // The window is 40…100 s; the point at 39.5 s is left out of the scale (0…50 ms).
        let points = [TimedValue(t: 39.5, value: before), TimedValue(t: 40.2, value: 50), TimedValue(t: 100, value: 50)]
        for unicode in [true, false] {
            let chart = rttChart(points, unicode: unicode)
            #expect(chart.scale == (0, 50))
            let (b, plot) = draw(chart, unicode: unicode)
            #expect(!b.text.contains("nan") && !b.text.contains("inf"))
            let a = plot.area
            let marked = (a.y..<a.maxY).filter { b[a.x, $0].character != " " }
            // The line still enters at the left edge, near the top where 50 ms is…
            #expect(marked.contains(a.y))
            // …and column 0 holds no more than the slope in: at most half the plot's height.
            #expect(marked.count <= a.height / 2, "\(before) \(marked)")
        }
    }

    @Test("No points: an empty plot with a scale")
    func empty() {
        let (b, _) = draw(rttChart([]))
        #expect(b.lines[0].hasPrefix("20 ms┤"))
        #expect(!b.cells.contains { isBraille($0.character) && $0.style.fg == .green })
    }
}

@Suite struct ChartScaleRowsTests {
    @Test("The middle label gives way to a threshold line on its row")
    func middleLabelBesideAThreshold() throws {
        // 0…150 ms on 6 rows: 75 ms and the 100 ms line share row 2.
        let (b, plot) = draw(rttChart(series { _ in 123 }), height: 7)
        #expect(plot.area.height == 6)
        let lo = try #require(b.find("lo 100"))
        #expect(lo.y == 2)
        #expect(!b.contains("75┤"))
        #expect(b.lines[0].hasPrefix("150 ms┤") && b.lines[5].hasPrefix("     0┤"))
    }
}
