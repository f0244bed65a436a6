import Console
import Simulator
import Telemetry
import Testing
import YAMLFiles

/// What a scenario may not do to the wire or to the story: readings out of their range,
/// frames over the spec's line limit, instruments changed on top of each other, an outage
/// that leaves no trace in `seq`.
@Suite("Scenario limits")
struct ScenarioLimitsTests {
    static func frames(_ scenario: Scenario, seed: UInt64 = 1, through t: Double) -> [Frame] {
        var simulator = SessionSimulator(options: SimulatorOptions(seed: seed, armRateHz: 20, scenario: scenario))
        return simulator.frames(through: t)
    }

    static func links(_ frames: [Frame]) -> [LinkSample] {
        frames.compactMap { if case .link(let sample) = $0.body { sample } else { nil } }
    }

    @Test("a total congestion on a lossy path reports at most 100 % loss, and no negative rate or bandwidth")
    func readingsStayInRange() throws {
        let scenario = try parse(scenarioYAML(steps: """
              - at: 0
                caption: Start
                do:
                  - congestion: {path: all, rtt_ms: 5000, over_s: 0, loss_pct: 100}
            """, network: "network: {primary: lossy, backup: lossy}\n"))
        let samples = Self.links(Self.frames(scenario, through: 60)).filter { $0.up == true }
        #expect(samples.count > 1000)
        let loss = samples.compactMap(\.lossPct)
        // 100 % × (0.8…1.2) went up to 119 % before.
        #expect(loss.allSatisfy { (0...100).contains($0) }, "\(loss.max() ?? 0)")
        #expect(loss.contains(100), "a total congestion loses everything: \(loss.max() ?? 0)")
        #expect(samples.allSatisfy { ($0.videoFps ?? 0) >= 0 && ($0.bandwidthMbps ?? 0) >= 0 && ($0.jitterMs ?? 0) >= 0 })
    }

