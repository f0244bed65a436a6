import Testing
@testable import View

@Suite struct BoxTests {
    @Test func drawsBorderAndTitle() {
        var b = CellBuffer(width: 12, height: 3)
        let inner = Box(title: "Link", glyphs: .utf8, theme: .color).render(into: &b, area: b.area)
        #expect(inner == Rect(x: 1, y: 1, width: 10, height: 1))
        #expect(b.lines == ["┌─ Link ───┐", "│          │", "└──────────┘"])
        #expect(b.style(of: "Link")?.attributes.contains(.bold) == true)
    }

    @Test func cutsALongTitleWithAnEllipsis() {
        var b = CellBuffer(width: 12, height: 3)
        Box(title: "Instruments and tools", glyphs: .utf8, theme: .color).render(into: &b, area: b.area)
        #expect(b.lines[0] == "┌─ Instr… ─┐")
    }

    @Test func focusedBoxHasADoubleBorderAndAHighlightedTitle() {
        var plain = CellBuffer(width: 12, height: 3)
        var focused = CellBuffer(width: 12, height: 3)
        Box(title: "Arms", glyphs: .utf8, theme: .color).render(into: &plain, area: plain.area)
        Box(title: "Arms", focused: true, glyphs: .utf8, theme: .color).render(into: &focused, area: focused.area)
        #expect(focused.lines == ["╔═ Arms ═══╗", "║          ║", "╚══════════╝"])
        #expect(focused.style(of: "Arms") != plain.style(of: "Arms"))
        #expect(focused.style(of: "Arms")?.attributes.contains(.reverse) == true)
    }

    @Test func asciiBorders() {
        var b = CellBuffer(width: 10, height: 3)
        Box(title: "Log", glyphs: .ascii, theme: .monochrome).render(into: &b, area: b.area)
        #expect(b.lines == ["+- Log --+", "|        |", "+--------+"])
        var f = CellBuffer(width: 10, height: 3)
        Box(title: "Log", focused: true, glyphs: .ascii, theme: .monochrome).render(into: &f, area: f.area)
        #expect(f.lines == ["#= Log ==#", "|        |", "#========#"])
    }

    @Test func tagsSitAtTheRightAndWinOverTheTitle() {
        var b = CellBuffer(width: 24, height: 3)
        Box(title: "Instruments", tags: [Span("STALE 3.4 s", Theme.color.stale)], glyphs: .utf8, theme: .color)
            .render(into: &b, area: b.area)
        #expect(b.lines[0] == "┌─ Ins… ─ STALE 3.4 s ─┐")
        #expect(b.style(of: "STALE")?.attributes.contains(.reverse) == true)
    }

    @Test func titleTextIsSanitised() {
        var b = CellBuffer(width: 20, height: 3)
        Box(title: "A\u{1B}[31mB\u{7}", glyphs: .utf8, theme: .color).render(into: &b, area: b.area)
        #expect(b.lines[0] == "┌─ AB ─────────────┐")
    }
}

@Suite struct GaugeTests {
    func draw(_ f: Double, width: Int = 4, glyphs: Glyphs = .utf8) -> String {
        var b = CellBuffer(width: width, height: 1)
        Gauge(fraction: f, style: Style(fg: .green), glyphs: glyphs).render(into: &b, area: b.area)
        return b.lines[0]
    }

    @Test func fillsWithEighthsOfACell() {
        #expect(draw(0) == "····")
        #expect(draw(1.0 / 32) == "▏···")
        #expect(draw(0.5) == "██··")
        #expect(draw(0.5 + 3.0 / 32) == "██▍·")
        #expect(draw(7.0 / 32) == "▉···")
        #expect(draw(1) == "████")
    }

    @Test func clampsOutOfRangeValues() {
        #expect(draw(-0.5) == "····")
        #expect(draw(1.7) == "████")
        #expect(draw(.nan) == "····")
    }

    @Test func asciiUsesHashesWithDashAndEqualsPartials() {
        #expect(draw(0.5, glyphs: .ascii) == "##..")
        #expect(draw(0.5 + 1.0 / 32, glyphs: .ascii) == "##-.")
        #expect(draw(0.5 + 5.0 / 32, glyphs: .ascii) == "##=.")
    }

    @Test func filledCellsCarryTheStyleAndTheTrackIsDim() {
        var b = CellBuffer(width: 4, height: 1)
        Gauge(fraction: 0.5, style: Style(fg: .red), glyphs: .utf8).render(into: &b, area: b.area)
        #expect(b[0, 0].style.fg == .red)
        #expect(b[3, 0].style.attributes.contains(.dim))
    }
}

@Suite struct SparklineTests {
    @Test func drawsEightLevelsNewestAtTheRight() {
        var b = CellBuffer(width: 10, height: 1)
        Sparkline(values: [0, 1, 2, 3, 4, 5, 6, 7], glyphs: .utf8).render(into: &b, area: b.area)
        #expect(b.lines[0] == "  ▁▂▃▄▅▆▇█")
    }

    @Test func showsOnlyTheLatestValuesThatFit() {
        var b = CellBuffer(width: 3, height: 1)
        Sparkline(values: [7, 7, 7, 0, 7, 0], glyphs: .utf8).render(into: &b, area: b.area)
        #expect(b.lines[0] == "▁█▁")
    }

    @Test func asciiFallbackIsReadable() {
        var b = CellBuffer(width: 8, height: 1)
        Sparkline(values: [0, 1, 2, 3, 4, 5, 6, 7], glyphs: .ascii).render(into: &b, area: b.area)
        #expect(b.lines[0] == "_.,-=+*#")
    }

