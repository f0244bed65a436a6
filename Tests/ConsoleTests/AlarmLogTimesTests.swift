import SessionCore
import Telemetry
import Testing
@testable import Console

/// The alarm log carries the session time a condition arose, however many frames reach the
/// console at once: at --speed 500 a whole recording's sparse frames come in one batch, and
/// alarms raised at t = 1 were logged at t = 9, the next frame's time.
@Suite("Alarm log times in a fast replay")
struct AlarmLogTimesTests {
    static let arms = [ArmDescriptor(id: "PSM1", kind: .psm)]

    static var frames: [Frame] {
        var out = [Frame(t: 0, body: .session(SessionInfo(id: "FAST", arms: arms)))]
        for k in 0...4 {
            out.append(Frame(t: Double(k) * 0.5, body: .link(LinkSample(up: true, rttMs: 350))))
            if k == 2 { out.append(Frame(t: 1, body: .alarm(AlarmReport(id: "PSM1.COLLISION", state: .raised, priority: .medium)))) }
        }
        out.append(Frame(t: 9, body: .event(EventNote(kind: "note"))))
        return out
    }

    func raiseTimes(batches: [[Frame]]) -> [String: String] {
        var driver = SessionDriver(mode: .replay)
        var arrival = 100.0
        for batch in batches {
            driver.handle(batch.map { .decoded(.frame($0)) }, arrival: arrival)
            driver.evaluateAlarms(arrivalNow: arrival)
            arrival += 0.01
        }
        var times: [String: String] = [:]
        for entry in driver.alarms.drainLog() where entry.text.contains("RAISE") {
            let fields = entry.text.split(separator: " ", omittingEmptySubsequences: true)
            if let id = fields.first(where: { $0.contains(".") && !$0.hasPrefix("t=") }), times[String(id)] == nil {
                times[String(id)] = String(fields[0])
            }
        }
        return times
    }

    @Test("one batch logs the same raise times as one frame at a time")
    func sameAsSpeedOne() {
        let oneByOne = raiseTimes(batches: Self.frames.map { [$0] })
        let allAtOnce = raiseTimes(batches: [Self.frames])
        #expect(oneByOne["PSM1.COLLISION"] == "t=1.0")
        #expect(oneByOne["LINK.primary.RTT"] == "t=1.0")
        #expect(allAtOnce == oneByOne)
    }
}
