import SystemCalls

/// SplitMix64: turns one seed into well-mixed words to fill a larger generator's state (and gives
/// tests a small seeded generator of their own).
public struct SplitMix64 {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** (Blackman & Vigna): small, fast and reproducible on every platform.
/// The standard library's random APIs are avoided on purpose: their algorithms may change
/// between toolchains, and a seed must give the same session forever.
struct Xoshiro256: Sendable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator for one independent part of the simulation (`stream`), so that e.g. the
    /// network model draws the same numbers whatever the arm rate is.
    init(seed: UInt64, stream: UInt64) {
        var mix = SplitMix64(state: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        s0 = mix.next()
        s1 = mix.next()
        s2 = mix.next()
        s3 = mix.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always)
    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 &- k))
    }

    /// Uniform in [0, 1).
    @inline(__always)
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * unit()
    }

    /// Triangular noise in (-1, 1), peaked at 0: two uniforms from one draw, no transcendental.
    @inline(__always)
    mutating func wobble() -> Double {
        let word = next()
        let a = Double(word >> 32) * 0x1p-32
        let b = Double(word & 0xFFFF_FFFF) * 0x1p-32
        return a + b - 1
    }

    /// Standard normal (Box–Muller). Only used at network-sample and waypoint rate.
    mutating func normal() -> Double {
        let u1 = 1 - unit()  // (0, 1]: log stays finite
        let u2 = unit()
        return (-2 * Math.log(u1)).squareRoot() * Math.cos(2 * Double.pi * u2)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool {
        unit() < p
    }

    /// An index in 0..<n (n > 0), by multiply-high so every index is equally likely enough.
    mutating func index(_ n: Int) -> Int {
        Int(((next() >> 32) &* UInt64(n)) >> 32)
    }

    /// Milliseconds uniformly in [lo, hi] seconds, for scheduling on the script's 1 ms grid.
    mutating func millis(_ lo: Double, _ hi: Double) -> Int {
        Int((uniform(lo, hi) * 1000).rounded(.down))
    }
}
