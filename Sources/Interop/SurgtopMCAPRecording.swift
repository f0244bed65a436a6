import MCAP
import Telemetry

/// An MCAP file in surgtop's layout (`SurgtopMCAPProfile`), read back as the NDJSON lines of its frames.
///
/// Messages are taken in file order, which is the frames' order (a frame whose `t` goes back stays where
/// it was). The consecutive messages of one arm frame (same sequence, log time and arm, each on another
/// part's channel) become one arm line again; every other message is a frame line already. Each line
/// is checked with `FrameDecoder`: one that is not valid telemetry is still handed on, so that `check`
/// and `report` count it as a bad line, and the notes name its channel and log time.
///
/// Offsets are the same on every read of a file; `seek(to:)` jumps to the chunk holding an offset
/// through the chunk index and `MCAPSeekTable`, which remembers where each chunk's lines start.
public final class SurgtopMCAPRecording: ForeignRecording {
    public let path: String
    private let reader: MCAPReader
    private let options: InteropOptions
    private let table: MCAPSeekTable

    private enum ChannelUse {
        case frames(topic: String)
        case skipped
    }
    private var uses: [UInt16: ChannelUse] = [:]

    /// Produced lines not read yet: `output[taken...]`, starting at NDJSON offset `offset`.
    private var output: [UInt8] = []
    private var taken = 0
    private var offset = 0
    /// The NDJSON offset just after the last line produced.
    private var produced = 0
    /// The furthest any read of this instance produced: a line before it was counted (bad messages) already.
    private var furthest = 0
    private var nextBlock = 0
    private var ended = false
    /// An arm frame whose parts are still being gathered.
    private var pending: PendingArmFrame?
    /// Set at a block's start: its entry in the seek table is due once its first frame message shows
    /// whether a frame is carried over from the block before.
    private var entryDue = false
    /// Decodes every line produced, to tell valid telemetry from bad messages.
    private var checker = FrameDecoder()

    public private(set) var problem: String?
    private var skippedChannels: [String] = []
    private var skippedChannelCount = 0
    private var badMessages = 0
    private var badExamples: [String] = []
    private var crcNote: String?

    /// How many chunks this instance has decompressed (a seek decompresses from the chunk it jumps to).
    public var chunksDecompressed: Int { reader.chunksDecompressed }

    init(reader: MCAPReader, path: String, options: InteropOptions) {
        self.reader = reader
        self.path = path
        self.options = options
        self.table = MCAPSeekTables.table(path: path)
        // Channels the summary (or the scan so far) lists are said at once; others when first met.
        for id in reader.channels.keys.sorted() { _ = use(of: id) }
    }

