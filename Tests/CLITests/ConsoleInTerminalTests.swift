import Foundation
import Testing

/// The console as a person sees it, in tmux. `.ci/run` installs tmux; these run in CI.
@Suite("The console in a real terminal", .serialized)
struct ConsoleInTerminalTests {
    static var demo: String { "LANG=C.UTF-8 TERM=xterm-256color \(CLI.binary) demo" }

    init() {
        #expect(TmuxSession.available, "tmux is needed for these tests (.ci/run installs it)")
    }

    @Test("the demo starts full screen, marked DEMO, and the technician layout shows every panel")
    func demoShowsEveryPanel() throws {
        let tmux = try TmuxSession(width: 120, height: 40, command: Self.demo + " --layout technician")
        let titles = ["Link", "Arms", "Instruments", "Alarms", "Events"]
        // Everything awaited before it is checked: a capture can land while the screen is half drawn.
        let screen = tmux.waitFor { screen in
            screen.contains("PSM1") && screen.contains("primary") && screen.contains("quit") && titles.allSatisfy(screen.contains)
        }
        for title in titles {
            #expect(screen.contains(title), "panel \(title) on screen:\n\(screen)")
        }
        #expect(screen.contains("DEMO"))
        #expect(screen.contains("quit"), "the footer lists the keys")
        #expect(screen.contains("┌") || screen.contains("╔"), "Unicode box drawing under a UTF-8 locale")
    }

    @Test("a resize to 80×24 gives the compact layout at once, and a tiny terminal shows the size needed")
    func resize() throws {
        let tmux = try TmuxSession(width: 120, height: 40, command: Self.demo)
        tmux.waitFor { $0.contains("PSM1") }
        tmux.resize(width: 80, height: 24)
        // The demo layout has no Events panel; compact, its fallback below 100×30, has one.
        let compact = tmux.waitFor { $0.contains("Events") && $0.contains("Link") && $0.contains("Arms") }
        #expect(compact.contains("Events") && compact.contains("Instruments"), "\(compact)")
        #expect(compact.split(separator: "\n").allSatisfy { $0.count <= 80 })
        tmux.resize(width: 40, height: 10)
        let tiny = tmux.waitFor { $0.contains("too small") }
        #expect(tiny.contains("too small"))
        #expect(tiny.contains("80×24") || tiny.contains("80x24"))
    }

    @Test("? shows the help with every key, Escape closes it, q exits 0 and restores the terminal")
    func helpAndQuit() throws {
        let tmux = try TmuxSession(width: 120, height: 40, command: Self.demo)
        tmux.waitFor { $0.contains("PSM1") }
        tmux.send("?")
        // Wait for the whole overlay: a capture can land while the screen is half drawn.
        let help = tmux.waitFor { $0.contains("next layout") && $0.contains("focus the next panel") }
        #expect(help.contains("next layout"))
        #expect(help.contains("focus the next panel"))
        tmux.send("Escape")
        let closed = tmux.waitFor { !$0.contains("next layout") }
        #expect(!closed.contains("next layout"))
        tmux.send("q")
        let after = tmux.waitFor { $0.contains("EXIT=") }
        #expect(after.contains("EXIT=0"))
        #expect(!after.contains("PSM1"), "the alternate screen is gone after quitting:\n\(after)")
    }

    @Test("live mode is marked LIVE, and q asks to confirm with y")
    func liveQuitConfirms() throws {
        let port = 17_000 + Int.random(in: 0..<2000)
        // Started through the shell like tmux itself (mixing Foundation's Process and system()
        // children confuses the reaping of both).
        let pidFile = CLI.temporaryDirectory().appendingPathComponent("server.pid").path
        _ = system("\(CLI.binary) sim --serve \(port) </dev/null >/dev/null 2>&1 & echo $! > \(pidFile)")
        defer { _ = system("kill $(cat \(pidFile)) 2>/dev/null") }
        let tmux = try TmuxSession(width: 120, height: 40, command: "LANG=C.UTF-8 \(CLI.binary) live 127.0.0.1:\(port)")
        let screen = tmux.waitFor { $0.contains("LIVE") && $0.contains("PSM1") }
        #expect(screen.contains("LIVE"))
        #expect(!screen.contains("DEMO"))
        tmux.send("q")
        let confirm = tmux.waitFor { $0.contains("Quit") || $0.contains("quit?") || $0.contains("y /") }
        #expect(!confirm.contains("EXIT="), "q alone does not leave a live session")
        tmux.send("y")
        #expect(tmux.waitFor { $0.contains("EXIT=") }.contains("EXIT=0"))
    }

