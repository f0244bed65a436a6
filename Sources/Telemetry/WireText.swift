/// Text from outside on its way to a person: the one sanitiser for every screen, status line,
/// report, error message and log that surgtop writes.
public enum WireText {
    /// Removes every C0 and C1 control character and DEL, and with them the whole escape
    /// sequence they start, parsed as ECMA-48 does (ESC + intermediates + final; CSI parameters,
    /// intermediates and final; OSC, DCS, SOS, PM and APC strings up to BEL or ST), so nothing
    /// from telemetry can move the cursor, change colours or character sets, set the title or
    /// write the clipboard (OSC 52). An ESC that interrupts a sequence ends it and starts its
    /// own. Removes invisible format characters too (Unicode category Cf: the bidi overrides
    /// U+202A–U+202E and isolates U+2066–U+2069 that make text read backwards, zero widths, the
    /// BOM). Tabs, newlines and the Unicode line separators become spaces.
    public static func sanitize(_ text: String) -> String {
        // The common case, on the render path for every span: printable ASCII, nothing to do.
        var plain = true
        for byte in text.utf8 where byte < 0x20 || byte >= 0x7F {
            plain = false
            break
        }
        if plain { return text }
        guard text.unicodeScalars.contains(where: needsRemoval) else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            i += 1
            switch s.value {
            case 0x09, 0x0A, 0x0D, 0x2028, 0x2029:
                out.append(" ")
            case 0x1B:
                i = afterEscape(scalars, from: i)
            case 0x9B:
                i = afterCSI(scalars, from: i)
            case 0x90, 0x98, 0x9D, 0x9E, 0x9F:
                i = afterString(scalars, from: i)
            default:
                if !needsRemoval(s) { out.append(s) }
            }
        }
        return String(out)
    }

    /// Wire text quoted in a message about it ('PSM9'): sanitised, and cut to 80 characters so
    /// that a 60 KB name does not become a 60 KB error message.
    public static func quoted(_ text: String) -> String {
        let clean = sanitize(text)
        return "'" + (clean.count > 80 ? clean.prefix(79) + "…" : clean) + "'"
    }

    /// Each line of `text` sanitised, the newlines between them kept: for multi-line output
    /// (reports, help) that quotes the wire.
    public static func sanitizeLines(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsRemoval) else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { sanitize(String($0)) }
            .joined(separator: "\n")
    }

    /// C0 and C1 controls and DEL.
    @inlinable
    public static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (s.value >= 0x7F && s.value <= 0x9F)
    }

    /// Invisible format characters (Unicode category Cf) and the line/paragraph separators.
    /// A table rather than `properties.generalCategory`, which cost a microsecond per
    /// non-ASCII character on the render path; a test checks it against the Unicode data.
    public static func isInvisibleFormat(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0xAD { return false }
        if v == 0xAD { return true }
        if v < 0x0600 { return false }
        for range in formatRanges {
            if v < range.lowerBound { return false }
            if v <= range.upperBound { return true }
        }
        return false
    }

    /// Category Cf above U+00AD, and U+2028/U+2029 (Zl, Zp), in increasing order.
    static let formatRanges: [ClosedRange<UInt32>] = [
        0x0600...0x0605, 0x061C...0x061C, 0x06DD...0x06DD, 0x070F...0x070F, 0x0890...0x0891, 0x08E2...0x08E2,
        0x180E...0x180E, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2064, 0x2066...0x206F, 0xFEFF...0xFEFF,
        0xFFF9...0xFFFB, 0x110BD...0x110BD, 0x110CD...0x110CD, 0x13430...0x1343F, 0x1BCA0...0x1BCA3,
        0x1D173...0x1D17A, 0xE0001...0xE0001, 0xE0020...0xE007F,
    ]

    @inlinable
    static func needsRemoval(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x7F { return s.value < 0x20 }
        return isControl(s) || isInvisibleFormat(s)
    }

    /// After ESC at `i - 1`: the index just past the sequence it starts.
    private static func afterEscape(_ s: [Unicode.Scalar], from start: Int) -> Int {
        guard start < s.count else { return start }
        switch s[start] {
        case "[": return afterCSI(s, from: start + 1)
        case "]", "P", "X", "^", "_": return afterString(s, from: start + 1)
        default:
            // nF: intermediates 0x20–0x2F, then one final byte 0x30–0x7E (ESC ( 0, ESC # 8, ESC c).
            var i = start
            while i < s.count, (0x20...0x2F).contains(s[i].value) { i += 1 }
            if i < s.count, (0x30...0x7E).contains(s[i].value) { return i + 1 }
            return i  // cut short by a control (another ESC starts afresh) or the end
        }
    }

    /// After CSI: parameters 0x30–0x3F, intermediates 0x20–0x2F, one final 0x40–0x7E. A control
    /// inside ends it there and is read again (an ESC starts its own sequence).
    private static func afterCSI(_ s: [Unicode.Scalar], from start: Int) -> Int {
        var i = start
        while i < s.count, (0x30...0x3F).contains(s[i].value) { i += 1 }
        while i < s.count, (0x20...0x2F).contains(s[i].value) { i += 1 }
        if i < s.count, (0x40...0x7E).contains(s[i].value) { return i + 1 }
        return i
    }

    /// After OSC, DCS, SOS, PM or APC: the string runs to BEL, ST (U+009C) or ESC \. Another
    /// ESC ends it and starts its own sequence.
    private static func afterString(_ s: [Unicode.Scalar], from start: Int) -> Int {
        var i = start
        while i < s.count {
            switch s[i].value {
            case 0x07, 0x9C: return i + 1
            case 0x1B: return i + 1 < s.count && s[i + 1] == "\\" ? i + 2 : i
            default: i += 1
            }
        }
        return i
    }
}
