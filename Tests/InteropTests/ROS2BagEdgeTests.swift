import Foundation
import Interop
import MCAP
import Simulator
import Telemetry
import Testing

/// ROS 2 bags at the edges: the session's time base, line sizes, damaged chunks, odd summaries, seeking
/// through overlapping chunks.
@Suite("ROS 2 bags: time base, line sizes, damage and seeking", .serialized)
struct ROS2BagEdgeTests {
    static let psmNames = DVRKArms.psm.map(\.name)
    static let t0 = HandBag.start
    static let jointsTopic = HandBag.Topic(topic: "/PSM1/measured_js", schema: "sensor_msgs/msg/JointState")
    static let tipTopic = HandBag.Topic(topic: "/PSM1/measured_cp", schema: "geometry_msgs/msg/PoseStamped")
    static let statusTopic = HandBag.Topic(topic: "/PSM1/status", schema: "std_msgs/msg/String")

    static func session(_ frames: [Frame]) -> SessionInfo? {
        if case .session(let session)? = frames.first?.body { return session }
        return nil
    }

    /// 0.01 s apart: joint states, with a tip in between, every tip's x its index in mm.
    static func psmMessages(_ count: Int, from start: UInt64 = t0) -> [(Int, UInt64, [UInt8])] {
        (0..<count).map { k in
            let time = start + UInt64(k) * 10_000_000
            return k % 2 == 0 ? (0, time, CDRBytes.jointState(psmNames, position: [0, 0, 0.1, 0, 0, Double(k)]))
                : (1, time, CDRBytes.poseStamped([Double(k) / 1000, 0, 0]))
        }
    }

    // MARK: - Time base

    @Test("a stray early message on a topic nothing maps does not move the session's start: t counts from the first mapped message")
    func strayEarlyMessage() throws {
        let bag = HandBag(topics: [Self.jointsTopic, Self.tipTopic, .init(topic: "/rosout", schema: "std_msgs/msg/String")],
                          messages: [(2, 5, CDRBytes.string("clock not set yet"))] + Self.psmMessages(20))
        let path = try bag.write()
        let recording = try openBag(path)
        let (frames, errors) = decodedFrames(recording, path: path)
        #expect(errors.isEmpty, "\(errors.prefix(2))")
        #expect(Self.session(frames)?.startedAt == "2026-11-24T09:00:00Z")
        #expect(frames.count == 21)
        #expect(frames.dropFirst().map(\.t) == (0..<20).map { Double($0 * 10_000_000) / 1e9 })
    }

    @Test("a Statistics record whose start time is hostile does not set the start either")
    func hostileStatistics() throws {
        let path = try HandBag(topics: [Self.jointsTopic, Self.tipTopic], messages: Self.psmMessages(20)).write()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let reader = try MCAPReader(path: path)
        let statistics = try #require(reader.summaryOffsets.first { $0.groupOpcode == 0x0B })
        // message_start_time follows the record's opcode and length and six counts (26 bytes): make it 5 ns.
        let at = Int(statistics.groupStart) + 9 + 26
        bytes.replaceSubrange(at..<at + 8, with: [5, 0, 0, 0, 0, 0, 0, 0])
        Self.resealSummary(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try MCAPReader(path: path).statistics?.messageStartTime == 5, "the patched file still reads, its summary trusted")

        let recording = try openBag(path)
        let (frames, errors) = decodedFrames(recording, path: path)
        #expect(errors.isEmpty, "\(errors.prefix(2))")
        #expect(Self.session(frames)?.startedAt == "2026-11-24T09:00:00Z")
        #expect(frames.count == 21 && frames.last?.t == 0.19)
    }

