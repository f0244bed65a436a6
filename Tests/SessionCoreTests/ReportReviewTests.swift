import Foundation
import Testing
import Telemetry
@testable import SessionCore

/// The HTML report's review: ratios that overflow, alarms raised and cleared by a `sync` frame,
/// the plots' memory on a hostile recording, a baseline beside a trainee with nothing to score,
/// and value axes near the largest double.
@Suite("report --html: review findings")
struct ReportReviewTests {
    // MARK: ratio and difference

    @Test("a ratio or a difference that overflows is no value (JSON can hold the comparison)")
    func overflowingComparison() throws {
        let tinyBaseline = SkillComparison.Value(1_000, 1e-306, ratio: true)
        #expect(tinyBaseline.ratio == nil)
        #expect(tinyBaseline.difference == 1_000 - 1e-306)
        let huge = SkillComparison.Value(1.7e308, -1.7e308, ratio: false)
        #expect(huge.difference == nil)
        let plain = SkillComparison.Value(3, 2, ratio: true)
        #expect(plain.ratio == 1.5 && plain.difference == 1)
        let json = String(decoding: try JSONEncoder().encode([tinyBaseline, huge]), as: UTF8.self)
        #expect(!json.contains("ratio"))
    }

    // MARK: alarms changed by a sync frame

    static func robotAlarm(_ id: String, _ priority: AlarmPriority) -> Frame.Body {
        .alarm(AlarmReport(id: id, state: .raised, priority: priority, source: "PSM1", message: "\(id) message"))
    }

    static func sync(_ alarms: [(String, AlarmPriority)]) -> Frame.Body {
        .sync(SyncSnapshot(alarms: alarms.map { AlarmReport(id: $0.0, state: .raised, priority: $0.1) }, instruments: nil))
    }

    /// The alarm bars of a session fed frame by frame, as `report` does.
    static func bars(_ frames: [Frame]) -> [ReportSeries.AlarmBar] {
        var series = ReportSeriesBuilder()
        var engine = AlarmEngine(settings: .defaults)
        var state = SessionState()
        for frame in frames {
            series.add(frame)
            state.apply(frame, arrival: frame.t)
            engine.evaluate(state, time: state.sessionTime, arrivalNow: state.sessionTime, sourceIsLive: false)
            series.add(engine.drainLog())
        }
        return series.finish().alarmBars
    }

    @Test("an alarm raised by a sync has its bar from the sync; one cleared by a later sync ends there")
    func syncRaisesAndClears() {
        let bars = Self.bars([
            Frame(t: 0, body: .session(SessionInfo(id: "S", arms: []))),
            Frame(t: 1, body: Self.sync([("ECM.FAULT", .medium)])),
            Frame(t: 2, body: Self.robotAlarm("PSM1.COLLISION", .high)),
            Frame(t: 5, body: Self.sync([])),
            Frame(t: 9, body: .event(EventNote(kind: "note"))),
        ])
        #expect(bars.map(\.id) == ["ECM.FAULT", "PSM1.COLLISION"], "\(bars)")
        #expect(bars.map(\.start) == [1, 2])
        #expect(bars.map(\.end) == [5, 5], "cleared by the sync at 5 s, not running to the end")
    }

    @Test("a sync that confirms an alarm already raised leaves its bar whole")
    func syncConfirms() {
        let bars = Self.bars([
            Frame(t: 0, body: .session(SessionInfo(id: "S", arms: []))),
            Frame(t: 1, body: Self.robotAlarm("PSM1.COLLISION", .medium)),
            Frame(t: 3, body: Self.sync([("PSM1.COLLISION", .medium)])),
            Frame(t: 4, body: Self.sync([("PSM1.COLLISION", .high)])),
            Frame(t: 8, body: .event(EventNote(kind: "note"))),
        ])
        #expect(bars.map(\.priority) == [.medium, .high], "\(bars)")
        #expect(bars.map(\.start) == [1, 4] && bars.map(\.end) == [4, 8])
    }

    // MARK: memory and page on a hostile recording

    @Test("a series holds only the buckets up to its last sample, never more than its limit")
    func lazyBuckets() {
        var series = DownsampledSeries(bucketLimit: 500, breakAfter: 1)
        series.add(t: 0, value: 1)
        #expect(series.bucketCount == 1)
        series.add(t: 0.0105, value: 2)  // the 11th millisecond
        #expect(series.bucketCount == 11)
        for k in 0..<20_000 { series.add(t: Double(k) * 0.01, value: Double(k % 7)) }
        #expect(series.bucketCount <= 500)
        #expect(series.runs.joined().count <= 1_000)
    }

