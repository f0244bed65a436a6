import MCAP
import SessionCore
import Synchronization
import SystemCalls
import Telemetry

/// Turns the raw bytes of a surgtop NDJSON recording, fed in chunks of any size (a line may span them), into
/// a surgtop MCAP file laid out as `SurgtopMCAPProfile` says: one channel per topic, created as first needed,
/// a `jsonschema` schema per kind of message, an arm frame split in its CRTK parts, every message of a frame
/// with the frame's ordinal as `sequence` and the session's wall clock as log time, in one chunk.
///
/// Every line is validated by the frame decoder; a bad line or a frame of an unknown type is not written but
/// counted (the first few named) in the `Summary`. A message is the frame line's own text (the whole line,
/// or for an arm frame its common members and those of the part): numbers are copied, never re-formatted,
/// so values stay exact and no time goes to printing doubles. The file is assembled and compressed on a
/// second thread while this one decodes (`Options.threaded`). Not thread-safe: one caller.
public final class MCAPExport {
    public struct Options: Sendable {
        /// zstd level 1 by default, the fastest positive level: compression is half the writing thread's time.
        public var compression: MCAPCompression
        /// Uncompressed bytes of records per chunk (a frame's messages may take it a little past).
        public var chunkSize: Int
        /// The input's name, for the metadata record (a path's last component is enough).
        public var source: String
        /// surgtop's version, for the metadata record and the Header's library.
        public var surgtopVersion: String
        /// Assemble and compress the file on a second thread (false: all on the caller's, for tests).
        public var threaded: Bool

        public init(compression: MCAPCompression = .zstd(level: 1), chunkSize: Int = 4 << 20, source: String,
                    surgtopVersion: String, threaded: Bool = true) {
            self.compression = compression
            self.chunkSize = chunkSize
            self.source = source
            self.surgtopVersion = surgtopVersion
            self.threaded = threaded
        }
    }

    /// What a conversion wrote and what it left out, for the command to print.
    public struct Summary: Sendable, Equatable {
        /// Lines read (blank ones included), as the decoder numbers them.
        public var lines = 0
        public var frames = 0
        /// Messages written per topic.
        public var messages: [String: Int] = [:]
        /// Lines that are not valid frames: not written.
        public var badLines = 0
        /// The first few of them (`noteLimit`), with line number and reason.
        public var firstBadLines: [DecodeError] = []
        /// Frames of a type this version does not know: not written (spec §1), counted apart.
        public var unknownTypes = 0
        /// The first few: line number and the type (sanitised).
        public var firstUnknownTypes: [UnknownType] = []
        /// Frames left out because the file already had `maxChannels` channels (a hostile input naming a new
        /// link path on every line).
        public var tooManyTopics = 0
        /// Session frames written.
        public var sessions = 0
        /// How log times were made: `started_at`, `fallback_epoch`, both (several sessions), or `none`.
        public var timeBase = "none"
        /// The last line had no LF (a file cut while being written); it was decoded as it was, unless
        /// `finish(leavingOutCutLine:)` left it out (a live input stopped mid-line).
        public var endsMidLine = false
        /// That cut last line was left out, not decoded.
        public var cutLineLeftOut = false

        public struct UnknownType: Sendable, Equatable {
            public var line: Int
            public var type: String
        }
    }

    /// How many bad lines and unknown types a summary names.
    public static let noteLimit = 5
    /// Channels a file may have: far more than any robot's topics, far fewer than MCAP's 65,536.
    public static let maxChannels = 4096

    private let options: Options
    private let stage: WriterStage
    private var batch = ExportBatch()
    private var decoder = FrameDecoder()
    private let members = ArmLineMembers()
    private var summary = Summary()

    // Lines split across chunks.
    private var pending: [UInt8] = []
    private var discarding = false

    // Schemas and channels, by the ids the writer gives them (schemas 1, 2, …; channels 0, 1, …).
    private var schemaIDs: [SurgtopMCAPSchemas.Kind: UInt16] = [:]
    private var topics: [String: UInt16] = [:]
    private var topicNames: [String] = []
    private var arms: [String: ArmChannels] = [:]
    /// The messages written per channel, by id.
    private var counts: [Int] = []

    // The time base in ns since 1970: the latest session's `started_at`, or the fallback epoch.
    private var base = Int128(SurgtopMCAPProfile.fallbackEpoch) * 1_000_000_000
    private var baseIsFallback = true
    /// The id of the latest session frame: a session frame with the same id continues it (spec §3).
    private var sessionID: String?
    private var usedStartedAt = false
    private var usedFallback = false

