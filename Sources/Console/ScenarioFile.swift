import Simulator
import Telemetry
import YAMLFiles
import Yams

/// Reads a scenario file (schema in Scenarios/README.md). Every problem is a `FileProblem`
/// naming the file, the line and what is wrong; unknown keys list the known ones; every number
/// is bounded and every text sanitised before it can reach a screen or a recording.
public enum ScenarioFile {
    /// Seconds a caption stands before the next may replace it: time to read two lines.
    public static let readingSeconds = 5.0
    public static let durationRange: ClosedRange<Double> = 10...3600
    public static let captionLimit = 160
    static let textLimit = 200
    /// UTF-8 bytes allowed per character of a text's limit: four is any one code point.
    static let bytesPerCharacter = 4

    /// Parses `yaml` (read from `file`) as the scenario `name`.
    public static func parse(_ yaml: String, file: String, name: String) throws(FileProblem) -> Scenario {
        guard let document = try composeYAML(yaml, file: file) else {
            throw FileProblem(file: file, problem: "the scenario file is empty")
        }
        return try Reader(file: file).scenario(document, name: name)
    }

    /// 95.5 → "1:35.5", as times are written in a scenario.
    public static func clock(_ seconds: Double) -> String { Reader.clock(seconds) }

    struct Reader: YAMLTreeReader {
        let file: String

        static let topKeys = ["title", "description", "duration", "session", "network", "arms", "instruments", "timeline"]
        static let sessionKeys = ["procedure", "robot", "surgeon_site", "patient_site", "distance_km", "base_rtt_ms"]
        static let actionKeys = ["congestion", "recover", "path_down", "path_up", "failover", "telemetry_lost", "alarm",
                                 "clear_alarm", "instrument_fault", "instrument_change", "teleop", "clutch", "camera", "note"]

        func scenario(_ document: Node, name: String) throws(FileProblem) -> Scenario {
            var fields: [String: (key: Node, value: Node)] = [:]
            for (key, keyNode, value) in try pairs(document, allowed: Self.topKeys, what: "the scenario") {
                fields[key] = (keyNode, value)
            }
            func required(_ key: String) throws(FileProblem) -> Node {
                guard let value = fields[key]?.value else { throw fail(document, "the scenario has no '\(key)'") }
                return value
            }
            let title = try text(try required("title"), "title", limit: 80)
            let description = try text(try required("description"), "description", limit: 120)
            let duration = try time(try required("duration"), "duration", within: ScenarioFile.durationRange)

            var session: [String: Node] = [:]
            let sessionNode = try required("session")
            for (key, _, value) in try pairs(sessionNode, allowed: Self.sessionKeys, what: "session") { session[key] = value }
            func sessionText(_ key: String) throws(FileProblem) -> String {
                guard let node = session[key] else { throw fail(sessionNode, "session has no '\(key)'") }
                return try text(node, key, limit: 80)
            }
            guard let distanceNode = session["distance_km"] else { throw fail(sessionNode, "session has no 'distance_km'") }
            // Half the Earth's circumference: no two sites are farther apart on the ground.
            let distance = try number(distanceNode, "distance_km", within: 0...20_040)
            let baseRtt = try session["base_rtt_ms"].map { (node) throws(FileProblem) in try number(node, "base_rtt_ms", within: 1...2000) }

            var primary = ScenarioPath(), backup: ScenarioPath?
            if let network = fields["network"]?.value {
                for (key, _, value) in try pairs(network, allowed: ["primary", "backup"], what: "network") {
                    let path = try self.path(value, key)
                    if key == "primary" { primary = path } else { backup = path }
                }
            }

            let armsNode = try required("arms")
            let arms = try armList(armsNode)
            let psms = arms.filter { $0.hasPrefix("PSM") }
            var instruments: [String: String] = [:]
            let instrumentsNode = try required("instruments")
            for (arm, _, value) in try pairs(instrumentsNode, allowed: psms, what: "instruments (one per PSM in arms)") {
                instruments[arm] = try instrumentModel(value)
            }
            if let missing = psms.first(where: { instruments[$0] == nil }) {
                throw fail(instrumentsNode, "instruments has none for \(missing); name the instrument each PSM starts with")
            }

            let context = StepContext(duration: duration, psms: psms, hasBackup: backup != nil)
            let steps = try timeline(try required("timeline"), context)
            return Scenario(name: name, title: title, description: description, duration: duration,
                            procedure: try sessionText("procedure"), robot: try sessionText("robot"),
                            surgeonSite: try sessionText("surgeon_site"), patientSite: try sessionText("patient_site"),
                            distanceKm: distance, baseRttOverrideMs: baseRtt, primary: primary, backup: backup,
                            arms: arms, instruments: instruments, steps: steps)
        }