    // MARK: - ForeignRecording

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while output.count - taken < buffer.count, !ended {
            // What was read goes before more is produced: the buffer holds about one block.
            output.removeFirst(taken)
            taken = 0
            produceBlock()
        }
        let n = min(buffer.count, output.count - taken)
        guard n > 0 else { return 0 }
        output.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[taken..<taken + n])) }
        taken += n
        offset += n
        if taken == output.count {
            output.removeAll(keepingCapacity: true)
            taken = 0
        }
        return n
    }

    public func seek(to target: Int) -> Bool {
        guard target >= 0 else { return false }
        let known = table.start(atOrBefore: target)
        if target < offset {
            restart(block: known?.block ?? 0, known?.entry ?? MCAPSeekTable.Entry(offset: 0, decoder: FrameDecoder()))
        } else if let known, known.entry.offset > produced {
            restart(block: known.block, known.entry)  // ahead, past what is produced: jump there
        }
        while offset < target {
            if taken == output.count {
                output.removeAll(keepingCapacity: true)
                taken = 0
                if ended { return false }
                produceBlock()
                continue
            }
            let n = min(target - offset, output.count - taken)
            taken += n
            offset += n
        }
        return true
    }

    public var fileBytesRead: Int { nextBlock < reader.blockCount ? reader.blockOffset(nextBlock) : reader.size }
    public var fileSize: Int { reader.size }

    public var notes: [String] {
        var notes: [String] = []
        var crcs = 0, skips = 0
        var seen: Set<String> = []  // a chunk read again after a seek is reported again by the reader
        for found in reader.problems where seen.insert("\(found)").inserted {
            switch found {
            case .noSummary(let reason, let cutAt):
                notes.append("recording '\(path)' has no summary (\(reason)): read by scanning"
                    + (cutAt.map { "; the file ends inside a record at byte \($0), frames up to there are read" } ?? ""))
            case .crcMismatch(let what, _, _) where what == "the data section":
                break  // said below, once, whichever read checked it
            case .crcMismatch:
                crcs += 1
                if crcs <= Self.examples {
                    notes.append("\(found)" + (options.ignoreCRC ? " (read anyway: --ignore-crc)" : "; the summary was not used"))
                }
            case .skipped:
                skips += 1
                if skips <= Self.examples { notes.append(WireText.sanitize("\(found)")) }
            }
        }
        if crcs > Self.examples { notes.append("… and \(crcs - Self.examples) more CRC mismatches") }
        if skips > Self.examples { notes.append("… and \(skips - Self.examples) more damaged records skipped") }
        if let crcNote { notes.append(crcNote) }
        notes += skippedChannels
        if skippedChannelCount > skippedChannels.count {
            notes.append("… and \(skippedChannelCount - skippedChannels.count) more channels skipped")
        }
        if badMessages > 0 {
            notes.append("\(badMessages) message\(badMessages == 1 ? "" : "s") could not be read as telemetry (each is a bad line): "
                + badExamples.joined(separator: "; ") + (badMessages > badExamples.count ? "; …" : ""))
        }
        return notes
    }

    static let examples = 3

    // MARK: - Producing lines

    private func restart(block: Int, _ entry: MCAPSeekTable.Entry) {
        output.removeAll(keepingCapacity: true)
        taken = 0
        offset = entry.offset
        produced = entry.offset
        nextBlock = block
        checker = entry.decoder
        pending = nil
        entryDue = false
        ended = false
        problem = nil
    }

    /// Converts the next block (a chunk, or a run of messages outside chunks); at the end, the last frame.
    private func produceBlock() {
        guard nextBlock < reader.blockCount else {
            flushPending()
            checkDataSection()
            ended = true
            return
        }
        let block = nextBlock
        nextBlock += 1
        let messages: [Message]
        do {
            messages = try reader.messages(inBlock: block)
        } catch {
            // A chunk CRC mismatch, without --ignore-crc: the frames before it stand, nothing after is trusted.
            flushPending()
            problem = "recording '\(path)': \(Self.sentence(error)); reading stopped there (--ignore-crc reads it anyway)"
            ended = true
            return
        }
        entryDue = true
        for message in messages { take(message, block: block) }
        if entryDue && pending == nil { table.record(block: block, MCAPSeekTable.Entry(offset: produced, decoder: checker)) }
        entryDue = false
    }

    private func take(_ message: Message, block: Int) {
        guard case .frames(let topic) = use(of: message.channelID) else { return }
        message.data.withUnsafeBytes { raw in
            let members = JSONMembers(raw)
            let arm = members.flatMap { $0.isArmFrame ? $0.value("arm") : nil }
            let joins = arm.map { pending?.accepts(message, arm: $0) ?? false } ?? false
            if !joins { flushPending() }
            if entryDue {
                entryDue = false
                if !joins { table.record(block: block, MCAPSeekTable.Entry(offset: produced, decoder: checker)) }
            }
            if let members, let arm {
                if joins {
                    pending?.add(members, channel: message.channelID)
                } else {
                    pending = PendingArmFrame(members, arm: arm, message: message, topic: topic)
                }
            } else {
                emit(raw, topic: topic, logTime: message.logTime)
            }
        }
    }

    private func flushPending() {
        guard let frame = pending else { return }
        pending = nil
        var line = frame.line
        line.append(UInt8(ascii: "}"))
        line.withUnsafeBytes { emit($0, topic: frame.topic, logTime: frame.logTime) }
    }

    /// Hands on one line, checked: a line that is not valid telemetry is counted (once per file read).
    private func emit(_ bytes: UnsafeRawBufferPointer, topic: String, logTime: UInt64) {
        let start = output.count
        output.append(contentsOf: bytes)
        let blank = output.withUnsafeMutableBytes { raw in
            // A line break inside a message would split it: JSON allows only white space there.
            var blank = true
            for i in start..<raw.count {
                let b = raw[i]
                if b == 0x0A || b == 0x0D { raw[i] = 0x20 } else if b != 0x20 && b != 0x09 { blank = false }
            }
            return blank
        }
        if blank {  // an empty message is a bad line, not a blank one the reader would skip
            output.removeSubrange(start...)
            output.append(contentsOf: "null".utf8)
        }
        let outcome = output.withUnsafeBytes { checker.decode(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        if case .error(let error) = outcome, produced >= furthest {
            badMessages = badMessages.saturatingAdd(1)
            if badExamples.count < Self.examples {
                badExamples.append("channel \(topic) at log time \(Self.logTime(logTime)) s: " + WireText.sanitize(String(error.reason.prefix(200))))
            }
        }
        output.append(0x0A)
        produced += output.count - start
        furthest = max(furthest, produced)
    }

    /// The data section's CRC, checked once per file at the end of a read (it covers the whole file).
    private func checkDataSection() {
        let check: CRCCheck
        if let known = table.dataCRC {
            check = known
        } else {
            check = (try? reader.verifyDataSectionCRC()) ?? .notRecorded
            table.dataCRC = check
        }
        guard case .mismatched(let expected, let actual) = check else { return }
        let what = "\(MCAPProblem.crcMismatch(what: "the data section", expected: expected, actual: actual))"
        if options.ignoreCRC {
            crcNote = "recording '\(path)': \(what) (read anyway: --ignore-crc)"
        } else {
            problem = "recording '\(path)': \(what), though every chunk matched its own; --ignore-crc reads it anyway"
        }
    }

    // MARK: - Channels

    /// Whether messages on channel `id` are frames (rather than skipped).
    func readsFrames(on id: UInt16) -> Bool {
        if case .frames = use(of: id) { return true }
        return false
    }

    private func use(of id: UInt16) -> ChannelUse {
        if let known = uses[id] { return known }
        let use: ChannelUse
        var why: String?
        if let channel = reader.channels[id] {
            let topic = Self.shown(channel.topic)
            let schema = channel.schemaID == 0 ? nil : reader.schemas[channel.schemaID]
            if channel.schemaID != 0 && schema == nil {
                why = "channel \(topic) skipped: it names schema \(channel.schemaID), which the file does not define"
            } else if channel.messageEncoding != "json" {
                why = "channel \(topic) skipped: its message encoding is \(Self.shown(channel.messageEncoding)), not surgtop's json"
            } else if let schema, schema.name.hasPrefix(SurgtopMCAPProfile.schemaPrefix) {
                why = nil
            } else {
                why = "channel \(topic) skipped: its schema \(schema.map { Self.shown($0.name) } ?? "(none)") is not one of surgtop's"
            }
            use = why == nil ? .frames(topic: topic) : .skipped
        } else {
            why = "messages on channel \(id) skipped: the file defines no such channel"
            use = .skipped
        }
        if let why {
            skippedChannelCount += 1
            if skippedChannels.count < Self.channelsListed { skippedChannels.append(why) }
        }
        uses[id] = use
        return use
    }

    static let channelsListed = 10

    /// A name from the file, quoted and made safe for a terminal, cut to 80 characters.
    static func shown(_ text: String) -> String { WireText.quoted(text) }

    /// Nanoseconds as seconds with all nine decimals: exact, as the file has it.
    static func logTime(_ nanoseconds: UInt64) -> String {
        let fraction = String(nanoseconds % 1_000_000_000)
        return "\(nanoseconds / 1_000_000_000)." + String(repeating: "0", count: 9 - fraction.count) + fraction
    }

    /// An error's description as part of a sentence: without its final period.
    static func sentence(_ error: Error) -> String {
        let text = "\(error)"
        return text.hasSuffix(".") ? String(text.dropLast()) : text
    }
}

/// The parts of one arm frame read so far, merged into one line: the first part's members (its `t`,
/// `type`, `seq` and `arm`), then the others' fields. `name` (the joint names, sensor_msgs/JointState's)
/// is no telemetry field and is left out.
private struct PendingArmFrame {
    let sequence: UInt32
    let logTime: UInt64
    let arm: [UInt8]
    let topic: String
    private(set) var channels: [UInt16]
    /// `{` and the members so far; `}` closes it.
    private(set) var line: [UInt8] = [UInt8(ascii: "{")]

    init(_ members: JSONMembers, arm: UnsafeRawBufferPointer, message: Message, topic: String) {
        self.sequence = message.sequence
        self.logTime = message.logTime
        self.arm = Array(arm)
        self.topic = topic
        self.channels = [message.channelID]
        append(members) { !members.isKey($0, "name") }
    }

    func accepts(_ message: Message, arm: UnsafeRawBufferPointer) -> Bool {
        message.sequence == sequence && message.logTime == logTime && !channels.contains(message.channelID)
            && arm.elementsEqual(self.arm)
    }

    mutating func add(_ members: JSONMembers, channel: UInt16) {
        channels.append(channel)
        append(members) { member in
            !(members.isKey(member, "t") || members.isKey(member, "type") || members.isKey(member, "seq")
                || members.isKey(member, "arm") || members.isKey(member, "name"))
        }
    }

    private mutating func append(_ members: JSONMembers, where keep: (JSONMembers.Member) -> Bool) {
        for member in members.members where keep(member) {
            if line.count > 1 { line.append(UInt8(ascii: ",")) }
            line.append(contentsOf: members.bytes[member.key])
            line.append(UInt8(ascii: ":"))
            line.append(contentsOf: members.bytes[member.value])
        }
    }
}

extension JSONMembers {
    /// Whether the object is an arm frame (or part of one): `"type":"arm"`.
    var isArmFrame: Bool {
        guard let type = value("type") else { return false }
        return Self.equal(type, from: 0, count: type.count, "\"arm\"")
    }
}
