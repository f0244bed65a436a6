import Testing
import SessionCore
import Telemetry
@testable import Console

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Alarm log file")
struct AlarmLogFileTests {
    @Test("each entry is on disk as one line, with wall time, as soon as it is written")
    func appendsImmediately() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        let path = dir + "/nested/deeper/session.alarms.log"
        let log = try AlarmLogFile(path: path)
        let raise = AlarmLogEntry(time: 123.4, action: .raise, id: "LINK.primary.RTT", origin: .derived, priority: .medium,
                                  message: "primary round trip 245 ms ≥ 200 ms")
        try log.write(raise, wallTime: 1_795_599_062)
        #expect(readFile(path) == "2026-11-25T09:31:02Z  t=123.4  RAISE  ** LINK.primary.RTT  primary round trip 245 ms ≥ 200 ms\n")
        let ack = AlarmLogEntry(time: 125, action: .acknowledge, id: "LINK.primary.RTT", origin: .derived, priority: .medium,
                                message: "primary round trip 245 ms ≥ 200 ms")
        let pause = AlarmLogEntry(time: 126, action: .audioPause, message: "audio paused for 120 s")
        try log.write([ack, pause], wallTime: 1_795_599_065.9)
        let lines = readFile(path)?.split(separator: "\n").map(String.init)
        #expect(lines == [
            "2026-11-25T09:31:02Z  t=123.4  RAISE  ** LINK.primary.RTT  primary round trip 245 ms ≥ 200 ms",
            "2026-11-25T09:31:05Z  t=125.0  ACK  ** LINK.primary.RTT  primary round trip 245 ms ≥ 200 ms",
            "2026-11-25T09:31:05Z  t=126.0  AUDIO-PAUSE  audio paused for 120 s",
        ])
        log.close()

        // Reopening appends; it never truncates.
        let again = try AlarmLogFile(path: path)
        try again.writeLine("second run\u{1B}[2J")
        #expect(readFile(path)?.hasSuffix("AUDIO-PAUSE  audio paused for 120 s\nsecond run\n") == true)
    }

    @Test("an engine's drained log goes to the file as it happens")
    func engineToFile() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        let log = try AlarmLogFile(path: dir + "/a.log")
        var state = SessionState()
        var engine = AlarmEngine()
        state.apply(Frame(t: 0, body: .session(SessionInfo(id: "S", arms: []))), arrival: 0)
        state.apply(Frame(t: 1, body: .alarm(AlarmReport(id: "PSM1.COLLISION", state: .raised, priority: .medium,
                                                         message: "Instrument collision detected"))), arrival: 1)
        engine.evaluate(state, time: 1, arrivalNow: 1, sourceIsLive: false)
        try log.write(engine.drainLog(), wallTime: 0)
        #expect(readFile(dir + "/a.log") == "1970-01-01T00:00:00Z  t=1.0  RAISE  ** PSM1.COLLISION  Instrument collision detected\n")
    }

    @Test("a log that cannot be written is a problem told once; the alarms are still kept for the l overlay")
    func problemToldOnce() {
        let recorder = AlarmRecorder(destination: .file("/proc/surgtop-cannot-write-here/a.log"))
        var driver = SessionDriver(mode: .live)
        driver.handle(.decoded(.frame(Frame(t: 0, body: .session(SessionInfo(id: "S", arms: []))))), arrival: 0)
        driver.handle(.decoded(.frame(Frame(t: 1, body: .alarm(AlarmReport(id: "PSM1.COLLISION", state: .raised, priority: .medium))))), arrival: 0)
        driver.evaluateAlarms(arrivalNow: 0)
        recorder.record(from: &driver)
        #expect(recorder.takeProblem()?.contains("surgtop-cannot-write-here") == true)
        #expect(recorder.takeProblem() == nil, "told once")
        #expect(recorder.recent.contains { $0.contains("RAISE") })
    }

    @Test("a replay that jumps says so in its log before the entries that may repeat")
    func seeksAreNoted() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        let recorder = AlarmRecorder(destination: .file(dir + "/replay.log"))
        var driver = SessionDriver(mode: .replay)
        driver.handle(.decoded(.frame(Frame(t: 0, body: .session(SessionInfo(id: "S", arms: []))))), arrival: 0)
        driver.handle(.decoded(.frame(Frame(t: 40, body: .alarm(AlarmReport(id: "PSM1.COLLISION", state: .raised, priority: .medium))))), arrival: 0)
        driver.evaluateAlarms(arrivalNow: 0)
        recorder.record(from: &driver)
        driver.handle(.reset, arrival: 0)
        driver.handle(.seeked(1), arrival: 0)
        recorder.record(from: &driver)
        let lines = readFile(dir + "/replay.log")?.split(separator: "\n").map(String.init) ?? []
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.first?.contains("RAISE") == true)
        #expect(lines.last?.contains("SEEK") == true)
        #expect(recorder.recent.last?.contains("SEEK") == true, "the l overlay shows it too")
    }

    @Test("a replay logs the recording's clock (started_at + t); without started_at, session time only")
    func replayLogsTheRecordingsClock() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        for (startedAt, expected) in [("2026-11-24T08:00:00Z", "2026-11-24T08:00:40Z  t=40.0  RAISE"),
                                      (nil, "t=40.0  RAISE"), ("2026-02-30T08:00:00Z", "t=40.0  RAISE")] as [(String?, String)] {
            let path = dir + "/replay-\(startedAt ?? "none").log"
            let recorder = AlarmRecorder(destination: .file(path))
            var driver = SessionDriver(mode: .replay)
            driver.handle(.decoded(.frame(Frame(t: 0, body: .session(SessionInfo(id: "S", startedAt: startedAt, arms: []))))),
                          arrival: 0)
            driver.handle(.decoded(.frame(Frame(t: 40, body: .alarm(AlarmReport(id: "PSM1.COLLISION", state: .raised,
                                                                                 priority: .medium))))), arrival: 0)
            driver.evaluateAlarms(arrivalNow: 0)
            recorder.record(from: &driver)
            #expect(recorder.path == path)
            let lines = readFile(path)?.split(separator: "\n").map(String.init) ?? []
            #expect(lines.first?.hasPrefix(expected) == true, "\(startedAt ?? "none"): \(lines)")
            #expect(recorder.recent.first?.hasPrefix(expected) == true, "the l overlay shows the same")
        }
    }

    @Test("the default file: one per session under the XDG state directory, named from the session id and start")
    func defaultLocation() throws {
        #expect(AlarmLogFile.defaultDirectory(environment: ["XDG_STATE_HOME": "/s", "HOME": "/h"]) == "/s/surgtop")
        #expect(AlarmLogFile.defaultDirectory(environment: ["HOME": "/h"]) == "/h/.local/state/surgtop")
        #expect(AlarmLogFile.defaultDirectory(environment: [:]) == nil)
        #expect(AlarmLogFile.fileName(sessionID: "OR3-20261124-01", startedAt: "2026-11-24T08:00:00Z")
                == "OR3-20261124-01_2026-11-24T08-00-00Z.alarms.log")
        #expect(AlarmLogFile.fileName(sessionID: "../../etc/passwd", startedAt: nil) == "_.._etc_passwd_unknown-start.alarms.log")
        #expect(AlarmLogFile.fileName(sessionID: nil, startedAt: "") == "session_unknown-start.alarms.log")
        #expect(AlarmLogFile.fileName(sessionID: "Salle 3 / é", startedAt: "x").hasPrefix("Salle_3____"))
        #expect(AlarmLogFile.fileName(sessionID: "OR3", startedAt: "2026-11-24T08:00:00Z", mode: .replay)
                == "OR3_2026-11-24T08-00-00Z.replay.alarms.log", "a replay never adds to the live session's log")
        #expect(AlarmLogFile.fileName(sessionID: "SIM-0001", startedAt: "x", mode: .demo) == "SIM-0001_x.demo.alarms.log")
        #expect(AlarmLogFile.fileName(sessionID: String(repeating: "a", count: 500), startedAt: "t").count == 80 + 1 + 1 + 11)

        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        let log = try AlarmLogFile.openDefault(sessionID: "OR3", startedAt: "2026-11-24T08:00:00Z",
                                               environment: ["XDG_STATE_HOME": dir + "/state"])
        #expect(log.path == dir + "/state/surgtop/OR3_2026-11-24T08-00-00Z.alarms.log")
        try log.writeLine("x")
        #expect(readFile(log.path) == "x\n")
    }

    @Test("a log that cannot be opened is a clear error")
    func openFailure() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        writeFile(dir + "/file", "")
        do {
            _ = try AlarmLogFile(path: dir + "/file/sub/a.log")
            Issue.record("no error")
        } catch {
            #expect(error.description == "alarm log \(dir)/file/sub/a.log: cannot create directory \(dir)/file/sub: Not a directory")
        }
        do {
            _ = try AlarmLogFile(path: dir)
            Issue.record("no error")
        } catch {
            #expect(error.description == "alarm log \(dir): cannot open: Is a directory")
        }
        do {
            _ = try AlarmLogFile.openDefault(sessionID: "S", startedAt: nil, environment: [:])
            Issue.record("no error")
        } catch {
            #expect(error.description == "alarm log S_unknown-start.alarms.log: neither XDG_STATE_HOME nor HOME is set")
        }
    }

    @Test("wall time is RFC 3339 UTC to the second")
    func timestamps() {
        #expect(AlarmLogFile.utcTimestamp(0) == "1970-01-01T00:00:00Z")
        #expect(AlarmLogFile.utcTimestamp(1_795_599_062.99) == "2026-11-25T09:31:02Z")
        #expect(AlarmLogFile.wallNow() > 1_700_000_000)
    }
}