        // MARK: - values

        func scalar(_ node: Node, _ key: String) throws(FileProblem) -> String {
            guard case .scalar(let s) = node, !s.string.isEmpty else {
                throw fail(node, "\(key) must be a value, found \(kind(node))")
            }
            return s.string
        }

        /// Text for people: sanitised (no escape sequences reach a screen), one line, bounded.
        func text(_ node: Node, _ key: String, limit: Int) throws(FileProblem) -> String {
            let clean = WireText.sanitize(try scalar(node, key)).trimmingSpaces
            guard !clean.isEmpty else { throw fail(node, "\(key) must not be empty") }
            guard clean.count <= limit else {
                throw fail(node, "\(key) is \(clean.count) characters long; at most \(limit)")
            }
            // One character can carry any number of combining marks: bound the bytes too, so
            // that every frame a scenario makes stays far under the spec's 64 KiB line.
            let bytes = clean.utf8.count
            guard bytes <= limit * ScenarioFile.bytesPerCharacter else {
                throw fail(node, "\(key) is \(bytes) bytes of UTF-8 (combining marks count); "
                           + "at most \(limit * ScenarioFile.bytesPerCharacter)")
            }
            return clean
        }

        func number(_ node: Node, _ key: String, within range: ClosedRange<Double>) throws(FileProblem) -> Double {
            let raw = try scalar(node, key)
            // Decimal only: Double("0x100") would read hexadecimal as 256.
            let decimal = raw.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ".-+eE".unicodeScalars.contains($0) }
            guard decimal, let value = Double(raw), value.isFinite else {
                throw fail(node, "\(key) must be a number, found \(kind(node))")
            }
            guard range.contains(value) else {
                throw fail(node, "\(key) must be from \(NumberText.trimmed(range.lowerBound, 3)) to "
                           + "\(NumberText.trimmed(range.upperBound, 3)), not \(NumberText.trimmed(value, 3))")
            }
            return value
        }

        /// Seconds (`95`, `95.5`) or minutes and seconds (`1:35`, `1:35.5`), on a 1 ms grid.
        func time(_ node: Node, _ key: String, within range: ClosedRange<Double>) throws(FileProblem) -> Double {
            let raw = try scalar(node, key)
            var seconds: Double?
            let parts = raw.split(separator: ":", omittingEmptySubsequences: false)
            // Plain decimals only: no signs, exponents or hexadecimal in a clock time.
            let decimal = { (text: Substring) in
                text.first?.isASCII == true && text.first?.isNumber == true
                    && text.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
            }
            if parts.count == 1, decimal(parts[0]) {
                seconds = Double(raw)
            } else if parts.count == 2, decimal(parts[0]), decimal(parts[1]), parts[1].count >= 2,
                      let m = Int(parts[0]), m <= 1000, let s = Double(parts[1]), s < 60 {
                seconds = Double(m) * 60 + s
            }
            guard let value = seconds, value.isFinite else {
                throw fail(node, "\(key) must be seconds (95) or minutes:seconds (1:35), not \(kind(node))")
            }
            guard range.contains(value) else {
                throw fail(node, "\(key) must be from \(Self.clock(range.lowerBound)) to \(Self.clock(range.upperBound)), "
                           + "not \(Self.clock(value))")
            }
            return (value * 1000).rounded() / 1000
        }

