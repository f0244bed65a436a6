import NIOCore
import NIOPosix
import Simulator
import Telemetry
import Testing
import TelemetrySources

/// Scenarios played in real time: the demo's tour (`SimulatorSource`) and `sim --serve
/// --scenario` (`SimulationServer`) move on to a new session when a story is told.
@Suite("Scenario sessions in real time")
struct ScenarioSessionsTests {
    /// A one-second story, so the loop comes round quickly.
    static func brief(_ name: String) -> Scenario {
        Scenario(name: name, title: name, description: "A second of \(name).", duration: 1, procedure: "Test",
                 robot: "Test robot", surgeonSite: "A", patientSite: "B", distanceKm: 100, arms: ["PSM1", "ECM"],
                 instruments: ["PSM1": "LARGE_NEEDLE_DRIVER"], steps: [ScenarioStep(time: 0, caption: "\(name) begins")])
    }

    /// The sessions in a stream, in order: each one's id and the times of its frames.
    static func sessions(_ frames: [Frame]) -> [(id: String, times: [Double])] {
        var out: [(id: String, times: [Double])] = []
        for frame in frames {
            if case .session(let info) = frame.body { out.append((info.id, [])) }
            if !out.isEmpty { out[out.count - 1].times.append(frame.t) }
        }
        return out
    }

    @Test("the demo's tour plays each scenario in turn, each a new session from t = 0 to its end")
    func tour() async throws {
        let events = TCPTest.Events()
        let source = SimulatorSource(options: SimulatorOptions(seed: 3, armRateHz: 20),
                                     tour: [Self.brief("one"), Self.brief("two")])
        #expect(source.label == "scenario tour, seed 3, arms at 20 Hz")
        source.start(sink: events.sink)
        defer { source.stop() }
        try await TCPTest.eventually("three sessions") { Self.sessions(events.frames).count >= 3 }
        let sessions = Self.sessions(events.frames)
        #expect(sessions.prefix(3).map(\.id) == ["SIM-0003-one", "SIM-0003-two", "SIM-0003-one-2"])
        for session in sessions.prefix(2) {
            #expect(session.times.first == 0 && session.times.allSatisfy { $0 <= 1 }, "\(session.id): \(session.times.max() ?? 0)")
            #expect((session.times.max() ?? 0) >= 0.9, "\(session.id) plays to its end")
        }
    }

    @Test("sim --serve with a scenario sends every client the next session when a round ends")
    func served() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { TCPTest.release(group) }
        let server = SimulationServer(address: ListenAddress(port: 0),
                                      options: SimulatorOptions(seed: 5, armRateHz: 20, scenario: Self.brief("loop")),
                                      scenarios: [Self.brief("loop")])
        defer { server.stop() }
        try server.start()
        let port = try #require(server.boundPort)
        let client = try await TCPTest.Peer.connect(port: port, group: group)
        try await TCPTest.eventually("a second session") { Self.sessions(client.frames).count >= 3 }
        let sessions = Self.sessions(client.frames)
        #expect(sessions.map(\.id).prefix(3) == ["SIM-0005-loop", "SIM-0005-loop-2", "SIM-0005-loop-3"])
        for session in sessions.dropFirst().prefix(2) {
            #expect(session.times.first == 0 && session.times.allSatisfy { $0 <= 1 }, "\(session.id)")
        }
        await client.close()
    }
}
