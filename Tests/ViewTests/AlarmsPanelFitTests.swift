import SessionCore
import Telemetry
import Testing
@testable import View

/// The Alarms panel keeps every alarm findable: an unfolded selection leaves the others a row,
/// an unconfirmed alarm keeps its message (its doubt in the status column, explained in the
/// title), and an ASCII terminal's spellings do not cut the unfolded text.
@Suite("Alarms panel: every alarm keeps a row, unconfirmed ones stay identifiable")
struct AlarmsPanelFitTests {
    /// Four alarms with messages of about 200 characters, each starting with its own word.
    static func longAlarms(selected: Int = 0) -> [AlarmRow] {
        let words = ["Alpha", "Bravo", "Charlie", "Delta"]
        return words.enumerated().map { k, word in
            let filler = String(repeating: "the link to the console is degraded and frames arrive late ", count: 3)
            var row = AlarmRow(id: "ROBOT.\(word.uppercased())", priority: .medium,
                               message: word + " condition: " + filler + "END" + word, since: Double(k))
            row.selected = k == selected
            return row
        }
    }

    @Test("at 80x24 with four long alarms and the first selected, every alarm keeps a row", arguments: [0, 2])
    func unfoldLeavesEveryAlarmARow(selected: Int) throws {
        var context = Fixture.context()
        context.alarms = Self.longAlarms(selected: selected)
        context.focus = .alarms
        let (b, outcome) = screen(SessionState(), context, layout: "compact", width: 80, height: 24)
        let area = try #require(rect(of: .alarms, in: outcome))
        let lines = b.lines(in: area)
        for word in ["Alpha", "Bravo", "Charlie", "Delta"] {
            #expect(lines.contains { $0.contains(word) }, "\(word) shown: \(lines)")
        }
        // The selected one (its id first, the panel being narrow) unfolds into what rows are left.
        let id = "ROBOT." + ["Alpha", "Bravo", "Charlie", "Delta"][selected].uppercased() + ":"
        #expect(b.style(of: id, in: area)?.attributes.contains(.reverse) == true, "\(lines)")
        let at = lines.firstIndex { $0.contains(id) } ?? 0
        #expect(at + 1 < lines.count && lines[at + 1].contains("condition:"), "unfolded over the next row: \(lines)")
    }

    @Test("a tall panel still unfolds the selected alarm whole")
    func tallPanelUnfoldsWhole() {
        var context = Fixture.context()
        context.alarms = Self.longAlarms()
        context.focus = .alarms
        let b = panel(.alarms, SessionState(), context, width: 90, height: 20)
        #expect(b.lines.contains { $0.contains("ENDAlpha") }, "\(b.lines)")
        #expect(b.contains("Delta condit"))
    }

    static func unconfirmed(selected: Bool = false) -> [AlarmRow] {
        var doubt = AlarmRow(id: "PSM2.COLLISION", priority: .medium, message: "PSM2 near ECM", since: 0)
        doubt.unconfirmed = true
        doubt.selected = selected
        let other = AlarmRow(id: "LINK.primary.RTT", priority: .low, message: "primary round trip 167.3 ms ≥ 150 ms", since: 3)
        return [doubt, other]
    }

    @Test("an unconfirmed alarm keeps its message and a short tag at every width; the title says what it means",
          arguments: [38, 60, 80, 120])
    func unconfirmedStaysIdentifiable(width: Int) {
        var context = Fixture.context()
        context.alarms = Self.unconfirmed()
        let b = panel(.alarms, SessionState(), context, width: width, height: 6)
        let row = b.lines.first { $0.contains("PSM2 near ECM") }
        #expect(row != nil, "the message is not pushed out: \(b.lines)")
        let tag = width - 2 >= 60 ? "UNCONF" : "?"
        #expect(row?.contains(tag) == true, "\(String(describing: row))")
        #expect(b.lines[0].contains("unconfirmed since"), "the legend in the title: \(b.lines[0])")
        if width >= 80 { #expect(b.lines[0].contains("unconfirmed since reconnect")) }
    }

    @Test("the selected unconfirmed alarm unfolds with the full wording")
    func unconfirmedUnfolds() {
        var context = Fixture.context()
        context.alarms = Self.unconfirmed(selected: true)
        context.focus = .alarms
        let b = panel(.alarms, SessionState(), context, width: 60, height: 8)
        let text = b.lines.joined(separator: " ")
        #expect(text.contains("unconfirmed since") && text.contains("reconnect: PSM2 near ECM"), "\(b.lines)")
    }

    @Test("ASCII: the selected alarm unfolds to its end, spelled as written")
    func asciiUnfoldKeepsTheEnd() {
        var rtt = AlarmRow(id: "LINK.primary.RTT", priority: .medium,
                           message: "primary round trip 167.3 ms ≥ 150 ms (1 s mean), the surgeon's view lags behind", since: 2)
        rtt.selected = true
        var context = Fixture.context(unicode: false, colors: false)
        context.alarms = [rtt]
        context.focus = .alarms
        let b = panel(.alarms, SessionState(), context, width: 38, height: 10)
        let text = b.lines.joined(separator: " ")
        #expect(b.isASCII)
        #expect(text.contains(">= 150"), "\(b.lines)")
        #expect(text.contains("behind"), "nothing cut: \(b.lines)")
        #expect(!text.contains("~"), "no line cut with the ASCII ellipsis: \(b.lines)")
    }
}
