import Foundation
import Testing
import Simulator
import Telemetry

/// The joint facts written into `DVRKArms` must be exactly those of the dVRK's own files in
/// shared/realdata/dvrk (beside the checkout, as in CI).
@Suite("dVRK arm definitions")
struct DVRKLimitsTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/realdata/dvrk").standardizedFileURL

    /// The file as JSON, after removing the `//` and `/* */` comments the dVRK allows.
    static func load(_ name: String) throws -> [String: Any] {
        let url = directory.appendingPathComponent(name)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw RealDataMissing(path: url.path)
        }
        let json = stripComments(text)
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8))
        return object as? [String: Any] ?? [:]
    }

    struct RealDataMissing: Error, CustomStringConvertible {
        var path: String
        var description: String { "dVRK definition not found at \(path) (shared/ must be beside the checkout)" }
    }

    /// Comments out, strings left alone.
    static func stripComments(_ text: String) -> String {
        var out: [Character] = []
        let chars = Array(text)
        var i = 0
        var inString = false
        while i < chars.count {
            let c = chars[i]
            let next: Character? = i + 1 < chars.count ? chars[i + 1] : nil
            if inString {
                out.append(c)
                if c == "\\", let next { out.append(next); i += 2; continue }
                if c == "\"" { inString = false }
                i += 1
            } else if c == "\"" {
                inString = true
                out.append(c)
                i += 1
            } else if c == "/" && next == "/" {
                while i < chars.count && chars[i] != "\n" { i += 1 }
            } else if c == "/" && next == "*" {
                i += 2
                while i + 1 < chars.count && !(chars[i] == "*" && chars[i + 1] == "/") { i += 1 }
                i += 2
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(out)
    }

    /// The joints of a kinematic file, in order, as descriptors.
    static func joints(_ name: String) throws -> [JointDescriptor] {
        let root = try load(name)
        let dh = root["DH"] as? [String: Any] ?? [:]
        let list = (dh["joints"] ?? dh["links"]) as? [[String: Any]] ?? []
        return list.map { joint in
            JointDescriptor(name: joint["name"] as? String ?? "?",
                            unit: joint["type"] as? String == "prismatic" ? .m : .rad,
                            min: (joint["qmin"] as? NSNumber)?.doubleValue,
                            max: (joint["qmax"] as? NSNumber)?.doubleValue,
                            effortMax: (joint["ftmax"] as? NSNumber)?.doubleValue)
        }
    }

    @Test("PSM: yaw, pitch, insertion from PSM.json, then the needle driver's roll and wrist")
    func psm() throws {
        let expected = try Self.joints("PSM.json") + Self.joints("LARGE_NEEDLE_DRIVER_400006.json")
        #expect(expected.map(\.name) == ["yaw", "pitch", "insertion", "roll", "wrist_pitch", "wrist_yaw"])
        #expect(DVRKArms.psm == expected)
    }

    @Test("the jaw limits are the needle driver's")
    func jaw() throws {
        let jaw = try Self.load("LARGE_NEEDLE_DRIVER_400006.json")["jaw"] as? [String: Any] ?? [:]
        #expect(DVRKArms.jaw == JointDescriptor(name: "jaw", unit: .rad,
                                                min: (jaw["qmin"] as? NSNumber)?.doubleValue,
                                                max: (jaw["qmax"] as? NSNumber)?.doubleValue,
                                                effortMax: (jaw["ftmax"] as? NSNumber)?.doubleValue))
    }

    @Test("ECM: yaw, pitch, insertion, roll from ECM.json")
    func ecm() throws {
        #expect(DVRKArms.ecm == (try Self.joints("ECM.json")))
        #expect(DVRKArms.ecm.count == 4)
    }

    @Test("masters: the seven joints of MTML.json and MTMR.json")
    func masters() throws {
        #expect(DVRKArms.mtml == (try Self.joints("MTML.json")))
        #expect(DVRKArms.mtmr == (try Self.joints("MTMR.json")))
        #expect(DVRKArms.mtm == DVRKArms.mtmr)
        #expect(DVRKArms.mtml.count == 7)
    }
}
