import SessionCore
import Telemetry
import Testing
@testable import View

/// A state built from valid JSON numbers far outside anything physical: every panel of every
/// shipped layout draws it (the Link panel once trapped in `Format.fixed`, sparklines and
/// gauges in their Double → Int conversions).
@Suite("Hostile values on screen")
struct HostileValuesTests {
    static func hostileState(_ big: Double) -> SessionState {
        var b = SessionBuilder()
        b.session(distance: big)
        b.linkHistory(until: 20, seconds: 5) { _ in
            LinkSample(rttMs: big, jitterMs: -big, lossPct: big, bandwidthMbps: -big, videoFps: big, videoDelayMs: big)
        }
        b.apply(20, .link(LinkSample(path: "backup", up: true, rttMs: 1e-300, lossPct: -0.0)))
        for arm in Fixture.arms {
            let n = arm.joints.count
            let sample = ArmSample(arm: arm.id, state: .enabled, position: Array(repeating: big, count: n),
                                   velocity: Array(repeating: -big, count: n), effort: Array(repeating: big, count: n),
                                   tip: [big, -big, big], twist: [big, big, -big, big, big, big], jaw: -big)
            b.apply(20.5, .arm(sample))
        }
        b.apply(21, .instrument(InstrumentSample(arm: "PSM1", tool: .model("T"), usesLeft: Int(9.0e15))))
        b.apply(21, .event(EventNote(kind: "note", text: "far")))
        return b.state
    }

    @Test("every panel of every shipped layout draws huge, tiny and negative values",
          arguments: [1e19, 1e300, -1e300, 9.3e18], [(80, 24), (120, 40)])
    func everyLayoutDrawsHugeValues(big: Double, size: (Int, Int)) {
        let state = Self.hostileState(big)
        for name in LayoutCatalog.shippedOrder {
            for mode in [SessionMode.live, .replay, .demo] {
                var context = Fixture.context(mode: mode, now: 1000 + 21, state: state)
                context.replay = mode == .replay ? ReplayStatus(position: 21, duration: 1e9, speed: 1) : nil
                let (b, outcome) = screen(state, context, layout: name, width: size.0, height: size.1)
                // Drawn whole (a trap would stop the test process): the mode badge and every panel's title.
                #expect(b.lines[0].contains(mode == .live ? "LIVE" : mode == .replay ? "REPLAY" : "DEMO"))
                // The header, caption and footer are bands without a title.
                for placement in outcome.placements where ![.header, .caption, .footer].contains(placement.panel) {
                    #expect(b.contains(placement.panel.title, in: placement.rect), "\(name) \(placement.panel)")
                }
            }
        }
        let link = panel(.link, state, Fixture.context(now: 1021, state: state), width: 120, height: 20)
        #expect(link.contains(NumberText.fixed(big, 0)) || link.contains(NumberText.fixed(big, 1)),
                "the value is shown as sent")
    }

    @Test("a replay position or duration far beyond any recording still draws a timeline")
    func timelineExtremes() {
        let state = Fixture.realistic()
        for (position, duration) in [(1e9, 1e-300), (-1e9, 1e9), (5.0, .infinity), (.nan, 10.0)] {
            var context = Fixture.context(mode: .replay, state: state)
            context.replay = ReplayStatus(position: position, duration: duration, speed: 1)
            let b = panel(.timeline, state, context, width: 120, height: 4)
            #expect(b.contains("Timeline"), "position \(position), duration \(duration)")
        }
    }

    @Test("clocks and durations of any size print")
    func formats() {
        #expect(Format.clock(1e20) == Format.clock(Double(Int.saturationLimit) / 10))
        #expect(Format.duration(1e300).hasSuffix("m"))
        #expect(Format.fixed(1e19, 1) == "1e19")
        #expect(Format.grouped(1e19) == "1e19", "a huge distance is not shown as a clamped number")
        #expect(Format.grouped(9200.4) == "9,200")
    }
}
