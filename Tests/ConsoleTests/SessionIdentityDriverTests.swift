import SessionCore
import Telemetry
import TelemetrySources
import View
import Testing
@testable import Console

/// The gateway-restart and outage reproductions of issue 10, without sockets: what the driver
/// makes of a restarted gateway (same id, t back to 0), another session id, and a reconnect
/// with or without a `sync` frame.
@Suite("Session driver: session identity, sync and unconfirmed alarms")
struct SessionIdentityDriverTests {
    static let arm = ArmDescriptor(id: "PSM1", kind: .psm, joints: [JointDescriptor(name: "yaw", unit: .rad)])

    static func frame(_ t: Double, _ body: Frame.Body) -> SourceEvent { .decoded(.frame(Frame(t: t, body: body))) }
    static func session(_ id: String, _ t: Double) -> SourceEvent { frame(t, .session(SessionInfo(id: id, arms: [arm]))) }
    static func arm(_ t: Double) -> SourceEvent { frame(t, .arm(ArmSample(arm: "PSM1", position: [0.1]))) }
    static func collision(_ state: AlarmReport.State) -> SourceEvent {
        frame(0, .alarm(AlarmReport(id: "PSM2.COLLISION", state: state, priority: state == .raised ? .medium : nil,
                                    message: "PSM2.COLLISION message")))
    }

    /// A live session watched for `seconds` (frames every 0.1 s from arrival 1000).
    static func watched(_ id: String = "SIM-0001", for seconds: Double) -> SessionDriver {
        var driver = SessionDriver(mode: .live)
        driver.step(events: [.reset, .state(.connected(peer: "gw")), session(id, 0)], now: 1000)
        var t = 0.1
        while t <= seconds {
            driver.step(events: [arm(t)], now: 1000 + t)
            t += 0.1
        }
        return driver
    }

    @Test("a gateway restarted with the same id and t = 0: a new session whose clock runs, with no stale TELEMETRY.LOST")
    func gatewayRestart() {
        var driver = Self.watched(for: 300)
        #expect(driver.state.sessionTime > 299)
        // Killed: 10 s without data (TELEMETRY.LOST), then the new gateway at t = 0.
        driver.step(events: [.state(.reconnecting(lostAt: 1300, attempt: 1, reason: "connection closed by peer"))], now: 1305)
        driver.step(events: [], now: 1310)
        #expect(driver.alarms.alarms.contains { $0.id == "TELEMETRY.LOST" })
        driver.step(events: [.reset, .state(.connected(peer: "gw")), Self.session("SIM-0001", 0)], now: 1310)
        for k in 1...40 { driver.step(events: [Self.arm(Double(k) * 0.1)], now: 1310 + Double(k) * 0.1) }
        #expect(driver.state.sessionTime == 4, "the clock follows the new session, not frozen at 300")
        #expect(!driver.alarms.alarms.contains { $0.id == "TELEMETRY.LOST" }, "\(driver.alarms.alarms.map(\.message))")
        #expect(driver.state.counters.outOfOrder == 0)
        #expect(driver.sessionsStarted == 1)
        #expect(driver.log.last?.hasPrefix("new session SIM-0001; previous session SIM-0001 ended (the source restarted") == true)
        #expect(driver.state.events.map(\.kind) == [SessionState.connectionEventKind], "the old session's events are gone")
    }

    @Test("another session id: the state and alarms start afresh, and the screen and log say so")
    func newSessionID() {
        var driver = Self.watched("A", for: 20)
        driver.step(events: [Self.frame(20, .alarm(AlarmReport(id: "PSM2.COLLISION", state: .raised, priority: .medium))),
                             Self.frame(20, .event(EventNote(kind: "note", text: "old")))], now: 1020)
        #expect(driver.alarms.alarms.count == 1)
        let step = driver.step(events: [Self.session("B", 500)], now: 1021)
        #expect(step.logged == ["new session B; previous session A ended"])
        #expect(driver.state.info?.id == "B" && driver.state.sessionTime == 500)
        #expect(driver.alarms.alarms.isEmpty && driver.alarms.history.isEmpty, "nothing carries over")
        // One entry: the announcement, after the wall-clock time ("14:03:22 new session …").
        let events: [String?] = driver.state.events.map { $0.text }
        #expect(events.count == 1 && events[0]?.hasSuffix(" new session B; previous session A ended") == true, "\(events)")
        let history = driver.state.arm("PSM1")?.positionHistory.first?.isEmpty
        #expect(history == true, "the arm's history starts afresh")
        let boundaries = driver.takeSessionBoundaries()
        #expect(boundaries.map { $0.text } == ["new session B; previous session A ended"])
        let ended = boundaries.first?.endedLog ?? []
        #expect(ended.contains { $0.action == .raise && $0.id == "PSM2.COLLISION" }, "the ended session's last entries go to its own log")
    }

