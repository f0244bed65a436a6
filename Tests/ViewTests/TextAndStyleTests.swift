import Testing
@testable import View

@Suite struct TerminalTextTests {
    @Test func sanitiseDropsEscapeSequencesAndControls() {
        #expect(TerminalText.sanitize("a\u{1B}[2J\u{1B}[31mb\u{1B}]0;title\u{7}c\u{7F}d\u{9B}1;2He") == "abcde")
        #expect(TerminalText.sanitize("tab\there\nnew") == "tab here new")
    }

    @Test func fitCutsWithEllipsisAndPads() {
        #expect(TerminalText.fit("LARGE_NEEDLE_DRIVER", width: 8) == "LARGE_N…")
        #expect(TerminalText.fit("abc", width: 6, alignment: .right) == "   abc")
        #expect(TerminalText.fit("abc", width: 6, alignment: .center) == " abc  ")
        #expect(TerminalText.fit("abcdefgh", width: 6, alignment: .left, ellipsis: "~") == "abcde~")
    }

    @Test func emojiPresentationSymbolsAreTwoColumnsWide() {
        #expect(TerminalText.columns(of: "⚡") == 2)
        #expect(TerminalText.columns(of: "⚠\u{FE0F}") == 2)
        #expect(TerminalText.columns(of: "▲") == 1)
        #expect(TerminalText.columns(of: "😀") == 2)
        #expect(TerminalText.columns(of: "🚑") == 2)
    }

    @Test func wideCharactersLeaveAContinuationCell() {
        var b = CellBuffer(width: 6, height: 1)
        b.put("⚡ ON", x: 0, y: 0, width: 6)
        #expect(b[1, 0] == .continuation)
        #expect(b.lines[0] == "⚡ ON ")
    }
}

@Suite struct FormatTests {
    @Test func fixedDecimals() {
        #expect(Format.fixed(112.44, 1) == "112.4")
        #expect(Format.fixed(-0.04, 1) == "0.0")
        #expect(Format.fixed(-17.19, 1) == "-17.2")
        #expect(Format.fixed(3.4, 2) == "3.40")
        #expect(Format.fixed(0.05, 2) == "0.05")
        #expect(Format.fixed(99.96, 1) == "100.0")
        #expect(Format.fixed(.nan, 1) == "nan")
    }

    @Test func clocksAndDurations() {
        #expect(Format.clock(754.36) == "00:12:34.3")
        #expect(Format.clock(3725, tenths: false) == "01:02:05")
        #expect(Format.clock(-3) == "00:00:00.0")
        #expect(Format.duration(3.24) == "3.2 s")
        #expect(Format.duration(34.4) == "34 s")
        #expect(Format.duration(125) == "2m05s")
        #expect(Format.duration(3725) == "1h02m")
    }

    @Test func groupsAndSpeeds() {
        #expect(Format.grouped(9200) == "9,200")
        #expect(Format.grouped(1234567) == "1,234,567")
        #expect(Format.grouped(12) == "12")
        #expect(Format.speed(2) == "2")
        #expect(Format.speed(0.5) == "0.5")
        #expect(Format.speed(0.25) == "0.25")
    }
}

@Suite struct GlyphAndThemeTests {
    @Test func localeDecidesUnicode() {
        #expect(Glyphs.detect(environment: ["LANG": "C.UTF-8"]).unicode)
        #expect(Glyphs.detect(environment: ["LANG": "en_US.utf8"]).unicode)
        #expect(!Glyphs.detect(environment: ["LANG": "C"]).unicode)
        #expect(!Glyphs.detect(environment: ["LC_ALL": "POSIX", "LANG": "C.UTF-8"]).unicode)
        #expect(!Glyphs.detect(environment: [:]).unicode)
    }

    @Test func asciiGlyphsAreAllASCII() {
        let g = Glyphs.ascii
        var text = g.ellipsis + g.up + g.down + g.arrow + g.degree + g.dot + g.times + g.energy + g.play + g.pause
        text += g.plusMinus + String(g.gaugeFull) + String(g.gaugeEighths) + String(g.spark)
        text += String(g.gaugeEmpty) + String(g.separator) + String(g.tick) + g.none
        for set in [g.box, g.focusedBox] {
            text += String([set.horizontal, set.vertical, set.topLeft, set.topRight, set.bottomLeft, set.bottomRight])
        }
        #expect(text.allSatisfy { $0.isASCII })
    }

    @Test func noColorTurnsColoursOff() {
        #expect(!Theme.detect(environment: ["NO_COLOR": "1"]).colors)
        #expect(Theme.detect(environment: ["NO_COLOR": ""]).colors)
        #expect(!Theme.detect(environment: [:], terminalHasColors: false).colors)
    }

    @Test func monochromeKeepsAttributesAndDropsColours() {
        let mono = Theme.monochrome
        for s in Severity.allCases {
            #expect(mono.severity(s).fg == .default && mono.badge(s).fg == .default)
        }
        #expect(mono.severity(.high).attributes.contains(.reverse))
        #expect(mono.critical.attributes.contains(.reverse))
        #expect(mono.mode(.demo).attributes.contains(.reverse))
    }

    @Test func eachModeHasItsOwnColour() {
        let c = Theme.color
        #expect(c.mode(.live).fg == .green)
        #expect(c.mode(.replay).fg == .blue)
        #expect(c.mode(.demo).fg == .magenta)
    }
}
