import Console
import Foundation
import SessionCore
import Simulator
import Testing
import View

/// The fill rule on the screens a demo really shows: every scenario of the tour, played through
/// the console's own driver some seconds in, drawn with every shipped layout at the four sizes.
/// No panel leaves more than a third of its interior blank while another hides rows.
@Suite struct ScenarioFillRuleTests {
    static let sizes = [(80, 24), (120, 40), (160, 50), (200, 60)]

    /// The session of `scenario` played up to `seconds` through the console's driver, as
    /// `demo --snapshot --at` builds it (arms at 20 Hz: the screen is the same, the test faster).
    static func play(_ scenario: Scenario, to seconds: Double, simulator: inout SessionSimulator, model: inout ConsoleModel) {
        while simulator.nextTime <= seconds {
            let frame = simulator.next()
            model.driver.step(event: .decoded(.frame(frame)), now: frame.t)
        }
        model.driver.step(events: [], now: seconds)
    }

    static func lines(_ b: CellBuffer, _ rect: Rect) -> [String] {
        (rect.y..<rect.maxY).map { y in
            (rect.x..<rect.maxX).reduce(into: "") { s, x in
                if b[x, y] != .continuation { s.append(b[x, y].character) }
            }
        }
    }

    /// Panels whose interior is more than a third blank while another's title says it hides rows.
    static func breaches(_ b: CellBuffer, _ outcome: RenderOutcome) -> [String] {
        struct Fill { let panel: PanelID; let interior: Int; let blank: Int; let hides: Bool }
        let fills: [Fill] = outcome.placements.compactMap { placement in
            let r = placement.rect
            guard r.height >= 3, r.width >= 6, ![.header, .caption, .footer].contains(placement.panel) else { return nil }
            let inside = Self.lines(b, Rect(x: r.x + 1, y: r.y + 1, width: r.width - 2, height: r.height - 2))
            let title = Self.lines(b, Rect(x: r.x, y: r.y, width: r.width, height: 1))[0]
            let hides = title.range(of: #"\+\d+ more"#, options: .regularExpression) != nil
                || title.contains("taller terminal")
            return Fill(panel: placement.panel, interior: inside.count,
                        blank: inside.filter { $0.allSatisfy { $0 == " " || $0 == "│" || $0 == "|" } }.count,
                        hides: hides)
        }
        return fills.filter(\.hides).flatMap { hiding in
            fills.filter { $0.panel != hiding.panel && $0.blank * 3 > $0.interior }
                .map { "\($0.panel) \($0.blank)/\($0.interior) blank while \(hiding.panel) hides rows" }
        }
    }

    @Test("every scenario of the tour, 20, 40 and 60 seconds in, keeps the rule with every layout at every size")
    func tourKeepsTheRule() {
        let tour = ScenarioCatalog(directory: nil).tour().scenarios
        #expect(tour.count >= 4)
        var failing: [String] = []
        for scenario in tour {
            var model = ConsoleModel(mode: .demo, label: "seed 1", catalog: LayoutCatalog(userDirectory: nil),
                                     layoutRequest: nil)
            model.capabilities = (unicode: true, colors: false)
            var simulator = SessionSimulator(options: SimulatorOptions(seed: 1, armRateHz: 20, scenario: scenario))
            model.driver.handle(.state(.connected(peer: "seed 1")), arrival: 0)
            for seconds in [20.0, 40.0, 60.0] {
                Self.play(scenario, to: seconds, simulator: &simulator, model: &model)
                let frame = model.frame(now: seconds, wallClock: "", playback: nil)
                for name in LayoutCatalog.shippedOrder {
                    for (w, h) in Self.sizes {
                        let choice = LayoutChoice.resolve(requested: LayoutCatalog.builtIn(name)!, size: TerminalSize(width: w, height: h),
                                                          catalog: LayoutCatalog(userDirectory: nil))
                        var b = CellBuffer(width: w, height: h)
                        let outcome = ConsoleView.render(state: frame.session, context: frame.context, choice: choice,
                                                         into: &b)
                        failing += Self.breaches(b, outcome).map { "\(scenario.name) at \(seconds) s, \(name) \(w)x\(h): \($0)" }
                    }
                }
            }
        }
        #expect(failing.isEmpty, "\(failing.count)\n\(failing.joined(separator: "\n"))")
    }
}
