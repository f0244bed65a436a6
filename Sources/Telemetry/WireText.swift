/// Text from outside on its way to a person: the one sanitiser for every screen, status line,
/// report, error message and log that surgtop writes.
public enum WireText {
    /// Removes every C0 and C1 control character and DEL, and with them any escape sequence
    /// they would start (CSI …final, OSC/DCS/SOS/PM/APC … BEL or ST), so nothing from
    /// telemetry can move the cursor, change colours, set the title or write the clipboard
    /// (OSC 52). Removes invisible format characters too (Unicode category Cf: the bidi
    /// overrides U+202A–U+202E and isolates U+2066–U+2069 that make text read backwards, zero
    /// widths, the BOM). Tabs, newlines and the Unicode line separators become spaces.
    public static func sanitize(_ text: String) -> String {
        var needsWork = false
        for scalar in text.unicodeScalars where needsRemoval(scalar) {
            needsWork = true
            break
        }
        guard needsWork else { return text }
        var out = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        while let s = scalars.next() {
            switch s.value {
            case 0x09, 0x0A, 0x0D, 0x2028, 0x2029:
                out.append(" ")
            case 0x1B:
                skipEscape(&scalars)
            case 0x9B:
                skipCSI(&scalars)
            case 0x9D, 0x90, 0x98, 0x9E, 0x9F:
                skipString(&scalars)
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

    /// Invisible format characters (category Cf) and the line/paragraph separators.
    public static func isInvisibleFormat(_ s: Unicode.Scalar) -> Bool {
        guard s.value >= 0xAD else { return false }
        if s.value == 0x2028 || s.value == 0x2029 { return true }
        return s.properties.generalCategory == .format
    }

    @inlinable
    static func needsRemoval(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x7F { return s.value < 0x20 }
        return isControl(s) || isInvisibleFormat(s)
    }

    private static func skipEscape(_ it: inout String.UnicodeScalarView.Iterator) {
        guard let next = it.next() else { return }
        switch next {
        case "[": skipCSI(&it)
        case "]", "P", "X", "^", "_": skipString(&it)
        default: return
        }
    }

    private static func skipCSI(_ it: inout String.UnicodeScalarView.Iterator) {
        while let c = it.next() {
            if c.value >= 0x40 && c.value <= 0x7E { return }
            if isControl(c) { return }
        }
    }

    private static func skipString(_ it: inout String.UnicodeScalarView.Iterator) {
        while let c = it.next() {
            if c.value == 0x07 || c.value == 0x9C { return }
            if c.value == 0x1B {
                _ = it.next()
                return
            }
        }
    }
}
