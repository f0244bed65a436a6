import Console
import SessionCore
import Telemetry
import TelemetrySources
import Testing

/// The session driver and the alarms on the telemetry stream itself: a source that connects
/// and sends nothing, a session frame of an unknown version, arm samples dropped in a flood.
@Suite("Session driver: silent sources, refused versions, dropped frames")
struct SourceHealthDriverTests {
    static let arm = ArmDescriptor(id: "PSM1", kind: .psm, joints: [JointDescriptor(name: "yaw", unit: .rad)])

    /// The events a source reports for these lines of text, decoded as a connection would.
    static func decoded(_ text: String) -> [SourceEvent] {
        var stream = FrameStream()
        var out: [SourceEvent] = []
        stream.feed(Array(text.utf8)) { if $0 != .blank { out.append(.decoded($0)) } }
        return out
    }

    static func session(_ id: String = "S1", v: Int = 1, t: Double = 0) -> String {
        let arms = #"[{"id":"PSM1","kind":"PSM","joints":[{"name":"yaw","unit":"rad"}]}]"#
        return #"{"t":\#(t),"type":"session","v":\#(v),"id":"\#(id)","arms":\#(arms)}"# + "\n"
    }

    static func armLine(t: Double, seq: Int? = nil) -> String {
        FrameEncoder().encode(Frame(t: t, seq: seq, body: .arm(ArmSample(arm: "PSM1", position: [0.1]))))
    }

    static func armFrame(t: Double, seq: Int?) -> Frame {
        Frame(t: t, seq: seq, body: .arm(ArmSample(arm: "PSM1", position: [0.1])))
    }

    // MARK: - item 6: a peer that never sends a frame

    @Test("TELEMETRY.LOST is raised when a connection delivers no frame within stale_s of connecting")
    func silentConnectionRaisesLost() {
        var driver = SessionDriver(mode: .live)
        driver.handle([.state(.connecting(attempt: 1)), .reset, .state(.connected(peer: "127.0.0.1:7000"))], arrival: 100)
        driver.evaluateAlarms(arrivalNow: 100.5)
        #expect(!driver.alarms.alarms.contains { $0.id == "TELEMETRY.LOST" }, "not yet: 0.5 s")
        driver.evaluateAlarms(arrivalNow: 101.3)
        let lost = driver.alarms.alarms.first { $0.id == "TELEMETRY.LOST" }
        #expect(lost?.priority == .high)
        #expect(lost?.message == "no telemetry for 1.3 s since connecting (> 1 s)")

        // It goes on while the peer stays silent, across a reconnection that is silent too.
        driver.handle([.state(.reconnecting(lostAt: 104, attempt: 1, reason: "connection closed by peer"))], arrival: 104)
        driver.handle([.reset, .state(.connected(peer: "127.0.0.1:7000"))], arrival: 104.5)
        driver.evaluateAlarms(arrivalNow: 105)
        #expect(driver.alarms.alarms.first { $0.id == "TELEMETRY.LOST" }?.message == "no telemetry for 5.0 s since connecting (> 1 s)")

        // The first frames clear it (after clear_after_s of frames).
        driver.handle(Self.decoded(Self.session(t: 0)), arrival: 105.1)
        for k in 1...40 {
            let t = Double(k) * 0.1
            driver.handle([.decoded(.frame(Self.armFrame(t: t, seq: nil)))], arrival: 105.1 + t)
            driver.evaluateAlarms(arrivalNow: 105.1 + t)
        }
        #expect(driver.alarms.alarms.isEmpty, "\(driver.alarms.alarms.map(\.id))")
        #expect(driver.health.silentSince == nil)
    }

    @Test("listening with no gateway yet is not lost telemetry; a replay never raises it")
    func noConnectionNoAlarm() {
        var driver = SessionDriver(mode: .live)
        driver.handle([.state(.listening(address: "127.0.0.1:7000"))], arrival: 10)
        driver.evaluateAlarms(arrivalNow: 30)
        #expect(driver.alarms.alarms.isEmpty)

        var replay = SessionDriver(mode: .replay)
        replay.handle([.state(.connecting(attempt: 1)), .reset, .state(.connected(peer: "f.ndjson"))], arrival: 10)
        replay.evaluateAlarms(arrivalNow: 30)
        #expect(replay.alarms.alarms.isEmpty)
    }

