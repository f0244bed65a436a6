import Foundation
import SessionCore
import Telemetry
import Testing
@testable import Console

/// Bidi overrides and escape sequences from the wire reached the status line and the alarm
/// log, where they could make a message read backwards or drive the terminal that shows it.
@Suite("Hostile text in status lines and the alarm log")
struct HostileTextTests {
    static let hostile = "P\u{202E}SM\u{2066}1\u{2069}\u{1B}]52;c;UFdORUQ=\u{07}\u{9B}2J"

    func isClean(_ text: String) -> Bool {
        !text.unicodeScalars.contains { WireText.isControl($0) && $0 != "\n" || WireText.isInvisibleFormat($0) }
    }

    @Test("the headless status line")
    func statusLine() {
        var driver = SessionDriver(mode: .live)
        driver.handle([.state(.connected(peer: Self.hostile)),
                       .decoded(.frame(Frame(t: 0, body: .session(SessionInfo(id: Self.hostile, arms: []))))),
                       .decoded(.frame(Frame(t: 1, body: .link(LinkSample(path: Self.hostile, up: true, rttMs: 1e19))))),
                       .decoded(.frame(Frame(t: 1, body: .alarm(AlarmReport(id: Self.hostile, state: .raised, priority: .high,
                                                                           message: Self.hostile)))))],
                      arrival: 1)
        driver.evaluateAlarms(arrivalNow: 1)
        let line = StatusLine.render(driver: driver, now: 1)
        #expect(isClean(line), "\(line.unicodeScalars.map { String($0.value, radix: 16) })")
        #expect(line.contains("PSM1=1e19ms"))
        #expect(StatusLine.sourceText(.failed(Self.hostile), now: 0) == "failed: PSM1")
    }

    @Test("the alarm log file")
    func alarmLog() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var engine = AlarmEngine()
        var state = SessionState()
        state.apply(Frame(t: 1, body: .alarm(AlarmReport(id: Self.hostile, state: .raised, priority: .high, message: Self.hostile))),
                    arrival: 1)
        engine.evaluate(state, arrivalNow: 1, sourceIsLive: false)
        let log = try AlarmLogFile(path: path)
        try log.write(engine.drainLog(), wallTime: AlarmLogFile.wallNow())
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("RAISE  *** PSM1  PSM1"))
        #expect(isClean(text))
    }
}
