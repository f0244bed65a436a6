import Foundation
import SessionCore
import Telemetry
import Testing
@testable import View

/// Settings other than the defaults at every threshold the screen colours by, so a colour
/// hard-coded to the defaults (or to thresholds of its own) fails.
private let otherSettings: AlarmSettings = {
    var s = AlarmSettings()
    s.rttMs = .init(low: 40, medium: 60, high: 80)
    s.jitterMs = .init(low: 2, medium: 4, high: 6)
    s.lossPct = .init(low: 0.1, medium: 0.2, high: 0.4)
    s.videoFpsBelow = 50
    s.nearLimitPct = 20
    s.atLimitPct = 10
    s.effortPct = 50
    return s
}()

private let bothSettings = [AlarmSettings.defaults, otherSettings]

/// The alarm list's colour for a priority (what the value on screen must share); a value whose
/// condition does not hold is drawn in the default colour.
private func alarmColour(_ priority: AlarmPriority?) -> Color {
    priority.map { Theme.color.alarm($0, acknowledged: false).fg } ?? .default
}

/// A session and the alarm engine fed together as the console feeds them: the engine evaluated
/// after every frame at its session time. The screen is drawn with the engine's settings.
private struct EngineAndScreen {
    static let arm = ArmDescriptor(id: "PSM1", kind: .psm, joints: [
        JointDescriptor(name: "yaw", unit: .rad, min: -1, max: 1, effortMax: 10),
    ])

    let settings: AlarmSettings
    var builder = SessionBuilder()
    var engine: AlarmEngine

    init(_ settings: AlarmSettings) {
        self.settings = settings
        engine = AlarmEngine(settings: settings)
        builder.session([Self.arm])
    }

    /// `body` every 0.1 s for `seconds`, well past the sustain time, so the alarm has raised.
    mutating func hold(_ body: Frame.Body, seconds: Double = 3) {
        for k in 0...Int((seconds * 10).rounded()) {
            let t = 1 + Double(k) / 10
            builder.apply(t, body)
            engine.evaluate(builder.state, time: t, arrivalNow: builder.lastArrival, sourceIsLive: false)
        }
    }

    /// The priority the engine lists `id` at (nil: not listed).
    func raised(_ id: String) -> AlarmPriority? {
        engine.alarms.first { $0.id == id }?.priority
    }

    func render(_ id: PanelID, width: Int = 72, height: Int = 6) -> CellBuffer {
        var context = Fixture.context(now: builder.lastArrival)
        context.alarmSettings = settings
        context.alarms = AlarmRow.rows(from: engine)
        return panel(id, builder.state, context, width: width, height: height)
    }
}

/// For each derived condition with a value on screen: drive a state where it holds, run the
/// alarm engine until it raises, draw the panel, and check that the value's colour and marker
/// are the alarm list's for the priority the engine raised (and plain where nothing is raised).
@Suite struct AlarmColoursTests {
    // MARK: link

    /// The metric row of a Link panel 60 columns wide with one path: the value's field (cells
    /// 13–19, right-aligned), its marker (26–28) and the last bar of its sparkline.
    func linkRow(_ b: CellBuffer, _ metric: LinkMetric) -> (value: String, fg: Color, marker: String, bar: Cell)? {
        guard let at = b.find(LinkPanel.label(metric, long: true) + " ") else { return nil }
        let field = b.lines(in: Rect(x: 13, y: at.y, width: 7, height: 1))[0]
        let marker = b.lines(in: Rect(x: 26, y: at.y, width: 3, height: 1))[0]
        return (field.trimmingCharacters(in: .whitespaces), b[19, at.y].style.fg,
                marker.trimmingCharacters(in: .whitespaces), b[b.width - 2, at.y])
    }

    func checkLink(_ settings: AlarmSettings, _ metric: LinkMetric, _ value: Double, id: String,
                   expected: AlarmPriority?) throws {
        var run = EngineAndScreen(settings)
        var sample = LinkSample(path: "primary", up: true)
        switch metric {
        case .rtt: sample.rttMs = value
        case .jitter: sample.jitterMs = value
        case .loss: sample.lossPct = value
        case .videoFps: sample.videoFps = value
        case .bandwidth: sample.bandwidthMbps = value
        case .videoDelay: sample.videoDelayMs = value
        }
        run.hold(.link(sample))
        let raised = run.raised(id)
        #expect(raised == expected, "\(id) at \(value)")
        let row = try #require(linkRow(run.render(.link, width: 60), metric))
        #expect(row.value == LinkPanel.format(metric, value))
        #expect(row.fg == alarmColour(raised), "\(metric) \(value): the colour of \(raised.map(\.marker) ?? "no alarm")")
        #expect(row.marker == (raised?.marker ?? ""), "\(metric) \(value)")
        #expect(row.bar.character != " ")
        let bar = raised.map { Theme.color.bar(Severity($0)).fg } ?? (AlarmSettings.hasAlarm(metric) ? .green : .default)
        #expect(row.bar.style.fg == bar, "\(metric) \(value): sparkline")
    }