        /// 95.5 → "1:35.5", as times are written in a scenario.
        static func clock(_ seconds: Double) -> String {
            let whole = Int(saturating: seconds.rounded(.down))
            let rest = seconds - Double(whole)
            let s = whole % 60
            let frac = rest > 0 ? String(NumberText.trimmed(rest, 3).dropFirst()) : ""
            return "\(whole / 60):" + (s < 10 ? "0" : "") + "\(s)" + frac
        }

        func choice<T: RawRepresentable & CaseIterable>(_ node: Node, _ key: String, _ type: T.Type) throws(FileProblem) -> T
        where T.RawValue == String {
            let raw = try scalar(node, key)
            guard let value = T(rawValue: raw) else {
                throw fail(node, "\(key) must be one of: \(T.allCases.map(\.rawValue).joined(separator: ", ")); "
                           + "not \(kind(node))")
            }
            return value
        }

        func path(_ node: Node, _ key: String) throws(FileProblem) -> ScenarioPath {
            var path = ScenarioPath()
            if case .scalar = node {
                path.character = try choice(node, key, ScenarioPath.Character.self)
                return path
            }
            for (name, _, value) in try pairs(node, allowed: ["character", "extra_rtt_ms"], what: "network \(key)") {
                if name == "character" {
                    path.character = try choice(value, "character", ScenarioPath.Character.self)
                } else {
                    path.extraRttMs = try number(value, "extra_rtt_ms", within: 0...1000)
                }
            }
            return path
        }

        func armList(_ node: Node) throws(FileProblem) -> [String] {
            guard case .sequence(let list) = node, !list.isEmpty else {
                throw fail(node, "arms must be a list such as [PSM1, PSM2, ECM], found \(kind(node))")
            }
            var arms: [String] = []
            for item in list {
                let id = try scalar(item, "an arm")
                guard Scenario.knownArms.contains(id) else {
                    throw fail(item, "unknown arm \(kind(item)) (expected one of: \(Scenario.knownArms.joined(separator: ", ")))")
                }
                guard !arms.contains(id) else { throw fail(item, "arm \(id) is listed twice") }
                arms.append(id)
            }
            guard arms.contains(where: { $0.hasPrefix("PSM") }) else { throw fail(node, "arms must include at least one PSM") }
            return Scenario.knownArms.filter(arms.contains)
        }

        func instrumentModel(_ node: Node) throws(FileProblem) -> String {
            let model = try scalar(node, "an instrument")
            guard Scenario.instrumentModels.contains(model) else {
                throw fail(node, "unknown instrument \(kind(node)) (expected one of: "
                           + "\(Scenario.instrumentModels.joined(separator: ", ")))")
            }
            return model
        }

        // MARK: - timeline

        struct StepContext {
            var duration: Double
            var psms: [String]
            var hasBackup: Bool
        }

