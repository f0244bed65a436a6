import SessionCore
import Telemetry
import TelemetrySources
import Terminal
import View
import Testing
@testable import Console

@Suite("Alarm log across sessions in a replay, and the overlay keeping its place")
struct AlarmLogReviewTests {
    static let arm = ArmDescriptor(id: "PSM1", kind: .psm, joints: [JointDescriptor(name: "yaw", unit: .rad)])

    static func frame(_ t: Double, _ body: Frame.Body) -> SourceEvent { .decoded(.frame(Frame(t: t, body: body))) }
    static func session(_ id: String, _ t: Double, startedAt: String) -> SourceEvent {
        frame(t, .session(SessionInfo(id: id, startedAt: startedAt, arms: [arm])))
    }
    static func collision(_ t: Double, _ state: AlarmReport.State) -> SourceEvent {
        frame(t, .alarm(AlarmReport(id: "PSM2.COLLISION", state: state, priority: state == .raised ? .medium : nil,
                                    message: "PSM2.COLLISION message")))
    }

    @Test("in a replay the ended session's entries and SESSION lines carry the recording's clock, not today's")
    func replayBoundaryUsesTheRecordingClock() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        let recorder = AlarmRecorder(destination: .file(dir + "/a.log"))
        var driver = SessionDriver(mode: .replay)
        driver.step(events: [.reset, Self.session("A", 0, startedAt: "2026-11-24T08:00:00Z")], now: 1000, recorder: recorder)
        for k in 1...50 { driver.step(events: [Self.frame(Double(k) / 10, .event(EventNote(kind: "info", text: "x")))], now: 1000, recorder: recorder) }
        // Raised at t = 5, not yet taken by the recorder when the next session begins: the
        // boundary carries it, with the ended session's clock.
        driver.step(events: [Self.collision(5.0, .raised)], now: 1000)
        driver.step(events: [Self.session("B", 0, startedAt: "2026-11-24T09:30:00Z")], now: 1000, recorder: recorder)
        let raise = try #require(recorder.recent.first { $0.contains("RAISE") })
        #expect(raise.hasPrefix("2026-11-24T08:00:05Z  t=5.0  RAISE"), "\(raise)")
        let opening = try #require(recorder.recent.first { $0.contains("SESSION") })
        #expect(opening.hasPrefix("2026-11-24T09:30:00Z  t=0.0  SESSION"), "\(opening)")
        let file = (readFile(dir + "/a.log") ?? "").split(separator: "\n").map(String.init)
        let closing = try #require(file.first { $0.contains("SESSION") })
        #expect(closing.hasPrefix("2026-11-24T08:00:05Z  t=5.0  SESSION"), "\(file)")
    }

    @Test("a new session keeps the overlay's lines up to recentLimit, not 500")
    func boundaryKeepsTheOverlaysLimit() {
        let recorder = AlarmRecorder(destination: .none)
        var driver = SessionDriver(mode: .replay)
        driver.step(events: [.reset, Self.session("A", 0, startedAt: "2026-11-24T08:00:00Z")], now: 1000, recorder: recorder)
        for k in 1...700 {
            driver.step(events: [Self.collision(Double(k) / 5, k % 2 == 1 ? .raised : .cleared)], now: 1000, recorder: recorder)
        }
        let before = recorder.recent.count
        #expect(before >= 600)
        driver.step(events: [Self.session("B", 0, startedAt: "2026-11-24T09:00:00Z")], now: 1000, recorder: recorder)
        #expect(recorder.recent.count > before)
    }

    @Test("when old lines are dropped and new ones added in one step, the match stays on its line")
    func droppedCountKeepsTheMatch() {
        let lines = (0..<100).map { "t=\($0).0  RAISE  entry \($0)" }
        var log = AlarmLogBrowser(path: nil, lines: lines, dropped: 0)
        log.rows = 10
        log.query = "entry 42"
        log.find(forward: true)
        #expect(log.match == 42)
        // 20 dropped, 20 added: the same count.
        let next = Array(lines.dropFirst(20)) + (100..<120).map { "t=\($0).0  RAISE  entry \($0)" }
        log.update(lines: next, dropped: 20)
        #expect(log.match.map { log.lines[$0] } == "t=42.0  RAISE  entry 42")
    }

    @Test("the match count includes new lines that match, and / starts a new search from the view, not the last match")
    func newLinesCountAndSlashStartsOver() {
        var m = ConsoleModel(mode: .live, label: "t", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: nil)
        let lines = (1...40).map { k in k % 10 == 0 ? "t=\(k).0  RAISE  LINK.primary.RTT" : "t=\(k).0  ACK  other" }
        m.perform(.showAlarmLog, playback: nil, alarmLog: lines)
        func log() -> AlarmLogBrowser? { if case .alarmLog(let l) = m.overlay { l } else { nil } }
        for key in [Key.character("/")] + "primary".map({ Key.character($0) }) + [.enter] { _ = m.handle(key) }
        #expect(log()?.matchPosition?.count == 4)
        m.refreshAlarmLog(lines + ["t=41.0  RAISE  LINK.primary.RTT", "t=42.0  ACK  other"], dropped: 0)
        #expect(log()?.matchPosition?.count == 5, "the new matching line is counted")
        _ = m.handle(.character("n"))
        #expect(log()?.match == 40, "n reaches the new line")
        _ = m.handle(.character("n"))
        #expect(log()?.match == 9, "and wraps to the oldest match")
        _ = m.handle(.end)
        for key in [Key.character("/")] + "rtt".map({ Key.character($0) }) + [.enter] { _ = m.handle(key) }
        // The view (one row here) is the newest line: the new search runs from it, wrapping to
        // the first match, not on from the last search's match (which would give line 19).
        #expect(log()?.match == 9)
    }

    @Test("a, A and p act on the alarms while the log is open (not while typing a search); q does not quit")
    func alarmKeysPassThrough() {
        var m = ConsoleModel(mode: .live, label: "t", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: nil)
        m.perform(.showAlarmLog, playback: nil, alarmLog: ["one"])
        #expect(m.handle(.character("A")) == [.acknowledgeAll])
        #expect(m.handle(.character("p")) == [.pauseAudio])
        #expect(m.overlay != nil, "the log stays open")
        #expect(m.handle(.character("q")) == [])
        #expect(m.overlay != nil)
        _ = m.handle(.character("/"))
        #expect(m.handle(.character("A")) == [])
        guard case .alarmLog(let log) = m.overlay else { Issue.record("closed"); return }
        #expect(log.query == "A", "typed into the search")
    }
}
