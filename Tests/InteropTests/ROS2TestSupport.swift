import Foundation
import Interop
import MCAP
import Telemetry
import TelemetrySources

/// Builds CDR buffers by hand, in either byte order, so the tests check the reader against the XCDR1 rules
/// rather than against itself.
struct CDRBytes {
    var bigEndian: Bool
    /// The body after the 4-byte encapsulation header (the origin of alignment).
    var body: [UInt8] = []

    init(bigEndian: Bool = false) { self.bigEndian = bigEndian }

    var bytes: [UInt8] { [0x00, bigEndian ? 0x00 : 0x01, 0x00, 0x00] + body }

    mutating func align(_ size: Int) { while body.count % size != 0 { body.append(0) } }

    mutating func word(_ value: UInt64, size: Int) {
        align(size)
        let le = (0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
        body += bigEndian ? le.reversed() : le
    }

    mutating func u8(_ v: UInt8) { body.append(v) }
    mutating func bool(_ v: Bool) { body.append(v ? 1 : 0) }
    mutating func u32(_ v: UInt32) { word(UInt64(v), size: 4) }
    mutating func i32(_ v: Int32) { u32(UInt32(bitPattern: v)) }
    mutating func f64(_ v: Double) { word(v.bitPattern, size: 8) }
    mutating func string(_ s: String) {
        u32(UInt32(s.utf8.count + 1))
        body += Array(s.utf8) + [0]
    }
    mutating func f64s(_ values: [Double]) {
        u32(UInt32(values.count))
        values.forEach { f64($0) }
    }
    mutating func strings(_ values: [String]) {
        u32(UInt32(values.count))
        values.forEach { string($0) }
    }
    mutating func header(sec: Int32 = 1_795_510_800, nanosec: UInt32 = 0, frame: String = "") {
        i32(sec)
        u32(nanosec)
        string(frame)
    }

    // MARK: - Whole messages

    static func jointState(_ names: [String], position: [Double], velocity: [Double] = [], effort: [Double] = [],
                           bigEndian: Bool = false) -> [UInt8] {
        var c = CDRBytes(bigEndian: bigEndian)
        c.header()
        c.strings(names)
        c.f64s(position)
        c.f64s(velocity)
        c.f64s(effort)
        return c.bytes
    }

    static func poseStamped(_ p: [Double], _ q: [Double] = [0, 0, 0, 1], bigEndian: Bool = false) -> [UInt8] {
        var c = CDRBytes(bigEndian: bigEndian)
        c.header(frame: "base")
        (p + q).forEach { c.f64($0) }
        return c.bytes
    }

    static func transformStamped(_ p: [Double], _ q: [Double] = [0, 0, 0, 1], bigEndian: Bool = false) -> [UInt8] {
        var c = CDRBytes(bigEndian: bigEndian)
        c.header(frame: "base")
        c.string("tool")
        (p + q).forEach { c.f64($0) }
        return c.bytes
    }

    static func twistStamped(_ v: [Double], bigEndian: Bool = false) -> [UInt8] {
        var c = CDRBytes(bigEndian: bigEndian)
        c.header()
        v.forEach { c.f64($0) }
        return c.bytes
    }

    static func operatingState(_ state: String, homed: Bool, busy: Bool = false, bigEndian: Bool = false) -> [UInt8] {
        var c = CDRBytes(bigEndian: bigEndian)
        c.header()
        c.string(state)
        c.bool(homed)
        c.bool(busy)
        return c.bytes
    }

    static func string(_ s: String, bigEndian: Bool = false) -> [UInt8] {
        var c = CDRBytes(bigEndian: bigEndian)
        c.string(s)
        return c.bytes
    }
}

/// A small ROS 2 bag written with the MCAP module: each channel a topic, schema name and encoding.
struct HandBag {
    struct Topic {
        var topic: String
        var schema: String
        var encoding = "cdr"
    }

    var topics: [Topic]
    /// (topic index, log time in ns, CDR bytes), written in this order.
    var messages: [(Int, UInt64, [UInt8])]
    var chunkSize = 1 << 20

    static let start: UInt64 = 1_795_510_800_000_000_000  // 2026-11-24T09:00:00Z

    /// Writes the bag to a new temporary file and returns its path.
    func write(name: String = "bag.mcap") throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ros2-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        let sink = MCAPMemorySink()
        let writer = try MCAPWriter(sink: sink, options: .init(compression: .none, chunkSize: chunkSize, profile: "ros2", library: "test"))
        var channels: [UInt16] = []
        for topic in topics {
            let schema = try writer.addSchema(name: topic.schema, encoding: "ros2msg", data: Array("# test".utf8))
            channels.append(try writer.addChannel(topic: topic.topic, messageEncoding: topic.encoding, schemaID: schema))
        }
        for (i, (topic, time, data)) in messages.enumerated() {
            try writer.addMessage(channelID: channels[topic], sequence: UInt32(i), logTime: time, data: data)
        }
        try writer.finish()
        try Data(sink.bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

enum ROS2Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static var dvrk: String { directory.appendingPathComponent("dvrk-crtk.mcap").path }
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/make-ros2-bags").path
}

/// Opens `path` as a ROS 2 bag with `map` (a YAML text, written to a file) or the default map.
func openBag(_ path: String, map: String? = nil, ignoreCRC: Bool = false) throws -> ROS2Recording {
    var options = InteropOptions(ignoreCRC: ignoreCRC)
    if let map {
        let mapPath = (path as NSString).deletingLastPathComponent + "/map-\(UUID().uuidString).yaml"
        try map.write(toFile: mapPath, atomically: true, encoding: .utf8)
        options.topicMap = mapPath
    }
    let reader = try MCAPReader(path: path, options: .init(ignoreCRC: ignoreCRC))
    return try ROS2Recording(reader: reader, path: path, options: options)
}

/// Every NDJSON byte a recording produces, read in reads of `step` bytes.
func allBytes(_ recording: ForeignRecording, step: Int = 4096) -> [UInt8] {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: step)
    while true {
        let n = buffer.withUnsafeMutableBytes { recording.read(into: $0) }
        if n == 0 { return out }
        out += buffer[0..<n]
    }
}

/// The frames (and decode errors) of a recording, read the way replay, check and report read it.
func decodedFrames(_ recording: ForeignRecording, path: String) -> (frames: [Frame], errors: [DecodeError]) {
    var frames: [Frame] = [], errors: [DecodeError] = []
    RecordingReader(foreign: recording, path: path).decodeAll { outcome in
        switch outcome {
        case .frame(let frame): frames.append(frame)
        case .error(let error): errors.append(error)
        default: break
        }
        return true
    }
    return (frames, errors)
}