    /// The channels of one arm, one per part (by `ArmPart` order), and its joint names as JSON.
    private final class ArmChannels {
        /// Channel ids by part, -1 until made (raw storage: read for every message of every arm frame).
        let channels = UnsafeMutablePointer<Int32>.allocate(capacity: SurgtopMCAPProfile.ArmPart.allCases.count)
        /// `,"name":[…]` from the latest session frame that declared the arm.
        var names: [UInt8] = []

        init() { channels.initialize(repeating: -1, count: SurgtopMCAPProfile.ArmPart.allCases.count) }
        deinit { channels.deallocate() }
    }

    /// Starts the file on `sink`: magic and Header are written at once.
    public init(sink: MCAPSink, options: Options) throws {
        self.options = options
        let writer = try MCAPWriter(sink: sink, options: MCAPWriter.Options(
            compression: options.compression, chunkSize: options.chunkSize,
            profile: SurgtopMCAPProfile.profile, library: "surgtop \(options.surgtopVersion)"))
        stage = WriterStage(writer: writer)
        if options.threaded { stage.start() }
    }

    /// An export dropped before `finish` (a read failed): its writing thread ends, the file unfinished.
    deinit { stage.abandon() }

    /// Converts a whole recording held in memory into MCAP bytes (tests, small files).
    public static func convert(_ ndjson: [UInt8], options: Options) throws -> (mcap: [UInt8], summary: Summary) {
        let sink = MCAPMemorySink()
        let export = try MCAPExport(sink: sink, options: options)
        try ndjson.withUnsafeBytes { try export.feed($0) }
        let summary = try export.finish()
        return (sink.bytes, summary)
    }

    /// Feeds the next bytes of the recording.
    public func feed(_ chunk: UnsafeRawBufferPointer) throws {
        guard let raw = chunk.baseAddress else { return }
        let base = raw.assumingMemoryBound(to: UInt8.self)
        let n = chunk.count
        var start = 0
        while start < n {
            guard let found = SystemCalls.firstOffset(of: 0x0A, in: base + start, count: n - start) else {
                appendPartial(base + start, n - start)
                break
            }
            let lf = start + found
            if pending.isEmpty && !discarding {
                try line(UnsafeBufferPointer(start: base + start, count: lf - start))
            } else {
                appendPartial(base + start, lf - start)
                try takePending()
            }
            start = lf + 1
        }
    }

    /// The recording ended: decodes a last line without LF (or, `leavingOutCutLine`, drops it: a live input
    /// stopped while its writer was mid-line), writes the metadata record and the summary section, and
    /// returns what was written. The sink is not closed.
    public func finish(leavingOutCutLine: Bool = false) throws -> Summary {
        if discarding || !pending.isEmpty {
            summary.endsMidLine = true
            if leavingOutCutLine {
                pending.removeAll()
                discarding = false
                summary.cutLineLeftOut = true
            } else {
                try takePending()
            }
        }
        summary.lines = decoder.lineNumber
        summary.timeBase = switch (usedStartedAt, usedFallback) {
        case (true, true): "started_at and fallback_epoch"
        case (true, false): "started_at"
        case (false, true): "fallback_epoch"
        case (false, false): "none"
        }
        var values = [
            "format": "telemetry-v1",
            "time_base": summary.timeBase,
            "log_time": "the session's started_at + t, in ns since 1970 (UTC)",
            "source": WireText.sanitize(options.source),
            "surgtop_version": options.surgtopVersion,
        ]
        if usedFallback {
            values["fallback_epoch"] = RecordingClock.timestamp(start: Double(SurgtopMCAPProfile.fallbackEpoch), t: 0)
            values["log_time"] = "the session's started_at + t, in ns since 1970 (UTC); without started_at, fallback_epoch + t"
        }
        batch.ops.append(.metadata(Metadata(name: SurgtopMCAPProfile.metadataName, values: values)))
        try sendBatch()
        try stage.finish()
        for (id, count) in counts.enumerated() where count > 0 { summary.messages[topicNames[id]] = count }
        return summary
    }

    // MARK: - lines

    private func appendPartial(_ p: UnsafePointer<UInt8>, _ count: Int) {
        guard !discarding else { return }
        if pending.count + count > FrameDecoder.maxLineBytes + 1 {  // +1: a CR the decoder strips
            pending.removeAll(keepingCapacity: false)
            discarding = true
            return
        }
        pending.append(contentsOf: UnsafeBufferPointer(start: p, count: count))
    }

