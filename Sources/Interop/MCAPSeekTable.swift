import MCAP
import Synchronization
import SystemCalls
import Telemetry

/// Where the NDJSON lines of each chunk of a surgtop MCAP file start, learnt as the file is read, so
/// that a seek to an offset an earlier read produced jumps to its chunk (through the chunk index)
/// instead of converting the file from its start. Kept for the whole process: a replay opens a new
/// reader on every restart (a seek back, a step back), and the offsets are the same on every read.
final class MCAPSeekTable: Sendable {
    /// A block whose lines begin with no frame carried over from the block before.
    struct Entry: Sendable {
        /// The NDJSON offset of its first line.
        var offset: Int
        /// The checking decoder as it stood there (the arms declared so far, the line count).
        var decoder: FrameDecoder
    }

    private struct State {
        var entries: [Int: Entry] = [:]
        /// The data section's CRC, once checked at the end of a read.
        var dataCRC: CRCCheck?
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

    var dataCRC: CRCCheck? {
        get { state.withLock { $0.dataCRC } }
        set { state.withLock { $0.dataCRC = newValue } }
    }
}

/// The seek tables of the files read in this process, by path, size and modification time (a file
/// rewritten under the same name gets a new one).
enum MCAPSeekTables {
    private struct Key: Hashable {
        var path: String
        var size: Int
        var modified: Int64
    }

    private static let tables = Mutex<[Key: MCAPSeekTable]>([:])
    /// Files remembered at once: a replay and its marker pass, a report and its baseline, with room to spare.
    private static let limit = 16

    static func table(path: String) -> MCAPSeekTable {
        guard let status = try? SystemCalls.status(path: path) else { return MCAPSeekTable() }
        let key = Key(path: path, size: status.size, modified: status.modifiedNanoseconds)
        return tables.withLock { tables in
            if let known = tables[key] { return known }
            if tables.count >= limit { tables.removeAll() }
            let table = MCAPSeekTable()
            tables[key] = table
            return table
        }
    }
}
