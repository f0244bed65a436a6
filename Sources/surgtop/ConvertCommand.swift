import ArgumentParser
import Foundation
import Interop
import MCAP
import SystemCalls
import Telemetry
import TelemetrySources

/// `surgtop convert IN OUT`: a recording in another format, the direction told by the names' extensions.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a recording between surgtop's NDJSON and MCAP, or from a ROS 2 bag or JIGSAWS.",
        discussion: """
        The direction comes from the names:
          .ndjson, .ndjson.gz or - (stdin)  →  .mcap, for Foxglove and PlotJuggler
          .mcap (surgtop's or a ROS 2 bag)  →  .ndjson or .ndjson.gz
          JIGSAWS kinematics, --jigsaws     →  .ndjson or .ndjson.gz

        An MCAP file gets one channel per topic (/link/primary, /PSM1/measured_js, \
        /PSM1/measured_cp, /alarms, /events, /session…), JSON messages with a schema \
        each, log times on the session's wall clock (started_at + t; without \
        started_at, from 2000-01-01T00:00:00Z, which the file's metadata says), \
        zstd-compressed chunks and full indexes. README "Interoperability" tells how \
        to open it in PlotJuggler or Foxglove.

        The output is written under a temporary name beside it, flushed to disk \
        and renamed at the end: a conversion that fails leaves no half file, and a \
        replaced file keeps its permissions. An existing output is refused unless \
        --force is given. On a terminal, a conversion that takes more than a \
        second shows its progress on stderr.

        Stopping (Ctrl-C, SIGTERM, SIGHUP): reading standard input or a FIFO, the \
        signal ends the input there, even while it is silent: the file is finished \
        with what was read (a line cut mid-way left out), kept, a note says so, and \
        the exit status is as if the input had ended. Reading a file, the \
        conversion is abandoned: nothing is written, exit 2.

        Exit status: 0 when converted clean; 1 when converted, but the input had bad \
        lines (not written, listed), no session frame, or damage that stopped \
        reading early (what was read is converted), as `surgtop check` would fail \
        it; frames of unknown types and notes (a ROS 2 topic left unmapped, an MCAP \
        read without its summary) are listed, not failures; 2 when nothing could be \
        written (bad arguments, an unreadable input, an input with no frame, a disk \
        error).

        Examples:
          surgtop convert case.ndjson.gz case.mcap
          surgtop convert case.ndjson case.mcap --compression none --force
          gateway | surgtop convert - live.mcap
          surgtop convert case.mcap case.ndjson
          surgtop convert dvrk_bag.mcap dvrk.ndjson --map topics.yaml
          surgtop convert Knot_Tying_F001.txt knot.ndjson --jigsaws \\
            --transcription Knot_Tying_F001_transcription.txt
        """
    )

    @Argument(help: ArgumentHelp("The recording to read: .ndjson, .ndjson.gz, - (standard input), .mcap, or a JIGSAWS file with --jigsaws.",
                                 valueName: "IN"))
    var input: String

    @Argument(help: ArgumentHelp("The file to write: .mcap from NDJSON; .ndjson or .ndjson.gz from MCAP or JIGSAWS.", valueName: "OUT"))
    var output: String

    @Flag(help: "IN is a JIGSAWS kinematics file (76 numbers a row at 30 Hz).")
    var jigsaws = false

    @Option(help: ArgumentHelp("The JIGSAWS gesture transcription of IN (lines of start end gesture), with --jigsaws.", valueName: "FILE"))
    var transcription: String?

    @OptionGroup var interop: InteropFlags

    @Option(help: ArgumentHelp("Chunk compression of an MCAP output: zstd (default) or none.", valueName: "zstd|none"))
    var compression = "zstd"

    @Option(help: ArgumentHelp("Uncompressed size of an MCAP output's chunks, in KiB (64–65536; default 4096).", valueName: "KIB"))
    var chunkSize: Int?

    @Flag(help: "Replace OUT if it exists.")
    var force = false

    /// What a name says a file is.
    enum Kind { case ndjson, mcap, jigsaws, other }

    static func kind(of path: String) -> Kind {
        let name = path.lowercased()
        if path == "-" || name.hasSuffix(".ndjson") || name.hasSuffix(".ndjson.gz") { return .ndjson }
        if name.hasSuffix(".mcap") { return .mcap }
        return .other
    }

    static let supported = "supported: .ndjson, .ndjson.gz or - → .mcap; .mcap → .ndjson or .ndjson.gz; "
        + "a JIGSAWS file with --jigsaws → .ndjson or .ndjson.gz"

    func run() throws {
        if transcription != nil && !jigsaws { throw Failure.usage("--transcription needs --jigsaws: it is a JIGSAWS file's gestures") }
        if input != "-", let a = try? SystemCalls.status(path: input), let b = try? SystemCalls.status(path: output),
           a.device == b.device, a.inode == b.inode {
            throw Failure.usage("'\(output)' is the input itself: convert to another file")
        }
        let from: Kind = jigsaws ? .jigsaws : Self.kind(of: input)
        let to = output == "-" ? .other : Self.kind(of: output)
        switch (from, to) {
        case (.ndjson, .mcap), (.mcap, .ndjson), (.jigsaws, .ndjson): break
        default:
            throw Failure.usage("cannot convert '\(input)' to '\(output)': \(Self.supported)")
        }
        if jigsaws && input == "-" { throw Failure.usage("--jigsaws reads a file, not standard input") }
        if to != .mcap && (compression != "zstd" || chunkSize != nil) {
            throw Failure.usage("--compression and --chunk-size apply to an MCAP output only")
        }
        if from != .mcap && (interop.map != nil || interop.ignoreCRC) { throw Failure.usage("--map and --ignore-crc apply to an MCAP input only") }
        let mcapCompression: MCAPCompression
        switch compression {
        case "zstd": mcapCompression = .zstd(level: 1)
        case "none": mcapCompression = .none
        default: throw Failure.usage("--compression must be zstd or none, not '\(compression)'")
        }
        if let chunkSize, !(64...65_536).contains(chunkSize) {
            throw Failure.usage("--chunk-size must be from 64 to 65536 KiB, not \(chunkSize)")
        }
        try checkPaths()

        try interop.apply()
        InteropOptions.current.format = jigsaws ? .jigsaws(transcription: transcription) : nil

        // A signal ends a live input (standard input, a FIFO) and abandons a file's conversion: see --help.
        SystemCalls.installTerminationHandlers()
        let partial = ConvertOutput(path: output)
        defer { partial.discard() }
        let code: Int32
        if to == .mcap {
            code = try toMCAP(partial, compression: mcapCompression)
        } else {
            code = try toNDJSON(partial)
        }
        try partial.commit()
        if code != 0 { throw ExitCode(code) }
    }

    /// Refuses a missing input, and an output that exists (without --force) or is no regular file.
    private func checkPaths() throws {
        if input != "-" {
            do { try RecordingReader.checkReadable(path: input) } catch { throw Failure.io(error.description) }
        }
        if SystemCalls.exists(output) {
            switch (try? SystemCalls.status(path: output))?.kind {
            case .directory: throw Failure.io("cannot write '\(output)': it is a directory")
            case .other: throw Failure.io("cannot write '\(output)': it is not a regular file")
            default: break
            }
            if !force { throw Failure.usage("'\(output)' exists: give --force to replace it") }
        }
    }

    // MARK: - NDJSON → MCAP

    private func toMCAP(_ out: ConvertOutput, compression: MCAPCompression) throws -> Int32 {
        let reader = try Output.openRecording(input)
        let live = input == "-" || !SystemCalls.isRegularFile(input)
        let size = live ? nil : (try? SystemCalls.status(path: input))?.size
        let sink = MCAPFileSink(descriptor: try out.create(), name: output)
        var progress = ConvertProgress(total: size)
        let summary: MCAPExport.Summary
        do {
            let export = try MCAPExport(sink: sink, options: MCAPExport.Options(
                compression: compression, chunkSize: (chunkSize ?? 4096) * 1024,
                source: input == "-" ? "standard input" : (input as NSString).lastPathComponent,
                surgtopVersion: SurgtopVersion.number))
            var failure: Error?
            while Self.nextChunkReady(reader, live: live) && reader.readChunk({ chunk in
                guard failure == nil else { return }
                do { try export.feed(chunk) } catch { failure = error }
            }) {
                if let failure { throw failure }
                progress.update(read: reader.fileBytesRead)
            }
            if let failure { throw failure }
            if !live { try Self.checkInterrupted(&progress) }
            summary = try export.finish(leavingOutCutLine: stoppedBy != nil)
            try sink.close()
        } catch let error as MCAPError {
            progress.clear()
            // The sink's own errors name OUT; the writer's (compression) say what failed.
            throw Failure.io("converting '\(input)' to '\(output)' failed: \(error.description)")
        }
        progress.clear()
        guard summary.frames > 0 else {
            throw Failure.io("nothing to convert: '\(input)' holds no frame (\(summary.lines) lines, \(summary.badLines) bad)"
                             + (reader.problem.map { "; \($0)" } ?? ""))
        }
        let written = out.temporary.flatMap { try? SystemCalls.status(path: $0).size } ?? 0
        let seconds = progress.elapsed
        let rate = seconds >= 0.1 ? ", \(NumberText.fixed(Double(reader.fileBytesRead) / 1e6 / seconds, 0)) MB/s" : ""
        Output.text("\(input) → \(output): \(summary.frames) frames, \(summary.messages.values.reduce(0, +)) messages on "
                    + "\(summary.messages.count) channels; \(Self.size(reader.fileBytesRead)) read in "
                    + "\(NumberText.fixed(seconds, 1)) s\(rate); \(Self.size(written)) written (\(compression == .none ? "uncompressed" : "zstd"))")
        let width = summary.messages.keys.map(\.count).max() ?? 0
        for topic in summary.messages.keys.sorted() {
            Output.text("  \(topic.padding(toLength: width, withPad: " ", startingAt: 0))  \(summary.messages[topic]!)")
        }
        Output.text("  log time: " + timeBaseText(summary.timeBase))
        if let stoppedBy {
            Output.text("  stopped by \(stoppedBy): the input ends there; what was read is converted"
                        + (summary.cutLineLeftOut ? " (its last line, cut mid-way, left out)" : ""))
        }
        if summary.unknownTypes > 0 {
            let named = summary.firstUnknownTypes.map { "line \($0.line) '\($0.type)'" }.joined(separator: ", ")
            Output.text("  \(summary.unknownTypes) frame\(summary.unknownTypes == 1 ? "" : "s") of unknown types, not written: \(named)"
                        + (summary.unknownTypes > summary.firstUnknownTypes.count ? ", …" : ""))
        }
        if summary.tooManyTopics > 0 {
            Output.text("  \(summary.tooManyTopics) frames not written: the file reached \(MCAPExport.maxChannels) channels")
        }
        if summary.sessions == 0 { Output.text("  no session frame: a recording starts with one") }
        if let note = reader.note { Output.text("  \(note)") }
        if let problem = reader.problem { Output.text("  \(problem); what was read is converted") }
        if summary.badLines > 0 {
            Output.text("  \(summary.badLines) bad line\(summary.badLines == 1 ? "" : "s"), not written:")
            for error in summary.firstBadLines { Output.text("    line \(error.line): \(error.reason)") }
            if summary.badLines > summary.firstBadLines.count { Output.text("    … (surgtop check '\(input)' lists them all)") }
        }
        return summary.badLines > 0 || reader.problem != nil || summary.sessions == 0 || summary.tooManyTopics > 0 ? 1 : 0
    }

    /// A file size for people: bytes, kB or MB.
    static func size(_ bytes: Int) -> String {
        bytes < 1000 ? "\(bytes) bytes" : bytes < 1_000_000 ? "\(NumberText.trimmed(Double(bytes) / 1e3, 1)) kB"
            : "\(NumberText.trimmed(Double(bytes) / 1e6, 1)) MB"
    }

    /// A file's conversion abandoned by a signal (checked between chunks and once reading is done).
    private static func checkInterrupted(_ progress: inout ConvertProgress) throws {
        guard SystemCalls.terminationWasRequested else { return }
        progress.clear()
        throw Failure.io("interrupted: nothing written")
    }

    /// The signal that stopped reading, by name; nil while none has arrived.
    private var stoppedBy: String? {
        switch SystemCalls.terminationSignalNumber {
        case 0: nil
        case SIGINT: "SIGINT (Ctrl-C)"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        default: "signal \(SystemCalls.terminationSignalNumber)"
        }
    }

    /// Whether to read the next chunk. A live input (standard input, a FIFO) is read once it has data, so
    /// a signal ends it even while its writer is silent (waited for in 0.1 s steps); a signal ends it.
    /// A file's read never waits long: a signal abandons its conversion.
    private static func nextChunkReady(_ reader: RecordingReader, live: Bool) -> Bool {
        guard live else {
            return !SystemCalls.terminationWasRequested
        }
        while !SystemCalls.terminationWasRequested {
            guard let fd = reader.descriptor else { return true }
            if SystemCalls.waitReadable(fd, seconds: 0.1) { return true }
        }
        return false
    }

    private func timeBaseText(_ base: String) -> String {
        switch base {
        case "started_at": "the session's started_at + t"
        case "fallback_epoch": "no started_at: 2000-01-01T00:00:00Z + t (said in the file's metadata)"
        default: "started_at + t; sessions without started_at from 2000-01-01T00:00:00Z (said in the file's metadata)"
        }
    }

    // MARK: - MCAP or JIGSAWS → NDJSON

    private func toNDJSON(_ out: ConvertOutput) throws -> Int32 {
        let reader = try Output.openRecording(input)
        let gzip = output.lowercased().hasSuffix(".gz")
        let writer: RecordingWriter
        do { writer = try RecordingWriter(descriptor: try out.create(), name: output, gzip: gzip) } catch let error as SourceError {
            throw Failure.io(error.description)
        }
        var progress = ConvertProgress(total: reader.foreign?.fileSize)
        var stream = FrameStream()
        var frames = 0, bad = 0, unknown = 0, sessions = 0
        var firstBad: [DecodeError] = []
        var failure: SourceError?
        func count(_ outcome: DecodeOutcome) {
            switch outcome {
            case .frame(let frame):
                frames += 1
                if case .session = frame.body { sessions += 1 }
            case .error(let error):
                bad += 1
                if firstBad.count < MCAPExport.noteLimit { firstBad.append(error) }
            case .unknownType: unknown += 1
            case .blank: break
            }
        }
        while reader.readChunk({ chunk in
            guard failure == nil else { return }
            stream.feed(chunk, count)
            do throws(SourceError) { try writer.write(Array(chunk)) } catch { failure = error }
        }) {
            if let failure { throw Failure.io(failure.description) }
            try Self.checkInterrupted(&progress)
            progress.update(read: reader.fileBytesRead)
        }
        try Self.checkInterrupted(&progress)
        stream.finish(count)
        progress.clear()
        if let failure { throw Failure.io(failure.description) }
        do { try writer.close() } catch { throw Failure.io(error.description) }
        guard frames > 0 else {
            throw Failure.io("nothing to convert: '\(input)' gave no frame" + (reader.problem.map { ": \($0)" } ?? ""))
        }
        let written = writer.bytesOnDisk ?? 0
        Output.text("\(input) → \(output): \(frames) frames (\(sessions) session\(sessions == 1 ? "" : "s")), "
                    + "\(Self.size(written)) written in \(NumberText.fixed(progress.elapsed, 1)) s")
        for note in reader.foreign?.notes ?? [] { Output.text("  \(note)") }
        if unknown > 0 { Output.text("  \(unknown) frames of unknown types") }
        if sessions == 0 { Output.text("  no session frame: a recording starts with one") }
        if let problem = reader.problem { Output.text("  \(problem); what was read is converted") }
        if bad > 0 {
            Output.text("  \(bad) bad line\(bad == 1 ? "" : "s") in what was read:")
            for error in firstBad { Output.text("    line \(error.line): \(error.reason)") }
        }
        return bad > 0 || reader.problem != nil || sessions == 0 ? 1 : 0
    }
}

