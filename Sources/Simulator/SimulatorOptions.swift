/// What to simulate. `validate()` says in one sentence what is wrong; `SessionSimulator`
/// itself clamps rates into range, so it never divides by zero whatever it is given.
public struct SimulatorOptions: Sendable, Equatable {
    /// Arm frame rates a dVRK-like gateway plausibly sends (its control loops run at 1–1.5 kHz).
    public static let armRateRange: ClosedRange<Double> = 10...1000
    /// Link frame rates: the spec's 1–10 Hz, with room for a busy gateway.
    public static let linkRateRange: ClosedRange<Double> = 1...100

    /// Same seed and options, same session, frame for frame.
    public var seed: UInt64
    /// Frames per second per arm.
    public var armRateHz: Double
    /// Frames per second per network path (one `primary` and one `backup` frame per tick).
    public var linkRateHz: Double
    /// Adds the surgeon-side masters MTML and MTMR (7 joints each, gripper as `jaw`).
    public var includeMasters: Bool
    /// The session id; by default derived from the seed, e.g. "SIM-0001".
    public var sessionID: String?
    /// The scenario to play (its arms, sites, network and timeline) instead of the free-running
    /// script; `includeMasters` is then the scenario's to decide.
    public var scenario: Scenario?

    public init(seed: UInt64 = 1, armRateHz: Double = 100, linkRateHz: Double = 10, includeMasters: Bool = false,
                sessionID: String? = nil, scenario: Scenario? = nil) {
        self.seed = seed
        self.armRateHz = armRateHz
        self.linkRateHz = linkRateHz
        self.includeMasters = includeMasters
        self.sessionID = sessionID
        self.scenario = scenario
    }

    /// The session id that will be used: `sessionID`, or "SIM-" and the seed in at least four
    /// digits, then the scenario's name when one is played ("SIM-0001-routine").
    public var resolvedSessionID: String {
        if let sessionID { return sessionID }
        let digits = String(seed)
        let id = "SIM-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        return scenario.map { id + "-" + $0.name } ?? id
    }

    public func validate() throws(SimulatorOptionsError) {
        guard Self.armRateRange.contains(armRateHz) else {
            throw SimulatorOptionsError(description:
                "arm rate must be between 10 and 1000 Hz, not \(Self.format(armRateHz))")
        }
        guard Self.linkRateRange.contains(linkRateHz) else {
            throw SimulatorOptionsError(description:
                "link rate must be between 1 and 100 Hz, not \(Self.format(linkRateHz))")
        }
        if let sessionID, sessionID.allSatisfy({ $0 == " " || $0 == "\t" }) {
            throw SimulatorOptionsError(description: "session id must not be empty")
        }
    }

    /// 5000 rather than 5000.0 in messages.
    private static func format(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(.towardZero), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return String(describing: value)
    }
}

/// Why options were refused, as one sentence for a person.
public struct SimulatorOptionsError: Error, CustomStringConvertible, Equatable {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}
