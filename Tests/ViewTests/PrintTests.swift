import Testing
import SessionCore
@testable import View

@Test func printScreens() {
    let state = Fixture.realistic()
    for (w, h, l) in [(120, 40, "technician"), (80, 24, "compact"), (120, 40, "trainer"), (120, 40, "demo")] {
        let mode: SessionMode = l == "trainer" ? .replay : l == "demo" ? .demo : .live
        var ctx = Fixture.context(mode: mode, state: state)
        ctx.focus = .arms
        let (b, _) = screen(state, ctx, layout: l, width: w, height: h)
        print(String(repeating: "=", count: w))
        print(b.lines.joined(separator: "\n"))
    }
}
