import Foundation
import Interop
import MCAP
import SessionCore
import Simulator
import Telemetry
import Testing

/// The rosbags-written dVRK bag in Fixtures (scripts/make-ros2-bags says what it holds, by construction).
@Suite("ROS 2 bags from a dVRK", .serialized)
struct ROS2BagTests {
    static let armIDs = ["PSM1", "PSM2", "ECM", "MTML", "MTMR"]

    func fixtureFrames() throws -> (recording: ROS2Recording, frames: [Frame], errors: [DecodeError]) {
        let recording = try openBag(ROS2Fixtures.dvrk)
        let (frames, errors) = decodedFrames(recording, path: ROS2Fixtures.dvrk)
        return (recording, frames, errors)
    }

    static func arm(_ frame: Frame) -> ArmSample? {
        if case .arm(let sample) = frame.body { return sample }
        return nil
    }

    @Test("the session frame: id from the file name, started_at from the first log time, the arms with messages, dVRK joints and limits")
    func sessionFrame() throws {
        let (_, frames, errors) = try fixtureFrames()
        #expect(errors.isEmpty, "\(errors.prefix(3))")
        guard case .session(let session) = try #require(frames.first).body else { Issue.record("no session frame first"); return }
        #expect(session.id == "dvrk-crtk")
        #expect(session.startedAt == "2026-11-24T09:00:00Z")
        #expect(session.robot == "dVRK (ROS 2 bag)")
        // PSM3 is in the default map but not in the bag; the order is the map's.
        #expect(session.arms.map(\.id) == Self.armIDs)
        #expect(session.arms.map(\.kind) == [.psm, .psm, .ecm, .mtm, .mtm])
        #expect(session.arms[0].joints == DVRKArms.psm)
        #expect(session.arms[1].joints == DVRKArms.psm)
        #expect(session.arms[2].joints == DVRKArms.ecm)
        #expect(session.arms[3].joints == DVRKArms.mtml)
        #expect(session.arms[4].joints == DVRKArms.mtmr)
    }

    @Test("one frame per mapped message in log-time order: joints, jaw, tool tips (PoseStamped and TransformStamped), twist, states, events")
    func frames() throws {
        let (recording, frames, _) = try fixtureFrames()
        // 121 samples × (5 joints + 4 jaws + 4 tips + 1 twist) + 7 states × 5 arms + 2 status strings; the 7 wrenches are not mapped.
        #expect(frames.count == 1 + 121 * 14 + 7 * 5 + 2)
        #expect(zip(frames, frames.dropFirst()).allSatisfy { $0.t <= $1.t })
        #expect(frames.last?.t == 6)

        let at3 = frames.filter { $0.t == 3 }.compactMap(Self.arm)
        let psm1Tip = try #require(at3.first { $0.arm == "PSM1" && $0.tip != nil })
        #expect(zip(Array(psm1Tip.tip!), [0.06, 0, -0.1]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(psm1Tip.orientation.map(Array.init) == [0, 0, 0, 1])
        let psm2Tip = try #require(at3.first { $0.arm == "PSM2" && $0.tip != nil }, "PSM2's TransformStamped tip")
        #expect(zip(Array(psm2Tip.tip!), [0.05, 0, -0.09]).allSatisfy { abs($0 - $1) < 1e-12 })

        let joints = try #require(at3.first { $0.arm == "MTMR" && $0.position != nil })
        #expect(joints.position?.count == 7 && joints.velocity?.count == 7)
        #expect(joints.effort == nil, "an empty effort array is absent")
        #expect(abs(joints.position![1] - 0.1 * sin(3.0 + 1)) < 1e-12)
        #expect(at3.contains { $0.arm == "PSM1" && $0.jaw.map { abs($0 - (0.5 + 0.25 * sin(3.0))) < 1e-12 } == true })
        #expect(at3.contains { $0.arm == "MTML" && $0.jaw != nil }, "an MTM's gripper/measured_js is its jaw")
        #expect(at3.contains { $0.arm == "PSM1" && $0.twist.map(Array.init) == [0, 0.02, 0, 0, 0, 0] })

        let states = frames.compactMap(Self.arm).filter { $0.state != nil }
        #expect(states.count == 35 && states.allSatisfy { $0.homed == true })
        #expect(states.filter { $0.arm == "PSM2" && $0.state == .paused }.count == 3)

        let events = frames.compactMap { frame -> EventNote? in
            if case .event(let e) = frame.body { return e }
            return nil
        }
        #expect(events == [EventNote(kind: "status", text: "PSM1: PSM1 status at 1 s"), EventNote(kind: "status", text: "PSM1: PSM1 status at 5 s")])
        #expect(recording.notes == ["topic '/MTML/body/measured_cf' (geometry_msgs/msg/WrenchStamped) matches nothing in the topic map: skipped."])
        #expect(recording.problem == nil)
        #expect(recording.fileBytesRead == recording.fileSize)
    }

