import SessionCore
import Telemetry
import Testing
@testable import View

/// The small-terminal line shows the alarm that most needs attention, its marker first at any
/// width; and ASCII text is measured as it is written, so nothing that fits is cut.
@Suite("Small-terminal alarm choice and ASCII widths")
struct AttentionAndASCIIWidthTests {
    static let ackedHigh = AlarmRow(id: "PSM2.COLLISION", priority: .high, message: "collision", since: 700, acknowledged: true)
    static let latchedHigh = AlarmRow(id: "PSM1.FAULT", priority: .high, message: "fault", since: 690, latched: true)
    static let newMedium = AlarmRow(id: "LINK.primary.RTT", priority: .medium, message: "primary round trip 245 ms ≥ 200 ms", since: 720)

    func tooSmall(width: Int, height: Int, alarms: [AlarmRow], unicode: Bool = true) -> CellBuffer {
        var context = Fixture.context(unicode: unicode)
        context.alarms = alarms
        var buffer = CellBuffer(width: width, height: height)
        let choice = LayoutChoice.resolve(requested: Fixture.layout("technician"), size: TerminalSize(width: width, height: height),
                                          catalog: LayoutCatalog(userDirectory: nil))
        ConsoleView.render(state: Fixture.realistic(), context: context, choice: choice, into: &buffer)
        return buffer
    }

    @Test("an acknowledged or latched high alarm does not hide a new unacknowledged medium one")
    func unacknowledgedFirst() {
        let buffer = tooSmall(width: 120, height: 10, alarms: [Self.ackedHigh, Self.latchedHigh, Self.newMedium])
        let top = buffer.lines[0]
        #expect(top.contains("** LINK.primary.RTT (+2)"), "\(top)")
        #expect(!top.contains("PSM2.COLLISION"), "\(top)")
        // With nothing unacknowledged, the first listed is still shown.
        let acked = tooSmall(width: 120, height: 10, alarms: [Self.ackedHigh])
        #expect(acked.lines[0].contains("*** PSM2.COLLISION"), "\(acked.lines[0])")
    }

    @Test("the alarm's marker wins at every width, down to one column")
    func markerAtEveryWidth() {
        for width in 1...6 {
            let buffer = tooSmall(width: width, height: 1, alarms: [Self.ackedHigh, Self.newMedium])
            let expected = String("** LINK.primary.RTT".prefix(width))
            #expect(buffer.lines[0].hasPrefix(String(expected.prefix(min(width, 2)))), "\(width) columns: '\(buffer.lines[0])'")
            #expect(!buffer.lines[0].hasPrefix("…"), "\(width) columns: '\(buffer.lines[0])'")
        }
        let high = tooSmall(width: 1, height: 1, alarms: [AlarmRow(id: "X", priority: .high, message: "m", since: 1)])
        #expect(high.lines[0] == "*")
    }

    @Test("in ASCII text is measured as spelled: '≥' takes two columns, '°' three")
    func columnsHonourASCII() {
        var ascii = CellBuffer(width: 10, height: 1)
        ascii.asciiOnly = true
        let utf8 = CellBuffer(width: 10, height: 1)
        #expect(ascii.columns(of: "53.0° ≥ 5") == 12)
        #expect(utf8.columns(of: "53.0° ≥ 5") == 9)
        #expect(ascii.columns(of: [Span("≥"), Span("→")]) == 4)
    }

    @Test("in ASCII a centred box is as wide as its spelled text: nothing that fits is cut with ~")
    func centredBoxFitsASCII() {
        let text = "primary round trip 245 ms ≥ 200 ms → backup"
        var context = Fixture.context(unicode: false)
        context.overlay = .help
        var buffer = CellBuffer(width: 80, height: 10)
        buffer.asciiOnly = true
        let p = PanelContext(state: Fixture.realistic(), view: context, layoutName: "t")
        Overlays.centredBox(p, title: "Keys", lines: [[Span(text)]], area: buffer.area, into: &buffer)
        #expect(buffer.text.contains("primary round trip 245 ms >= 200 ms -> backup"), "\(buffer.text)")
        #expect(!buffer.text.contains("~"), "\(buffer.text)")
    }

    @Test("in ASCII the small-terminal line measures the spelled message before choosing its order")
    func smallLineMeasuresASCII() {
        // Fits in UTF-8 (the whole line, session first) but not once "≥" is ">=": alarm first then.
        let utf8 = tooSmall(width: 200, height: 10, alarms: [Self.newMedium])
        var whole = Substring(utf8.lines[0])
        while whole.last == " " { whole = whole.dropLast() }
        let width = whole.count
        let ascii = tooSmall(width: width, height: 10, alarms: [Self.newMedium], unicode: false)
        #expect(ascii.lines[0].hasPrefix("** LINK.primary.RTT"), "\(ascii.lines[0])")
        let roomy = tooSmall(width: width + 1, height: 10, alarms: [Self.newMedium], unicode: false)
        #expect(roomy.lines[0].hasSuffix(">= 200 ms"), "\(roomy.lines[0])")
    }
}
