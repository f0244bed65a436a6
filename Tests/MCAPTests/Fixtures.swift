import Foundation
@testable import MCAP

/// A small session written with the Swift writer: `channels` JSON channels, `count` messages
/// spread over them round-robin, one per millisecond from `baseTime`.
struct Sample {
    static let baseTime: UInt64 = 1_700_000_000_000_000_000

    var channels = 5
    var count = 2_000
    var compression: MCAPCompression = .zstd(level: 3)
    var chunkSize = 8 * 1024

    static func payload(_ k: Int) -> [UInt8] { Array("{\"k\":\(k),\"position\":[\(Double(k) * 0.25),1.5,-2]}".utf8) }
    static func time(_ k: Int) -> UInt64 { baseTime + UInt64(k) * 1_000_000 }
    static func topic(_ c: Int) -> String { "/PSM\(c)/measured_js" }

    func write(to sink: MCAPSink) throws {
        let writer = try MCAPWriter(sink: sink, options: .init(compression: compression, chunkSize: chunkSize))
        try writer.addMetadata(Metadata(name: "surgtop", values: ["epoch": "2023-11-14T22:13:20Z"]))
        let schema = try writer.addSchema(name: "JointState", encoding: "jsonschema", data: Array(#"{"type":"object"}"#.utf8))
        for c in 0..<channels {
            try writer.addChannel(topic: Self.topic(c), messageEncoding: "json", schemaID: schema, metadata: ["arm": "PSM\(c)"])
        }
        for k in 0..<count {
            try writer.addMessage(channelID: UInt16(k % channels), sequence: UInt32(k), logTime: Self.time(k), data: Self.payload(k))
        }
        try writer.finish()
    }

    func bytes() throws -> [UInt8] {
        let sink = MCAPMemorySink()
        try write(to: sink)
        return sink.bytes
    }
}

extension MCAPReader {
    /// Every message the cursor yields.
    func all(order: Order = .logTime, from start: UInt64 = 0) throws -> [Message] {
        var cursor = messages(order: order, from: start)
        var result: [Message] = []
        while let message = try cursor.next() { result.append(message) }
        return result
    }
}

func temporaryFile(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mcap-tests-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent(name).path
}
