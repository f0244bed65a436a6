import Foundation
import SessionCore
import Telemetry
import TelemetrySources
import Terminal
import Testing
import View
@testable import Console

/// The replay's background pass over a whole recording: every alarm raise (the robot's and the
/// console's own), event, gap and later session start, as markers, on small recordings whose
/// moments are known.
@Suite("Marker pass", .serialized)
struct MarkerPassTests {
    static let joints = [JointDescriptor(name: "yaw", unit: .rad, min: -1, max: 1)]

    /// One session of `seconds` at 20 Hz: an arm, a link whose round trip is 400 ms (high) from
    /// 10 s to 15 s, a robot alarm raised at 12 s, a clutch event at 20 s and no frames at all
    /// from 30 s to 35 s.
    static func lines(id: String = "MARKS", seconds: Int = 40, startT: Double = 0, text: String = "clutch pressed") -> [String] {
        let encoder = FrameEncoder()
        var lines = [encoder.encode(Frame(t: startT, seq: 0, body: .session(SessionInfo(
            id: id, startedAt: "2026-11-26T09:00:00Z", arms: [ArmDescriptor(id: "PSM1", kind: .psm, joints: joints)]))))]
        var seq = 1
        for k in 1...(seconds * 20) {
            let t = Double(k) / 20
            if t > 30 && t < 35 { continue }  // the gap
            let at = startT + t
            lines.append(encoder.encode(Frame(t: at, seq: seq, body: .arm(ArmSample(arm: "PSM1", state: .enabled, position: [0.1])))))
            seq += 1
            if k % 2 == 0 {
                let rtt = t >= 10 && t < 15 ? 400.0 : 50.0
                lines.append(encoder.encode(Frame(t: at, seq: seq, body: .link(LinkSample(path: "primary", up: true, rttMs: rtt)))))
                seq += 1
            }
            if k == 240 {
                lines.append(encoder.encode(Frame(t: at, seq: seq, body: .alarm(AlarmReport(
                    id: "PSM1.COLLISION", state: .raised, priority: .medium, message: "collision\u{1B}[2J near the port")))))
                seq += 1
            }
            if k == 400 {
                lines.append(encoder.encode(Frame(t: at, seq: seq, body: .event(EventNote(kind: "clutch", text: text)))))
                seq += 1
            }
        }
        return lines
    }

    static func write(_ lines: [String], suffix: String = ".ndjson") throws -> String {
        let path = makeTemporaryDirectory() + "/recording" + suffix
        let writer = try RecordingWriter(path: path)
        try writer.write(Array((lines.joined(separator: "\n") + "\n").utf8))
        try writer.close()
        return path
    }

    /// Runs the pass to its end (at most 20 s).
    static func pass(_ path: String, settings: AlarmSettings = .defaults) -> RecordingIndex {
        let pass = MarkerPass(path: path, alarmSettings: settings)
        pass.start()
        defer { pass.stop() }
        let deadline = Date().addingTimeInterval(20)
        while case .running = pass.index.status, Date() < deadline { usleep(5_000) }
        return pass.index
    }

    /// The raises a replay logs: the recording applied frame by frame through a console's
    /// driver, one step per frame, its alarm log drained as an alarm recorder does.
    static func raisesOfAReplay(_ lines: [String]) -> [(id: String, t: Double)] {
        var driver = SessionDriver(mode: .replay)
        var decoder = FrameDecoder()
        var raises: [(id: String, t: Double)] = []
        for line in lines {
            let outcome = Array(line.utf8).withUnsafeBytes { decoder.decode($0) }
            guard case .frame(let frame) = outcome else { continue }
            driver.step(event: .decoded(outcome), now: frame.t)
            raises += driver.alarms.drainLog().filter { $0.action == .raise }.map { ($0.id ?? "", $0.time) }
        }
        return raises
    }

