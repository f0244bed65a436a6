#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What one line of telemetry turned out to be.
public enum DecodeOutcome: Sendable, Equatable {
    case frame(Frame)
    /// An empty or whitespace-only line: ignored.
    case blank
    /// A well-formed frame of a type this reader does not know: ignored, counted apart from errors.
    case unknownType(String)
    case error(DecodeError)
}

/// A line that could not be used, with its line number (1-based) and the reason.
public struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Not valid JSON, or not an object.
        case syntax
        /// Valid JSON but not a valid frame: missing field, wrong type, unknown arm, bad length…
        case schema
        /// Longer than the 65,536-byte limit.
        case tooLong
        /// A session frame whose major version this reader does not know.
        case unsupportedVersion(Int)
    }

    public var line: Int
    public var kind: Kind
    public var reason: String

    public init(line: Int, kind: Kind, reason: String) {
        self.line = line
        self.kind = kind
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}

/// Decodes telemetry v1 lines into frames, straight from bytes.
///
/// It is stateful in the one way the spec requires: it remembers the arms the
/// last `session` frame declared, so that an `arm` frame for an undeclared arm,
/// or with joint arrays of the wrong length, is an error.
public struct FrameDecoder: Sendable {
    /// Lines longer than this many bytes (excluding the line ending) are errors.
    public static let maxLineBytes = 65_536

    /// The number of the last line handed to `decode` (1-based).
    public private(set) var lineNumber = 0
    /// Arms declared by the most recent session frame.
    public private(set) var declaredArms: [ArmDescriptor] = []
    private var armIDBytes: [[UInt8]] = []

    public init() {}

    /// Forgets the declared arms and the line count (a new connection or file).
    public mutating func reset() {
        lineNumber = 0
        declaredArms = []
        armIDBytes = []
    }

    /// Counts a line that was skipped without being decoded (for example one over the length limit).
    public mutating func skipLine() -> DecodeError {
        lineNumber += 1
        return DecodeError(line: lineNumber, kind: .tooLong,
                           reason: "line longer than \(Self.maxLineBytes) bytes, skipped")
    }

    /// Decodes one line given without its LF; a trailing CR is ignored.
    public mutating func decode(_ line: UnsafeRawBufferPointer) -> DecodeOutcome {
        lineNumber += 1
        var n = line.count
        guard n > 0, let raw = line.baseAddress else { return .blank }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        if base[n - 1] == 0x0D { n -= 1 }
        if n > Self.maxLineBytes {
            return .error(DecodeError(line: lineNumber, kind: .tooLong,
                                      reason: "line longer than \(Self.maxLineBytes) bytes, skipped"))
        }
        var scanner = JSONScanner(base: base, count: n)
        scanner.skipWhitespace()
        if scanner.atEnd { return .blank }
        do {
            return try decodeObject(&scanner)
        } catch let e as ScanError {
            return .error(DecodeError(line: lineNumber, kind: .syntax, reason: e.reason))
        } catch let e as FieldError {
            return .error(DecodeError(line: lineNumber, kind: e.kind, reason: e.reason))
        } catch {
            return .error(DecodeError(line: lineNumber, kind: .syntax, reason: "\(error)"))
        }
    }

