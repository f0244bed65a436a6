import SessionCore
import Telemetry
import Testing
@testable import View

private func isBraille(_ c: Character) -> Bool {
    c.unicodeScalars.first.map { (0x2801...0x28FF).contains($0.value) } ?? false
}

@Suite struct LinkChartsTests {
    let state = Fixture.realistic()

    @Test("A tall panel charts round trip, jitter and loss of each path, with scales and a time axis")
    func chartsWhenTall() throws {
        let b = panel(.link, state, Fixture.withLinkAlarms(Fixture.context(state: state), state), width: 120, height: 30)
        let primary = try #require(b.find("primary"))
        let backup = try #require(b.find("backup"))
        #expect(primary.y == backup.y)
        for label in ["RTT", "Jitter", "Loss"] {
            let charts = b.lines.reduce(0) { $0 + $1.components(separatedBy: "│" + label + " ").count - 1 }
            #expect(charts == 2, "\(label)")
        }
        // The primary's round trip reached 231.5 ms: a 0…300 ms scale with every threshold.
        #expect(b.contains("300 ms┤"))
        #expect(b.contains("hi 300") && b.contains("med 200") && b.contains("lo 100"))
        #expect(b.lines.filter { $0.contains("now") }.count == 1)   // one row: both paths' axes side by side
        #expect(b.lines.first { $0.contains("now") }.map { $0.components(separatedBy: "now").count - 1 } == 2)
        #expect(b.cells.filter { isBraille($0.character) }.count > 200)
        // The current value stays beside its chart, in its alarm's colour and marker.
        #expect(b.contains("232 ms"))
        // (Searched from row 2: the path's line may end with the session's percentiles, 232 among them.)
        #expect(b.style(of: "232", in: Rect(x: 0, y: 2, width: 60, height: 28))?.fg == .yellow)
        // Metrics without a chart keep their sparkline row.
        #expect(b.contains("Video"))
    }

    @Test("A chart's metric name stands out from its dim scale, so \"RTT … 300 ms\" is not read as the value")
    func nameIsNotTheScale() throws {
        let b = panel(.link, state, Fixture.context(state: state), width: 120, height: 30)
        let name = try #require(b.find("│RTT "))
        let scale = try #require(b.find("300 ms┤"))
        #expect(name.y == scale.y)
        #expect(b[name.x + 1, name.y].style.attributes.contains(.bold))
        #expect(!b[name.x + 1, name.y].style.attributes.contains(.dim))
        #expect(b[scale.x, scale.y].style.attributes.contains(.dim))
    }

    @Test("A short panel keeps the one-row sparklines")
    func sparklinesWhenShort() {
        let b = panel(.link, state, Fixture.context(state: state), width: 120, height: 12)
        let text = b.text
        #expect(!text.contains("now"))
        #expect(!b.cells.contains { isBraille($0.character) })
        #expect(b.lines.contains { $0.contains("│RTT ") && $0.contains(" 232 ms ") && $0.contains("█") })
    }

    @Test("A narrow panel keeps the sparklines however tall it is")
    func sparklinesWhenNarrow() {
        let b = panel(.link, state, Fixture.context(state: state), width: 44, height: 40)
        #expect(!b.cells.contains { isBraille($0.character) })
    }

    @Test("The charts take every row the panel gets, taller charts in a taller panel")
    func usesEveryRow() throws {
        var rttRows: [Int] = []
        for height in [20, 30, 45] {
            let b = panel(.link, state, Fixture.context(state: state), width: 140, height: height)
            let text = b.text
            #expect(text.contains("now"))
            // The last row inside the box holds something on both paths.
            let last = b.lines[height - 2]
            #expect(last.dropFirst().prefix(60).contains { $0 != " " }, "\(height)")
            #expect(last.dropFirst(72).prefix(60).contains { $0 != " " }, "\(height)")
            let rtt = try #require(b.find("│RTT "))
            let jitter = try #require(b.find("│Jitter "))
            rttRows.append(jitter.y - rtt.y)
        }
        #expect(rttRows[0] < rttRows[1] && rttRows[1] <= rttRows[2], "\(rttRows)")
    }

    @Test("Two paths in a 70×18 interior (the 120×40 demo) are charted side by side, narrower, not as sparklines")
    func sideBySideNarrowerCharts() throws {
        let b = panel(.link, state, Fixture.context(state: state), width: 72, height: 20)
        let primary = try #require(b.find("primary"))
        let backup = try #require(b.find("backup"))
        #expect(primary.y == backup.y)
        for label in ["RTT", "Jitter", "Loss"] {
            let charts = b.lines.reduce(0) { $0 + $1.components(separatedBy: "│" + label + " ").count - 1 }
            #expect(charts == 2, "\(label)")
        }
        #expect(b.contains("300 ms┤"))
        #expect(b.lines.first { $0.contains("now") }.map { $0.components(separatedBy: "now").count - 1 } == 2)
        #expect(b.cells.filter { isBraille($0.character) }.count > 50)
        // The metrics without a chart keep their sparkline rows under the charts.
        #expect(b.contains("Video") && b.contains("BW"))
    }