    @Test("a caption of one character with 40,000 combining marks is refused, naming its bytes")
    func combiningMarks() throws {
        let heavy = "a" + String(repeating: "\u{301}", count: 40_000)
        #expect(heavy.count == 1)
        let caption = try #require(problem(scenarioYAML(steps: "  - at: 0\n    caption: \"\(heavy)\"\n")))
        #expect(caption.description.contains("test.yaml:15:14:") && caption.description.contains("caption is 80001 bytes of UTF-8"),
                "\(caption)")
        // A session field too: an oversized session frame would be skipped, and the session never known.
        let site = try #require(problem(scenarioYAML().replacingOccurrences(of: "surgeon_site: Paris",
                                                                            with: "surgeon_site: \"\(heavy)\"")))
        #expect(site.description.contains("surgeon_site is 80001 bytes"), "\(site)")
    }

    @Test("the largest texts a scenario allows still make frames far under the 64 KiB line")
    func largestFrames() throws {
        // Each text at its limit in characters, each character 4 bytes (the most one code point takes).
        let wide = { (n: Int) in String(repeating: "\u{1F600}", count: n) }
        var yaml = scenarioYAML(steps: """
              - at: 0
                caption: "\(wide(ScenarioFile.captionLimit))"
                do:
                  - note: "\(wide(200))"
                  - alarm: {id: PSM1.X, priority: high, message: "\(wide(200))"}
            """)
        for field in ["procedure: Cholecystectomy", "robot: Test robot", "surgeon_site: Paris", "patient_site: Madrid"] {
            let key = field.prefix { $0 != ":" }
            yaml = yaml.replacingOccurrences(of: field, with: "\(key): \"\(wide(80))\"")
        }
        yaml = yaml.replacingOccurrences(of: "title: Test", with: "title: \"\(wide(80))\"")
        let scenario = try parse(yaml)
        let encoder = FrameEncoder()
        let longest = Self.frames(scenario, through: 2).map { encoder.encode($0).utf8.count }.max() ?? 0
        #expect(longest > 800 && longest < 8192, "\(longest) bytes")
    }

    @Test("an instrument change or fault on a PSM whose change is still under way is refused, with its line")
    func overlappingChanges() throws {
        let twoChanges = try #require(problem(scenarioYAML(steps: """
              - at: 0
                do:
                  - instrument_change: {arm: PSM1, to: PROGRASP_FORCEPS}
              - at: 4
                do:
                  - instrument_change: {arm: PSM1, to: CADIERE_FORCEPS}
            """)))
        #expect(twoChanges.description.contains("test.yaml:17:9:") && twoChanges.description.contains(
            "instrument_change on PSM1 at 0:04 comes while the instrument change at 0:00 is under way "
                + "(no instrument engaged until 0:11.5)"), "\(twoChanges)")
        // The review's case: a fault at 0:06, while there is no instrument at all on the arm.
        let fault = try #require(problem(scenarioYAML(steps: """
              - at: 0
                do:
                  - instrument_change: {arm: PSM1, to: PROGRASP_FORCEPS}
              - at: 6
                do:
                  - instrument_fault: PSM1
            """)))
        #expect(fault.description.contains("test.yaml:17:9:") && fault.description.contains("instrument_fault on PSM1 at 0:06"),
                "\(fault)")
        let twice = try #require(problem(scenarioYAML(steps: """
              - at: 0
                do:
                  - instrument_fault: PSM2
              - at: 5
                do:
                  - instrument_fault: PSM2
            """)))
        #expect(twice.description.contains("already reports FAULT (since 0:00); change it first"), "\(twice)")
        // Once engaged, or on another PSM, both are fine: a fault, its replacement, a later fault.
        let fine = try parse(scenarioYAML(steps: """
              - at: 0
                do:
                  - instrument_change: {arm: PSM1, to: PROGRASP_FORCEPS}
                  - instrument_fault: PSM2
              - at: 11.5
                do:
                  - instrument_fault: PSM1
                  - instrument_change: {arm: PSM2, to: CADIERE_FORCEPS}
              - at: 23
                do:
                  - instrument_change: {arm: PSM1, to: CADIERE_FORCEPS}
                  - instrument_fault: PSM2
            """))
        #expect(fine.steps.count == 3)
    }

    @Test("instrument-fault: each stage of the replacement happens under the caption that names it, whatever the seed",
          arguments: [1, 7, 42, 1234] as [UInt64])
    func replacementUnderItsCaptions(seed: UInt64) throws {
        let scenario = try StoryRun.shipped("instrument-fault")
        let frames = Self.frames(scenario, seed: seed, through: 70)
        var firstState: [InstrumentState: Double] = [:]
        var uses: [InstrumentState: Int] = [:]
        var captions: [(t: Double, text: String)] = []
        for frame in frames {
            switch frame.body {
            case .instrument(let sample) where sample.arm == "PSM2" && frame.t > 40:
                guard let state = sample.state else { break }
                if firstState[state] == nil { firstState[state] = frame.t }
                if uses[state] == nil { uses[state] = sample.usesLeft }
            case .event(let note) where note.kind == "caption":
                captions.append((frame.t, note.text ?? ""))
            default:
                break
            }
        }
        // The caption on screen at t: the last one sent by then.
        let shown = { (t: Double) in captions.last { $0.t <= t }?.text ?? "" }
        let out = try #require(firstState[InstrumentState.none]), inserted = try #require(firstState[.inserted])
        let engaging = try #require(firstState[.engaging]), engaged = try #require(firstState[.engaged])
        #expect(shown(out).contains("goes to NONE"), "out at \(out): \(shown(out))")
        #expect(shown(inserted).contains("INSERTED") && shown(engaging).contains("ENGAGING"),
                "inserted \(inserted), engaging \(engaging)")
        #expect(shown(engaged).hasPrefix("Engaged: PSM2 follows"), "engaged at \(engaged): \(shown(engaged))")
        #expect(captions.contains { $0.t == engaged && $0.text.hasPrefix("Engaged") }, "the caption comes with ENGAGED")
        // The replacement is a new forceps: its own full count, one use taken when it engages.
        #expect(uses[.inserted] == 10 && uses[.engaged] == 9, "\(uses)")
    }

    @Test("telemetry lost leaves a seq gap as large as the frames the gateway would have sent")
    func outageSeqGap() throws {
        let scenario = try StoryRun.shipped("link-loss")
        let frames = Self.frames(scenario, through: 60)
        let jumps = zip(frames, frames.dropFirst()).filter { $1.seq! != $0.seq! + 1 }
        #expect(jumps.count == 1)
        let (before, after) = try #require(jumps.first)
        #expect(before.t <= 35.05 && after.t >= 55, "\(before.t) → \(after.t)")
        // 20 s of four arms at 20 Hz and two paths at 10 Hz, at least.
        let missing = after.seq! - before.seq! - 1
        #expect(missing >= 20 * (4 * 20 + 2 * 10) && missing < 20 * (4 * 20 + 2 * 10 + 20), "\(missing)")
    }

    @Test("numbers are decimal: a hexadecimal round trip is refused")
    func hexadecimal() throws {
        let hex = try #require(problem(scenarioYAML(steps: """
              - at: 0
                do:
                  - congestion: {path: primary, rtt_ms: 0x100, over_s: 5, loss_pct: 1}
            """)))
        #expect(hex.description.contains("rtt_ms must be a number"), "\(hex)")
        let decimal = try parse(scenarioYAML(steps: """
              - at: 0
                do:
                  - congestion: {path: primary, rtt_ms: 2.5e2, over_s: 5, loss_pct: 1}
            """))
        #expect(decimal.steps[0].actions == [.congestion(path: .primary, rttMs: 250, seconds: 5, lossPct: 1)])
    }

    @Test("a snapshot's later round names the session as the live tour does, with the round's suffix")
    func laterRoundSessionID() throws {
        let scenarios = [try StoryRun.shipped("routine"), try StoryRun.shipped("link-loss")]
        var tour = SessionTour(options: SimulatorOptions(seed: 2), scenarios: scenarios)
        let live = (0..<4).map { _ in tour.next().session.id }
        for (i, at) in [10.0, 160, 310, 460].enumerated() {
            let position = try #require(tour.position(at: at))
            #expect(SessionSimulator(options: position.options).session.id == live[i], "at \(at)")
        }
    }
}