        func timeline(_ node: Node, _ context: StepContext) throws(FileProblem) -> [ScenarioStep] {
            guard case .sequence(let list) = node, !list.isEmpty else {
                throw fail(node, "timeline must be a list of steps (- at: 0:10 …), found \(kind(node))")
            }
            var steps: [ScenarioStep] = []
            var lastCaption: Double?
            var outage: (from: Double, until: Double)?
            var exchanges: [String: InstrumentHistory] = [:]
            for item in list {
                var at: Double?, caption: String?, actions: [ScenarioAction] = []
                var atNode = item
                for (key, _, value) in try pairs(item, allowed: ["at", "caption", "do"], what: "a timeline step") {
                    switch key {
                    case "at":
                        atNode = value
                        at = try time(value, "at", within: 0...context.duration)
                    case "caption":
                        caption = try text(value, "caption", limit: ScenarioFile.captionLimit)
                    default:
                        actions = try actionList(value, context)
                    }
                }
                guard let at else { throw fail(item, "a timeline step needs 'at' (its time, e.g. at: 1:30)") }
                if let previous = steps.last?.time, at < previous {
                    throw fail(atNode, "step at \(Self.clock(at)) comes before the step at \(Self.clock(previous)); "
                               + "keep the timeline in time order")
                }
                if let outage, at > outage.from, at < outage.until {
                    throw fail(atNode, "step at \(Self.clock(at)) falls while telemetry is lost (\(Self.clock(outage.from)) "
                               + "to \(Self.clock(outage.until))): nothing reaches the console then")
                }
                if caption != nil {
                    if let lastCaption, at - lastCaption < ScenarioFile.readingSeconds {
                        throw fail(atNode, "caption at \(Self.clock(at)) comes \(NumberText.trimmed(at - lastCaption, 3)) s "
                                   + "after the one at \(Self.clock(lastCaption)); leave at least "
                                   + "\(NumberText.trimmed(ScenarioFile.readingSeconds, 0)) s to read it")
                    }
                    lastCaption = at
                }
                try checkInstruments(actions, at: at, atNode, &exchanges)
                for case .telemetryLost(let seconds) in actions {
                    guard at + seconds <= context.duration else {
                        throw fail(atNode, "telemetry lost from \(Self.clock(at)) for \(NumberText.trimmed(seconds, 3)) s "
                                   + "runs past the end of the scenario (\(Self.clock(context.duration)))")
                    }
                    outage = (at, at + seconds)
                }
                steps.append(ScenarioStep(time: at, caption: caption, actions: actions))
            }
            return steps
        }

        /// What a PSM's instrument last did, for refusing changes and faults that overlap.
        struct InstrumentHistory {
            var changeStart = -Double.infinity
            var faultAt: Double?
            var changeEnd: Double { changeStart + InstrumentExchange.scenarioSeconds }
        }

        /// Refuses an instrument change or fault on a PSM whose last change is still under way
        /// (the instrument is out, or not yet engaged), and a fault on an instrument already in FAULT.
        func checkInstruments(_ actions: [ScenarioAction], at: Double, _ atNode: Node,
                              _ history: inout [String: InstrumentHistory]) throws(FileProblem) {
            for action in actions {
                let arm: String, what: String
                switch action {
                case .instrumentChange(let a, _): (arm, what) = (a, "instrument_change")
                case .instrumentFault(let a): (arm, what) = (a, "instrument_fault")
                default: continue
                }
                var h = history[arm] ?? InstrumentHistory()
                if at < h.changeEnd {
                    throw fail(atNode, "\(what) on \(arm) at \(Self.clock(at)) comes while the instrument change at "
                               + "\(Self.clock(h.changeStart)) is under way (no instrument engaged until "
                               + "\(Self.clock(h.changeEnd)))")
                }
                if case .instrumentChange = action {
                    h.changeStart = at
                    h.faultAt = nil
                } else if let faultAt = h.faultAt {
                    throw fail(atNode, "instrument_fault on \(arm) at \(Self.clock(at)): its instrument already reports "
                               + "FAULT (since \(Self.clock(faultAt))); change it first")
                } else {
                    h.faultAt = at
                }
                history[arm] = h
            }
        }

        func actionList(_ node: Node, _ context: StepContext) throws(FileProblem) -> [ScenarioAction] {
            guard case .sequence(let list) = node else {
                throw fail(node, "do must be a list of actions (- clutch: 3 …), found \(kind(node))")
            }
            var actions: [ScenarioAction] = []
            for item in list {
                let entries = try pairs(item, allowed: Self.actionKeys, what: "an action")
                guard entries.count == 1, let (key, _, value) = entries.first else {
                    throw fail(item, "each action is one key, such as '- clutch: 3'; write one per line")
                }
                actions.append(try action(key, value, context))
            }
            return actions
        }

        func fields(_ node: Node, _ action: String, required: [String], optional: [String] = []) throws(FileProblem) -> [String: Node] {
            var out: [String: Node] = [:]
            for (key, _, value) in try pairs(node, allowed: required + optional, what: action) { out[key] = value }
            if let missing = required.first(where: { out[$0] == nil }) {
                throw fail(node, "\(action) needs '\(missing)' (it takes: \((required + optional).joined(separator: ", ")))")
            }
            return out
        }

