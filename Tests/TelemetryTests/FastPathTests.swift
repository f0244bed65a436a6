import Foundation
import Testing
@testable import Telemetry

/// The decoder's fast paths (eight digits at a time, keys read as words, one shared buffer per
/// arm frame) must give exactly what the general paths give, wherever a value sits in a line.
@Suite("Decoder fast paths agree with the general ones")
struct FastPathTests {
    private func linkRTT(_ text: String, pad: String = "") -> Double? {
        var d = FrameDecoder()
        guard case .frame(let f) = d.decode(line: #"{"t":1,"type":"link","rtt_ms":"# + text + pad + "}"),
              case .link(let l) = f.body else { return nil }
        return l.rttMs
    }

    @Test("every number is parsed to the same double as strtod, at any distance from the line's end")
    func numbersMatchStrtod() {
        var rng = SeededRandom(state: 20261125)  // fixed, so a failure can be reproduced
        var texts = ["0", "-0", "0.5", "1e0", "123456789012345678", "1234567890123456789", "12345678901234567890",
                     "0.000000000000000000001", "9007199254740993", "9007199254740992.5", "-2.266484", "0.00043",
                     "4.35", "17.7", "1e22", "1e23", "1.5e-22", "123.456e-5", "99999999.99999999", "0.1e1",
                     "2.2250738585072014e-308", "1.7976931348623157e308", "5e-324"]
        for _ in 0..<3000 {
            let integer = String(Int.random(in: 0...99_999_999_999, using: &rng)).prefix(Int.random(in: 1...12, using: &rng))
            let trimmed = integer.count > 1 && integer.first == "0" ? "7" + integer.dropFirst() : String(integer)
            var text = (Bool.random(using: &rng) ? "-" : "") + trimmed
            if Bool.random(using: &rng) {
                text += "." + (0..<Int.random(in: 1...20, using: &rng)).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined()
            }
            if Int.random(in: 0..<4, using: &rng) == 0 { text += "e" + String(Int.random(in: -30...30, using: &rng)) }
            texts.append(text)
        }
        for text in texts {
            let expected = strtod(text, nil)
            for pad in ["", " ", "       ", "                "] {
                #expect(linkRTT(text, pad: pad) == expected, "\(text) followed by \(pad.count) spaces")
            }
        }
    }

    @Test("a digit run is counted and valued eight bytes at a time")
    func swarDigits() {
        func word(_ s: String) -> UInt64 {
            var w: UInt64 = 0
            for (k, b) in s.utf8.prefix(8).enumerated() { w |= UInt64(b) << UInt64(8 * k) }
            return w
        }
        #expect(JSONScanner.leadingDigitCount(word("12345678")) == 8)
        #expect(JSONScanner.leadingDigitCount(word("123,4567")) == 3)
        #expect(JSONScanner.leadingDigitCount(word(":/;09 ab")) == 0)
        #expect(JSONScanner.leadingDigitCount(word("9\u{FF}000000")) == 1)
        #expect(JSONScanner.digitsValue(word("12345678"), 8) == 12_345_678)
        #expect(JSONScanner.digitsValue(word("0075xxxx"), 4) == 75)
        #expect(JSONScanner.digitsValue(word("9]......"), 1) == 9)
    }

    @Test("a string stops at the first quote, backslash, control or non-ASCII byte within a word")
    func specialBytes() {
        func first(_ s: String) -> Int {
            var w: UInt64 = 0
            for (k, b) in s.utf8.prefix(8).enumerated() { w |= UInt64(b) << UInt64(8 * k) }
            let m = JSONScanner.specialStringBytes(w)
            return m == 0 ? 8 : m.trailingZeroBitCount >> 3
        }
        #expect(first("abcdefgh") == 8)
        #expect(first("abc\"efgh") == 3)
        #expect(first("a\\cdefgh") == 1)
        #expect(first("ab\tdefgh") == 2)
        #expect(first("abcdé") == 4)
        #expect(first("\u{1F}\"") == 0)
    }

    @Test("keys of every length are identified from words, wherever they sit in the line")
    func keysAsWords() {
        // Keys of up to 16 bytes are two words; the one longer key (min_bandwidth_mbps) is
        // compared byte by byte, and its decoding is tested with the session frame.
        for key in Key.allCases where key.wireName.utf8.count <= 16 {
            let name = key.wireName
            var w = (UInt64(0), UInt64(0))
            for (k, b) in name.utf8.enumerated() {
                if k < 8 { w.0 |= UInt64(b) << UInt64(8 * k) } else { w.1 |= UInt64(b) << UInt64(8 * (k - 8)) }
            }
            #expect(Key.identify(length: name.utf8.count, w.0, w.1) == key)
        }
        #expect(Key.identify(length: 4, 0x6570_7974, 0) == .type)
        #expect(Key.identify(length: 3, 0x6570_7974 & 0xFF_FFFF, 0) == nil, "'typ' is no key")
        // Through the decoder: a known key near the end, an escaped key, unknown long keys.
        var d = FrameDecoder()
        let lines = [
            #"{"type":"link","an_unknown_key_longer_than_sixteen":1,"t":1,"rtt_ms":5}"#,
            #"{"type":"link","t":1,"rtt_\u006ds":5}"#,
            #"{"t":1,"type":"link","rtt_ms":5,"éclair":2}"#,
            #"{"t":1,"type":"link","":0,"rtt_ms":5}"#,
        ]
        for line in lines {
            guard case .frame(let f) = d.decode(line: line), case .link(let l) = f.body else {
                Issue.record("not decoded: \(line)")
                continue
            }
            #expect(l.rttMs == 5, "\(line)")
        }
    }

    private let session = #"{"t":0,"type":"session","v":1,"id":"s","arms":[{"id":"PSM1","kind":"PSM","joints":[{"name":"a","unit":"rad"},{"name":"b","unit":"m"}]},{"id":"BIG","kind":"other","joints":["#
        + (0..<300).map { #"{"name":"j\#($0)","unit":"rad"}"# }.joined(separator: ",") + "]}]}"

    private func arm(_ line: String) -> DecodeOutcome {
        var d = FrameDecoder()
        _ = d.decode(line: session)
        return d.decode(line: line)
    }

    @Test("an arm frame's arrays come back in their own fields, whatever the key order and duplicates")
    func armRunsInAnyOrder() {
        let line = #"{"twist":[1,2,3,4,5,6],"effort":[9,9],"t":1,"type":"arm","arm":"PSM1","position":[0.1,0.2],"tip":[7,8,9],"effort":[0.5,-0.5],"jaw":0.3}"#
        guard case .frame(let f) = arm(line), case .arm(let a) = f.body else {
            Issue.record("not decoded")
            return
        }
        #expect(a.position == [0.1, 0.2])
        #expect(a.velocity == nil)
        #expect(a.effort == [0.5, -0.5], "the last duplicate wins")
        #expect(a.tip == [7, 8, 9])
        #expect(a.orientation == nil)
        #expect(a.twist == [1, 2, 3, 4, 5, 6])
        #expect(a.jaw == 0.3)
        #expect(a == ArmSample(arm: "PSM1", position: [0.1, 0.2], effort: [0.5, -0.5], tip: [7, 8, 9],
                               twist: [1, 2, 3, 4, 5, 6], jaw: 0.3))
    }