/// The output file, written under a temporary name in its directory and renamed at the end, so that a
/// failed conversion leaves nothing behind (and a replaced file stays whole until then). Errors name OUT.
final class ConvertOutput {
    let path: String
    private(set) var temporary: String?
    private var committed = false

    init(path: String) { self.path = path }

    private var directory: String { (path as NSString).deletingLastPathComponent }

    /// Creates `.OUT.partial-PID` beside OUT and returns its descriptor: exclusively and without following
    /// a link (nothing planted under that name is written through), with the permissions of the file it
    /// will replace. A stale one of a dead process with the same id is stepped around (`-PID-2`, …).
    func create() throws -> Int32 {
        if !directory.isEmpty, (try? SystemCalls.status(path: directory))?.kind != .directory {
            throw Failure.io("cannot write '\(path)': its directory '\(directory)' does not exist")
        }
        let permissions = SystemCalls.permissions(path: path)
        let stem = ".\((path as NSString).lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)"
        for attempt in 1...100 {
            let name = attempt == 1 ? stem : "\(stem)-\(attempt)"
            let made = directory.isEmpty ? name : "\(directory)/\(name)"
            do throws(SystemError) {
                let fd = try SystemCalls.createExclusive(made, permissions: permissions)
                temporary = made
                return fd
            } catch where error == .fileExists {
                continue
            } catch {
                throw Failure.io("cannot write '\(path)': \(error.text)")
            }
        }
        throw Failure.io("cannot write '\(path)': 100 temporary files named '\(stem)…' are in the way")
    }

