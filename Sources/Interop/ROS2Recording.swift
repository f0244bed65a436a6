import MCAP
import SessionCore
import Simulator
import Telemetry

/// A ROS 2 bag in MCAP (`ros2 bag record -s mcap`: CDR messages, `ros2msg` schemas) read as telemetry v1
/// lines, its topics mapped to arms and events by a `TopicMap` (`--map FILE`, else the dVRK's CRTK names).
///
/// It produces a `session` frame first (id from the file name, `started_at` from the first mapped message's
/// log time, the mapped arms that have messages, each arm's joints named by its earliest readable JointState,
/// with the dVRK's limits for the names that match a dVRK arm's), then one frame per mapped message in
/// log-time order, `t` counted from the first mapped message's log time.
///
/// Nothing in the bag stops it opening: a topic that matches nothing, a mapped topic with an unexpected type,
/// an unknown operating state are listed once in `notes`; a message that cannot be decoded, or whose log time
/// is too far from the start for a frame's `t`, is counted there (the first few named by topic and log time).
/// A chunk whose CRC does not match is passed over while surveying; without `--ignore-crc` reading stops
/// there, in `problem`, as it does in surgtop's own MCAP files.
///
/// Every line stays under the decoder's 64 KiB limit: wire text is cut by UTF-8 bytes before it is
/// sanitised, and an arm whose joints would make the session frame too long is left out (noted).
///
/// Seeking restarts the MCAP cursor at the nearest checkpoint before the offset (one every 64 KB of output,
/// taken where log time strictly increases while the cursor still yields log-time order) and reads forward
/// to it; an instance that has no checkpoint there (a fresh one) reads from the start.
public final class ROS2Recording: ForeignRecording {
    /// Messages that could not be decoded that `notes` names (the rest are counted).
    static let namedBadMessages = 5
    /// Topics that match nothing that `notes` names one by one (the rest are counted).
    static let listedTopics = 20
    /// Joints an arm may have: more is no robot arm, and would make a line past the 64 KiB limit.
    static let maxJoints = 64
    /// Longest event text kept, in UTF-8 bytes (at most twice that once JSON-escaped): far under the 64 KiB limit.
    static let maxEventText = 1_000
    /// Longest joint name, in UTF-8 bytes: 64 joints of 64 bytes and their limits make about 15 KB.
    static let maxJointName = 64
    /// Longest session id, in UTF-8 bytes.
    static let maxSessionID = 80
    /// Output between seek checkpoints, in bytes.
    public static let checkpointSpacing = 64 << 10

    private let reader: MCAPReader
    private let path: String
    private let map: TopicMap
    private let ignoreCRC: Bool
    /// The session frame: arms, joints.
    public let session: SessionInfo
    private let firstLogTime: UInt64
    private let lastLogTime: UInt64
    /// Each arm's joint names as the bag names them (the session frame has them cut and sanitised), for
    /// reordering JointStates by name; an arm the session does not declare has none, and its messages are skipped.
    private let sessionJoints: [String: [String]]

    /// What each channel's messages become, decided at its first message (channels can appear mid-file in
    /// a bag without summary).
    private var uses: [UInt16: ChannelUse] = [:]
    private var cursor: MCAPReader.MessageCursor
    private var pending: [UInt8] = []
    private var pendingAt = 0
    /// Offset in the NDJSON output of the next byte `read` hands out.
    private var outputOffset = 0
    /// Messages pulled from the cursor (its ordinal), and the most ever: notes count a message once, however
    /// often a seek reads it again.
    private var ordinal = 0
    private var ordinalsNoted = 0
    private var lastLogTimeRead: UInt64?
    private var checkpoints: [Checkpoint] = [Checkpoint(outputOffset: 0, logTime: nil, ordinal: 0)]
    private var finished = false

    public private(set) var problem: String?
    private var unmatchedTopics: [String] = []
    private var unmatchedMore = 0
    private var listedNotes: [String] = []
    private var listedOnce: Set<String> = []
    private var badMessages = 0
    private var namedBad: [String] = []
    private var outOfRange = 0
    /// Arms left out of the session frame for its size (noted once, at opening).
    private var leftOutArms: Set<String> = []
    private var firstOutOfRange: String?