    /// Convenience for tests and tools: decodes one line given as text (without LF).
    public mutating func decode(line: String) -> DecodeOutcome {
        var copy = line
        return copy.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    // MARK: - object level

    private mutating func decodeObject(_ s: inout JSONScanner) throws -> DecodeOutcome {
        try withUnsafeTemporaryAllocation(of: Int32.self, capacity: 64) { table in  // ≥ Key.allCases.count (40)
            table.initialize(repeating: -1)
            return try decodeObject(&s, fields: FieldPositions(slots: table.baseAddress!))
        }
    }

    private mutating func decodeObject(_ s: inout JSONScanner, fields: FieldPositions) throws -> DecodeOutcome {
        guard s.peek() == UInt8(ascii: "{") else {
            let kind = try s.peekKind()
            throw FieldError(.syntax, "line is a JSON \(kind.rawValue), not an object")
        }
        // The value of each known key, remembered by position, so the typed parse can
        // happen once `type` is known, whatever the key order. Last duplicate wins.
        var isArm = false
        var joints = PrereadJoints()
        s.i += 1
        s.skipWhitespace()
        if s.peek() == UInt8(ascii: "}") {
            s.i += 1
        } else {
            while true {
                let key = try s.scanString()
                try s.expect(UInt8(ascii: ":"), "':'")
                s.skipWhitespace()
                let id = Key.identify(s, key)
                if let id {
                    if id == .type, s.i + 4 < s.count, s.base[s.i] == UInt8(ascii: "\""), s.base[s.i + 1] == UInt8(ascii: "a"),
                       s.base[s.i + 2] == UInt8(ascii: "r"), s.base[s.i + 3] == UInt8(ascii: "m"), s.base[s.i + 4] == UInt8(ascii: "\"") {
                        isArm = true
                    }
                    // Joint arrays of an arm frame are most of its bytes: read them once, here,
                    // instead of validating now and parsing later. Anything unusual takes the
                    // general path, which reports the error if this value turns out to be the last.
                    if isArm, id == .position || id == .velocity || id == .effort {
                        var probe = s
                        if let values = try? probe.numberArray(capacity: 8) {
                            s = probe
                            joints[id] = values
                            fields[id] = nil
                            s.skipWhitespace()
                            if s.peek() == UInt8(ascii: ",") {
                                s.i += 1
                                continue
                            }
                            try s.expect(UInt8(ascii: "}"), "',' or '}'")
                            break
                        }
                        joints[id] = nil
                    }
                    fields[id] = s.i
                }
                try s.skipValue(depth: 1)
                s.skipWhitespace()
                if s.peek() == UInt8(ascii: ",") {
                    s.i += 1
                    continue
                }
                try s.expect(UInt8(ascii: "}"), "',' or '}'")
                break
            }
        }
        s.skipWhitespace()
        if !s.atEnd { throw ScanError("unexpected data after the object at column \(s.i + 1) (one value per line)") }

        // Common fields.
        guard let tPos = fields[.t] else { throw FieldError(.schema, "missing required field 't'") }
        guard let typePos = fields[.type] else { throw FieldError(.schema, "missing required field 'type'") }
        var r = FieldReader(scanner: s)
        let t = try r.number(.t, at: tPos)
        let typeRaw = try r.rawString(.type, at: typePos)
        var seq: Int?
        if let p = fields[.seq] { seq = try r.integer(.seq, at: p) }

        let body: Frame.Body
        if r.scanner.equals(typeRaw, "arm") {
            body = .arm(try decodeArm(&r, fields, joints))
        } else if r.scanner.equals(typeRaw, "link") {
            body = .link(try decodeLink(&r, fields))
        } else if r.scanner.equals(typeRaw, "instrument") {
            body = .instrument(try decodeInstrument(&r, fields))
        } else if r.scanner.equals(typeRaw, "alarm") {
            body = .alarm(try decodeAlarm(&r, fields))
        } else if r.scanner.equals(typeRaw, "event") {
            body = .event(try decodeEvent(&r, fields))
        } else if r.scanner.equals(typeRaw, "session") {
            let session = try decodeSession(&r, fields)
            body = .session(session)
            declaredArms = session.arms
            armIDBytes = session.arms.map { Array($0.id.utf8) }
        } else {
            return .unknownType(r.scanner.text(typeRaw))
        }
        return .frame(Frame(t: t, seq: seq, body: body))
    }

    // MARK: - frame types

    private func decodeSession(_ r: inout FieldReader, _ f: FieldPositions) throws -> SessionInfo {
        guard let vPos = f[.v] else { throw FieldError(.schema, "session frame: missing required field 'v'") }
        let version = try r.integer(.v, at: vPos)
        guard version == 1 else {
            throw FieldError(.unsupportedVersion(version),
                             "session frame declares telemetry format version \(version); this reader understands version 1 only")
        }
        guard let idPos = f[.id] else { throw FieldError(.schema, "session frame: missing required field 'id'") }
        guard let armsPos = f[.arms] else { throw FieldError(.schema, "session frame: missing required field 'arms'") }
        var info = SessionInfo(version: version, id: try r.string(.id, at: idPos), arms: [])
        if let p = f[.procedure] { info.procedure = try r.string(.procedure, at: p) }
        if let p = f[.robot] { info.robot = try r.string(.robot, at: p) }
        if let p = f[.surgeonSite] { info.surgeonSite = try r.string(.surgeonSite, at: p) }
        if let p = f[.patientSite] { info.patientSite = try r.string(.patientSite, at: p) }
        if let p = f[.distanceKm] { info.distanceKm = try r.number(.distanceKm, at: p) }
        if let p = f[.startedAt] { info.startedAt = try r.string(.startedAt, at: p) }
        info.arms = try r.armDescriptors(at: armsPos)
        var seen = Set<String>()
        for arm in info.arms where !seen.insert(arm.id).inserted {
            throw FieldError(.schema, "session frame: arm id '\(arm.id)' is declared twice")
        }
        return info
    }

    private func decodeLink(_ r: inout FieldReader, _ f: FieldPositions) throws -> LinkSample {
        var link = LinkSample()
        if let p = f[.path] { link.path = try r.string(.path, at: p) }
        if let p = f[.up] { link.up = try r.bool(.up, at: p) }
        if let p = f[.rttMs] { link.rttMs = try r.number(.rttMs, at: p) }
        if let p = f[.jitterMs] { link.jitterMs = try r.number(.jitterMs, at: p) }
        if let p = f[.lossPct] { link.lossPct = try r.number(.lossPct, at: p) }
        if let p = f[.bandwidthMbps] { link.bandwidthMbps = try r.number(.bandwidthMbps, at: p) }
        if let p = f[.videoFps] { link.videoFps = try r.number(.videoFps, at: p) }
        if let p = f[.videoDelayMs] { link.videoDelayMs = try r.number(.videoDelayMs, at: p) }
        guard link.hasMetric else { throw FieldError(.schema, "link frame carries no metric") }
        return link
    }

    private func decodeArm(_ r: inout FieldReader, _ f: FieldPositions, _ preread: PrereadJoints) throws -> ArmSample {
        guard let armPos = f[.arm] else { throw FieldError(.schema, "arm frame: missing required field 'arm'") }
        let raw = try r.rawString(.arm, at: armPos)
        // Intern the arm id: compare bytes with the declared ids instead of allocating.
        var index = -1
        let n = raw.end - raw.start
        if !raw.hasEscapes {
            for (k, idBytes) in armIDBytes.enumerated() where idBytes.count == n {
                let same = idBytes.withUnsafeBufferPointer { memcmp($0.baseAddress!, r.scanner.base + raw.start, n) == 0 }
                if same {
                    index = k
                    break
                }
            }
        } else {
            let text = r.scanner.text(raw)
            index = declaredArms.firstIndex { $0.id == text } ?? -1
        }
        guard index >= 0 else {
            let name = r.scanner.text(raw)
            if declaredArms.isEmpty {
                throw FieldError(.schema, "arm frame for '\(name)' before any session frame declared arms")
            }
            throw FieldError(.schema, "arm frame for '\(name)', which the session frame did not declare")
        }
        let descriptor = declaredArms[index]
        var arm = ArmSample(arm: descriptor.id)
        if let p = f[.state] {
            let text = try r.string(.state, at: p)
            guard let state = OperatingState(rawValue: text) else {
                throw FieldError(.schema, "arm frame: unknown state '\(text)'")
            }
            arm.state = state
        }
        if let p = f[.homed] { arm.homed = try r.bool(.homed, at: p) }
        if let p = f[.following] { arm.following = try r.bool(.following, at: p) }
        arm.position = try jointValues(.position, preread.position, &r, f, descriptor)
        arm.velocity = try jointValues(.velocity, preread.velocity, &r, f, descriptor)
        arm.effort = try jointValues(.effort, preread.effort, &r, f, descriptor)
        if let p = f[.tip] { arm.tip = try r.numbers(.tip, at: p, length: 3, arm: nil) }
        if let p = f[.orientation] { arm.orientation = try r.numbers(.orientation, at: p, length: 4, arm: nil) }
        if let p = f[.twist] { arm.twist = try r.numbers(.twist, at: p, length: 6, arm: nil) }
        if let p = f[.jaw] { arm.jaw = try r.number(.jaw, at: p) }
        return arm
    }

    /// One joint array of an arm frame: read in the first pass, or read now; its length checked.
    @inline(__always)
    private func jointValues(_ key: Key, _ preread: [Double]?, _ r: inout FieldReader, _ f: FieldPositions,
                             _ descriptor: ArmDescriptor) throws -> [Double]? {
        let joints = descriptor.joints.count
        if let preread {
            guard preread.count == joints else {
                throw FieldError(.schema, "field '\(key.wireName)' has \(preread.count) values but arm '\(descriptor.id)' declares \(joints) joints")
            }
            return preread
        }
        guard let p = f[key] else { return nil }
        return try r.numbers(key, at: p, length: joints, arm: descriptor.id)
    }

    private func decodeInstrument(_ r: inout FieldReader, _ f: FieldPositions) throws -> InstrumentSample {
        guard let armPos = f[.arm] else { throw FieldError(.schema, "instrument frame: missing required field 'arm'") }
        var inst = InstrumentSample(arm: try r.string(.arm, at: armPos))
        if let p = f[.tool] {
            inst.tool = try r.isNull(at: p) ? .none : .model(try r.string(.tool, at: p, expected: "a string or null"))
        }
        if let p = f[.state] {
            let text = try r.string(.state, at: p)
            guard let state = InstrumentState(rawValue: text) else {
                throw FieldError(.schema, "instrument frame: unknown state '\(text)'")
            }
            inst.state = state
        }
        if let p = f[.usesLeft] { inst.usesLeft = try r.integer(.usesLeft, at: p) }
        if let p = f[.energy] {
            let text = try r.string(.energy, at: p)
            guard let energy = EnergyMode(rawValue: text) else {
                throw FieldError(.schema, "instrument frame: unknown energy mode '\(text)'")
            }
            inst.energy = energy
        }
        if let p = f[.energyActive] { inst.energyActive = try r.bool(.energyActive, at: p) }
        return inst
    }

    private func decodeAlarm(_ r: inout FieldReader, _ f: FieldPositions) throws -> AlarmReport {
        guard let idPos = f[.id] else { throw FieldError(.schema, "alarm frame: missing required field 'id'") }
        guard let statePos = f[.state] else { throw FieldError(.schema, "alarm frame: missing required field 'state'") }
        let id = try r.string(.id, at: idPos)
        let stateText = try r.string(.state, at: statePos)
        guard let state = AlarmReport.State(rawValue: stateText) else {
            throw FieldError(.schema, "alarm frame: state must be 'raised' or 'cleared', not '\(stateText)'")
        }
        var alarm = AlarmReport(id: id, state: state)
        if let p = f[.priority] {
            let text = try r.string(.priority, at: p)
            guard let priority = AlarmPriority(rawValue: text) else {
                throw FieldError(.schema, "alarm frame: priority must be 'high', 'medium' or 'low', not '\(text)'")
            }
            alarm.priority = priority
        }
        if state == .raised && alarm.priority == nil {
            throw FieldError(.schema, "alarm frame: a raised alarm needs a 'priority'")
        }
        if let p = f[.kind] {
            let text = try r.string(.kind, at: p)
            guard let kind = AlarmKind(rawValue: text) else {
                throw FieldError(.schema, "alarm frame: kind must be 'technical' or 'physiological', not '\(text)'")
            }
            alarm.kind = kind
        }
        if let p = f[.source] { alarm.source = try r.string(.source, at: p) }
        if let p = f[.message] { alarm.message = try r.string(.message, at: p) }
        return alarm
    }

    private func decodeEvent(_ r: inout FieldReader, _ f: FieldPositions) throws -> EventNote {
        guard let kindPos = f[.kind] else { throw FieldError(.schema, "event frame: missing required field 'kind'") }
        var event = EventNote(kind: try r.string(.kind, at: kindPos))
        if let p = f[.text] { event.text = try r.string(.text, at: p) }
        return event
    }
}

/// A frame-level error raised while reading typed fields.
struct FieldError: Error {
    var kind: DecodeError.Kind
    var reason: String
    init(_ kind: DecodeError.Kind, _ reason: String) {
        self.kind = kind
        self.reason = reason
    }
}

/// Every key any v1 frame knows. A key outside a frame's own set is ignored for that frame.
enum Key: Int, CaseIterable {
    case t, type, seq
    case v, id, procedure, robot, surgeonSite, patientSite, distanceKm, startedAt, arms
    case path, up, rttMs, jitterMs, lossPct, bandwidthMbps, videoFps, videoDelayMs
    case arm, state, homed, following, position, velocity, effort, tip, orientation, twist, jaw
    case tool, usesLeft, energy, energyActive
    case priority, kind, source, message, text