    @Test("the report gives the durations and tool-tip path lengths the bag was made with")
    func report() throws {
        let (_, frames, _) = try fixtureFrames()
        var builder = SessionReportBuilder()
        frames.forEach { builder.add($0) }
        let report = builder.finish()
        #expect(report.duration == 6)
        #expect(report.arms.map(\.id) == Self.armIDs)
        let skills = try #require(report.skills).session.arms
        func skill(_ arm: String) -> SkillReport.ArmSkill? { skills.first { $0.arm == arm } }
        // By hand: 120 intervals of 0.05 s. PSM1 at 20 mm/s → 1 mm each, 120 mm; PSM2 at 10 mm/s → 60 mm;
        // MTMR at 30 mm/s → 180 mm; the ECM does not move. MTML has no tip.
        for (arm, mm) in [("PSM1", 120.0), ("PSM2", 60.0), ("MTMR", 180.0), ("ECM", 0.0)] {
            let s = try #require(skill(arm), "\(arm)")
            #expect(abs(s.pathLengthMm - mm) < 1e-6, "\(arm): \(s.pathLengthMm)")
            #expect(s.taskTime == 6 && s.samples == 121 && s.gaps == 0, "\(arm)")
        }
        #expect(skill("MTML") == nil)
        // PSM1 went 60 mm along x, then 60 mm along y: its workspace is 60 × 60 × 0 mm.
        #expect(skill("PSM1").map { zip($0.workspaceMm, [60.0, 60, 0]).allSatisfy { abs($0 - $1) < 1e-9 } } == true)
    }

    @Test("seeking to a line start gives the same lines as reading through, in this instance and a fresh one")
    func seeking() throws {
        let whole = allBytes(try openBag(ROS2Fixtures.dvrk))
        #expect(whole.count > 3 * ROS2Recording.checkpointSpacing, "long enough to have checkpoints")
        let lineStarts = [0] + whole.indices.filter { whole[$0] == 0x0A }.map { $0 + 1 }.dropLast()
        let recording = try openBag(ROS2Fixtures.dvrk)
        _ = allBytes(recording)  // read through: checkpoints taken
        for start in [lineStarts[lineStarts.count - 5], lineStarts[1], lineStarts[lineStarts.count / 2], 0, lineStarts[700]] {
            #expect(recording.seek(to: start))
            #expect(allBytes(recording, step: 777) == Array(whole[start...]), "from \(start)")
            let fresh = try openBag(ROS2Fixtures.dvrk)
            #expect(fresh.seek(to: start))
            #expect(allBytes(fresh) == Array(whole[start...]), "fresh, from \(start)")
        }
        #expect(!recording.seek(to: lineStarts[3] + 1), "not a line start")
        #expect(!recording.seek(to: whole.count + 10))
    }

    @Test("rosbags regenerates the committed bag, and it reads the same (Python; CI must have it)")
    func regenerate() throws {
        guard try Self.pythonROSBags() else { return }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ros2-regen-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try Self.run(["python3", ROS2Fixtures.script, dir.path])
        #expect(result.status == 0, "\(result.errors)")
        let fresh = dir.appendingPathComponent("dvrk-crtk.mcap").path
        #expect(allBytes(try openBag(fresh)) == allBytes(try openBag(ROS2Fixtures.dvrk)))
    }

