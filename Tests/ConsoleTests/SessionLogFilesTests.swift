import SessionCore
import SystemCalls
import Telemetry
import TelemetrySources
import Testing
@testable import Console

/// The default alarm log, one file per session: a restarted session never goes on in another's
/// file, and a stream of many short sessions is rate-limited into one overflow file.
@Suite("Alarm log files per session")
struct SessionLogFilesTests {
    typealias T = SessionIdentityDriverTests

    static func session(_ id: String, _ t: Double, startedAt: String?) -> SourceEvent {
        T.frame(t, .session(SessionInfo(id: id, startedAt: startedAt, arms: [T.arm])))
    }

    static func files(in dir: String) -> [String] {
        ((try? SystemCalls.directoryEntries(dir + "/surgtop")) ?? []).filter { $0.hasSuffix(".alarms.log") }.sorted()
    }

    @Test("a gateway restarted with the same id and started_at gets a new log, numbered, never appended to the old one")
    func restartWithTheSameStart() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        let recorder = AlarmRecorder(destination: .perSession, environment: ["XDG_STATE_HOME": dir])
        var driver = SessionDriver(mode: .live)
        driver.step(events: [.reset, Self.session("OR3", 0, startedAt: "2026-11-24T08:00:00Z"),
                             SessionBoundaryTests.fault(0.1, "PSM2.GRIP", .medium)], now: 1000, recorder: recorder)
        for k in 1...100 { driver.step(events: [T.arm(Double(k) * 0.1)], now: 1000 + Double(k) * 0.1, recorder: recorder) }
        driver.step(events: [.reset, Self.session("OR3", 0, startedAt: "2026-11-24T08:00:00Z"),
                             SessionBoundaryTests.fault(0.1, "ECM.LIGHT", .medium)], now: 1011, recorder: recorder)
        #expect(Self.files(in: dir) == ["OR3_2026-11-24T08-00-00Z.2.alarms.log", "OR3_2026-11-24T08-00-00Z.alarms.log"])
        let first = readFile(dir + "/surgtop/OR3_2026-11-24T08-00-00Z.alarms.log") ?? ""
        let second = readFile(dir + "/surgtop/OR3_2026-11-24T08-00-00Z.2.alarms.log") ?? ""
        #expect(first.contains("PSM2.GRIP") && !first.contains("ECM.LIGHT"), "\(first)")
        #expect(second.contains("SESSION  new session OR3; previous session OR3 ended") && second.contains("ECM.LIGHT"), "\(second)")
    }

    @Test("more than 20 new sessions within an hour share one overflow log, said in the log; later ones get their own again")
    func newFilesAreRateLimited() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        nonisolated(unsafe) var now = 50.0
        let recorder = AlarmRecorder(destination: .perSession, clock: { now }, environment: ["XDG_STATE_HOME": dir])
        var driver = SessionDriver(mode: .live)
        driver.setRestartRule(.anywhere)
        for k in 0..<30 {
            driver.step(events: [Self.session("S\(k)", 0, startedAt: "2026-11-24T08:00:00Z"),
                                 SessionBoundaryTests.fault(0.1, "X\(k)", .medium)], now: 1000 + Double(k), recorder: recorder)
            now += 10
        }
        var files = Self.files(in: dir)
        #expect(files.count == 1 + 20 + 1, "the first session's, 20 new ones, the overflow: \(files)")
        let overflow = try #require(files.first { $0.hasPrefix("surgtop-overflow_") })
        let text = readFile(dir + "/surgtop/" + overflow) ?? ""
        #expect(text.contains("more than 20 sessions began within an hour"), "\(text)")
        for k in 21..<30 { #expect(text.contains("RAISE  ** X\(k) "), "X\(k) in the overflow log") }
        let all = files.map { readFile(dir + "/surgtop/" + $0) ?? "" }.joined()
        for k in 0..<30 { #expect(all.contains("RAISE  ** X\(k) "), "X\(k) logged") }
        // An hour on, a new session gets a file of its own again.
        now += 3600
        driver.step(events: [Self.session("LATER", 0, startedAt: "2026-11-24T09:30:00Z")], now: 1100, recorder: recorder)
        files = Self.files(in: dir)
        #expect(files.contains("LATER_2026-11-24T09-30-00Z.alarms.log"), "\(files)")
    }
}
