import Testing
@testable import Telemetry

/// Values from the wire that are valid JSON but outside anything a session means: each of
/// these once stopped the console (SIGILL on a Double → Int conversion) or drove the terminal.
@Suite("Hostile values from the wire")
struct HostileInputTests {
    @Test("a session time beyond ±1e9 s is a bad line with its reason, and the stream goes on",
          arguments: ["1e20", "-1e20", "9e18", "9.3e18", "1000000001", "-1e300"])
    func sessionTimeOutOfRange(t: String) {
        let text = """
        {"t":0,"type":"session","v":1,"id":"S1","arms":[]}
        {"t":\(t),"type":"event","kind":"x"}
        {"t":2,"type":"event","kind":"y"}

        """
        let out = outcomes(of: text)
        #expect(out.count == 3)
        #expect(errorReason(out[1])?.contains("outside the session times accepted") == true)
        guard case .frame(let last) = out[2] else {
            Issue.record("the line after the bad one was not decoded")
            return
        }
        #expect(last.t == 2)
    }

    @Test("session times up to ±1e9 s are accepted", arguments: [1e9, -1e9, 0, 86_400.5])
    func sessionTimeInRange(t: Double) {
        let out = outcomes(of: "{\"t\":\(JSONText.number(t)),\"type\":\"event\",\"kind\":\"x\"}\n")
        guard case .frame(let frame) = out.first else {
            Issue.record("t = \(t) was refused: \(String(describing: out.first))")
            return
        }
        #expect(frame.t == t)
    }

    @Test("huge measured values are kept as the robot sent them")
    func hugeValuesKept() {
        let out = outcomes(of: "{\"t\":1,\"type\":\"link\",\"rtt_ms\":1e19,\"loss_pct\":-1e300,\"video_fps\":1e300}\n")
        guard case .frame(let frame) = out.first, case .link(let link) = frame.body else {
            Issue.record("not decoded")
            return
        }
        #expect(link.rttMs == 1e19 && link.lossPct == -1e300 && link.videoFps == 1e300)
    }

    @Test("Int(saturating:) never traps and clamps far below Int.max")
    func saturating() {
        #expect(Int(saturating: 1e20) == Int.saturationLimit)
        #expect(Int(saturating: -1e300) == -Int.saturationLimit)
        #expect(Int(saturating: .infinity) == Int.saturationLimit)
        #expect(Int(saturating: .nan) == 0)
        #expect(Int(saturating: 12.9) == 12)
        #expect(Int(saturating: -12.9) == -12)
        // What is left of Int's range covers any later arithmetic on a cell or a count.
        #expect(Int.saturationLimit.multipliedReportingOverflow(by: 1000).overflow == false)
        #expect(Int.max.saturatingAdd(5) == Int.max && Int.min.saturatingAdd(-5) == Int.min)
    }

    @Test("any double prints: huge magnitudes in short scientific form")
    func numberText() {
        #expect(NumberText.fixed(112.44, 1) == "112.4")
        #expect(NumberText.fixed(-0.04, 1) == "0.0")
        #expect(NumberText.fixed(1e19, 1) == "1e19")
        #expect(NumberText.fixed(-1e300, 0) == "-1e300")
        #expect(NumberText.fixed(1.7320508e22, 2) == "1.73e22")
        #expect(NumberText.fixed(9.999e15, 0) == "1e16")
        #expect(NumberText.fixed(.infinity, 1) == "inf")
        #expect(NumberText.fixed(.nan, 1) == "nan")
        #expect(NumberText.trimmed(245, 3) == "245")
        #expect(NumberText.trimmed(1.25, 3) == "1.25")
        #expect(NumberText.trimmed(1e19, 3) == "1e19")
    }
}

@Suite("Text from the wire on its way to a person")
struct WireTextTests {
    @Test("escape sequences go whole: OSC 52 (clipboard), CSI 2J, C1 CSI")
    func escapes() {
        let id = "GH\u{1B}]52;c;UFdORUQ=\u{07}\u{1B}[2J"
        #expect(WireText.sanitize(id) == "GH")
        #expect(WireText.sanitize("a\u{9B}31mb") == "ab")
        #expect(WireText.sanitize("x\u{7F}y\u{85}z") == "xyz")
        #expect(WireText.sanitize("tab\there") == "tab here")
    }

    @Test("sequences are removed whole, as ECMA-48 parses them, and an interrupting ESC starts afresh",
          arguments: [
            ("a\u{1B}(0b", "ab"), ("\u{1B}#8x", "x"), ("\u{1B}\u{1B}[31mz", "z"), ("\u{1B}[31\u{1B}[1mq", "q"),
            ("\u{1B}]0;title\u{1B}Mk", "k"), ("p\u{1B}]0;t\u{1B}\\r", "pr"), ("\u{1B}[?1049h\u{1B}c!", "!"),
            ("\u{1B}P+q\u{9C}ok", "ok"), ("\u{9D}52;c;x\u{07}y", "y"), ("tail\u{1B}", "tail"), ("\u{1B}[", ""),
          ])
    func ecma48(input: String, expected: String) {
        #expect(WireText.sanitize(input) == expected)
    }

    @Test("the table of invisible format characters is Unicode's category Cf (plus U+2028/2029)")
    func formatTable() {
        var mismatches: [UInt32] = []
        for v in UInt32(0)...0x10FFFF {
            guard let s = Unicode.Scalar(v) else { continue }
            let expected = s.properties.generalCategory == .format || v == 0x2028 || v == 0x2029
            if WireText.isInvisibleFormat(s) != expected { mismatches.append(v) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20).map { String($0, radix: 16) })")
    }

    @Test("bidi overrides and isolates, and other invisible format characters, are removed")
    func bidi() {
        for scalar in [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200B, 0x200F, 0xFEFF, 0x061C] {
            let text = "PSM1" + String(Unicode.Scalar(UInt32(scalar))!) + "OK"
            #expect(WireText.sanitize(text) == "PSM1OK", "U+\(String(scalar, radix: 16))")
        }
        #expect(WireText.sanitize("line\u{2028}sep") == "line sep")
        #expect(WireText.sanitize("Straßburg → 東京 ✓") == "Straßburg → 東京 ✓")
    }

    @Test("a decoder error that quotes the wire quotes it clean and short")
    func errorReasonsAreClean() {
        let text = """
        {"t":0,"type":"session","v":1,"id":"S1","arms":[]}
        {"t":1,"type":"arm","arm":"GH\\u001b]52;c;UFdORUQ=\\u0007\\u001b[2J"}
        {"t":1,"type":"arm","arm":"\\u202eKO"}
        {"t":1,"type":"alarm","id":"A","state":"\(String(repeating: "x", count: 5000))"}

        """
        let reasons = outcomes(of: text).compactMap(errorReason)
        #expect(reasons.count == 3)
        for reason in reasons {
            #expect(!reason.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0.value == 0x202E })
            #expect(reason.count < 300)
        }
        #expect(reasons[0].contains("'GH'"))
    }

    @Test("JSON output escapes DEL, C1 controls and bidi overrides instead of emitting them raw")
    func jsonEscapes() {
        let json = "{\"id\":\"a\u{9B}b\u{7F}c\u{202E}d\u{E0041}\"}"
        let out = JSONText.escapingInvisibles(json)
        #expect(out == "{\"id\":\"a\\u009bb\\u007fc\\u202ed\\udb40\\udc41\"}")
        #expect(JSONText.escapingInvisibles("{\"x\":\"plain é\"}") == "{\"x\":\"plain é\"}")
    }
}
