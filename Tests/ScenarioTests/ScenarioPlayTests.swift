import Console
import Simulator
import Telemetry
import Testing
import YAMLFiles

@Suite("Playing a scenario")
struct ScenarioPlayTests {
    static func frames(_ scenario: Scenario, seed: UInt64, through t: Double) -> [Frame] {
        var simulator = SessionSimulator(options: SimulatorOptions(seed: seed, armRateHz: 50, scenario: scenario))
        return simulator.frames(through: t)
    }

    @Test("the same seed gives the same bytes; another seed another background, the same story")
    func deterministic() throws {
        let scenario = try StoryRun.shipped("instrument-fault")
        let encoder = FrameEncoder()
        let first = Self.frames(scenario, seed: 3, through: 60).map(encoder.encode)
        let second = Self.frames(scenario, seed: 3, through: 60).map(encoder.encode)
        #expect(first.count > 10_000 && first == second)
        let other = Self.frames(scenario, seed: 4, through: 60)
        #expect(other.map(encoder.encode) != first)
        let captions = { (frames: [Frame]) in frames.compactMap { frame -> Double? in
            if case .event(let note) = frame.body, note.kind == "caption" { return frame.t }
            return nil
        } }
        #expect(captions(other) == captions(Self.frames(scenario, seed: 3, through: 60)))
    }

    @Test("the session frame carries the scenario's sites, distance and arms; captions are caption events")
    func sessionAndCaptions() throws {
        let scenario = try StoryRun.shipped("long-distance")
        let frames = Self.frames(scenario, seed: 1, through: 10)
        guard case .session(let info) = frames.first?.body else { Issue.record("no session frame first"); return }
        #expect(info.id == "SIM-0001-long-distance")
        #expect(info.surgeonSite == "New York" && info.patientSite == "Strasbourg" && info.distanceKm == 6200)
        #expect(info.arms.map(\.id) == ["PSM1", "PSM2", "PSM3", "ECM"])
        let captions = frames.compactMap { frame -> (Double, String)? in
            if case .event(let note) = frame.body, note.kind == "caption" { return (frame.t, note.text ?? "") }
            return nil
        }
        #expect(captions.map(\.0) == [0, 8])
        #expect(captions.first?.1.hasPrefix("Transatlantic") == true)
        // Its floor: 6,200 km of fibre and equipment, about 111 ms; measured just over it.
        let rtts = frames.compactMap { frame -> Double? in
            if case .link(let sample) = frame.body, sample.path == "primary" { return sample.rttMs }
            return nil
        }
        #expect(!rtts.isEmpty && rtts.allSatisfy { (105...160).contains($0) }, "\(rtts.min() ?? 0)…\(rtts.max() ?? 0)")
    }

    @Test("a tour plays every scenario in turn, looping, each a new session id")
    func tour() throws {
        let scenarios = [try StoryRun.shipped("routine"), try StoryRun.shipped("link-loss")]
        var tour = SessionTour(options: SimulatorOptions(seed: 2), scenarios: scenarios)
        let ids = (0..<5).map { _ in tour.next().session.id }
        #expect(ids == ["SIM-0002-routine", "SIM-0002-link-loss", "SIM-0002-routine-2", "SIM-0002-link-loss-2",
                        "SIM-0002-routine-3"])
        let position = try #require(tour.position(at: 150 + 40))
        #expect(position.scenario.name == "link-loss" && position.t == 40)
        #expect(tour.position(at: 300 + 10)?.scenario.name == "routine")
    }
}
