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
    /// Each declared arm id's length and first eight bytes as a word (ids longer than eight
    /// bytes are compared in full), so an arm frame finds its arm without allocating.
    private(set) var armIDWords: [(length: Int, word: UInt64)] = []

    /// Whether common arm lines take `decodeArmLine` (tests turn it off to compare with the general path).
    var armLineFastPath = true

    public init() {}

    /// Forgets the declared arms and the line count (a new connection or file).
    public mutating func reset() {
        lineNumber = 0
        declaredArms = []
        armIDWords = []
    }

    /// Counts a line that was skipped without being decoded (for example one over the length limit).
    public mutating func skipLine() -> DecodeError {
        lineNumber += 1
        return tooLong()
    }

    private func tooLong() -> DecodeError {
        DecodeError(line: lineNumber, kind: .tooLong, reason: "line longer than \(Self.maxLineBytes) bytes, skipped")
    }

    /// Decodes one line given without its LF; a trailing CR is ignored.
    public mutating func decode(_ line: UnsafeRawBufferPointer) -> DecodeOutcome {
        lineNumber += 1
        var n = line.count
        guard n > 0, let raw = line.baseAddress else { return .blank }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        if base[n - 1] == 0x0D { n -= 1 }
        if n > Self.maxLineBytes { return .error(tooLong()) }
        if armLineFastPath, let frame = decodeArmLine(base, n) { return .frame(frame) }
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
        guard abs(t) <= Frame.timeLimit else {
            throw FieldError(.schema, "field 't' is \(JSONText.number(t)) s, outside the session times accepted "
                             + "(±1e9 s, about 31 years)")
        }
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
        } else if scanner.equals(typeRaw, "sync") {
            body = .sync(try decodeSync(&f))
        } else if scanner.equals(typeRaw, "session") {
            let session = try decodeSession(&f)
            body = .session(session)
            declaredArms = session.arms
            armIDWords = session.arms.map { arm in
                let bytes = Array(arm.id.utf8)
                return (bytes.count, bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) })
            }
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
        info.minBandwidthMbps = try f.number(.minBandwidthMbps)
        info.arms = try f.reader.armDescriptors(at: armsPos)
        var seen = Set<String>()
        for arm in info.arms where !seen.insert(arm.id).inserted {
            throw FieldError(.schema, "session frame: arm id \(WireText.quoted(arm.id)) is declared twice")
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
            let quick = n <= 8 && raw.start + 8 <= scanner.count
            let word = quick ? scanner.word(at: raw.start, length: n) : 0
            for k in armIDWords.indices where armIDWords[k].length == n {
                let same = quick ? armIDWords[k].word == word
                    : declaredArms[k].id.utf8.elementsEqual(UnsafeBufferPointer(start: scanner.base + raw.start, count: n))
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
                throw FieldError(.schema, "arm frame for \(WireText.quoted(name)) before any session frame declared arms")
            }
            throw FieldError(.schema, "arm frame for \(WireText.quoted(name)), which the session frame did not declare")
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
            throw FieldError(.schema, "arm frame: unknown state \(WireText.quoted(text))")
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
                throw FieldError(.schema, "instrument frame: unknown state \(WireText.quoted(text))")
            }
            inst.state = state
        }
        inst.usesLeft = try f.integer(.usesLeft)
        if let text = try f.string(.energy) {
            guard let energy = EnergyMode(rawValue: text) else {
                throw FieldError(.schema, "instrument frame: unknown energy mode \(WireText.quoted(text))")
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
            throw FieldError(.schema, "alarm frame: state must be 'raised' or 'cleared', not \(WireText.quoted(stateText))")
        }
        var alarm = AlarmReport(id: id, state: state)
        if let text = try f.string(.priority) {
            guard let priority = AlarmPriority(rawValue: text) else {
                throw FieldError(.schema, "alarm frame: priority must be 'high', 'medium' or 'low', not \(WireText.quoted(text))")
            }
            alarm.priority = priority
        }
        if state == .raised && alarm.priority == nil {
            throw FieldError(.schema, "alarm frame: a raised alarm needs a 'priority'")
        }
        if let text = try f.string(.kind) {
            guard let kind = AlarmKind(rawValue: text) else {
                throw FieldError(.schema, "alarm frame: kind must be 'technical' or 'physiological', not \(WireText.quoted(text))")
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

    /// A number array must have `length` values; `arm` names the arm whose joints set it.
    static func checkLength(_ key: Key, _ count: Int, _ length: Int, arm: String?) throws {
        guard count == length else {
            if let arm {
                throw FieldError(.schema, "field '\(key.wireName)' has \(count) values but arm \(WireText.quoted(arm)) declares \(length) joints")
            }
            throw FieldError(.schema, "field '\(key.wireName)' must hold \(length) numbers, not \(count)")
        }
    }
}