    private enum ChannelUse {
        case arm(String, TopicMap.Carries, ROS2MessageType)
        case event(kind: String, source: String?)
        case skip
    }

    private struct Checkpoint {
        var outputOffset: Int
        /// Where the cursor restarts: the first message at this log time; nil: the start.
        var logTime: UInt64?
        var ordinal: Int
    }

    /// A ROS 2 bag already opened as MCAP; `options.topicMap` names the mapping file.
    public init(reader: MCAPReader, path: String, options: InteropOptions) throws(InteropError) {
        self.reader = reader
        self.path = path
        ignoreCRC = options.ignoreCRC
        if let file = options.topicMap {
            do { map = try TopicMap.load(path: file) } catch { throw InteropError("--map: \(error).") }
        } else {
            map = .dvrk
        }
        cursor = reader.messages()
        let survey = ROS2BagSurvey(reader: reader, map: map)
        // A bag of topics the map does not map starts at its first message: the notes list its topics.
        guard let first = survey.firstLogTime ?? survey.firstLogTimeOfAny else {
            // A bag cut inside its only chunk has none left: say what the MCAP reader found.
            let found = reader.problems.first.map { " that can be read (\(WireText.sanitize($0.description)))" } ?? ""
            throw InteropError("ROS 2 bag \(WireText.quoted(path)) holds no messages\(found).")
        }
        (firstLogTime, lastLogTime) = (first, max(first, survey.lastLogTime))
        var arms = survey.arms, leftOut: [String] = []
        var info = SessionInfo(id: Self.sessionID(path: path), robot: "dVRK (ROS 2 bag)", startedAt: RecordingClock.rfc3339(nanoseconds: first), arms: arms)
        // Many arms of many long-named joints would make a session line the decoder refuses, and lose the session.
        while FrameEncoder().encode(Frame(t: 0, body: .session(info))).utf8.count >= FrameDecoder.maxLineBytes, let last = arms.popLast() {
            leftOut.insert(last.id, at: 0)
            info.arms = arms
        }
        session = info
        sessionJoints = Dictionary(session.arms.map { ($0.id, survey.jointNames[$0.id] ?? []) }, uniquingKeysWith: { first, _ in first })
        pending = Array(FrameEncoder().encode(Frame(t: 0, body: .session(session))).utf8)
        leftOutArms = Set(leftOut)
        if !leftOut.isEmpty {
            let one = leftOut.count == 1
            listedNotes.append("arm\(one ? "" : "s") \(leftOut.joined(separator: ", ")) left out, \(one ? "its" : "their") messages skipped: "
                + "with \(one ? "it" : "them") the session frame would pass the \(FrameDecoder.maxLineBytes)-byte line limit.")
        }
    }

