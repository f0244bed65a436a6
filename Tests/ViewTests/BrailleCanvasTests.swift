import Testing
@testable import View

@Suite struct BrailleCanvasTests {
    @Test("Dots become the braille pattern of their cell, 2 wide and 4 tall")
    func dotsToBraille() {
        var canvas = BrailleCanvas(width: 2, height: 1)
        canvas.set(dotX: 0, dotY: 0)   // dot 1
        canvas.set(dotX: 1, dotY: 3)   // dot 8
        canvas.set(dotX: 3, dotY: 1)   // second cell, dot 5
        var b = CellBuffer(width: 2, height: 1)
        canvas.render(into: &b, x: 0, y: 0)
        #expect(b.lines == ["⢁⠐"])
    }

    @Test("A cell keeps the style of its highest-ranked dot, else of its last one")
    func ranks() {
        var canvas = BrailleCanvas(width: 1, height: 1)
        canvas.set(dotX: 0, dotY: 0, style: .bold, rank: 3)
        canvas.set(dotX: 0, dotY: 3, style: .dim, rank: 1)
        var b = CellBuffer(width: 1, height: 1)
        canvas.render(into: &b, x: 0, y: 0)
        #expect(b[0, 0].style == .bold)
        var plain = BrailleCanvas(width: 1, height: 1)
        plain.set(dotX: 0, dotY: 0, style: .bold)
        plain.set(dotX: 0, dotY: 3, style: .dim)
        plain.render(into: &b, x: 0, y: 0)
        #expect(b[0, 0].style == .dim)
    }

    @Test("Without Unicode a cell says where its dots are: ' top, . bottom, : both")
    func ascii() {
        var canvas = BrailleCanvas(width: 3, height: 1)
        canvas.set(dotX: 0, dotY: 0)
        canvas.set(dotX: 2, dotY: 3)
        canvas.set(dotX: 4, dotY: 1)
        canvas.set(dotX: 5, dotY: 2)
        var b = CellBuffer(width: 3, height: 1)
        b.asciiOnly = true
        canvas.render(into: &b, x: 0, y: 0)
        #expect(b.lines == ["'.:"])
    }

    @Test("A line to a far-away dot costs no more than the canvas and stays inside it")
    func wildLine() {
        var canvas = BrailleCanvas(width: 4, height: 2)
        canvas.line(from: (0, 7), to: (Int.max / 2, -Int.max / 2))
        var b = CellBuffer(width: 6, height: 3)
        canvas.render(into: &b, x: 1, y: 1)
        #expect(b[0, 0] == .blank && b[5, 2] == .blank)
        #expect(b[1, 2].character != " ")
    }
}