    @Test("finds the robot's alarm, the derived one, the event and the gap, each at its own time, text sanitised")
    func oneSession() throws {
        let lines = Self.lines()
        let index = Self.pass(try Self.write(lines))
        #expect(index.status == .done)
        let startedAt = SessionInfo(id: "MARKS", startedAt: "2026-11-26T09:00:00Z", arms: []).startedAtSeconds
        #expect(startedAt != nil)
        #expect(index.sessions == [RecordingSessionSpan(id: "MARKS", startedAt: startedAt, start: 0, end: 40)])

        let robot = index.markers.filter { $0.kind == .alarm(.medium, derived: false) }
        #expect(robot.map(\.id) == ["PSM1.COLLISION"])
        // Raised at the evaluation of the tenth of a second its frame came in, as the console logs it.
        #expect(robot.first.map { $0.t >= 12 && $0.t < 12.1 } == true)
        #expect(robot.first.map { !$0.text.contains("\u{1B}") && $0.text.contains("near the port") } == true)

        let rtt = index.markers.filter { $0.id == "LINK.primary.RTT" }
        #expect(rtt.count == 1)
        #expect(rtt.first?.kind == .alarm(.high, derived: true))
        // The mean of the last second reaches the high level within that second of the rise.
        #expect(rtt.first.map { $0.t > 10 && $0.t <= 11.1 } == true)

        // Every raise a replay logs, and only those, at the same times (within the tenth the
        // console evaluates at).
        let replayed = Self.raisesOfAReplay(lines)
        let found = index.markers.compactMap { marker -> (id: String, t: Double)? in
            if case .alarm = marker.kind { return (marker.id, marker.t) }
            return nil
        }
        #expect(found.map(\.id).sorted() == replayed.map(\.id).sorted())
        for raise in replayed {
            #expect(found.contains { $0.id == raise.id && abs($0.t - raise.t) < 0.1 + 1e-9 }, "\(raise.id) at \(raise.t)")
        }

        #expect(index.markers.filter { $0.kind == .event }.map(\.t) == [20])
        #expect(index.markers.first { $0.kind == .event }?.text == "clutch pressed")

        let gaps = index.markers.filter { $0.kind == .gap }
        #expect(gaps.count == 1)
        #expect(gaps.first?.t == 30)
        #expect(gaps.first?.text.hasPrefix("no frames for 5.0 s") == true)

        // In order of time.
        #expect(index.markers.map(\.t) == index.markers.map(\.t).sorted())
    }

    @Test("a gap is a silence longer than the run's telemetry.stale_s")
    func gapFollowsTheStaleSetting() throws {
        var settings = AlarmSettings.defaults
        settings.staleSeconds = 6
        let index = Self.pass(try Self.write(Self.lines()), settings: settings)
        #expect(index.status == .done)
        #expect(index.markers.filter { $0.kind == .gap }.isEmpty, "5 s without frames is no gap when stale_s is 6")
    }

    @Test("the run's alarm settings decide the derived raises")
    func settingsApply() throws {
        var settings = AlarmSettings.defaults
        settings.rttMs = AlarmSettings.Levels(low: 500, medium: 600, high: 700)
        let index = Self.pass(try Self.write(Self.lines()), settings: settings)
        #expect(index.status == .done)
        #expect(!index.markers.contains { $0.id == "LINK.primary.RTT" })
        #expect(index.markers.contains { $0.id == "PSM1.COLLISION" })
    }

