import Testing
import Simulator
import Telemetry
@testable import SessionCore

/// The exact nearest-rank percentile of `values`, as a sort of every sample gives it.
func exactPercentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    let index = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(sorted.count - 1, max(0, index))]
}

/// The error `ValueDistribution` promises (README "Percentiles"): half a histogram bucket
/// (1/2048 of the value with 3 significant digits, 1/256 with 2) plus the rounding to thousandths.
func allowedError(_ exact: Double, significantDigits: Int) -> Double {
    abs(exact) / (significantDigits >= 3 ? 2048 : 256) + 0.0005 + 1e-12
}

@Suite("Session percentiles in bounded memory")
struct ValueDistributionTests {
    @Test("up to its limit of distinct values the percentiles are exact, as a sort of every sample gives them")
    func exactWhileSmall() {
        var rng = SplitMix64(state: 11)
        var d = ValueDistribution()
        var values: [Double] = []
        for _ in 0..<d.distinctLimit {
            let v = rng.uniform() * 300
            values.append(v)
            d.record(v)
        }
        for p in [0.0, 1, 50, 95, 99, 100] { #expect(d.value(atPercentile: p) == exactPercentile(values, p)) }
        #expect(d.max == values.max())
    }

    @Test("past its limit, on random data, each percentile is within the stated error", arguments: [3, 2])
    func withinTheStatedError(digits: Int) {
        var rng = SplitMix64(state: UInt64(digits))
        var d = ValueDistribution(significantDigits: digits)
        var values: [Double] = []
        for k in 0..<50_000 {
            // A round trip with a long tail, spikes, and a stretch near zero.
            let v = k % 997 == 0 ? 4000 * rng.uniform() : (k % 5 == 0 ? rng.uniform() : 40 + 80 * rng.uniform() * rng.uniform())
            values.append(v)
            d.record(v)
        }
        #expect(d.count == values.count)
        for p in [1.0, 10, 50, 90, 95, 99, 99.9] {
            let exact = exactPercentile(values, p)
            let got = d.value(atPercentile: p)!
            #expect(abs(got - exact) <= allowedError(exact, significantDigits: digits), "p\(p): \(got) against \(exact)")
        }
        #expect(d.max == values.max(), "the max is exact")
        let mean = values.reduce(0, +) / Double(values.count)
        #expect(abs(d.mean! - mean) <= 1e-9 * mean, "the mean is exact but for rounding")
    }

    @Test("hostile values neither trap nor grow it: negative, huge, the largest double; non-finite left out")
    func hostileValues() {
        var d = ValueDistribution()
        for k in 0..<3000 { d.record(Double(k % 10)) }
        let hostile = [-5.0, -Double.greatestFiniteMagnitude, 1e300, Double.greatestFiniteMagnitude, 9.3e18, .nan, .infinity, -.infinity]
        for v in hostile { d.record(v) }
        #expect(d.count == 3000 + 5, "NaN and infinities are no measurements")
        #expect(d.max == .greatestFiniteMagnitude)
        #expect(d.min == -.greatestFiniteMagnitude)
        #expect(d.mean!.isFinite, "the sum is scaled: even the largest doubles add up without overflowing")
        let p50 = d.value(atPercentile: 50)!
        #expect(abs(p50 - 5) <= allowedError(5, significantDigits: 3), "negative values count as 0, the huge ones as the largest")
        #expect(d.value(atPercentile: 100)! <= d.max)
        #expect(d.value(atPercentile: 0)! >= d.min)
        #expect(ValueDistribution.units(-1) == 0)
        #expect(ValueDistribution.units(.greatestFiniteMagnitude) == UInt64(ValueDistribution.largestUnits))
    }

    @Test("merging two distributions gives what recording every sample in one would")
    func merges() {
        var rng = SplitMix64(state: 5)
        var a = ValueDistribution(), b = ValueDistribution(), both = ValueDistribution()
        var values: [Double] = []
        for k in 0..<6000 {
            let v = 20 + 200 * rng.uniform()
            values.append(v)
            if k < 2500 { a.record(v) } else { b.record(v) }
            both.record(v)
        }
        var small = ValueDistribution()
        small.record(7)
        a.merge(b)
        a.merge(small)
        both.record(7)
        values.append(7)
        #expect(a.count == both.count)
        #expect(a.max == both.max && a.min == both.min)
        for p in [50.0, 95, 99] {
            #expect(a.value(atPercentile: p) == both.value(atPercentile: p))
            let exact = exactPercentile(values, p)
            #expect(abs(a.value(atPercentile: p)! - exact) <= allowedError(exact, significantDigits: 3))
        }
        #expect(abs(a.mean! - both.mean!) <= 1e-12 * both.mean!)
    }

    @Test("a long session of wire values at 0.1 resolution: every percentile is a sample, equal to a full sort's")
    func longSessionStaysExact() {
        var rng = SplitMix64(state: 21)
        var d = ValueDistribution()
        var values: [Double] = []
        for k in 0..<100_000 {
            // Round trips in tenths of a ms with a tail, as a gateway sends them (at most 4,000 distinct).
            let tenths = k % 500 == 0 ? 3000 + Int(rng.uniform() * 1000) : 400 + Int(rng.uniform() * rng.uniform() * 800)
            let v = Double(tenths) / 10
            values.append(v)
            d.record(v)
        }
        #expect(!d.usesHistogram)
        for p in [0.0, 1, 50, 90, 95, 99, 99.9, 100] {
            #expect(d.value(atPercentile: p) == exactPercentile(values, p), "p\(p)")
        }
    }

    @Test("a hostile metric, thousands of distinct values up to the clamp, stays under 100 KB")
    func boundedMemory() {
        for digits in [3, 2] {
            var d = ValueDistribution(significantDigits: digits)
            for k in 0..<(d.distinctLimit + 10) { d.record(Double(k) * 0.37) }
            d.record(1e9)
            d.record(.greatestFiniteMagnitude)
            #expect(d.usesHistogram)
            #expect(d.percentileBytes <= 100_000, "\(digits) digits: \(d.percentileBytes) bytes")
            #expect(abs(d.value(atPercentile: 100)! - 1e6) <= allowedError(1e6, significantDigits: digits), "the clamp")
        }
    }

    @Test("a histogram bucket saturates at the largest count rather than wrap")
    func countsSaturate() {
        var storage = ValueDistribution.Storage(significantDigits: 3)
        storage.record(5000, count: UInt64(UInt32.max) - 1)
        storage.record(5000, count: 3)
        storage.record(5000, count: UInt64.max)
        #expect(storage.histogram.countForValue(5000) == UInt32.max)
        storage.record(2_000_000, count: 1)
        #expect(storage.histogram.countForValue(2_000_000) == 1, "other buckets still count")
    }

    @Test("distributions of different significant digits merge without trapping, at the coarser precision")
    func mergesAcrossDigits() {
        var rng = SplitMix64(state: 9)
        var fine = ValueDistribution(significantDigits: 3), coarse = ValueDistribution(significantDigits: 2)
        var values: [Double] = []
        for k in 0..<20_000 {
            let v = 10 + 100 * rng.uniform()
            values.append(v)
            if k % 2 == 0 { fine.record(v) } else { coarse.record(v) }
        }
        #expect(fine.usesHistogram && coarse.usesHistogram)
        var both = fine
        both.merge(coarse)
        var other = coarse
        other.merge(fine)
        for d in [both, other] {
            #expect(d.count == values.count && d.max == values.max() && d.min == values.min())
            for p in [50.0, 95, 99] {
                let exact = exactPercentile(values, p)
                #expect(abs(d.value(atPercentile: p)! - exact) <= 2 * allowedError(exact, significantDigits: 2))
            }
        }
    }

    @Test("the state's percentiles are read again at most every few seconds of session time")
    func sessionPercentilesRefresh() {
        let every = SessionPercentiles.refreshSeconds
        var kept = SessionPercentiles()
        #expect(kept.figures == nil)
        kept.record(10, at: 0)
        #expect(kept.figures?.p50 == 10 && kept.figures?.samples == 1, "the first sample shows at once")
        kept.record(30, at: every / 2)
        kept.record(30, at: every * 0.9)
        #expect(kept.figures?.samples == 1, "within the interval, the figures stand")
        kept.record(30, at: every)
        #expect(kept.figures == .init(p50: 30, p95: 30, p99: 30, samples: 4))
    }
}

@Suite("Report link statistics against an exact reference")
struct ReportPercentilesGoldenTests {
    @Test("a file naming ever more link paths: the first 32 are described, the rest counted")
    func linkPathsCapped() {
        var builder = SessionReportBuilder()
        let paths = SessionReportBuilder.linkPathLimit + 8
        for k in 0..<(paths * 3) {
            let path = "path-\(k % paths)"
            builder.add(Frame(t: Double(k), body: .link(LinkSample(path: path, rttMs: Double(k)))))
        }
        let report = builder.finish()
        #expect(report.links.map(\.path) == (0..<SessionReportBuilder.linkPathLimit).map { "path-\($0)" })
        #expect(report.links.allSatisfy { $0.samples == 3 && $0.rttMs != nil })
        #expect(report.linksLeftOut == .init(paths: 8, frames: 24))
        #expect(ReportText.render(report, file: "hostile.ndjson").contains("24 link frames of 8 more paths left out"))
    }

