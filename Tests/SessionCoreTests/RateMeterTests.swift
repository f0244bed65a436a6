import Testing
@testable import SessionCore

/// frames/s is measured over the last second of arrivals: a stream that stops (a dropped
/// connection, a paused replay) shows 0 within about a second, not the rate it had.
@Suite("Frame rate over the last second")
struct RateMeterTests {
    /// 400 frames/s arriving in batches of 20 every 50 ms, from `start` for `seconds`.
    func steady(from start: Double, seconds: Double, into meter: inout RateMeter) {
        var t = start
        while t < start + seconds - 1e-9 {
            meter.record(at: t, count: 20)
            t += 0.05
        }
    }

    @Test("a steady stream reads its rate")
    func steadyRate() {
        var meter = RateMeter()
        steady(from: 100, seconds: 3, into: &meter)
        #expect(abs(meter.rate(at: 102.97) - 400) <= 40)
    }

    @Test("when arrivals stop the rate falls to 0 within about a second")
    func fallsToZero() {
        var meter = RateMeter()
        steady(from: 100, seconds: 3, into: &meter)
        // The last batch arrived at 102.95.
        #expect(meter.rate(at: 103.5) < 400)
        #expect(meter.rate(at: 104.1) == 0, "1.15 s after the last arrival")
        #expect(meter.rate(at: 200) == 0)
    }

    @Test("in the first second it counts what has come so far: it climbs to the rate, never past it")
    func firstSecond() {
        var meter = RateMeter()
        #expect(meter.rate(at: 5) == 0)
        steady(from: 5, seconds: 0.5, into: &meter)
        #expect(abs(meter.rate(at: 5.5) - 200) <= 20)
        steady(from: 5.5, seconds: 0.6, into: &meter)
        #expect(abs(meter.rate(at: 6.1) - 400) <= 40)
    }

    @Test("a rate that drops is followed within a second")
    func follows() {
        var meter = RateMeter()
        steady(from: 0, seconds: 2, into: &meter)
        var t = 2.0
        while t < 4 {
            meter.record(at: t, count: 1)
            t += 0.1
        }
        #expect(abs(meter.rate(at: 3.95) - 10) <= 1)
    }

    @Test("counts from a flood saturate instead of overflowing")
    func hugeCounts() {
        var meter = RateMeter()
        meter.record(at: 1, count: Int.max)
        meter.record(at: 1, count: Int.max)
        #expect(meter.rate(at: 1.5).isFinite)
    }
}
