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
    var ctx = Fixture.context(mode: .replay, unicode: false, colors: false, state: state)
    ctx.focus = .alarms
    ctx.replay?.paused = true
    out += b2(state, ctx, "compact", 80, 24)
    ctx.overlay = .help
    out += b2(state, ctx, "technician", 120, 40)
    try out.write(toFile: "/tmp/screens.txt", atomically: true, encoding: .utf8)
}

func b2(_ state: SessionState, _ ctx: ViewContext, _ l: String, _ w: Int, _ h: Int) -> String {
    let (b, _) = screen(state, ctx, layout: l, width: w, height: h)
    return String(repeating: "=", count: w) + "\n" + b.lines.joined(separator: "\n") + "\n"
}

@Test func timeFrames() throws {
    let state = Fixture.realistic()
    let ctx = Fixture.context(state: state)
    let layout = Fixture.layout("technician")
    var b = CellBuffer(width: 120, height: 40)
    let clock = ContinuousClock()
    var samples: [Duration] = []
    for _ in 0..<200 {
        let t0 = clock.now
        ConsoleView.render(state: state, context: ctx, layout: layout, into: &b)
        samples.append(clock.now - t0)
    }
    samples.sort()
    try "median \(samples[100]) p90 \(samples[180])\n".write(toFile: "/tmp/timing.txt", atomically: true, encoding: .utf8)
}
