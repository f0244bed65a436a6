import SessionCore
import Telemetry
import TelemetrySources
import Testing
import View
@testable import Console

/// `c` and the caption band, through the console's model as the loop drives it.
@Suite("Caption band: the c key and new sessions")
struct CaptionKeyTests {
    static let bandLayout = """
    name: band
    min_width: 60
    min_height: 16
    root:
      rows:
        - panel: header
          size: 2
        - panel: caption
          size: 2
        - columns:
            - panel: tips
            - panel: events
        - panel: footer
          size: 1
    """

    static func frame(_ t: Double, _ body: Frame.Body) -> SourceEvent { .decoded(.frame(Frame(t: t, body: body))) }

    static func session(_ id: String) -> SourceEvent {
        frame(0, .session(SessionInfo(id: id, arms: [ArmDescriptor(id: "PSM1", kind: .psm)])))
    }

    /// A demo console on the band layout, a caption shown and PSM1 moving.
    static func console(layout: String = "band") -> ConsoleModel {
        let catalog = LayoutCatalog(userDirectory: "/nowhere",
                                    userFiles: [.init(name: "band", path: "/nowhere/band.yaml", text: .success(bandLayout))])
        var model = ConsoleModel(mode: .demo, label: "test", catalog: catalog, layoutRequest: layout)
        var events = [session("A"), frame(1, .event(EventNote(kind: "caption", text: "Watch the tool tips move")))]
        for k in 0..<40 {
            let t = 1 + Double(k) * 0.05
            events.append(frame(t, .arm(ArmSample(arm: "PSM1", tip: [0.001 * Double(k), 0, -0.1]))))
        }
        model.driver.step(events: events, now: 3)
        return model
    }

    static func draw(_ model: inout ConsoleModel, width: Int = 100, height: Int = 30) -> CellBuffer {
        var buffer = CellBuffer(width: width, height: height)
        model.frame(now: 3, wallClock: "12:00:00", playback: nil).render(into: &buffer, state: &model.view)
        return buffer
    }

    /// The row of the Events panel's top border.
    static func eventsRow(_ buffer: CellBuffer) -> Int? {
        buffer.lines.firstIndex { $0.contains("Events (") }
    }

    static func text(_ buffer: CellBuffer) -> String {
        buffer.lines.joined(separator: "\n")
    }

    @Test("c hides the band, its rows go to the panels below, and c shows it again")
    func toggles() {
        var model = Self.console()
        let shown = Self.draw(&model)
        #expect(Self.text(shown).contains("DEMO › Watch the tool tips move"))
        model.press(.character("c"), playback: nil)
        #expect(model.captionHidden)
        let hidden = Self.draw(&model)
        #expect(!Self.text(hidden).contains("DEMO ›"))
        #expect(Self.text(hidden).contains("Watch the tool"), "the Events panel lists the caption the band no longer shows")
        let before = Self.eventsRow(shown), after = Self.eventsRow(hidden)
        #expect(before != nil && after == before.map { $0 - 2 }, "the panels below move up into the band's two rows")
        model.press(.character("c"), playback: nil)
        #expect(Self.text(Self.draw(&model)).contains("DEMO › Watch the tool tips move"))
    }

    @Test("c does nothing where the layout on screen has no band: L to the demo layout then shows its band")
    func ignoredWithoutBand() {
        var model = Self.console(layout: "technician")
        _ = Self.draw(&model)
        model.press(.character("c"), playback: nil)
        let hidden = model.captionHidden
        #expect(!hidden, "no band on screen: nothing to hide")
        while model.layout.name != "demo" { model.press(.character("L"), playback: nil) }
        let screen = Self.text(Self.draw(&model, width: 160, height: 50))
        #expect(screen.contains("DEMO › Watch the tool tips move"), "\(screen)")
    }

    @Test("c does nothing while a terminal too small for the band's layout shows the compact one")
    func ignoredOnCompact() {
        var model = Self.console(layout: "demo")
        let small = Self.text(Self.draw(&model, width: 90, height: 26))
        #expect(model.shownLayout == "compact")
        #expect(!small.contains("DEMO ›"))
        model.press(.character("c"), playback: nil)
        let hiddenOnCompact = model.captionHidden
        #expect(!hiddenOnCompact)
        #expect(Self.text(Self.draw(&model, width: 160, height: 50)).contains("DEMO › Watch the tool tips move"))
        model.press(.character("c"), playback: nil)
        let hiddenOnDemo = model.captionHidden
        #expect(hiddenOnDemo, "on the demo layout c hides its band")
    }

    @Test("the help lists c on a layout with a band")
    func help() {
        var model = Self.console()
        model.press(.character("?"), playback: nil)
        #expect(Self.text(Self.draw(&model)).contains("hide or show the caption band"))
    }

    @Test("a new session clears the band and the trails until its own caption and tips")
    func newSession() {
        var model = Self.console()
        #expect(model.driver.state.currentCaption != nil)
        #expect(model.driver.state.arm("PSM1")?.tipTrail.isEmpty == false)
        model.driver.step(events: [Self.session("B")], now: 4)
        #expect(model.driver.state.currentCaption == nil)
        #expect(model.driver.state.arm("PSM1")?.tipTrail.isEmpty == true)
        let screen = Self.text(Self.draw(&model))
        #expect(!screen.contains("Watch the tool tips move"))
        #expect(!screen.contains("DEMO ›"))
    }
}
