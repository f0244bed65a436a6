/// Text on its way to the terminal: sanitising what came from the wire, measuring and cutting.
public enum TerminalText {
    /// Removes every C0 and C1 control character and DEL, and with them any escape sequence
    /// they would start, so nothing from telemetry can move the cursor, change colours or set
    /// the title. Tabs and newlines become spaces.
    public static func sanitize(_ text: String) -> String {
        var needsWork = false
        for scalar in text.unicodeScalars where isControl(scalar) || scalar.value == 0x09 {
            needsWork = true
            break
        }
        guard needsWork else { return text }
        var out = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        while let s = scalars.next() {
            switch s.value {
            case 0x09, 0x0A, 0x0D:
                out.append(" ")
            case 0x1B:
                // ESC: drop the whole sequence it introduces (CSI …final, OSC …BEL/ST, or one char).
                skipEscape(&scalars)
            case 0x9B:
                skipCSI(&scalars)
            case 0x9D, 0x90, 0x98, 0x9E, 0x9F:
                skipString(&scalars)
            default:
                if !isControl(s) { out.append(s) }
            }
        }
        return String(out)
    }

    static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (s.value >= 0x7F && s.value <= 0x9F)
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

    /// Columns a character takes: 2 for East Asian wide and emoji, 0 for controls, else 1.
    public static func columns(of ch: Character) -> Int {
        guard let first = ch.unicodeScalars.first else { return 0 }
        let v = first.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if v < 0x1100 { return 1 }
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v) || (0x1F900...0x1F9FF).contains(v)
            || (0x20000...0x3FFFD).contains(v) {
            return 2
        }
        return 1
    }

    /// Columns a string takes.
    public static func columns(of text: String) -> Int {
        text.reduce(0) { $0 + columns(of: $1) }
    }

    /// Sanitises and cuts to `width` columns, ending with an ellipsis when something was cut.
    public static func fit(_ text: String, width: Int, ellipsis: String = "…") -> String {
        let clean = sanitize(text)
        guard width > 0 else { return "" }
        if columns(of: clean) <= width { return clean }
        let room = width - columns(of: ellipsis)
        guard room > 0 else { return String(ellipsis.prefix(width)) }
        var out = ""
        var used = 0
        for ch in clean {
            let w = columns(of: ch)
            if used + w > room { break }
            out.append(ch)
            used += w
        }
        return out + ellipsis
    }
}
