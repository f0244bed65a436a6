import Foundation
import Interop
import Telemetry
import Testing
import YAMLFiles

@Suite("Topic map files (--map)")
struct TopicMapTests {
    @Test("the default maps the dVRK's CRTK names for PSM1–3, ECM, MTML and MTMR")
    func dvrkDefault() {
        let map = TopicMap.dvrk
        #expect(map.arms.map(\.id) == ["PSM1", "PSM2", "PSM3", "ECM", "MTML", "MTMR"])
        #expect(map.arms.map(\.kind) == [.psm, .psm, .psm, .ecm, .mtm, .mtm])
        #expect(map.routes["/PSM1/measured_js"] == .arm("PSM1", .joints))
        #expect(map.routes["/PSM2/measured_cp"] == .arm("PSM2", .tip))
        #expect(map.routes["/PSM3/jaw/measured_js"] == .arm("PSM3", .jaw))
        #expect(map.routes["/ECM/measured_cv"] == .arm("ECM", .twist))
        #expect(map.routes["/MTML/gripper/measured_js"] == .arm("MTML", .jaw))
        #expect(map.routes["/MTMR/operating_state"] == .arm("MTMR", .state))
        #expect(map.routes["/ECM/jaw/measured_js"] == nil)
        #expect(map.routes["/PSM1/error"] == .event(kind: "error", source: "PSM1"))
    }

    @Test("the README shows the default map as it is built in, so a user can start a map from it")
    func readmeHasDefault() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        #expect(text.contains("```yaml\n" + TopicMap.defaultYAML + "```"))
    }

    @Test("a map names arms, their kinds and topics, and event topics with a kind and source")
    func custom() throws {
        let map = try TopicMap.parse(yaml: """
            arms:
              LeftTool:
                kind: PSM
                joints: /left/joint_states
                tip: /left/tool_pose
              Camera:
                joints: /cam/js
            events:
              /annotations: {kind: note}
              /left/fault: {kind: error, source: LeftTool}
            """, file: "lab.yaml")
        #expect(map.arms.map(\.id) == ["LeftTool", "Camera"])
        #expect(map.arms.map(\.kind) == [.psm, .other])
        #expect(map.routes["/left/tool_pose"] == .arm("LeftTool", .tip))
        #expect(map.routes["/annotations"] == .event(kind: "note", source: nil))
        #expect(map.routes["/left/fault"] == .event(kind: "error", source: "LeftTool"))
        #expect(map.routes.count == 5)
    }

    @Test("an empty file maps nothing")
    func empty() throws {
        #expect(try TopicMap.parse(yaml: "# nothing yet\n", file: "m.yaml") == TopicMap())
    }

    @Test("mistakes are refused with file:line:col and what is expected", arguments: [
        ("arms:\n  PSM1:\n    joint: /PSM1/measured_js\n", "m.yaml:3:5: unknown key 'joint' in arm 'PSM1' (expected one of: kind, joints, jaw, tip, twist, state)"),
        ("topics:\n  /a: PSM1\n", "m.yaml:1:1: unknown key 'topics' in the topic map (expected one of: arms, events)"),
        ("arms:\n  PSM1:\n    kind: Robot\n", "m.yaml:3:11: kind of arm 'PSM1' must be one of PSM, ECM, MTM, other, found 'Robot'"),
        ("arms:\n  PSM1:\n    tip: PSM1/measured_cp\n", "m.yaml:3:10: PSM1.tip: a topic must be a ROS 2 topic name starting with / (e.g. /PSM1/measured_js), found 'PSM1/measured_cp'"),
        ("arms:\n  A:\n    tip: /x\n  B:\n    joints: /x\n", "m.yaml:5:13: topic '/x' is mapped twice: at A.tip (line 3) and at B.joints"),
        ("events:\n  /notes: {source: PSM1}\n", "m.yaml:2:3: event topic '/notes' needs a kind (e.g. kind: note)"),
        ("events:\n  /notes: {kind: 'two words'}\n", "m.yaml:2:18: kind of event topic '/notes' must be a word (letters, digits, _ - .), found 'two words'"),
        ("arms:\n  'PSM 1':\n    tip: /x\n", "m.yaml:2:3: an arm id must be a word of up to 64 letters, digits, _ - or . (e.g. PSM1), found 'PSM 1'"),
        ("arms: [PSM1]\n", "m.yaml:1:7: arms must be a mapping, found a list"),
        ("arms:\n  PSM1:\n    tip: /a\n  PSM1:\n    jaw: /b\n", "m.yaml:4:3: arm 'PSM1' appears twice in arms"),
    ])
    func mistakes(yaml: String, expected: String) {
        let error = #expect(throws: FileProblem.self) { try TopicMap.parse(yaml: yaml, file: "m.yaml") }
        #expect(error?.description == expected)
    }

    @Test("a map file nested too deep or using aliases is refused before parsing; a missing file says so")
    func guards() {
        let deep = String(repeating: "[", count: 200)
        #expect((#expect(throws: FileProblem.self) { try TopicMap.parse(yaml: deep, file: "d.yaml") })?.description.contains("nested more than") == true)
        let alias = "arms:\n  A: &a {tip: /x}\n  B: *a\n"
        #expect((#expect(throws: FileProblem.self) { try TopicMap.parse(yaml: alias, file: "a.yaml") })?.description.contains("aliases") == true)
        #expect((#expect(throws: FileProblem.self) { try TopicMap.load(path: "/nonexistent/map.yaml") })?.description == "/nonexistent/map.yaml: no such file")
    }

    @Test("an arm's kind comes from its name when the map gives none")
    func kindFromName() {
        #expect(TopicMap.kind(ofArmNamed: "PSM3") == .psm)
        #expect(TopicMap.kind(ofArmNamed: "ECM") == .ecm)
        #expect(TopicMap.kind(ofArmNamed: "MTML") == .mtm)
        #expect(TopicMap.kind(ofArmNamed: "SUJ") == .other)
    }
}
