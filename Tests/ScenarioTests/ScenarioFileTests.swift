import Console
import Foundation
import Simulator
import Telemetry
import Testing
import YAMLFiles

/// A small valid scenario, with `steps` as its timeline and `extra` lines added at the top.
func scenarioYAML(steps: String = "  - at: 0\n    caption: Start\n", extra: String = "",
                  network: String = "network: {primary: steady, backup: {character: steady, extra_rtt_ms: 10}}\n") -> String {
    """
    title: Test
    description: A test scenario.
    duration: 2:00
    session:
      procedure: Cholecystectomy
      robot: Test robot
      surgeon_site: Paris
      patient_site: Madrid
      distance_km: 1050
    \(network)arms: [PSM1, PSM2, ECM]
    instruments: {PSM1: LARGE_NEEDLE_DRIVER, PSM2: CADIERE_FORCEPS}
    \(extra)timeline:
    \(steps)
    """
}

func parse(_ yaml: String) throws(FileProblem) -> Scenario {
    try ScenarioFile.parse(yaml, file: "test.yaml", name: "test")
}

func problem(_ yaml: String) -> FileProblem? {
    do {
        _ = try parse(yaml)
        return nil
    } catch {
        return error
    }
}

@Suite("Scenario files")
struct ScenarioFileTests {
    @Test("a valid file reads as its sites, distance, arms, instruments and timeline")
    func valid() throws {
        let scenario = try parse(scenarioYAML(steps: """
              - at: 0
                caption: Start
              - at: 1:30.5
                caption: Later
                do:
                  - congestion: {path: primary, rtt_ms: 250, over_s: 10, loss_pct: 2}
                  - instrument_change: {arm: PSM2, to: PROGRASP_FORCEPS}
                  - clear_alarm: PSM2.TOOL_FAULT
            """))
        #expect(scenario.duration == 120)
        #expect(scenario.surgeonSite == "Paris" && scenario.distanceKm == 1050)
        #expect(scenario.arms == ["PSM1", "PSM2", "ECM"])
        #expect(scenario.instruments == ["PSM1": "LARGE_NEEDLE_DRIVER", "PSM2": "CADIERE_FORCEPS"])
        #expect(scenario.steps.map(\.time) == [0, 90.5])
        #expect(scenario.steps[1].actions == [
            .congestion(path: .primary, rttMs: 250, seconds: 10, lossPct: 2),
            .instrumentChange(arm: "PSM2", to: "PROGRASP_FORCEPS"),
            .alarmClear(id: "PSM2.TOOL_FAULT", message: nil),
        ])
        // 1,050 km: 34 ms of equipment and 1.3 × 10.5 ms of fibre.
        #expect(abs(scenario.baseRttMs - 47.65) < 0.001)
    }

    @Test("an unknown key names the file, the line and the keys that are known")
    func unknownKey() throws {
        let found = try #require(problem(scenarioYAML(extra: "colour: blue\n")))
        #expect(found.file == "test.yaml" && found.line == 13)
        #expect(found.problem.contains("unknown key 'colour'"))
        #expect(found.problem.contains("title, description, duration, session, network, arms, instruments, timeline"))
        #expect(found.description.hasPrefix("test.yaml:13:1: unknown key 'colour'"))

        let action = try #require(problem(scenarioYAML(steps: "  - at: 5\n    do:\n      - explode: now\n")))
        #expect(action.line == 16 && action.problem.contains("unknown key 'explode'") && action.problem.contains("clutch"))
    }

    @Test("numbers out of range are refused with their bounds: times, ms, %, km")
    func bounds() throws {
        let far = try #require(problem(scenarioYAML().replacingOccurrences(of: "distance_km: 1050", with: "distance_km: 30000")))
        #expect(far.line == 9 && far.problem == "distance_km must be from 0 to 20040, not 30000")
        let late = try #require(problem(scenarioYAML(steps: "  - at: 2:30\n    caption: Too late\n")))
        #expect(late.problem == "at must be from 0:00 to 2:00, not 2:30")
        let loss = try #require(problem(scenarioYAML(steps: """
              - at: 5
                do:
                  - congestion: {path: primary, rtt_ms: 250, over_s: 10, loss_pct: 150}
            """)))
        #expect(loss.problem == "loss_pct must be from 0 to 100, not 150" && loss.line == 16)
        let rtt = try #require(problem(scenarioYAML(steps: """
              - at: 5
                do:
                  - congestion: {path: primary, rtt_ms: 1e12, over_s: 10, loss_pct: 1}
            """)))
        #expect(rtt.problem.hasPrefix("rtt_ms must be from 1 to 5000"))
        for written in ["1:75", "0x10", "-5", "1:5", "1e2"] {
            let clock = try #require(problem(scenarioYAML(steps: "  - at: \(written)\n")), "\(written)")
            #expect(clock.problem == "at must be seconds (95) or minutes:seconds (1:35), not '\(written)'")
        }
        let long = try #require(problem(scenarioYAML().replacingOccurrences(of: "duration: 2:00", with: "duration: nan")))
        #expect(long.problem.contains("duration must be seconds"))
    }

    @Test("a caption sooner than 5 s after the previous one is refused: it could not be read")
    func captionSpacing() throws {
        let found = try #require(problem(scenarioYAML(steps: """
              - at: 0:10
                caption: First
              - at: 0:13
                caption: Second
            """)))
        #expect(found.line == 16)
        #expect(found.problem == "caption at 0:13 comes 3 s after the one at 0:10; leave at least 5 s to read it")
        // Steps without a caption may come as close as they like.
        #expect(problem(scenarioYAML(steps: """
              - at: 0:10
                caption: First
              - at: 0:11
                do: [{clutch: 2}]
              - at: 0:15
                caption: Second
            """)) == nil)
    }

    @Test("captions and messages are sanitised: no escape sequence reaches a screen or a recording")
    func sanitised() throws {
        let scenario = try parse(scenarioYAML(steps: """
              - at: 0
                caption: "Look \\e[2Jhere\\u202E"
                do:
                  - alarm: {id: ROBOT.TEST, priority: low, message: "bad \\e]52;c;AAAA\\u0007text"}
            """))
        #expect(scenario.steps[0].caption == "Look here")
        #expect(scenario.steps[0].actions == [.alarmRaise(id: "ROBOT.TEST", priority: .low, message: "bad text")])
        let long = try #require(problem(scenarioYAML(steps: "  - at: 0\n    caption: \(String(repeating: "x", count: 200))\n")))
        #expect(long.problem == "caption is 200 characters long; at most 160")
    }

    @Test("the timeline is checked as a story: order, outages, arms, paths")
    func storyChecks() throws {
        let order = try #require(problem(scenarioYAML(steps: "  - at: 20\n  - at: 10\n")))
        #expect(order.problem == "step at 0:10 comes before the step at 0:20; keep the timeline in time order")
        let silent = try #require(problem(scenarioYAML(steps: """
              - at: 10
                do: [{telemetry_lost: 20}]
              - at: 15
                caption: Nobody sees this
            """)))
        #expect(silent.problem.contains("falls while telemetry is lost (0:10 to 0:30)"))
        let arm = try #require(problem(scenarioYAML(steps: "  - at: 5\n    do: [{instrument_fault: PSM3}]\n")))
        #expect(arm.problem == "instrument_fault must be a PSM listed in arms (PSM1, PSM2), not 'PSM3'")
        let noBackup = try #require(problem(scenarioYAML(steps: "  - at: 5\n    do: [{failover: backup}]\n",
                                                         network: "network: {primary: typical}\n")))
        #expect(noBackup.problem.contains("network has no backup"))
        let missing = try #require(problem(scenarioYAML().replacingOccurrences(of: ", PSM2: CADIERE_FORCEPS", with: "")))
        #expect(missing.problem.contains("instruments has none for PSM2"))
        let tool = try #require(problem(scenarioYAML().replacingOccurrences(of: "CADIERE_FORCEPS", with: "SPOON")))
        #expect(tool.problem.hasPrefix("unknown instrument 'SPOON'"))
    }

    @Test("bad YAML and hostile shapes are refused with a line, never a crash")
    func hostile() throws {
        let broken = try #require(problem("title: [unclosed\n"))
        #expect(broken.line != nil && broken.problem.hasPrefix("invalid YAML"))
        let deep = try #require(problem(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)))
        #expect(deep.problem.contains("nested more than 64 levels"))
        let alias = try #require(problem("title: &a x\ndescription: *a\n"))
        #expect(alias.problem.contains("aliases"))
        #expect(problem("")?.problem == "the scenario file is empty")
    }
}

@Suite("Scenario files, mutated")
struct ScenarioMutationTests {
    @Test("a thousand byte-level mutations of the shipped files never crash the parser or the simulator")
    func mutations() {
        // xorshift: the same mutations every run.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return Int(state % 1_000_000)
        }
        let pieces: [[UInt8]] = [Array("9999999999".utf8), Array("-1".utf8), Array(":".utf8), Array("\n  - ".utf8),
                                 Array("[".utf8), Array("1e308".utf8), Array("nan".utf8), [0x1B], Array("0:00".utf8)]
        var parsed = 0
        for k in 0..<1000 {
            var bytes = Array(ShippedScenarios.files[k % ShippedScenarios.files.count].yaml.utf8)
            for _ in 0..<(1 + next() % 4) {
                let at = next() % bytes.count
                switch next() % 3 {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(contentsOf: pieces[next() % pieces.count], at: at)
                default: bytes[at] = UInt8(next() % 128)
                }
            }
            guard let text = String(validating: bytes, as: UTF8.self),
                  let scenario = try? ScenarioFile.parse(text, file: "mutant.yaml", name: "mutant") else { continue }
            parsed += 1
            var simulator = SessionSimulator(options: SimulatorOptions(seed: 1, armRateHz: 10, linkRateHz: 1, scenario: scenario))
            _ = simulator.frames(through: min(scenario.duration, 5))
        }
        #expect(parsed > 100, "some mutants still parse and are played: \(parsed)")
    }
}
