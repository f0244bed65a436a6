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
        try withUnsafeTemporaryAllocation(of: FieldSlot.self, capacity: Key.allCases.count) { slots in
            try withUnsafeTemporaryAllocation(of: Double.self, capacity: LineFields.scratchCapacity) { scratch in
                var fields = LineFields(slots: slots.baseAddress!, scratch: scratch.baseAddress!)
                try scanMembers(&s, into: &fields)
                return try decodeFrame(FieldValues(fields: fields, reader: FieldReader(scanner: s)))
            }
        }
    }

    /// The single pass over the line: validates the whole object and reads the value of
    /// every known key by its JSON type, whatever the key order. Last duplicate wins.
    private func scanMembers(_ s: inout JSONScanner, into fields: inout LineFields) throws {
        guard s.peek() == UInt8(ascii: "{") else {
            let kind = try s.peekKind()
            throw FieldError(.syntax, "line is a JSON \(kind.rawValue), not an object")
        }
        s.i += 1
        s.skipWhitespace()
        if s.peek() == UInt8(ascii: "}") {
            s.i += 1
        } else {
            while true {
                let id: Key?
                if let plain = s.scanShortPlainKey() {
                    id = Key.identify(length: plain.length, plain.first, plain.second)
                } else {
                    id = Key.identify(s, try s.scanString())
                }
                if s.peek() == UInt8(ascii: ":") { s.i += 1 } else { try s.expect(UInt8(ascii: ":"), "':'") }
                s.skipWhitespace()
                if let id {
                    try fields.read(id, &s)
                } else {
                    try s.skipValue(depth: 1)
                }
                s.skipWhitespace()
                let c = s.peek()
                if c == UInt8(ascii: ",") {
                    s.i += 1
                    continue
                }
                if c == UInt8(ascii: "}") {
                    s.i += 1
                    break
                }
                throw s.unexpected(expecting: "',' or '}'")
            }
        }
        s.skipWhitespace()
        if !s.atEnd { throw ScanError("unexpected data after the object at column \(s.i + 1) (one value per line)") }
    }

    private mutating func decodeFrame(_ fields: FieldValues) throws -> DecodeOutcome {
        var f = fields
        // Common fields.
        guard f.has(.t) else { throw FieldError(.schema, "missing required field 't'") }
        guard f.has(.type) else { throw FieldError(.schema, "missing required field 'type'") }
        let t = try f.number(.t)!
        let typeRaw = try f.rawString(.type)!
        let seq = try f.integer(.seq)
        let scanner = f.reader.scanner

        let body: Frame.Body
        if scanner.equals(typeRaw, "arm") {
            body = .arm(try decodeArm(&f))
        } else if scanner.equals(typeRaw, "link") {
            body = .link(try decodeLink(&f))
        } else if scanner.equals(typeRaw, "instrument") {
            body = .instrument(try decodeInstrument(&f))
        } else if scanner.equals(typeRaw, "alarm") {
            body = .alarm(try decodeAlarm(&f))
        } else if scanner.equals(typeRaw, "event") {
            body = .event(try decodeEvent(&f))
        } else if scanner.equals(typeRaw, "session") {
            let session = try decodeSession(&f)
            body = .session(session)
            declaredArms = session.arms
            armIDBytes = session.arms.map { Array($0.id.utf8) }
        } else {
            return .unknownType(scanner.text(typeRaw))
        }
        return .frame(Frame(t: t, seq: seq, body: body))
    }

    // MARK: - frame types

    private func decodeSession(_ f: inout FieldValues) throws -> SessionInfo {
        guard let version = try f.integer(.v) else { throw FieldError(.schema, "session frame: missing required field 'v'") }
        guard version == 1 else {
            throw FieldError(.unsupportedVersion(version),
                             "session frame declares telemetry format version \(version); this reader understands version 1 only")
        }
        guard f.has(.id) else { throw FieldError(.schema, "session frame: missing required field 'id'") }
        guard let armsPos = f.position(.arms) else { throw FieldError(.schema, "session frame: missing required field 'arms'") }
        var info = SessionInfo(version: version, id: try f.string(.id)!, arms: [])
        info.procedure = try f.string(.procedure)
        info.robot = try f.string(.robot)
        info.surgeonSite = try f.string(.surgeonSite)
        info.patientSite = try f.string(.patientSite)
        info.distanceKm = try f.number(.distanceKm)
        info.startedAt = try f.string(.startedAt)
        info.arms = try f.reader.armDescriptors(at: armsPos)
        var seen = Set<String>()
        for arm in info.arms where !seen.insert(arm.id).inserted {
            throw FieldError(.schema, "session frame: arm id '\(arm.id)' is declared twice")
        }
        return info
    }

    private func decodeLink(_ f: inout FieldValues) throws -> LinkSample {
        var link = LinkSample()
        if let path = try f.string(.path) { link.path = path }
        link.up = try f.bool(.up)
        link.rttMs = try f.number(.rttMs)
        link.jitterMs = try f.number(.jitterMs)
        link.lossPct = try f.number(.lossPct)
        link.bandwidthMbps = try f.number(.bandwidthMbps)
        link.videoFps = try f.number(.videoFps)
        link.videoDelayMs = try f.number(.videoDelayMs)
        guard link.hasMetric else { throw FieldError(.schema, "link frame carries no metric") }
        return link
    }

    private func decodeArm(_ f: inout FieldValues) throws -> ArmSample {
        guard let raw = try f.rawString(.arm) else { throw FieldError(.schema, "arm frame: missing required field 'arm'") }
        let scanner = f.reader.scanner
        // Intern the arm id: compare bytes with the declared ids instead of allocating.
        var index = -1
        let n = raw.end - raw.start
        if !raw.hasEscapes {
            for k in armIDBytes.indices where armIDBytes[k].count == n {
                let same = armIDBytes[k].withUnsafeBufferPointer { memcmp($0.baseAddress!, scanner.base + raw.start, n) == 0 }
                if same {
                    index = k
                    break
                }
            }
        } else {
            let text = scanner.text(raw)
            index = declaredArms.firstIndex { $0.id == text } ?? -1
        }
        guard index >= 0 else {
            let name = scanner.text(raw)
            if declaredArms.isEmpty {
                throw FieldError(.schema, "arm frame for '\(name)' before any session frame declared arms")
            }
            throw FieldError(.schema, "arm frame for '\(name)', which the session frame did not declare")
        }
        let id = declaredArms[index].id
        let joints = declaredArms[index].joints.count
        var arm = try f.armRuns(arm: id, joints: joints)
        if let state = try f.rawString(.state) {
            arm.state = try operatingState(state, scanner)
        }
        arm.homed = try f.bool(.homed)
        arm.following = try f.bool(.following)
        arm.jaw = try f.number(.jaw)
        return arm
    }

    /// The CRTK state named by a scanned string, compared as bytes (the common spellings need no String).
    private func operatingState(_ raw: JSONScanner.RawString, _ scanner: JSONScanner) throws -> OperatingState {
        if scanner.equals(raw, "ENABLED") { return .enabled }
        if scanner.equals(raw, "DISABLED") { return .disabled }
        if scanner.equals(raw, "PAUSED") { return .paused }
        if scanner.equals(raw, "FAULT") { return .fault }
        let text = scanner.text(raw)
        guard let state = OperatingState(rawValue: text) else {
            throw FieldError(.schema, "arm frame: unknown state '\(text)'")
        }
        return state
    }

    private func decodeInstrument(_ f: inout FieldValues) throws -> InstrumentSample {
        guard let arm = try f.string(.arm) else { throw FieldError(.schema, "instrument frame: missing required field 'arm'") }
        var inst = InstrumentSample(arm: arm)
        if f.has(.tool) {
            inst.tool = f.isNull(.tool) ? .none : .model(try f.string(.tool, expected: "a string or null")!)
        }
        if let text = try f.string(.state) {
            guard let state = InstrumentState(rawValue: text) else {
                throw FieldError(.schema, "instrument frame: unknown state '\(text)'")
            }
            inst.state = state
        }
        inst.usesLeft = try f.integer(.usesLeft)
        if let text = try f.string(.energy) {
            guard let energy = EnergyMode(rawValue: text) else {
                throw FieldError(.schema, "instrument frame: unknown energy mode '\(text)'")
            }
            inst.energy = energy
        }
        inst.energyActive = try f.bool(.energyActive)
        return inst
    }

    private func decodeAlarm(_ f: inout FieldValues) throws -> AlarmReport {
        guard f.has(.id) else { throw FieldError(.schema, "alarm frame: missing required field 'id'") }
        guard f.has(.state) else { throw FieldError(.schema, "alarm frame: missing required field 'state'") }
        let id = try f.string(.id)!
        let stateText = try f.string(.state)!
        guard let state = AlarmReport.State(rawValue: stateText) else {
            throw FieldError(.schema, "alarm frame: state must be 'raised' or 'cleared', not '\(stateText)'")
        }
        var alarm = AlarmReport(id: id, state: state)
        if let text = try f.string(.priority) {
            guard let priority = AlarmPriority(rawValue: text) else {
                throw FieldError(.schema, "alarm frame: priority must be 'high', 'medium' or 'low', not '\(text)'")
            }
            alarm.priority = priority
        }
        if state == .raised && alarm.priority == nil {
            throw FieldError(.schema, "alarm frame: a raised alarm needs a 'priority'")
        }
        if let text = try f.string(.kind) {
            guard let kind = AlarmKind(rawValue: text) else {
                throw FieldError(.schema, "alarm frame: kind must be 'technical' or 'physiological', not '\(text)'")
            }
            alarm.kind = kind
        }
        alarm.source = try f.string(.source)
        alarm.message = try f.string(.message)
        return alarm
    }

    private func decodeEvent(_ f: inout FieldValues) throws -> EventNote {
        guard let kind = try f.string(.kind) else { throw FieldError(.schema, "event frame: missing required field 'kind'") }
        var event = EventNote(kind: kind)
        event.text = try f.string(.text)
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

    /// Keys whose value is an array of numbers, read into scratch during the pass.
    var holdsNumbers: Bool {
        switch self {
        case .position, .velocity, .effort, .tip, .orientation, .twist: true
        default: false
        }
    }

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
    static func identify(_ s: JSONScanner, _ raw: JSONScanner.RawString) -> Key? {
        if raw.hasEscapes {
            let text = s.text(raw)
            return Key.allCases.first { $0.wireName == text }
        }
        let n = raw.end - raw.start
        guard n <= 16 else { return nil }
        var words: (UInt64, UInt64) = (0, 0)
        for k in 0..<n {
            let byte = UInt64(s.base[raw.start + k]) << UInt64(8 * (k & 7))
            if k < 8 { words.0 |= byte } else { words.1 |= byte }
        }
        return identify(length: n, words.0, words.1)
    }

    /// The key of `length` bytes whose first eight bytes are `first` and next eight `second`
    /// (little-endian, zero-padded). A switch on the length, then one or two integer
    /// comparisons per candidate: no allocation, no call.
    static func identify(length: Int, _ first: UInt64, _ second: UInt64) -> Key? {
        @inline(__always) func word(_ literal: StaticString, from: Int) -> UInt64 {
            var w: UInt64 = 0
            let p = literal.utf8Start
            var k = from
            while k < min(from + 8, literal.utf8CodeUnitCount) {
                w |= UInt64(p[k]) << UInt64(8 * (k - from))
                k += 1
            }
            return w
        }
        @inline(__always) func match(_ literal: StaticString) -> Bool {
            first == word(literal, from: 0) && second == word(literal, from: 8)
        }
        switch length {
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

/// One known key's value as the single pass over a line found it.
struct FieldSlot {
    enum Tag: UInt8 {
        /// `value` holds the number (possibly infinite: reported only if the frame uses it).
        case number
        /// `start`/`end` delimit the raw bytes; `flag` says whether they hold escapes.
        case string
        /// `flag` holds the value.
        case boolean
        case null
        /// An array of numbers, copied to the line's scratch buffer at `end`, `count` long.
        case numbers
        /// Anything else (an object, a mixed array…): re-read from `start` by `FieldReader`, which words the error.
        case other
    }

    var tag: Tag
    var flag = false
    /// Where the value starts in the line.
    var start: Int32
    var end: Int32 = 0
    var count: Int32 = 0
    var value: Double = 0
}

/// The values of the known keys of one line. Slots and scratch live in stack buffers owned by
/// `decodeObject`; a bit per key says which slots this line wrote.
struct LineFields {
    /// Doubles for the number arrays of one line; a line needing more takes the slower path.
    static let scratchCapacity = 256

    let slots: UnsafeMutablePointer<FieldSlot>
    let scratch: UnsafeMutablePointer<Double>
    var present: UInt64 = 0
    var scratchUsed = 0

    init(slots: UnsafeMutablePointer<FieldSlot>, scratch: UnsafeMutablePointer<Double>) {
        self.slots = slots
        self.scratch = scratch
    }

    subscript(key: Key) -> FieldSlot? {
        present & (1 << UInt64(key.rawValue)) != 0 ? slots[key.rawValue] : nil
    }

    /// Reads the value at the cursor for `key`, validating it as JSON whatever its type.
    @inline(__always)
    mutating func read(_ key: Key, _ s: inout JSONScanner) throws {
        guard s.i < s.count else { throw s.unexpected(expecting: "a value") }
        let start = Int32(s.i)
        var slot = FieldSlot(tag: .other, start: start)
        switch s.base[s.i] {
        case UInt8(ascii: "\""):
            let raw = try s.scanString()
            slot.tag = .string
            slot.start = Int32(raw.start)
            slot.end = Int32(raw.end)
            slot.flag = raw.hasEscapes
        case UInt8(ascii: "-"), 0x30...0x39:
            slot.tag = .number
            slot.value = try s.scanNumberUnchecked().value
        case UInt8(ascii: "["):
            if key.holdsNumbers, let count = readNumbers(&s) {
                slot.tag = .numbers
                slot.end = Int32(scratchUsed)
                slot.count = Int32(count)
                scratchUsed += count
            } else {
                try s.skipValue(depth: 1)
            }
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            slot.tag = .boolean
            slot.flag = try s.scanBool()
        case UInt8(ascii: "n"):
            guard s.matchLiteral("null") else { throw s.unexpected(expecting: "null") }
            slot.tag = .null
        default:
            try s.skipValue(depth: 1)
        }
        slots[key.rawValue] = slot
        present |= 1 << UInt64(key.rawValue)
    }

    /// An array of finite numbers into the scratch buffer after `scratchUsed`; nil (cursor
    /// unmoved) for anything else, which the caller then validates the general way.
    private func readNumbers(_ s: inout JSONScanner) -> Int? {
        var probe = s
        probe.i += 1
        probe.skipWhitespace()
        if probe.peek() == UInt8(ascii: "]") {
            s.i = probe.i + 1
            return 0
        }
        var n = 0
        while true {
            let c = probe.peek()
            guard scratchUsed + n < Self.scratchCapacity, c == UInt8(ascii: "-") || c &- 0x30 < 10,
                  let token = try? probe.scanNumberUnchecked(), token.value.isFinite else { return nil }
            scratch[scratchUsed + n] = token.value
            n += 1
            probe.skipWhitespace()
            let next = probe.peek()
            probe.i += 1
            if next == UInt8(ascii: ",") {
                probe.skipWhitespace()
            } else if next == UInt8(ascii: "]") {
                s.i = probe.i
                return n
            } else {
                return nil
            }
        }
    }
}

/// Typed access to one line's known fields: the fast answer from the slot, or, when the value
/// is not of the expected type, `FieldReader`'s error from its position in the line.
struct FieldValues {
    var fields: LineFields
    var reader: FieldReader

    func has(_ key: Key) -> Bool { fields[key] != nil }

    func isNull(_ key: Key) -> Bool { fields[key]?.tag == .null }

    /// Where the value of `key` starts (for values read by `FieldReader` itself).
    func position(_ key: Key) -> Int? {
        guard let slot = fields[key] else { return nil }
        return slot.tag == .string ? Int(slot.start) - 1 : Int(slot.start)
    }

    mutating func number(_ key: Key) throws -> Double? {
        guard let slot = fields[key] else { return nil }
        if slot.tag == .number, slot.value.isFinite { return slot.value }
        return try reader.number(key, at: position(key)!)
    }

    mutating func integer(_ key: Key) throws -> Int? {
        guard let slot = fields[key] else { return nil }
        if slot.tag == .number, slot.value == slot.value.rounded(.towardZero), abs(slot.value) < 9.0e15 {
            return Int(slot.value)
        }
        return try reader.integer(key, at: position(key)!)
    }

    mutating func bool(_ key: Key) throws -> Bool? {
        guard let slot = fields[key] else { return nil }
        if slot.tag == .boolean { return slot.flag }
        return try reader.bool(key, at: position(key)!)
    }

    mutating func rawString(_ key: Key) throws -> JSONScanner.RawString? {
        guard let slot = fields[key] else { return nil }
        if slot.tag == .string { return JSONScanner.RawString(start: Int(slot.start), end: Int(slot.end), hasEscapes: slot.flag) }
        return try reader.rawString(key, at: position(key)!)
    }

    mutating func string(_ key: Key, expected: String = "a string") throws -> String? {
        guard let slot = fields[key] else { return nil }
        if slot.tag == .string {
            return reader.scanner.text(JSONScanner.RawString(start: Int(slot.start), end: Int(slot.end), hasEscapes: slot.flag))
        }
        return try reader.string(key, at: position(key)!, expected: expected)
    }

    /// An arm frame's number arrays, each checked for its length (the arm's joint count, or
    /// 3, 4 and 6 for tip, orientation and twist), packed into one buffer.
    mutating func armRuns(arm: String, joints: Int) throws -> ArmSample {
        var total = 0
        var inScratch = true
        for k in 0..<6 {
            guard let slot = fields[Self.runKey(k)] else { continue }
            guard slot.tag == .numbers else {
                inScratch = false
                continue
            }
            try Self.checkLength(Self.runKey(k), Int(slot.count), k < 3 ? joints : Self.fixedLength(k), k < 3 ? arm : nil)
            total += Int(slot.count)
        }
        guard inScratch else { return try armRunsApart(arm: arm, joints: joints) }
        let fields = self.fields
        let values = ReadingsStorage.make(count: total) { buffer in
            var at = 0
            for k in 0..<6 {
                guard let slot = fields[Self.runKey(k)] else { continue }
                (buffer + at).initialize(from: fields.scratch + Int(slot.end), count: Int(slot.count))
                at += Int(slot.count)
            }
        }
        func length(_ k: Int) -> Int32 { fields[Self.runKey(k)].map { $0.count } ?? -1 }
        return ArmSample(arm: arm, values: values, lengths: (length(0), length(1), length(2), length(3), length(4), length(5)))
    }

    /// The general path, when some array was not a plain array of numbers: `FieldReader` reads
    /// each one and words the error.
    private mutating func armRunsApart(arm: String, joints: Int) throws -> ArmSample {
        var runs: [[Double]?] = []
        for k in 0..<6 {
            let key = Self.runKey(k)
            guard let slot = fields[key] else {
                runs.append(nil)
                continue
            }
            let length = k < 3 ? joints : Self.fixedLength(k)
            if slot.tag == .numbers {
                try Self.checkLength(key, Int(slot.count), length, k < 3 ? arm : nil)
                runs.append(Array(UnsafeBufferPointer(start: fields.scratch + Int(slot.end), count: Int(slot.count))))
            } else {
                runs.append(try reader.numbers(key, at: position(key)!, length: length, arm: k < 3 ? arm : nil))
            }
        }
        return ArmSample(arm: arm, position: runs[0], velocity: runs[1], effort: runs[2],
                         tip: runs[3], orientation: runs[4], twist: runs[5])
    }

    @inline(__always) private static func runKey(_ k: Int) -> Key {
        switch k {
        case 0: .position
        case 1: .velocity
        case 2: .effort
        case 3: .tip
        case 4: .orientation
        default: .twist
        }
    }

    /// Tip, orientation and twist lengths.
    @inline(__always) private static func fixedLength(_ k: Int) -> Int {
        k == 3 ? 3 : k == 4 ? 4 : 6
    }

    private static func checkLength(_ key: Key, _ count: Int, _ length: Int, _ arm: String?) throws {
        guard count == length else {
            if let arm {
                throw FieldError(.schema, "field '\(key.wireName)' has \(count) values but arm '\(arm)' declares \(length) joints")
            }
            throw FieldError(.schema, "field '\(key.wireName)' must hold \(length) numbers, not \(count)")
        }
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
