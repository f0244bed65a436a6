import Foundation
import Telemetry
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 10's reproductions, end to end: the console in tmux, a gateway the test controls.
@Suite("Session identity and resync in a terminal", .serialized, .enabled(if: TmuxSession.available))
struct SessionIdentityInTerminalTests {
    /// Ports of this suite's range (21000–21999).
    static func port() -> Int { 21_000 + Int.random(in: 0..<1000) }

    /// Whether something accepts connections on 127.0.0.1:`port`.
    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// Runs `command` (which starts a server on `port` and writes its pid to `pidFile`) and
    /// waits until the port accepts connections; false if the server exited first (the port
    /// was taken) or did not come up within 10 s.
    static func startServer(_ command: String, port: Int, pidFile: String) -> Bool {
        _ = system(command)
        for _ in 0..<100 {
            if accepts(port) { return true }
            if system("kill -0 $(cat \(pidFile)) 2>/dev/null") != 0 { return false }
            usleep(100_000)
        }
        return false
    }

    /// A gateway the test scripts, on a free port of the range (another test's port is tried again).
    static func scriptedGateway() throws -> ScriptedGateway {
        var attempts = 0
        while true {
            do {
                return try ScriptedGateway(port: port())
            } catch {
                attempts += 1
                if attempts >= 20 { throw error }
            }
        }
    }

    @Test("a restarted gateway (same id, t = 0): a new session whose clock runs, said on screen and in a new alarm log")
    func gatewayRestart() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let pidFile = dir.appendingPathComponent("server.pid").path
        func serve(_ port: Int) -> String { "\(CLI.binary) sim --serve \(port) </dev/null >/dev/null 2>&1 & echo $! > \(pidFile)" }
        // A port another program holds makes the server exit: another port is tried.
        var port = Self.port()
        var attempts = 1
        while !Self.startServer(serve(port), port: port, pidFile: pidFile) && attempts < 10 {
            _ = system("kill $(cat \(pidFile)) 2>/dev/null")
            port = Self.port()
            attempts += 1
        }
        defer { _ = system("kill $(cat \(pidFile)) 2>/dev/null") }
        try #require(Self.accepts(port), "the simulation server did not start")
        let tmux = try TmuxSession(width: 120, height: 40,
                                   command: "XDG_STATE_HOME=\(dir.path)/state LANG=C.UTF-8 \(CLI.binary) live 127.0.0.1:\(port)")
        let before = tmux.waitFor(timeout: 20) { $0.contains("t 00:00:08") }
        #expect(before.contains("t 00:00:08"), "\(before)")
        _ = system("kill $(cat \(pidFile)); sleep 1.5")
        try #require(Self.startServer(serve(port), port: port, pidFile: pidFile), "the simulation server did not restart")
        let after = tmux.waitFor(timeout: 15) { $0.contains("new session SIM-0001; previous session SIM-0001 ended") }
        #expect(after.contains("new session SIM-0001; previous session SIM-0001 ended"), "\(after)")
        // The clock is the new session's, and runs; no stale "no telemetry" while data flows.
        let running = tmux.waitFor(timeout: 10) { $0.contains("t 00:00:04") && $0.contains("connected") }
        #expect(running.contains("t 00:00:04"), "\(running)")
        #expect(!running.contains("no telemetry"), "\(running)")
        #expect(tmux.waitFor(timeout: 5) { $0.contains("t 00:00:06") }.contains("t 00:00:06"), "the clock goes on")
        // Two alarm logs: the ended session's, closed by the line, and the new one, opened by it.
        let logs = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/state/surgtop").sorted()
        #expect(logs.count == 2, "\(logs)")
        let texts = logs.compactMap { try? String(contentsOfFile: dir.path + "/state/surgtop/" + $0, encoding: .utf8) }
        #expect(texts.allSatisfy { $0.contains("SESSION  new session SIM-0001; previous session SIM-0001 ended") }, "\(texts)")
        tmux.send("q")
        tmux.send("y")
    }

    @Test("an alarm cleared during an outage: unconfirmed after a reconnect without sync, cleared by the next sync")
    func alarmClearedDuringOutage() throws {
        let gateway = try Self.scriptedGateway()
        let tmux = try TmuxSession(width: 120, height: 40,
                                   command: "LANG=C.UTF-8 \(CLI.binary) live 127.0.0.1:\(gateway.port) --alarm-log /dev/null")
        func frame(_ t: Double, _ body: Frame.Body) -> String { FrameEncoder().encode(Frame(t: t, body: body)) }
        let session = SessionInfo(id: "GW-1", arms: [])
        let collision = AlarmReport(id: "PSM2.COLLISION", state: .raised, priority: .medium, source: "PSM2",
                                    message: "Instrument collision detected")

        // First connection: the collision is raised, then the connection drops.
        var t = 0.0
        try gateway.accept()
        gateway.send(frame(t, .session(session)) + frame(t, .sync(SyncSnapshot(alarms: []))) + frame(1, .alarm(collision)))
        var screen = gateway.pump(tmux, from: &t) { $0.contains("Instrument collision detected") }
        #expect(screen.contains("Instrument collision detected"), "\(screen)")
        gateway.hangUp()

        // A gateway without sync: the alarm stays listed, marked unconfirmed.
        try gateway.accept()
        t += 30
        gateway.send(frame(t, .session(session)))
        screen = gateway.pump(tmux, from: &t) { $0.contains("unconfirmed since reconnect") }
        // The row keeps the message, its doubt a short tag in the status column; the title's
        // legend says what the tag means.
        let row = screen.split(separator: "\n").first { $0.contains("**  00:00:01") }.map(String.init) ?? ""
        #expect(row.contains("Ins") && (row.contains("UNCONF") || row.contains(" ? ")), "\(screen)")
        #expect(screen.contains("connection reconnected without a syn"), "\(screen)")
        gateway.hangUp()

        // A gateway with sync, the collision no longer active: cleared, and said as a resync.
        try gateway.accept()
        t += 30
        gateway.send(frame(t, .session(session)) + frame(t, .sync(SyncSnapshot(alarms: []))))
        screen = gateway.pump(tmux, from: &t) { $0.contains("resync: PSM2.COLLISION cl") }
        #expect(screen.contains("connection resync: PSM2.COLLISION cl"), "\(screen)")
        #expect(screen.contains("Alarms (0)"), "\(screen)")
        tmux.send("q")
        tmux.send("y")
    }
}

/// A telemetry gateway played by the test: a listening socket that takes one console at a
/// time and writes scripted lines to it.
final class ScriptedGateway {
    let port: Int
    private let listener: Int32
    private var connection: Int32 = -1

    init(port: Int) throws {
        self.port = port
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 4) == 0 else {
            close(listener)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot listen on port \(port)"])
        }
    }

    deinit {
        hangUp()
        close(listener)
    }

    func accept() throws {
        connection = Glibc.accept(listener, nil, nil)
        guard connection >= 0 else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the console did not connect"])
        }
    }

    func send(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Sends an event frame every 0.2 s of session time (so the console sees a live stream)
    /// until the screen satisfies `predicate` or 10 s pass; returns the last screen.
    func pump(_ tmux: TmuxSession, from t: inout Double, until predicate: (String) -> Bool) -> String {
        var screen = ""
        for _ in 0..<50 {
            t += 0.2
            send(FrameEncoder().encode(Frame(t: t, body: .link(LinkSample(up: true, rttMs: 40)))))
            screen = tmux.capture()
            if predicate(screen) { return screen }
            usleep(200_000)
        }
        return screen
    }

    func hangUp() {
        if connection >= 0 { close(connection) }
        connection = -1
    }
}
