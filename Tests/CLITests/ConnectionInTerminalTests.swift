import Foundation
import Testing

/// The live console facing gateways that misbehave, in a real terminal and from the command
/// line: a gateway that connects and then sends nothing is dropped and redialled after
/// `telemetry.reconnect_after_s` (it used to stay "connected · NO DATA" for ever), and a console
/// that cannot connect says why.
@Suite("Connections in a real terminal", .serialized)
struct ConnectionInTerminalTests {
    init() {
        #expect(TmuxSession.available, "tmux is needed for these tests (.ci/run installs it)")
    }

    /// Alarm settings with one deadline of 2 s and the other far longer, so the short one is
    /// the one at work: `handshake_s` before the first frame, `reconnect_after_s` after it.
    static func settings(handshake: Int, reconnectAfter: Int) throws -> String {
        let path = CLI.temporaryDirectory().appendingPathComponent("alarms.yaml").path
        try "telemetry:\n  reconnect_after_s: \(reconnectAfter)\n  handshake_s: \(handshake)\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func console(_ gateway: SilentGateway, handshake: Int = 60, reconnectAfter: Int = 2) throws -> TmuxSession {
        try TmuxSession(width: 160, height: 45, command: "LANG=C.UTF-8 \(CLI.binary) live 127.0.0.1:\(gateway.port) "
            + "--alarms \(try settings(handshake: handshake, reconnectAfter: reconnectAfter)) --alarm-log /dev/null")
    }

    /// "connection 14:03:22 connected to …": a connection event, with its wall-clock time.
    static func listed(_ screen: String, _ text: String) -> Bool {
        screen.range(of: #"connection \d\d:\d\d:\d\d "# + NSRegularExpression.escapedPattern(for: text),
                     options: .regularExpression) != nil
    }

    @Test("a gateway that accepts and sends nothing: TELEMETRY.LOST, then dropped after handshake_s, redialled, listed in Events")
    func acceptsAndSendsNothing() throws {
        let gateway = try SilentGateway()
        defer { gateway.stop() }
        let tmux = try Self.console(gateway, handshake: 2, reconnectAfter: 60)
        let peer = "127.0.0.1:\(gateway.port)"
        // Connected, and TELEMETRY.LOST raised while nothing comes.
        let connected = tmux.waitFor { $0.contains("connected to \(peer)") && $0.contains("TELEMETRY.LOST") }
        #expect(connected.contains("connected to \(peer)") && connected.contains("TELEMETRY.LOST"), "\(connected)")
        #expect(Self.listed(connected, "connected to \(peer)"), "the connect is an event:\n\(connected)")
        // Dropped and redialled, with the backoff growing: the header says why while it waits.
        let dropped = tmux.waitFor(timeout: 20) { $0.contains("reconnecting for") }
        #expect(dropped.contains("sent no valid frame within 2 s of connecting"), "\(dropped)")
        #expect(Self.listed(dropped, "dropped \(peer)"), "\(dropped)")
        let again = tmux.waitFor(timeout: 20) { Self.listed($0, "reconnected to \(peer)") }
        #expect(Self.listed(again, "reconnected to \(peer)"), "\(again)")
        #expect(gateway.acceptedCount >= 2, "dialled again")
        #expect(!again.contains("EXIT="), "the console goes on")
    }

    @Test("a gateway that sends its session frame and then nothing: dropped after reconnect_after_s, the outage counted from its last frame")
    func sessionThenNothing() throws {
        let session = #"{"t":0,"type":"session","v":1,"id":"HUNG-1","procedure":"Silent gateway","arms":[]}"# + "\n"
            + #"{"t":0.1,"type":"link","path":"primary","up":true,"rtt_ms":117,"loss_pct":0,"video_fps":60}"# + "\n"
        let gateway = try SilentGateway(greeting: session)
        defer { gateway.stop() }
        let tmux = try Self.console(gateway)
        let peer = "127.0.0.1:\(gateway.port)"
        let first = tmux.waitFor { $0.contains("HUNG-1") && $0.contains("NO DATA") }
        #expect(first.contains("HUNG-1") && first.contains("connected to \(peer)"), "\(first)")
        let dropped = tmux.waitFor(timeout: 20) { $0.contains("reconnecting for") }
        #expect(dropped.contains("sent no valid frame for 2"), "the silence as measured, 2 s or a little more: \(dropped)")
        // The outage dates from the last frame, 2 s before the drop, not from the drop.
        let seconds = Self.reconnectingFor(dropped)
        #expect(seconds.map { $0 >= 2 } == true, "\(dropped)")
        #expect(Self.listed(dropped, "dropped \(peer)"), "\(dropped)")
        #expect(Self.listed(tmux.waitFor(timeout: 20) { Self.listed($0, "reconnected to \(peer)") }, "reconnected to \(peer)"))
        #expect(gateway.acceptedCount >= 2)
    }

    /// "reconnecting for 2.3 s" in the header, in seconds.
    static func reconnectingFor(_ screen: String) -> Double? {
        guard let range = screen.range(of: #"reconnecting for \d+(\.\d)? s"#, options: .regularExpression) else { return nil }
        return Double(screen[range].dropFirst("reconnecting for ".count).dropLast(2))
    }

    @Test("the header says why it cannot connect: an unknown host, a refused port; each listed as an event")
    func connectFailureInHeader() throws {
        let closed = try SilentGateway()
        let refusedPort = closed.port
        closed.stop()  // nothing listens there now
        for (target, reason) in [("no.such.host.invalid:7000", "cannot resolve no.such.host.invalid"),
                                 ("127.0.0.1:\(refusedPort)", "connection refused")] {
            // Wait for the text, however long the resolver takes on a loaded machine.
            let tmux = try TmuxSession(width: 160, height: 40,
                                       command: "LANG=C.UTF-8 \(CLI.binary) live \(target) --alarm-log /dev/null")
            let screen = tmux.waitFor(timeout: 40) { $0.contains(": \(reason)") && $0.contains("cannot connect to") }
            let header = screen.split(separator: "\n").prefix(3).joined(separator: "\n")
            #expect(header.contains(": \(reason)") && header.contains("connecting (attempt"), "\(screen)")
            // (The Events panel cuts the line at its width, after the wall-clock time.)
            let host = target.split(separator: ":")[0]
            #expect(Self.listed(screen, "cannot connect to \(host.prefix(8))"), "\(screen)")
        }
        // Headless: the status line says it too.
        let out = CLI.temporaryDirectory().appendingPathComponent("status.txt").path
        _ = system("timeout -s INT 2.5 \(CLI.binary) live 127.0.0.1:\(refusedPort) --headless --alarm-log /dev/null </dev/null >\(out) 2>/dev/null")
        let status = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        #expect(status.contains(": connection refused  t="), "\(status)")
    }
}
