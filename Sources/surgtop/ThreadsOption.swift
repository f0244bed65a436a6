import ArgumentParser
import TelemetrySources

/// `--threads N`: how many threads `check`, `report` and `convert` decode a plain `.ndjson` file
/// with (README "Both cores"). Gzip, standard input and MCAP are read as one stream whatever N.
struct ThreadsOption: ParsableArguments {
    @Option(name: .customLong("threads"), help: ArgumentHelp("""
        Threads to decode a plain .ndjson file with, in ranges read in parallel; the answer is \
        the same as with 1 (one pass). Default: the machine's online cores, at most 8. A gzip \
        file, standard input and MCAP are read as one stream.
        """, valueName: "N"))
    var threads: Int?

    /// More than this is a mistake: reading the file sets the pace long before.
    static let limit = 64

    func validate() throws {
        if let threads, !(1...Self.limit).contains(threads) {
            throw ValidationError("--threads must be from 1 to \(Self.limit), not \(threads)")
        }
    }

    /// The threads to use: as given, or the default.
    var count: Int { threads ?? RecordingReader.defaultThreads }
}
