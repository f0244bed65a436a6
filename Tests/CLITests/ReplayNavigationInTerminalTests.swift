import Foundation
import Testing

/// The keys that find a moment of a replay, on the real binary in tmux, on a recording whose
/// alarms and events are known: robot alarms raised at 30 s and 80 s, events at 20, 50 and 90 s.
/// Each test first waits for the whole-recording pass (the history lists its entries).
@Suite("Finding a moment of a replay in a real terminal", .serialized)
struct ReplayNavigationInTerminalTests {
    init() {
        #expect(TmuxSession.available, "tmux is needed for these tests (.ci/run installs it)")
    }

    /// 120 s of one arm at 10 Hz, started 2026-11-24 08:00:00 UTC.
    static func recording() throws -> String {
        var lines = [#"{"t":0,"type":"session","v":1,"id":"NAV","started_at":"2026-11-24T08:00:00Z","arms":[{"id":"PSM1","kind":"PSM","joints":[{"name":"yaw","unit":"rad","min":-1,"max":1}]}]}"#]
        for k in 0...1200 {
            let t = Double(k) / 10
            lines.append(#"{"t":\#(t),"type":"arm","arm":"PSM1","state":"ENABLED","position":[0.1]}"#)
            switch k {
            case 200: lines.append(#"{"t":20,"type":"event","kind":"clutch","text":"first clutch"}"#)
            case 300: lines.append(#"{"t":30,"type":"alarm","id":"PSM1.COLLISION","state":"raised","priority":"high","message":"collision with PSM2"}"#)
            case 350: lines.append(#"{"t":35,"type":"alarm","id":"PSM1.COLLISION","state":"cleared"}"#)
            case 500: lines.append(#"{"t":50,"type":"event","kind":"camera","text":"camera moved"}"#)
            case 800: lines.append(#"{"t":80,"type":"alarm","id":"PSM1.FAULT","state":"raised","priority":"medium","message":"motor fault"}"#)
            case 900: lines.append(#"{"t":90,"type":"event","kind":"note","text":"last note"}"#)
            default: break
            }
        }
        let path = CLI.temporaryDirectory().appendingPathComponent("nav.ndjson").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A paused replay of the recording from `from`, once the pass has found every entry.
    static func start(_ path: String, from: String = "0", width: Int = 120, height: Int = 40) throws -> TmuxSession {
        let tmux = try TmuxSession(width: width, height: height,
                                   command: "LANG=C.UTF-8 \(CLI.binary) replay \(path) --from \(from) --speed 0.1 --alarm-log /dev/null")
        tmux.waitFor { $0.contains("REPLAY") }
        tmux.send("Space")
        tmux.waitFor { $0.contains("PAUSED") }
        tmux.send("h")
        let history = tmux.waitFor { $0.contains("History") && $0.contains("last note") && !$0.contains("still reading") }
        #expect(history.contains("PSM1.FAULT"), "the pass found every entry:\n\(history)")
        tmux.send("Escape")
        tmux.waitFor { !$0.contains("History") && clock($0) != nil }
        return tmux
    }

    static func clock(_ screen: String) -> Double? { ConsoleInTerminalTests.sessionClock(screen) }

    /// Waits until the header's clock is within 0.5 s of `t`; returns the screen.
    @discardableResult
    static func waitForClock(_ tmux: TmuxSession, near t: Double) -> String {
        tmux.waitFor { clock($0).map { abs($0 - t) < 0.5 } == true }
    }

    static func quit(_ tmux: TmuxSession) {
        tmux.send("q")
        #expect(tmux.waitFor { $0.contains("EXIT=") }.contains("EXIT=0"))
    }

    @Test("n and N go to the next and previous alarm raise; e and E to events; past the last, the footer says so")
    func markers() throws {
        let tmux = try Self.start(Self.recording(), from: "10")
        tmux.send("n")
        var screen = Self.waitForClock(tmux, near: 30)
        #expect(Self.clock(screen).map { abs($0 - 30) < 0.5 } == true, "n: the alarm at 30 s:\n\(screen)")
        #expect(screen.contains("PSM1.COLLISION"))
        tmux.send("n")
        screen = Self.waitForClock(tmux, near: 80)
        #expect(screen.contains("PSM1.FAULT"))
        tmux.send("n")
        screen = tmux.waitFor { $0.contains("no later alarm raise") }
        #expect(screen.contains("no later alarm raise"), "said in the footer:\n\(screen)")
        tmux.send("N")
        screen = Self.waitForClock(tmux, near: 30)
        #expect(Self.clock(screen).map { abs($0 - 30) < 0.5 } == true, "N: back to 30 s:\n\(screen)")
        tmux.send("e")
        screen = Self.waitForClock(tmux, near: 50)
        #expect(Self.clock(screen).map { abs($0 - 50) < 0.5 } == true, "e: the event at 50 s:\n\(screen)")
        tmux.send("E")
        screen = Self.waitForClock(tmux, near: 20)
        #expect(Self.clock(screen).map { abs($0 - 20) < 0.5 } == true, "E: the event at 20 s:\n\(screen)")
        #expect(screen.contains("PAUSED"), "a jump keeps the replay paused")
        Self.quit(tmux)
    }

    @Test("g goes to 1:15, to 75.5 s and to the recording's clock 08:01:40; a bad time is said in the prompt")
    func goTo() throws {
        let tmux = try Self.start(Self.recording())
        for (typed, t) in [("1:15", 75.0), ("75.5", 75.5), ("08:01:40", 100.0)] {
            tmux.send("g")
            tmux.waitFor { $0.contains("Go to") }
            tmux.send("-l", typed)
            tmux.send("Enter")
            let screen = Self.waitForClock(tmux, near: t)
            #expect(Self.clock(screen).map { abs($0 - t) < 0.5 } == true, "g \(typed):\n\(screen)")
        }
        tmux.send("g")
        tmux.send("-l", "5:00")
        tmux.send("Enter")
        let refused = tmux.waitFor { $0.contains("past the end") }
        #expect(refused.contains("past the end of the recording"), "\(refused)")
        tmux.send("Escape")
        tmux.waitFor { !$0.contains("Go to") }
        Self.quit(tmux)
    }

    @Test(". and , step one frame while paused: the clock moves by one frame's 0.1 s")
    func frameSteps() throws {
        let tmux = try Self.start(Self.recording(), from: "40")
        let start = try #require(Self.clock(tmux.capture()))
        tmux.send(".")
        var screen = tmux.waitFor { Self.clock($0).map { abs($0 - start - 0.1) < 0.01 } == true }
        #expect(Self.clock(screen).map { abs($0 - start - 0.1) < 0.01 } == true, ". one frame on from \(start):\n\(screen)")
        tmux.send(",")
        tmux.send(",")
        screen = tmux.waitFor { Self.clock($0).map { abs($0 - (start - 0.1)) < 0.01 } == true }
        #expect(Self.clock(screen).map { abs($0 - (start - 0.1)) < 0.01 } == true, ", , two frames back:\n\(screen)")
        #expect(screen.contains("PAUSED"))
        Self.quit(tmux)
    }

    @Test("[ and ] loop the replay between two places; Home and End go to the recording's start and end")
    func loopHomeEnd() throws {
        let tmux = try Self.start(Self.recording(), from: "40")
        tmux.send("[")
        tmux.send("g")
        tmux.send("-l", "41")
        tmux.send("Enter")
        Self.waitForClock(tmux, near: 41)
        tmux.send("]")
        tmux.waitFor { $0.contains("looping") }
        tmux.send("+")  // 0.25×
        tmux.send("+")  // 0.5×
        tmux.send("+")  // 1×
        tmux.send("Space")
        // Played past 41 s it comes back to 40 s, again and again.
        var sawLoop = false
        let deadline = Date().addingTimeInterval(8)
        var last = 40.0
        while Date() < deadline && !sawLoop {
            if let t = Self.clock(tmux.capture()) {
                if t < last - 0.5 { sawLoop = true }
                last = t
                #expect(t < 41.6, "never far past the loop's end")
            }
            usleep(100_000)
        }
        #expect(sawLoop, "the replay went back to the loop's start")
        tmux.send("Space")
        tmux.send("End")
        var screen = Self.waitForClock(tmux, near: 120)
        #expect(Self.clock(screen).map { abs($0 - 120) < 0.2 } == true, "End:\n\(screen)")
        tmux.send("Home")
        screen = Self.waitForClock(tmux, near: 0)
        #expect(Self.clock(screen).map { $0 < 0.5 } == true, "Home:\n\(screen)")
        Self.quit(tmux)
    }

    @Test("m keeps a bookmark with its note beside the recording, and the history lists it")
    func bookmark() throws {
        let path = try Self.recording()
        let tmux = try Self.start(path, from: "60")
        tmux.send("m")
        tmux.waitFor { $0.contains("Bookmark at") }
        tmux.send("-l", "watch the wrist")
        tmux.send("Enter")
        tmux.waitFor { $0.contains("saved") }
        tmux.send("h")
        let history = tmux.waitFor { $0.contains("BOOKMARK") }
        #expect(history.contains("watch the wrist"), "\(history)")
        tmux.send("Escape")
        Self.quit(tmux)
        let sidecar = try String(contentsOfFile: path + ".marks.ndjson", encoding: .utf8)
        #expect(sidecar.hasPrefix(#"{"t":60"#) && sidecar.contains(#""note":"watch the wrist","created_at":""#), "\(sidecar)")
    }

    @Test("h lists the recording's alarms and events; / searches and Enter goes there")
    func history() throws {
        let tmux = try Self.start(Self.recording(), width: 100, height: 30)
        tmux.send("h")
        tmux.waitFor { $0.contains("History") }
        tmux.send("/")
        tmux.send("-l", "fault")
        tmux.send("Enter")
        tmux.waitFor { $0.contains("match 1 of 1") }
        tmux.send("Enter")
        let screen = Self.waitForClock(tmux, near: 80)
        #expect(Self.clock(screen).map { abs($0 - 80) < 0.5 } == true, "\(screen)")
        #expect(!screen.contains("History"), "Enter closes it")
        Self.quit(tmux)
    }

    @Test("--from takes 1:30 and the recording's clock, and refuses a time past the end")
    func fromOption() throws {
        let path = try Self.recording()
        let past = try CLI.run(["replay", path, "--from", "2:30", "--headless"])
        #expect(past.status == 2)
        #expect(past.stderr.contains("--from: 2:30 is past the end of the recording"), "\(past.stderr)")
        let bad = try CLI.run(["replay", path, "--from", "soon", "--headless"])
        #expect(bad.status == 2 && bad.stderr.contains("'soon' is not a time"), "\(bad.stderr)")
        let speed = try CLI.run(["replay", path, "--speed", "100", "--headless"])
        #expect(speed.status == 2 && speed.stderr.contains("--speed must be from 0.1 to 64"), "\(speed.stderr)")
        let tmux = try TmuxSession(width: 120, height: 40,
                                   command: "LANG=C.UTF-8 \(CLI.binary) replay \(path) --from 08:01:30 --alarm-log /dev/null")
        let screen = tmux.waitFor { Self.clock($0).map { $0 >= 90 } == true }
        #expect(Self.clock(screen).map { $0 >= 90 && $0 < 95 } == true, "08:01:30 is 90 s in:\n\(screen)")
        Self.quit(tmux)
    }
}
