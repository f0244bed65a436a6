import SessionCore
import Telemetry
import Yams
import SystemCalls
import YAMLFiles

/// An alarm settings file that cannot be used: which file, where in it, and what is wrong.
public typealias AlarmSettingsError = FileProblem

/// Reads alarm settings from YAML: any subset of the keys of `defaultAlarmSettingsYAML`
/// overrides `AlarmSettings.defaults`.
public enum AlarmSettingsFile {
    /// Reads and parses the file at `path`.
    public static func load(path: String, base: AlarmSettings = .defaults) throws(AlarmSettingsError) -> AlarmSettings {
        let text = try SettingsFileGuard.readText(path: path)
        return try parse(yaml: text, file: path, base: base)
    }

    /// Where surgtop looks for an alarm settings file when none is given:
    /// `$XDG_CONFIG_HOME/surgtop/alarms.yaml`, else `$HOME/.config/surgtop/alarms.yaml`.
    public static func defaultPath(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/surgtop/alarms.yaml" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/surgtop/alarms.yaml" }
        return nil
    }

    /// The settings from the file at `defaultPath` when it exists (with its path), else the defaults.
    public static func loadDefault(environment: [String: String]) throws(AlarmSettingsError) -> (settings: AlarmSettings, path: String?) {
        guard let path = defaultPath(environment: environment), SystemCalls.exists(path) else { return (.defaults, nil) }
        return (try load(path: path), path)
    }

    /// Parses settings text. `file` names the source in errors.
    public static func parse(yaml: String, file: String, base: AlarmSettings = .defaults) throws(AlarmSettingsError) -> AlarmSettings {
        let document = try composeYAML(yaml, file: file)
        var settings = base
        guard let document else { return settings }   // an empty file (or only comments): the defaults
        if case .scalar(let scalar) = document, scalar.string.isEmpty || document.tag.description == Tag.Name.null.rawValue { return settings }
        let reader = Reader(file: file)
        var lines: [String: Int] = [:]
        try reader.read(document, into: &settings, lines: &lines)
        if let (key, problem) = settings.problems().first {
            throw AlarmSettingsError(file: file, line: lines[key] ?? lines[String(key.prefix { $0 != "." })],
                                     problem: "\(key): \(problem)")
        }
        return settings
    }

    // MARK: - the schema

    /// Walks the composed YAML tree, refusing unknown keys and wrong types.
    struct Reader: YAMLTreeReader {
        let file: String

        func number(_ node: Node, _ key: String) throws(AlarmSettingsError) -> Double {
            guard case .scalar = node, node.tag.description == Tag.Name.int.rawValue || node.tag.description == Tag.Name.float.rawValue, let v = node.float, v.isFinite else {
                throw fail(node, "\(key) must be a number, found \(kind(node))")
            }
            return v
        }

        func whole(_ node: Node, _ key: String) throws(AlarmSettingsError) -> Int {
            guard case .scalar = node, node.tag.description == Tag.Name.int.rawValue, let v = wholeNumber(node) else {
                throw fail(node, "\(key) must be a whole number, found \(kind(node))")
            }
            return v
        }

        func levels(_ node: Node, _ key: String, _ levels: inout AlarmSettings.Levels) throws(AlarmSettingsError) {
            for (name, _, value) in try pairs(node, allowed: ["low", "medium", "high"], what: key) {
                let priority = AlarmPriority(rawValue: name)!
                levels[priority] = try number(value, "\(key).\(name)")
            }
        }

        func read(_ document: Node, into s: inout AlarmSettings, lines: inout [String: Int]) throws(AlarmSettingsError) {
            for (section, sectionKey, body) in try pairs(document, allowed: ["link", "timing", "telemetry", "joints", "audio"],
                                                         what: "the alarm settings") {
                lines[section] = sectionKey.mark?.line
                for (name, keyNode, value) in try pairs(body, allowed: Self.keys[section]!, what: section) {
                    let key = "\(section).\(name)"
                    lines[key] = keyNode.mark?.line
                    switch key {
                    case "link.rtt_ms": try levels(value, key, &s.rttMs)
                    case "link.jitter_ms": try levels(value, key, &s.jitterMs)
                    case "link.loss_pct": try levels(value, key, &s.lossPct)
                    case "link.video_fps_below": s.videoFpsBelow = try number(value, key)
                    case "timing.sustain_s": s.sustainSeconds = try number(value, key)
                    case "timing.clear_after_s": s.clearAfterSeconds = try number(value, key)
                    case "telemetry.stale_s": s.staleSeconds = try number(value, key)
                    case "telemetry.gap_count": s.gapCount = try whole(value, key)
                    case "telemetry.gap_window_s": s.gapWindowSeconds = try number(value, key)
                    case "telemetry.handshake_s": s.handshakeSeconds = try number(value, key)
                    case "telemetry.reconnect_after_s": s.reconnectAfterSeconds = try number(value, key)
                    case "joints.near_limit_pct": s.nearLimitPct = try number(value, key)
                    case "joints.at_limit_pct": s.atLimitPct = try number(value, key)
                    case "joints.effort_pct": s.effortPct = try number(value, key)
                    case "audio.high_bells": s.highBells = try whole(value, key)
                    case "audio.medium_bells": s.mediumBells = try whole(value, key)
                    case "audio.low_bells": s.lowBells = try whole(value, key)
                    case "audio.high_repeat_s": s.highRepeatSeconds = try number(value, key)
                    case "audio.medium_repeat_s": s.mediumRepeatSeconds = try number(value, key)
                    case "audio.pause_s": s.audioPauseSeconds = try number(value, key)
                    default: throw fail(keyNode, "unknown key '\(name)' in \(section)")
                    }
                }
            }
        }

        static let keys: [String: [String]] = [
            "link": ["rtt_ms", "jitter_ms", "loss_pct", "video_fps_below"],
            "timing": ["sustain_s", "clear_after_s"],
            "telemetry": ["stale_s", "gap_count", "gap_window_s", "handshake_s", "reconnect_after_s"],
            "joints": ["near_limit_pct", "at_limit_pct", "effort_pct"],
            "audio": ["high_bells", "medium_bells", "low_bells", "high_repeat_s", "medium_repeat_s", "pause_s"],
        ]
    }
}