    @Test(arguments: bothSettings)
    func roundTripJitterAndLossAtEachThreshold(settings: AlarmSettings) throws {
        let metrics: [(LinkMetric, String, AlarmSettings.Levels)] = [
            (.rtt, "RTT", settings.rttMs), (.jitter, "JITTER", settings.jitterMs), (.loss, "LOSS", settings.lossPct),
        ]
        for (metric, name, levels) in metrics {
            let id = "LINK.primary.\(name)"
            try checkLink(settings, metric, levels.low * 0.9, id: id, expected: nil)
            for priority in [AlarmPriority.low, .medium, .high] {
                try checkLink(settings, metric, levels[priority], id: id, expected: priority)
            }
            try checkLink(settings, metric, levels.high * 1.5, id: id, expected: .high)
        }
    }

    @Test(arguments: bothSettings)
    func videoUnderItsFrameRate(settings: AlarmSettings) throws {
        try checkLink(settings, .videoFps, settings.videoFpsBelow - 1, id: "LINK.primary.VIDEO", expected: .medium)
        try checkLink(settings, .videoFps, settings.videoFpsBelow, id: "LINK.primary.VIDEO", expected: nil)
        try checkLink(settings, .videoFps, 60, id: "LINK.primary.VIDEO", expected: nil)
    }

    /// Without a declared minimum bandwidth, bandwidth has no alarm; video delay never has one:
    /// however bad, no marker and no colour.
    @Test func bandwidthAndVideoDelayArePlain() throws {
        for settings in bothSettings {
            try checkLink(settings, .bandwidth, 1, id: "LINK.primary.BANDWIDTH", expected: nil)
            try checkLink(settings, .videoDelay, 900, id: "LINK.primary.VIDEO_DELAY", expected: nil)
        }
        var run = EngineAndScreen(.defaults)
        run.hold(.link(LinkSample(path: "primary", up: true, bandwidthMbps: 1, videoDelayMs: 900)))
        #expect(run.engine.alarms.isEmpty)
        let b = run.render(.link, width: 60)
        #expect(!b.lines.joined().contains("*"))
    }

    /// A session that declares the bandwidth it needs: bandwidth below it is the bandwidth
    /// alarm's medium, on screen as in the list; above it, plain.
    @Test func bandwidthBelowTheDeclaredMinimumIsMarked() throws {
        for (mbps, expected) in [(90.0, AlarmPriority.medium), (200, nil)] as [(Double, AlarmPriority?)] {
            var run = EngineAndScreen(.defaults)
            run.builder.apply(0, .session(SessionInfo(id: "OR3", minBandwidthMbps: 150, arms: [EngineAndScreen.arm])))
            run.hold(.link(LinkSample(path: "primary", up: true, bandwidthMbps: mbps)))
            #expect(run.raised("LINK.primary.BANDWIDTH") == expected)
            let row = try #require(linkRow(run.render(.link, width: 60), .bandwidth))
            #expect(row.marker == (expected?.marker ?? ""))
            #expect(row.fg == alarmColour(expected))
        }
    }

    // MARK: joints

    /// A position of the test joint (range −1…1 rad) `margin` % of its range from its upper limit.
    func position(margin: Double) -> Double { 1 - margin / 100 * 2 }

    func checkJoint(_ settings: AlarmSettings, margin: Double, expected: AlarmPriority?) throws {
        var run = EngineAndScreen(settings)
        let p = position(margin: margin)
        run.hold(.arm(ArmSample(arm: "PSM1", state: .enabled, position: [p], effort: [0])))
        let raised = run.raised("PSM1.yaw.LIMIT")
        #expect(raised == expected, "LIMIT at \(margin) % of the range")
        let b = run.render(.arms)
        let row = Rect(x: 0, y: 3, width: b.width, height: 1)
        #expect(b.lines[3].hasPrefix("│  yaw "))
        let value = ArmsPanel.jointValue(p, .rad, glyphs: .utf8)
        #expect(b.style(of: value, in: row)?.fg == alarmColour(raised), "value at \(margin) %")
        switch raised {
        case .medium?:
            #expect(b.style(of: "** LIMIT", in: row)?.fg == alarmColour(.medium))
            #expect(b.style(of: " AT LIMIT: yaw ")?.fg == alarmColour(.medium))
        case .low?:
            #expect(b.style(of: "*  near", in: row)?.fg == alarmColour(.low))
            #expect(b.style(of: " near limit: yaw ")?.fg == alarmColour(.low))
        default:
            #expect(!b.lines[3].contains("*") && !b.lines[3].contains("LIMIT") && !b.lines[3].contains("near"))
            #expect(!b.contains("LIMIT") && !b.contains("near"))
        }
        // The gauge's filled cells share the value's colour (green when no alarm holds).
        let gauge = try #require(b.find("█", in: row))
        #expect(b[gauge.x, gauge.y].style.fg == (raised.map(alarmColour) ?? .green))
    }

