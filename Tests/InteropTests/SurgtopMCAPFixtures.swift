import Foundation
@testable import Interop
@testable import MCAP
import Testing

/// One message of a fixture file.
struct FixtureMessage {
    var topic: String
    var schema: String
    var encoding = "json"
    var schemaEncoding = "jsonschema"
    var sequence: UInt32
    var logTime: UInt64
    var data: [UInt8]
}

/// surgtop MCAP files for tests, laid out as `SurgtopMCAPProfile` says (part mcapout writes the real
/// ones): every frame one message, an arm frame one message per part it carries, a frame's messages
/// sharing its ordinal as sequence and its log time.
enum SurgtopMCAPFixture {
    /// The fields each arm part carries, in the order parts are written.
    static let partFields: [(SurgtopMCAPProfile.ArmPart, [StaticString])] = [
        (.operatingState, ["state", "homed", "following"]),
        (.measuredJS, ["position", "velocity", "effort"]),
        (.jaw, ["jaw"]),
        (.measuredCP, ["tip", "orientation"]),
        (.measuredCV, ["twist"]),
    ]

    /// The messages of NDJSON `lines` (blank lines skipped).
    static func messages(_ lines: [String]) -> [FixtureMessage] {
        var result: [FixtureMessage] = []
        for (ordinal, line) in lines.filter({ !$0.isEmpty }).enumerated() {
            let bytes = Array(line.utf8)
            bytes.withUnsafeBytes { raw in
                guard let members = JSONMembers(raw), let type = members.value("type").map(text) else {
                    Issue.record("fixture line \(ordinal) is no frame: \(line)")
                    return
                }
                let t = members.number("t") ?? 0
                let logTime = UInt64((Double(SurgtopMCAPProfile.fallbackEpoch) + t) * 1e9)
                let sequence = UInt32(truncatingIfNeeded: ordinal)
                func message(_ topic: String, _ schema: String, _ data: [UInt8]) -> FixtureMessage {
                    FixtureMessage(topic: topic, schema: SurgtopMCAPProfile.schemaPrefix + schema, sequence: sequence, logTime: logTime, data: data)
                }
                switch type {
                case "\"arm\"":
                    let arm = unquoted(members.value("arm").map(text) ?? "\"?\"")
                    let common = members.members.filter { ["t", "type", "seq", "arm"].contains(unquoted(text(raw[$0.key]))) }
                    for (part, fields) in partFields {
                        let carried = members.members.filter { m in fields.contains { members.isKey(m, $0) } }
                        guard !carried.isEmpty else { continue }
                        var object = (common + carried).map { text(raw[$0.key]) + ":" + text(raw[$0.value]) }
                        if part == .measuredJS { object.append("\"name\":[\"yaw\",\"pitch\"]") }  // as sensor_msgs/JointState
                        result.append(message(part.topic(arm: arm), part.rawValue, Array(("{" + object.joined(separator: ",") + "}").utf8)))
                    }
                case "\"link\"":
                    let path = members.value("path").map { unquoted(text($0)) } ?? "primary"
                    result.append(message(SurgtopMCAPProfile.linkTopic(path: path), "link", bytes))
                case "\"instrument\"":
                    let arm = unquoted(members.value("arm").map(text) ?? "\"?\"")
                    result.append(message(SurgtopMCAPProfile.instrumentTopic(arm: arm), "instrument", bytes))
                default:
                    let name = unquoted(type)
                    let topic = ["session": SurgtopMCAPProfile.sessionTopic, "sync": SurgtopMCAPProfile.syncTopic,
                                 "alarm": SurgtopMCAPProfile.alarmsTopic, "event": SurgtopMCAPProfile.eventsTopic][name] ?? "/\(name)"
                    result.append(message(topic, name, bytes))
                }
            }
        }
        return result
    }