    @Test("live - takes telemetry from a pipe and keys from the terminal: a full console, not headless")
    func liveFromPipeStillHasKeys() throws {
        let recording = CLI.temporaryDirectory().appendingPathComponent("piped.ndjson").path
        _ = system("\(CLI.binary) sim --out \(recording) --duration 5 --rate 50 </dev/null >/dev/null 2>&1")
        // The producer keeps the pipe open, as a gateway would (process substitution, so the
        // shell reports surgtop's exit without waiting for the producer).
        let tmux = try TmuxSession(width: 120, height: 40, command: "bash -c 'LANG=C.UTF-8 \(CLI.binary) live - --alarm-log /dev/null < <(cat \(recording); sleep 60)'")
        let screen = tmux.waitFor { $0.contains("LIVE") && $0.contains("PSM1") && $0.contains("Arms") }
        #expect(screen.contains("standard input"), "the header names the source:\n\(screen)")
        #expect(screen.contains("Link") && screen.contains("Instruments"), "panels, not status lines:\n\(screen)")
        tmux.send("?")
        #expect(tmux.waitFor { $0.contains("next layout") }.contains("next layout"), "keys reach the console")
        tmux.send("Escape")
        tmux.waitFor { !$0.contains("next layout") }
        tmux.send("q")
        tmux.waitFor { $0.contains("Quit") }
        tmux.send("y")
        #expect(tmux.waitFor { $0.contains("EXIT=") }.contains("EXIT=0"))
    }

    @Test("a trainer pauses a replay and steps back: three ← go back 15 s, to the frame")
    func replayStepsBack() throws {
        let recording = CLI.temporaryDirectory().appendingPathComponent("steps.ndjson").path
        _ = system("\(CLI.binary) sim --out \(recording) --duration 120 --rate 50 </dev/null >/dev/null 2>&1")
        let tmux = try TmuxSession(width: 120, height: 40,
                                   command: "LANG=C.UTF-8 \(CLI.binary) replay \(recording) --from 60 --alarm-log /dev/null")
        tmux.waitFor { $0.contains("t 00:01:0") }
        tmux.send("Space")
        let paused = tmux.waitFor { $0.contains("PAUSED") }
        let clock = try #require(Self.sessionClock(paused), "the header shows the session clock:\n\(paused)")
        tmux.send("Left")
        tmux.send("Left")
        tmux.send("Left")
        let target = clock - 15
        let after = tmux.waitFor { screen in Self.sessionClock(screen).map { abs($0 - target) < 0.15 } == true }
        #expect(Self.sessionClock(after).map { abs($0 - target) < 0.15 } == true, "from \(clock) to \(target):\n\(after)")
        #expect(after.contains("PAUSED"), "still paused after the seek")
        tmux.send("q")
        #expect(tmux.waitFor { $0.contains("EXIT=") }.contains("EXIT=0"))
    }

    /// The session clock in the header ("t 00:01:02.5"), in seconds.
    static func sessionClock(_ screen: String) -> Double? {
        guard let range = screen.range(of: #"t \d\d:\d\d:\d\d\.\d"#, options: .regularExpression) else { return nil }
        let parts = screen[range].dropFirst(2).split(separator: ":").compactMap { Double($0) }
        guard parts.count == 3 else { return nil }
        return parts[0] * 3600 + parts[1] * 60 + parts[2]
    }

    @Test("TERM=vt100 with NO_COLOR, and LANG=C, still give a usable screen")
    func monochromeAndASCII() throws {
        let tmux = try TmuxSession(width: 100, height: 30, command: "LANG=C LC_ALL=C TERM=vt100 NO_COLOR=1 \(CLI.binary) demo")
        let screen = tmux.waitFor { $0.contains("PSM1") && $0.contains("DEMO") && $0.contains("+-") }
        #expect(screen.contains("PSM1"))
        #expect(screen.contains("DEMO"))
        #expect(screen.contains("+-"), "ASCII boxes when the locale is not UTF-8:\n\(screen)")
        #expect(!screen.contains("┌"))
        tmux.send("q")
        #expect(tmux.waitFor { $0.contains("EXIT=") }.contains("EXIT=0"))
    }
}