    private func takePending() throws {
        if discarding {
            discarding = false
            noteBad(decoder.skipLine())
            return
        }
        let held = pending
        pending.removeAll(keepingCapacity: true)
        try held.withUnsafeBufferPointer { try line($0) }
    }

    private func line(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        switch decoder.decode(UnsafeRawBufferPointer(bytes)) {
        case .blank: return
        case .error(let error): noteBad(error)
        case .unknownType(let type):
            summary.unknownTypes += 1
            if summary.firstUnknownTypes.count < Self.noteLimit {
                let shown = WireText.sanitize(String(type.prefix(80)))
                summary.firstUnknownTypes.append(Summary.UnknownType(line: decoder.lineNumber, type: shown))
            }
        case .frame(let frame):
            try write(frame, bytes)
            // Checked per line, so a caller that feeds a whole recording at once still hands the writing
            // thread batches of about `targetBytes`, and memory stays bounded.
            if batch.count >= ExportBatch.targetBytes { try sendBatch() }
        }
    }

    private func noteBad(_ error: DecodeError) {
        summary.badLines += 1
        if summary.firstBadLines.count < Self.noteLimit { summary.firstBadLines.append(error) }
    }

    // MARK: - frames

    private func write(_ frame: Frame, _ line: UnsafeBufferPointer<UInt8>) throws {
        let sequence = UInt32(truncatingIfNeeded: summary.frames)
        if case .session(let info) = frame.body { startSession(info) }
        let logTime = self.logTime(frame.t)
        let written: Bool
        switch frame.body {
        case .session: written = try whole(line, topic: SurgtopMCAPProfile.sessionTopic, kind: .session, sequence, logTime)
        case .sync: written = try whole(line, topic: SurgtopMCAPProfile.syncTopic, kind: .sync, sequence, logTime)
        case .link(let link):
            written = try whole(line, topic: SurgtopMCAPProfile.linkTopic(path: Self.topicText(link.path)), kind: .link, sequence, logTime)
        case .instrument(let instrument):
            written = try whole(line, topic: SurgtopMCAPProfile.instrumentTopic(arm: Self.topicText(instrument.arm)),
                                kind: .instrument, sequence, logTime)
        case .alarm: written = try whole(line, topic: SurgtopMCAPProfile.alarmsTopic, kind: .alarm, sequence, logTime)
        case .event: written = try whole(line, topic: SurgtopMCAPProfile.eventsTopic, kind: .event, sequence, logTime)
        case .arm(let arm): written = try parts(line, arm: arm.arm, sequence, logTime)
        }
        if written {
            summary.frames += 1
            if case .session = frame.body { summary.sessions += 1 }
            if baseIsFallback { usedFallback = true } else { usedStartedAt = true }
        } else {
            summary.tooManyTopics += 1
        }
    }