    /// Writes `messages` with the MCAP module's writer (chunks close at `chunkSize`, so a frame's parts
    /// may straddle two chunks, as a foreign writer's might).
    static func write(_ messages: [FixtureMessage], to path: String, chunkSize: Int = 4096,
                      compression: MCAPCompression = .zstd(level: 1)) throws {
        let sink = try MCAPFileSink(path: path)
        let writer = try MCAPWriter(sink: sink, options: .init(compression: compression, chunkSize: chunkSize,
                                                               profile: SurgtopMCAPProfile.profile, library: "surgtop tests"))
        var schemas: [String: UInt16] = [:]
        var channels: [String: UInt16] = [:]
        for m in messages {
            let schemaID: UInt16
            if let known = schemas[m.schema] {
                schemaID = known
            } else {
                schemaID = try writer.addSchema(name: m.schema, encoding: m.schemaEncoding, data: Array(#"{"type":"object"}"#.utf8))
                schemas[m.schema] = schemaID
            }
            let channel: UInt16
            if let known = channels[m.topic] {
                channel = known
            } else {
                channel = try writer.addChannel(topic: m.topic, messageEncoding: m.encoding, schemaID: schemaID)
                channels[m.topic] = channel
            }
            try writer.addMessage(channelID: channel, sequence: m.sequence, logTime: m.logTime, data: m.data)
        }
        try writer.finish()
        try sink.close()
    }

    /// Writes `lines` as a surgtop MCAP file.
    static func write(lines: [String], to path: String, chunkSize: Int = 4096, compression: MCAPCompression = .zstd(level: 1)) throws {
        try write(messages(lines), to: path, chunkSize: chunkSize, compression: compression)
    }

    private static func text(_ raw: UnsafeRawBufferPointer) -> String { String(decoding: raw, as: UTF8.self) }
    private static func text(_ raw: Slice<UnsafeRawBufferPointer>) -> String { String(decoding: raw, as: UTF8.self) }
    private static func unquoted(_ s: String) -> String { s.hasPrefix("\"") && s.hasSuffix("\"") && s.count >= 2 ? String(s.dropFirst().dropLast()) : s }
}

/// A hand-made MCAP file of loose records (no chunks, no summary), for what a writer would refuse to write.
struct RawMCAP {
    private var w = ByteWriter()

    init(profile: String = SurgtopMCAPProfile.profile) {
        w.bytes = mcapMagic
        w.record(.header) { w in w.string(profile); w.string("hand-made") }
    }

    mutating func schema(id: UInt16, name: String) {
        Schema(id: id, name: name, encoding: "jsonschema", data: Array("{}".utf8)).write(to: &w)
    }

    mutating func channel(id: UInt16, schema: UInt16, topic: String, encoding: String = "json") {
        Channel(id: id, schemaID: schema, topic: topic, messageEncoding: encoding, metadata: [:]).write(to: &w)
    }

    mutating func message(channel: UInt16, sequence: UInt32, logTime: UInt64, _ data: String) {
        w.record(.message) { w in
            w.u16(channel); w.u32(sequence); w.u64(logTime); w.u64(logTime)
            w.bytes.append(contentsOf: data.utf8)
        }
    }

    /// The bytes, closed with Data End, a Footer without summary and the magic.
    func bytes() -> [UInt8] {
        var out = w
        out.record(.dataEnd) { w in w.u32(0) }
        out.record(.footer) { w in w.u64(0); w.u64(0); w.u32(0) }
        out.bytes.append(contentsOf: mcapMagic)
        return out.bytes
    }
}

/// Files for one test, and the built `surgtop` binary.
enum TestFiles {
    static func directory() -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("surgtop-interop-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static let binary: String = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("surgtop").path) { return dir.appendingPathComponent("surgtop").path }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/surgtop").path
    }()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the built surgtop to its end.
    static func surgtop(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = directory().path  // no user settings
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        process.waitUntilExit()
        group.wait()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A simulated recording's lines (`surgtop sim --out`).
    static func simulated(seconds: Int = 20, rate: Int = 20, seed: Int = 3, in dir: URL) throws -> [String] {
        let path = dir.appendingPathComponent("sim.ndjson").path
        let run = try surgtop(["sim", "--out", path, "--duration", "\(seconds)", "--rate", "\(rate)", "--seed", "\(seed)"])
        #expect(run.status == 0, "\(run.stderr)")
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }
}