    var wireName: String {
        switch self {
        case .surgeonSite: "surgeon_site"
        case .patientSite: "patient_site"
        case .distanceKm: "distance_km"
        case .startedAt: "started_at"
        case .rttMs: "rtt_ms"
        case .jitterMs: "jitter_ms"
        case .lossPct: "loss_pct"
        case .bandwidthMbps: "bandwidth_mbps"
        case .videoFps: "video_fps"
        case .videoDelayMs: "video_delay_ms"
        case .usesLeft: "uses_left"
        case .energyActive: "energy_active"
        default: "\(self)"
        }
    }

    /// The key named by a scanned string, or nil for a key no frame knows.
    /// A switch on the length, then byte comparisons: no allocation, no reference counting.
    static func identify(_ s: JSONScanner, _ raw: JSONScanner.RawString) -> Key? {
        if raw.hasEscapes {
            let text = s.text(raw)
            return Key.allCases.first { $0.wireName == text }
        }
        let p = s.base + raw.start
        @inline(__always) func match(_ literal: StaticString) -> Bool {
            memcmp(p, literal.utf8Start, literal.utf8CodeUnitCount) == 0
        }
        switch raw.end - raw.start {
        case 1:
            if match("t") { return .t }
            if match("v") { return .v }
        case 2:
            if match("id") { return .id }
            if match("up") { return .up }
        case 3:
            if match("seq") { return .seq }
            if match("arm") { return .arm }
            if match("tip") { return .tip }
            if match("jaw") { return .jaw }
        case 4:
            if match("type") { return .type }
            if match("arms") { return .arms }
            if match("path") { return .path }
            if match("tool") { return .tool }
            if match("kind") { return .kind }
            if match("text") { return .text }
        case 5:
            if match("robot") { return .robot }
            if match("state") { return .state }
            if match("homed") { return .homed }
            if match("twist") { return .twist }
        case 6:
            if match("rtt_ms") { return .rttMs }
            if match("effort") { return .effort }
            if match("energy") { return .energy }
            if match("source") { return .source }
        case 7:
            if match("message") { return .message }
        case 8:
            if match("loss_pct") { return .lossPct }
            if match("position") { return .position }
            if match("velocity") { return .velocity }
            if match("priority") { return .priority }
        case 9:
            if match("procedure") { return .procedure }
            if match("jitter_ms") { return .jitterMs }
            if match("video_fps") { return .videoFps }
            if match("following") { return .following }
            if match("uses_left") { return .usesLeft }
        case 10:
            if match("started_at") { return .startedAt }
        case 11:
            if match("distance_km") { return .distanceKm }
            if match("orientation") { return .orientation }
        case 12:
            if match("surgeon_site") { return .surgeonSite }
            if match("patient_site") { return .patientSite }
        case 13:
            if match("energy_active") { return .energyActive }
        case 14:
            if match("bandwidth_mbps") { return .bandwidthMbps }
            if match("video_delay_ms") { return .videoDelayMs }
        default: break
        }
        return nil
    }
}

/// Joint arrays of an arm frame read during the first pass (see `decodeObject`).
struct PrereadJoints {
    var position: [Double]?
    var velocity: [Double]?
    var effort: [Double]?

