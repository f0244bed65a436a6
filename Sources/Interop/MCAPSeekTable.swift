import MCAP
import Synchronization
import SystemCalls
import Telemetry

/// Where the NDJSON lines of each chunk of a surgtop MCAP file start, learnt as the file is read, so
/// that a seek back to an offset an earlier read produced jumps to its chunk (through the chunk index)
/// instead of converting the file from its start. Kept for the whole process: a replay opens a new
/// reader on every restart (a seek back, a step back), and the offsets are the same on every read.
/// It also keeps what the reads found per file (bad messages), so that counts do not depend on where a
/// read started.
final class MCAPSeekTable: Sendable {
    /// A block whose lines begin with no frame carried over from the block before.
    struct Entry: Sendable {
        /// The NDJSON offset of its first line.
        var offset: Int
        /// The checking decoder as it stood there (the arms declared so far, the line count).
        var decoder: FrameDecoder
        /// Where the block lies in the file and the CRC its Chunk record gives: checked before jumping,
        /// so that a file rewritten in place is never read from a stale place.
        var blockOffset: Int
        var blockCRC: UInt32?
        /// The schemas and channels known when the block was read (a file without a summary defines
        /// them as it goes): a read resuming here knows the same.
        var schemas: [UInt16: Schema]
        var channels: [UInt16: Channel]
    }

    /// Messages that were no valid telemetry, counted once per place in the file however often it is read.
    struct BadMessages: Sendable {
        var count = 0
        var examples: [String] = []
        /// The NDJSON offset up to which lines were counted.
        var countedUpTo = 0
    }

    private struct State {
        var entries: [Int: Entry] = [:]
        /// The data section's CRC, once checked at the end of a read.
        var dataCRC: CRCCheck?
        var bad = BadMessages()
    }

    private let state = Mutex(State())

    func record(block: Int, _ entry: Entry) {
        state.withLock { $0.entries[block] = entry }
    }

    /// The last block known to start at or before `offset`, to read on from there.
    func start(atOrBefore offset: Int) -> (block: Int, entry: Entry)? {
        state.withLock { state in
            state.entries.filter { $0.value.offset <= offset }.max { ($0.value.offset, $0.key) < ($1.value.offset, $1.key) }
                .map { ($0.key, $0.value) }
        }
    }

    /// Drops what was learnt: the file is no longer the one it was learnt from.
    func forget() {
        state.withLock { $0 = State() }
    }

    var dataCRC: CRCCheck? {
        get { state.withLock { $0.dataCRC } }
        set { state.withLock { $0.dataCRC = newValue } }
    }

    var bad: BadMessages { state.withLock { $0.bad } }

    /// Counts a bad message whose line ends at NDJSON offset `end`, unless a read counted it already.
    func countBad(endingAt end: Int, example: () -> String) {
        state.withLock { state in
            guard end > state.bad.countedUpTo else { return }
            state.bad.count = state.bad.count.saturatingAdd(1)
            if state.bad.examples.count < SurgtopMCAPRecording.examples { state.bad.examples.append(example()) }
        }
    }

    /// Lines up to `offset` have been counted. Returns how far counting has got, by any read.
    @discardableResult
    func counted(upTo offset: Int) -> Int {
        state.withLock { state in
            state.bad.countedUpTo = max(state.bad.countedUpTo, offset)
            return state.bad.countedUpTo
        }
    }
}

/// The seek tables of the files read in this process, by path and the file's identity: device, inode,
/// size, modification and change time (a file rewritten under the same name gets a new one; one rewritten
/// in place within the clock's resolution is caught by the entries' block CRCs).
enum MCAPSeekTables {
    private struct Key: Hashable {
        var path: String
        var device: UInt64
        var inode: UInt64
        var size: Int
        var modified: Int64
        var changed: Int64
    }

    private static let tables = Mutex<[Key: MCAPSeekTable]>([:])
    /// Files remembered at once: a replay and its marker pass, a report and its baseline, with room to spare.
    private static let limit = 16

    static func table(path: String) -> MCAPSeekTable {
        guard let status = try? SystemCalls.status(path: path) else { return MCAPSeekTable() }
        let key = Key(path: path, device: status.device, inode: status.inode, size: status.size,
                      modified: status.modifiedNanoseconds, changed: status.changedNanoseconds)
        return tables.withLock { tables in
            if let known = tables[key] { return known }
            if tables.count >= limit { tables.removeAll() }
            let table = MCAPSeekTable()
            tables[key] = table
            return table
        }
    }
}