    @Test func aSteadyValueIsAFlatLineAtTheBottom() {
        var b = CellBuffer(width: 4, height: 1)
        Sparkline(values: [112, 113, 112, 112.5], minimumSpan: 20, glyphs: .utf8).render(into: &b, area: b.area)
        #expect(b.lines[0] == "▁▁▁▁")
    }

    @Test func eachBarIsStyledByItsValue() {
        var b = CellBuffer(width: 3, height: 1)
        Sparkline(values: [10, 200, 400], glyphs: .utf8, style: { $0 >= 300 ? Style(fg: .red) : .plain })
            .render(into: &b, area: b.area)
        #expect(b[2, 0].style.fg == .red)
        #expect(b[0, 0].style.fg == .default)
    }
}

@Suite struct TableTests {
    let columns = [
        Table.Column("Arm", .fixed(4)),
        Table.Column("Tool", .weight(1)),
        Table.Column("Uses", .fixed(4), .right),
    ]

    @Test func headerRowAlignedColumnsAndEllipsis() {
        var b = CellBuffer(width: 20, height: 3)
        Table(columns: columns, rows: [
            Table.Row([Span("PSM1"), Span("LARGE_NEEDLE_DRIVER"), Span("7")]),
            Table.Row([Span("PSM2"), Span("FORCEPS"), Span("12")]),
        ]).render(into: &b, area: b.area)
        #expect(b.lines == [
            "Arm  Tool       Uses",
            "PSM1 LARGE_NEE…    7",
            "PSM2 FORCEPS      12",
        ])
        #expect(b.style(of: "Arm")?.attributes.contains(.bold) == true)
    }

    @Test func scrollsByRows() {
        var b = CellBuffer(width: 20, height: 3)
        let rows = (1...5).map { Table.Row([Span("R\($0)"), Span("x"), Span("\($0)")]) }
        let table = Table(columns: columns, rows: rows, offset: 2)
        table.render(into: &b, area: b.area)
        #expect(b.lines[1].hasPrefix("R3"))
        #expect(b.lines[2].hasPrefix("R4"))
        #expect(table.maxOffset(height: 3) == 3)
        var clamped = CellBuffer(width: 20, height: 3)
        Table(columns: columns, rows: rows, offset: 99).render(into: &clamped, area: clamped.area)
        #expect(clamped.lines[2].hasPrefix("R5"))
    }

    @Test func rowStyleCoversTheWholeRow() {
        var b = CellBuffer(width: 20, height: 2)
        let red = Style(fg: .red, attributes: .reverse)
        Table(columns: columns, rows: [Table.Row([Span("PSM1"), Span("x"), Span("1")], style: red)])
            .render(into: &b, area: b.area)
        #expect((0..<20).allSatisfy { b[$0, 1].style == red })
    }

    @Test func cellTextIsSanitised() {
        var b = CellBuffer(width: 20, height: 2)
        Table(columns: columns, rows: [Table.Row([Span("P\u{1B}]0;pwned\u{7}1"), Span("a\tb"), Span("")])])
            .render(into: &b, area: b.area)
        #expect(b.lines[1] == "P1   a b            ")
    }
}

@Suite struct LogViewTests {
    let lines = (1...6).map { [Span("line \($0)")] }

    @Test func newestLineIsAtTheBottom() {
        var b = CellBuffer(width: 8, height: 3)
        LogView(lines: lines).render(into: &b, area: b.area)
        #expect(b.lines == ["line 4  ", "line 5  ", "line 6  "])
    }

    @Test func offsetScrollsBackAndIsClamped() {
        var b = CellBuffer(width: 8, height: 3)
        LogView(lines: lines, offset: 2).render(into: &b, area: b.area)
        #expect(b.lines == ["line 2  ", "line 3  ", "line 4  "])
        var c = CellBuffer(width: 8, height: 3)
        LogView(lines: lines, offset: 50).render(into: &c, area: c.area)
        #expect(c.lines == ["line 1  ", "line 2  ", "line 3  "])
        #expect(LogView.maxOffset(count: 6, height: 3) == 3)
    }

    @Test func fewLinesStartAtTheTop() {
        var b = CellBuffer(width: 8, height: 3)
        LogView(lines: Array(lines.prefix(1))).render(into: &b, area: b.area)
        #expect(b.lines == ["line 1  ", "        ", "        "])
    }

    @Test func longLinesAreCutWithTheEllipsis() {
        var b = CellBuffer(width: 6, height: 1)
        LogView(lines: [[Span("abcdefghij")]], ellipsis: "~").render(into: &b, area: b.area)
        #expect(b.lines == ["abcde~"])
    }
}

@Suite struct BigTextTests {
    @Test func unicodeDigitsAreThreeRowsOfHalfBlocks() {
        var b = CellBuffer(width: 7, height: 3)
        BigText("12", style: .bold, glyphs: .utf8).render(into: &b, area: b.area)
        #expect(b.lines == ["▀█  ▀▀█", " █  █▀▀", "▀▀▀ ▀▀▀"])
        #expect(BigText("12", style: .bold, glyphs: .utf8).width == 7)
    }

    @Test func asciiDigitsAreSevenSegments() {
        var b = CellBuffer(width: 9, height: 3)
        BigText("3.5", style: .bold, glyphs: .ascii).render(into: &b, area: b.area)
        #expect(b.lines == [" _     _ ", " _|   |_ ", " _| .  _|"])
    }
}