    /// A session frame: its `started_at` becomes the time base, its arms' joint names those of measured_js.
    /// One without `started_at` that repeats the latest id continues that session (a gateway's reconnect,
    /// spec §3), whose time base stays; a new session without it counts from the fallback epoch.
    private func startSession(_ info: SessionInfo) {
        if let start = info.startedAt.flatMap(Self.nanoseconds(rfc3339:)) {
            base = start
            baseIsFallback = false
        } else if info.id != sessionID {
            base = Int128(SurgtopMCAPProfile.fallbackEpoch) * 1_000_000_000
            baseIsFallback = true
        }
        sessionID = info.id
        for descriptor in info.arms {
            var names: [UInt8] = Array(#","name":["#.utf8)
            for (k, joint) in descriptor.joints.enumerated() {
                if k > 0 { names.append(UInt8(ascii: ",")) }
                JSONText.appendQuoted(joint.name, to: &names)
            }
            names.append(UInt8(ascii: "]"))
            arm(descriptor.id).names = names
        }
    }

    /// An RFC 3339 time in ns since 1970, exactly: the whole seconds as `RecordingClock` reads them (which
    /// also validates the text), the fraction's digits as integer ns (a Double would keep only about 7 of
    /// them at today's dates). Digits past the ninth are dropped. Nil when the text is no time.
    static func nanoseconds(rfc3339 text: String) -> Int128? {
        let b = Array(text.utf8.prefix(65))
        guard b.count <= 64, RecordingClock.unixSeconds(rfc3339: text) != nil else { return nil }
        var fraction: Int64 = 0
        var end = 19
        if b.count > 19, b[19] == UInt8(ascii: ".") {
            end = 20
            var scale: Int64 = 100_000_000
            while end < b.count, b[end] >= 0x30, b[end] <= 0x39 {
                fraction += Int64(b[end] - 0x30) * scale
                scale /= 10
                end += 1
            }
        }
        // The same time without its fraction: whole seconds, exact in a Double.
        let whole = String(decoding: b[0..<19] + b[end...], as: UTF8.self)
        guard let seconds = RecordingClock.unixSeconds(rfc3339: whole) else { return nil }
        return Int128(Int64(seconds)) * 1_000_000_000 + Int128(fraction)
    }

    /// The log time of session time `t`: the time base plus `t`, clamped to 0…UInt64.max. In 128 bits, which
    /// hold any of them: `started_at` is before 10000 (RecordingClock) and |t| ≤ 1e9 s (the decoder).
    private func logTime(_ t: Double) -> UInt64 {
        let ns = base + Int128(Int64((t * 1e9).rounded()))
        return ns <= 0 ? 0 : ns >= Int128(UInt64.max) ? .max : UInt64(ns)
    }

    /// A frame written whole: the line itself, without the whitespace around it.
    private func whole(_ line: UnsafeBufferPointer<UInt8>, topic: String, kind: SurgtopMCAPSchemas.Kind,
                       _ sequence: UInt32, _ logTime: UInt64) throws -> Bool {
        guard let channel = channel(topic: topic, kind: kind) else { return false }
        var start = 0, end = line.count
        while start < end, Self.isWhitespace(line[start]) { start += 1 }
        while end > start, Self.isWhitespace(line[end - 1]) { end -= 1 }
        batch.append(UnsafeBufferPointer(rebasing: line[start..<end]))
        batch.endMessage(channel, sequence, logTime, mayEndChunk: true)
        counts[Int(channel)] += 1
        return true
    }

    /// An arm frame, one message per part it carries, in `ArmPart` order; a frame that carries none (only
    /// its arm) still goes to operating_state, so that no frame is lost.
    private func parts(_ line: UnsafeBufferPointer<UInt8>, arm: String, _ sequence: UInt32, _ logTime: UInt64) throws -> Bool {
        typealias M = ArmLineMembers.Member
        members.scan(line)
        let present = members.present
        // A bit per part it carries, by ArmPart order: operating_state, measured_js, jaw, measured_cp, measured_cv.
        var carried = 0
        for index in 0..<Self.partCount where present & Self.partMembers(index) != 0 { carried |= 1 << index }
        if carried == 0 { carried = 1 }

        let entry = self.arm(arm)
        for index in 0..<Self.partCount where carried & (1 << index) != 0 && entry.channels[index] < 0 {
            let part = SurgtopMCAPProfile.ArmPart.allCases[index]
            guard let id = channel(topic: part.topic(arm: Self.topicText(arm)), kind: SurgtopMCAPSchemas.Kind(part)) else { return false }
            entry.channels[index] = Int32(id)
        }
        let last = Int.bitWidth - 1 - carried.leadingZeroBitCount
        // Locals: each use of a class property would retain and release it (a dozen per message).
        let batch = self.batch, members = self.members
        @inline(__always) func member(_ m: M) {
            guard let range = members.range(m) else { return }
            batch.append(Self.prefix(m))
            batch.append(UnsafeBufferPointer(rebasing: line[range]))
        }
        for index in 0..<Self.partCount where carried & (1 << index) != 0 {
            let channel = UInt16(entry.channels[index])
            member(.t)
            batch.append(#","type":"arm""#)
            member(.seq)
            member(.arm)
            if index == 1 { entry.names.withUnsafeBufferPointer { batch.append($0) } }  // measured_js: the joint names
            var fields = Self.partMembers(index) & present
            while fields != 0 {
                member(M(rawValue: fields.trailingZeroBitCount)!)
                fields &= fields - 1
            }
            batch.append(UInt8(ascii: "}"))
            batch.endMessage(channel, sequence, logTime, mayEndChunk: index == last)
            counts[Int(channel)] += 1
        }
        return true
    }

    private static let partCount = SurgtopMCAPProfile.ArmPart.allCases.count

    /// The members part `index` (by `ArmPart` order) carries, a bit each by `Member.rawValue`, in the order written.
    @inline(__always) private static func partMembers(_ index: Int) -> UInt16 {
        typealias M = ArmLineMembers.Member
        switch index {
        case 0: return 1 << M.state.rawValue | 1 << M.homed.rawValue | 1 << M.following.rawValue
        case 1: return 1 << M.position.rawValue | 1 << M.velocity.rawValue | 1 << M.effort.rawValue
        case 2: return 1 << M.jaw.rawValue
        case 3: return 1 << M.tip.rawValue | 1 << M.orientation.rawValue
        default: return 1 << M.twist.rawValue
        }
    }

    /// `,"key":` before a member's value (`{"t":` for `t`, the first).
    @inline(__always) private static func prefix(_ m: ArmLineMembers.Member) -> StaticString {
        switch m {
        case .t: #"{"t":"#
        case .seq: #","seq":"#
        case .arm: #","arm":"#
        case .state: #","state":"#
        case .homed: #","homed":"#
        case .following: #","following":"#
        case .position: #","position":"#
        case .velocity: #","velocity":"#
        case .effort: #","effort":"#
        case .jaw: #","jaw":"#
        case .tip: #","tip":"#
        case .orientation: #","orientation":"#
        case .twist: #","twist":"#
        }
    }

    /// The channels of arm `id`, made when first named.
    private func arm(_ id: String) -> ArmChannels {
        if let known = arms[id] { return known }
        let made = ArmChannels()
        arms[id] = made
        return made
    }

    /// The channel of `topic`, created (with its kind's schema) when first needed; nil once the file has
    /// `maxChannels`.
    private func channel(topic: String, kind: SurgtopMCAPSchemas.Kind) -> UInt16? {
        if let id = topics[topic] { return id }
        guard topicNames.count < Self.maxChannels else { return nil }
        let schemaID: UInt16
        if let known = schemaIDs[kind] {
            schemaID = known
        } else {
            schemaID = UInt16(schemaIDs.count + 1)
            schemaIDs[kind] = schemaID
            batch.ops.append(.schema(name: kind.schemaName, data: SurgtopMCAPSchemas.data(kind)))
        }
        let id = UInt16(topicNames.count)
        topics[topic] = id
        topicNames.append(topic)
        counts.append(0)
        batch.ops.append(.channel(topic: topic, schemaID: schemaID))
        return id
    }

    /// Wire text in a topic name, which viewers show: sanitised and cut to 100 characters.
    private static func topicText(_ wire: String) -> String {
        let clean = WireText.sanitize(wire)
        return clean.count > 100 ? String(clean.prefix(100)) : clean
    }

    @inline(__always) private static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A
    }

    /// The most payload bytes one batch held, and how many batches went: memory's measure, for tests.
    private(set) var largestBatch = 0
    private(set) var batchesSent = 0

    private func sendBatch() throws {
        let full = batch
        largestBatch = max(largestBatch, full.count)
        batchesSent += 1
        if options.threaded {
            batch = stage.emptyBatch()
            try stage.send(full)
        } else {
            try stage.apply(full)
            full.reset()
        }
    }
}

/// What the decoding thread hands the writing thread: messages (their bytes back to back in `payload`) and
/// the schemas, channels and metadata among them, in file order. Owned by one thread at a time (handed over
/// through `WriterStage`'s queue, then back for reuse), hence `@unchecked Sendable`.
final class ExportBatch: @unchecked Sendable {
    static let targetBytes = 1 << 20