    @Test("a second session gets its own span, a session marker and its markers under its ordinal")
    func twoSessions() throws {
        let lines = Self.lines(id: "FIRST") + Self.lines(id: "SECOND", text: "second clutch")
        let index = Self.pass(try Self.write(lines))
        #expect(index.status == .done)
        #expect(index.sessions.map(\.id) == ["FIRST", "SECOND"])
        let starts = index.markers.filter { $0.kind == .session }
        #expect(starts.map(\.session) == [1])
        #expect(starts.first?.id == "SECOND")
        #expect(starts.first?.text.contains("previous session FIRST ended") == true)
        #expect(index.markers.filter { $0.kind == .event }.map(\.session) == [0, 1])
        #expect(index.markers.first { $0.kind == .event && $0.session == 1 }?.text == "second clutch")
        // The first session's raises are kept though its log ended with it.
        #expect(index.markers.filter { $0.id == "PSM1.COLLISION" }.map(\.session) == [0, 1])
        #expect(index.markers.filter { $0.id == "LINK.primary.RTT" }.map(\.session) == [0, 1])
        let order = index.markers.map { ($0.session, $0.t) }
        #expect(zip(order, order.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test("a .ndjson.gz recording gets the same markers as the plain one")
    func gzip() throws {
        let lines = Self.lines()
        let plain = Self.pass(try Self.write(lines))
        let compressed = Self.pass(try Self.write(lines, suffix: ".ndjson.gz"))
        #expect(compressed.status == .done)
        #expect(compressed.markers == plain.markers)
        #expect(compressed.sessions == plain.sessions)
    }

    @Test("standard input and a pipe get no pass, and the index says why")
    func unavailable() throws {
        let stdin = MarkerPass(path: "-")
        stdin.start()
        #expect(stdin.index.status == .unavailable("markers need a file: standard input is read once, by the replay"))
        let fifo = makeTemporaryDirectory() + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        let pipe = MarkerPass(path: fifo)
        pipe.start()  // must not open it: the replay's reader would lose what a writer sends
        if case .unavailable = pipe.index.status {} else { Issue.record("a pipe got a pass: \(pipe.index.status)") }
    }

    @Test("progress is published while the pass runs and ends at done")
    func progress() throws {
        let path = try Self.write((0..<40).flatMap { Self.lines(startT: Double($0) * 40) })
        let pass = MarkerPass(path: path)
        var fractions: [Double] = []
        var seen = 0
        pass.start()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard let latest = pass.latest(after: seen) else { usleep(1_000); continue }
            seen = latest.generation
            if case .running(let fraction) = latest.index.status { fractions.append(fraction) }
            if latest.index.status == .done { break }
        }
        #expect(pass.index.status == .done)
        #expect(fractions == fractions.sorted())
        #expect(fractions.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(pass.latest(after: seen) == nil, "nothing new once done")
    }

    @Test("markers beyond the cap are counted, not kept")
    func cap() {
        var scan = MarkerScan(settings: .defaults)
        var decoder = FrameDecoder()
        let encoder = FrameEncoder()
        let limit = MarkerScan.markerLimit
        for k in 0..<(limit + 10) {
            let line = encoder.encode(Frame(t: Double(k) * 0.001, body: .event(EventNote(kind: "gesture", text: "G\(k)"))))
            scan.take(Array(line.utf8).withUnsafeBytes { decoder.decode($0) })
        }
        scan.finish()
        let index = scan.publishable()
        #expect(index.markers.count == limit)
        #expect(index.markersLeftOut == 10)
    }
}

/// The console loop copies the pass's index into the model as it grows.
@Suite("Marker pass in the console loop", .serialized)
struct MarkerPassLoopTests {
    final class Ticks: @unchecked Sendable {
        var afterDone = 0
    }

    @Test("the loop sets the model's recording index from the pass, up to done")
    func indexReachesTheModel() throws {
        let path = try MarkerPassTests.write(MarkerPassTests.lines())
        let pass = MarkerPass(path: path)
        pass.start()
        let clock = FakeClock()
        let inbox = SourceInbox()
        let terminal = FakeTerminal(clock: clock, inbox: inbox, size: TerminalSize(width: 120, height: 40),
                                    script: [(0, .events([Feed.connected(), Feed.session()]))])
        let model = ConsoleModel(mode: .replay, label: "test", catalog: LayoutCatalog(userDirectory: nil), layoutRequest: nil)
        let ticks = Ticks()
        let deadline = Date().addingTimeInterval(20)
        let loop = ConsoleLoop(model: model, terminal: terminal, inbox: inbox, playback: nil, clock: { clock.now },
                               stopRequested: {
                                   // A few ticks after the pass is done (or 20 s), so the loop has polled it.
                                   if pass.index.status == .done { ticks.afterDone += 1 }
                                   return ticks.afterDone > 3 || Date() > deadline
                               }, markers: pass)
        #expect(loop.model.recordingIndex == nil)
        _ = loop.run()
        #expect(loop.model.recordingIndex?.status == .done)
        #expect(loop.model.recordingIndex == pass.index)
        #expect(loop.model.recordingIndex?.markers.contains { $0.id == "PSM1.COLLISION" } == true)
    }
}