    @Test("arrays too long for the line's scratch space take the general path and still decode")
    func longArrays() {
        let values = (0..<300).map { String(Double($0) / 8) }.joined(separator: ",")
        let line = #"{"t":1,"type":"arm","arm":"BIG","position":["# + values + #"],"velocity":["# + values + "]}"
        guard case .frame(let f) = arm(line), case .arm(let a) = f.body else {
            Issue.record("not decoded")
            return
        }
        #expect(a.position?.count == 300 && a.velocity?.count == 300)
        #expect(a.position?[299] == 299.0 / 8)
    }

    @Test("an array that is not all numbers is reported in the spec's words", arguments: [
        (#""position":[0.1,"x"]"#, "field 'position' must hold numbers only, found a string"),
        (#""position":{"a":1}"#, "field 'position' must be an array of numbers, not an object"),
        (#""tip":[1,2]"#, "field 'tip' must hold 3 numbers, not 2"),
        (#""velocity":[1,2,3]"#, "field 'velocity' has 3 values but arm 'PSM1' declares 2 joints"),
        (#""effort":[1e999,0]"#, "number out of range at column"),
    ])
    func badArrays(field: String, reason: String) {
        guard case .error(let e) = arm(#"{"t":1,"type":"arm","arm":"PSM1","# + field + "}") else {
            Issue.record("accepted: \(field)")
            return
        }
        #expect(e.reason.hasPrefix(reason), "\(e.reason)")
    }

    @Test("a known key that this frame type does not use is ignored, even when out of range, and so is any number in an unknown field")
    func unusedKnownKeys() {
        guard case .frame = arm(#"{"t":1,"type":"arm","arm":"PSM1","rtt_ms":1e999,"path":[1],"position":[1,2]}"#) else {
            Issue.record("rejected")
            return
        }
        guard case .frame = arm(#"{"t":1,"type":"arm","arm":"PSM1","x":[1e0000001,-2E+0005]}"#) else {
            Issue.record("an unknown field with a long exponent, valid JSON, was rejected")
            return
        }
        var d = FrameDecoder()
        guard case .error(let e) = d.decode(line: #"{"t":1,"type":"link","rtt_ms":1e999}"#) else {
            Issue.record("accepted an infinite rtt")
            return
        }
        #expect(e.reason.contains("out of range"))
    }

    @Test("arm ids are matched whatever their length and wherever they sit in the line")
    func armIDs() {
        var d = FrameDecoder()
        let arms = ["A", "PSM1", "PSM12345", "PATIENT_SIDE_1", "PATIENT_SIDE_2"]
        let declared = arms.map { #"{"id":"\#($0)","kind":"other"}"# }.joined(separator: ",")
        _ = d.decode(line: #"{"t":0,"type":"session","v":1,"id":"s","arms":["# + declared + "]}")
        for arm in arms {
            for line in [#"{"t":1,"type":"arm","arm":"\#(arm)"}"#, #"{"arm":"\#(arm)","t":1,"type":"arm","state":"ENABLED"}"#] {
                guard case .frame(let f) = d.decode(line: line), case .arm(let a) = f.body else {
                    Issue.record("not decoded: \(line)")
                    continue
                }
                #expect(a.arm == arm)
            }
        }
        guard case .error(let e) = d.decode(line: #"{"t":1,"type":"arm","arm":"PATIENT_SIDE_3","state":"ENABLED"}"#) else {
            Issue.record("an undeclared arm sharing a long prefix was accepted")
            return
        }
        #expect(e.reason.contains("PATIENT_SIDE_3"))
    }

    @Test("mutated lines never trap: every one decodes or is reported, and valid ones still agree with a fresh decoder")
    func mutatedLines() {
        var rng = SeededRandom(state: 20261125)  // fixed, so a failure can be reproduced
        let seeds = [
            #"{"t":0.5,"type":"arm","seq":8,"arm":"PSM1","state":"ENABLED","homed":true,"following":false,"position":[-0.007579,0.729776],"velocity":[0,1e-3],"effort":[0.0397,-1.25933],"tip":[1,2,3],"orientation":[0,0,0,1],"twist":[0,0,0,0,0,0],"jaw":0.026464}"#,
            #"{"t":1,"type":"link","path":"backup","up":true,"rtt_ms":112.4,"jitter_ms":3.1,"loss_pct":0.0,"video_fps":59.9}"#,
            #"{"t":2,"type":"instrument","arm":"PSM1","tool":null,"state":"ENGAGED","uses_left":7,"energy":"NONE","energy_active":false}"#,
            #"{"t":4.2,"type":"alarm","id":"PSM1.COLLISION","state":"raised","priority":"medium","message":"Instrument \"collision\" é"}"#,
        ]
        let alphabet = Array(#"{}[]:,"\-+.eE0123456789 tfnaruls"#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xA9, 0xFF]
        var decoded = 0, reported = 0
        for _ in 0..<20_000 {
            var bytes = Array(seeds.randomElement(using: &rng)!.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[at] = alphabet.randomElement(using: &rng)!
                case 1: bytes.remove(at: at)
                default: bytes.insert(alphabet.randomElement(using: &rng)!, at: at)
                }
                if bytes.isEmpty { bytes = [0x7B] }
            }
            var d = FrameDecoder()
            _ = d.decode(line: #"{"t":0,"type":"session","v":1,"id":"s","arms":[{"id":"PSM1","kind":"PSM","joints":[{"name":"a","unit":"rad"},{"name":"b","unit":"m"}]}]}"#)
            switch bytes.withUnsafeBytes({ d.decode($0) }) {
            case .frame(let frame):
                decoded += 1
                // What decodes re-encodes to a line that decodes to the same frame.
                var again = FrameDecoder()
                _ = again.decode(line: #"{"t":0,"type":"session","v":1,"id":"s","arms":[{"id":"PSM1","kind":"PSM","joints":[{"name":"a","unit":"rad"},{"name":"b","unit":"m"}]}]}"#)
                #expect(again.decode(line: FrameEncoder().encode(frame)) == .frame(frame))
            case .error, .unknownType, .blank: reported += 1
            }
        }
        #expect(decoded > 0 && reported > 0)
    }

    @Test("readings are indexed from zero and compare by value")
    func readings() {
        let sample = ArmSample(arm: "A", position: [1, 2, 3], velocity: [4, 5, 6])
        let velocity = sample.velocity!
        #expect(velocity.startIndex == 0 && velocity[0] == 4 && velocity.array == [4, 5, 6])
        #expect(velocity == Readings([4, 5, 6]))
        #expect(velocity != [4, 5])
        var changed = sample
        changed.position = [7, 8, 9]
        #expect(changed.position == [7, 8, 9] && changed.velocity == [4, 5, 6], "setting one run keeps the others")
        changed.velocity = nil
        #expect(changed.velocity == nil && changed.position == [7, 8, 9])
        #expect(sample.position == [1, 2, 3], "the original is untouched")
    }
}
