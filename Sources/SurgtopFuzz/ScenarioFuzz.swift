import Console
import Simulator
import YAMLFiles

extension SettingsFuzz {
    /// The bytes read as a scenario file (`~/.config/surgtop/scenarios/NAME.yaml`); one that
    /// parses is played for its first 20 s and for 15 s around each of its first 16 steps, at a low rate.
    static func runScenario(_ text: String) {
        let scenario: Scenario
        do throws(FileProblem) {
            scenario = try ScenarioFile.parse(text, file: "fuzz.yaml", name: "fuzz")
        } catch {
            _ = error.description
            return
        }
        play(scenario, seconds: 20)
        // Bounded work per input: a window around each of the first steps, each played from a
        // copy of the timeline that starts a few seconds before it (earlier steps left out).
        for step in scenario.steps.prefix(windowSteps) where step.time > 15 {
            var window = scenario
            let start = step.time - 5
            window.steps = scenario.steps.filter { $0.time >= start }.map { later in
                var shifted = later
                shifted.time = later.time - start
                return shifted
            }
            window.duration = scenario.duration - start
            play(window, seconds: 15)
        }
    }

    /// Steps a fuzzed scenario is played around.
    static let windowSteps = 16

    private static func play(_ scenario: Scenario, seconds: Double) {
        var simulator = SessionSimulator(options: SimulatorOptions(seed: 1, armRateHz: 10, linkRateHz: 1, scenario: scenario))
        _ = simulator.frames(through: min(scenario.duration, seconds))
    }
}