    enum Op {
        case schema(name: String, data: [UInt8])
        case channel(topic: String, schemaID: UInt16)
        case message(channel: UInt16, sequence: UInt32, logTime: UInt64, end: Int, mayEndChunk: Bool)
        case metadata(Metadata)
    }

    /// Raw storage: a message is a dozen small copies, and an array would check its uniqueness and capacity
    /// generically on each.
    private(set) var payload: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int
    var ops: [Op] = []

    init() {
        capacity = Self.targetBytes + 4 * FrameDecoder.maxLineBytes
        payload = .allocate(capacity: capacity)
    }

    deinit { payload.deallocate() }

    /// Empty, its memory kept.
    func reset() {
        count = 0
        ops.removeAll(keepingCapacity: true)
    }

    @inline(__always) func append(_ bytes: UnsafeRawPointer, _ n: Int) {
        if count + n > capacity { grow(count + n) }
        (payload + count).update(from: bytes.assumingMemoryBound(to: UInt8.self), count: n)
        count += n
    }

    @inline(__always) func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        if let base = bytes.baseAddress { append(base, bytes.count) }
    }

    @inline(__always) func append(_ literal: StaticString) {
        append(literal.utf8Start, literal.utf8CodeUnitCount)
    }

    @inline(__always) func append(_ byte: UInt8) {
        if count + 1 > capacity { grow(count + 1) }
        payload[count] = byte
        count += 1
    }

