import Telemetry

/// EndoWrist-style instrument models a PSM can carry, and the energy each delivers.
struct ToolModel: Sendable, Equatable {
    var name: String
    var energy: EnergyMode

    static let catalog: [ToolModel] = [
        ToolModel(name: "LARGE_NEEDLE_DRIVER", energy: .none),
        ToolModel(name: "MARYLAND_BIPOLAR_FORCEPS", energy: .bipolar),
        ToolModel(name: "MONOPOLAR_CURVED_SCISSORS", energy: .monopolar),
        ToolModel(name: "PROGRASP_FORCEPS", energy: .none),
        ToolModel(name: "CADIERE_FORCEPS", energy: .none),
    ]
}

/// The instrument on one PSM, as the robot reports it.
struct MountedInstrument: Sendable, Equatable {
    var tool: ToolModel?
    var state: InstrumentState
    var usesLeft: Int?
    var energyActive = false

    func sample(arm: String) -> InstrumentSample {
        InstrumentSample(arm: arm, tool: tool.map { .model($0.name) } ?? .none, state: state,
                         usesLeft: usesLeft, energy: tool?.energy ?? EnergyMode.none, energyActive: energyActive)
    }
}

/// The instruments on the back table: each model's remaining uses. Limited-life instruments
/// lose one use each time one is engaged; a spent one is replaced by a new one from stock.
struct InstrumentStock: Sendable {
    /// Uses of a new instrument (da Vinci Si EndoWrist instruments have about 10 lives).
    static let newInstrumentUses = 10
    private(set) var usesLeft: [Int]

    init(rng: inout Xoshiro256) {
        usesLeft = ToolModel.catalog.map { _ in 3 + rng.index(8) }
    }

    func uses(of model: Int) -> Int {
        usesLeft[model] > 0 ? usesLeft[model] : Self.newInstrumentUses
    }

    /// Takes the mounted `model` out of use (a faulty one goes for service): the next one
    /// mounted is new.
    mutating func discard(_ model: Int) {
        usesLeft[model] = 0
    }

    /// Counts one use of `model` and returns what is left on it.
    mutating func consume(_ model: Int) -> Int {
        let left = uses(of: model) - 1
        usesLeft[model] = left
        return left
    }
}

/// The stages of an instrument exchange, in ms from its start: the arm withdraws the
/// instrument (out at 2.5 s), the bedside assistant fits the new one (inserted), the robot turns
/// its discs until they catch (engaging, as the dVRK's tool engage procedure does) and it is
/// engaged. The free-running script draws each stage's length at random (2.5 s, then 3-8 s,
/// 1-2 s and 1.5-2.5 s: 8-15 s in all); a scenario uses the middle of each range, 11.5 s, so
/// its captions can be timed to the stages. These are the simulator's own figures, not measured.
public enum InstrumentExchange {
    public static let removedAfterMs = 2500
    public static let insertedAfterMs = 8000
    public static let engagingAfterMs = 9500
    public static let engagedAfterMs = 11_500

    /// Seconds from the start of a scenario's exchange to the new instrument engaged.
    public static var scenarioSeconds: Double { Double(engagedAfterMs) / 1000 }
}
