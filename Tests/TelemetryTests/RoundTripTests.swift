import Testing
@testable import Telemetry

/// SplitMix64: a tiny seeded generator so the property test is reproducible.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}

/// Random frames of every type, with awkward strings and numbers.
struct FrameGenerator {
    var rng: SeededRandom
    let arms: [ArmDescriptor]

    init(seed: UInt64) {
        rng = SeededRandom(state: seed)
        arms = [
            ArmDescriptor(id: "PSM1", kind: .psm, joints: (0..<6).map { JointDescriptor(name: "j\($0)", unit: $0 == 2 ? .m : .rad, min: -1.5, max: 1.5, effortMax: 3.3) }),
            ArmDescriptor(id: "ECM", kind: .ecm, joints: []),
            ArmDescriptor(id: "MTML", kind: .mtm, joints: (0..<7).map { JointDescriptor(name: "m\($0)", unit: .rad) }),
        ]
    }

    mutating func number() -> Double {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: return Double(Int.random(in: -1000...1000, using: &rng))
        case 1: return Double.random(in: -1...1, using: &rng)
        case 2: return Double.random(in: -1e300...1e300, using: &rng)
        case 3: return Double.random(in: -1e-300...1e-300, using: &rng)
        case 4: return Double(bitPattern: UInt64.random(in: 0..<0x7FF0_0000_0000_0000, using: &rng))
        default: return (Double.random(in: 0...200, using: &rng) * 1000).rounded() / 1000
        }
    }

    mutating func text() -> String {
        let pieces = ["a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\u{1}", "\u{1F}", "\u{7F}", "é", "中", "😀", "\u{1B}[31m", "\u{9B}"]
        return (0..<Int.random(in: 0..<12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    mutating func maybe<T>(_ make: (inout FrameGenerator) -> T) -> T? {
        Bool.random(using: &rng) ? make(&self) : nil
    }

    mutating func numbers(_ n: Int) -> [Double] { (0..<n).map { _ in number() } }

    mutating func frame() -> Frame {
        // Session times are limited to ±1e9 s (HostileInputTests); every other number is free.
        let t = min(abs(number()), Frame.timeLimit)
        let seq = maybe { Int.random(in: 0...Int(Int32.max), using: &$0.rng) }
        let body: Frame.Body
        switch Int.random(in: 0..<7, using: &rng) {
        case 5:
            let alarms = (0..<Int.random(in: 0..<4, using: &rng)).map { _ in
                AlarmReport(id: text(), state: .raised, priority: AlarmPriority.allCases.randomElement(using: &rng)!,
                            kind: maybe { [AlarmKind.technical, .physiological].randomElement(using: &$0.rng)! },
                            source: maybe { $0.text() }, message: maybe { $0.text() })
            }
            let instruments = maybe { g in
                (0..<Int.random(in: 0..<3, using: &g.rng)).map { _ in
                    InstrumentSample(arm: g.text(), tool: [.unchanged, .none, .model(g.text())].randomElement(using: &g.rng)!,
                                     state: g.maybe { InstrumentState.allCases.randomElement(using: &$0.rng)! },
                                     usesLeft: g.maybe { Int.random(in: -5...100, using: &$0.rng) },
                                     energy: g.maybe { EnergyMode.allCases.randomElement(using: &$0.rng)! },
                                     energyActive: g.maybe { Bool.random(using: &$0.rng) })
                }
            }
            body = .sync(SyncSnapshot(alarms: alarms, instruments: instruments))
        case 0:
            body = .session(SessionInfo(id: text(), procedure: maybe { $0.text() }, robot: maybe { $0.text() },
                                        surgeonSite: maybe { $0.text() }, patientSite: maybe { $0.text() },
                                        distanceKm: maybe { $0.number() }, startedAt: maybe { $0.text() }, arms: arms))
        case 1:
            var link = LinkSample(path: text(), up: maybe { Bool.random(using: &$0.rng) }, rttMs: maybe { $0.number() },
                                  jitterMs: maybe { $0.number() }, lossPct: maybe { $0.number() },
                                  bandwidthMbps: maybe { $0.number() }, videoFps: maybe { $0.number() },
                                  videoDelayMs: maybe { $0.number() })
            if !link.hasMetric { link.rttMs = 1 }
            body = .link(link)
        case 2:
            let arm = arms.randomElement(using: &rng)!
            let n = arm.joints.count
            body = .arm(ArmSample(arm: arm.id, state: maybe { OperatingState.allCases.randomElement(using: &$0.rng)! },
                                  homed: maybe { Bool.random(using: &$0.rng) }, following: maybe { Bool.random(using: &$0.rng) },
                                  position: maybe { $0.numbers(n) }, velocity: maybe { $0.numbers(n) }, effort: maybe { $0.numbers(n) },
                                  tip: maybe { $0.numbers(3) }, orientation: maybe { $0.numbers(4) }, twist: maybe { $0.numbers(6) },
                                  jaw: maybe { $0.number() }))
        case 3:
            let tool: InstrumentSample.Tool = [.unchanged, .none, .model(text())].randomElement(using: &rng)!
            body = .instrument(InstrumentSample(arm: text(), tool: tool, state: maybe { InstrumentState.allCases.randomElement(using: &$0.rng)! },
                                                usesLeft: maybe { Int.random(in: -5...100, using: &$0.rng) },
                                                energy: maybe { EnergyMode.allCases.randomElement(using: &$0.rng)! },
                                                energyActive: maybe { Bool.random(using: &$0.rng) }))
        case 4:
            let raised = Bool.random(using: &rng)
            body = .alarm(AlarmReport(id: text(), state: raised ? .raised : .cleared,
                                      priority: raised ? AlarmPriority.allCases.randomElement(using: &rng)! : maybe { AlarmPriority.allCases.randomElement(using: &$0.rng)! },
                                      kind: maybe { [AlarmKind.technical, .physiological].randomElement(using: &$0.rng)! },
                                      source: maybe { $0.text() }, message: maybe { $0.text() }))
        default:
            body = .event(EventNote(kind: text(), text: maybe { $0.text() }))
        }
        return Frame(t: t, seq: seq, body: body)
    }
}

@Suite("Encoder")
struct RoundTripTests {
    @Test("decoding what the encoder writes gives back the same frame, for random frames of every type")
    func roundTrip() {
        var generator = FrameGenerator(seed: 20261125)
        var decoder = FrameDecoder()
        let encoder = FrameEncoder()
        // Declare the generator's arms first, so arm frames are valid.
        _ = decoder.decode(line: String(encoder.encode(Frame(t: 0, body: .session(SessionInfo(id: "s", arms: generator.arms)))).dropLast()))
        var typesSeen = Set<FrameType>()
        for _ in 0..<5000 {
            let frame = generator.frame()
            let line = encoder.encode(frame)
            #expect(line.hasSuffix("\n"))
            #expect(!line.dropLast().contains("\n"), "one frame, one line")
            let decoded = decoder.decode(line: String(line.dropLast()))
            #expect(decoded == .frame(frame), "\(line)")
            typesSeen.insert(frame.typeName)
        }
        #expect(typesSeen.count == FrameType.allCases.count)
    }

    @Test("lines are compact: no spaces outside strings")
    func compact() {
        let line = FrameEncoder().encode(Frame(t: 1.5, seq: 3, body: .link(LinkSample(up: true, rttMs: 112.4))))
        #expect(line == #"{"t":1.5,"type":"link","seq":3,"path":"primary","up":true,"rtt_ms":112.4}"# + "\n")
    }
}