    // MARK: - item 7: a session frame with v ≠ 1

    @Test("live: a version 2 session frame is refused with TELEMETRY.VERSION, not fatal; a valid one clears it")
    func liveRefusesVersion() {
        var driver = SessionDriver(mode: .live)
        driver.handle([.reset, .state(.connected(peer: "gw"))], arrival: 0)
        driver.handle(Self.decoded(Self.session(v: 2) + Self.armLine(t: 0.1)), arrival: 0.1)
        driver.evaluateAlarms(arrivalNow: 0.2)
        #expect(driver.fatal == nil, "a live source goes on")
        let alarm = driver.alarms.alarms.first { $0.id == "TELEMETRY.VERSION" }
        #expect(alarm?.priority == .high)
        #expect(alarm?.message == "stream refused: its session frame declares telemetry format version 2; this console reads version 1 only")
        #expect(driver.log.contains { $0.hasPrefix("refused the stream: line 1: session frame declares telemetry format version 2") })
        #expect(driver.state.info == nil, "nothing of the refused stream is applied")
        #expect(driver.state.counters.badLines == 1)

        // The source reconnects; the same version again is not logged twice.
        driver.handle([.reset, .state(.connected(peer: "gw"))], arrival: 1)
        driver.handle(Self.decoded(Self.session(v: 2)), arrival: 1.1)
        #expect(driver.log.filter { $0.hasPrefix("refused the stream") }.count == 1)

        // A version 1 session frame: accepted; the alarm clears after clear_after_s.
        driver.handle([.reset, .state(.connected(peer: "gw"))], arrival: 2)
        driver.handle(Self.decoded(Self.session(v: 1)), arrival: 2.1)
        #expect(driver.health.refusedVersion == nil)
        #expect(driver.state.info?.id == "S1")
        for k in 1...30 {
            let t = Double(k) * 0.1
            driver.handle([.decoded(.frame(Self.armFrame(t: t, seq: nil)))], arrival: 2.1 + t)
            driver.evaluateAlarms(arrivalNow: 2.1 + t)
        }
        #expect(driver.alarms.alarms.isEmpty, "\(driver.alarms.alarms.map(\.id))")
        #expect(driver.alarms.history.contains { $0.id == "TELEMETRY.VERSION" && $0.peakPriority == .high })
    }

    @Test("live -: after a refused session frame, lines are ignored until a version 1 session frame")
    func standardInputIgnoresTheRefusedStream() {
        var driver = SessionDriver(mode: .live)
        driver.handle([.reset, .state(.connected(peer: "standard input"))], arrival: 0)
        driver.handle(Self.decoded(Self.session("OLD") + Self.armLine(t: 0.1)), arrival: 0.1)
        #expect(driver.state.arm("PSM1")?.position?[0] == 0.1)
        // Same stream, no new connection: a v3 session, then lines meant for it.
        var stream = FrameStream()
        var events: [SourceEvent] = []
        stream.feed(Array((Self.session("OLD") + Self.session("NEW", v: 3, t: 5) + FrameEncoder().encode(
            Frame(t: 5.1, body: .arm(ArmSample(arm: "PSM1", position: [0.9])))) + "garbage\n" + Self.session("V1", t: 6)
            + FrameEncoder().encode(Frame(t: 6.1, body: .arm(ArmSample(arm: "PSM1", position: [0.5]))))).utf8)) {
            if $0 != .blank { events.append(.decoded($0)) }
        }
        driver.handle(events, arrival: 1)
        #expect(driver.fatal == nil)
        #expect(driver.state.info?.id == "V1")
        #expect(driver.state.arm("PSM1")?.position?[0] == 0.5, "the refused stream's arm frame was not applied")
        #expect(driver.log.contains("a version 1 session frame arrived: stream accepted (2 lines of the refused stream ignored)"))
    }

