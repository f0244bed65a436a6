/// Text for a place that shows only ASCII: a terminal without a UTF-8 locale (curses would draw
/// "?" for "≥", or nothing at all), and headless status lines printed to one. Files (the alarm
/// log, reports) stay UTF-8 whatever the locale. Each
/// character beyond ASCII becomes its usual ASCII spelling ("≥" → ">=", "°" → "deg",
/// "é" → "e"); one without a spelling becomes "?", so the text keeps its place.
public enum ASCIIText {
    /// `text` in ASCII. Text from the wire must be sanitised first (`WireText.sanitize`); this
    /// keeps ASCII characters, controls included, as they are.
    public static func transliterate(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            let scalars = character.unicodeScalars
            guard let first = scalars.first else { continue }
            if first.isASCII {
                // A letter with combining marks ("e" + U+0301): the letter.
                out.unicodeScalars.append(first)
            } else if let spelling = spellings[first.value] {
                out += spelling
            } else {
                out += "?"
            }
        }
        return out
    }

    /// The ASCII spelling of each character the console, its messages and units use, and of
    /// the Latin-1 letters of site and surgeon names.
    static let spellings: [UInt32: String] = {
        var table: [UInt32: String] = [
            0x00A0: " ",   // no-break space
            0x00AB: "<<", 0x00BB: ">>",
            0x00B1: "+-", 0x00D7: "x", 0x00F7: "/",
            0x00B0: "deg", 0x00B5: "u", 0x03BC: "u",  // micro sign, Greek mu
            0x00B2: "^2", 0x00B3: "^3", 0x00BD: "1/2",
            0x00B7: ".", 0x2022: "*",
            0x2010: "-", 0x2011: "-", 0x2012: "-", 0x2013: "-", 0x2014: "-", 0x2212: "-",
            0x2018: "'", 0x2019: "'", 0x201C: "\"", 0x201D: "\"",
            0x2026: "...",
            0x2190: "<-", 0x2192: "->", 0x2191: "^", 0x2193: "v", 0x2194: "<->",
            0x21D2: "=>",
            0x2248: "~", 0x2260: "!=", 0x2264: "<=", 0x2265: ">=",
            0x25B2: "^", 0x25BC: "v", 0x25B6: ">", 0x25C0: "<",
            0x2713: "ok", 0x26A1: "!!", 0x03A9: "Ohm", 0x2126: "Ohm",
        ]
        // Latin-1 letters without their accents.
        let letters: [(String, String)] = [
            ("ÀÁÂÃÄÅ", "A"), ("Æ", "AE"), ("Ç", "C"), ("ÈÉÊË", "E"), ("ÌÍÎÏ", "I"), ("Ð", "D"), ("Ñ", "N"),
            ("ÒÓÔÕÖØ", "O"), ("ÙÚÛÜ", "U"), ("Ý", "Y"), ("Þ", "Th"), ("ß", "ss"),
            ("àáâãäå", "a"), ("æ", "ae"), ("ç", "c"), ("èéêë", "e"), ("ìíîï", "i"), ("ð", "d"), ("ñ", "n"),
            ("òóôõöø", "o"), ("ùúûü", "u"), ("ýÿ", "y"), ("þ", "th"),
        ]
        for (accented, plain) in letters {
            for scalar in accented.unicodeScalars { table[scalar.value] = plain }
        }
        return table
    }()
}
