import Foundation
import SessionCore
import Telemetry
import TelemetrySources
import Testing
import View
@testable import Console

/// The marker pass against what review found: alarms raised by a `sync`, robot alarms shorter
/// than the tenth the console evaluates at, a lone bad timestamp, a clock going back, long wire
/// text, escalations long after their raise, and the pass's pace beside the replay.
@Suite("Marker pass: review findings", .serialized)
struct MarkerPassReviewTests {
    static let joints = [JointDescriptor(name: "yaw", unit: .rad, min: -1, max: 1)]
    static let encoder = FrameEncoder()

    static func session(_ t: Double = 0) -> String {
        encoder.encode(Frame(t: t, body: .session(SessionInfo(
            id: "REVIEW", arms: [ArmDescriptor(id: "PSM1", kind: .psm, joints: joints)]))))
    }

    static func arm(_ t: Double) -> String {
        encoder.encode(Frame(t: t, body: .arm(ArmSample(arm: "PSM1", state: .enabled, position: [0.1]))))
    }

    static func alarm(_ t: Double, _ id: String, _ state: AlarmReport.State, _ priority: AlarmPriority? = nil) -> String {
        encoder.encode(Frame(t: t, body: .alarm(AlarmReport(id: id, state: state, priority: priority, message: "\(id) message"))))
    }

    /// Arm frames at `hz` from `from` to `to` seconds (both included), none strictly inside `skip`;
    /// `after` adds lines after the frame at a time.
    static func arms(from: Double, to: Double, hz: Double, skip: ClosedRange<Double>? = nil,
                     after: (Double) -> [String] = { _ in [] }) -> [String] {
        let n = Int(((to - from) * hz).rounded())
        return (0...n).flatMap { k -> [String] in
            let t = ((from + Double(k) / hz) * 1000).rounded() / 1000
            if let skip, t > skip.lowerBound, t < skip.upperBound { return [] }
            return [arm(t)] + after(t)
        }
    }

    /// 10 s of arm frames at 100 Hz, a robot alarm raised at 5.01 and cleared at 5.05.
    static func shortAlarm(_ priority: AlarmPriority) -> [String] {
        [session()] + arms(from: 0.01, to: 10, hz: 100) { t in
            t == 5.01 ? [alarm(5.01, "PSM1.FAULT", .raised, priority)]
                : t == 5.05 ? [alarm(5.05, "PSM1.FAULT", .cleared)] : []
        }
    }

    static func scan(_ lines: [String]) -> RecordingIndex {
        var scan = MarkerScan(settings: .defaults)
        var decoder = FrameDecoder()
        for line in lines { scan.take(Array(line.utf8).withUnsafeBytes { decoder.decode($0) }) }
        scan.finish()
        return scan.publishable()
    }

    @Test("an alarm first raised by a sync frame gets a marker, and its later escalation updates it")
    func syncRaisedAlarm() {
        var lines = [Self.session()]
        lines += Self.arms(from: 0.05, to: 2, hz: 20)
        lines.append(Self.encoder.encode(Frame(t: 2, body: .sync(SyncSnapshot(alarms: [
            AlarmReport(id: "PSM2.TOOL", state: .raised, priority: .medium, message: "tool fault")])))))
        lines += Self.arms(from: 2.05, to: 4, hz: 20)
        lines.append(Self.alarm(4, "PSM2.TOOL", .raised, .high))
        lines += Self.arms(from: 4.05, to: 6, hz: 20)
        let markers = Self.scan(lines).markers.filter { $0.id == "PSM2.TOOL" }
        #expect(markers.count == 1)
        #expect(markers.first.map { $0.t >= 2 && $0.t < 2.1 } == true)
        #expect(markers.first?.kind == .alarm(.high, derived: false), "escalated by the robot at 4 s")
    }

    @Test("a robot alarm raised and cleared within a tenth of a second gets a marker at its raise")
    func shortAlarmMarker() throws {
        let index = MarkerPassTests.pass(try MarkerPassTests.write(Self.shortAlarm(.medium)))
        #expect(index.status == .done)
        let fault = index.markers.filter { $0.id == "PSM1.FAULT" }
        #expect(fault.map(\.t) == [5.01])
        #expect(fault.first?.kind == .alarm(.medium, derived: false))
    }

    @Test("the console's batched handling logs a short robot alarm's raise and clear at their own times")
    func shortAlarmBatched() {
        var driver = SessionDriver(mode: .replay)
        driver.handle(.state(.connected(peer: "test")), arrival: 0)
        var decoder = FrameDecoder()
        let events = Self.shortAlarm(.medium).map { SourceEvent.decoded(Array($0.utf8).withUnsafeBytes { decoder.decode($0) }) }
        _ = driver.handle(events, arrival: 1)
        let log = driver.alarms.drainLog().filter { $0.id == "PSM1.FAULT" }
        #expect(log.map(\.action) == [.raise, .clear])
        // Raised at its frame or at the evaluation that found it listed; cleared at its frame.
        #expect(log.first.map { $0.time >= 5.01 && $0.time <= 5.05 } == true)
        #expect(log.last?.time == 5.05)
    }

