import Foundation
import Interop
import MCAP
import Simulator
import Telemetry
import Testing

/// NDJSON recordings, made by the simulator or by hand, for the exporter.
enum ExportFixtures {
    static let startedAt = "2026-11-24T08:00:00Z"
    /// 2026-11-24T08:00:00Z in ns since 1970.
    static let startedAtNs: UInt64 = 1_795_507_200 * 1_000_000_000
    static let fallbackNs = SurgtopMCAPProfile.fallbackEpoch * 1_000_000_000

    /// `seconds` of a simulated session, its session frame with `started_at` or without.
    static func simulated(seed: UInt64, seconds: Double, startedAt: String?, masters: Bool = false) -> (lines: [UInt8], frames: [Frame]) {
        var simulator = SessionSimulator(options: SimulatorOptions(seed: seed, armRateHz: 100, includeMasters: masters))
        let encoder = FrameEncoder()
        var bytes: [UInt8] = []
        var frames: [Frame] = []
        while true {
            var frame = simulator.next()
            if frame.t > seconds { break }
            if case .session(var info) = frame.body {
                info.startedAt = startedAt
                frame.body = .session(info)
            }
            encoder.encode(frame, into: &bytes)
            frames.append(frame)
        }
        return (bytes, frames)
    }

    /// The messages each topic should get from `frames`: whole frames one each, an arm frame one per part it carries.
    static func expectedTopics(_ frames: [Frame]) -> [String: Int] {
        var topics: [String: Int] = [:]
        for frame in frames {
            switch frame.body {
            case .session: topics["/session", default: 0] += 1
            case .sync: topics["/sync", default: 0] += 1
            case .link(let link): topics["/link/\(link.path)", default: 0] += 1
            case .instrument(let i): topics["/\(i.arm)/instrument", default: 0] += 1
            case .alarm: topics["/alarms", default: 0] += 1
            case .event: topics["/events", default: 0] += 1
            case .arm(let a):
                var parts: [String] = []
                if a.state != nil || a.homed != nil || a.following != nil { parts.append("operating_state") }
                if a.position != nil || a.velocity != nil || a.effort != nil { parts.append("measured_js") }
                if a.jaw != nil { parts.append("jaw/measured_js") }
                if a.tip != nil || a.orientation != nil { parts.append("measured_cp") }
                if a.twist != nil { parts.append("measured_cv") }
                if parts.isEmpty { parts.append("operating_state") }
                for part in parts { topics["/\(a.arm)/\(part)", default: 0] += 1 }
            }
        }
        return topics
    }

    static func options(_ compression: MCAPCompression = .zstd(level: 1), chunkSize: Int = 1 << 20, threaded: Bool = true) -> MCAPExport.Options {
        MCAPExport.Options(compression: compression, chunkSize: chunkSize, source: "test.ndjson", surgtopVersion: "0.0-test",
                           threaded: threaded)
    }

    /// Every message of a file, in file order.
    static func messages(_ mcap: [UInt8]) throws -> (reader: MCAPReader, messages: [Message]) {
        let reader = try MCAPReader(bytes: mcap)
        var cursor = reader.messages(order: .file)
        var all: [Message] = []
        while let message = try cursor.next() { all.append(message) }
        return (reader, all)
    }

    static func topic(_ reader: MCAPReader, _ message: Message) -> String {
        reader.channels[message.channelID]?.topic ?? "?"
    }

    static func json(_ message: Message) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(message.data)) as? [String: Any]
    }

    static func lines(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let session = #"{"t":0,"type":"session","v":1,"id":"S1","started_at":"2026-11-24T08:00:00Z","arms":[{"id":"PSM1","kind":"PSM","joints":[{"name":"yaw","unit":"rad"},{"name":"pitch","unit":"rad"}]}]}"#
}