    static func pythonROSBags() throws -> Bool {
        if try run(["python3", "-c", "import rosbags, mcap"]).status == 0 { return true }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("python3 cannot import rosbags: .ci/run installs it (pip install -r .ci/requirements.txt)")
        } else {
            print("skipped: python3 cannot import rosbags (CI=true makes this a failure; pip install -r .ci/requirements.txt)")
        }
        return false
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: errors, as: UTF8.self))
    }
}

/// Bags written by hand with the MCAP module: the cases rosbags does not write.
@Suite("ROS 2 bags: odd and bad input")
struct ROS2BadInputTests {
    static let psmNames = DVRKArms.psm.map(\.name)
    static let t0 = HandBag.start

    func frames(_ bag: HandBag, map: String? = nil, name: String = "bag.mcap") throws -> (ROS2Recording, [Frame], [DecodeError]) {
        let path = try bag.write(name: name)
        let recording = try openBag(path, map: map)
        let (frames, errors) = decodedFrames(recording, path: path)
        return (recording, frames, errors)
    }

    @Test("a topic that matches nothing is listed once however many messages it has, and is no error")
    func unmatchedOnce() throws {
        let bag = HandBag(topics: [.init(topic: "/PSM1/measured_js", schema: "sensor_msgs/msg/JointState"),
                                   .init(topic: "/camera/info", schema: "std_msgs/msg/String")],
                          messages: (0..<10).map { k in (k % 2, Self.t0 + UInt64(k) * 10_000_000,
                                                         k % 2 == 0 ? CDRBytes.jointState(Self.psmNames, position: [0, 0, 0.1, 0, 0, 0]) : CDRBytes.string("x")) })
        let (recording, frames, errors) = try frames(bag)
        #expect(errors.isEmpty)
        #expect(frames.count == 1 + 5)
        #expect(recording.notes == ["topic '/camera/info' (std_msgs/msg/String) matches nothing in the topic map: skipped."])
    }

