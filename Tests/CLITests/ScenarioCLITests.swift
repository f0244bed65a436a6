import Foundation
import Testing

/// `demo --list`, `demo --scenario`, `sim --scenario` from the command line, as a sales
/// engineer would use them.
@Suite("Scenarios on the command line", .serialized)
struct ScenarioCLITests {
    static let shipped = ["routine", "congestion-failover", "instrument-fault", "link-loss", "long-distance"]

    /// A home of its own, so the user's real scenarios never leak in.
    static func home() -> [String: String] {
        ["HOME": CLI.temporaryDirectory().path, "XDG_CONFIG_HOME": ""]
    }

    @Test("demo --list prints one line per scenario, with its length and source, and exits 0")
    func list() throws {
        let result = try CLI.run(["demo", "--list"], environment: Self.home())
        #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 1 + Self.shipped.count, "\(result.stdout)")
        #expect(lines.first?.hasPrefix("NAME") == true)
        for (line, name) in zip(lines.dropFirst(), Self.shipped) {
            #expect(line.hasPrefix(name + " ") && line.contains("built-in"), "\(line)")
        }
        #expect(lines.contains { $0.hasPrefix("congestion-failover") && $0.contains("3:00") })
    }

    @Test("sim --scenario X --out f records the story to its end, and check finds it clean")
    func recordAndCheck() throws {
        let path = CLI.temporaryDirectory().appendingPathComponent("routine.ndjson").path
        let sim = try CLI.run(["sim", "--scenario", "routine", "--out", path, "--rate", "20"], environment: Self.home())
        #expect(sim.status == 0 && sim.stderr.isEmpty, "\(sim.stderr)")
        let check = try CLI.run(["check", path])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("OK: no errors"))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("{\"t\":0,\"type\":\"session\""))
        #expect(text.contains("\"id\":\"SIM-0001-routine\"") && text.contains("\"surgeon_site\":\"Paris\""))
        #expect(text.contains("\"kind\":\"caption\",\"text\":\"Routine case:"))
        // It ends with the story, at 2:30.
        let last = try #require(text.split(separator: "\n").last)
        #expect(last.hasPrefix("{\"t\":150,"), "\(last)")
        // --duration cuts it shorter.
        let short = CLI.temporaryDirectory().appendingPathComponent("short.ndjson").path
        #expect(try CLI.run(["sim", "--scenario", "routine", "--out", short, "--duration", "5"], environment: Self.home()).status == 0)
        let shortLast = try #require(try String(contentsOfFile: short, encoding: .utf8).split(separator: "\n").last)
        #expect(shortLast.hasPrefix("{\"t\":5,"), "\(shortLast)")
    }

    @Test("a bad scenario exits 2 with its file, line and problem, as a bad --layout does")
    func badScenario() throws {
        let dir = CLI.temporaryDirectory()
        let bad = dir.appendingPathComponent("bad.yaml")
        try "title: Bad\ndescription: x\nduration: 9999\n".write(to: bad, atomically: true, encoding: .utf8)
        for arguments in [["demo", "--scenario", bad.path, "--headless"],
                          ["demo", "--scenario", bad.path, "--snapshot", "80x24"],
                          ["sim", "--scenario", bad.path, "--out", dir.appendingPathComponent("x.ndjson").path]] {
            let result = try CLI.run(arguments, environment: Self.home(), timeout: 30)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr == "surgtop: \(bad.path):3:11: duration must be from 0:10 to 60:00, not 166:39\n")
            #expect(result.stdout.isEmpty)
        }
        let unknown = try CLI.run(["demo", "--scenario", "nosuch", "--headless"], environment: Self.home(), timeout: 30)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.hasPrefix("surgtop: nosuch: no such scenario (scenarios: routine, "), "\(unknown.stderr)")
        let masters = try CLI.run(["sim", "--scenario", "routine", "--masters", "--out", "/dev/null"], environment: Self.home())
        #expect(masters.status == 2 && masters.stderr.contains("--masters does not go with --scenario"), "\(masters.stderr)")
        let noDuration = try CLI.run(["sim", "--out", "/dev/null"], environment: Self.home())
        #expect(noDuration.status == 2 && noDuration.stderr.contains("--out needs --duration"), "\(noDuration.stderr)")
    }

    @Test("the demo no longer opens in alarm: its first scenario is the routine case, quiet from the first second")
    func opensQuiet() throws {
        // Issue 12: New York–Strasbourg held two low round-trip alarms from the first second.
        for at in ["1", "30", "120"] {
            let result = try CLI.run(["demo", "--snapshot", "120x40", "--at", at, "--layout", "technician"],
                                     environment: Self.home())
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("Paris → Madrid"), "\(result.stdout)")
            #expect(result.stdout.contains("No active alarms") && !result.stdout.contains("ALARM"), "at \(at):\n\(result.stdout)")
        }
    }

    @Test("a snapshot of the tour shows the scenario playing at --at, with its sites")
    func tourSnapshot() throws {
        // 2:30 of routine, then congestion-failover: 3:20 into the tour is 0:50 into it.
        let result = try CLI.run(["demo", "--snapshot", "160x50", "--at", "200", "--layout", "technician"],
                                 environment: Self.home(), timeout: 120)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("SIM-0001-congestion-failover") && result.stdout.contains("Paris → Rome"), "\(result.stdout)")
        #expect(result.stdout.contains("LINK.primary.LOSS") && result.stdout.contains("LINK.primary.RTT"), "\(result.stdout)")
    }

    @Test("a snapshot inside link-loss's outage shows telemetry lost since it began, as the demo would")
    func snapshotInOutage() throws {
        let result = try CLI.run(["demo", "--scenario", "link-loss", "--snapshot", "120x30", "--at", "45", "--layout", "technician"],
                                 environment: Self.home())
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("*** 00:00:36 no telemetry for 10.0 s"), "\(result.stdout)")
        #expect(result.stdout.contains("*** 00:00:35 no network path up"), "\(result.stdout)")
    }

    @Test("a user's scenario joins the tour and --list, and one with a shipped name replaces it")
    func userScenario() throws {
        let config = CLI.temporaryDirectory()
        let dir = config.appendingPathComponent("surgtop/scenarios")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let mine = """
            title: Ours
            description: Our hospital's link.
            duration: 30
            session: {procedure: Test, robot: Test robot, surgeon_site: Lille, patient_site: Nice, distance_km: 830}
            arms: [PSM1, ECM]
            instruments: {PSM1: LARGE_NEEDLE_DRIVER}
            timeline:
              - at: 0
                caption: Ours

            """
        try mine.write(to: dir.appendingPathComponent("routine.yaml"), atomically: true, encoding: .utf8)
        try mine.write(to: dir.appendingPathComponent("ours.yaml"), atomically: true, encoding: .utf8)
        let environment = ["XDG_CONFIG_HOME": config.path]
        let list = try CLI.run(["demo", "--list"], environment: environment)
        #expect(list.stdout.contains("ours ") && list.stdout.contains("(overrides built-in)"), "\(list.stdout)")
        let snapshot = try CLI.run(["demo", "--scenario", "routine", "--snapshot", "120x40", "--at", "2"], environment: environment)
        #expect(snapshot.status == 0 && snapshot.stdout.contains("Lille → Nice"), "\(snapshot.stdout)\(snapshot.stderr)")
    }

    @Test("demo --list with --scenario is refused (exit 2) rather than listing everything and ignoring it")
    func listWithScenario() throws {
        let result = try CLI.run(["demo", "--list", "--scenario", "nosuch"], environment: Self.home())
        #expect(result.status == 2 && result.stdout.isEmpty, "\(result.stdout)")
        #expect(result.stderr == "surgtop: --list lists every scenario; it does not go with --scenario\n", "\(result.stderr)")
    }

    @Test("a recording of link-loss has its outage as one sequence gap, which check reports and does not fail on")
    func outageIsASeqGap() throws {
        let path = CLI.temporaryDirectory().appendingPathComponent("link-loss.ndjson").path
        let sim = try CLI.run(["sim", "--scenario", "link-loss", "--out", path, "--rate", "20"], environment: Self.home())
        #expect(sim.status == 0, "\(sim.stderr)")
        // Lost frames are a gap in seq (spec), not damage: exit 0, as for any gap upstream.
        let check = try CLI.run(["check", path, "--json"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("\"sequence_gaps\":1,"), "\(check.stdout)")
    }

    @Test("a snapshot of the tour's second round names the session with its round, as the live tour does")
    func secondRoundSnapshot() throws {
        // The tour lasts 13:00; 13:10 is 0:10 into routine's second round.
        let result = try CLI.run(["demo", "--snapshot", "160x50", "--at", "790"], environment: Self.home(), timeout: 120)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("SIM-0001-routine-2 "), "\(result.stdout)")
    }
}