    @Test("a session inventing 32 arms and 8 paths, a sample each, collects a few buckets for a few of them")
    func boundedBuilder() {
        var builder = ReportSeriesBuilder()
        builder.add(Frame(t: 0, body: .session(SessionInfo(id: "S", arms: []))))
        for k in 0..<32 {
            builder.add(Frame(t: 0.1, body: .arm(ArmSample(arm: "ARM\(k)", tip: [0, 0, 0]))))
            builder.add(Frame(t: 0.3, body: .arm(ArmSample(arm: "ARM\(k)", tip: [0.01, 0, 0]))))
        }
        for k in 0..<8 { builder.add(Frame(t: 0.2, body: .link(LinkSample(path: "P\(k)", up: true, rttMs: 80, jitterMs: 2, lossPct: 0)))) }
        let series = builder.finish()
        #expect(series.arms.count == builder.armLimit && series.moreArms)
        #expect(series.links.count == builder.pathLimit && series.morePaths)
        #expect(series.bucketCount <= 3 * builder.pathLimit + 2 * builder.armLimit, "\(series.bucketCount) buckets")
        let html = ReportHTMLTests.page([Frame(t: 0, body: .session(SessionInfo(id: "S", arms: [])))]
            + (0..<32).map { Frame(t: 0.1, body: .arm(ArmSample(arm: "ARM\($0)", tip: [0, 0, 0]))) })
        #expect(html.contains("Arms after the first \(builder.armLimit) are not plotted."))
    }

    // MARK: scorecard

    @Test("the baseline comparison is on the page when the trainee has nothing to score")
    func baselineWithoutTraineeSkills() {
        let frames = [Frame(t: 0, body: .session(SessionInfo(id: "T", arms: []))),
                      Frame(t: 10, body: .link(LinkSample(path: "primary", up: true, rttMs: 80)))]
        let html = ReportHTMLTests.page(frames, baseline: SkillComparisonTests.comparison)
        #expect(html.contains("Beside the baseline expert.ndjson (session E1)"))
        #expect(!html.contains("nothing to score"))
    }

    // MARK: value axis

    static func plot(_ values: [Double]) -> String {
        ReportSVG.render(.init(title: "t", unit: "u", start: 0, end: Double(values.count),
                               lines: [.init(label: "", colour: 0, runs: [values.enumerated().map { SeriesPoint(t: Double($0.offset), v: $0.element) }])]))
    }

    /// The value axis' labels, in order.
    static func tickLabels(_ svg: String) -> [String] {
        svg.components(separatedBy: "<text class=\"ytick\"").dropFirst().compactMap {
            $0.split(separator: ">", maxSplits: 1).last?.split(separator: "<").first.map(String.init)
        }
    }

    @Test("ticks of a huge range are a few distinct round values, from the exponent")
    func hugeTicks() {
        for (low, high) in [(-8e307, 8e307), (0.0, 1e308), (0, 2.5e-9), (-3.0, 7.0)] {
            let ticks = ReportSVG.niceTicks(low, high)
            #expect(ticks.count >= 3 && ticks.count <= 12, "\(low)…\(high): \(ticks)")
            #expect(Set(ticks).count == ticks.count && ticks.allSatisfy(\.isFinite))
            #expect(ticks.first! <= low + (high - low) / 4 && ticks.last! >= high - (high - low) / 4, "\(low)…\(high): \(ticks)")
        }
        let labels = Self.tickLabels(Self.plot([-8e307, 8e307]))
        #expect(labels.count >= 3 && Set(labels).count == labels.count, "\(labels)")
    }

    @Test("values a plot cannot scale are said to be out of range, not clamped into a made-up axis")
    func outOfRange() {
        let big = Self.plot([0, 1e308])
        #expect(big.contains("<polyline") && !big.contains("out of plotting range"))
        #expect(Self.tickLabels(big).contains("1e308"), "\(Self.tickLabels(big))")
        let extreme = Self.plot([-1.7e308, 1.7e308])
        #expect(extreme.contains("values out of plotting range"))
        #expect(!extreme.contains("<polyline"))
    }
}
