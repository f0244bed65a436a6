import MCAP
import SystemCalls
import Telemetry

/// Opens an MCAP file as a recording: surgtop's own layout, or a ROS 2 bag, told apart by its channels.
public enum MCAPRecordings {
    static func open(path: String, options: InteropOptions) throws(InteropError) -> ForeignRecording {
        let reader = try openReader(path: path, options: options)
        if isSurgtop(reader) { return SurgtopMCAPRecording(reader: reader, path: path, options: options) }
        if reader.channels.values.contains(where: { $0.messageEncoding == "cdr" }) {
            return try ROS2Recording(reader: reader, path: path, options: options)
        }
        throw InteropError(refusal(reader))
    }

    /// The `t` of the last frame of a surgtop MCAP file, read from its last chunk (the replay timeline's
    /// end); nil for another MCAP file, or one without a readable frame at its end.
    public static func lastTimestamp(path: String, options: InteropOptions = .current) -> Double? {
        guard let reader = try? openReader(path: path, options: options), isSurgtop(reader) else { return nil }
        let recording = SurgtopMCAPRecording(reader: reader, path: path, options: options)
        // The last few blocks at most: this must answer at once (a replay's start waits for it).
        for block in stride(from: reader.blockCount - 1, through: max(0, reader.blockCount - lastBlocksSearched), by: -1) {
            guard let messages = try? reader.messages(inBlock: block) else { return nil }
            for message in messages.reversed() where recording.readsFrames(on: message.channelID) {
                let t = message.data.withUnsafeBytes { JSONMembers($0)?.number("t") }
                if let t, abs(t) <= Frame.timeLimit { return t }
            }
        }
        return nil
    }

    static let lastBlocksSearched = 4

    private static func openReader(path: String, options: InteropOptions) throws(InteropError) -> MCAPReader {
        // Said plainly: the MCAP module's own words for an empty file repeat the path.
        if let status = try? SystemCalls.status(path: path), status.kind == .regular, status.size == 0 {
            throw InteropError("it is empty (0 bytes), not an MCAP file")
        }
        let reader: MCAPReader
        do {
            reader = try MCAPReader(path: path, options: MCAPReader.Options(ignoreCRC: options.ignoreCRC))
        } catch {
            throw InteropError(SurgtopMCAPRecording.sentence(error))
        }
        // A file without a summary defines its channels as it goes: the first block's are read now,
        // to know what the file is.
        if reader.channels.isEmpty, reader.blockCount > 0 { _ = try? reader.messages(inBlock: 0) }
        return reader
    }

    /// surgtop's own file: its Header's profile, or a channel with one of its schemas.
    private static func isSurgtop(_ reader: MCAPReader) -> Bool {
        reader.header.profile == SurgtopMCAPProfile.profile
            || reader.channels.values.contains { reader.schemas[$0.schemaID]?.name.hasPrefix(SurgtopMCAPProfile.schemaPrefix) == true }
    }

    /// Why a file is neither surgtop's nor a ROS 2 bag, with what it holds.
    private static func refusal(_ reader: MCAPReader) -> String {
        guard !reader.channels.isEmpty else { return "it is an MCAP file without channels, so nothing surgtop can read" }
        let encodings = Set(reader.channels.values.map(\.messageEncoding)).sorted().map { WireText.quoted($0.isEmpty ? "(none)" : $0) }
        let schemas = Set(reader.channels.values.compactMap { reader.schemas[$0.schemaID]?.name }).sorted()
        let listed = schemas.prefix(5).map(WireText.quoted).joined(separator: ", ") + (schemas.count > 5 ? " and \(schemas.count - 5) more" : "")
        return "it holds neither surgtop's channels (schemas \(SurgtopMCAPProfile.schemaPrefix)…) nor ROS 2 ones (cdr): "
            + "message encodings \(encodings.joined(separator: ", "))" + (schemas.isEmpty ? ", no schemas" : "; schemas \(listed)")
    }
}
