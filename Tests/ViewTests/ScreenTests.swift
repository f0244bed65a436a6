import Foundation
import SessionCore
import Telemetry
import Testing
@testable import View

@Suite struct ScreenTests {
    let state = Fixture.realistic()

    @Test(arguments: ["technician", "trainer", "demo", "compact"], [(80, 24), (120, 40)])
    func everyLayoutRendersEveryPanelItPlaces(layout name: String, size: (Int, Int)) {
        let layout = Fixture.layout(name)
        let choice = LayoutChoice.resolve(requested: layout, size: TerminalSize(width: size.0, height: size.1),
                                          catalog: LayoutCatalog(userDirectory: nil))
        var b = CellBuffer(width: size.0, height: size.1)
        let outcome = ConsoleView.render(state: state, context: Fixture.context(state: state), choice: choice, into: &b)
        let drawn = choice.layout!
        #expect(outcome.placements.map(\.panel) == drawn.panels)
        #expect(b.lines[0].contains("LIVE"))
        #expect(b.lines[size.1 - 1].contains("quit"))
        // The header, caption and footer are bands without a title.
        for placement in outcome.placements where ![.header, .caption, .footer].contains(placement.panel) {
            #expect(b.contains(placement.panel.title, in: placement.rect), "\(placement.panel) has its title")
        }
        // Nothing overlaps: each placed rectangle is disjoint from the others.
        for (i, a) in outcome.placements.enumerated() {
            for c in outcome.placements.dropFirst(i + 1) { #expect(a.rect.intersection(c.rect).isEmpty) }
        }
    }

    @Test(arguments: [(80, 24, "compact"), (120, 40, "technician")])
    func monochromeUsesNoColourButKeepsMeaning(size: (Int, Int, String)) {
        let context = Fixture.context(colors: false, state: state)
        let (b, _) = screen(state, context, layout: size.2, width: size.0, height: size.1)
        #expect(!b.usesColor)
        #expect(b.contains("***") && b.contains("DOWN") && b.contains("ENERGY ACTIVE"))
        #expect(b.style(of: "LIVE")?.attributes.contains(.reverse) == true)
    }

    @Test(arguments: [(80, 24, "compact"), (120, 40, "technician")])
    func asciiWhenTheLocaleIsNotUTF8(size: (Int, Int, String)) {
        var context = Fixture.context(unicode: false, state: state)
        context.focus = .arms
        let (b, _) = screen(state, context, layout: size.2, width: size.0, height: size.1)
        #expect(b.isASCII)
        #expect(b.contains("!! ENERGY !!") && b.contains("v DOWN"))
        #expect(b.lines[0].hasPrefix(" LIVE  OR3-20261124-01 | "))
        #expect(b.lines[0].hasSuffix("t 00:12:34.3  14:03:27"))
    }

    @Test func hostileTelemetryTextCannotReachTheTerminal() {
        var builder = SessionBuilder()
        let esc = "\u{1B}"
        let arms = [ArmDescriptor(id: "PSM1\(esc)[2J", kind: .psm,
                                  joints: [JointDescriptor(name: "yaw\(esc)]0;x\u{7}", unit: .rad, min: -1, max: 1)])]
        builder.session(arms, id: "ID\(esc)[?1049h", procedure: "P\(esc)P+q\(esc)\\", surgeon: "A\u{9B}31m", patient: "B\u{85}")
        builder.apply(1, .link(LinkSample(path: "pri\(esc)[Hmary", up: true, rttMs: 50)))
        builder.apply(1, .arm(ArmSample(arm: "PSM1\(esc)[2J", state: .enabled, position: [0])))
        builder.apply(1, .instrument(InstrumentSample(arm: "PSM1\(esc)[2J", tool: .model("T\(esc)[31mOOL"))))
        builder.apply(1, .alarm(AlarmReport(id: "A\u{7F}1", state: .raised, priority: .high, message: "m\(esc)[5msg")))
        builder.apply(1, .event(EventNote(kind: "k\u{8}", text: "t\(esc)]52;c;AAAA\u{7}ext")))
        var context = Fixture.context(now: builder.lastArrival, state: builder.state)
        context.sourceLabel = "label\(esc)[6n"
        for (w, h, layout) in [(80, 24, "compact"), (120, 40, "technician")] {
            let (b, _) = screen(builder.state, context, layout: layout, width: w, height: h)
            for cell in b.cells where cell != .continuation {
                for scalar in cell.character.unicodeScalars {
                    #expect(scalar.value >= 0x20 && !(0x7F...0x9F).contains(scalar.value))
                }
            }
            #expect(b.contains("primary") && b.contains("TOOL") && b.contains("msg") && b.contains("text"))
        }
    }

    @Test func helpOverlayListsEveryKey() {
        var context = Fixture.context(mode: .replay, state: state)
        context.overlay = .help
        let (b, _) = screen(state, context, layout: "trainer", width: 120, height: 40)
        for text in ["Keys", "General", "q", "quit", "?", "Esc", "L", "next layout", "Tab", "focus the next panel",
                     "↑/↓ or j/k", "scroll the focused panel", "Replay", "space", "pause or resume", "+ / -",
                     "faster or slower", "← / →", "step back or forward 5 seconds"] {
            #expect(b.contains(text), "help mentions \(text)")
        }
        // Centred, with a double border.
        let top = b.find("╔═ Keys")!
        let right = b.find("╗", in: Rect(x: top.x, y: top.y, width: 120 - top.x, height: 1))!.x
        #expect(abs(top.x - (119 - right)) <= 1)
    }

    @Test func helpInLiveModeHasNoReplayKeysAndSaysQuitAsks() {
        var context = Fixture.context(state: state)
        context.overlay = .help
        let (b, _) = screen(state, context, layout: "compact", width: 80, height: 24)
        #expect(b.contains("asks to confirm with y"))
        #expect(!b.contains("Replay") && !b.contains("space"))
    }

    @Test func quitConfirmationAndMessages() {
        var context = Fixture.context(state: state)
        context.overlay = .confirmQuit
        var (b, _) = screen(state, context, layout: "compact", width: 80, height: 24)
        #expect(b.contains("Stop watching this live session?"))
        #expect(b.contains(" y  quit"))
        context.overlay = .message(title: "Layout error", lines: ["mine.yaml:7:18: unknown panel 'alrams'"])
        (b, _) = screen(state, context, layout: "compact", width: 80, height: 24)
        #expect(b.contains("Layout error") && b.contains("mine.yaml:7:18: unknown panel 'alrams'"))
    }

    @Test func tooSmallSaysWhatSizeIsNeeded() {
        let catalog = LayoutCatalog(userDirectory: nil)
        let choice = LayoutChoice.resolve(requested: Fixture.layout("technician"), size: TerminalSize(width: 60, height: 20),
                                          catalog: catalog)
        #expect(choice == .tooSmall(need: TerminalSize(width: 80, height: 24), have: TerminalSize(width: 60, height: 20)))
        var b = CellBuffer(width: 60, height: 20)
        ConsoleView.render(state: state, context: Fixture.context(state: state), choice: choice, into: &b)
        let sentence = "terminal too small: need at least 80×24, have 60×20"
        // Centred in the rows below the status line (row 0).
        #expect(b.lines[10] == String(repeating: " ", count: 4) + sentence + String(repeating: " ", count: 5))
        var tiny = CellBuffer(width: 24, height: 6)
        ConsoleView.render(state: state, context: Fixture.context(unicode: false, state: state),
                           choice: .tooSmall(need: TerminalSize(width: 80, height: 24), have: TerminalSize(width: 24, height: 6)),
                           into: &tiny)
        #expect(tiny.text.contains("terminal too small:"))
        #expect(tiny.text.contains("need at least 80x24,"))
        #expect(tiny.text.contains("have 24x6"))
    }

    @Test func focusedPanelIsDoubleBordered() throws {
        var context = Fixture.context(state: state)
        context.focus = .events
        let (b, outcome) = screen(state, context, layout: "compact", width: 80, height: 24)
        let events = try #require(rect(of: .events, in: outcome))
        let alarms = try #require(rect(of: .alarms, in: outcome))
        #expect(b[events.x, events.y].character == "╔")
        #expect(b[alarms.x, alarms.y].character == "┌")
    }

    @Test func reportsTheUsefulScrollOfEachPanel() {
        let (_, outcome) = screen(state, Fixture.context(state: state), layout: "compact", width: 80, height: 24)
        #expect(outcome.maxScroll[.events] == 0)
        #expect(outcome.maxScroll[.arms]! > 0)
        #expect(Set(outcome.maxScroll.keys) == [.link, .arms, .instruments, .alarms, .events])
    }

    @Test func theScreenAsTextIsPlain() {
        var buffer = CellBuffer(width: 80, height: 24)
        ConsoleView.render(state: state, context: Fixture.context(state: state), layout: Fixture.layout("compact"), into: &buffer)
        let lines = buffer.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 24)
        #expect(lines.allSatisfy { !$0.hasSuffix(" ") })
    }

    @Test func anEmptySessionStillDrawsAWholeScreen() {
        let context = ViewContext(mode: .live, source: .connecting(attempt: 1), now: 5)
        let (b, _) = screen(SessionState(), context, layout: "technician", width: 120, height: 40)
        #expect(b.lines[1].hasPrefix("connecting…"))
        #expect(b.contains("waiting for link data") && b.contains("No active alarms") && b.contains("no events yet"))
    }
}
