import Telemetry

/// Where text sits in a field wider than itself.
public enum TextAlignment: Sendable, Equatable {
    case left, right, center
}

/// Text on its way to the terminal: sanitising what came from the wire, measuring and cutting.
public enum TerminalText {
    /// Text from the wire made safe to draw: `WireText.sanitize`, the one sanitiser that every
    /// screen, report and log uses.
    @inlinable
    public static func sanitize(_ text: String) -> String {
        WireText.sanitize(text)
    }

    /// Columns a character takes: 2 for East Asian wide and emoji, 0 for controls, else 1.
    public static func columns(of ch: Character) -> Int {
        let scalars = ch.unicodeScalars
        guard let first = scalars.first else { return 0 }
        let v = first.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if v < 0x1100 { return 1 }
        // A text-style symbol followed by VARIATION SELECTOR-16 is drawn as a wide emoji.
        if scalars.count > 1, scalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        if (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F1E6...0x1F1FF).contains(v) || (0x1F300...0x1F64F).contains(v)
            || (0x1F680...0x1F6FF).contains(v) || (0x1F900...0x1F9FF).contains(v) || (0x1FA70...0x1FAFF).contains(v)
            || (0x20000...0x3FFFD).contains(v) {
            return 2
        }
        if v >= 0x231A && v <= 0x2B55 { return wideSymbols.contains(v) ? 2 : 1 }
        return 1
    }

    /// Symbols below U+2E80 that Unicode gives emoji presentation (East Asian Width W), such as
    /// ⚡ U+26A1: terminals draw them two columns wide.
    private static let wideSymbols: Set<UInt32> = {
        var set = Set<UInt32>()
        let ranges: [ClosedRange<UInt32>] = [
            0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
            0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693,
            0x26A1...0x26A1, 0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE,
            0x26D4...0x26D4, 0x26EA...0x26EA, 0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA,
            0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B, 0x2728...0x2728, 0x274C...0x274C,
            0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797, 0x27B0...0x27B0,
            0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55,
        ]
        for r in ranges { for v in r { set.insert(v) } }
        return set
    }()

    /// Columns a string takes.
    public static func columns(of text: String) -> Int {
        text.reduce(0) { $0 + columns(of: $1) }
    }

    /// Sanitises, cuts to `width` columns and pads with spaces to exactly `width` columns,
    /// placed as `alignment` says (for table cells and right-aligned numbers).
    public static func fit(_ text: String, width: Int, alignment: TextAlignment, ellipsis: String = "…") -> String {
        let cut = fit(text, width: width, ellipsis: ellipsis)
        let free = width - columns(of: cut)
        guard free > 0 else { return cut }
        switch alignment {
        case .left: return cut + String(repeating: " ", count: free)
        case .right: return String(repeating: " ", count: free) + cut
        case .center:
            let left = free / 2
            return String(repeating: " ", count: left) + cut + String(repeating: " ", count: free - left)
        }
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
