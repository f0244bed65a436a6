import SessionCore
import Telemetry
import TelemetrySources
import Testing
@testable import Console

/// Where one session ends and the next begins, as the review of issue 10 found it wanting: the
/// ended session's last frames, many sessions in one step, what carries over, a stray frame,
/// and resyncs logged as such.
@Suite("Session driver: session boundaries")
struct SessionBoundaryTests {
    typealias T = SessionIdentityDriverTests

    static func fault(_ t: Double, _ id: String = "PSM1.FAULT", _ priority: AlarmPriority = .high) -> SourceEvent {
        T.frame(t, .alarm(AlarmReport(id: id, state: .raised, priority: priority, message: "\(id) message")))
    }

    /// A `live -` driver: a file source, which has no connection events.
    static func piped() -> SessionDriver {
        var driver = SessionDriver(mode: .live)
        driver.setRestartRule(.anywhere)
        return driver
    }

    @Test("an alarm raised by the old session's last frames reaches the log when the new session's frame is in the same batch")
    func lastFramesOfTheOldSession() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        let recorder = AlarmRecorder(destination: .file(dir + "/a.log"))
        var driver = Self.piped()
        driver.step(events: [.reset, T.session("A", 0), Self.fault(0.02), T.session("B", 0.03)], now: 1000, recorder: recorder)
        let lines = (readFile(dir + "/a.log") ?? "").split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.first?.contains("t=0.0  RAISE  *** PSM1.FAULT") == true, "\(lines)")
        #expect(lines.last?.contains("SESSION  new session B; previous session A ended") == true)
        #expect(driver.alarms.alarms.isEmpty, "the new session starts without the old one's alarms")
    }

    @Test("a session frame re-sent after one stray frame far ahead continues the session")
    func strayFrameDoesNotEndTheSession() {
        for live in [true, false] {
            var driver = live ? SessionDriver(mode: .live) : Self.piped()
            driver.step(events: [.reset, T.session("A", 0)], now: 1000)
            for k in 1...100 { driver.step(events: [T.arm(Double(k) * 0.1)], now: 1000 + Double(k) * 0.1) }
            driver.step(events: [T.frame(900, .link(LinkSample(rttMs: 40)))], now: 1010.05)
            driver.step(events: [T.session("A", 10.1), T.arm(10.2)], now: 1010.1)
            #expect(driver.sessionsStarted == 0, "live \(live): \(driver.log)")
            #expect(driver.state.counters.frames.reduce(0, +) > 100, "live \(live): the counts are kept")
        }
    }

    @Test("a live gateway restarted with the same id is a new session only on a new connection")
    func liveRestartNeedsAReconnect() {
        var driver = SessionDriver(mode: .live)
        driver.step(events: [.reset, T.session("A", 0)], now: 1000)
        for k in 1...100 { driver.step(events: [T.arm(Double(k) * 0.1)], now: 1000 + Double(k) * 0.1) }
        driver.step(events: [T.session("A", 0)], now: 1011)
        #expect(driver.sessionsStarted == 0, "the same connection: a late, reordered session frame")
        driver.step(events: [.reset, T.session("A", 0)], now: 1012)
        #expect(driver.sessionsStarted == 1)
    }

    @Test("forty sessions in one step: every session line and every alarm entry reaches the log")
    func manySessionsInOneStep() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        let recorder = AlarmRecorder(destination: .file(dir + "/a.log"))
        var driver = Self.piped()
        var events: [SourceEvent] = [.reset]
        for k in 0..<40 {
            events.append(T.session("S\(k)", 0))
            events.append(Self.fault(0.05, "X\(k)", .medium))
        }
        driver.step(events: events, now: 1000, recorder: recorder)
        let text = readFile(dir + "/a.log") ?? ""
        for k in 0..<40 { #expect(text.contains("RAISE  ** X\(k) "), "X\(k) is missing:\n\(text)") }
        for k in 1..<40 { #expect(text.contains("SESSION  new session S\(k); previous session S\(k - 1) ended"), "S\(k)") }
    }

    @Test("arm samples dropped in the ended session do not raise TELEMETRY.DROPPED in the new one")
    func dropsBelongToTheSession() {
        var driver = Self.piped()
        driver.step(events: [.reset, T.session("A", 0), T.arm(0.1)], now: 1000)
        var run = DroppedFrames()
        for k in 0..<500 { run.add(Frame(t: 0.2 + Double(k) * 0.0002, body: .arm(ArmSample(arm: "PSM1", position: [0.1])))) }
        driver.step(events: [.dropped(run)], now: 1000.2)
        #expect(driver.alarms.alarms.contains { $0.id == "TELEMETRY.DROPPED" })
        driver.step(events: [T.session("B", 0), T.arm(0.1)], now: 1000.3)
        #expect(driver.health.droppedFrames == 0)
        #expect(!driver.alarms.alarms.contains { $0.id == "TELEMETRY.DROPPED" }, "\(driver.alarms.alarms.map(\.id))")
    }

    @Test("a gateway restart keeps the connection's events in the new session's Events panel")
    func connectionEventsCarryOver() {
        var driver = SessionDriver(mode: .live)
        driver.step(events: [.connection(.connected(peer: "gw:7000", afterOutage: nil)), .reset, T.session("A", 0)], now: 1000)
        for k in 1...100 { driver.step(events: [T.arm(Double(k) * 0.1)], now: 1000 + Double(k) * 0.1) }
        driver.step(events: [.connection(.connected(peer: "gw:7000", afterOutage: 3)), .reset, T.session("A", 0)], now: 1015)
        let texts = driver.state.events.map(\.text)
        #expect(texts.count == 2, "\(texts)")
        // Each starts with the wall-clock time (session time stands still during an outage).
        #expect(texts.first??.contains(" new session A; previous session A ended") == true, "\(texts)")
        #expect(texts.last??.contains(" reconnected to gw:7000") == true, "\(texts)")
    }

    @Test("every change a sync makes is logged as RESYNC: a latched high alarm, a re-raise of a latched one, two syncs at once")
    func everyResyncIsLogged() {
        var driver = SessionDriver(mode: .live)
        var logged: [AlarmLogEntry] = []
        func step(_ events: [SourceEvent], _ now: Double) {
            driver.step(events: events, now: now)
            logged += driver.alarms.drainLog()
        }
        step([.reset, T.session("A", 0), Self.fault(0.1), Self.fault(0.1, "ECM.LIGHT", .low),
              Self.fault(0.1, "PSM2.GRIP", .medium)], 1000)
        logged = []
        // A reconnect whose sync lacks the unacknowledged high alarm: latched, logged as RESYNC.
        step([.reset, T.session("A", 5), T.frame(5, .sync(SyncSnapshot(alarms: [
            AlarmReport(id: "ECM.LIGHT", state: .raised, priority: .low),
            AlarmReport(id: "PSM2.GRIP", state: .raised, priority: .medium)])))], 1000.2)
        #expect(logged.map(\.action) == [.resync], "\(logged.map(\.text))")
        #expect(driver.alarms.alarms.first { $0.id == "PSM1.FAULT" }?.latched == true)
        logged = []
        // A sync listing it while still latched: raised again, as a resync.
        step([.reset, T.session("A", 6), T.frame(6, .sync(SyncSnapshot(alarms: [
            AlarmReport(id: "PSM1.FAULT", state: .raised, priority: .high),
            AlarmReport(id: "ECM.LIGHT", state: .raised, priority: .low),
            AlarmReport(id: "PSM2.GRIP", state: .raised, priority: .medium)])))], 1000.3)
        #expect(logged.map(\.action) == [.resync], "\(logged.map(\.text))")
        logged = []
        // Two syncs before one evaluation: the first clears ECM.LIGHT, the second PSM2.GRIP.
        step([.reset, T.session("A", 7),
              T.frame(7, .sync(SyncSnapshot(alarms: [AlarmReport(id: "PSM1.FAULT", state: .raised, priority: .high),
                                                     AlarmReport(id: "PSM2.GRIP", state: .raised, priority: .medium)]))),
              T.frame(7, .sync(SyncSnapshot(alarms: [AlarmReport(id: "PSM1.FAULT", state: .raised, priority: .high)])))], 1000.4)
        #expect(Set(logged.map(\.action)) == [.resync], "\(logged.map(\.text))")
        #expect(Set(logged.compactMap(\.id)) == ["ECM.LIGHT", "PSM2.GRIP"])
    }

    @Test("a bad line where the sync should be: 'no valid sync frame', on screen and in the log")
    func invalidSyncIsSaidSo() {
        var driver = SessionDriver(mode: .live)
        driver.step(events: [.reset, T.session("A", 0), Self.fault(0.1, "PSM2.GRIP", .medium)], now: 1000)
        _ = driver.alarms.drainLog()
        let bad = DecodeError(line: 3, kind: .tooLong, reason: "line longer than 65536 bytes")
        driver.step(events: [.reset, T.session("A", 5), .decoded(.error(bad)), T.arm(5.1)], now: 1005)
        let events = driver.state.events.compactMap(\.text)
        #expect(events.contains { $0.hasPrefix("reconnected without a valid sync frame") }, "\(events)")
        let notes = driver.alarms.drainLog().map(\.text)
        #expect(notes.contains { $0.contains("the gateway sent no valid sync frame") }, "\(notes)")
    }
}