    @Test(arguments: bothSettings)
    func jointNearAtAndBeyondItsLimit(settings: AlarmSettings) throws {
        try checkJoint(settings, margin: (settings.nearLimitPct + 50) / 2, expected: nil)
        try checkJoint(settings, margin: (settings.atLimitPct + settings.nearLimitPct) / 2, expected: .low)
        try checkJoint(settings, margin: settings.nearLimitPct, expected: .low)
        try checkJoint(settings, margin: settings.atLimitPct / 2, expected: .medium)
        try checkJoint(settings, margin: -5, expected: .medium)
    }

    func checkEffort(_ settings: AlarmSettings, pct: Double, expected: AlarmPriority?) throws {
        var run = EngineAndScreen(settings)
        let effort = -pct / 100 * 10   // either direction counts
        run.hold(.arm(ArmSample(arm: "PSM1", state: .enabled, position: [0], effort: [effort])))
        let raised = run.raised("PSM1.yaw.EFFORT")
        #expect(raised == expected, "EFFORT at \(pct) %")
        let b = run.render(.arms)
        let row = Rect(x: 0, y: 3, width: b.width, height: 1)
        let text = "eff " + Format.fixed(pct, 0) + "%"
        #expect(b.style(of: text, in: row)?.fg == alarmColour(raised), "effort at \(pct) %")
        #expect(b.lines[3].contains(text + " " + (raised?.marker ?? "") + " "))
        if raised == nil { #expect(!b.lines[3].contains("*")) }
    }

    @Test(arguments: bothSettings)
    func effortAgainstItsMaximum(settings: AlarmSettings) throws {
        try checkEffort(settings, pct: settings.effortPct - 2, expected: nil)
        try checkEffort(settings, pct: settings.effortPct, expected: .medium)
        try checkEffort(settings, pct: settings.effortPct + 20, expected: .medium)
    }

    // MARK: states

    @Test func armFault() {
        var run = EngineAndScreen(.defaults)
        run.hold(.arm(ArmSample(arm: "PSM1", state: .fault, position: [0])))
        let raised = run.raised("PSM1.FAULT")
        #expect(raised == .high)
        let b = run.render(.arms)
        #expect(b.style(of: " FAULT ", in: Rect(x: 0, y: 2, width: b.width, height: 1))?.fg == alarmColour(raised))
    }

    @Test func instrumentFaultAndNoUsesLeft() throws {
        var run = EngineAndScreen(.defaults)
        run.hold(.instrument(InstrumentSample(arm: "PSM1", tool: .model("CADIERE_FORCEPS"), state: .fault, usesLeft: 0)))
        let fault = run.raised("PSM1.INSTRUMENT.FAULT"), uses = run.raised("PSM1.INSTRUMENT.USES")
        #expect(fault == .high && uses == .low)
        let b = run.render(.instruments)
        let row = Rect(x: 0, y: 2, width: b.width, height: 1)
        #expect(b.style(of: "FAULT", in: row)?.fg == alarmColour(fault))
        let marker = try #require(uses).marker
        let at = try #require(b.find(marker + " 0", in: row))
        #expect(b[at.x, at.y].style.fg == alarmColour(uses) && b[at.x + 2, at.y].style.fg == alarmColour(uses))
    }

    @Test func usesLeftWithoutAnAlarmArePlain() throws {
        for (uses, state) in [(1, InstrumentState.engaged), (0, InstrumentState.none)] {
            var run = EngineAndScreen(.defaults)
            run.hold(.instrument(InstrumentSample(arm: "PSM1", tool: .model("CADIERE_FORCEPS"), state: state, usesLeft: uses)))
            #expect(run.raised("PSM1.INSTRUMENT.USES") == nil)
            let b = run.render(.instruments)
            #expect(!b.lines[2].contains("*"))
            let at = try #require(b.find(" \(uses) ", in: Rect(x: 0, y: 2, width: b.width, height: 1)))
            #expect(b[at.x + 1, at.y].style.fg == .default)
        }
    }

    /// Without colours the priority stays readable through the markers.
    @Test func monochromeKeepsTheMarkers() {
        var run = EngineAndScreen(otherSettings)
        run.hold(.arm(ArmSample(arm: "PSM1", state: .enabled, position: [position(margin: 15)], effort: [6])))
        #expect(run.raised("PSM1.yaw.LIMIT") == .low && run.raised("PSM1.yaw.EFFORT") == .medium)
        var context = Fixture.context(now: run.builder.lastArrival, colors: false)
        context.alarmSettings = otherSettings
        let b = panel(.arms, run.builder.state, context, width: 72, height: 6)
        #expect(b.lines[3].contains("*  near") && b.lines[3].contains("eff 60% ** "))
        #expect(!b.usesColor)
    }
}
