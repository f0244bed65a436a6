import SessionCore
import Telemetry
import TelemetrySources
import Testing
import View
@testable import Console

/// What happens to a live connection is told to the person watching: why it cannot connect
/// (in the header and the status line), and every connect, drop, reconnection and refused
/// second gateway as a `connection` entry of the Events panel.
@Suite("Connection events and connect failures")
struct ConnectionEventsTests {
    func connectionEntries(_ driver: SessionDriver) -> [String] {
        driver.state.events.filter { $0.kind == SessionState.connectionEventKind }.compactMap(\.text)
    }

    func header(_ model: inout ConsoleModel, now: Double, width: Int = 160) -> String {
        var buffer = CellBuffer(width: width, height: 40)
        model.frame(now: now, wallClock: "12:00:00", playback: nil).render(into: &buffer, state: &model.view)
        return buffer.lines.prefix(3).joined(separator: "\n")
    }

    @Test("the header and the status line say why connecting fails: an unknown host, a refused port")
    func failureReasonShown() {
        for reason in ["cannot resolve no.such.host.invalid", "connection refused"] {
            var model = ConsoleModel(mode: .live, label: "no.such.host.invalid:7000", catalog: LayoutCatalog(userDirectory: nil),
                                     layoutRequest: nil)
            model.driver.handle([.state(.connecting(attempt: 1)),
                                 .connection(.cannotConnect(target: "no.such.host.invalid:7000", reason: reason)),
                                 .state(.connecting(attempt: 5))], arrival: 100)
            let top = header(&model, now: 100)
            #expect(top.contains("connecting (attempt 5): \(reason)"), "\(top)")
            #expect(StatusLine.render(driver: model.driver, now: 100).hasPrefix("connecting (attempt 5): \(reason)  t="))
            // Once connected the reason is gone.
            model.driver.handle([.state(.connected(peer: "10.0.0.1:7000")),
                                 .connection(.connected(peer: "10.0.0.1:7000", afterOutage: nil))], arrival: 101)
            #expect(model.driver.connectFailure == nil)
            #expect(!header(&model, now: 101).contains(reason))
        }
    }

    @Test("connect, failures, drops, reconnections and refused gateways are listed as kind connection; a repeated failure once")
    func eventsListed() {
        var driver = SessionDriver(mode: .live)
        driver.wallClock = { "14:03:22" }
        let target = "gw.or3:7000"
        var events: [SourceEvent] = [.state(.connecting(attempt: 1))]
        for _ in 0..<4 { events.append(.connection(.cannotConnect(target: target, reason: "connection refused"))) }
        events += [
            .connection(.cannotConnect(target: target, reason: "connection timed out")),
            .reset, .state(.connected(peer: "10.0.0.1:7000")), .connection(.connected(peer: "10.0.0.1:7000", afterOutage: nil)),
            .connection(.dropped(peer: "10.0.0.1:7000", reason: "sent no valid frame for 5 s (silent, or a half-open connection)",
                                 reconnecting: true)),
            .connection(.cannotConnect(target: target, reason: "connection refused")),
            .reset, .state(.connected(peer: "10.0.0.1:7000")), .connection(.connected(peer: "10.0.0.1:7000", afterOutage: 7.3)),
            .connection(.lost(peer: "10.0.0.1:7000", reason: "connection reset by peer")),
            .connection(.refusedGateway(peer: "10.0.0.9:5000", current: "10.0.0.1:6000")),
        ]
        driver.step(events: events, now: 10)
        #expect(connectionEntries(driver) == [
            "cannot connect to gw.or3:7000: connection refused",
            "cannot connect to gw.or3:7000: connection timed out",
            "connected to 10.0.0.1:7000",
            "dropped 10.0.0.1:7000: sent no valid frame for 5 s (silent, or a half-open connection); reconnecting",
            "cannot connect to gw.or3:7000: connection refused",
            "reconnected to 10.0.0.1:7000 after 7.3 s without data",
            "lost 10.0.0.1:7000: connection reset by peer",
            "refused a second gateway from 10.0.0.9:5000 while 10.0.0.1:6000 is connected",
        ].map { "14:03:22 " + $0 })
    }

    @Test("the Events panel shows connection entries with their kind")
    func eventsPanelShowsThem() {
        var model = ConsoleModel(mode: .live, label: "listen 127.0.0.1:7000", catalog: LayoutCatalog(userDirectory: nil),
                                 layoutRequest: "technician")
        model.driver.wallClock = { "12:00:00" }
        model.driver.handle([.state(.listening(address: "127.0.0.1:7000")), .reset,
                             .state(.connected(peer: "127.0.0.1:5555")), .connection(.gatewayConnected(peer: "127.0.0.1:5555")),
                             .connection(.refusedGateway(peer: "127.0.0.1:6666", current: "127.0.0.1:5555"))], arrival: 100)
        var buffer = CellBuffer(width: 180, height: 40)
        model.frame(now: 100, wallClock: "12:00:00", playback: nil).render(into: &buffer, state: &model.view)
        #expect(buffer.lines.contains { $0.contains("connection 12:00:00 gateway 127.0.0.1:5555 connected") }, "\(buffer.text)")
        #expect(buffer.lines.contains { $0.contains("connection 12:00:00 refused a second gateway from 127.0.0.") }, "\(buffer.text)")
    }

    @Test("telemetry.reconnect_after_s: documented default 5 s, read from a file, validated")
    func reconnectSetting() throws {
        #expect(AlarmSettings.defaults.reconnectAfterSeconds == 5)
        #expect(defaultAlarmSettingsYAML.contains("\n  reconnect_after_s: 5\n"))
        let settings = try AlarmSettingsFile.parse(yaml: "telemetry:\n  reconnect_after_s: 2.5\n", file: "a.yaml")
        #expect(settings.reconnectAfterSeconds == 2.5)
        #expect(settings.handshakeSeconds == 5, "the handshake keeps its own setting")
        for bad in ["0", "-1", "0.5", "0.00001", "3601", ".nan", "fast"] {
            #expect(throws: AlarmSettingsError.self, "reconnect_after_s: \(bad)") {
                try AlarmSettingsFile.parse(yaml: "telemetry:\n  reconnect_after_s: \(bad)\n", file: "a.yaml")
            }
        }
        // Under a second would drop healthy gateways (a link frame a second) for ever.
        let error = #expect(throws: AlarmSettingsError.self) {
            try AlarmSettingsFile.parse(yaml: "telemetry:\n  reconnect_after_s: 0.00001\n", file: "a.yaml")
        }
        #expect(error?.description.contains("telemetry.reconnect_after_s: must be from 1 to 3600 seconds, found 0.00001") == true,
                "\(String(describing: error))")
        #expect((try? AlarmSettingsFile.parse(yaml: "telemetry:\n  reconnect_after_s: 1\n", file: "a.yaml")) != nil)
    }
}
