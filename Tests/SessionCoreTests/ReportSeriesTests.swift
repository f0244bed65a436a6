import Testing
import Telemetry
@testable import SessionCore

/// The HTML report's series: bounded whatever the length, spikes kept, breaks where data stopped.
@Suite("Report series")
struct ReportSeriesTests {
    @Test("30 minutes at 500 Hz reduce to at most 2 points per bucket, and a one-sample spike survives")
    func boundedWithSpikes() {
        var series = DownsampledSeries(bucketLimit: 500, breakAfter: 0.25)
        for k in 0..<(1800 * 500) {
            let t = Double(k) / 500
            series.add(t: t, value: k == 400_123 ? 999 : 10 + Double(k % 7))
        }
        let points = series.runs.joined()
        #expect(points.count <= 1000)
        // After the last widening at least half the buckets are in use, each with its minimum and maximum.
        #expect(points.count > 500)
        #expect(points.contains { $0.v == 999 && abs($0.t - 400_123.0 / 500) < 1e-9 }, "the spike keeps its value and time")
        #expect(series.range?.min == 10 && series.range?.max == 999)
        #expect(series.runs.count == 1, "no gap: one unbroken line")
        #expect(zip(points, points.dropFirst()).allSatisfy { $0.t <= $1.t }, "points in time order")
    }

    @Test("samples further apart than breakAfter are drawn as separate runs, never joined")
    func breaks() {
        var series = DownsampledSeries(bucketLimit: 100, breakAfter: 2.5)
        for k in 0...10 { series.add(t: Double(k), value: 1) }
        for k in 20...30 { series.add(t: Double(k), value: 2) }
        #expect(series.runs.count == 2)
        #expect(series.runs[0].last!.t <= 10 && series.runs[1].first!.t >= 20)
    }

    @Test("non-finite times and values are left out; a late sample joins the first bucket")
    func hostileSamples() {
        var series = DownsampledSeries(bucketLimit: 10, breakAfter: 1)
        series.add(t: .nan, value: 1)
        series.add(t: 1, value: .infinity)
        series.add(t: 5, value: 3)
        series.add(t: 2, value: 4)
        #expect(series.samples == 2)
        #expect(series.range?.min == 3 && series.range?.max == 4)
    }

    @Test("link values while the path is down are no measurements; tip speed is path over each 0.1 s")
    func builder() throws {
        var builder = ReportSeriesBuilder()
        builder.add(Frame(t: 0, body: .link(LinkSample(path: "primary", up: true, rttMs: 100))))
        builder.add(Frame(t: 1, body: .link(LinkSample(path: "primary", up: false, rttMs: 5000))))
        builder.add(Frame(t: 2, body: .link(LinkSample(path: "primary", up: true, rttMs: 120))))
        // 100 mm/s along x, sampled at 100 Hz for 1 s.
        for k in 0...100 { builder.add(Frame(t: Double(k) / 100, body: .arm(ArmSample(arm: "PSM1", tip: [Double(k) / 1000, 0, 0])))) }
        let series = builder.finish()
        let rtt = try #require(series.links.first?.rtt.range)
        #expect(rtt.min == 100 && rtt.max == 120)
        let speeds = try #require(series.arms.first?.tipSpeed.runs.joined().map(\.v))
        #expect(speeds.count == 10)
        #expect(speeds.allSatisfy { abs($0 - 100) < 1e-6 })
    }

    @Test("joint-limit proximity is the nearest joint's distance to its limit, % of its range")
    func limitMargin() throws {
        var builder = ReportSeriesBuilder()
        let joints = [JointDescriptor(name: "a", unit: .rad, min: -1, max: 1), JointDescriptor(name: "b", unit: .m, min: 0, max: 0.2)]
        builder.add(Frame(t: 0, body: .session(SessionInfo(id: "S", arms: [ArmDescriptor(id: "PSM1", kind: .psm, joints: joints)]))))
        // a at 0.9: 0.1 of 2 = 5 %; b at 0.1: 50 %. Then b at 0.199: 0.5 %.
        builder.add(Frame(t: 0.1, body: .arm(ArmSample(arm: "PSM1", position: [0.9, 0.1]))))
        builder.add(Frame(t: 0.2, body: .arm(ArmSample(arm: "PSM1", position: [0, 0.199]))))
        let margin = try #require(builder.finish().arms.first?.limitMargin.runs.joined().map(\.v))
        #expect(margin.count == 2)
        #expect(abs(margin[0] - 5) < 1e-9 && abs(margin[1] - 0.5) < 1e-9)
    }

    @Test("the alarm log becomes bars: a raise, an escalation and a clear make two bars; one still raised ends at the last frame")
    func alarmBars() {
        var builder = ReportSeriesBuilder()
        builder.add(Frame(t: 0, body: .event(EventNote(kind: "x"))))
        builder.add([AlarmLogEntry(time: 1, action: .raise, id: "LINK.primary.RTT", origin: .derived, priority: .low, message: ""),
                     AlarmLogEntry(time: 3, action: .escalate, id: "LINK.primary.RTT", origin: .derived, priority: .high, previous: .low, message: ""),
                     AlarmLogEntry(time: 4, action: .clear, id: "LINK.primary.RTT", origin: .derived, message: ""),
                     AlarmLogEntry(time: 5, action: .raise, id: "PSM1.FAULT", origin: .derived, priority: .high, message: "")])
        builder.add(Frame(t: 9, body: .event(EventNote(kind: "x"))))
        let bars = builder.finish().alarmBars
        #expect(bars.map(\.priority) == [.low, .high, .high])
        #expect(bars.map(\.start) == [1, 3, 5])
        #expect(bars.map(\.end) == [3, 4, 9])
    }
}