    @Test("a mapped topic of another type, an unknown message encoding, an unknown operating state: each listed once, skipped")
    func listedOnce() throws {
        let bag = HandBag(topics: [.init(topic: "/PSM1/measured_cp", schema: "geometry_msgs/msg/Pose"),
                                   .init(topic: "/PSM1/measured_js", schema: "sensor_msgs/msg/JointState", encoding: "json"),
                                   .init(topic: "/PSM1/operating_state", schema: "crtk_msgs/OperatingState")],
                          messages: (0..<9).map { k in
                              (k % 3, Self.t0 + UInt64(k) * 1_000_000, k % 3 == 2 ? CDRBytes.operatingState("HOMING", homed: false) : [1, 2, 3])
                          })
        let (recording, frames, errors) = try frames(bag)
        #expect(errors.isEmpty)
        #expect(recording.notes == [
            "topic '/PSM1/measured_cp' carries 'geometry_msgs/msg/Pose', not geometry_msgs/msg/PoseStamped or geometry_msgs/msg/TransformStamped: skipped.",
            "topic '/PSM1/measured_js' has message encoding 'json', not cdr (ROS 2): skipped.",
            "PSM1 operating state 'HOMING' is none of DISABLED, ENABLED, PAUSED, FAULT: its frames carry no state.",
        ])
        // The state topic still gives `homed`; the arm has no joints (its JointState topic was unreadable).
        let arms = frames.compactMap(ROS2BagTests.arm)
        #expect(arms.count == 3 && arms.allSatisfy { $0.state == nil && $0.homed == false })
        guard case .session(let session) = frames[0].body else { Issue.record("no session"); return }
        #expect(session.arms == [ArmDescriptor(id: "PSM1", kind: .psm, joints: [])])
    }

    @Test("a malformed CDR buffer is counted with its channel and log time, the first few named, and reading goes on")
    func malformedCounted() throws {
        let good = CDRBytes.poseStamped([0.01, 0.02, 0.03])
        var messages: [(Int, UInt64, [UInt8])] = []
        for k in 0..<20 {
            let bad: [UInt8]? = switch k {
            case 3: Array(good.prefix(30))  // cut
            case 5: [0x01, 0x00, 0x00, 0x00] + good.dropFirst(4)  // bad encapsulation
            case 7, 8, 9, 10, 11: { var b = good; b[12...15] = [0xFF, 0xFF, 0xFF, 0xFF]; return b }()  // frame_id of 2³² − 1 bytes
            default: nil
            }
            messages.append((0, Self.t0 + UInt64(k) * 250_000_000, bad ?? good))
        }
        let (recording, frames, errors) = try frames(HandBag(topics: [.init(topic: "/PSM2/measured_cp", schema: "geometry_msgs/msg/PoseStamped")], messages: messages))
        #expect(errors.isEmpty)
        #expect(frames.count == 1 + 13)
        let note = try #require(recording.notes.last)
        #expect(note.hasPrefix("7 messages could not be read: '/PSM2/measured_cp' at log time 2026-11-24T09:00:00.75Z ends at byte 30, inside a float64 at byte 28"), "\(note)")
        #expect(note.contains("'/PSM2/measured_cp' at log time 2026-11-24T09:00:01.25Z has encapsulation 0100, not plain CDR"), "\(note)")
        #expect(note.contains("at log time 2026-11-24T09:00:01.75Z ends at byte 84, inside a string of 4294967295 bytes at byte 16"), "\(note)")
        #expect(note.hasSuffix("; and 2 more."), "\(note)")
    }

    @Test("joint states in another order are reordered by name; other joints are bad messages; the session's names come first")
    func jointOrder() throws {
        let names = Self.psmNames
        let reversed = Array(names.reversed())
        let messages: [(Int, UInt64, [UInt8])] = [
            (0, Self.t0, CDRBytes.jointState(names, position: [1, 2, 3, 4, 5, 6])),
            (0, Self.t0 + 1, CDRBytes.jointState(reversed, position: [6, 5, 4, 3, 2, 1], velocity: [60, 50, 40, 30, 20, 10])),
            (0, Self.t0 + 2, CDRBytes.jointState(names + ["jaw"], position: [1, 2, 3, 4, 5, 6, 7])),
            (0, Self.t0 + 3, CDRBytes.jointState(["a", "b"], position: [1, 2])),
            (0, Self.t0 + 4, CDRBytes.jointState(names, position: [1, 2, 3])),
            (0, Self.t0 + 5, CDRBytes.jointState([], position: [9, 9, 9, 9, 9, 9])),
            (0, Self.t0 + 6, CDRBytes.jointState(names, position: [.nan, 2, 3, 4, 5, 6])),
        ]
        let (recording, frames, errors) = try frames(HandBag(topics: [.init(topic: "/PSM1/measured_js", schema: "sensor_msgs/JointState")], messages: messages))
        #expect(errors.isEmpty, "\(errors)")
        let positions = frames.compactMap(ROS2BagTests.arm).map { $0.position.map(Array.init) ?? [] }
        #expect(positions == [[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], [9, 9, 9, 9, 9, 9]])
        #expect(frames.compactMap(ROS2BagTests.arm)[1].velocity.map(Array.init) == [10, 20, 30, 40, 50, 60])
        let note = try #require(recording.notes.last)
        #expect(note.hasPrefix("3 messages could not be read:"), "\(note)")
        #expect(note.contains("names joints 'a, b', not the session's 'yaw, pitch, insertion, roll, wrist_pitch, wrist_yaw'"), "\(note)")
        #expect(note.contains("has 3 values for 6 joints") && note.contains("not finite"), "\(note)")
    }

    @Test("a JointState of more than 64 joints names no arm's joints: the next readable one does, else the arm has none")
    func tooManyJoints() throws {
        let huge = CDRBytes.jointState((1...65).map { "j\($0)" }, position: Array(repeating: 0, count: 65))
        let topic = HandBag.Topic(topic: "/PSM1/measured_js", schema: "sensor_msgs/msg/JointState")

        let (mixed, mixedFrames, _) = try frames(HandBag(topics: [topic], messages: [
            (0, Self.t0, huge), (0, Self.t0 + 1, CDRBytes.jointState(Self.psmNames, position: [1, 2, 3, 4, 5, 6])),
        ]))
        guard case .session(let named) = mixedFrames[0].body else { Issue.record("no session"); return }
        #expect(named.arms.first?.joints == DVRKArms.psm)
        #expect(mixedFrames.count == 2)
        #expect(mixed.notes.last?.hasPrefix("1 message could not be read:") == true, "\(mixed.notes)")

        let (recording, frames, errors) = try frames(HandBag(topics: [topic], messages: [(0, Self.t0, huge), (0, Self.t0 + 1, huge)]))
        #expect(errors.isEmpty)
        guard case .session(let session) = frames[0].body else { Issue.record("no session"); return }
        #expect(session.arms == [ArmDescriptor(id: "PSM1", kind: .psm, joints: [])])
        #expect(frames.count == 1)
        #expect(recording.notes.last?.hasPrefix("2 messages could not be read:") == true && recording.notes.last?.contains("more than 64 joints") == true,
                "\(recording.notes)")
    }

    @Test("a big-endian bag reads as a little-endian one")
    func bigEndian() throws {
        func bag(_ big: Bool) -> HandBag {
            HandBag(topics: [.init(topic: "/ECM/measured_js", schema: "sensor_msgs/msg/JointState"),
                             .init(topic: "/ECM/measured_cp", schema: "geometry_msgs/msg/TransformStamped"),
                             .init(topic: "/ECM/operating_state", schema: "crtk_msgs/msg/OperatingState")],
                    messages: [(0, Self.t0, CDRBytes.jointState(DVRKArms.ecm.map(\.name), position: [0.1, 0.2, 0.03, 0.4], bigEndian: big)),
                               (1, Self.t0 + 5_000_000, CDRBytes.transformStamped([0.1, 0.2, 0.3], bigEndian: big)),
                               (2, Self.t0 + 7_000_000, CDRBytes.operatingState("FAULT", homed: true, bigEndian: big))])
        }
        let (_, little, _) = try frames(bag(false), name: "e.mcap")
        let (_, big, errors) = try frames(bag(true), name: "e.mcap")
        #expect(errors.isEmpty)
        #expect(big == little && big.count == 4)
        #expect(big.last.flatMap(ROS2BagTests.arm)?.state == .fault)
        #expect(big[1].t == 0 && big[2].t == 0.005)
    }

    @Test("a --map file names the arms and kinds; joint names that are no dVRK arm's have no limits")
    func customMap() throws {
        let map = """
            arms:
              Left:
                kind: PSM
                joints: /left/js
              Scope:
                kind: other
                joints: /scope/js
            events:
              /notes: {kind: note}
            """
        let bag = HandBag(topics: [.init(topic: "/left/js", schema: "sensor_msgs/msg/JointState"),
                                   .init(topic: "/scope/js", schema: "sensor_msgs/msg/JointState"),
                                   .init(topic: "/notes", schema: "std_msgs/msg/String"),
                                   .init(topic: "/PSM1/measured_js", schema: "sensor_msgs/msg/JointState")],
                          messages: [(0, Self.t0, CDRBytes.jointState(["yaw", "shoulder", "jaw"], position: [0, 0, 0])),
                                     (1, Self.t0, CDRBytes.jointState(["yaw"], position: [0])),
                                     (2, Self.t0 + 1, CDRBytes.string("needle passed \u{1B}[2J\u{1B}]52;c;AAAA\u{07}")),
                                     (3, Self.t0 + 2, CDRBytes.jointState(Self.psmNames, position: [0, 0, 0, 0, 0, 0]))])
        let (recording, frames, errors) = try frames(bag, map: map, name: "lab run\u{1B}[31m.mcap")
        #expect(errors.isEmpty)
        guard case .session(let session) = frames[0].body else { Issue.record("no session"); return }
        #expect(session.id == "lab run", "the escape sequence is removed whole")
        #expect(session.arms == [
            ArmDescriptor(id: "Left", kind: .psm, joints: [DVRKArms.psm[0], JointDescriptor(name: "shoulder", unit: .rad), DVRKArms.jaw]),
            ArmDescriptor(id: "Scope", kind: .other, joints: [JointDescriptor(name: "yaw", unit: .rad)]),
        ])
        #expect(frames.contains { $0.body == .event(EventNote(kind: "note", text: "needle passed ")) })
        #expect(recording.notes == ["topic '/PSM1/measured_js' (sensor_msgs/msg/JointState) matches nothing in the topic map: skipped."])
    }

    @Test("a bad --map file stops opening with its file:line:col problem")
    func badMap() throws {
        let path = try HandBag(topics: [.init(topic: "/a", schema: "std_msgs/msg/String")], messages: [(0, Self.t0, CDRBytes.string("x"))]).write()
        let error = #expect(throws: InteropError.self) { try openBag(path, map: "arms:\n  PSM1:\n    pose: /x\n") }
        #expect(error?.description.hasPrefix("--map: ") == true && error?.description.contains(":3:5: unknown key 'pose' in arm 'PSM1'") == true,
                "\(error?.description ?? "")")
    }

    @Test("a bag cut while recording (no summary) is read by scanning, and says so")
    func truncated() throws {
        var messages: [(Int, UInt64, [UInt8])] = []
        for k in 0..<400 {
            let time = Self.t0 + UInt64(k) * 1_000_000
            let data = k % 2 == 0 ? CDRBytes.jointState(Self.psmNames, position: [0, 0, 0.1, 0, 0, 0]) : CDRBytes.poseStamped([0, 0, Double(k) / 1000])
            messages.append((k % 2, time, data))
        }
        let bag = HandBag(topics: [.init(topic: "/PSM1/measured_js", schema: "sensor_msgs/msg/JointState"),
                                   .init(topic: "/PSM1/measured_cp", schema: "geometry_msgs/msg/PoseStamped")],
                          messages: messages, chunkSize: 4096)
        let path = try bag.write()
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try whole.prefix(whole.count * 2 / 3).write(to: URL(fileURLWithPath: path))
        let recording = try openBag(path)
        let (frames, errors) = decodedFrames(recording, path: path)
        #expect(errors.isEmpty)
        #expect(frames.count > 100 && frames.count < 400)
        guard case .session(let session) = frames[0].body else { Issue.record("no session"); return }
        #expect(session.arms.first?.joints == DVRKArms.psm)
        let first = recording.notes.first ?? ""
        #expect(first.hasPrefix("no summary (the file has no Footer): read by scanning"), "\(recording.notes)")
    }

    @Test("a bag with no messages cannot be opened, and says why")
    func empty() throws {
        let path = try HandBag(topics: [.init(topic: "/PSM1/measured_js", schema: "sensor_msgs/msg/JointState")], messages: []).write(name: "empty.mcap")
        let error = #expect(throws: InteropError.self) { try openBag(path) }
        #expect(error?.description.hasSuffix("empty.mcap' holds no messages.") == true, "\(error?.description ?? "")")
        // rosbags writes one chunk: cut inside it, nothing is left, and the MCAP reader's finding says why.
        let cut = FileManager.default.temporaryDirectory.appendingPathComponent("ros2-cut-\(UUID().uuidString).mcap").path
        defer { try? FileManager.default.removeItem(atPath: cut) }
        try Data(contentsOf: URL(fileURLWithPath: ROS2Fixtures.dvrk)).prefix(200_000).write(to: URL(fileURLWithPath: cut))
        let cutError = #expect(throws: InteropError.self) { _ = try openBag(cut) }
        #expect(cutError?.description.hasSuffix("holds no messages that can be read (no summary (the file has no Footer): read by scanning; file ends inside a record at byte 43).") == true,
                "\(cutError?.description ?? "")")
    }
}