    subscript(key: Key) -> [Double]? {
        get { key == .position ? position : key == .velocity ? velocity : effort }
        set {
            switch key {
            case .position: position = newValue
            case .velocity: velocity = newValue
            default: effort = newValue
            }
        }
    }
}

/// Where each known key's value starts in the line (−1: absent). It points into a small
/// stack buffer owned by `decodeObject`, so reading and writing a slot never copies the table.
struct FieldPositions {
    let slots: UnsafeMutablePointer<Int32>

    subscript(key: Key) -> Int? {
        get {
            let p = slots[key.rawValue]
            return p < 0 ? nil : Int(p)
        }
        nonmutating set { slots[key.rawValue] = Int32(newValue ?? -1) }
    }
}

/// Reads typed values at remembered positions, with spec-worded type errors.
struct FieldReader {
    var scanner: JSONScanner

    private mutating func seek(_ position: Int) {
        scanner.i = position
    }

    private func typeError(_ key: Key, _ expected: String, _ found: JSONScanner.ValueKind) -> FieldError {
        FieldError(.schema, "field '\(key.wireName)' must be \(expected), not \(article(found))")
    }

    private func article(_ kind: JSONScanner.ValueKind) -> String {
        switch kind {
        case .object, .array: "an \(kind.rawValue)"
        case .null: "null"
        default: "a \(kind.rawValue)"
        }
    }

