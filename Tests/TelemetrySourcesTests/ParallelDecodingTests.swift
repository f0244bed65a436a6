import Foundation
import SystemCalls
import Telemetry
import Testing
@testable import TelemetrySources

/// The parallel pass gives exactly what one pass gives (issue 14, "Both cores"): the same
/// outcomes in the same order, the same line numbers and count, the same end-of-file flags.
@Suite("Decoding a plain file in ranges on several threads", .serialized)
struct ParallelDecodingTests {
    /// What a pass over a file gave, everything a caller can see.
    struct Pass: Equatable {
        var outcomes: [DecodeOutcome] = []
        var lines = 0
        var endsMidLine = false
        var truncatedLastLine = false
        var problem: String?
        var bytesRead = 0
    }

    static func serial(_ path: String) throws -> Pass {
        let reader = try RecordingReader(path: path)
        var pass = Pass()
        pass.lines = reader.decodeAll { pass.outcomes.append($0); return true }
        pass.endsMidLine = reader.endsMidLine
        pass.truncatedLastLine = reader.truncatedLastLine
        pass.problem = reader.problem
        pass.bytesRead = reader.fileBytesRead
        return pass
    }

    static func parallel(_ path: String, threads: Int, blockBytes: Int) throws -> Pass {
        try parallelWithRanges(path, threads: threads, blockBytes: blockBytes).pass
    }

    /// A parallel pass, with what it did: ranges handed over and decoded again.
    static func parallelWithRanges(_ path: String, threads: Int, blockBytes: Int) throws -> (pass: Pass, ranges: ParallelPass.Result?) {
        let reader = try RecordingReader(path: path)
        var pass = Pass()
        let ranges = reader.parallelPass(threads: threads, blockBytes: blockBytes) { pass.outcomes.append($0); return true }
        pass.lines = ranges?.lines ?? reader.decodeAll { pass.outcomes.append($0); return true }
        pass.endsMidLine = reader.endsMidLine
        pass.truncatedLastLine = reader.truncatedLastLine
        pass.problem = reader.problem
        pass.bytesRead = reader.fileBytesRead
        return (pass, ranges)
    }

