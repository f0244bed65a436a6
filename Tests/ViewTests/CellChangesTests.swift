import Testing
import View

/// `CellBuffer.changes(from:)`: the one diff between the buffer on screen and the next, which a
/// terminal redraws stretch by stretch. A stretch never leaves half of a wide character behind.
@Suite("Cell changes")
struct CellChangesTests {
    /// One row of `width` cells holding `text` (wide characters take two cells).
    func row(_ text: String, width: Int = 8, style: Style = .plain) -> CellBuffer {
        var buffer = CellBuffer(width: width, height: 1)
        buffer.write(text, x: 0, y: 0, style: style)
        return buffer
    }

    func spans(_ changes: CellChanges) -> [CellSpan] {
        guard case .spans(let spans) = changes else {
            Issue.record("expected spans, got \(changes)")
            return []
        }
        return spans
    }

    @Test("the same buffer: nothing to present")
    func nothingChanged() {
        let a = row("a界b")
        #expect(a.changes(from: a) == .spans([]))
        #expect(a.changes(from: a).isEmpty)
    }

    @Test("nothing on screen yet, or another size: everything")
    func everything() {
        let a = row("abc")
        #expect(a.changes(from: nil) == .all)
        #expect(!CellChanges.all.isEmpty)
        #expect(a.changes(from: row("abc", width: 9)) == .all, "a column more")
        #expect(a.changes(from: CellBuffer(width: 8, height: 2)) == .all, "a row more")
        #expect(CellBuffer(width: 0, height: 0).changes(from: a) == .all)
    }

    @Test("a narrow character: its cell alone")
    func oneCell() {
        #expect(spans(row("abcdef").changes(from: row("abXdef"))) == [CellSpan(y: 0, x: 2, width: 1)])
    }

    @Test("a change of style only is a change")
    func styleOnly() {
        var now = row("abcd")
        now[1, 0] = Cell("b", Style(fg: .red, attributes: .bold))
        #expect(spans(now.changes(from: row("abcd"))) == [CellSpan(y: 0, x: 1, width: 1)])
        // A whole row restyled, characters kept.
        #expect(spans(row("abcd", style: .reverse).changes(from: row("abcd"))) == [CellSpan(y: 0, x: 0, width: 4)])
    }

    @Test("a wide character replaced by two narrow ones: both columns")
    func wideToNarrow() {
        let before = row("x界y")
        let now = row("xaby")
        #expect(before[2, 0] == .continuation)
        #expect(spans(now.changes(from: before)) == [CellSpan(y: 0, x: 1, width: 2)])
    }

    @Test("two narrow characters replaced by a wide one: both columns")
    func narrowToWide() {
        #expect(spans(row("x界y").changes(from: row("xaby"))) == [CellSpan(y: 0, x: 1, width: 2)])
        // Only the right column differs from what is on screen: the stretch still starts at the
        // wide character's left half.
        var before = row("x界y")
        before[2, 0] = Cell("b")
        #expect(spans(row("x界y").changes(from: before)) == [CellSpan(y: 0, x: 1, width: 2)])
    }

    @Test("a change in the right half of a wide character redraws the whole character")
    func rightHalf() {
        let before = row("a界c")
        var now = before
        now[2, 0] = Cell("z")  // the continuation overwritten: the left half is now orphaned
        #expect(spans(now.changes(from: before)) == [CellSpan(y: 0, x: 1, width: 2)])
        // Only the right half's style changed.
        var restyled = before
        restyled[2, 0] = Cell(Cell.continuation.character, .bold)
        #expect(spans(restyled.changes(from: before)) == [CellSpan(y: 0, x: 1, width: 2)])
    }

    @Test("a wide character replaced by another: both columns; one moved by a column: all it covered")
    func wideToWide() {
        #expect(spans(row("a界c").changes(from: row("a世c"))) == [CellSpan(y: 0, x: 1, width: 2)])
        // "界" moves from columns 1–2 to 2–3.
        #expect(spans(row("ab界").changes(from: row("a界c"))) == [CellSpan(y: 0, x: 1, width: 3)])
    }

    @Test("a change next to a wide character that stays leaves it alone")
    func nextToWide() {
        #expect(spans(row("界cd").changes(from: row("界xd"))) == [CellSpan(y: 0, x: 2, width: 1)])
        #expect(spans(row("ab界").changes(from: row("aX界"))) == [CellSpan(y: 0, x: 1, width: 1)])
    }

    @Test("separate changes give separate stretches, row by row, left to right")
    func severalStretches() {
        var before = CellBuffer(width: 10, height: 3)
        before.write("0123456789", x: 0, y: 0)
        before.write("0123456789", x: 0, y: 2)
        var now = before
        now[1, 0] = Cell("x")
        now[2, 0] = Cell("y")
        now[7, 0] = Cell("z")
        now[9, 2] = Cell("!")
        #expect(spans(now.changes(from: before)) == [
            CellSpan(y: 0, x: 1, width: 2), CellSpan(y: 0, x: 7, width: 1), CellSpan(y: 2, x: 9, width: 1),
        ])
    }

    @Test("redrawing the stretches over the old buffer gives the new one")
    func stretchesReproduceTheBuffer() {
        let texts = ["ab界cd世", "界界界ab", "abcdefgh", "a界界bcd", "  界 x  "]
        for old in texts {
            for new in texts {
                let before = row(old, width: 9)
                let now = row(new, width: 9)
                var screen = before
                for span in spans(now.changes(from: before)) {
                    for x in span.x..<span.endX { screen[x, span.y] = now[x, span.y] }
                    // No stretch starts on a right half or ends inside a wide character.
                    #expect(!now[span.x, span.y].isContinuation && !before[span.x, span.y].isContinuation)
                    if span.endX < 9 {
                        #expect(!now[span.endX, span.y].isContinuation && !before[span.endX, span.y].isContinuation)
                    }
                }
                #expect(screen == now, "\(old) → \(new)")
            }
        }
    }
}