    /// Flushes the file to disk, renames it over OUT, and flushes the directory so the rename lasts.
    func commit() throws {
        guard let temporary else { return }
        do throws(SystemError) {
            try SystemCalls.synchronizeFile(path: temporary)
        } catch {
            throw Failure.io("cannot write '\(path)': \(error.text)")
        }
        guard rename(temporary, path) == 0 else {
            throw Failure.io("cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
        committed = true
        // The file is in place and whole; a directory that cannot be flushed (some file systems) only
        // leaves the rename to the system's own writeback.
        try? SystemCalls.synchronizeDirectory(path: directory)
    }

    /// Removes the temporary file unless it became the output.
    func discard() {
        guard !committed, let temporary else { return }
        try? SystemCalls.removeFile(temporary)
    }
}

/// A progress line on stderr, shown only on a terminal once a conversion has run a second: percent of the
/// input's bytes (when its size is known), MB/s and the time left; cleared at the end.
struct ConvertProgress {
    let total: Int?
    let start = SystemCalls.monotonicSeconds()
    private var lastDrawn = 0.0
    private var shown = false
    private let terminal = SystemCalls.isTerminal(SystemCalls.standardError)

    init(total: Int?) { self.total = total }

    var elapsed: Double { SystemCalls.monotonicSeconds() - start }

    mutating func update(read: Int) {
        guard terminal else { return }
        let now = SystemCalls.monotonicSeconds()
        guard now - start >= 1, now - lastDrawn >= 0.1 else { return }
        lastDrawn = now
        shown = true
        let seconds = now - start
        let rate = Double(read) / 1e6 / seconds
        var line = "\r\u{1B}[K"
        if let total, total > 0 {
            let fraction = min(1, Double(read) / Double(total))
            let filled = Int(saturating: fraction * 20)  // the line stays under 50 columns
            let left = rate > 0 ? (Double(total - min(read, total)) / 1e6) / rate : 0
            line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "] "
            line += "\(NumberText.fixed(fraction * 100, 0))%  \(NumberText.fixed(rate, 0)) MB/s  \(NumberText.fixed(left, 0)) s left"
        } else {
            line += "\(NumberText.trimmed(Double(read) / 1e6, 1)) MB read  \(NumberText.fixed(rate, 0)) MB/s"
        }
        try? SystemCalls.writeAll(SystemCalls.standardError, line)
    }

    mutating func clear() {
        guard shown else { return }
        shown = false
        try? SystemCalls.writeAll(SystemCalls.standardError, "\r\u{1B}[K")
    }
}