    // MARK: - ForeignRecording

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var written = 0
        while written < buffer.count {
            if pendingAt == pending.count {
                pending.removeAll(keepingCapacity: true)
                pendingAt = 0
                guard produceLine() else { break }
            }
            let n = min(buffer.count - written, pending.count - pendingAt)
            pending.withUnsafeBytes { source in
                buffer.baseAddress!.advanced(by: written).copyMemory(from: source.baseAddress!.advanced(by: pendingAt), byteCount: n)
            }
            pendingAt += n
            written += n
            outputOffset += n
        }
        return written
    }

    public func seek(to offset: Int) -> Bool {
        guard offset >= 0 else { return false }
        let checkpoint = checkpoints.last { $0.outputOffset <= offset } ?? checkpoints[0]
        cursor = reader.messages(from: checkpoint.logTime ?? 0)
        (ordinal, lastLogTimeRead, finished, problem) = (checkpoint.ordinal, nil, false, nil)
        outputOffset = checkpoint.outputOffset
        pending = checkpoint.logTime == nil ? Array(FrameEncoder().encode(Frame(t: 0, body: .session(session))).utf8) : []
        pendingAt = 0
        // Read forward to the offset, line by line: it must fall where a line starts.
        while outputOffset + (pending.count - pendingAt) <= offset {
            outputOffset += pending.count - pendingAt
            pending.removeAll(keepingCapacity: true)
            pendingAt = 0
            if outputOffset == offset { return true }
            guard produceLine() else { return false }
        }
        return outputOffset == offset
    }

    public var fileSize: Int { reader.size }

    public var fileBytesRead: Int {
        if finished { return fileSize }
        guard let now = lastLogTimeRead, lastLogTime > firstLogTime, now > firstLogTime else { return 0 }
        return Int(Double(fileSize) * min(1, Double(now - firstLogTime) / Double(lastLogTime - firstLogTime)))
    }

    public var notes: [String] {
        var out = reader.problems.prefix(10).map { found in
            // As surgtop's own MCAP files say it: a CRC mismatch is read past only with --ignore-crc.
            guard case .crcMismatch = found else { return WireText.sanitize("\(found).") }
            return "\(found)" + (ignoreCRC ? " (read anyway: --ignore-crc)." : "; the summary was not used.")
        }
        if reader.problems.count > 10 { out.append("… and \(reader.problems.count - 10) more problems in the MCAP file.") }
        out += unmatchedTopics
        if unmatchedMore > 0 { out.append("… and \(unmatchedMore) more topics that match nothing in the topic map, skipped.") }
        out += listedNotes
        if let firstOutOfRange {
            out.append("\(outOfRange) message\(outOfRange == 1 ? "" : "s") skipped: log time more than 10⁹ s from the session's start "
                + "(\(RecordingClock.rfc3339(nanoseconds: firstLogTime))), beyond what a frame's t may be (the first: \(firstOutOfRange)).")
        }
        if badMessages > 0 {
            let more = badMessages > namedBad.count ? "; and \(badMessages - namedBad.count) more" : ""
            out.append("\(badMessages) message\(badMessages == 1 ? "" : "s") could not be read: " + namedBad.joined(separator: "; ") + more + ".")
        }
        return out
    }

    // MARK: - Messages to lines

    /// Pulls messages until one gives a line (appended to `pending`); false at the end or once a problem stopped reading.
    private func produceLine() -> Bool {
        while !finished {
            let message: Message?
            do {
                message = try cursor.next()
            } catch {
                // A chunk CRC mismatch, without --ignore-crc: as in surgtop's own MCAP files, nothing after it is trusted.
                var why = Self.sentence(error)
                why.removeLast()
                problem = "recording '\(WireText.sanitize(path))': \(why); reading stopped there (--ignore-crc reads it anyway)"
                finished = true
                return false
            }
            guard let message else {
                finished = true
                return false
            }
            // A restart from this log time gives the same messages only if every one before it is earlier: time
            // strictly increasing, and the cursor not fallen back to file order.
            if let last = lastLogTimeRead, message.logTime > last, cursor.inLogTimeOrder,
               outputOffset - (checkpoints.last?.outputOffset ?? 0) >= Self.checkpointSpacing, ordinal >= ordinalsNoted {
                checkpoints.append(Checkpoint(outputOffset: outputOffset + pending.count - pendingAt, logTime: message.logTime, ordinal: ordinal))
            }
            ordinal += 1
            let firstTime = ordinal > ordinalsNoted
            ordinalsNoted = max(ordinalsNoted, ordinal)
            lastLogTimeRead = message.logTime
            if let frame = frame(for: message, noting: firstTime) {
                FrameEncoder().encode(frame, into: &pending)
                return true
            }
        }
        return false
    }

    /// The frame a message becomes; nil for a message skipped (noted when `noting`).
    private func frame(for message: Message, noting: Bool) -> Frame? {
        let use = use(of: message.channelID)
        if case .skip = use { return nil }
        let t = message.logTime >= firstLogTime ? Double(message.logTime - firstLogTime) / 1e9 : -Double(firstLogTime - message.logTime) / 1e9
        guard abs(t) <= Frame.timeLimit else {
            if noting { noteOutOfRange(message) }
            return nil
        }
        switch use {
        case .skip:
            return nil
        case .event(let kind, let source):
            do {
                guard case .string(let data) = try ROS2Message.decode(.string, from: message.data) else { return nil }
                // Cut by bytes before sanitising: one character can be 40,000 combining marks.
                let (kept, cut) = Self.utf8Prefix(data, maxBytes: Self.maxEventText)
                let text = (source.map { "\($0): " } ?? "") + WireText.sanitize(kept) + (cut ? "…" : "")
                return Frame(t: t, body: .event(EventNote(kind: kind, text: text)))
            } catch {
                if noting { noteBad(message, "\(error)") }
                return nil
            }
        case .arm(let arm, let carries, let type):
            guard sessionJoints[arm] != nil else {
                // The summary said the arm had no messages (left-out arms are noted already).
                if noting, !leftOutArms.contains(arm) { noteOnce("\(arm)'s messages are skipped: the session frame does not declare it.") }
                return nil
            }
            do {
                let sample = try armSample(arm, carries, try ROS2Message.decode(type, from: message.data), noting: noting)
                return Frame(t: t, body: .arm(sample))
            } catch {
                if noting { noteBad(message, error.description) }
                return nil
            }
        }
    }

    private func armSample(_ arm: String, _ carries: TopicMap.Carries, _ decoded: ROS2Message, noting: Bool) throws(CDRError) -> ArmSample {
        switch decoded {
        case .jointState(let names, let position, let velocity, let effort) where carries == .joints:
            let joints = sessionJoints[arm] ?? []
            if joints.isEmpty, !(names.isEmpty && position.isEmpty && velocity.isEmpty && effort.isEmpty) {
                throw CDRError("has joints, but the session has none for \(arm) (its first JointState could not be read, or had more than \(Self.maxJoints) joints)")
            }
            let order = try Self.jointOrder(names: names, counts: [position.count, velocity.count, effort.count], session: joints)
            func arranged(_ values: [Double]) throws(CDRError) -> [Double]? {
                guard !values.isEmpty else { return nil }
                try Self.requireFinite(values)
                return order.map { values[$0] }
            }
            return ArmSample(arm: arm, position: try arranged(position), velocity: try arranged(velocity), effort: try arranged(effort))
        case .jointState(_, let position, _, _):
            guard let jaw = position.first else { throw CDRError("has no position for the jaw") }
            try Self.requireFinite([jaw])
            return ArmSample(arm: arm, jaw: jaw)
        case .pose(let position, let orientation):
            try Self.requireFinite(position + orientation)
            return ArmSample(arm: arm, tip: position, orientation: orientation)
        case .twist(let twist):
            try Self.requireFinite(twist)
            return ArmSample(arm: arm, twist: twist)
        case .operatingState(let state, let isHomed, _):
            let known = OperatingState(rawValue: state.uppercased())
            if known == nil, noting {
                noteOnce("\(arm) operating state \(WireText.quoted(state)) is none of DISABLED, ENABLED, PAUSED, FAULT: its frames carry no state.")
            }
            return ArmSample(arm: arm, state: known, homed: isHomed)
        case .string:
            throw CDRError("is a string, not arm data")  // routes never pair a String with an arm
        }
    }

    /// Where each of the session's joints (`session`: their names as the bag gave them) is in a message's
    /// arrays: the same names in the same order (or no names and as many values) as they are; other orders and
    /// extra joints by name, exactly as on the wire (a name twice: its occurrences in turn); a missing joint is an error.
    static func jointOrder(names: [String], counts: [Int], session: [String]) throws(CDRError) -> [Int] {
        let width = names.isEmpty ? session.count : names.count
        for count in counts where count != 0 && count != width {
            throw CDRError("has \(count) values for \(width) joints")
        }
        if names.isEmpty || names == session { return Array(0..<session.count) }
        var at: [String: [Int]] = [:]
        for (i, name) in names.enumerated().reversed() { at[name, default: []].append(i) }
        var order: [Int] = []
        for name in session {
            guard let i = at[name]?.popLast() else {
                func listed(_ names: [String]) -> String { WireText.quoted(Self.utf8Prefix(names.joined(separator: ", "), maxBytes: 200).text) }
                throw CDRError("names joints \(listed(names)), not the session's \(listed(session))")
            }
            order.append(i)
        }
        return order
    }

    private static func requireFinite(_ values: [Double]) throws(CDRError) {
        if values.contains(where: { !$0.isFinite }) { throw CDRError("holds a number that is not finite") }
    }

    /// What a channel's messages become: decided once, and a skipped channel listed once.
    private func use(of channelID: UInt16) -> ChannelUse {
        if let known = uses[channelID] { return known }
        let decided: ChannelUse
        switch Self.route(channelID, reader: reader, map: map) {
        case .mapped(let route, let type):
            switch route {
            case .arm(let arm, let carries): decided = .arm(arm, carries, type)
            case .event(let kind, let source): decided = .event(kind: kind, source: source)
            }
        case .unmatched(let topic, let typeName):
            if unmatchedTopics.count < Self.listedTopics {
                unmatchedTopics.append("topic \(WireText.quoted(topic))\(typeName.map { " (\(WireText.sanitize(String($0.prefix(80)))))" } ?? "") matches nothing in the topic map: skipped.")
            } else {
                unmatchedMore += 1
            }
            decided = .skip
        case .refused(let sentence):
            noteOnce(sentence)
            decided = .skip
        }
        uses[channelID] = decided
        return decided
    }

    private func noteOnce(_ sentence: String) {
        guard listedNotes.count < 50, listedOnce.insert(sentence).inserted else { return }
        listedNotes.append(sentence)
    }

    private func noteOutOfRange(_ message: Message) {
        outOfRange += 1
        if firstOutOfRange == nil {
            let topic = reader.channels[message.channelID].map { WireText.quoted($0.topic) } ?? "channel \(message.channelID)"
            firstOutOfRange = "\(topic) at log time \(RecordingClock.rfc3339(nanoseconds: message.logTime))"
        }
    }

    private func noteBad(_ message: Message, _ why: String) {
        badMessages += 1
        guard namedBad.count < Self.namedBadMessages else { return }
        let topic = reader.channels[message.channelID].map { WireText.quoted($0.topic) } ?? "channel \(message.channelID)"
        namedBad.append("\(topic) at log time \(RecordingClock.rfc3339(nanoseconds: message.logTime)) \(WireText.sanitize(why))")
    }

    // MARK: - Channels to routes

    enum ChannelRoute {
        case mapped(TopicMap.Route, ROS2MessageType)
        /// No route for the topic; its schema's name when it has one.
        case unmatched(String, String?)
        /// Mapped, but not readable as mapped: why, as a sentence.
        case refused(String)
    }

    static func route(_ channelID: UInt16, reader: MCAPReader, map: TopicMap) -> ChannelRoute {
        guard let channel = reader.channels[channelID] else {
            return .refused("messages on channel \(channelID), which the file never defines, are skipped.")
        }
        let schema = reader.schemas[channel.schemaID]
        guard let route = map.routes[channel.topic] else { return .unmatched(channel.topic, schema?.name) }
        let topic = WireText.quoted(channel.topic)
        guard channel.messageEncoding == "cdr" else {
            return .refused("topic \(topic) has message encoding \(WireText.quoted(channel.messageEncoding)), not cdr (ROS 2): skipped.")
        }
        let expected = route.types.map(\.rawValue).joined(separator: " or ")
        guard let schema else { return .refused("topic \(topic) has no schema; it should be \(expected): skipped.") }
        guard let type = ROS2MessageType(schemaName: schema.name), route.types.contains(type) else {
            return .refused("topic \(topic) carries \(WireText.quoted(schema.name)), not \(expected): skipped.")
        }
        return .mapped(route, type)
    }

    // MARK: - Text

    /// The session id: the file's name without directory and `.mcap`, sanitised.
    static func sessionID(path: String) -> String {
        var name = String(path.split(separator: "/").last ?? "")
        if name.lowercased().hasSuffix(".mcap") { name.removeLast(5) }
        let clean = WireText.sanitize(utf8Prefix(name, maxBytes: maxSessionID).text).trimmingSpaces
        return clean.isEmpty ? "ros2-bag" : clean
    }

    /// The longest start of `text` of at most `maxBytes` UTF-8 bytes that ends between two scalars, and
    /// whether it is shorter than `text`. Line budgets are in bytes; a character may be thousands of them.
    static func utf8Prefix(_ text: String, maxBytes: Int) -> (text: String, cut: Bool) {
        guard text.utf8.count > maxBytes else { return (text, false) }
        var kept = String.UnicodeScalarView()
        var bytes = 0
        for scalar in text.unicodeScalars {
            bytes += UTF8.width(scalar)
            guard bytes <= maxBytes else { break }
            kept.append(scalar)
        }
        return (String(kept), true)
    }

    static func sentence(_ error: any Error) -> String {
        var text = WireText.sanitize("\(error)")
        if !text.hasSuffix(".") { text += "." }
        return text
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

/// What the bag holds before any line is produced: the first mapped message's log time (the session's start,
/// so that no stray early message on another topic, nor a hostile Statistics record, sets it), the last log
/// time, and the session's arms (the mapped arms with messages, joints named by each arm's earliest readable
/// JointState). A chunk that fails its CRC is passed over here: reading decides what it means.
struct ROS2BagSurvey {
    var firstLogTime: UInt64?
    var lastLogTime: UInt64 = 0
    /// The first log time of any message, on any topic.
    var firstLogTimeOfAny: UInt64?
    var arms: [ArmDescriptor] = []
    /// Each arm's joint names as its earliest readable JointState gives them (`joint1`… when it names none).
    var jointNames: [String: [String]] = [:]
    /// How many messages of an arm's joints topics may be unreadable before the arm is declared without joints.
    static let jointSearchLimit = 1_000

    init(reader: MCAPReader, map: TopicMap) {
        var routes: [UInt16: ROS2Recording.ChannelRoute] = [:]
        func route(_ id: UInt16) -> ROS2Recording.ChannelRoute {
            if let known = routes[id] { return known }
            let decided = ROS2Recording.route(id, reader: reader, map: map)
            routes[id] = decided
            return decided
        }
        func mappedArm(_ id: UInt16) -> (arm: String, carries: TopicMap.Carries)? {
            guard case .mapped(.arm(let arm, let carries), _) = route(id) else { return nil }
            return (arm, carries)
        }
        func mapped(_ id: UInt16) -> Bool {
            if case .mapped = route(id) { return true }
            return false
        }
        var withMessages: Set<UInt16> = []
        var firstNames: [String: [String]] = [:]
        let counts: [UInt16: UInt64] = (reader.statistics?.channelMessageCounts ?? [:]).filter { $0.value > 0 }
        let indexed = reader.hasSummary && !reader.chunkIndexes.isEmpty
            && (!counts.isEmpty || reader.chunkIndexes.contains { !$0.messageIndexOffsets.isEmpty })
        if indexed {
            // The summary says which channels have messages, and the chunk indexes where each one's first is.
            withMessages = counts.isEmpty ? Set(reader.chunkIndexes.flatMap(\.messageIndexOffsets.keys)) : Set(counts.keys)
            firstLogTimeOfAny = withMessages.isEmpty ? nil : reader.chunkIndexes.map(\.messageStartTime).min()
            lastLogTime = reader.chunkIndexes.map(\.messageEndTime).max() ?? 0
            /// Where the first message of any of `ids` may be: the earliest chunk that indexes one (0 without indexes).
            func start(of ids: Set<UInt16>) -> UInt64 {
                reader.chunkIndexes.filter { !ids.isDisjoint(with: $0.messageIndexOffsets.keys) }.map(\.messageStartTime).min() ?? 0
            }
            let mappedIDs = withMessages.filter(mapped)
            var cursor = reader.messages(from: start(of: mappedIDs))
            while !mappedIDs.isEmpty, let message = Self.next(&cursor) {
                guard mappedIDs.contains(message.channelID) else { continue }
                firstLogTime = message.logTime
                break
            }
            // Each arm's joints topics (two channels may share one topic): the earliest readable JointState by log time.
            var jointChannels: [String: Set<UInt16>] = [:]
            for id in withMessages.sorted() {
                if let (arm, carries) = mappedArm(id), carries == .joints { jointChannels[arm, default: []].insert(id) }
            }
            for (arm, ids) in jointChannels.sorted(by: { $0.key < $1.key }) {
                var cursor = reader.messages(from: start(of: ids))
                var tried = 0
                while tried < Self.jointSearchLimit, let message = Self.next(&cursor) {
                    guard ids.contains(message.channelID) else { continue }
                    tried += 1
                    if let names = Self.jointNames(message) { firstNames[arm] = names; break }
                }
            }
        } else {
            // No summary (a bag cut while recording), or one that says nothing of channels: one pass over every message.
            var cursor = reader.messages()
            var tried: [String: Int] = [:]
            while let message = Self.next(&cursor) {
                let id = message.channelID
                firstLogTimeOfAny = min(firstLogTimeOfAny ?? message.logTime, message.logTime)
                lastLogTime = max(lastLogTime, message.logTime)
                withMessages.insert(id)
                guard mapped(id) else { continue }
                firstLogTime = min(firstLogTime ?? message.logTime, message.logTime)
                guard let (arm, carries) = mappedArm(id), carries == .joints, firstNames[arm] == nil,
                      tried[arm, default: 0] < Self.jointSearchLimit else { continue }
                tried[arm, default: 0] += 1
                firstNames[arm] = Self.jointNames(message)
            }
        }
        let mappedWithMessages = Set(withMessages.compactMap { mappedArm($0)?.arm })
        arms = map.arms.filter { mappedWithMessages.contains($0.id) }.map { arm in
            ArmDescriptor(id: arm.id, kind: arm.kind, joints: Self.joints(named: Self.sessionNames(firstNames[arm.id] ?? []), arm: arm))
        }
        jointNames = firstNames
    }

    /// The cursor's next message, past chunks that fail their CRC (the cursor goes on with the next chunk).
    static func next(_ cursor: inout MCAPReader.MessageCursor) -> Message? {
        while true {
            do { return try cursor.next() } catch { continue }
        }
    }

    /// The joint names of a readable JointState (`joint1`… when it names none), nil when it cannot be read
    /// or has too many joints for an arm.
    static func jointNames(_ message: Message) -> [String]? {
        guard case .jointState(let names, let position, let velocity, let effort)? = try? ROS2Message.decode(.jointState, from: message.data)
        else { return nil }
        let count = names.isEmpty ? [position.count, velocity.count, effort.count].max()! : names.count
        guard count > 0, count <= ROS2Recording.maxJoints else { return nil }
        guard !names.isEmpty else { return (1...count).map { "joint\($0)" } }
        return names
    }

    /// Joint names as the session frame has them: each cut to 64 UTF-8 bytes, then sanitised; a name that
    /// clashes with an earlier one once cleaned (`a` and `a` with an escape sequence) gets `~2`, `~3`…, so no
    /// two joints share an index.
    static func sessionNames(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.map { name in
            let clean = cleanName(name)
            var unique = clean, n = 1
            while !seen.insert(unique).inserted {
                n += 1
                let suffix = "~\(n)"
                unique = ROS2Recording.utf8Prefix(clean, maxBytes: ROS2Recording.maxJointName - suffix.utf8.count).text + suffix
            }
            return unique
        }
    }

    /// A joint name cut to 64 UTF-8 bytes (before sanitising: one character may be thousands of bytes), sanitised.
    static func cleanName(_ name: String) -> String {
        let clean = WireText.sanitize(ROS2Recording.utf8Prefix(name, maxBytes: ROS2Recording.maxJointName).text)
        return clean.isEmpty ? "?" : clean
    }

    /// Descriptors for `names`: a name the arm's dVRK definition has gets its unit and limits (DVRKArms, from
    /// the dVRK's own files); any other is in rad, without limits. An MTM's definition is MTML's or MTMR's by
    /// its id, exactly; an MTM of another id has no definition, so no limits.
    static func joints(named names: [String], arm: TopicMap.Arm) -> [JointDescriptor] {
        let known: [JointDescriptor] = switch arm.kind {
        case .psm: DVRKArms.psm + [DVRKArms.jaw]
        case .ecm: DVRKArms.ecm
        case .mtm: arm.id == "MTML" ? DVRKArms.mtml : arm.id == "MTMR" ? DVRKArms.mtmr : []
        case .other: []
        }
        return names.map { name in known.first { $0.name == name } ?? JointDescriptor(name: name, unit: .rad) }
    }
}