    mutating func number(_ key: Key, at p: Int) throws -> Double {
        seek(p)
        let kind = try scanner.peekKind()
        guard kind == .number else { throw typeError(key, "a number", kind) }
        return try scanner.scanNumber().value
    }

    mutating func integer(_ key: Key, at p: Int) throws -> Int {
        seek(p)
        let kind = try scanner.peekKind()
        guard kind == .number else { throw typeError(key, "an integer", kind) }
        let token = try scanner.scanNumber()
        guard token.value == token.value.rounded(.towardZero), abs(token.value) < 9.0e15 else {
            throw FieldError(.schema, "field '\(key.wireName)' must be an integer, not \(JSONText.number(token.value))")
        }
        return Int(token.value)
    }

    mutating func bool(_ key: Key, at p: Int) throws -> Bool {
        seek(p)
        let kind = try scanner.peekKind()
        guard kind == .boolean else { throw typeError(key, "a boolean", kind) }
        return try scanner.scanBool()
    }

    mutating func isNull(at p: Int) throws -> Bool {
        seek(p)
        return try scanner.peekKind() == .null
    }

    mutating func rawString(_ key: Key, at p: Int) throws -> JSONScanner.RawString {
        seek(p)
        let kind = try scanner.peekKind()
        guard kind == .string else { throw typeError(key, "a string", kind) }
        return try scanner.scanString()
    }