    @Test("a simulated session's report: every link percentile equal to a sort's, max exact, mean to rounding")
    func linkStatisticsMatchTheExactReference() {
        // Ten minutes at 10 Hz: 6,000 samples per path, past the exact limit, so the histogram answers.
        var sim = SessionSimulator(options: SimulatorOptions(seed: 4, armRateHz: 5, linkRateHz: 10))
        var builder = SessionReportBuilder()
        var values: [String: [LinkMetric: [Double]]] = [:]
        var down: Set<String> = []
        while true {
            let frame = sim.next()
            if frame.t > 600 { break }
            builder.add(frame)
            guard case .link(let sample) = frame.body else { continue }
            if let up = sample.up { if up { down.remove(sample.path) } else { down.insert(sample.path) } }
            guard !down.contains(sample.path) else { continue }
            for metric in LinkMetric.allCases {
                if let v = metric.value(in: sample) { values[sample.path, default: [:]][metric, default: []].append(v) }
            }
        }
        let report = builder.finish()
        #expect(!report.links.isEmpty)
        for link in report.links {
            let stats: [(LinkMetric, SessionReport.Stat?)] = [(.rtt, link.rttMs), (.jitter, link.jitterMs), (.loss, link.lossPct),
                                                              (.bandwidth, link.bandwidthMbps), (.videoFps, link.videoFps),
                                                              (.videoDelay, link.videoDelayMs)]
            for (metric, stat) in stats {
                let reference = values[link.path]?[metric] ?? []
                guard let stat else {
                    #expect(reference.isEmpty, "\(link.path) \(metric) has samples but no statistics")
                    continue
                }
                #expect(reference.count > ValueDistribution.exactLimitOfReport || metric == .videoDelay)
                for (p, got) in [(50.0, stat.p50), (95, stat.p95), (99, stat.p99)] {
                    let exact = exactPercentile(reference, p)
                    // The simulator's values take fewer distinct values than the limit: exact, a sample.
                    #expect(got == exact, "\(link.path) \(metric) p\(p): \(got) against \(exact)")
                }
                #expect(stat.max == reference.max())
                let mean = reference.sorted().reduce(0, +) / Double(reference.count)
                #expect(abs(stat.mean - mean) <= 1e-12 * max(1, abs(mean)))
            }
        }
    }
}

extension ValueDistribution {
    static var exactLimitOfReport: Int { ValueDistribution().distinctLimit }
}

extension SplitMix64 {
    /// In [0, 1): the tests' random data.
    mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }
}
