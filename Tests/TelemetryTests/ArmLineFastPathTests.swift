import Foundation
import Testing
@testable import Telemetry

/// The arm-line fast path (`FrameDecoder.decodeArmLine`) must give, for every line, exactly what
/// the general path gives: the same frame, bit for bit, or the same error on the same line.
@Suite("The arm-line fast path agrees with the general decoder")
struct ArmLineFastPathTests {
    static let session = #"{"t":0,"type":"session","v":1,"id":"S","arms":[{"id":"MTML","kind":"MTM","joints":[{"name":"a","unit":"rad"},{"name":"b","unit":"rad"},{"name":"c","unit":"m"}]},{"id":"PSM-LONG-NAME-12","kind":"PSM","joints":[{"name":"a","unit":"rad"}]},{"id":"PSM2-INSTRUMENT","kind":"PSM","joints":[{"name":"a","unit":"rad"},{"name":"b","unit":"rad"}]},{"id":"ECM","kind":"ECM"}]}"#

    /// Decodes the session line then `lines`, with or without the fast path.
    static func decode(_ lines: [String], fast: Bool) -> [DecodeOutcome] {
        var decoder = FrameDecoder()
        decoder.armLineFastPath = fast
        _ = decoder.decode(line: session)
        return lines.map { decoder.decode(line: $0) }
    }

    /// Outcomes compared with every number by its bits (== would take -0 for 0).
    static func same(_ a: DecodeOutcome, _ b: DecodeOutcome) -> Bool {
        guard a == b else { return false }
        guard case .frame(let x) = a, case .frame(let y) = b else { return true }
        guard x.t.bitPattern == y.t.bitPattern else { return false }
        guard case .arm(let p) = x.body, case .arm(let q) = y.body else { return true }
        return p.jaw?.bitPattern == q.jaw?.bitPattern && ArmSample.Run.allCases.allSatisfy { run in
            p[run].map { $0.map(\.bitPattern) } == q[run].map { $0.map(\.bitPattern) }
        }
    }