@Suite("NDJSON written as surgtop MCAP")
struct MCAPExportTests {
    @Test("an arm frame becomes one message per CRTK part, each a valid frame line with its fields copied exactly")
    func armParts() throws {
        let text = ExportFixtures.session + "\n"
            + #"{"t":1.5,"type":"arm","seq":7,"arm":"PSM1","state":"ENABLED","homed":true,"following":false,"position":[0.1000000000000000055511151231257827,-2e-3],"velocity":[0,0],"effort":[1E2,-0.0],"tip":[1,2,3],"orientation":[0,0,0,1],"twist":[1,2,3,4,5,6],"jaw":0.25}"#
            + "\n"
        let (mcap, summary) = try MCAPExport.convert(ExportFixtures.lines(text), options: ExportFixtures.options())
        #expect(summary.frames == 2 && summary.badLines == 0)
        let (reader, messages) = try ExportFixtures.messages(mcap)
        let arm = messages.filter { ExportFixtures.topic(reader, $0) != "/session" }
        #expect(arm.map { ExportFixtures.topic(reader, $0) } == [
            "/PSM1/operating_state", "/PSM1/measured_js", "/PSM1/jaw/measured_js", "/PSM1/measured_cp", "/PSM1/measured_cv",
        ])
        #expect(arm.allSatisfy { $0.sequence == 1 && $0.logTime == ExportFixtures.startedAtNs + 1_500_000_000 })
        let texts = arm.map { String(decoding: $0.data, as: UTF8.self) }
        #expect(texts[0] == #"{"t":1.5,"type":"arm","seq":7,"arm":"PSM1","state":"ENABLED","homed":true,"following":false}"#)
        #expect(texts[1] == #"{"t":1.5,"type":"arm","seq":7,"arm":"PSM1","name":["yaw","pitch"],"position":[0.1000000000000000055511151231257827,-2e-3],"velocity":[0,0],"effort":[1E2,-0.0]}"#)
        #expect(texts[2] == #"{"t":1.5,"type":"arm","seq":7,"arm":"PSM1","jaw":0.25}"#)
        #expect(texts[3] == #"{"t":1.5,"type":"arm","seq":7,"arm":"PSM1","tip":[1,2,3],"orientation":[0,0,0,1]}"#)
        #expect(texts[4] == #"{"t":1.5,"type":"arm","seq":7,"arm":"PSM1","twist":[1,2,3,4,5,6]}"#)
        // Each is a frame line the decoder reads (after the session frame), with the values of the original.
        var decoder = FrameDecoder()
        _ = decoder.decode(line: ExportFixtures.session)
        for text in texts {
            guard case .frame(let frame) = decoder.decode(line: text), case .arm(let sample) = frame.body else {
                Issue.record("not an arm frame: \(text)")
                continue
            }
            #expect(frame.t == 1.5 && frame.seq == 7 && sample.arm == "PSM1")
        }
    }

    @Test("an arm frame that carries nothing but its arm still gets a message, on operating_state")
    func bareArmFrame() throws {
        let text = ExportFixtures.session + "\n" + #"{"t":2,"type":"arm","arm":"PSM1"}"# + "\n"
        let (mcap, summary) = try MCAPExport.convert(ExportFixtures.lines(text), options: ExportFixtures.options())
        #expect(summary.frames == 2)
        #expect(summary.messages == ["/session": 1, "/PSM1/operating_state": 1])
        let (reader, messages) = try ExportFixtures.messages(mcap)
        #expect(messages.map { String(decoding: $0.data, as: UTF8.self) }.last == #"{"t":2,"type":"arm","arm":"PSM1"}"#)
        #expect(reader.schemas.values.map(\.name).sorted() == ["surgtop.operating_state", "surgtop.session"])
    }

    @Test("log time is started_at + t in ns, the same for every message of a frame; sequence is the frame's ordinal")
    func logTimeFromStartedAt() throws {
        let (lines, frames) = ExportFixtures.simulated(seed: 4, seconds: 2, startedAt: ExportFixtures.startedAt)
        let (mcap, summary) = try MCAPExport.convert(lines, options: ExportFixtures.options(chunkSize: 16 << 10))
        #expect(summary.frames == frames.count && summary.timeBase == "started_at")
        let (reader, messages) = try ExportFixtures.messages(mcap)
        #expect(reader.chunkIndexes.count > 3)
        for message in messages {
            let frame = frames[Int(message.sequence)]
            #expect(message.logTime == ExportFixtures.startedAtNs + UInt64((frame.t * 1e9).rounded()))
            #expect(message.publishTime == message.logTime)
        }
        #expect(Set(messages.map(\.sequence)) == Set((0..<UInt32(frames.count))))
        let metadata = try reader.metadata()
        #expect(metadata.count == 1 && metadata[0].name == "surgtop")
        #expect(metadata[0].values["time_base"] == "started_at" && metadata[0].values["fallback_epoch"] == nil)
        #expect(metadata[0].values["format"] == "telemetry-v1" && metadata[0].values["source"] == "test.ndjson")
        #expect(metadata[0].values["surgtop_version"] == "0.0-test")
        #expect(reader.header.profile == "surgtop")
    }

    @Test("without started_at log times count from the fallback epoch, 2000-01-01, and the metadata says so")
    func fallbackEpoch() throws {
        let (lines, frames) = ExportFixtures.simulated(seed: 5, seconds: 1, startedAt: nil)
        let (mcap, summary) = try MCAPExport.convert(lines, options: ExportFixtures.options())
        #expect(summary.timeBase == "fallback_epoch")
        let (reader, messages) = try ExportFixtures.messages(mcap)
        for message in messages {
            #expect(message.logTime == ExportFixtures.fallbackNs + UInt64((frames[Int(message.sequence)].t * 1e9).rounded()))
        }
        let values = try reader.metadata().first?.values
        #expect(values?["time_base"] == "fallback_epoch")
        #expect(values?["fallback_epoch"] == "2000-01-01T00:00:00Z")
    }

    @Test("log times clamp: a t before 1970 is 0, a time past UInt64's ns is UInt64.max, never a trap")
    func clamps() throws {
        let text = #"{"t":-999999999,"type":"session","v":1,"id":"A","arms":[]}"# + "\n"
            + #"{"t":-1e9,"type":"event","kind":"note"}"# + "\n"
            + #"{"t":1e9,"type":"session","v":1,"id":"B","started_at":"9999-12-31T23:59:59Z","arms":[]}"# + "\n"
            + #"{"t":1e9,"type":"event","kind":"note"}"# + "\n"
            + #"{"t":-1e9,"type":"event","kind":"note"}"# + "\n"
        let (mcap, summary) = try MCAPExport.convert(ExportFixtures.lines(text), options: ExportFixtures.options())
        #expect(summary.frames == 5 && summary.sessions == 2)
        let (_, messages) = try ExportFixtures.messages(mcap)
        // Year 9999 is past what UInt64 ns hold (2554): even 31 years back from it is.
        #expect(messages.map(\.logTime) == [0, 0, .max, .max, .max])
    }

    @Test("a second session's started_at becomes the time base from its session frame on")
    func secondSession() throws {
        let text = ExportFixtures.session + "\n"
            + #"{"t":10,"type":"event","kind":"note"}"# + "\n"
            + #"{"t":0,"type":"session","v":1,"id":"S2","started_at":"2026-11-24T09:00:00.5Z","arms":[]}"# + "\n"
            + #"{"t":1,"type":"event","kind":"note"}"# + "\n"
            + #"{"t":0,"type":"session","v":1,"id":"S3","arms":[]}"# + "\n"
            + #"{"t":2,"type":"event","kind":"note"}"# + "\n"
        let (mcap, summary) = try MCAPExport.convert(ExportFixtures.lines(text), options: ExportFixtures.options())
        #expect(summary.sessions == 3 && summary.timeBase == "started_at and fallback_epoch")
        let (reader, messages) = try ExportFixtures.messages(mcap)
        let base2 = ExportFixtures.startedAtNs + 3_600_500_000_000
        #expect(messages.map(\.logTime) == [
            ExportFixtures.startedAtNs, ExportFixtures.startedAtNs + 10_000_000_000,
            base2, base2 + 1_000_000_000,
            ExportFixtures.fallbackNs, ExportFixtures.fallbackNs + 2_000_000_000,
        ])
        #expect(try reader.metadata().first?.values["fallback_epoch"] == "2000-01-01T00:00:00Z")
    }

    @Test("bad lines and unknown frame types are not written, but counted with their line numbers")
    func badLinesCounted() throws {
        let text = ExportFixtures.session + "\n"
            + "not json\n"
            + #"{"t":1,"type":"arm","arm":"PSM9","jaw":1}"# + "\n"
            + "\n"
            + #"{"t":1,"type":"video","fps":60}"# + "\n"
            + #"{"t":1,"type":"arm","arm":"PSM1","position":[1]}"# + "\n"
            + #"{"t":2,"type":"link","rtt_ms":20}"# + "\n"
            + String(repeating: "x", count: 70_000) + "\n"
            + #"{"t":3,"type":"\u001b[31mhaptics","x":1}"# + "\n"
            + #"{"t":4,"type":"event","kind":"note""#
        // Fed in small pieces: lines span chunks, the over-long one too.
        let bytes = ExportFixtures.lines(text)
        let sink = MCAPMemorySink()
        let export = try MCAPExport(sink: sink, options: ExportFixtures.options(threaded: false))
        for start in stride(from: 0, to: bytes.count, by: 777) {
            try bytes[start..<min(start + 777, bytes.count)].withUnsafeBytes { try export.feed($0) }
        }
        let summary = try export.finish()
        #expect(summary.frames == 2)
        #expect(summary.messages == ["/session": 1, "/link/primary": 1])
        #expect(summary.badLines == 5)
        #expect(summary.firstBadLines.map(\.line) == [2, 3, 6, 8, 10])
        #expect(summary.endsMidLine)
        #expect(summary.unknownTypes == 2)
        #expect(summary.firstUnknownTypes.map(\.line) == [5, 9])
        #expect(summary.firstUnknownTypes.map(\.type) == ["video", "haptics"], "escape sequences are removed")
        #expect(summary.lines == 10)
        let (_, messages) = try ExportFixtures.messages(sink.bytes)
        #expect(messages.map(\.sequence) == [0, 1], "sequences count the frames written, without gaps")
    }

    @Test("hostile text stays valid JSON: escapes, control characters, non-ASCII, CRLF, escaped keys, whitespace")
    func hostileText() throws {
        let session = #"{"t":0,"type":"session","v":1,"id":"x\u0000\"\\y","started_at":"2026-11-24T08:00:00Z","arms":[{"id":"P\u001b[2J","kind":"PSM","joints":[{"name":"j\"1\u2028","unit":"rad"}]}]}"#
        let text = "  " + session + " \r\n"
            + #"{ "t" : 1 , "type" : "arm" , "arm" : "P\u001b[2J" , "po\u0073ition" : [ 0.5 ] , "jaw" : 1e-3 , "tip":[1,2,3] , "x":{"y":[{"z":"]}"}]} }"# + "\r\n"
            + #"{"t":2,"type":"link","path":"\u001b]52;c;AAAA\u0007/../evil","rtt_ms":1,"note":"é\ud83d\ude00"}"# + "\n"
            + #"{"t":3,"type":"event","kind":"note","text":"line\nbreak \u202e and tab\t"}"# + "\n"
            + #"{"t":4,"type":"arm","arm":"P\u001b[2J","position":[1],"position":[2]}"# + "\n"
        let (mcap, summary) = try MCAPExport.convert(ExportFixtures.lines(text), options: ExportFixtures.options())
        #expect(summary.badLines == 0 && summary.frames == 5)
        let (reader, messages) = try ExportFixtures.messages(mcap)
        var decoder = FrameDecoder()
        for message in messages {
            #expect(ExportFixtures.json(message) != nil, "\(String(decoding: message.data, as: UTF8.self))")
            let bytes = Array(message.data)
            let outcome = bytes.withUnsafeBytes { decoder.decode($0) }
            guard case .frame = outcome else {
                Issue.record("not a frame: \(outcome)")
                continue
            }
        }
        let topics = messages.map { ExportFixtures.topic(reader, $0) }
        #expect(topics.allSatisfy { !$0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } }, "\(topics)")
        #expect(topics.contains("/link//../evil") && topics.contains("/P/measured_js"), "escape sequences removed whole")
        let js = messages.first { ExportFixtures.topic(reader, $0).hasSuffix("/measured_js") && $0.sequence == 1 }
        #expect((js.flatMap(ExportFixtures.json)?["position"] as? [Double]) == [0.5], "an escaped key is read as the decoder reads it")
        #expect((js.flatMap(ExportFixtures.json)?["name"] as? [String]) == ["j\"1\u{2028}"])
        let last = messages.first { ExportFixtures.topic(reader, $0).hasSuffix("/measured_js") && $0.sequence == 4 }
        #expect((last.flatMap(ExportFixtures.json)?["position"] as? [Double]) == [2], "the last duplicate key wins")
    }

    @Test("a frame's messages are never split across chunks, however small the chunks")
    func framesStayInOneChunk() throws {
        let (lines, frames) = ExportFixtures.simulated(seed: 6, seconds: 1, startedAt: nil, masters: true)
        let (mcap, _) = try MCAPExport.convert(lines, options: ExportFixtures.options(.none, chunkSize: 300, threaded: false))
        let reader = try MCAPReader(bytes: mcap)
        #expect(reader.chunkIndexes.count > 100)
        // The sequences in each chunk, read from its (uncompressed) records.
        var chunksOf: [UInt32: Set<Int>] = [:]
        for (k, index) in reader.chunkIndexes.enumerated() {
            let end = Int(index.chunkStartOffset + index.chunkLength)
            let records = Array(mcap[(end - Int(index.compressedSize))..<end])
            var at = 0
            while at < records.count {
                let length = records[(at + 1)..<(at + 9)].reversed().reduce(0) { $0 << 8 | Int($1) }
                if records[at] == 0x05 {
                    let sequence = records[(at + 11)..<(at + 15)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                    chunksOf[sequence, default: []].insert(k)
                }
                at += 9 + length
            }
        }
        #expect(chunksOf.count == frames.count)
        #expect(chunksOf.values.allSatisfy { $0.count == 1 })
        #expect(reader.statistics?.messageCount == UInt64(ExportFixtures.expectedTopics(frames).values.reduce(0, +)))
    }
}
