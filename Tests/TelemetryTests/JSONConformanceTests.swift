import Testing
@testable import Telemetry

/// Wraps a JSON value as the `text` of an event frame, so the scanner's handling of strings,
/// numbers and nesting can be checked through the public decoder.
private func eventWith(_ field: String) -> String {
    #"{"t":1,"type":"event","kind":"note","x":"# + field + "}"
}

private func decodes(_ line: String) -> Bool {
    var d = FrameDecoder()
    if case .frame = d.decode(line: line) { return true }
    return false
}

private func decodesBytes(_ bytes: [UInt8]) -> Bool {
    var d = FrameDecoder()
    if case .frame = bytes.withUnsafeBytes({ d.decode($0) }) { return true }
    return false
}

@Suite("A conforming JSON parser (RFC 8259)")
struct JSONConformanceTests {
    @Test("string escapes decode, including surrogate pairs", arguments: [
        (#""a\"b""#, "a\"b"), (#""\\\/""#, "\\/"), (#""\b\f\n\r\t""#, "\u{8}\u{c}\n\r\t"),
        (#""\u00e9\u4e2d""#, "é中"), (#""\ud83d\ude00""#, "😀"), (#""plain é 中""#, "plain é 中"),
    ])
    func escapes(literal: String, expected: String) {
        var d = FrameDecoder()
        let line = #"{"t":1,"type":"event","kind":"note","text":"# + literal + "}"
        #expect(d.decode(line: line) == .frame(Frame(t: 1, body: .event(EventNote(kind: "note", text: expected)))))
    }

    @Test("invalid strings are rejected", arguments: [
        #""\x""#, #""\u12""#, #""\u12G4""#, #""\ud83d""#, #""\ud83d\u0041""#, #""\ude00""#, "\"tab\there\"", "\"nl\u{1}\"", #""unterminated"#,
    ])
    func badStrings(literal: String) {
        #expect(!decodes(eventWith(literal)))
    }

    @Test("valid numbers parse exactly", arguments: [
        ("0", 0.0), ("-0", -0.0), ("1", 1), ("-12.5", -12.5), ("1e3", 1000), ("1E+3", 1000), ("2.5e-3", 0.0025),
        ("0.1", 0.1), ("123456789012345678901234567890", 123456789012345678901234567890.0),
        ("1.7976931348623157e308", 1.7976931348623157e308), ("5e-324", Double.leastNonzeroMagnitude), ("0.30000000000000004", 0.30000000000000004),
    ])
    func numbers(text: String, expected: Double) {
        // In a measured value: session times are limited to ±1e9 s (see HostileInputTests).
        var d = FrameDecoder()
        #expect(d.decode(line: #"{"t":0,"type":"link","rtt_ms":"# + text + #"}"#) == .frame(Frame(t: 0, body: .link(LinkSample(rttMs: expected)))))
    }

    @Test("invalid numbers are rejected", arguments: [
        "01", "-", "+1", ".5", "1.", "1e", "1e+", "NaN", "Infinity", "-Infinity", "0x10", "1.5.2", "--1", "1e999",
    ])
    func badNumbers(text: String) {
        #expect(!decodes(#"{"t":"# + text + #","type":"event","kind":"n"}"#))
    }

    @Test("structural errors are rejected", arguments: [
        #"{"t":1,"type":"event","kind":"n",}"#,            // trailing comma in object
        #"{"t":1,"type":"event","kind":"n","x":[1,2,]}"#,  // trailing comma in array
        #"{"t":1,"type":"event","kind":"n"} {"t":2}"#,     // two values on one line
        #"{"t":1,"type":"event","kind":"n"}x"#,            // trailing garbage
        #"{"t":1 "type":"event"}"#,                        // missing comma
        #"{t:1}"#,                                         // unquoted key
        #"{'t':1}"#,                                       // single quotes
        #"{"t":1,"type":"event","kind":"n","x":tru}"#,     // bad literal
        #"{"t":1,"type":"event","kind":"n","x":nul}"#,
        #"[1,2]"#,                                         // not an object
        #""just a string""#,
        #"{"t":1,"type":"event","kind":"n""#,              // unclosed
    ])
    func structure(line: String) {
        #expect(!decodes(line))
    }

    @Test("whitespace between tokens is allowed")
    func whitespace() {
        #expect(decodes(" { \"t\" : 1 ,\t\"type\" : \"event\" , \"kind\" : \"n\" , \"x\" : [ 1 , { } , [ ] ] } "))
    }

    @Test("invalid UTF-8 is rejected, valid multi-byte text accepted")
    func utf8() {
        let prefix = Array(#"{"t":1,"type":"event","kind":"n","text":""#.utf8)
        let suffix = Array(#""}"#.utf8)
        #expect(decodesBytes(prefix + [0xC3, 0xA9] + suffix))            // é
        #expect(decodesBytes(prefix + [0xF0, 0x9F, 0x98, 0x80] + suffix)) // 😀
        #expect(!decodesBytes(prefix + [0xC3] + suffix))                 // truncated
        #expect(!decodesBytes(prefix + [0xC0, 0xAF] + suffix))           // overlong
        #expect(!decodesBytes(prefix + [0xED, 0xA0, 0x80] + suffix))     // encoded surrogate
        #expect(!decodesBytes(prefix + [0xF4, 0x90, 0x80, 0x80] + suffix)) // above U+10FFFF
        #expect(!decodesBytes(prefix + [0xFF] + suffix))
        #expect(!decodesBytes(Array(#"{"t":1,"type":"event","kind":"n"}"#.utf8) + [0xC3, 0xA9]))
    }

    @Test("deep nesting in an unknown field is bounded, not a crash")
    func deepNesting() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(!decodes(eventWith(deep)))
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(decodes(eventWith(fine)))
    }
}
