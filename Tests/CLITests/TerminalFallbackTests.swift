import Foundation
import Testing

/// Terminals the full-screen console cannot use well, in a real terminal (tmux).
@Suite("Dumb and small terminals", .serialized)
struct TerminalFallbackTests {
    init() {
        #expect(TmuxSession.available, "tmux is needed for these tests (.ci/run installs it)")
    }

    @Test("TERM=dumb says in one sentence that it cannot draw the console and runs headless; Ctrl-C ends it with 0")
    func dumbTerminalRunsHeadless() throws {
        let tmux = try TmuxSession(width: 120, height: 30, command: "LANG=C.UTF-8 TERM=dumb \(CLI.binary) demo")
        let screen = tmux.waitFor { $0.contains("frames/s=") && $0.contains("alarms:") }
        #expect(screen.contains("surgtop: the terminal TERM=dumb cannot move the cursor"), "\(screen)")
        #expect(screen.replacingOccurrences(of: "\n", with: "").contains("running headless instead"))
        #expect(screen.contains("connected  t=0:00:0"), "status lines, not a blank screen:\n\(screen)")
        tmux.send("C-c")
        let after = tmux.waitFor { $0.contains("EXIT=") }
        #expect(after.contains("EXIT=0"), "\(after)")
    }

    @Test("TERM unset or unknown to terminfo: the same, naming the problem")
    func unknownTerminalRunsHeadless() throws {
        for (setting, sentence) in [("unset TERM;", "TERM is not set"),
                                    ("export TERM=no-such-terminal;", "no terminfo entry for TERM=no-such-terminal")] {
            let tmux = try TmuxSession(width: 120, height: 30, command: "\(setting) LANG=C.UTF-8 \(CLI.binary) demo")
            let screen = tmux.waitFor { $0.contains("frames/s=") }
            let text = screen.replacingOccurrences(of: "\n", with: "")  // the sentence wraps at 120 columns
            #expect(text.contains(sentence) && text.contains("running headless instead"), "\(screen)")
            tmux.send("C-c")
            #expect(tmux.waitFor { $0.contains("EXIT=") }.contains("EXIT=0"))
        }
    }

    @Test("below 80×24 the top line keeps the mode, state, clock and the highest alarm with its marker above the size message")
    func smallTerminalShowsAlarm() throws {
        let tmux = try TmuxSession(width: 60, height: 12,
                                   command: "LANG=C.UTF-8 TERM=xterm-256color \(CLI.binary) demo --scenario long-distance")
        // The transatlantic scenario's round trips raise low alarms (*) a second in.
        let screen = tmux.waitFor { $0.contains("too small") && $0.contains("* LINK.") }
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first?.hasPrefix("* LINK.") == true, "\(screen)")
        #expect(lines.first?.contains("DEMO simulating t 00:00:0") == true, "\(screen)")
        #expect(lines.dropFirst().contains { $0.contains("terminal too small: need at least 80×24, have 60×12") }, "\(screen)")
        tmux.resize(width: 25, height: 3)
        let tiny = tmux.waitFor { $0.hasPrefix("* LINK.") && $0.contains("too small") }
        #expect(tiny.hasPrefix("* LINK."), "the alarm first when the line is narrow:\n\(tiny)")
        tmux.send("q")
        #expect(tmux.waitFor { $0.contains("EXIT=") }.contains("EXIT=0"))
    }

    @Test("in ASCII (LANG=C) the footer's < and > step a replay, and alarm text reads >=")
    func asciiReplayKeys() throws {
        let path = CLI.temporaryDirectory().appendingPathComponent("sim.ndjson").path
        #expect(try CLI.run(["sim", "--out", path, "--duration", "30", "--rate", "10"]).status == 0)
        let tmux = try TmuxSession(width: 120, height: 40,
                                   command: "LANG=C LC_ALL=C TERM=xterm-256color \(CLI.binary) replay \(path) --from 20 --layout trainer")
        let start = tmux.waitFor { $0.contains("</>") && $0.contains("round trip") }
        #expect(start.contains("</>"), "the footer offers < and > for the arrows:\n\(start)")
        #expect(start.contains("ms >= 1"), "\(start)")
        tmux.send("Space")
        let paused = tmux.waitFor { $0.contains("PAUSED") && Self.position(in: $0) != nil }
        let at = try #require(Self.position(in: paused))
        tmux.send("<", "<")
        let back = tmux.waitFor { Self.position(in: $0).map { abs($0 - (at - 10)) < 0.15 } == true }
        #expect(Self.position(in: back).map { abs($0 - (at - 10)) < 0.15 } == true, "two < go back 10 s from \(at):\n\(back)")
        tmux.send(">")
        let forward = tmux.waitFor { Self.position(in: $0).map { abs($0 - (at - 5)) < 0.15 } == true }
        #expect(Self.position(in: forward).map { abs($0 - (at - 5)) < 0.15 } == true, "> goes forward 5 s:\n\(forward)")
        tmux.send("q")
        #expect(tmux.waitFor { $0.contains("EXIT=") }.contains("EXIT=0"))
    }

    /// The session clock in the header ("t 00:00:12.8"), in seconds.
    static func position(in screen: String) -> Double? {
        guard let range = screen.range(of: #"t \d\d:\d\d:\d\d\.\d"#, options: .regularExpression) else { return nil }
        let parts = screen[range].dropFirst(2).split(separator: ":").compactMap { Double($0) }
        guard parts.count == 3 else { return nil }
        return parts[0] * 3600 + parts[1] * 60 + parts[2]
    }
}
