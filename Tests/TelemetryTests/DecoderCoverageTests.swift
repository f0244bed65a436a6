import Testing
@testable import Telemetry

/// The decoder behaviours the fast path must keep, each pinned: arrays past the scratch buffer,
/// every array error in its words, unused known keys ignored whatever their value, arm ids of
/// every length, and `Readings` as a value.
@Suite("Decoder: arrays, unused keys, arm ids, readings")
struct DecoderCoverageTests {
    /// A session with PSM1 (2 joints) and BIG (300 joints), more numbers than the scratch holds.
    static let session = #"{"t":0,"type":"session","v":1,"id":"s","arms":[{"id":"PSM1","kind":"PSM","joints":[{"name":"a","unit":"rad"},{"name":"b","unit":"m"}]},{"id":"BIG","kind":"other","joints":["#
        + (0..<300).map { #"{"name":"j\#($0)","unit":"rad"}"# }.joined(separator: ",") + "]}]}"

    func decode(_ line: String) -> DecodeOutcome {
        var d = FrameDecoder()
        _ = d.decode(line: Self.session)
        return d.decode(line: line)
    }

    func arm(_ line: String) -> ArmSample? {
        guard case .frame(let f) = decode(line), case .arm(let a) = f.body else { return nil }
        return a
    }

    static func numbers(_ count: Int, scale: Double) -> [Double] { (0..<count).map { Double($0) * scale } }
    static func text(_ values: [Double]) -> String { values.map { "\($0)" }.joined(separator: ",") }

    @Test("arrays that together outgrow the scratch buffer decode whole, whichever comes first",
          arguments: [(200, 200), (255, 300), (300, 10), (256, 256)])
    func arraysPastScratch(first: Int, second: Int) throws {
        // BIG has 300 joints: pad the runs to it with a tail the test can check.
        let position = Self.numbers(first, scale: 0.5) + Self.numbers(300 - first, scale: -1)
        let effort = Self.numbers(second, scale: 0.25) + Self.numbers(300 - second, scale: 2)
        let line = #"{"t":1,"type":"arm","arm":"BIG","position":["# + Self.text(position) + #"],"effort":["# + Self.text(effort)
            + #"],"tip":[1,2,3]}"#
        let a = try #require(arm(line), "not decoded")
        #expect(a.position?.array == position)
        #expect(a.effort?.array == effort)
        #expect(a.velocity == nil)
        #expect(a.tip == [1, 2, 3])
    }

    @Test("past the scratch buffer a wrong length or a stray value is still reported in the same words")
    func longArrayErrors() {
        let long = Self.text(Self.numbers(300, scale: 1))
        #expect(errorReason(decode(#"{"t":1,"type":"arm","arm":"PSM1","position":["# + long + "]}"))
                == "field 'position' has 300 values but arm 'PSM1' declares 2 joints")
        #expect(errorReason(decode(#"{"t":1,"type":"arm","arm":"BIG","velocity":["# + long + #","x"]}"#))
                == "field 'velocity' must hold numbers only, found a string")
        #expect(errorReason(decode(#"{"t":1,"type":"arm","arm":"BIG","effort":["# + long + ",1]}"))
                == "field 'effort' has 301 values but arm 'BIG' declares 300 joints")
    }

    @Test("every array error of an arm frame, in the spec's words", arguments: [
        (#""position":[0.1,"x"]"#, "field 'position' must hold numbers only, found a string"),
        (#""position":[0.1,[1]]"#, "field 'position' must hold numbers only, found an array"),
        (#""position":[0.1,{}]"#, "field 'position' must hold numbers only, found an object"),
        (#""velocity":[null,1]"#, "field 'velocity' must hold numbers only, found null"),
        (#""effort":[true,1]"#, "field 'effort' must hold numbers only, found a boolean"),
        (#""position":{"a":1}"#, "field 'position' must be an array of numbers, not an object"),
        (#""position":"1,2""#, "field 'position' must be an array of numbers, not a string"),
        (#""velocity":1"#, "field 'velocity' must be an array of numbers, not a number"),
        (#""effort":null"#, "field 'effort' must be an array of numbers, not null"),
        (#""tip":false"#, "field 'tip' must be an array of numbers, not a boolean"),
        (#""position":[]"#, "field 'position' has 0 values but arm 'PSM1' declares 2 joints"),
        (#""velocity":[1,2,3]"#, "field 'velocity' has 3 values but arm 'PSM1' declares 2 joints"),
        (#""tip":[1,2]"#, "field 'tip' must hold 3 numbers, not 2"),
        (#""orientation":[0,0,1]"#, "field 'orientation' must hold 4 numbers, not 3"),
        (#""twist":[1,2,3,4,5,6,7]"#, "field 'twist' must hold 6 numbers, not 7"),
        (#""effort":[1e999,0]"#, "number out of range at column"),
        (#""position":[1,2"#, "unexpected '}' at column"),
        (#""position":[1;2]"#, "unexpected ';' at column"),
    ])
    func arrayErrors(field: String, reason: String) {
        let outcome = decode(#"{"t":1,"type":"arm","arm":"PSM1","# + field + "}")
        #expect(errorReason(outcome)?.hasPrefix(reason) == true, "\(field): \(String(describing: errorReason(outcome)))")
    }

    @Test("a known key that a frame type does not use is ignored even when it holds 1e999", arguments: [
        #"{"t":1,"type":"event","kind":"note","rtt_ms":1e999}"#,
        #"{"t":1,"type":"event","kind":"note","position":[1e999]}"#,
        #"{"t":1,"type":"link","path":"primary","rtt_ms":5,"jaw":1e999,"v":1e999}"#,
        #"{"t":1,"type":"alarm","id":"A","state":"cleared","uses_left":1e999}"#,
        #"{"t":1,"type":"instrument","arm":"PSM1","twist":1e999,"distance_km":-1e999}"#,
        #"{"t":1,"type":"arm","arm":"PSM1","loss_pct":1e999,"min_bandwidth_mbps":1e999}"#,
    ])
    func unusedKnownKeys(line: String) {
        guard case .frame = decode(line) else {
            Issue.record("rejected: \(line): \(String(describing: errorReason(decode(line))))")
            return
        }
    }

    @Test("arm ids of every length from 1 to 40 match, and ids sharing a long prefix are told apart")
    func armIDsOfEveryLength() {
        // Ids that differ only in their last byte, at every length: one word, two words and beyond.
        let ids = (1...40).flatMap { n in ["A", "B"].map { String(repeating: "P", count: n - 1) + $0 } }
        let declared = ids.map { #"{"id":"\#($0)","kind":"other"}"# }.joined(separator: ",")
        var d = FrameDecoder()
        _ = d.decode(line: #"{"t":0,"type":"session","v":1,"id":"s","arms":["# + declared + "]}")
        for id in ids {
            guard case .frame(let f) = d.decode(line: #"{"t":1,"type":"arm","arm":"\#(id)"}"#), case .arm(let a) = f.body else {
                Issue.record("not decoded: \(id)")
                continue
            }
            #expect(a.arm == id)
        }
        // Undeclared: a longer id with a declared one as prefix, a shorter one, one differing in the middle.
        for id in [String(repeating: "P", count: 40) + "A", String(repeating: "P", count: 39) + "C",
                   String(repeating: "P", count: 20) + "X" + String(repeating: "P", count: 18) + "A"] {
            #expect(errorReason(d.decode(line: #"{"t":1,"type":"arm","arm":"\#(id)"}"#))?.contains(id) == true, "\(id)")
        }
    }

    @Test("readings of a decoded frame are views of one buffer that behave as plain values")
    func readingsAsValues() throws {
        let a = try #require(arm(#"{"t":1,"type":"arm","arm":"PSM1","position":[1,2],"velocity":[3,4],"effort":[5,6],"tip":[7,8,9]}"#))
        let velocity = try #require(a.velocity)
        // A view into the shared buffer still counts and indexes from zero.
        #expect(velocity.count == 2 && velocity.startIndex == 0 && velocity.endIndex == 2)
        #expect(velocity[0] == 3 && velocity[1] == 4 && Array(velocity) == [3, 4])
        #expect(a.effort?.first == 5 && a.tip?.last == 9)
        // Equal to the same numbers however they were made, with the same hash.
        let literal: Readings = [3, 4]
        #expect(velocity == literal && velocity.hashValue == literal.hashValue)
        #expect(Set([velocity, literal, Readings([3, 4.5])]).count == 2)
        #expect(velocity != a.position!, "views of one buffer compare by their own values")
        #expect(Readings([]).isEmpty && Readings([]) == [])
        #expect(velocity.description == "[3.0, 4.0]")
        // Slicing and mapping work as on any collection.
        #expect(a.tip!.dropFirst().map { $0 * 2 } == [16, 18])
        #expect(a.tip![1...] .elementsEqual([8, 9]))
    }
}
