import Foundation
import Testing

/// `surgtop report` and `replay --snapshot` on the rosbags-written dVRK bag (Tests/InteropTests/Fixtures, made by
/// scripts/make-ros2-bags), end to end: `.mcap` → MCAPRecordings (part mcapin) → ROS2Recording.
@Suite("surgtop on a ROS 2 bag from a dVRK", .serialized)
struct ROS2BagCLITests {
    static let bag = CLI.packageRoot.appendingPathComponent("Tests/InteropTests/Fixtures/dvrk-crtk.mcap").path

    @Test("report --json gives the bag's arms, duration, and tool-tip path lengths built into it")
    func report() throws {
        let result = try CLI.run(["report", Self.bag, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        #expect(object["session_id"] as? String == "dvrk-crtk")
        #expect(object["started_at"] as? String == "2026-11-24T09:00:00Z")
        #expect(object["duration"] as? Double == 6)
        let arms = try #require(object["arms"] as? [[String: Any]])
        #expect(arms.map { $0["id"] as? String } == ["PSM1", "PSM2", "ECM", "MTML", "MTMR"])
        #expect(arms.first?["joints"] as? [String] == ["yaw", "pitch", "insertion", "roll", "wrist_pitch", "wrist_yaw"])
        let skills = try #require((object["skills"] as? [String: Any])?["session"] as? [String: Any])
        let paths = Dictionary(uniqueKeysWithValues: (skills["arms"] as? [[String: Any]] ?? []).map {
            ($0["arm"] as? String ?? "", $0["path_length_mm"] as? Double ?? -1)
        })
        // By construction: PSM1 120 mm, PSM2 60 mm, MTMR 180 mm, the ECM still, MTML without a tip.
        #expect(paths.keys.sorted() == ["ECM", "MTMR", "PSM1", "PSM2"])
        for (arm, mm) in [("PSM1", 120.0), ("PSM2", 60.0), ("MTMR", 180.0), ("ECM", 0.0)] {
            #expect(abs((paths[arm] ?? -1) - mm) < 1e-6, "\(arm): \(paths[arm] ?? -1)")
        }
    }

    @Test("replay --snapshot shows the bag's arms with their dVRK joints and the status events")
    func snapshot() throws {
        let result = try CLI.run(["replay", Self.bag, "--snapshot", "120x40", "--at", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        for text in ["dvrk-crtk", "09:00:03 UTC", "PSM1 ENABLED", "PSM2 ENABLED", "ECM ENABLED", "MTML ENABLED", "MTMR ENABLED",
                     "insertion", "wrist_yaw", "status PSM1: PSM1 status at 1 s"] {
            #expect(result.stdout.contains(text), "\(text)\n\(result.stdout)")
        }
    }

    @Test("--map FILE names the arms and events; a map with a mistake stops report, check and replay with exit 2 and its place")
    func map() throws {
        let dir = CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.yaml").path
        try "arms:\n  PSM1:\n    pose: /PSM1/measured_cp\n".write(toFile: bad, atomically: true, encoding: .utf8)
        for command in [["report"], ["check"], ["replay", "--headless"]] {
            let result = try CLI.run(command + [Self.bag, "--map", bad])
            #expect(result.status == 2, "\(command)")
            #expect(result.stderr == "surgtop: --map: \(bad):3:5: unknown key 'pose' in arm 'PSM1' (expected one of: kind, joints, jaw, tip, twist, state)\n",
                    "\(command): \(result.stderr)")
        }
        let good = dir.appendingPathComponent("lab.yaml").path
        try """
            arms:
              Left:
                kind: PSM
                joints: /PSM1/measured_js
                tip: /PSM1/measured_cp
            events:
              /PSM1/status: {kind: note}
            """.write(toFile: good, atomically: true, encoding: .utf8)
        let result = try CLI.run(["report", Self.bag, "--map", good, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        #expect((object["arms"] as? [[String: Any]])?.map { $0["id"] as? String } == ["Left"])
        #expect(object["events_by_kind"] as? [String: Int] == ["note": 2])
    }
}
