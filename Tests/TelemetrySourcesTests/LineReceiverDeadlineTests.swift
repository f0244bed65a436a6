import NIOCore
import NIOEmbedded
import Synchronization
import Telemetry
import Testing
@testable import TelemetrySources

/// The two deadlines of a connection, on the embedded loop's clock: `handshake_s` for its first
/// valid frame, `reconnect_after_s` between frames once one came; what counts as activity;
/// and reading held back by the console is not the peer's silence.
@Suite("Line receiver: handshake and silence deadlines")
struct LineReceiverDeadlineTests {
    typealias Wire = LineReceiverTests.Wire

    @Test("a handshake longer than the silence time is the deadline for the first frame")
    func handshakeLongerThanSilence() throws {
        let wire = try Wire(LineReceiver.Limits(handshakeTimeout: 60, idleTimeout: 2))
        defer { wire.finish() }
        wire.channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(wire.channel.isActive, "the silence watch does not count before the first frame")
        wire.channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        #expect(!wire.channel.isActive)
        #expect(wire.recorder.endings.map(\.reason) == ["sent no valid frame within 60 s of connecting (0 bytes received)"])
    }

    @Test("the silence watch starts at the first frame, however late within the handshake it came")
    func silenceFromFirstFrame() throws {
        let wire = try Wire(LineReceiver.Limits(handshakeTimeout: 60, idleTimeout: 2))
        defer { wire.finish() }
        wire.channel.embeddedEventLoop.advanceTime(by: .seconds(40))
        try wire.send(TCPTest.session("S", arms: ["PSM1"]))
        wire.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1_900))
        #expect(wire.channel.isActive)
        wire.channel.embeddedEventLoop.advanceTime(by: .milliseconds(300))
        #expect(!wire.channel.isActive)
        let ending = try #require(wire.recorder.endings.first)
        #expect(ending.reason == "sent no valid frame for 2 s (silent, or a half-open connection)")
        #expect(ending.silence == 2)
    }

    @Test("the reported silence is the one measured, not the setting")
    func measuredSilence() throws {
        // 25 s: checked every second, so the drop comes when 25 s have passed since the frame
        // sent half-way between two checks: 25.5 s of silence measured.
        let wire = try Wire(LineReceiver.Limits(handshakeTimeout: 5, idleTimeout: 25))
        defer { wire.finish() }
        try wire.send(TCPTest.session("S", arms: ["PSM1"]))
        wire.channel.embeddedEventLoop.advanceTime(by: .milliseconds(500))
        try wire.send("{\"t\":1,\"type\":\"event\",\"kind\":\"x\"}\n")
        wire.channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        let ending = try #require(wire.recorder.endings.first)
        #expect(ending.reason == "sent no valid frame for 25.5 s (silent, or a half-open connection)")
        #expect(ending.silence == 25.5)
    }

    @Test("lines of an unknown type count as activity; bad lines do not")
    func unknownTypesAreActivity() throws {
        let wire = try Wire(LineReceiver.Limits(handshakeTimeout: 5, idleTimeout: 2))
        defer { wire.finish() }
        try wire.send(TCPTest.session("S", arms: ["PSM1"]))
        for k in 1...20 {  // a newer gateway's heartbeat every second
            wire.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
            try wire.send("{\"t\":\(k),\"type\":\"heartbeat\"}\n")
        }
        #expect(wire.channel.isActive)
        #expect(wire.recorder.endings.isEmpty)
        for _ in 1...3 {  // bad lines keep nothing alive
            wire.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
            try wire.send("not json\n")
        }
        #expect(!wire.channel.isActive)
    }

    @Test("while reading is held back for the console, a busy gateway is not silent; the clock restarts on resume")
    func heldBackIsNotSilence() throws {
        let backlog = Atomic<Int>(0)
        let wire = try Wire(LineReceiver.Limits(handshakeTimeout: 5, idleTimeout: 2,
                                                backlog: { backlog.load(ordering: .relaxed) }, holdBackAbove: 100))
        defer { wire.finish() }
        try wire.send(TCPTest.session("S", arms: ["PSM1"]))
        backlog.store(100, ordering: .relaxed)
        try wire.send(TCPTest.arm("PSM1", t: 1))  // reading pauses
        wire.channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(wire.channel.isActive, "held back for 10 s: the console was behind, not the gateway silent")
        backlog.store(0, ordering: .relaxed)
        wire.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1_900))
        #expect(wire.channel.isActive, "the silence counts from the resume")
        wire.channel.embeddedEventLoop.advanceTime(by: .milliseconds(300))
        #expect(!wire.channel.isActive, "silent after the resume: dropped")
    }

    @Test("a tiny silence time never checks more often than every 0.1 s")
    func checkPeriodFloor() throws {
        let wire = try Wire(LineReceiver.Limits(handshakeTimeout: 5, idleTimeout: 0.00001))
        defer { wire.finish() }
        try wire.send(TCPTest.session("S", arms: ["PSM1"]))
        wire.channel.embeddedEventLoop.advanceTime(by: .milliseconds(99))
        #expect(wire.channel.isActive, "no check before 0.1 s")
        wire.channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!wire.channel.isActive)
        #expect(LineReceiver.minimumCheckPeriod == 0.1)
    }
}

@Suite("Why a connect failed")
struct ConnectFailureTextTests {
    @Test("an address that was tried and refused is 'connection refused', even when another lookup failed")
    func triedAddressesFirst() {
        let refused = IOError(errnoCode: 111, reason: "connect")  // ECONNREFUSED
        #expect(SocketErrorText.connectFailure(host: "gw.local", connectionErrors: [refused]) == "connection refused")
        #expect(SocketErrorText.connectFailure(host: "gw.local", connectionErrors: []) == "cannot resolve gw.local")
    }
}
