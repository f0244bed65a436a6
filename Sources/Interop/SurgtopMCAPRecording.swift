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
    /// The schemas and channels known before any message was read (the summary's, or the scan's).
    private let opened: (schemas: [UInt16: Schema], channels: [UInt16: Channel])

    /// Produced lines not read yet: `output[taken...]`, starting at NDJSON offset `offset`.
    private var output: [UInt8] = []
    private var taken = 0
    private var offset = 0
    /// The NDJSON offset just after the last line produced.
    private var produced = 0
    /// How far any read of this file has counted bad messages (the table's, as of this block's start).
    private var counted = 0
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
    /// Why each skipped channel is skipped, by id (listed in id order: the same whatever the read met first).
    private var skippedChannels: [UInt16: String] = [:]
    private var crcNote: String?

    /// How many chunks this instance has decompressed (a seek decompresses from the chunk it jumps to).
    public var chunksDecompressed: Int { reader.chunksDecompressed }

    init(reader: MCAPReader, path: String, options: InteropOptions) {
        self.reader = reader
        self.path = path
        self.options = options
        self.table = MCAPSeekTables.table(path: path)
        self.opened = (reader.schemas, reader.channels)
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
        if let known, !stillHolds(known) {
            // Rewritten in place since it was learnt: nothing the table says can be trusted.
            table.forget()
            if target < offset { restart(block: 0, nil) }
        } else if target < offset {
            restart(block: known?.block ?? 0, known?.entry)
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
        let skipped = skippedChannels.keys.sorted()
        notes += skipped.prefix(Self.channelsListed).compactMap { skippedChannels[$0] }
        if skipped.count > Self.channelsListed { notes.append("… and \(skipped.count - Self.channelsListed) more channels skipped") }
        // Counted per file, and said once a read has got to the end: a count from part of a read would
        // change with every seek back.
        let bad = table.bad
        if ended, bad.count > 0 {
            notes.append("\(bad.count) message\(bad.count == 1 ? "" : "s") could not be read as telemetry (each is a bad line): "
                + bad.examples.joined(separator: "; ") + (bad.count > bad.examples.count ? "; …" : ""))
        }
        return notes
    }

    static let examples = 3

    // MARK: - Producing lines

    /// Reads again from `block`, as the read that learnt `entry` stood there (nil: the file's start).
    private func restart(block: Int, _ entry: MCAPSeekTable.Entry?) {
        output.removeAll(keepingCapacity: true)
        taken = 0
        offset = entry?.offset ?? 0
        produced = offset
        nextBlock = block
        checker = entry?.decoder ?? FrameDecoder()
        // The definitions the first read had there: a channel defined later in the file is not known yet.
        reader.setDefinitions(schemas: entry?.schemas ?? opened.schemas, channels: entry?.channels ?? opened.channels)
        uses.removeAll()
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
        } catch let changed as MCAPFileChanged {
            // Truncated or rewritten while read: what was read stands, as with an NDJSON file.
            flushPending()
            problem = "recording '\(path)' could not be read on at byte \(changed.offset): it changed or is shorter than when it was opened"
            ended = true
            return
        } catch {
            // A chunk CRC mismatch, without --ignore-crc: the frames before it stand, nothing after is trusted.
            flushPending()
            problem = "recording '\(path)': \(Self.sentence(error)); reading stopped there (--ignore-crc reads it anyway)"
            ended = true
            return
        }
        counted = table.counted(upTo: 0)
        entryDue = true
        for message in messages { take(message, block: block) }
        if entryDue && pending == nil { table.record(block: block, entry(block: block)) }
        entryDue = false
        // A frame still pending is counted when it is emitted, with the next block.
        table.counted(upTo: produced)
    }

    /// Where a read starts at `block`, as things stand now.
    private func entry(block: Int) -> MCAPSeekTable.Entry {
        MCAPSeekTable.Entry(offset: produced, decoder: checker, blockOffset: reader.blockOffset(block), blockCRC: reader.blockCRC(block),
                            schemas: reader.schemas, channels: reader.channels)
    }

    /// Whether the block an entry names is still where it was, with the CRC it had.
    private func stillHolds(_ known: (block: Int, entry: MCAPSeekTable.Entry)) -> Bool {
        known.block < reader.blockCount && reader.blockOffset(known.block) == known.entry.blockOffset
            && reader.blockCRC(known.block) == known.entry.blockCRC
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
                if !joins { table.record(block: block, entry(block: block)) }
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
        // Past the limit the merged line stops growing; emit puts the placeholder in its place.
        line.withUnsafeBytes { emit($0, topic: frame.topic, logTime: frame.logTime) }
    }

    /// Hands on one line, checked: a line that is not valid telemetry is counted (once per file, however
    /// often it is read). A message longer than a line may be becomes a placeholder just as long as the
    /// limit allows plus one, so it is still a line too long, and the offsets after it stay the same.
    private func emit(_ bytes: UnsafeRawBufferPointer, topic: String, logTime: UInt64) {
        let start = output.count
        if bytes.count > FrameDecoder.maxLineBytes {
            output.append(contentsOf: Self.overLongLine)
        } else {
            output.append(contentsOf: bytes)
        }
        let blank = output.withUnsafeMutableBytes { raw in
            // A line break would split the message. Outside strings JSON allows white space there; inside
            // one it is invalid JSON, so it becomes a control character the decoder rejects too (same length).
            var blank = true, inString = false, escaped = false
            for i in start..<raw.count {
                let b = raw[i]
                if b == 0x0A || b == 0x0D {
                    raw[i] = inString ? 0x1F : 0x20
                    escaped = false
                    continue
                }
                if b != 0x20 && b != 0x09 { blank = false }
                if escaped { escaped = false } else if inString && b == 0x5C { escaped = true } else if b == 0x22 { inString.toggle() }
            }
            return blank
        }
        if blank {  // an empty message is a bad line, not a blank one the reader would skip
            output.removeSubrange(start...)
            output.append(contentsOf: "null".utf8)
        }
        let outcome = output.withUnsafeBytes { checker.decode(UnsafeRawBufferPointer(rebasing: $0[start...])) }
        output.append(0x0A)
        produced += output.count - start
        if case .error(let error) = outcome, produced > counted {
            table.countBad(endingAt: produced) {
                "channel \(topic) at log time \(Self.logTime(logTime)) s: " + WireText.sanitize(String(error.reason.prefix(200)))
            }
        }
    }

    /// What stands for a message too long to be a line: one byte over the limit, so still too long.
    static let overLongLine: [UInt8] = {
        let text = Array("\"message longer than \(FrameDecoder.maxLineBytes) bytes, left out\"".utf8)
        return text + [UInt8](repeating: 0x20, count: FrameDecoder.maxLineBytes + 1 - text.count)
    }()

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
            problem = "recording '\(path)': \(what); --ignore-crc reads it anyway"
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
        // A channel not defined yet may be defined by a later chunk of a file that breaks the spec: its
        // messages are skipped until then, and the verdict is not kept.
        guard let channel = reader.channels[id] else {
            skippedChannels[id] = "messages on channel \(id) skipped: the file defines no such channel before them"
            return .skipped
        }
        let topic = Self.shown(channel.topic)
        let schema = channel.schemaID == 0 ? nil : reader.schemas[channel.schemaID]
        let why: String?
        if channel.schemaID != 0 && schema == nil {
            why = "channel \(topic) skipped: it names schema \(channel.schemaID), which the file does not define"
        } else if channel.messageEncoding != "json" {
            why = "channel \(topic) skipped: its message encoding is \(Self.shown(channel.messageEncoding)), not surgtop's json"
        } else if let schema, schema.name.hasPrefix(SurgtopMCAPProfile.schemaPrefix) {
            why = nil
        } else {
            why = "channel \(topic) skipped: its schema \(schema.map { Self.shown($0.name) } ?? "(none)") is not one of surgtop's"
        }
        if let why { skippedChannels[id] = why }
        let use: ChannelUse = why == nil ? .frames(topic: topic) : .skipped
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

    /// Members past the line limit are not kept: the line stays just over it, and is emitted as too long.
    private mutating func append(_ members: JSONMembers, where keep: (JSONMembers.Member) -> Bool) {
        for member in members.members where keep(member) {
            guard line.count <= FrameDecoder.maxLineBytes else { return }
            guard line.count + 2 + member.key.count + member.value.count <= FrameDecoder.maxLineBytes else {
                line = [UInt8](repeating: 0x20, count: FrameDecoder.maxLineBytes + 1)  // too long: only its length matters now
                return
            }
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