    /// Whether each line is taken by the fast path itself (`decodeArmLine` gives a frame), after
    /// the session line; as `decode` does, without the line's LF and trailing CR.
    static func fastPathTakes(_ lines: [String]) -> [Bool] {
        var decoder = FrameDecoder()
        _ = decoder.decode(line: session)
        return lines.map { line in
            var n = line.utf8.count
            while n > 0, [UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(line.utf8[line.utf8.index(line.utf8.startIndex, offsetBy: n - 1)]) { n -= 1 }
            return line.utf8CString.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: UInt8.self) { decoder.decodeArmLine($0.baseAddress!, n) != nil }
            }
        }
    }

    /// Expects both paths to agree on every line; returns which lines the fast path took.
    @discardableResult
    static func expectAgree(_ lines: [String], sourceLocation: SourceLocation = #_sourceLocation) -> [Bool] {
        let fast = decode(lines, fast: true)
        let general = decode(lines, fast: false)
        for (k, line) in lines.enumerated() {
            #expect(same(fast[k], general[k]), "\(line)\nfast:    \(fast[k])\ngeneral: \(general[k])", sourceLocation: sourceLocation)
        }
        return fastPathTakes(lines)
    }

    @Test("a common arm line takes the fast path and decodes to the frame it says")
    func commonLine() throws {
        let line = #"{"t":12.5,"type":"arm","seq":8,"arm":"MTML","state":"ENABLED","homed":true,"following":false,"position":[-0.007579,0.729776,-2.266484],"velocity":[0,0,-0],"effort":[0.0397,1.25933,-0.00043],"jaw":0.026464}"#
        var decoder = FrameDecoder()
        _ = decoder.decode(line: Self.session)
        let n = line.utf8.count
        let fast = line.utf8CString.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: UInt8.self) { decoder.decodeArmLine($0.baseAddress!, n) }
        }
        let frame = try #require(fast, "the line took the general path")
        #expect(frame.t == 12.5 && frame.seq == 8)
        guard case .arm(let arm) = frame.body else {
            Issue.record("not an arm frame")
            return
        }
        #expect(arm.arm == "MTML" && arm.state == .enabled && arm.homed == true && arm.following == false)
        #expect(arm.position?.array == [-0.007579, 0.729776, -2.266484])
        #expect(arm.velocity?[2].sign == .minus)
        #expect(arm.effort?.array == [0.0397, 1.25933, -0.00043])
        #expect(arm.jaw == 0.026464 && arm.tip == nil && arm.twist == nil)
        Self.expectAgree([line])
    }

    @Test("random arm frames written by the encoder decode the same both ways, numbers to the bit")
    func randomFrames() {
        var rng = SeededRandom(state: 14)  // fixed, so a failure can be reproduced
        func number() -> Double {
            switch Int.random(in: 0..<7, using: &rng) {
            case 0: return Double(Int.random(in: -99_999_999...99_999_999, using: &rng))
            case 1: return (Double.random(in: -10...10, using: &rng) * 1e6).rounded() / 1e6
            case 2: return Double.random(in: -1...1, using: &rng)
            case 3: return Double.random(in: -1e300...1e300, using: &rng)
            case 4: return Double(bitPattern: UInt64.random(in: 0..<0x7FF0_0000_0000_0000, using: &rng))
            case 5: return [0.0, -0.0, 1e-7, 9_999_999.9999999, 1e22, .leastNonzeroMagnitude][Int.random(in: 0..<6, using: &rng)]
            default: return (Double.random(in: -99_999...99_999, using: &rng) * 1000).rounded() / 1000
            }
        }
        func run(_ n: Int) -> [Double]? { Bool.random(using: &rng) || n == 3 ? (0..<n).map { _ in number() } : nil }
        var lines: [String] = []
        for _ in 0..<3000 {
            let id = ["MTML", "PSM-LONG-NAME-12", "PSM2-INSTRUMENT", "ECM"][Int.random(in: 0..<4, using: &rng)]
            let joints = ["MTML": 3, "PSM2-INSTRUMENT": 2, "ECM": 0][id] ?? 1
            var arm = ArmSample(arm: id, state: OperatingState.allCases.randomElement(using: &rng),
                                homed: Bool.random(using: &rng), following: Bool.random(using: &rng),
                                position: run(joints), velocity: run(joints), effort: run(joints),
                                tip: run(3), orientation: run(4), twist: run(6), jaw: Bool.random(using: &rng) ? number() : nil)
            if Bool.random(using: &rng) { arm.state = nil }
            let frame = Frame(t: (Double.random(in: 0...100_000, using: &rng) * 1000).rounded() / 1000,
                              seq: Bool.random(using: &rng) ? Int.random(in: 0...9_000_000_000, using: &rng) : nil, body: .arm(arm))
            lines.append(FrameEncoder().encode(frame))
        }
        let taken = Self.expectAgree(lines)
        // The encoder writes the common shape; only its long numbers (more than 7 digits either
        // side of the point, exponents), the 16-byte arm id and whatever a random run puts near
        // a line's end send a line to the general path.
        let share = Double(taken.filter { $0 }.count) / Double(lines.count)
        #expect(share > 0.2, "\(share) of the encoder's lines took the fast path")
        // Every arm id the fast path knows: up to 8 bytes (one word) and 9–15 bytes.
        for id in ["MTML", "PSM2-INSTRUMENT", "ECM"] {
            #expect(zip(lines, taken).contains { $0.contains(#""arm":"\#(id)""#) && $1 }, "no line of \(id) took the fast path")
        }
    }

    /// A line of the common shape with every number short: the fast path takes it.
    static func controlLine(t: String = "12.5", position: [String] = ["-0.007579", "0.729776", "-2.266484"],
                            velocity: [String] = ["0", "0.5", "-0"], effort: [String] = ["0.0397", "1.25933", "-0.00043"]) -> String {
        func run(_ values: [String]) -> String { "[" + values.joined(separator: ",") + "]" }
        return #"{"t":"# + t + #","type":"arm","seq":8,"arm":"MTML","state":"ENABLED","homed":true,"following":false,"position":"#
            + run(position) + #","velocity":"# + run(velocity) + #","effort":"# + run(effort) + #","jaw":0.026464}"#
    }

    @Test("a bad number far from the line's end (in t and every array slot) is refused by the fast path's own checks, as the general path refuses it")
    func badNumbersEarly() {
        let control = Self.controlLine()
        #expect(Self.expectAgree([control]) == [true], "the control line took the general path")
        // Not numbers in JSON (1e5 is one: the fast path hands it to the general scan and agrees).
        let bad = ["01.5", "1.", ".5", "-", "+1", "-01", "00", "1.5E", "1.2.3"]
        var lines: [String] = []
        for number in bad {
            lines.append(Self.controlLine(t: number))
            for slot in 0..<3 {
                var position = ["-0.007579", "0.729776", "-2.266484"], velocity = ["0", "0.5", "-0"]
                var effort = ["0.0397", "1.25933", "-0.00043"]
                position[slot] = number
                lines.append(Self.controlLine(position: position))
                velocity[slot] = number
                lines.append(Self.controlLine(velocity: velocity))
                effort[slot] = number
                lines.append(Self.controlLine(effort: effort))
            }
        }
        let taken = Self.expectAgree(lines)
        for (line, fast) in zip(lines, taken) {
            #expect(!fast, "the fast path took \(line)")
        }
        // An exponent is a number: the general scan reads it, and the fast path still takes the line.
        #expect(Self.expectAgree([Self.controlLine(t: "1e5"), Self.controlLine(effort: ["1e5", "0", "0"])]) == [true, true])
    }

    @Test("arm ids of 9–15 bytes: the declared one is found, one differing in its last byte or a prefix of it is not")
    func longArmIDs() {
        func line(_ id: String) -> String {
            #"{"t":1,"type":"arm","seq":3,"arm":""# + id + #"","state":"ENABLED","position":[0.5,-1.25],"velocity":[0,0],"jaw":0.125}"#
        }
        let lines = [line("PSM2-INSTRUMENT"), line("PSM2-INSTRUMENX"), line("PSM2-INSTRUMEN"), line("PSM2-INSTRUMENTS")]
        let taken = Self.expectAgree(lines)
        #expect(taken == [true, false, false, false])
        // The undeclared ones are the general path's errors, not frames of another arm.
        let outcomes = Self.decode(lines, fast: true)
        guard case .frame(let frame) = outcomes[0], case .arm(let arm) = frame.body else {
            Issue.record("the declared id did not decode: \(outcomes[0])")
            return
        }
        #expect(arm.arm == "PSM2-INSTRUMENT" && arm.position?.array == [0.5, -1.25])
        for outcome in outcomes.dropFirst() {
            if case .frame = outcome { Issue.record("an undeclared id decoded: \(outcome)") }
        }
    }

    @Test("every surprise falls back to the general path: the same frame, or the same error")
    func surprises() {
        let head = #"{"t":1,"type":"arm","seq":2,"arm":"MTML""#
        let arrays = #""position":[1,2,3],"velocity":[4,5,6],"effort":[7,8,9]"#
        var lines = [
            head + "," + arrays + "}",
            head + ", " + arrays + "}",  // whitespace
            head + "," + arrays + "} ",
            head + "," + arrays + "}x",
            head + #","position":[ 1,2,3],"effort":[7,8,9]}"#,
            head + #","position":[1,2,3 ]}"#,
            head + #","position":[1,2]}"#,  // wrong length
            head + #","position":[1,2,3,4]}"#,
            head + #","position":[]}"#,
            head + #","position":[1,2,"3"]}"#,
            head + #","position":[1,2,null]}"#,
            head + #","position":{"a":1}}"#,
            head + #","tip":[1,2]}"#,
            head + #","orientation":[1,2,3,4],"tip":[1,2,3]}"#,  // another order
            head + #","position":[1,2,3],"position":[4,5,6]}"#,  // a repeated key
            head + #","arm":"MTML"}"#,
            head + #","jaw":1,"extra":true}"#,  // an unknown key
            head + #","jaw":01}"#,  // a leading zero
            head + #","jaw":1.}"#,
            head + #","jaw":-}"#,
            head + #","jaw":1e400}"#,
            head + #","jaw":-1e400,"homed":true}"#,
            head + #","jaw":1.5e3,"state":"ENABLED"}"#,
            head + #","position":[1E2,-0.0,123456789012345678901234567890],"jaw":0.1}"#,
            head + #","position":[12345678.5,0.12345678,1.00000000000000000001]}"#,
            head + #","position":[-01,2,3]}"#,
            head + #","state":"enabled"}"#,
            head + #","state":"FAULT","homed":false,"following":true}"#,
            head + #","state":"PAUSED","homed":tru}"#,
            head + #","homed":"true"}"#,
            head + #","homed":null}"#,
            head + #","state":"DISABLED"}"#,
            head + #","state":"DIS\u0041BLED"}"#,
            head + #","jaw":2"#,  // cut
            head,
            #"{"t":1,"type":"arm","seq":2.5,"arm":"MTML"}"#,
            #"{"t":1,"type":"arm","seq":-0,"arm":"MTML"}"#,
            #"{"t":1,"type":"arm","seq":9000000000000000,"arm":"MTML"}"#,
            #"{"t":1e10,"type":"arm","arm":"MTML"}"#,
            #"{"t":-5,"type":"arm","arm":"MTML"}"#,
            #"{"t":1000000001,"type":"arm","arm":"MTML"}"#,
            #"{"t":1,"type":"arm","arm":"MT\u004DL","jaw":1}"#,  // an escaped arm id
            #"{"t":1,"type":"arm","arm":"MTMR","jaw":1}"#,  // an undeclared arm
            #"{"t":1,"type":"arm","arm":"MTM","jaw":1}"#,
            #"{"t":1,"type":"arm","arm":"PSM-LONG-NAME-12","position":[0.5],"jaw":1}"#,
            #"{"t":1,"type":"arm","arm":"PSM-LONG-NAME-13","position":[0.5],"jaw":1}"#,
            #"{"t":1,"type":"arm","arm":"ECM","position":[],"velocity":[],"effort":[]}"#,
            #"{"t":1,"type":"arm","arm":"ECM","position":[0]}"#,
            #"{"t":1,"type":"arm","position":[1,2,3],"arm":"MTML"}"#,  // arrays before the arm
            #"{"t":1,"type":"arm","state":"ENABLED"}"#,  // no arm
            #"{"t":1,"type":"arm","arm":"MTML","jaw":1}{}"#,
            #"{"t":1,"type":"arm","arm":"MTML","jaw":1,}"#,
            #"{"t":1,"type":"arms","arm":"MTML"}"#,
            #"{"t":1,"type":"link","rtt_ms":5}"#,
            #"{"t":1,"type":"arm","arm":"MTML","state":"ENABLED","homed":true,"following":true,"t":2}"#,
            #"{"t":1,"type":"arm","arm":"MTML","message":"é","jaw":1}"#,
        ]
        // Every cut of a common line, at every byte: most are errors, which must read the same.
        let full = head + #","state":"ENABLED","homed":true,"following":true,"# + arrays + #","jaw":0.026464}"#
        for cut in 1..<full.utf8.count { lines.append(String(decoding: full.utf8.prefix(cut), as: UTF8.self)) }
        let taken = Self.expectAgree(lines)
        // The control line (the first) is taken by the fast path: the others test its fallbacks.
        #expect(taken[0])
    }

    @Test("every line of the fuzz corpus decodes the same with and without the fast path")
    func fuzzCorpus() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("FuzzCorpus/wire")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".ndjson") }.sorted()
        #expect(files.count > 10)
        for file in files {
            let bytes = try Array(Data(contentsOf: dir.appendingPathComponent(file)))
            var outcomes: [[DecodeOutcome]] = []
            for fast in [true, false] {
                var stream = FrameStream()
                stream.decoder.armLineFastPath = fast
                var seen: [DecodeOutcome] = []
                stream.feed(bytes) { seen.append($0) }
                stream.finish { seen.append($0) }
                outcomes.append(seen)
            }
            #expect(outcomes[0].count == outcomes[1].count, "\(file)")
            for (a, b) in zip(outcomes[0], outcomes[1]) {
                #expect(Self.same(a, b), "\(file): \(a) against \(b)")
            }
        }
    }
}