    @Test("the same id after a reconnect continues the session and its clock")
    func sameIDContinues() {
        var driver = Self.watched(for: 30)
        driver.step(events: [.reset, .state(.connected(peer: "gw")), Self.session("SIM-0001", 42), Self.arm(42.1)], now: 1050)
        #expect(driver.sessionsStarted == 0)
        #expect(driver.state.sessionTime == 42.1)
        #expect(driver.state.events.isEmpty)
    }

    @Test("an alarm cleared during an outage: the gateway's sync clears it on reconnect, logged as a resync")
    func clearedDuringOutageWithSync() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        let recorder = AlarmRecorder(destination: .file(dir + "/a.log"))
        var driver = Self.watched(for: 10)
        driver.step(events: [Self.collision(.raised)], now: 1010, recorder: recorder)
        driver.step(events: [.state(.reconnecting(lostAt: 1011, attempt: 1, reason: "connection reset by peer"))], now: 1011)
        driver.step(events: [.reset, .state(.connected(peer: "gw")), Self.session("SIM-0001", 200),
                             Self.frame(200, .sync(SyncSnapshot(alarms: []))), Self.arm(200.1)], now: 1200, recorder: recorder)
        #expect(!driver.alarms.alarms.contains { $0.id == "PSM2.COLLISION" })
        #expect(driver.state.events.last?.text == "resync: PSM2.COLLISION cleared (no longer active at the gateway)")
        let log = readFile(dir + "/a.log") ?? ""
        #expect(log.contains("RESYNC  ** PSM2.COLLISION  PSM2.COLLISION message (cleared: no longer active at the gateway)"), "\(log)")
    }

    @Test("an alarm raised before a reconnect to a gateway without sync is shown as unconfirmed since reconnect")
    func unconfirmedWithoutSync() {
        var driver = Self.watched(for: 10)
        driver.step(events: [Self.collision(.raised)], now: 1010)
        driver.step(events: [.reset, .state(.connected(peer: "gw")), Self.session("SIM-0001", 200), Self.arm(200.1)], now: 1200)
        #expect(driver.alarms.alarms.first { $0.id == "PSM2.COLLISION" }?.unconfirmed == true)
        var model = ConsoleModel(mode: .live, label: "gw", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: "technician")
        model.driver = driver
        #expect(model.context(now: 1200, wallClock: "", playback: nil).alarms.first { $0.id == "PSM2.COLLISION" }?.unconfirmed == true)
        var buffer = CellBuffer(width: 120, height: 40)
        model.frame(now: 1200, wallClock: "10:00:00", playback: nil).render(into: &buffer, state: &model.view)
        // The row keeps the alarm's own words, its doubt a short tag; the wording in the title's legend.
        let row = buffer.text.split(separator: "\n").first { $0.contains("**  00:00:00") }.map(String.init) ?? ""
        #expect(row.contains("PSM2.COLLISION") && (row.contains("UNCONF") || row.contains(" ? ")), "\(buffer.text)")
        #expect(buffer.text.contains("unconfirmed since reconnect"), "\(buffer.text)")
        #expect(StatusLine.render(driver: driver, now: 1200).contains("** PSM2.COLLISION (unconfirmed since reconnect)"))
        // Cleared by the robot afterwards: gone.
        driver.step(events: [Self.frame(201, .alarm(AlarmReport(id: "PSM2.COLLISION", state: .cleared)))], now: 1201)
        #expect(!driver.alarms.alarms.contains { $0.id == "PSM2.COLLISION" })
    }

    @Test("with --alarm-log FILE a new session writes its line in the same file, after the ended session's entries")
    func namedLogSeparatesSessions() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        let recorder = AlarmRecorder(destination: .file(dir + "/a.log"))
        var driver = Self.watched("A", for: 5)
        driver.step(events: [Self.collision(.raised)], now: 1005, recorder: recorder)
        driver.step(events: [Self.session("B", 0), Self.collision(.raised)], now: 1006, recorder: recorder)
        let lines = (readFile(dir + "/a.log") ?? "").split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(lines)")
        #expect(lines[0].contains("RAISE") && lines[1].contains("SESSION  new session B; previous session A ended"))
        #expect(lines[2].contains("t=0.0  RAISE  ** PSM2.COLLISION"))
        #expect(recorder.recent.contains { $0.contains("SESSION  new session B") })
    }
}
