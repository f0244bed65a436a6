import Testing
import Simulator
import Telemetry

@Suite("Options")
struct OptionsTests {
    @Test("defaults: seed 1, 100 Hz arms, 10 Hz link, no masters, id from the seed")
    func defaults() throws {
        let options = SimulatorOptions()
        #expect(options.seed == 1)
        #expect(options.armRateHz == 100)
        #expect(options.linkRateHz == 10)
        #expect(options.includeMasters == false)
        #expect(options.sessionID == nil)
        #expect(options.resolvedSessionID == "SIM-0001")
        try options.validate()
    }

    @Test("arm rates from 10 to 1000 Hz are accepted", arguments: [10.0, 100, 250, 500, 1000])
    func acceptedArmRates(rate: Double) throws {
        try SimulatorOptions(armRateHz: rate).validate()
    }

    @Test("an arm rate out of range is refused with a clear message")
    func refusedArmRate() {
        #expect(throws: SimulatorOptionsError(description: "arm rate must be between 10 and 1000 Hz, not 5000")) {
            try SimulatorOptions(armRateHz: 5000).validate()
        }
        #expect(throws: SimulatorOptionsError(description: "arm rate must be between 10 and 1000 Hz, not 2.5")) {
            try SimulatorOptions(armRateHz: 2.5).validate()
        }
        #expect(throws: SimulatorOptionsError.self) { try SimulatorOptions(armRateHz: .nan).validate() }
    }

    @Test("a link rate out of range or an empty session id is refused")
    func refusedLinkRateAndID() {
        #expect(throws: SimulatorOptionsError(description: "link rate must be between 1 and 100 Hz, not 0")) {
            try SimulatorOptions(linkRateHz: 0).validate()
        }
        #expect(throws: SimulatorOptionsError(description: "session id must not be empty")) {
            try SimulatorOptions(sessionID: " ").validate()
        }
    }

    @Test("the simulator itself clamps rates it is given unchecked instead of failing")
    func unvalidatedOptionsStillRun() {
        let frames = simulate(SimulatorOptions(armRateHz: 0, linkRateHz: -3), seconds: 2)
        #expect(frames.arm("PSM1").count == 21)
        #expect(frames.links("primary").count == 3)
    }
}
