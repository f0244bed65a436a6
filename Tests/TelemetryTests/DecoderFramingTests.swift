import Testing
@testable import Telemetry

/// A decoder that has seen a session frame declaring one PSM with three joints.
func decoderWithSession() -> FrameDecoder {
    var decoder = FrameDecoder()
    _ = decoder.decode(line: sessionLine)
    return decoder
}

let sessionLine = #"{"t":0,"type":"session","v":1,"id":"OR3","arms":[{"id":"PSM1","kind":"PSM","joints":[{"name":"yaw","unit":"rad","min":-1.588,"max":1.588,"effort_max":3.32},{"name":"pitch","unit":"rad","min":-0.925,"max":0.925},{"name":"insertion","unit":"m","min":0,"max":0.24}]},{"id":"ECM","kind":"ECM"}]}"#

func outcomes(of text: String) -> [DecodeOutcome] {
    var stream = FrameStream()
    var result: [DecodeOutcome] = []
    stream.feed(Array(text.utf8)) { result.append($0) }
    stream.finish { result.append($0) }
    return result
}

func errorReason(_ outcome: DecodeOutcome) -> String? {
    if case .error(let e) = outcome { return e.reason }
    return nil
}

@Suite("Framing (§1)")
struct FramingTests {
    @Test("lines end with LF and a CR before the LF is ignored")
    func crlf() {
        let result = outcomes(of: #"{"t":1,"type":"event","kind":"note"}"# + "\r\n" + #"{"t":2,"type":"event","kind":"clutch"}"# + "\n")
        #expect(result.count == 2)
        #expect(result[0] == .frame(Frame(t: 1, body: .event(EventNote(kind: "note")))))
        #expect(result[1] == .frame(Frame(t: 2, body: .event(EventNote(kind: "clutch")))))
    }

    @Test("blank lines are ignored but still counted as lines")
    func blankLines() {
        let result = outcomes(of: "\n\r\n   \n" + #"{"t":1,"type":"event","kind":"x"}"# + "\n" + "{bad\n")
        #expect(result.filter { $0 == .blank }.count == 3)
        guard case .error(let e) = result.last else {
            Issue.record("expected an error")
            return
        }
        #expect(e.line == 5)
    }

    @Test("a line over 65,536 bytes is an error, skipped to the next LF, and the stream goes on")
    func lineLimit() {
        let long = #"{"t":1,"type":"event","kind":"note","text":""# + String(repeating: "x", count: 70_000) + #""}"#
        let text = long + "\n" + #"{"t":2,"type":"event","kind":"ok"}"# + "\n"
        // Fed in small chunks, as a socket would deliver it.
        var stream = FrameStream()
        var result: [DecodeOutcome] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let end = min(bytes.count, i + 1000)
            stream.feed(Array(bytes[i..<end])) { result.append($0) }
            i = end
        }
        stream.finish { result.append($0) }
        #expect(result.count == 2)
        guard case .error(let e) = result[0] else {
            Issue.record("expected the long line to be an error")
            return
        }
        #expect(e.kind == .tooLong)
        #expect(e.line == 1)
        #expect(result[1] == .frame(Frame(t: 2, body: .event(EventNote(kind: "ok")))))
    }

    @Test("a line of exactly 65,536 bytes is accepted")
    func lineAtLimit() {
        let head = #"{"t":1,"type":"event","kind":"note","text":""#
        let tail = #""}"#
        let pad = FrameDecoder.maxLineBytes - head.utf8.count - tail.utf8.count
        let line = head + String(repeating: "y", count: pad) + tail
        #expect(line.utf8.count == FrameDecoder.maxLineBytes)
        let result = outcomes(of: line + "\r\n")
        guard case .frame = result.first else {
            Issue.record("expected a frame, got \(result)")
            return
        }
    }

    @Test("a bad line is counted with its line number and never ends the stream")
    func badLineGoesOn() {
        let text = [sessionLine, "not json", #"{"t":1,"type":"event"}"#, #"{"t":2,"type":"event","kind":"ok"}"#].joined(separator: "\n")
        let result = outcomes(of: text)
        #expect(result.count == 4)
        if case .error(let e) = result[1] { #expect(e.line == 2) } else { Issue.record("line 2 should fail") }
        if case .error(let e) = result[2] {
            #expect(e.line == 3)
            #expect(e.reason.contains("kind"))
        } else { Issue.record("line 3 should fail") }
        #expect(result[3] == .frame(Frame(t: 2, body: .event(EventNote(kind: "ok")))))
    }

    @Test("a last line without LF (a truncated file) is still decoded")
    func truncatedLastLine() {
        let result = outcomes(of: #"{"t":1,"type":"event","kind":"a"}"# + "\n" + #"{"t":2,"type":"event","kind":"b"}"#)
        #expect(result.count == 2)
        let cut = outcomes(of: #"{"t":1,"type":"event","kind":"a"}"# + "\n" + #"{"t":2,"type":"ev"#)
        #expect(errorReason(cut[1]) != nil)
    }

    @Test("unknown fields are ignored, including nested values")
    func unknownFields() {
        var d = decoderWithSession()
        let line = #"{"t":1,"type":"link","future":{"a":[1,2,{"b":null}],"c":"\u00e9"},"rtt_ms":120.5,"extra":[[]]}"#
        #expect(d.decode(line: line) == .frame(Frame(t: 1, body: .link(LinkSample(rttMs: 120.5)))))
    }

    @Test("a known field of another frame type is ignored whatever its JSON type")
    func otherTypesFieldIgnored() {
        var d = decoderWithSession()
        let line = #"{"t":1,"type":"event","kind":"note","v":"not an integer","arms":7}"#
        #expect(d.decode(line: line) == .frame(Frame(t: 1, body: .event(EventNote(kind: "note")))))
    }

    @Test("an unknown frame type is reported apart from errors")
    func unknownType() {
        var d = decoderWithSession()
        #expect(d.decode(line: #"{"t":1,"type":"haptics","force":[1,2,3]}"#) == .unknownType("haptics"))
    }

    @Test("duplicate keys: the last one wins")
    func duplicateKeys() {
        var d = decoderWithSession()
        #expect(d.decode(line: #"{"t":1,"t":3,"type":"link","rtt_ms":10,"rtt_ms":20}"#)
                == .frame(Frame(t: 3, body: .link(LinkSample(rttMs: 20)))))
    }

    @Test("line numbers count every line")
    func lineNumbers() {
        let result = outcomes(of: "\n\n\nnope\n")
        guard case .error(let e) = result.last else {
            Issue.record("expected error")
            return
        }
        #expect(e.line == 4)
    }
}

@Test("the decoder's per-line field table has room for every key")
func fieldTableFitsEveryKey() {
    #expect(Key.allCases.count <= 64)
}
