/// What surgtop does with numbers from outside (the wire, a recording, a settings file).
///
/// - A session time `t` beyond ±`Frame.timeLimit` is a bad line (the decoder says why).
/// - Every other number is a finite double of any size and is kept as the robot sent it: a
///   round trip of 1e19 ms is shown and reported as such, never clamped in the state.
/// - Nothing turns such a number into an integer except `Int(saturating:)`, which cannot trap,
///   and nothing formats one except `NumberText`, which prints any double.
extension Frame {
    /// The largest session time accepted, in seconds (about 31.7 years), either side of zero.
    /// Within it, session times and their differences stay exact to well under a microsecond
    /// and fit an `Int` in tenths of a second many times over.
    public static let timeLimit: Double = 1e9
}

extension Int {
    /// Magnitude at which `Int(saturating:)` stops: 2^50 (about 1.1e15). Far above any count or
    /// cell position, and far enough below `Int.max` that a few more integer operations on the
    /// result (× 1000, + a width) cannot overflow either.
    public static let saturationLimit = 1 << 50

    /// `value` rounded toward zero, clamped to ±`saturationLimit`; NaN is 0. How an outside
    /// double becomes an integer (the few plain `Int(_:)` conversions left check the range
    /// first): `Int(_:)` traps beyond `Int`'s range, and a console must never stop on a number.
    @inlinable
    public init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= Double(Int.saturationLimit) {
            self = Int.saturationLimit
        } else if value <= -Double(Int.saturationLimit) {
            self = -Int.saturationLimit
        } else {
            self = Int(value)
        }
    }

    /// `self + other`, stopping at `Int.max` / `Int.min` instead of trapping: for totals of
    /// counts taken from the wire (frames missing in sequence gaps).
    @inlinable
    public func saturatingAdd(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? Int.max : Int.min
    }
}

/// Numbers as text, for screens, logs, alarm messages and reports. Hand-written rather than
/// `String(format:)`, which costs microseconds a call and would dominate a frame. Any double
/// prints: non-finite values as `inf`, `-inf`, `nan`; magnitudes too large for fixed
/// decimals in scientific form with three significant digits (`1e19`, `1.73e22`).
public enum NumberText {
    private static let powers: [Double] = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000,
                                           100_000_000, 1_000_000_000]

    /// `value` with exactly `decimals` digits after the point (0…9): fixed(112.44, 1) = "112.4".
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        let d = min(max(decimals, 0), powers.count - 1)
        let scale = powers[d]
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 1e15 else { return scientific(value) }
        let n = Int(scaled)
        let p = Int(scale)
        var s = value < 0 && n != 0 ? "-" : ""
        s += String(n / p)
        if d > 0 {
            s += "."
            let frac = String(n % p)
            if frac.count < d { s += String(repeating: "0", count: d - frac.count) }
            s += frac
        }
        return s
    }

    /// A magnitude too large for fixed decimals, with three significant digits: "1.73e22".
    static func scientific(_ value: Double) -> String {
        var exponent = Int((Double(abs(value).exponent) * 0.301_029_995_663_981_2).rounded(.down))
        var mantissa = abs(value) / (Double("1e\(exponent)") ?? 1)
        while mantissa >= 10 { mantissa /= 10; exponent += 1 }
        while mantissa < 1, mantissa > 0 { mantissa *= 10; exponent -= 1 }
        var digits = fixed(mantissa, 2)
        if digits == "10.00" { digits = "1"; exponent += 1 }
        while digits.contains("."), digits.hasSuffix("0") { digits.removeLast() }
        if digits.hasSuffix(".") { digits.removeLast() }
        return (value < 0 ? "-" : "") + digits + "e" + String(exponent)
    }

    /// `value` with at most `decimals` decimals, trailing zeros removed: 245 → "245", 1.25 → "1.25".
    public static func trimmed(_ value: Double, _ decimals: Int) -> String {
        var s = fixed(value, decimals)
        if s.contains("."), !s.contains("e") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }
}
