import Foundation
import SessionCore
import Telemetry
import TelemetrySources
import Terminal
import Testing
import View
@testable import Console

/// Seeking in a replay: states kept at checkpoints make a seek back resume nearby, and what it
/// resumes to is exactly what reading from the start would have given.
@Suite("Replay seeks", .serialized)
struct ReplaySeekTests {
    /// 60 s of one arm at 20 Hz, with a device alarm and an event along the way.
    static func recordingPath() throws -> String {
        let encoder = FrameEncoder()
        let joints = [JointDescriptor(name: "yaw", unit: .rad, min: -1, max: 1)]
        var lines = [encoder.encode(Frame(t: 0, seq: 0, body: .session(SessionInfo(id: "SEEK", arms: [ArmDescriptor(id: "PSM1", kind: .psm, joints: joints)]))))]
        var seq = 1
        for k in 1...1200 {
            let t = Double(k) / 20
            lines.append(encoder.encode(Frame(t: t, seq: seq, body: .arm(ArmSample(arm: "PSM1", state: .enabled, position: [sin(t) * 0.5])))))
            seq += 1
            if k == 240 {
                lines.append(encoder.encode(Frame(t: t, seq: seq, body: .alarm(AlarmReport(id: "PSM1.COLLISION", state: .raised, priority: .medium)))))
                seq += 1
            }
            if k == 700 {
                lines.append(encoder.encode(Frame(t: t, seq: seq, body: .event(EventNote(kind: "clutch")))))
                seq += 1
            }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("seek-\(UUID().uuidString).ndjson").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Applies what the inbox holds until `done` says so (or 10 s pass).
    static func pump(_ inbox: SourceInbox, into driver: inout SessionDriver, seen: inout [SourceEvent],
                     until done: (SessionDriver) -> Bool) {
        let deadline = Date().addingTimeInterval(10)
        while !done(driver) && Date() < deadline {
            for event in inbox.drain() {
                seen.append(event)
                var arrival = 0.0
                if case .decoded(.frame(let f)) = event { arrival = f.t }
                driver.handle(event, arrival: arrival)
            }
            driver.evaluateAlarms(arrivalNow: driver.state.sessionTime)
            usleep(1_000)
        }
    }

    @Test("a seek back resumes at the nearest kept checkpoint and ends in the same state as reading from the start")
    func seekBackThroughACheckpoint() throws {
        let path = try Self.recordingPath()
        let inbox = SourceInbox()
        let control = PlaybackControl(speed: 2_000)
        let source = FileSource(path: path, paced: true, control: control)
        defer { source.stop() }
        var driver = SessionDriver(mode: .replay)
        driver.keepsCheckpoints = true
        var seen: [SourceEvent] = []
        source.start(sink: inbox.sink)
        Self.pump(inbox, into: &driver, seen: &seen) { $0.sourceState == .ended }
        let linear = driver.state
        #expect(linear.sessionTime == 60)
        let kept = driver.checkpoints.kept.map(\.checkpoint.t)
        #expect(kept.count >= 5 && kept.first == 0, "a checkpoint every 10 s: \(kept)")

        let from = try #require(driver.checkpoint(forSeekTo: 33))
        #expect(from.t <= 33 && from.t > 20)
        let id = control.seek(to: 33, from: from)
        seen.removeAll()
        Self.pump(inbox, into: &driver, seen: &seen) { $0.lastSeek == id && $0.sourceState == .ended }
        let resumed = seen.contains { if case .resumed(let c) = $0 { c == from } else { false } }
        #expect(resumed, "the source resumed at the checkpoint")
        #expect(!seen.contains { if case .reset = $0 { true } else { false } }, "and did not start over")
        let reread = seen.compactMap { if case .decoded(.frame(let f)) = $0 { f.t } else { nil } }
        #expect(reread.first.map { $0 > from.t } == true, "nothing before the checkpoint is read again")
        #expect(driver.state == linear, "resuming gives exactly the state of a reading from the start")
        #expect(driver.alarms.alarms.contains { $0.id == "PSM1.COLLISION" }, "an alarm raised before the checkpoint is still there")
    }

    /// Two sessions of the same id, the gateway restarted between them: 40 s, then 30 s from t = 0.
    static func twoSessionPath() throws -> String {
        let encoder = FrameEncoder()
        let session = SessionInfo(id: "SEEK", arms: [ArmDescriptor(id: "PSM1", kind: .psm, joints: [JointDescriptor(name: "yaw", unit: .rad)])])
        var lines: [String] = []
        for (length, position) in [(40.0, 0.25), (30.0, -0.25)] {
            lines.append(encoder.encode(Frame(t: 0, body: .session(session))))
            for k in 1...Int(length * 20) {
                let t = Double(k) / 20
                lines.append(encoder.encode(Frame(t: t, body: .arm(ArmSample(arm: "PSM1", state: .enabled, position: [position + t / 1000])))))
            }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("seek2-\(UUID().uuidString).ndjson").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("in a recording of two sessions a seek back inside the second stays in it, from a checkpoint or from the start")
    func seekBackInTheSecondSession() throws {
        let path = try Self.twoSessionPath()
        let inbox = SourceInbox()
        let control = PlaybackControl(speed: 2_000)
        let source = FileSource(path: path, paced: true, control: control)
        defer { source.stop() }
        var driver = SessionDriver(mode: .replay)
        driver.keepsCheckpoints = true
        var seen: [SourceEvent] = []
        source.start(sink: inbox.sink)
        Self.pump(inbox, into: &driver, seen: &seen) { $0.sourceState == .ended }
        let linear = driver.state
        #expect(linear.sessionTime == 30 && driver.replayPosition.session == 1)

        for useCheckpoint in [true, false] {
            var from: ReplayCheckpoint?
            if useCheckpoint {
                let kept = try #require(driver.checkpoint(forSeekTo: 12))
                #expect(kept.at.session == 1 && kept.t <= 12, "a checkpoint of the second session: \(kept.at)")
                from = kept
            }
            let id = control.seek(to: 12, session: driver.replayPosition.session, from: from)
            seen.removeAll()
            Self.pump(inbox, into: &driver, seen: &seen) { $0.lastSeek == id && $0.sourceState == .ended }
            #expect(driver.replayPosition == ReplayPosition(session: 1, t: 30), "checkpoint \(useCheckpoint)")
            #expect(driver.state == linear, "checkpoint \(useCheckpoint): the state of a reading from the start")
            let positions = driver.checkpoints.kept.map(\.checkpoint.at)
            #expect(positions == positions.sorted(), "kept in recording order: \(positions)")
        }
    }

    @Test("kept states stay few however long the recording: every other one goes and the spacing doubles")
    func checkpointsStayBounded() {
        var checkpoints = ReplayCheckpoints()
        let state = SessionState()
        let alarms = AlarmEngine()
        for k in 0..<500 {
            let t = Double(k) * 10
            checkpoints.keep(ReplayCheckpoint(t: t, position: RecordingPosition(offset: k * 1000, decoder: FrameDecoder())),
                             state: state, alarms: alarms)
        }
        #expect(checkpoints.kept.count <= ReplayCheckpoints.capacity)
        #expect(checkpoints.kept.first?.checkpoint.t == 0)
        let gaps = zip(checkpoints.kept, checkpoints.kept.dropFirst()).map { $1.checkpoint.t - $0.checkpoint.t }
        #expect(gaps.allSatisfy { $0 <= checkpoints.spacing * 2 }, "evenly spread: \(gaps)")
        #expect(checkpoints.recent.map(\.checkpoint.t) == [4980, 4990], "the two latest are always at hand")
        #expect(checkpoints.latest(atOrBefore: ReplayPosition(session: 0, t: 4985))?.t == 4980)
        #expect(checkpoints.latest(atOrBefore: ReplayPosition(session: 0, t: 4975)).map { $0.t <= 4975 } == true)
    }

    @Test("← pressed again before the replay got there steps from where it is going")
    func repeatedSeeksAccumulate() {
        var model = ConsoleModel(mode: .replay, label: "test", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: "trainer")
        model.driver.handle(.decoded(.frame(Frame(t: 100, body: .event(EventNote(kind: "note"))))), arrival: 0)
        let control = PlaybackControl()
        model.press(.left, playback: control)
        model.press(.left, playback: control)
        model.press(.left, playback: control)
        #expect(control.takeSeek()?.target == 85)
        #expect(model.pendingSeek?.target == 85)
        model.driver.handle(.seeked(3), arrival: 0)
        model.driver.handle(.decoded(.frame(Frame(t: 85, body: .event(EventNote(kind: "note"))))), arrival: 0)
        model.settleSeek()
        #expect(model.pendingSeek == nil, "reached: the next key steps from the replay's time again")
    }
}

@Suite("Alarms in a long batch")
struct LongBatchAlarmTests {
    @Test("a condition that came and went inside one batch (a replay catching up) is raised and cleared on the way")
    func alarmsAlongABatch() {
        var driver = SessionDriver(mode: .replay)
        var events: [SourceEvent] = [.decoded(.frame(Frame(t: 0, body: .session(SessionInfo(id: "S", arms: [])))))]
        for k in 0...200 {
            let t = Double(k) / 10
            let rtt = t >= 5 && t < 9 ? 250.0 : 40.0  // 4 s above the 200 ms medium threshold
            events.append(.decoded(.frame(Frame(t: t, body: .link(LinkSample(path: "primary", up: true, rttMs: rtt))))))
        }
        driver.handle(events, arrival: 0)
        driver.evaluateAlarms(arrivalNow: 0)
        let log = driver.alarms.drainLog().map(\.text)
        #expect(log.contains { $0.contains("RAISE") && $0.contains("LINK.primary.RTT") }, "\(log)")
        #expect(log.contains { $0.contains("CLEAR") && $0.contains("LINK.primary.RTT") }, "\(log)")
        #expect(driver.alarms.alarms.isEmpty, "nothing left active at the end of the batch")
    }
}

@Suite("Resuming at a checkpoint")
struct ResumeLogTests {
    @Test("log entries not yet written survive a resume (an acknowledgement typed in the same moment)")
    func pendingLogSurvives() {
        var driver = SessionDriver(mode: .replay)
        driver.keepsCheckpoints = true
        driver.handle(.decoded(.frame(Frame(t: 0, body: .session(SessionInfo(id: "S", arms: []))))), arrival: 0)
        let checkpoint = ReplayCheckpoint(t: 0, position: RecordingPosition(offset: 10, decoder: FrameDecoder()))
        driver.handle(.checkpoint(checkpoint), arrival: 0)
        driver.handle(.decoded(.frame(Frame(t: 5, body: .alarm(AlarmReport(id: "PSM1.COLLISION", state: .raised, priority: .medium))))), arrival: 0)
        driver.evaluateAlarms(arrivalNow: 0)
        driver.alarms.acknowledge(id: "PSM1.COLLISION", at: 5)
        driver.handle(.resumed(checkpoint), arrival: 0)
        let log = driver.alarms.drainLog().map(\.text)
        #expect(log.contains { $0.contains("RAISE") } && log.contains { $0.contains("ACK") }, "\(log)")
        #expect(driver.alarms.alarms.isEmpty, "the alarms are the checkpoint's")
    }
}
