import SessionCore
import Telemetry
import Testing
@testable import View

@Suite("Alarm rows: the id when there is room, the whole message when selected")
struct AlarmRowsTests {
    static let long = AlarmRow(id: "LINK.backup.LOSS", priority: .medium,
                               message: "backup packet loss 2.07 % ≥ 1 % (1 s mean), the video may freeze", since: 299)
    static let other = AlarmRow(id: "PSM1.yaw.LIMIT", priority: .low, message: "PSM1 yaw 80.2° near its limit 85.9°", since: 1)

    func draw(width: Int, selected: Bool, focus: PanelID? = .alarms) -> CellBuffer {
        var first = Self.long
        first.selected = selected
        var context = Fixture.context()
        context.alarms = [first, Self.other]
        context.focus = focus
        return panel(.alarms, SessionState(), context, width: width, height: 8)
    }

    @Test("a panel with room shows each alarm's id beside its message; a narrow one the message alone")
    func idWhenThereIsRoom() {
        let wide = draw(width: 60, selected: false)
        #expect(wide.lines[2].contains("LINK.backup.LOSS") && wide.lines[2].contains("backup packet loss"))
        let narrow = draw(width: 38, selected: false)
        #expect(!narrow.contains("LINK.backup.LOSS"))
        #expect(narrow.lines[2].contains("backup packet loss"))
    }

    @Test("the selected row unfolds to its whole message (and its id when the panel has no room for it)")
    func selectedShowsTheWholeMessage() {
        let folded = draw(width: 38, selected: false)
        #expect(!folded.contains("freeze"), "cut with an ellipsis when not selected")
        let unfolded = draw(width: 38, selected: true)
        let text = unfolded.lines.joined(separator: " ")
        for word in ["LINK.backup.LOSS:", "2.07", "mean),", "video", "may", "freeze"] {
            #expect(text.contains(word), "\(word) in \(unfolded.lines)")
        }
        #expect(unfolded.style(of: "freeze")?.attributes.contains(.reverse) == true, "drawn as selected")
        #expect(unfolded.contains("PSM1 yaw"), "the next alarm follows the unfolded one")
        // Only while the Alarms panel has the keyboard.
        #expect(!draw(width: 38, selected: true, focus: nil).contains("freeze"))
    }

    @Test("a word longer than the line is cut where it must be")
    func wrapping() {
        #expect(AlarmsPanel.wrap("a bb ccc", width: 4) == ["a bb", "ccc"])
        #expect(AlarmsPanel.wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
        #expect(AlarmsPanel.wrap("x", width: 0).isEmpty)
    }
}

@Suite("The alarm log overlay")
struct AlarmLogOverlayTests {
    static let lines = (1...300).map { "2026-11-24T08:00:\($0 % 60)Z  t=\($0).0  RAISE  * LINK.primary.RTT  entry \($0)" }

    func draw(_ log: AlarmLogBrowser, width: Int, height: Int, unicode: Bool = true) -> CellBuffer {
        var context = Fixture.context(unicode: unicode)
        context.overlay = .alarmLog(log)
        let (b, _) = screen(Fixture.realistic(), context, layout: width >= 120 ? "technician" : "compact", width: width,
                            height: height)
        return b
    }

    @Test(arguments: screenSizes)
    func namesItsFileShowsTheNewestAndItsKeys(size: (width: Int, height: Int, layout: String)) {
        let log = AlarmLogBrowser(path: "/home/tech/.local/state/surgtop/OR3-20261124-01_2026-11-24T08-00-00Z.alarms.log",
                                  lines: Self.lines)
        let b = draw(log, width: size.width, height: size.height)
        let text = b.lines.joined(separator: "\n")
        #expect(text.contains("Alarm log"))
        #expect(text.contains(".alarms.log"), "the file's path (its end when it is long) in the title")
        #expect(text.contains("300 entries"))
        #expect(text.contains("entry 300"), "it opens on the newest entry")
        #expect(text.contains("search") && text.contains("Esc l") && text.contains("close"), "its keys in its own footer")
        // The rows it shows, reported for paging.
        var context = Fixture.context()
        context.overlay = .alarmLog(log)
        var buffer = CellBuffer(width: size.width, height: size.height)
        let outcome = ConsoleView.render(state: Fixture.realistic(), context: context, layout: Fixture.layout(size.layout),
                                         into: &buffer)
        #expect((outcome.alarmLogRows ?? 0) >= size.height - 6)
    }

    @Test("the current match is highlighted and counted; a search being typed is shown")
    func matchAndSearch() {
        var log = AlarmLogBrowser(path: nil, lines: Self.lines)
        log.rows = 20
        log.query = "ENTRY 42"
        log.find(forward: true)
        #expect(log.match == 41)
        let b = draw(log, width: 80, height: 24)
        #expect(b.style(of: "entry 42")?.attributes.contains(.reverse) == true)
        #expect(b.contains("match 1 of 1"))
        #expect(b.contains("no file"))
        log.editing = true
        log.query = "RTT\u{1B}[2J"
        let typing = draw(log, width: 80, height: 24, unicode: false)
        #expect(typing.contains("RTT[2J_") || typing.contains("RTT_"))
        #expect(typing.contains("Enter") && typing.contains("cancel"))
        #expect(typing.isASCII)
    }

    @Test("an empty log says so")
    func empty() {
        let b = draw(AlarmLogBrowser(path: "/tmp/x.log", lines: []), width: 80, height: 24)
        #expect(b.contains("No alarm activity yet."))
        #expect(b.contains("0 entries"))
    }
}
