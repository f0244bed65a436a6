import SessionCore
import Telemetry
import Testing
@testable import View

/// A session with `captions` sent at t = 1, 2, …
private func captioned(_ captions: [String?]) -> SessionState {
    var b = SessionBuilder()
    b.session()
    for (k, text) in captions.enumerated() {
        b.apply(Double(k + 1), .event(EventNote(kind: "caption", text: text)))
    }
    b.apply(10, .event(EventNote(kind: "failover", text: "backup path took over")))
    return b.state
}

/// header 1, caption 2, events the rest, footer 1.
private let bandLayout = Layout(name: "band", minimum: TerminalSize(width: 40, height: 10), root: .rows([
    .panel(.header, .fixed(1)), .panel(.caption, .fixed(2)), .panel(.events, .weight(1)), .panel(.footer, .fixed(1)),
]))

private func draw(_ state: SessionState, layout: Layout = bandLayout, width: Int = 80, height: Int = 16,
                  hidden: Bool = false, unicode: Bool = true, mode: SessionMode = .demo) -> (CellBuffer, RenderOutcome) {
    var buffer = CellBuffer(width: width, height: height)
    var context = Fixture.context(mode: mode, unicode: unicode)
    context.captionHidden = hidden
    let outcome = ConsoleView.render(state: state, context: context, layout: layout, into: &buffer)
    return (buffer, outcome)
}

@Suite("Caption band")
struct CaptionBandTests {
    static let long = "Primary link congested: round trip 280 ms → medium alarm, flashing yellow. The backup path is ready, and it will take over within the second if the primary keeps losing packets."

    @Test("the latest caption, in a reversed band marked DEMO, wraps to the band's two lines and ends with …")
    func wraps() {
        let (buffer, outcome) = draw(captioned(["first caption", Self.long]))
        let band = rect(of: .caption, in: outcome)!
        let lines = buffer.lines(in: band)
        #expect(lines[0].hasPrefix(" DEMO › Primary link congested"))
        #expect(!buffer.contains("first caption"))
        #expect(lines[1].hasPrefix(String(repeating: " ", count: 8)), "the second line starts under the text")
        #expect(lines[1].trimmingTrailingSpaces.hasSuffix("…"), "cut where two lines are not enough")
        // Words are not broken: every line ends at a word's end.
        let words = Set(Self.long.split(separator: " ").map(String.init))
        let lastOfFirst = String(lines[0].trimmingTrailingSpaces.split(separator: " ").last!)
        #expect(words.contains(lastOfFirst))
        #expect(buffer[band.maxX - 1, band.y].style.attributes.contains(.reverse), "the band spans the screen")
        #expect(buffer[band.x + 10, band.y + 1].style.attributes.contains(.reverse))
    }

    @Test("a caption that fits takes one line; a word longer than a line is broken")
    func shortAndLongWords() {
        #expect(CaptionPanel.wrap("Routine case", width: 20, lines: 2) == ["Routine case"])
        let broken = CaptionPanel.wrap(String(repeating: "x", count: 30) + " end", width: 20, lines: 2)
        #expect(broken.first == String(repeating: "x", count: 20))
        #expect(broken.last == String(repeating: "x", count: 10) + " end")
        #expect(CaptionPanel.wrap("a b c d e f", width: 3, lines: 2) == ["a b", "c d e f"], "the rest runs on, cut by put")
    }

    @Test("a character wider than the whole line is cut by columns: what fits is shown, not an ellipsis")
    func wideCharacterOnANarrowLine() {
        #expect(CaptionPanel.wrap("界abc", width: 1, lines: 2) == ["a", "bc"], "the last line runs on, cut by put")
        #expect(CaptionPanel.wrap("界界 ok", width: 1, lines: 2) == ["o", "k"])
        #expect(CaptionPanel.wrap("界界界", width: 1, lines: 2).isEmpty, "nothing of it can be drawn in one column")
        #expect(CaptionPanel.wrap("界界 ok", width: 2, lines: 2) == ["界", "界 ok"], "two columns hold one")
        for width in 1...6 {
            let lines = CaptionPanel.wrap("界 市场 東京タワー a 界b", width: width, lines: 3)
            #expect(lines.dropLast().allSatisfy { TerminalText.columns(of: $0) <= width }, "width \(width): \(lines)")
        }
        // In the band: ten columns leave one for the text after " DEMO › ".
        let (buffer, outcome) = draw(captioned(["界abc"]), width: 10)
        let band = buffer.lines(in: rect(of: .caption, in: outcome)!)
        #expect(band[0] == " DEMO › a ", "\(band)")
    }

