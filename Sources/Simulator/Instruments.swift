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

    /// Counts one use of `model` and returns what is left on it.
    mutating func consume(_ model: Int) -> Int {
        let left = uses(of: model) - 1
        usesLeft[model] = left
        return left
    }
}