    private func grow(_ needed: Int) {
        let larger = Swift.max(needed, capacity * 2)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.update(from: payload, count: count)
        payload.deallocate()
        payload = moved
        capacity = larger
    }

    /// Ends a message whose bytes were appended since the previous one.
    @inline(__always) func endMessage(_ channel: UInt16, _ sequence: UInt32, _ logTime: UInt64, mayEndChunk: Bool) {
        ops.append(.message(channel: channel, sequence: sequence, logTime: logTime, end: count, mayEndChunk: mayEndChunk))
    }
}

/// The MCAP writer, fed batches: on the caller's thread (`apply`) or on a thread of its own (`start`, `send`,
/// `finish`), which then alone touches the writer and the sink. Written batches come back for reuse.
private final class WriterStage: @unchecked Sendable {
    private struct State {
        var batches: [ExportBatch] = []
        var spare: [ExportBatch] = []
        var done = false
        var failure: String?
        var finished = false
    }

    private let writer: MCAPWriter
    /// Batches waiting for the writing thread: at most `depth`, so memory stays bounded.
    private let queue = Mutex(State())
    private let arrived = Wakeup()
    private let taken = Wakeup()
    private static let depth = 16  // 16 MiB: room for the decoding thread while a chunk is compressed
    private var threaded = false

    init(writer: MCAPWriter) { self.writer = writer }

    func start() {
        threaded = true
        SystemCalls.startDetachedThread { [self] in run() }
    }

    /// An empty batch: one the writing thread is done with, or a new one.
    func emptyBatch() -> ExportBatch {
        queue.withLock { $0.spare.popLast() } ?? ExportBatch()
    }

    /// Hands `batch` to the writing thread, waiting while it is `depth` batches behind.
    func send(_ batch: ExportBatch) throws {
        while true {
            let (accepted, failure) = queue.withLock { state -> (Bool, String?) in
                if let failure = state.failure { return (false, failure) }
                guard state.batches.count < Self.depth else { return (false, nil) }
                state.batches.append(batch)
                return (true, nil)
            }
            if let failure { throw MCAPError(failure) }
            if accepted { break }
            taken.wait(seconds: 1)
        }
        arrived.signal()
    }

    /// Ends the writing thread once it has written what was sent, without finishing the file.
    func abandon() {
        queue.withLock { $0.done = true }
        arrived.signal()
    }

    /// Waits for the writing thread to write every batch sent, then finishes the file.
    func finish() throws {
        if threaded {
            queue.withLock { $0.done = true }
            arrived.signal()
            while true {
                let (finished, failure) = queue.withLock { ($0.finished, $0.failure) }
                if let failure { throw MCAPError(failure) }
                if finished { break }
                taken.wait(seconds: 1)
            }
        }
        try writer.finish()
    }

    private func run() {
        while true {
            let (next, done) = queue.withLock { state -> (ExportBatch?, Bool) in
                state.batches.isEmpty ? (nil, state.done) : (state.batches.removeFirst(), false)
            }
            if let next {
                do {
                    try apply(next)
                } catch {
                    queue.withLock { $0.failure = "\(error)" }
                    taken.signal()
                    return
                }
                next.reset()
                queue.withLock { $0.spare.append(next) }
                taken.signal()
                continue
            }
            if done {
                queue.withLock { $0.finished = true }
                taken.signal()
                return
            }
            arrived.wait(seconds: 1)
        }
    }

    func apply(_ batch: ExportBatch) throws {
        var start = 0
        for op in batch.ops {
            switch op {
            case .schema(let name, let data): try writer.addSchema(name: name, encoding: "jsonschema", data: data)
            case .channel(let topic, let schemaID): try writer.addChannel(topic: topic, messageEncoding: "json", schemaID: schemaID)
            case .message(let channel, let sequence, let logTime, let end, let mayEndChunk):
                try writer.addMessage(channelID: channel, sequence: sequence, logTime: logTime,
                                      bytes: UnsafeRawBufferPointer(start: batch.payload + start, count: end - start),
                                      mayEndChunk: mayEndChunk)
                start = end
            case .metadata(let metadata): try writer.addMetadata(metadata)
            }
        }
    }
}
