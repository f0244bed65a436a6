import Telemetry
import YAMLFiles
import Yams

/// Which ROS 2 topics of a bag feed which of surgtop's arms, and which become events (`--map FILE`).
///
/// The file (YAML) has two sections, both optional:
///
/// ```yaml
/// arms:
///   PSM1:                               # the arm's id in surgtop
///     kind: PSM                         # optional: PSM, ECM, MTM or other; by default from the id
///     joints: /PSM1/measured_js         # sensor_msgs/JointState → position, velocity, effort
///     jaw: /PSM1/jaw/measured_js        # sensor_msgs/JointState (its first position) → jaw
///     tip: /PSM1/measured_cp            # PoseStamped or TransformStamped → tip, orientation
///     twist: /PSM1/measured_cv          # TwistStamped → twist
///     state: /PSM1/operating_state      # crtk_msgs/OperatingState → state, homed
/// events:
///   /PSM1/error: {kind: error, source: PSM1}   # std_msgs/String → an event; source prefixes its text
/// ```
///
/// A file replaces the default (`TopicMap.dvrk`, the dVRK's CRTK names) whole; start from `defaultYAML`.
public struct TopicMap: Sendable, Equatable {
    /// What an arm's topic carries.
    public enum Carries: String, Sendable, CaseIterable {
        case joints, jaw, tip, twist, state

        /// The message types a topic carrying this may have.
        public var types: [ROS2MessageType] {
            switch self {
            case .joints, .jaw: [.jointState]
            case .tip: [.poseStamped, .transformStamped]
            case .twist: [.twistStamped]
            case .state: [.operatingState]
            }
        }
    }

    public struct Arm: Sendable, Equatable {
        public var id: String
        public var kind: ArmKind
        public var topics: [Carries: String]
    }

    /// Where a topic's messages go.
    public enum Route: Sendable, Equatable {
        case arm(String, Carries)
        /// An event of `kind`; its text starts with "`source`: " when a source is given.
        case event(kind: String, source: String?)

        /// The message types a topic on this route may have.
        public var types: [ROS2MessageType] {
            switch self {
            case .arm(_, let carries): carries.types
            case .event: [.string]
            }
        }
    }

    /// The arms, in the order the file lists them (the session frame's order).
    public private(set) var arms: [Arm] = []
    /// Every mapped topic.
    public private(set) var routes: [String: Route] = [:]

    public init() {}

    /// The arm `id` is, without a `kind`: PSM…, ECM…, MTM… (the dVRK's names), else `other`.
    public static func kind(ofArmNamed id: String) -> ArmKind {
        for kind in [ArmKind.psm, .ecm, .mtm] where id.uppercased().hasPrefix(kind.rawValue) { return kind }
        return .other
    }

    // MARK: - Reading a file

    /// Reads the map file at `path` (size, nesting and aliases checked before parsing).
    public static func load(path: String) throws(FileProblem) -> TopicMap {
        try parse(yaml: try SettingsFileGuard.readText(path: path), file: path)
    }

    /// Parses map text; `file` names it in errors (`file:line:col: problem`). An empty file maps nothing.
    public static func parse(yaml: String, file: String) throws(FileProblem) -> TopicMap {
        var map = TopicMap()
        guard let document = try composeYAML(yaml, file: file) else { return map }
        if case .scalar(let scalar) = document, scalar.string.isEmpty { return map }
        let reader = Reader(file: file)
        var placed: [String: String] = [:]  // topic → where it was mapped first, for the error
        for (section, _, body) in try reader.pairs(document, allowed: ["arms", "events"], what: "the topic map") {
            guard case .mapping(let entries) = body else {
                throw reader.fail(body, "\(section) must be a mapping, found \(reader.kind(body))")
            }
            for (keyNode, value) in entries {
                switch section {
                case "arms": try map.readArm(keyNode, value, reader, &placed)
                default: try map.readEvent(keyNode, value, reader, &placed)
                }
            }
        }
        return map
    }

    private mutating func readArm(_ keyNode: Node, _ body: Node, _ reader: Reader, _ placed: inout [String: String]) throws(FileProblem) {
        let id = try reader.armID(keyNode)
        guard !arms.contains(where: { $0.id == id }) else { throw reader.fail(keyNode, "arm '\(id)' appears twice in arms") }
        var arm = Arm(id: id, kind: Self.kind(ofArmNamed: id), topics: [:])
        let allowed = ["kind"] + Carries.allCases.map(\.rawValue)
        for (key, _, value) in try reader.pairs(body, allowed: allowed, what: "arm '\(id)'") {
            if key == "kind" {
                guard case .scalar(let s) = value, let kind = ArmKind(rawValue: s.string) else {
                    throw reader.fail(value, "kind of arm '\(id)' must be one of PSM, ECM, MTM, other, found \(reader.kind(value))")
                }
                arm.kind = kind
                continue
            }
            let carries = Carries(rawValue: key)!
            let topic = try reader.topic(value, "\(id).\(key)", &placed)
            arm.topics[carries] = topic
            routes[topic] = .arm(id, carries)
        }
        arms.append(arm)
    }