        func pathChoice(_ node: Node, _ key: String, _ context: StepContext) throws(FileProblem) -> PathChoice {
            let path = try choice(node, key, PathChoice.self)
            if path == .backup && !context.hasBackup {
                throw fail(node, "\(key) names the backup path, but network has no backup")
            }
            return path
        }

        func psm(_ node: Node, _ key: String, _ context: StepContext) throws(FileProblem) -> String {
            let arm = try scalar(node, key)
            guard context.psms.contains(arm) else {
                throw fail(node, "\(key) must be a PSM listed in arms (\(context.psms.joined(separator: ", "))), not \(kind(node))")
            }
            return arm
        }

        func alarmID(_ node: Node) throws(FileProblem) -> String {
            let id = try scalar(node, "id")
            let allowed = id.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "." }
            guard allowed, id.count <= 64 else {
                throw fail(node, "an alarm id is up to 64 capitals, digits, '_' and '.', like PSM2.TOOL_FAULT; not \(kind(node))")
            }
            return id
        }

        func action(_ key: String, _ value: Node, _ context: StepContext) throws(FileProblem) -> ScenarioAction {
            switch key {
            case "congestion":
                let f = try fields(value, key, required: ["path", "rtt_ms", "over_s", "loss_pct"])
                return .congestion(path: try pathChoice(f["path"]!, "path", context),
                                   rttMs: try number(f["rtt_ms"]!, "rtt_ms", within: 1...5000),
                                   seconds: try number(f["over_s"]!, "over_s", within: 0...600),
                                   lossPct: try number(f["loss_pct"]!, "loss_pct", within: 0...100))
            case "recover":
                let f = try fields(value, key, required: ["path", "over_s"])
                return .recover(path: try pathChoice(f["path"]!, "path", context),
                                seconds: try number(f["over_s"]!, "over_s", within: 0...600))
            case "path_down":
                return .pathDown(try pathChoice(value, key, context))
            case "path_up":
                return .pathUp(try pathChoice(value, key, context))
            case "failover":
                let to = try pathChoice(value, key, context)
                guard to != .all else { throw fail(value, "failover goes to one path: backup or primary") }
                if to == .backup && !context.hasBackup { throw fail(value, "failover needs a backup path in network") }
                return .failover(to: to)
            case "telemetry_lost":
                return .telemetryLost(seconds: try number(value, "telemetry_lost (seconds)", within: 1...600))
            case "alarm":
                let f = try fields(value, key, required: ["id", "priority", "message"])
                return .alarmRaise(id: try alarmID(f["id"]!), priority: try choice(f["priority"]!, "priority", AlarmPriority.self),
                                   message: try text(f["message"]!, "message", limit: ScenarioFile.textLimit))
            case "clear_alarm":
                if case .scalar = value { return .alarmClear(id: try alarmID(value), message: nil) }
                let f = try fields(value, key, required: ["id"], optional: ["message"])
                return .alarmClear(id: try alarmID(f["id"]!),
                                   message: try f["message"].map { (node) throws(FileProblem) in
                                       try text(node, "message", limit: ScenarioFile.textLimit) })
            case "instrument_fault":
                return .instrumentFault(arm: try psm(value, key, context))
            case "instrument_change":
                let f = try fields(value, key, required: ["arm", "to"])
                return .instrumentChange(arm: try psm(f["arm"]!, "arm", context), to: try instrumentModel(f["to"]!))
            case "teleop":
                let state = try scalar(value, key)
                guard state == "paused" || state == "resumed" else {
                    throw fail(value, "teleop must be paused or resumed, not \(kind(value))")
                }
                return .teleop(paused: state == "paused")
            case "clutch":
                return .clutch(seconds: try number(value, "clutch (seconds)", within: 0.2...60))
            case "camera":
                return .camera(seconds: try number(value, "camera (seconds)", within: 0.5...60))
            default:
                return .note(try text(value, "note", limit: ScenarioFile.textLimit))
            }
        }
    }
}

extension String {
    /// Without leading and trailing spaces.
    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
