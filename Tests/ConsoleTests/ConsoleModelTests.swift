import Testing
import Telemetry
import Terminal
import View
@testable import Console

@Suite("Console keys")
struct ConsoleModelTests {
    /// A replay console with two device alarms raised.
    func consoleWithTwoAlarms() -> ConsoleModel {
        var model = ConsoleModel(mode: .replay, label: "test", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: "technician")
        let frames = [
            Frame(t: 0, body: .session(SessionInfo(id: "S", arms: []))),
            Frame(t: 1, body: .alarm(AlarmReport(id: "A.FIRST", state: .raised, priority: .medium, message: "first"))),
            Frame(t: 2, body: .alarm(AlarmReport(id: "B.SECOND", state: .raised, priority: .medium, message: "second"))),
        ]
        for frame in frames {
            model.driver.handle(.decoded(.frame(frame)), arrival: frame.t)
            model.driver.evaluateAlarms(arrivalNow: frame.t)
        }
        return model
    }

    @Test("with the Alarms panel focused, ↓ selects the next alarm and a acknowledges that one")
    func selectAndAcknowledge() {
        var model = consoleWithTwoAlarms()
        #expect(model.driver.alarms.alarms.map(\.id) == ["A.FIRST", "B.SECOND"])
        while model.focus != .alarms { model.handle(.tab, control: nil) }
        model.handle(.down, control: nil)
        model.handle(.character("a"), control: nil)
        let acknowledged = model.driver.alarms.alarms.filter(\.acknowledged).map(\.id)
        #expect(acknowledged == ["B.SECOND"])
        let rows = model.context(now: 3, wallClock: "", control: nil).alarms
        #expect(rows.map(\.selected) == [false, true], "the selected row is marked for the view")
    }

    @Test("A acknowledges every alarm")
    func acknowledgeAll() {
        var model = consoleWithTwoAlarms()
        model.handle(.character("A"), control: nil)
        #expect(model.driver.alarms.alarms.allSatisfy { $0.acknowledged })
    }
}