    @Test("replay: a version 2 session frame still ends the replay")
    func replayStaysFatal() {
        var driver = SessionDriver(mode: .replay)
        driver.handle(Self.decoded(Self.session(v: 2)), arrival: 0)
        #expect(driver.fatal?.hasPrefix("line 1: session frame declares telemetry format version 2") == true)
    }

    // MARK: - item 11: a flood

    @Test("dropped arm samples raise TELEMETRY.DROPPED, are logged, count as received, and are not sequence gaps")
    func droppedFramesAreShownNotGaps() {
        var driver = SessionDriver(mode: .live)
        driver.handle([.reset, .state(.connected(peer: "gw"))], arrival: 0)
        driver.handle(Self.decoded(Self.session()), arrival: 0)
        // Frames 1...1000 with seq; 2...999 are dropped by the inbox (as one run).
        var run = DroppedFrames()
        for seq in 2...999 { run.add(Self.armFrame(t: Double(seq) / 1000, seq: seq)) }
        driver.handle([.decoded(.frame(Self.armFrame(t: 0.001, seq: 1))), .dropped(run),
                       .decoded(.frame(Self.armFrame(t: 1, seq: 1000)))], arrival: 1)
        driver.evaluateAlarms(arrivalNow: 1)
        #expect(driver.state.counters.sequenceGaps == 0, "the console's own drops are not frames lost upstream")
        #expect(driver.state.counters.outOfOrder == 0)
        #expect(driver.health.droppedFrames == 998)
        let alarm = driver.alarms.alarms.first { $0.id == "TELEMETRY.DROPPED" }
        #expect(alarm?.priority == .medium)
        #expect(alarm?.message == "console falling behind: 998 arm samples dropped so far (the source sends faster than they can be applied)")
        #expect(driver.log.contains { $0.hasPrefix("falling behind: frames arrive faster than the console can apply them") })

        // A gap upstream inside a dropped run still counts.
        var gappy = DroppedFrames()
        for seq in [1001, 1002, 1010] { gappy.add(Self.armFrame(t: Double(seq) / 1000, seq: seq)) }
        driver.handle([.dropped(gappy), .decoded(.frame(Self.armFrame(t: 1.011, seq: 1011)))], arrival: 1.1)
        #expect(driver.state.counters.sequenceGaps == 1)
        #expect(driver.state.counters.missingFrames == 7)

        // The flood ends: caught up is logged, and the alarm clears.
        for k in 1...40 {
            let t = 1.011 + Double(k) * 0.1
            driver.handle([.decoded(.frame(Self.armFrame(t: t, seq: 1011 + k)))], arrival: 1.1 + Double(k) * 0.1)
            driver.evaluateAlarms(arrivalNow: 1.1 + Double(k) * 0.1)
        }
        #expect(!driver.alarms.alarms.contains { $0.id == "TELEMETRY.DROPPED" })
        #expect(driver.log.contains { $0.hasPrefix("caught up: 1001 arm samples dropped over") })
        #expect(driver.state.counters.sequenceGaps == 1)
    }

    // MARK: - the setting

    @Test("telemetry.handshake_s: documented default 5 s, read from a file, validated")
    func handshakeSetting() throws {
        #expect(AlarmSettings.defaults.handshakeSeconds == 5)
        #expect(defaultAlarmSettingsYAML.contains("\n  handshake_s: 5\n"))
        let settings = try AlarmSettingsFile.parse(yaml: "telemetry:\n  handshake_s: 2.5\n", file: "a.yaml")
        #expect(settings.handshakeSeconds == 2.5)
        for bad in ["0", "-1", "0.5", "0.00001", "4000", "fast"] {
            #expect(throws: AlarmSettingsError.self, "handshake_s: \(bad)") {
                try AlarmSettingsFile.parse(yaml: "telemetry:\n  handshake_s: \(bad)\n", file: "a.yaml")
            }
        }
        let error = #expect(throws: AlarmSettingsError.self) {
            try AlarmSettingsFile.parse(yaml: "telemetry:\n  handshake_s: 0\n", file: "a.yaml")
        }
        #expect(error?.description.contains("telemetry.handshake_s: must be from 1 to 3600 seconds, found 0") == true, "\(String(describing: error))")
    }
}
