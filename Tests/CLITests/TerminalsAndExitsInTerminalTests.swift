import Foundation
import Testing

/// Which terminals get the full console, what the others are told, and exits seen from a real
/// terminal (tmux): bare `surgtop`, a bad `--layout`, an empty replay.
@Suite("Terminals and exits, in a terminal", .serialized)
struct TerminalsAndExitsInTerminalTests {
    init() {
        #expect(TmuxSession.available, "tmux is needed for these tests (.ci/run installs it)")
    }

    /// The console's screen: the header's mode badge and a panel box, and no headless fallback.
    func isConsole(_ screen: String) -> Bool {
        screen.contains("DEMO") && screen.contains("Link") && !screen.contains("frames/s=") && !screen.contains("running headless")
    }

    @Test("xterm-256color, screen, tmux-256color, linux and vt100 all get the full console, not the fallback")
    func commonTerminalsGetTheConsole() throws {
        for term in ["xterm-256color", "screen", "tmux-256color", "linux", "vt100"] {
            let tmux = try TmuxSession(width: 100, height: 30, command: "LANG=C.UTF-8 TERM=\(term) \(CLI.binary) demo")
            let screen = tmux.waitFor { isConsole($0) }
            #expect(isConsole(screen), "TERM=\(term):\n\(screen)")
            tmux.send("q")
            #expect(tmux.waitFor { $0.contains("EXIT=") }.contains("EXIT=0"), "TERM=\(term)")
        }
    }

    @Test("a generic terminfo entry (as TERM=unknown) and a hardcopy one are named as such, not as missing")
    func genericAndHardcopyEntries() throws {
        let dir = CLI.temporaryDirectory()
        let source = dir.appendingPathComponent("entries.src").path
        try "fxgeneric|a generic type,\n\tgn, cols#80,\nfxhardcopy|a printer,\n\thc, cols#80,\n".write(toFile: source, atomically: true, encoding: .utf8)
        let tic = Process()
        tic.executableURL = URL(fileURLWithPath: "/usr/bin/tic")
        tic.arguments = ["-o", dir.path, source]
        try tic.run()
        tic.waitUntilExit()
        #expect(tic.terminationStatus == 0)
        for (term, sentence) in [("fxgeneric", "TERM=fxgeneric names a generic terminal type"),
                                 ("fxhardcopy", "TERM=fxhardcopy names a hardcopy terminal"),
                                 ("no-such-terminal", "there is no terminfo entry for TERM=no-such-terminal")] {
            let tmux = try TmuxSession(width: 200, height: 30,
                                       command: "TERMINFO=\(dir.path) LANG=C.UTF-8 TERM=\(term) \(CLI.binary) demo")
            let screen = tmux.waitFor { $0.contains("frames/s=") }
            let text = screen.replacingOccurrences(of: "\n", with: "")
            #expect(text.contains(sentence) && text.contains("running headless instead"), "\(term):\n\(screen)")
            tmux.send("C-c")
            #expect(tmux.waitFor { $0.contains("EXIT=") }.contains("EXIT=0"))
        }
    }

    @Test("bare surgtop opens the demo console; --headless and the demo's options before nothing still work")
    func bareSurgtopAndDemoOptions() throws {
        let bare = try TmuxSession(width: 100, height: 30, command: "LANG=C.UTF-8 TERM=xterm-256color \(CLI.binary)")
        #expect(isConsole(bare.waitFor { isConsole($0) }))
        bare.send("q")
        #expect(bare.waitFor { $0.contains("EXIT=") }.contains("EXIT=0"))

        let seeded = try TmuxSession(width: 100, height: 30, command: "LANG=C.UTF-8 TERM=xterm-256color \(CLI.binary) --seed 3")
        #expect(isConsole(seeded.waitFor { isConsole($0) }))
        seeded.send("q")
        #expect(seeded.waitFor { $0.contains("EXIT=") }.contains("EXIT=0"))

        let headless = try TmuxSession(width: 160, height: 30, command: "LANG=C.UTF-8 TERM=xterm-256color \(CLI.binary) --headless")
        let lines = headless.waitFor { $0.contains("frames/s=") }
        #expect(lines.contains("connected  t=0:00:0"), "\(lines)")
        headless.send("C-c")
        #expect(headless.waitFor { $0.contains("EXIT=") }.contains("EXIT=0"))
    }

    @Test("--layout naming no layout stops the console's start too: one sentence, exit 2")
    func unknownLayoutInConsole() throws {
        let tmux = try TmuxSession(width: 120, height: 30,
                                   command: "LANG=C.UTF-8 TERM=xterm-256color HOME=\(CLI.temporaryDirectory().path) XDG_CONFIG_HOME= \(CLI.binary) demo --layout nosuch")
        let screen = tmux.waitFor { $0.contains("EXIT=") }
        #expect(screen.contains("EXIT=2"), "\(screen)")
        let said = screen.split(separator: "\n").filter { $0.hasPrefix("surgtop: ") }
        #expect(said.count == 1 && said[0].contains("nosuch"), "\(screen)")
        #expect(!screen.contains("Link"), "no console was drawn:\n\(screen)")
    }

    @Test("an empty replay says 'no session frame' on screen as soon as it has ended, and exits 1 after q")
    func emptyReplayInConsole() throws {
        let path = CLI.temporaryDirectory().appendingPathComponent("empty.ndjson").path
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        let tmux = try TmuxSession(width: 120, height: 30, command: "LANG=C.UTF-8 TERM=xterm-256color \(CLI.binary) replay \(path)")
        let screen = tmux.waitFor { $0.contains("no session frame in this recording") }
        #expect(screen.contains("no session frame in this recording: nothing to replay"), "\(screen)")
        #expect(!screen.contains("waiting for the session frame"), "\(screen)")
        tmux.send("q")
        let after = tmux.waitFor { $0.contains("EXIT=") }
        #expect(after.contains("EXIT=1"), "\(after)")
        #expect(after.replacingOccurrences(of: "\n", with: "").contains("no session frame, so there was nothing to replay"), "\(after)")
    }
}