    static func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("surgtop-parallel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("random files with every kind of line, cut into ranges of every size and at error lines, decode as in one pass")
    func randomFilesMatchOnePass() throws {
        var random = SplitMix(seed: 14)
        for round in 0..<20 {
            let file = RandomRecording.make(&random, lines: 20 + Int(random.next() % 120))
            let path = try Self.write(file.bytes, "r\(round).ndjson")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let expected = try Self.serial(path)
            // Small ranges, so that edges fall everywhere, and ranges whose edge is exactly at an
            // error line's start, one byte into it, at its LF and just after it.
            var sizes = (0..<4).map { _ in 1 + Int(random.next() % 300) }
            for edge in file.errorLineStarts.shuffled(using: &random).prefix(3) where edge > 0 {
                sizes += [edge, edge + 1]
            }
            for end in file.errorLineEnds.shuffled(using: &random).prefix(2) { sizes += [end, end + 1] }
            var handedOver = 0
            for size in sizes {
                for threads in 2...4 {
                    let (got, ranges) = try Self.parallelWithRanges(path, threads: threads, blockBytes: size)
                    #expect(got == expected, "round \(round), ranges of \(size) bytes, \(threads) threads")
                    if got != expected { return }
                    handedOver = max(handedOver, ranges?.rangesHandedOver ?? 0)
                }
            }
            // The parallel path ran, in many ranges.
            #expect(handedOver > 10, "round \(round)")
        }
    }

    @Test("a session frame with other arms just before a range edge: the next range is decoded again with them")
    func armsChangingAtAnEdge() throws {
        let first = #"{"t":0,"type":"session","v":1,"id":"A","arms":[{"id":"PSM1","kind":"PSM","joints":[{"name":"j1","unit":"rad"}]}]}"#
        let second = #"{"t":1,"type":"session","v":1,"id":"A","arms":[{"id":"PSM2","kind":"PSM","joints":[{"name":"j1","unit":"rad"},{"name":"j2","unit":"rad"}]}]}"#
        let arm1 = #"{"t":1.5,"type":"arm","arm":"PSM1","position":[0.1]}"#
        let arm2 = #"{"t":2,"type":"arm","arm":"PSM2","position":[0.1,0.2]}"#
        var text = first + "\n"
        for _ in 0..<20 { text += arm1 + "\n" }
        text += second + "\n"
        let edge = text.utf8.count
        for _ in 0..<20 { text += arm2 + "\n" }
        text += arm1 + "\n"  // PSM1 is no longer declared: an error, on line 43
        let path = try Self.write(Array(text.utf8), "arms.ndjson")
        let expected = try Self.serial(path)
        #expect(expected.outcomes.filter { if case .error = $0 { true } else { false } }.count == 1)
        var decodedAgain = 0
        for _ in 0..<5 {
            for size in [edge, edge - 1, edge + 1, 100, 7] {
                let (got, ranges) = try Self.parallelWithRanges(path, threads: 2, blockBytes: size)
                #expect(got == expected, "ranges of \(size) bytes")
                #expect((ranges?.rangesHandedOver ?? 0) > 1)
                decodedAgain += ranges?.rangesDecodedAgain ?? 0
            }
        }
        // A worker guessed the old arms for a range after the edge at least once, and the guess
        // was caught (with one processor there is no worker to guess).
        if SystemCalls.onlineProcessors > 1 { #expect(decodedAgain > 0) }
    }

    @Test("a line longer than the limit spanning many ranges is one error, and the ranges inside it hold no line")
    func overLongLineAcrossRanges() throws {
        let session = #"{"t":0,"type":"session","v":1,"id":"A","arms":[]}"#
        let long = #"{"t":1,"type":"event","kind":"x","text":""# + String(repeating: "a", count: 70_000) + #""}"#
        let link = #"{"t":2,"type":"link","path":"p","rtt_ms":3}"#
        let path = try Self.write(Array((session + "\n" + long + "\r\n" + link + "\n" + long).utf8), "long.ndjson")
        let expected = try Self.serial(path)
        #expect(expected.endsMidLine && expected.truncatedLastLine && expected.lines == 4)
        for size in [1000, 4096, 65_536, 70_100] {
            #expect(try Self.parallel(path, threads: 3, blockBytes: size) == expected, "ranges of \(size) bytes")
        }
    }

    @Test("stopping early hands over nothing after the line that stopped it")
    func stopsEarly() throws {
        var random = SplitMix(seed: 5)
        let file = RandomRecording.make(&random, lines: 200)
        let path = try Self.write(file.bytes, "stop.ndjson")
        let all = try Self.serial(path)
        let reader = try RecordingReader(path: path)
        var seen: [DecodeOutcome] = []
        reader.decodeAll(threads: 3, blockBytes: 97) { outcome in
            seen.append(outcome)
            return seen.count < 50
        }
        #expect(seen == Array(all.outcomes.prefix(50)))
    }

    @Test("stopped early, the count returned is the number of the line it stopped at, as in one pass")
    func stopCountsToTheStoppingLine() throws {
        let session = #"{"t":0,"type":"session","v":1,"id":"A","arms":[]}"#
        // Line 1 the session, then links, a blank line every fifth: the 300th outcome is on line 374.
        var text = session + "\n"
        for i in 1..<2000 { text += (i % 5 == 4 ? "" : #"{"t":\#(i),"type":"link","path":"p","rtt_ms":3}"#) + "\n" }
        let path = try Self.write(Array(text.utf8), "stop-count.ndjson")
        func stopped(_ count: (RecordingReader, (DecodeOutcome) -> Bool) -> Int) throws -> Int {
            let reader = try RecordingReader(path: path)
            var seen = 0
            return count(reader) { _ in
                seen += 1
                return seen < 300
            }
        }
        let one = try stopped { reader, body in reader.decodeAll(body) }
        #expect(one == 374)
        for size in [64, 1000, 4096] {
            #expect(try stopped { reader, body in reader.decodeAll(threads: 2, blockBytes: size, body) } == one, "ranges of \(size) bytes")
        }
    }

    @Test("a file of tiny bad lines is decoded in ranges of bounded outcomes, with the same answer")
    func tinyLinesBoundTheOutcomesInFlight() throws {
        // 200,000 bad lines of 3 bytes in one 1 MB range: held at once, 200,000 outcomes per range.
        let text = #"{"t":0,"type":"session","v":1,"id":"A","arms":[]}"# + "\n" + String(repeating: "{}\n", count: 200_000)
        let path = try Self.write(Array(text.utf8), "tiny.ndjson")
        let expected = try Self.serial(path)
        let (got, ranges) = try Self.parallelWithRanges(path, threads: 2, blockBytes: 1 << 20)
        #expect(got == expected)
        // No range held more than the limit (and one 16 KiB slice past it).
        #expect((ranges?.rangesHandedOver ?? 0) >= 200_001 / (ParallelPass.outcomeLimit + 16 * 1024 / 3))
        #expect((ranges?.largestRange ?? .max) <= ParallelPass.outcomeLimit + 16 * 1024 / 3)
    }

    @Test("a file that grows while it is read is read to its new end, in ranges, as one pass reads it")
    func growingFile() throws {
        let line = #"{"t":1,"type":"link","path":"p","rtt_ms":3}"# + "\n"
        let start = #"{"t":0,"type":"session","v":1,"id":"A","arms":[]}"# + "\n" + String(repeating: line, count: 100)
        let added = String(repeating: line, count: 2000)
        let path = try Self.write(Array(start.utf8), "growing.ndjson")
        let reader = try RecordingReader(path: path)
        var outcomes = 0
        var grown = false
        let ranges = reader.parallelPass(threads: 2, blockBytes: 512) { _ in
            outcomes += 1
            if !grown, let file = FileHandle(forWritingAtPath: path) {
                // Written after the pass took the file's size.
                file.seekToEndOfFile()
                file.write(Data(added.utf8))
                file.closeFile()
                grown = true
            }
            return true
        }
        #expect(ranges?.lines == 2101 && outcomes == 2101)
        #expect(try Self.serial(path).lines == 2101)
        // The added 90 KB came in ranges of 512 bytes, not as one.
        #expect((ranges?.rangesHandedOver ?? 0) > (start.utf8.count + added.utf8.count) / 512)
        #expect(reader.fileBytesRead == start.utf8.count + added.utf8.count)
    }

    @Test("after the pass the descriptor stands where the pass stopped reading, as after one pass")
    func descriptorAtTheEndRead() throws {
        var random = SplitMix(seed: 3)
        let file = RandomRecording.make(&random, lines: 300)
        let path = try Self.write(file.bytes, "offset.ndjson")
        let reader = try RecordingReader(path: path)
        reader.decodeAll(threads: 2, blockBytes: 500) { _ in true }
        let fd = try #require(reader.descriptor)
        #expect(lseek(fd, 0, SEEK_CUR) == off_t(reader.fileBytesRead))
        #expect(reader.fileBytesRead == file.bytes.count)
    }

    @Test("empty files, blank-only files and gzip files give what one pass gives")
    func edgeFiles() throws {
        for (name, text) in [("empty.ndjson", ""), ("blank.ndjson", "\n \n\r\n"), ("blank-cut.ndjson", "\n  "),
                             ("one.ndjson", #"{"t":0,"type":"session","v":1,"id":"A","arms":[]}"#)] {
            let path = try Self.write(Array(text.utf8), name)
            #expect(try Self.parallel(path, threads: 2, blockBytes: 1) == Self.serial(path), "\(name)")
        }
        // A gzip file is one stream: read in one pass whatever the threads.
        var random = SplitMix(seed: 9)
        let file = RandomRecording.make(&random, lines: 300)
        let path = try Self.write([], "r.ndjson.gz")
        let writer = try RecordingWriter(path: path)
        try writer.write(file.bytes)
        try writer.close()
        let gzip = try Self.serial(path)
        #expect(gzip.lines > 300 && gzip.bytesRead < file.bytes.count)
        #expect(try Self.parallel(path, threads: 3, blockBytes: 64) == gzip)
    }
}

/// A deterministic generator for the random files (seeded: a failure repeats).
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random recordings with every kind of line a parallel pass must get right at a range edge.
enum RandomRecording {
    struct File {
        var bytes: [UInt8] = []
        /// Byte offsets where bad lines begin, and of their LF.
        var errorLineStarts: [Int] = []
        var errorLineEnds: [Int] = []
    }

    static func session(_ id: String, _ t: Double, arms: [(String, Int)]) -> String {
        let list = arms.map { arm in
            let joints = (0..<arm.1).map { #"{"name":"j\#($0)","unit":"rad"}"# }.joined(separator: ",")
            return #"{"id":"\#(arm.0)","kind":"PSM","joints":[\#(joints)]}"#
        }.joined(separator: ",")
        return #"{"t":\#(t),"type":"session","v":1,"id":"\#(id)","arms":[\#(list)]}"#
    }

    static func arm(_ name: String, _ t: Double, joints: Int) -> String {
        let values = (0..<joints).map { "0.\($0)" }.joined(separator: ",")
        return #"{"t":\#(t),"type":"arm","arm":"\#(name)","state":"ENABLED","position":[\#(values)]}"#
    }

    static func make(_ random: inout SplitMix, lines: Int) -> File {
        let armSets: [[(String, Int)]] = [[("PSM1", 7), ("PSM2", 7)], [("PSM3", 6), ("ECM", 4)]]
        var declared = armSets[0]
        var file = File()
        var t = 0.0
        var seq = 0
        func add(_ line: String, bad: Bool = false, ending: String = "\n") {
            if bad { file.errorLineStarts.append(file.bytes.count) }
            file.bytes += Array(line.utf8)
            if bad { file.errorLineEnds.append(file.bytes.count + ending.utf8.count - 1) }
            file.bytes += Array(ending.utf8)
        }
        if random.next() % 5 != 0 { add(session("A", 0, arms: declared)) }
        for _ in 0..<lines {
            t += 0.01
            let crlf = random.next() % 6 == 0 ? "\r\n" : "\n"
            switch random.next() % 20 {
            case 0...6:
                let chosen = declared[Int(random.next() % UInt64(declared.count))]
                add(arm(chosen.0, t, joints: chosen.1), ending: crlf)
            case 7:
                let chosen = declared[0]
                add(arm(chosen.0, t, joints: chosen.1 + 1), bad: true, ending: crlf)  // wrong joint count
            case 8:
                add(arm("PSM9", t, joints: 3), bad: true)  // undeclared
            case 9, 10:
                seq += random.next() % 4 == 0 ? 3 : 1  // a gap now and then
                add(#"{"t":\#(t),"type":"link","path":"primary","seq":\#(seq),"rtt_ms":12.5}"#, ending: crlf)
            case 11:
                add(#"{"t":\#(t - 3),"type":"link","path":"primary","rtt_ms":11}"#)  // out of order
            case 12:
                add(#"{"t":\#(t),"type":"arm","arm":"#, bad: true)  // bad JSON
            case 13:
                add(random.next() % 2 == 0 ? "" : "   \t", ending: crlf)  // blank
            case 14:
                // A session frame with the other arms, the same id or another.
                declared = declared[0].0 == "PSM1" ? armSets[1] : armSets[0]
                add(session(random.next() % 2 == 0 ? "A" : "B", t, arms: declared))
            case 15:
                add(#"{"t":\#(t),"type":"event","kind":"note","text":""# + String(repeating: "x", count: 66_000) + #""}"#, bad: true)
            case 16:
                add(#"{"t":\#(t),"type":"hologram","x":1}"#)  // unknown type
            case 17:
                add(#"{"t":\#(t),"type":"session","v":2,"id":"C","arms":[]}"#, bad: true)  // unknown version
            default:
                add(#"{"t":\#(t),"type":"event","kind":"note","text":"ok"}"#, ending: crlf)
            }
        }
        if random.next() % 2 == 0 {
            // The last line without its LF: whole, cut, or blank.
            let cut = [arm(declared[0].0, t + 1, joints: declared[0].1), #"{"t":9,"type":"li"#, "  "][Int(random.next() % 3)]
            file.bytes += Array(cut.utf8)
        }
        return file
    }
}