    mutating func string(_ key: Key, at p: Int, expected: String = "a string") throws -> String {
        seek(p)
        let kind = try scanner.peekKind()
        guard kind == .string else { throw typeError(key, expected, kind) }
        return scanner.text(try scanner.scanString())
    }

    /// An array of numbers of exactly `length` elements.
    mutating func numbers(_ key: Key, at p: Int, length: Int, arm: String?) throws -> [Double] {
        seek(p)
        let kind = try scanner.peekKind()
        guard kind == .array else { throw typeError(key, "an array of numbers", kind) }
        scanner.i += 1
        var values: [Double] = []
        values.reserveCapacity(length)
        scanner.skipWhitespace()
        if scanner.peek() == UInt8(ascii: "]") {
            scanner.i += 1
        } else {
            while true {
                let element = try scanner.peekKind()
                guard element == .number else {
                    throw FieldError(.schema, "field '\(key.wireName)' must hold numbers only, found \(article(element))")
                }
                values.append(try scanner.scanNumber().value)
                scanner.skipWhitespace()
                if scanner.peek() == UInt8(ascii: ",") {
                    scanner.i += 1
                    continue
                }
                try scanner.expect(UInt8(ascii: "]"), "',' or ']'")
                break
            }
        }
        guard values.count == length else {
            if let arm {
                throw FieldError(.schema, "field '\(key.wireName)' has \(values.count) values but arm '\(arm)' declares \(length) joints")
            }
            throw FieldError(.schema, "field '\(key.wireName)' must hold \(length) numbers, not \(values.count)")
        }
        return values
    }

