import Foundation
import Testing
import SessionCore
import TelemetrySources
@testable import View

@Test func printScreens() throws {
    let state = Fixture.realistic()
    var out = ""
    for (w, h, l) in [(120, 40, "technician"), (80, 24, "compact"), (120, 40, "trainer"), (120, 40, "demo"), (100, 30, "trainer")] {
        let mode: SessionMode = l == "trainer" ? .replay : l == "demo" ? .demo : .live
        var ctx = Fixture.context(mode: mode, state: state)
        ctx.focus = .arms
        let (b, _) = screen(state, ctx, layout: l, width: w, height: h)
        out += String(repeating: "=", count: w) + "\n"
        out += b.lines.joined(separator: "\n") + "\n"
    }
    try out.write(toFile: "/tmp/screens.txt", atomically: true, encoding: .utf8)
}
