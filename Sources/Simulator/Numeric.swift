/// Rounds to a decimal grid (`scale` = 1e6 for micro-units) so that values print short and
/// exactly as decimals. Adding 0 turns a rounded -0 into 0, which would print as "-0".
@inline(__always)
func quantized(_ x: Double, _ scale: Double) -> Double {
    (x * scale).rounded(.toNearestOrEven) / scale + 0.0
}

@inline(__always)
func clamped(_ x: Double, _ lo: Double, _ hi: Double) -> Double {
    x < lo ? lo : (x > hi ? hi : x)
}

/// sin for |x| ≲ 2, within about 1 %: good enough for plausible gravity torques, and far
/// cheaper than libm at several calls per joint per tick.
@inline(__always)
func roughSin(_ x: Double) -> Double {
    let c = clamped(x, -2.5, 2.5)
    let c2 = c * c
    return c * (1 - c2 * (1.0 / 6 - c2 * (1.0 / 120 - c2 / 5040)))
}

/// A smooth sign, for Coulomb friction that does not chatter around zero velocity.
@inline(__always)
func softSign(_ v: Double, _ width: Double) -> Double {
    v / (abs(v) + width)
}
