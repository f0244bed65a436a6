import Testing
import SessionCore
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
        focusAlarms(&model)
        model.press(.down, playback: nil)
        model.press(.character("a"), playback: nil)
        let acknowledged = model.driver.alarms.alarms.filter(\.acknowledged).map(\.id)
        #expect(acknowledged == ["B.SECOND"])
        let rows = model.context(now: 3, wallClock: "", playback: nil).alarms
        #expect(rows.map(\.selected) == [false, true], "the selected row is marked for the view")
    }

    @Test("A acknowledges every alarm")
    func acknowledgeAll() {
        var model = consoleWithTwoAlarms()
        model.press(.character("A"), playback: nil)
        #expect(model.driver.alarms.alarms.count == 2)
        #expect(model.driver.alarms.alarms.allSatisfy { $0.acknowledged })
    }

    @Test("the selection stays on its alarm when a higher one sorts above it")
    func selectionFollowsTheAlarm() {
        var model = consoleWithTwoAlarms()
        focusAlarms(&model)
        model.press(.down, playback: nil)  // B.SECOND
        let high = Frame(t: 3, body: .alarm(AlarmReport(id: "C.HIGH", state: .raised, priority: .high, message: "high")))
        model.driver.handle(.decoded(.frame(high)), arrival: 3)
        model.driver.evaluateAlarms(arrivalNow: 3)
        #expect(model.driver.alarms.alarms.map(\.id) == ["C.HIGH", "A.FIRST", "B.SECOND"])
        model.press(.character("a"), playback: nil)
        #expect(model.driver.alarms.alarms.filter(\.acknowledged).map(\.id) == ["B.SECOND"])
    }

    @Test("the help states the audio pause the settings give")
    func audioPauseInHelp() {
        var settings = AlarmSettings.defaults
        settings.audioPauseSeconds = 60
        let model = ConsoleModel(mode: .live, label: "t", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: nil,
                                 alarmSettings: settings)
        let pause = model.context(now: 0, wallClock: "", playback: nil).extraKeys.first { $0.key == "p" }
        #expect(pause?.help.contains("60 s") == true, "\(pause?.help ?? "no p key")")
    }

    /// Tabs to the Alarms panel (the technician layout has one; at most ten tabs).
    func focusAlarms(_ model: inout ConsoleModel) {
        for _ in 0..<10 where model.focus != .alarms { model.press(.tab, playback: nil) }
        #expect(model.focus == .alarms)
    }
}
