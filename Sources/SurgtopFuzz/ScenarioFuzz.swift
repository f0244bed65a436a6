import Console
import Simulator
import YAMLFiles

extension SettingsFuzz {
    /// The bytes read as a scenario file (`~/.config/surgtop/scenarios/NAME.yaml`); one that
    /// parses is played for its first seconds and around each of its steps, at a low rate.
    static func runScenario(_ text: String) {
        let scenario: Scenario
        do throws(FileProblem) {
            scenario = try ScenarioFile.parse(text, file: "fuzz.yaml", name: "fuzz")
        } catch {
            _ = error.description
            return
        }
        var simulator = SessionSimulator(options: SimulatorOptions(seed: 1, armRateHz: 10, linkRateHz: 1, scenario: scenario))
        // Bounded work per input: the steps come within the first 60 s of session time or not at all.
        _ = simulator.frames(through: min(scenario.duration, 60))
    }
}