    @Test("a snapshot after a short high robot alarm shows it latched")
    func shortAlarmSnapshot() throws {
        let path = try MarkerPassTests.write(Self.shortAlarm(.high))
        let picture = try Snapshot.render(.recording(path: path), width: 120, height: 40, at: 6, layoutRequest: nil,
                                          catalog: LayoutCatalog(userDirectory: nil))
        #expect(picture.text.contains("PSM1.FAULT"))
    }

    @Test("one arm frame at t = 1e6 neither makes a gap nor ends the session there; the real gap stays")
    func loneBadTimestamp() {
        let lines = [Self.session()] + Self.arms(from: 0.05, to: 40, hz: 20, skip: 30...35) { t in
            t == 5 ? [Self.arm(1e6)] : []
        }
        let index = Self.scan(lines)
        let gaps = index.markers.filter { $0.kind == .gap }
        #expect(gaps.map(\.t) == [30])
        #expect(gaps.first?.text.hasPrefix("no frames for 5.0 s") == true)
        #expect(index.sessions.map(\.end) == [40])
    }

    @Test("a clock that goes back without a session frame does not hide the gaps after")
    func clockBack() {
        var lines = [Self.session()]
        lines += Self.arms(from: 0.05, to: 50, hz: 20)
        lines += Self.arms(from: 0, to: 40, hz: 20, skip: 30...35)  // the gateway's clock restarted
        let gaps = Self.scan(lines).markers.filter { $0.kind == .gap }
        #expect(gaps.map(\.t) == [30])
    }

    @Test("marker ids and texts from the wire are cut to a few hundred characters, with an ellipsis")
    func longTextIsCut() {
        let kind = String(repeating: "k", count: 1_000)
        let text = String(repeating: "x", count: 10_000)
        let lines = [Self.session(), Self.encoder.encode(Frame(t: 1, body: .event(EventNote(kind: kind, text: text)))),
                     Self.alarm(2, String(repeating: "A", count: 1_000), .raised, .low)]
        let markers = Self.scan(lines).markers
        #expect(markers.count == 2)
        for marker in markers {
            #expect(marker.id.count == MarkerScan.idLimit)
            #expect(marker.text.count <= MarkerScan.textLimit)
            #expect(marker.id.hasSuffix("…"))
        }
        #expect(markers.first?.text.count == MarkerScan.textLimit)
        #expect(markers.first?.text.hasSuffix("…") == true)
    }

    @Test("an escalation finds its raise's marker however many markers came between")
    func escalationFarBack() {
        var lines = [Self.session(), Self.alarm(0.5, "PSM1.FAULT", .raised, .low)]
        for k in 0..<20_000 {
            lines.append(Self.encoder.encode(Frame(t: 1 + Double(k) * 0.0001, body: .event(EventNote(kind: "gesture")))))
        }
        lines.append(Self.alarm(4, "PSM1.FAULT", .raised, .high))
        let fault = Self.scan(lines).markers.filter { $0.id == "PSM1.FAULT" }
        #expect(fault.map(\.kind) == [.alarm(.high, derived: false)])
    }

    @Test("the blocks waiting are bounded by their lines' bytes as well as by their count")
    func blockQueueBytes() {
        let mb = 1024 * 1024
        #expect(MarkerPass.hasRoom(blocks: 0, lineBytes: 0, for: 16 * mb), "one block always goes, however big")
        #expect(MarkerPass.hasRoom(blocks: 2, lineBytes: mb, for: mb))
        #expect(!MarkerPass.hasRoom(blocks: 1, lineBytes: 3 * mb, for: 2 * mb), "4 MB of lines at most")
        #expect(!MarkerPass.hasRoom(blocks: MarkerPass.blocksWaiting, lineBytes: 0, for: 0))
    }

    @Test("the pace watch takes a seek, a move back or a backlog as running ahead, at once")
    func paceWatch() {
        var pace = PaceWatch()
        pace.observe(wall: 0, session: 100, speed: 1, backlog: false)
        pace.observe(wall: 0.3, session: 100.3, speed: 1, backlog: false)
        #expect(!pace.ahead, "playing at 1x")
        pace.observe(wall: 0.6, session: 40, speed: 1, backlog: false)
        #expect(pace.ahead, "moved back 60 s: a seek's catch-up")
        pace.observe(wall: 0.9, session: 40.3, speed: 1, backlog: false)
        #expect(!pace.ahead)
        pace.observe(wall: 0.95, session: 40.35, speed: 1, backlog: false, seeking: true)
        #expect(pace.ahead, "a seek under way, before any window ends")
        pace.observe(wall: 1.3, session: 40.7, speed: 1, backlog: false)
        #expect(!pace.ahead)
        pace.observe(wall: 1.35, session: 40.75, speed: 1, backlog: true)
        #expect(pace.ahead, "a backlog waits")
    }
}