    /// The session frame's `arms` array.
    mutating func armDescriptors(at p: Int) throws -> [ArmDescriptor] {
        try objects(.arms, at: p) { r, o in
            guard let idP = o["id"] else { throw FieldError(.schema, "arm descriptor: missing required field 'id'") }
            guard let kindP = o["kind"] else { throw FieldError(.schema, "arm descriptor: missing required field 'kind'") }
            let id = try r.string(.id, at: idP)
            let kindText = try r.string(.kind, at: kindP)
            guard let kind = ArmKind(rawValue: kindText) else {
                throw FieldError(.schema, "arm descriptor '\(id)': kind must be PSM, ECM, MTM or other, not '\(kindText)'")
            }
            var joints: [JointDescriptor] = []
            if let jP = o["joints"] {
                joints = try r.objects(.arms, at: jP) { r, j in
                    guard let nameP = j["name"] else {
                        throw FieldError(.schema, "joint descriptor of '\(id)': missing required field 'name'")
                    }
                    guard let unitP = j["unit"] else {
                        throw FieldError(.schema, "joint descriptor of '\(id)': missing required field 'unit'")
                    }
                    let name = try r.string(.arms, at: nameP, expected: "a string ('name')")
                    let unitText = try r.string(.arms, at: unitP, expected: "a string ('unit')")
                    guard let unit = JointUnit(rawValue: unitText) else {
                        throw FieldError(.schema, "joint '\(name)' of '\(id)': unit must be 'rad' or 'm', not '\(unitText)'")
                    }
                    var joint = JointDescriptor(name: name, unit: unit)
                    if let q = j["min"] { joint.min = try r.number(.arms, at: q) }
                    if let q = j["max"] { joint.max = try r.number(.arms, at: q) }
                    if let q = j["effort_max"] { joint.effortMax = try r.number(.arms, at: q) }
                    return joint
                }
            }
            return ArmDescriptor(id: id, kind: kind, joints: joints)
        }
    }

    /// Reads an array of objects; each object's members are given to `body` by key (last duplicate wins).
    private mutating func objects<T>(_ key: Key, at p: Int,
                                     _ body: (inout FieldReader, [String: Int]) throws -> T) throws -> [T] {
        seek(p)
        let kind = try scanner.peekKind()
        guard kind == .array else { throw typeError(key, "an array", kind) }
        scanner.i += 1
        var result: [T] = []
        scanner.skipWhitespace()
        if scanner.peek() == UInt8(ascii: "]") {
            scanner.i += 1
            return result
        }
        while true {
            let element = try scanner.peekKind()
            guard element == .object else {
                throw FieldError(.schema, "field '\(key.wireName)' must hold objects, found \(article(element))")
            }
            scanner.i += 1
            var members: [String: Int] = [:]
            scanner.skipWhitespace()
            if scanner.peek() == UInt8(ascii: "}") {
                scanner.i += 1
            } else {
                while true {
                    let name = scanner.text(try scanner.scanString())
                    try scanner.expect(UInt8(ascii: ":"), "':'")
                    scanner.skipWhitespace()
                    members[name] = scanner.i
                    try scanner.skipValue(depth: 2)
                    scanner.skipWhitespace()
                    if scanner.peek() == UInt8(ascii: ",") {
                        scanner.i += 1
                        continue
                    }
                    try scanner.expect(UInt8(ascii: "}"), "',' or '}'")
                    break
                }
            }
            let resume = scanner.i
            result.append(try body(&self, members))
            scanner.i = resume
            scanner.skipWhitespace()
            if scanner.peek() == UInt8(ascii: ",") {
                scanner.i += 1
                continue
            }
            try scanner.expect(UInt8(ascii: "]"), "',' or ']'")
            return result
        }
    }
}