    private mutating func readEvent(_ keyNode: Node, _ body: Node, _ reader: Reader, _ placed: inout [String: String]) throws(FileProblem) {
        let topic = try reader.topic(keyNode, "events", &placed)
        var kind: String?, source: String?
        for (key, _, value) in try reader.pairs(body, allowed: ["kind", "source"], what: "event topic '\(topic)'") {
            guard case .scalar(let s) = value, reader.isWord(s.string) else {
                throw reader.fail(value, "\(key) of event topic '\(topic)' must be a word (letters, digits, _ - .), found \(reader.kind(value))")
            }
            if key == "kind" { kind = s.string } else { source = s.string }
        }
        guard let kind else { throw reader.fail(keyNode, "event topic '\(topic)' needs a kind (e.g. kind: note)") }
        routes[topic] = .event(kind: kind, source: source)
    }

    struct Reader: YAMLTreeReader {
        let file: String

        /// Arm ids and event kinds: short words that read well on a screen and in a report.
        func isWord(_ text: String) -> Bool {
            !text.isEmpty && text.utf8.count <= 64
                && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x5F || $0 == 0x2D || $0 == 0x2E }
        }

        func armID(_ node: Node) throws(FileProblem) -> String {
            guard case .scalar(let s) = node, isWord(s.string) else {
                throw fail(node, "an arm id must be a word of up to 64 letters, digits, _ - or . (e.g. PSM1), found \(kind(node))")
            }
            return s.string
        }

        /// A ROS 2 topic name (starts with `/`, no spaces or controls), mapped at most once.
        func topic(_ node: Node, _ place: String, _ placed: inout [String: String]) throws(FileProblem) -> String {
            guard case .scalar(let s) = node, s.string.hasPrefix("/"), s.string.utf8.count <= 256,
                  s.string.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && !WireText.isControl($0) }) else {
                throw fail(node, "\(place): a topic must be a ROS 2 topic name starting with / (e.g. /PSM1/measured_js), found \(kind(node))")
            }
            let line = node.mark.map { " (line \($0.line))" } ?? ""
            if let first = placed[s.string] {
                throw fail(node, "topic '\(s.string)' is mapped twice: at \(first) and at \(place)")
            }
            placed[s.string] = place + line
            return s.string
        }
    }

    // MARK: - The default

    /// The dVRK's CRTK topic names (dVRK 2.x, `ros2 bag record -s mcap`): every PSM, the ECM and both MTMs.
    public static let dvrk: TopicMap = {
        do {
            return try parse(yaml: defaultYAML, file: "the built-in topic map")
        } catch {
            preconditionFailure("the built-in topic map does not parse: \(error)")  // a test parses it too
        }
    }()

    /// The default map as a file: what `--map` replaces, and where a map of one's own starts.
    public static let defaultYAML: String = {
        var text = """
            # surgtop topic map: the dVRK's CRTK topic names (the default when no --map is given).
            # Each arm lists the topics that feed it; events lists std_msgs/String topics shown as events.
            arms:

            """
        // The MTMs' gripper angle is `gripper/measured_js` on a dVRK, a PSM instrument's jaw `jaw/measured_js`.
        let arms: [(id: String, gripper: String?)] = [
            ("PSM1", "jaw"), ("PSM2", "jaw"), ("PSM3", "jaw"), ("ECM", nil), ("MTML", "gripper"), ("MTMR", "gripper"),
        ]
        for arm in arms {
            text += "  \(arm.id):\n"
            text += "    joints: /\(arm.id)/measured_js\n"
            if let gripper = arm.gripper { text += "    jaw: /\(arm.id)/\(gripper)/measured_js\n" }
            text += "    tip: /\(arm.id)/measured_cp\n"
            text += "    twist: /\(arm.id)/measured_cv\n"
            text += "    state: /\(arm.id)/operating_state\n"
        }
        text += "events:\n"
        for arm in arms {
            for kind in ["error", "warning", "status"] {
                text += "  /\(arm.id)/\(kind): {kind: \(kind), source: \(arm.id)}\n"
            }
        }
        return text
    }()
}