    @Test("a mapped message whose log time is too far from the start for a frame's t is skipped and noted, not a bad line")
    func farLogTime() throws {
        var messages = Self.psmMessages(10)
        messages.insert((1, Self.t0 + 1_100_000_000_000_000_000, CDRBytes.poseStamped([1, 1, 1])), at: 5)  // 1.1 × 10⁹ s later
        let path = try HandBag(topics: [Self.jointsTopic, Self.tipTopic], messages: messages).write()
        let recording = try openBag(path)
        let (frames, errors) = decodedFrames(recording, path: path)
        #expect(errors.isEmpty, "\(errors.prefix(2))")
        #expect(frames.count == 11)
        #expect(recording.notes == ["1 message skipped: log time more than 10⁹ s from the session's start (2026-11-24T09:00:00Z), beyond what a frame's t may be "
                                    + "(the first: '/PSM1/measured_cp' at log time 2061-10-02T20:33:20Z)."], "\(recording.notes)")
    }

    // MARK: - Line sizes

    @Test("an event text of one character with 40,000 combining marks is cut by bytes: a line the decoder accepts")
    func combiningEventText() throws {
        let text = "a" + String(repeating: "\u{301}", count: 40_000)
        let path = try HandBag(topics: [Self.jointsTopic, Self.statusTopic],
                               messages: [(0, Self.t0, CDRBytes.jointState(Self.psmNames, position: [0, 0, 0.1, 0, 0, 0])),
                                          (1, Self.t0 + 1, CDRBytes.string(text))]).write()
        let recording = try openBag(path)
        let bytes = allBytes(recording)
        #expect(bytes.split(separator: 0x0A).allSatisfy { $0.count < 64 << 10 })
        let (frames, errors) = decodedFrames(try openBag(path), path: path)
        #expect(errors.isEmpty, "\(errors.prefix(2))")
        guard case .event(let event)? = frames.last?.body, let text = event.text else { Issue.record("no event frame"); return }
        #expect(text.unicodeScalars.starts(with: "PSM1: a\u{301}\u{301}".unicodeScalars) && text.hasSuffix("…"))
        #expect(text.utf8.count <= "PSM1: ".utf8.count + ROS2RecordingLimits.eventText + "…".utf8.count)
    }

    @Test("64 joint names padded with combining marks are cut to 64 bytes each: the session stands and every arm frame reads")
    func combiningJointNames() throws {
        let names = (1...64).map { "j\($0)" + String(repeating: "\u{301}", count: 1_000) }
        let values = (1...64).map(Double.init)
        let path = try HandBag(topics: [Self.jointsTopic],
                               messages: (0..<3).map { k in (0, Self.t0 + UInt64(k), CDRBytes.jointState(names, position: values)) }).write()
        let (frames, errors) = decodedFrames(try openBag(path), path: path)
        #expect(errors.isEmpty, "\(errors.prefix(2))")
        let joints = try #require(Self.session(frames)?.arms.first?.joints)
        #expect(joints.count == 64 && joints.allSatisfy { $0.name.utf8.count <= 64 })
        #expect(joints[9].name.unicodeScalars.starts(with: "j10\u{301}".unicodeScalars))
        #expect(frames.dropFirst().compactMap(ROS2BagTests.arm).map { $0.position.map(Array.init) } == Array(repeating: values, count: 3))
    }

    @Test("arms whose joints would make the session line too long are left out, noted, and their messages skipped")
    func tooManyLongJoints() throws {
        // Quotes double once JSON-escaped: 64 names of 64 bytes are about 10 KB an arm.
        let names = (1...64).map { i in "\(i)" + String(repeating: "\"", count: 62) }
        let arms = (1...8).map { "Arm\($0)" }
        let map = "arms:\n" + arms.map { "  \($0):\n    kind: other\n    joints: /\($0)/js\n" }.joined()
        let bag = HandBag(topics: arms.map { .init(topic: "/\($0)/js", schema: "sensor_msgs/msg/JointState") },
                          messages: arms.indices.map { ($0, Self.t0 + UInt64($0), CDRBytes.jointState(names, position: Array(repeating: 0, count: 64))) })
        let path = try bag.write()
        let recording = try openBag(path, map: map)
        let bytes = allBytes(recording)
        #expect(bytes.split(separator: 0x0A).allSatisfy { $0.count < FrameDecoder.maxLineBytes })
        let (frames, errors) = decodedFrames(try openBag(path, map: map), path: path)
        #expect(errors.isEmpty, "\(errors.prefix(2))")
        let kept = try #require(Self.session(frames)).arms.map(\.id)
        #expect(kept.count >= 4 && kept.count < 8 && kept == Array(arms.prefix(kept.count)))
        #expect(frames.count == 1 + kept.count, "the left-out arms' frames are skipped, not unknown-arm lines")
        let left = arms.dropFirst(kept.count).joined(separator: ", ")
        #expect(recording.notes == ["arms \(left) left out, their messages skipped: with them the session frame would pass the 65536-byte line limit."],
                "\(recording.notes)")
    }

    @Test("joint names that clash once sanitised get ~2: two joints never share an index")
    func clashingJointNames() throws {
        let names = ["yaw", "yaw\u{1B}[31m", "pitch"]
        let path = try HandBag(topics: [Self.jointsTopic],
                               messages: [(0, Self.t0, CDRBytes.jointState(names, position: [1, 2, 3])),
                                          (0, Self.t0 + 1, CDRBytes.jointState(names.reversed(), position: [30, 20, 10]))]).write()
        let (frames, errors) = decodedFrames(try openBag(path), path: path)
        #expect(errors.isEmpty, "\(errors.prefix(2))")
        #expect(Self.session(frames)?.arms.first?.joints.map(\.name) == ["yaw", "yaw~2", "pitch"])
        #expect(frames.dropFirst().compactMap(ROS2BagTests.arm).map { $0.position.map(Array.init) } == [[1, 2, 3], [10, 20, 30]])
    }

    // MARK: - Which joints, which arms, which limits

    @Test("two channels on one topic: the joint names come from the earliest JointState by log time, every time")
    func twoChannelsOneTopic() throws {
        let other = ["a", "b", "c", "d", "e", "f"]
        // The second channel's message comes first in the file, but is later by log time.
        let bag = HandBag(topics: [Self.jointsTopic, Self.jointsTopic],
                          messages: [(1, Self.t0 + 5, CDRBytes.jointState(other, position: [0, 0, 0, 0, 0, 0])),
                                     (0, Self.t0, CDRBytes.jointState(Self.psmNames, position: [0, 0, 0.1, 0, 0, 0]))],
                          chunkSize: 64)
        let path = try bag.write()
        for _ in 0..<5 {
            let (frames, _) = decodedFrames(try openBag(path), path: path)
            #expect(Self.session(frames)?.arms.first?.joints == DVRKArms.psm)
        }
    }

    @Test("an MTM's limits are MTML's or MTMR's only for those exact ids: MTM_LEFT has none")
    func mtmLimitsByExactID() throws {
        let mtm = DVRKArms.mtml.map(\.name)
        let map = "arms:\n  MTM_LEFT:\n    joints: /left/js\n  MTMR:\n    joints: /right/js\n"
        let path = try HandBag(topics: [.init(topic: "/left/js", schema: "sensor_msgs/msg/JointState"),
                                        .init(topic: "/right/js", schema: "sensor_msgs/msg/JointState")],
                               messages: [(0, Self.t0, CDRBytes.jointState(mtm, position: mtm.map { _ in 0 })),
                                          (1, Self.t0, CDRBytes.jointState(mtm, position: mtm.map { _ in 0 }))]).write()
        let (frames, _) = decodedFrames(try openBag(path, map: map), path: path)
        let arms = try #require(Self.session(frames)).arms
        #expect(arms.map(\.kind) == [.mtm, .mtm])
        #expect(arms[0].joints == mtm.map { JointDescriptor(name: $0, unit: .rad) })
        #expect(arms[1].joints == DVRKArms.mtmr)
    }

    @Test("a summary with neither per-channel counts nor message indexes: the arms come from a scan (Python mcap writes it)")
    func summaryWithoutCounts() throws {
        guard try ROS2BagTests.pythonROSBags() else { return }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ros2-noidx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bag.mcap").path
        let hex = Self.psmMessages(10).map { "\($0.0) \($0.1) " + $0.2.map { String(format: "%02x", $0) }.joined() }.joined(separator: "\n")
        let script = """
            import sys
            from mcap.writer import Writer, IndexType, CompressionType
            with open(sys.argv[1], "wb") as f:
                w = Writer(f, compression=CompressionType.NONE, index_types=IndexType.CHUNK, use_statistics=False)
                w.start(profile="ros2", library="test")
                js = w.register_schema("sensor_msgs/msg/JointState", "ros2msg", b"#")
                cp = w.register_schema("geometry_msgs/msg/PoseStamped", "ros2msg", b"#")
                ids = [w.register_channel("/PSM1/measured_js", "cdr", js), w.register_channel("/PSM1/measured_cp", "cdr", cp)]
                for line in sys.stdin.read().split("\\n"):
                    c, t, data = line.split(" ")
                    w.add_message(ids[int(c)], log_time=int(t), data=bytes.fromhex(data), publish_time=int(t))
                w.finish()
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data(hex.utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let reader = try MCAPReader(path: path)
        #expect(reader.hasSummary && (reader.statistics?.channelMessageCounts ?? [:]).isEmpty
                && reader.chunkIndexes.allSatisfy { $0.messageIndexOffsets.isEmpty }, "the case under test")
        let (frames, errors) = decodedFrames(try openBag(path), path: path)
        #expect(errors.isEmpty, "\(errors.prefix(2))")
        #expect(Self.session(frames)?.arms == [ArmDescriptor(id: "PSM1", kind: .psm, joints: DVRKArms.psm)])
        #expect(frames.count == 11)
    }

    // MARK: - Damage

    /// A bag of several chunks whose tip at index `marked` has x = 12345.678: the bytes to damage.
    static func damagedBag(marked: Int, count: Int = 400) throws -> String {
        var messages = psmMessages(count)
        messages[marked] = (1, messages[marked].1, CDRBytes.poseStamped([12345.678, 0, 0]))
        let path = try HandBag(topics: [jointsTopic, tipTopic], messages: messages, chunkSize: 4096).write()
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let pattern = withUnsafeBytes(of: (12345.678).bitPattern.littleEndian, Array.init)
        let at = try #require((0...bytes.count - 8).first { Array(bytes[$0..<$0 + 8]) == pattern })
        bytes[at] ^= 0x01  // still a readable PoseStamped: only the chunk's CRC tells
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("a CRC mismatch in the first chunk: the bag opens, reading stops there with --ignore-crc named; with it, all is read")
    func crcMismatchInFirstChunk() throws {
        let path = try Self.damagedBag(marked: 3)
        let recording = try openBag(path)
        let (frames, errors) = decodedFrames(recording, path: path)
        #expect(errors.isEmpty)
        #expect(Self.session(frames)?.arms.first?.joints == DVRKArms.psm, "joint names from a chunk past the damage")
        #expect(frames.count == 1)
        let problem = try #require(recording.problem)
        #expect(problem.hasPrefix("recording '\(path)': CRC mismatch in the chunk at byte ") && problem.hasSuffix("; reading stopped there (--ignore-crc reads it anyway)"),
                "\(problem)")

        let ignoring = try openBag(path, ignoreCRC: true)
        let (all, _) = decodedFrames(ignoring, path: path)
        #expect(all.count == 401 && ignoring.problem == nil)
        #expect(ignoring.notes.filter { $0.hasPrefix("CRC mismatch in the chunk at byte ") }.count == 1, "\(ignoring.notes)")
    }

    @Test("a CRC mismatch mid-bag: the frames before it stand, then reading stops")
    func crcMismatchMidBag() throws {
        let path = try Self.damagedBag(marked: 201)
        let recording = try openBag(path)
        let (frames, _) = decodedFrames(recording, path: path)
        #expect(frames.count > 100 && frames.count < 202)
        #expect(recording.problem?.contains("(--ignore-crc reads it anyway)") == true)
    }

    @Test("a damaged chunk is noted once, however often the survey, reading and seeks load it again")
    func problemsOnce() throws {
        let path = try Self.damagedBag(marked: 201, count: 2_000)
        let recording = try openBag(path, ignoreCRC: true)
        let whole = allBytes(recording)
        let lineStarts = [0] + whole.indices.filter { whole[$0] == 0x0A }.map { $0 + 1 }.dropLast()
        for start in [0, lineStarts[150], lineStarts[1_000], 0] {
            #expect(recording.seek(to: start))
            _ = allBytes(recording)
        }
        #expect(recording.notes.filter { $0.hasPrefix("CRC mismatch") }.count == 1, "\(recording.notes)")
        #expect(recording.notes.count == 1)
    }

    // MARK: - Seeking

    /// 3,000 messages written so that neighbouring chunks overlap in time (log times jitter by up to 70 ms).
    static func overlappingBag() throws -> String {
        let messages = (0..<3_000).map { k -> (Int, UInt64, [UInt8]) in
            let time = t0 + UInt64(k + 7 * (k % 11)) * 1_000_000
            return (0, time, CDRBytes.jointState(psmNames, position: [0, 0, 0.1, 0, 0, Double(k)]))
        }
        return try HandBag(topics: [jointsTopic], messages: messages, chunkSize: 4096).write()
    }

    static func lineStarts(_ bytes: [UInt8]) -> [Int] {
        [0] + bytes.indices.filter { bytes[$0] == 0x0A }.map { $0 + 1 }.dropLast()
    }

    @Test("seeking a bag of overlapping chunks gives the lines read through, in this instance and from a fresh reader")
    func seekOverlappingChunks() throws {
        let path = try Self.overlappingBag()
        #expect(try MCAPReader(path: path).chunkIndexes.count > 20)
        let whole = allBytes(try openBag(path))
        let starts = Self.lineStarts(whole)
        #expect(whole.count > 3 * ROS2Recording.checkpointSpacing)
        let recording = try openBag(path)
        _ = allBytes(recording)
        for start in [starts[2_500], starts[10], starts[1_499], 0, starts[2_999]] {
            #expect(recording.seek(to: start))
            #expect(allBytes(recording, step: 1_000) == Array(whole[start...]), "from \(start)")
            let fresh = try openBag(path)
            #expect(fresh.seek(to: start))
            #expect(allBytes(fresh) == Array(whole[start...]), "fresh, from \(start)")
        }
    }

    @Test("once the cursor falls back to file order, seeking still gives the lines read through (no checkpoint past the fallback)")
    func seekAfterFileOrderFallback() throws {
        let path = try Self.overlappingBag()
        func open() throws -> ROS2Recording {
            // Held bytes so small the cursor gives up merging at the first overlap and reads on in file order.
            let reader = try MCAPReader(path: path, options: .init(maxHeldBytes: 1))
            return try ROS2Recording(reader: reader, path: path, options: InteropOptions())
        }
        let recording = try open()
        let whole = allBytes(recording)
        let starts = Self.lineStarts(whole)
        #expect(starts.count == 3_001)
        for start in [starts[2_500], starts[1_200], starts[2_999]] {
            #expect(recording.seek(to: start))
            #expect(allBytes(recording) == Array(whole[start...]), "from \(start)")
        }
    }

    // MARK: - rosbags, big-endian

    @Test("a big-endian JointState from rosbags' serialize_cdr reads as the little-endian one (Python; CI must have it)")
    func rosbagsBigEndian() throws {
        guard try ROS2BagTests.pythonROSBags() else { return }
        let script = """
            import numpy as np
            from rosbags.typesys import Stores, get_typestore
            ts = get_typestore(Stores.ROS2_HUMBLE)
            T = ts.types
            msg = T["sensor_msgs/msg/JointState"](
                header=T["std_msgs/msg/Header"](stamp=T["builtin_interfaces/msg/Time"](sec=7, nanosec=9), frame_id="base"),
                name=["yaw", "pitch", "insertion"], position=np.array([0.5, -1.25, 0.125]),
                velocity=np.array([1.0, 2.0, 3.0]), effort=np.array([], dtype=np.float64))
            for little in (True, False):
                print(bytes(ts.serialize_cdr(msg, "sensor_msgs/msg/JointState", little_endian=little)).hex())
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let buffers = output.split(separator: "\n").map { line in
            stride(from: 0, to: line.count, by: 2).map { i in
                UInt8(line[line.index(line.startIndex, offsetBy: i)..<line.index(line.startIndex, offsetBy: i + 2)], radix: 16)!
            }
        }
        try #require(buffers.count == 2)
        #expect(buffers[1][1] == 0x00 && buffers[0][1] == 0x01, "CDR_BE and CDR_LE encapsulations")
        let expected = ROS2Message.jointState(names: ["yaw", "pitch", "insertion"], position: [0.5, -1.25, 0.125], velocity: [1, 2, 3], effort: [])
        #expect(try ROS2Message.decode(.jointState, from: buffers[0]) == expected)
        #expect(try ROS2Message.decode(.jointState, from: buffers[1]) == expected)
    }

    // MARK: - Helpers

    /// Recomputes the summary CRC in the Footer after the summary was patched.
    static func resealSummary(_ bytes: inout [UInt8]) {
        let footerAt = bytes.count - 8 - 29
        let summaryStart = (0..<8).reduce(0) { $0 | Int(bytes[footerAt + 9 + $1]) << (8 * $1) }
        let crc = CRC32.checksum(bytes[summaryStart..<footerAt + 1 + 8 + 16])
        for i in 0..<4 { bytes[footerAt + 25 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
    }
}

/// The byte budgets the tests check lines against (ROS2Recording's are internal).
enum ROS2RecordingLimits {
    static let eventText = 1_000
}