    @Test("In a 70×18 interior no row is left blank under the charts of either path")
    func sideBySideNarrowerUsesEveryRow() throws {
        let b = panel(.link, state, Fixture.context(state: state), width: 72, height: 20)
        let backup = try #require(b.find("backup"))
        for y in 1...18 {
            let line = Array(b.lines[y])
            #expect(line[1..<backup.x - 1].contains { $0 != " " }, "primary, row \(y)")
            #expect(line[backup.x..<71].contains { $0 != " " }, "backup, row \(y)")
        }
    }

    @Test("Side by side, charts narrower than the full ones are still charts: 35 columns of a path, not 33")
    func sideBySideNarrowestChart() {
        let wide = panel(.link, state, Fixture.context(state: state), width: 73, height: 20)   // 35 columns a path
        let narrow = panel(.link, state, Fixture.context(state: state), width: 69, height: 20) // 33 columns a path
        #expect(wide.contains("now") && wide.cells.contains { isBraille($0.character) })
        #expect(!narrow.contains("now") && !narrow.cells.contains { isBraille($0.character) })
    }

    @Test("A very tall panel charts video and bandwidth too")
    func extraChartsWhenVeryTall() {
        let b = panel(.link, state, Fixture.context(state: state), width: 140, height: 45)
        let text = b.text
        #expect(text.contains("fps┤") && text.contains("Mb/s┤"))
        #expect(text.contains("med 24"))   // video's alarm under 24 fps
    }

    @Test("A path that is down says so on its charts, where the line stops")
    func downOnTheChart() throws {
        let b = panel(.link, state, Fixture.context(state: state), width: 120, height: 30)
        let backup = try #require(b.find("backup"))
        let note = try #require(b.find(" DOWN 13 s ", in: Rect(x: backup.x, y: backup.y + 1, width: 119 - backup.x, height: 28)))
        #expect(b[note.x + 1, note.y].style.attributes.contains(.reverse))
        // Its value is a dash with the age of its last live one, never the old number.
        let side = Rect(x: backup.x, y: backup.y, width: LinkPanel.sideWidth - 1, height: 28)
        let values = b.lines(in: side).joined(separator: "\n")
        #expect(values.contains("— ms") && values.contains("s ago") && !values.contains("150"))
    }

    @Test("A live source gone quiet shows STALE on the charts")
    func staleOnTheChart() {
        let b = panel(.link, state, Fixture.context(now: Fixture.now + 6, state: state), width: 120, height: 30)
        #expect(b.lines.filter { $0.contains("STALE") }.count >= 3)
    }

    @Test("Large: big digits beside the charts")
    func largeDigitsWithCharts() {
        let b = panel(.link, state, Fixture.context(state: state), width: 160, height: 20, large: true)
        #expect(b.contains("RTT (ms)"))
        #expect(b.contains("▀▀█"))   // the 2 of 232 in big digits
        #expect(b.contains("now"))
        #expect(b.cells.filter { isBraille($0.character) }.count > 100)
    }

    @Test("Without UTF-8 and colour the charts are ASCII, thresholds labelled")
    func asciiMonochrome() {
        let b = panel(.link, state, Fixture.context(unicode: false, colors: false, state: state), width: 120, height: 30)
        #expect(b.isASCII)
        #expect(!b.usesColor)
        #expect(b.contains("hi 300") && b.contains("lo 100"))
        #expect(b.contains("now"))
        #expect(b.contains("300 ms+"))
    }
}

@Suite struct LinkChartsHostileTests {
    @Test("Wild link values (1e308, negative, huge swings) chart without a crash or a nan")
    func wildValues() {
        var b = SessionBuilder()
        b.session()
        let wild: [Double] = [1e308, -1e308, -5, 0, 4e307, 1e-300]
        var k = 0
        b.linkHistory(until: 120, seconds: 60) { _ in
            k += 1
            let v = wild[k % wild.count]
            return LinkSample(rttMs: v, jitterMs: v, lossPct: v)
        }
        for unicode in [true, false] {
            let p = panel(.link, b.state, Fixture.context(now: 1000 + 120.1, unicode: unicode, state: b.state),
                          width: 100, height: 20)
            let text = p.text
            #expect(text.contains("now") && text.contains("e308"))
            #expect(!text.contains("nan") && !text.contains("inf"))
        }
    }
}
