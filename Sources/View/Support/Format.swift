import Telemetry

/// Number and time formatting for the screen. Hand-written rather than `String(format:)`,
/// which costs microseconds a call and would dominate a frame.
public enum Format {
    /// `value` with exactly `decimals` digits after the point, e.g. fixed(112.44, 1) = "112.4";
    /// any double prints (`NumberText`).
    @inlinable
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        NumberText.fixed(value, decimals)
    }

    /// `value` in another unit (`convert`: metres to millimetres, radians to degrees, linear)
    /// with `decimals` decimals. A value from the wire near the largest double overflows when
    /// converted: its power of ten is worked out apart ("1e311"), never "inf".
    public static func converted(_ value: Double, _ convert: (Double) -> Double, _ decimals: Int) -> String {
        let product = convert(value)
        let factor = convert(1)
        guard !product.isFinite, value.isFinite, factor.isFinite, factor != 0 else { return fixed(product, decimals) }
        // Past 1e15 `NumberText` writes "1.5e308": scale the mantissa, carry into the exponent.
        let text = fixed(value, 0)
        guard let e = text.firstIndex(of: "e"), let mantissa = Double(text[..<e]),
              var exponent = Int(text[text.index(after: e)...]) else { return text }
        var m = mantissa * factor
        while abs(m) >= 10 { m /= 10; exponent += 1 }
        return NumberText.trimmed(m, 2) + "e" + String(exponent)
    }

    /// A value with decimals chosen for its size: 3 significant-ish digits, at most `maxDecimals`.
    public static func adaptive(_ value: Double, maxDecimals: Int = 1) -> String {
        let a = abs(value)
        if a >= 100 || maxDecimals == 0 { return fixed(value, 0) }
        if a >= 10 { return fixed(value, min(1, maxDecimals)) }
        return fixed(value, maxDecimals)
    }

    /// A playback speed without useless zeros: "2", "0.5", "0.25".
    public static func speed(_ value: Double) -> String {
        NumberText.trimmed(value, 2)
    }

    /// Two digits with a leading zero.
    public static func pad2(_ n: Int) -> String {
        n < 10 ? "0" + String(n) : String(n)
    }

    /// Session time as HH:MM:SS.s (tenths optional). Negative times show as 00:00:00.
    public static func clock(_ seconds: Double, tenths: Bool = true) -> String {
        let s = seconds.isFinite ? max(0, seconds) : 0
        let totalTenths = Int(saturating: (s * 10).rounded(.down))
        let whole = totalTenths / 10
        var out = pad2(whole / 3600) + ":" + pad2((whole / 60) % 60) + ":" + pad2(whole % 60)
        if tenths { out += "." + String(totalTenths % 10) }
        return out
    }

    /// A short duration: "0.4 s", "34 s", "2m05s", "1h02m".
    public static func duration(_ seconds: Double) -> String {
        let s = seconds.isFinite ? max(0, seconds) : 0
        if s < 10 { return fixed(s, 1) + " s" }
        if s < 60 { return fixed(s, 0) + " s" }
        let whole = Int(saturating: s)
        if whole < 3600 { return String(whole / 60) + "m" + pad2(whole % 60) + "s" }
        return String(whole / 3600) + "h" + pad2((whole / 60) % 60) + "m"
    }

    /// A measured value rounded to a whole number with thousands separators (9200.4 → "9,200");
    /// beyond 1e15, or not finite, as `NumberText` prints it ("1e19"), never a clamped number.
    public static func grouped(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return NumberText.fixed(value, 0) }
        return grouped(Int(value.rounded()))
    }

    /// An integer with thousands separators: 9200 → "9,200".
    public static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }
}