    @Test("caption text is sanitised: no escape sequence or control reaches the terminal")
    func sanitised() {
        let (buffer, _) = draw(captioned(["Look \u{1B}[2J\u{1B}]0;pwned\u{07} here\nnow\r"]))
        #expect(!buffer.cells.contains { $0.character.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } })
        #expect(buffer.contains("Look"))
    }

    @Test("an ASCII terminal gets an ASCII band")
    func ascii() {
        let (buffer, outcome) = draw(captioned([Self.long]), unicode: false)
        #expect(buffer.isASCII)
        #expect(buffer.lines(in: rect(of: .caption, in: outcome)!)[0].hasPrefix(" DEMO > Primary"))
    }

    @Test("no caption yet, or one without text: the band is empty")
    func empty() {
        for state in [captioned([]), captioned(["shown", ""])] {
            let (buffer, outcome) = draw(state)
            let band = rect(of: .caption, in: outcome)!
            #expect(buffer.lines(in: band).allSatisfy { $0.trimmingTrailingSpaces.isEmpty })
        }
    }

    @Test("a hidden band (c) gives its rows to the other panels, and its captions to the Events list")
    func hiddenBand() {
        let state = captioned([Self.long])
        let (_, shown) = draw(state)
        let (buffer, hidden) = draw(state, hidden: true)
        #expect(rect(of: .caption, in: hidden) == nil)
        #expect(rect(of: .events, in: hidden)!.height == rect(of: .events, in: shown)!.height + 2)
        // Else the captions would be shown nowhere.
        let events = buffer.lines(in: rect(of: .events, in: hidden)!).joined(separator: "\n")
        #expect(events.contains("caption") && events.contains("Primary link"))
        #expect(!buffer.contains("DEMO ›"))
    }

    @Test("Layout.hiding drops the panel and any split it empties, and leaves a layout of that panel alone")
    func layoutHiding() {
        let nested = Layout(name: "n", minimum: TerminalSize(width: 1, height: 1), root: .rows([
            .panel(.header, .fixed(1)), .columns([.panel(.caption)], .fixed(2)), .panel(.events),
        ]))
        #expect(nested.hiding(.caption).panels == [.header, .events])
        #expect(nested.hiding(.tips) == nested)
        let alone = Layout(name: "a", minimum: TerminalSize(width: 1, height: 1), root: .panel(.caption))
        #expect(alone.hiding(.caption) == alone)
    }

    @Test("with a band the Events panel leaves captions to it; without one it lists them")
    func eventsPanel() {
        let state = captioned(["Watch the backup path"])
        let (withBand, outcome) = draw(state)
        let events = withBand.lines(in: rect(of: .events, in: outcome)!).joined(separator: "\n")
        #expect(events.contains("failover"))
        #expect(!events.contains("caption"))
        #expect(!events.contains("Watch the backup path"))
        #expect(events.contains("Events (1)"), "the title counts what it lists")
        let plain = Layout(name: "plain", minimum: TerminalSize(width: 1, height: 1), root: .panel(.events))
        let listed = draw(state, layout: plain).0.lines(in: Rect(x: 0, y: 0, width: 80, height: 16)).joined(separator: "\n")
        #expect(listed.contains("caption"))
        #expect(listed.contains("Watch the backup path"))
    }

    @Test("the footer lists c where the layout has a band, shown or hidden, and not elsewhere")
    func footerKey() {
        let state = captioned(["x"])
        func footer(_ buffer: CellBuffer) -> String { buffer.lines(in: Rect(x: 0, y: buffer.height - 1, width: buffer.width, height: 1))[0] }
        let shown = footer(draw(state, width: 120).0), hidden = footer(draw(state, width: 120, hidden: true).0)
        #expect(shown.contains("c  caption"), "\(shown)")
        #expect(hidden.contains("c  caption"))
        let technician = footer(draw(state, layout: Fixture.layout("technician"), width: 120, height: 40).0)
        #expect(!technician.contains("caption"))
        #expect(technician.contains("quit"))
    }

    @Test("outside a demo the band is marked CAPTION")
    func liveMarker() {
        let (buffer, _) = draw(captioned(["A served scenario"]), mode: .live)
        #expect(buffer.contains(" CAPTION › A served scenario"))
    }
}

private extension String {
    var trimmingTrailingSpaces: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
