import Telemetry
import Testing
@testable import SessionCore

/// The level functions of the derived conditions (ConditionLevels.swift): the rules the alarm
/// engine raises by and the console colours by.
@Suite struct ConditionLevelsTests {
    let s = AlarmSettings.defaults

    @Test func linkLevelsAtTheDefaultThresholds() {
        #expect(s.linkLevel(.rtt, 99.9) == nil)
        #expect(s.linkLevel(.rtt, 100) == .low)
        #expect(s.linkLevel(.rtt, 200) == .medium)
        #expect(s.linkLevel(.rtt, 300) == .high)
        #expect(s.linkLevel(.jitter, 25) == .medium)
        #expect(s.linkLevel(.loss, 0.49) == nil)
        #expect(s.linkLevel(.loss, 3.4) == .high)
        // The video alarm has one level, medium, under video_fps_below.
        #expect(s.linkLevel(.videoFps, 59.9) == nil)
        #expect(s.linkLevel(.videoFps, 24) == nil)
        #expect(s.linkLevel(.videoFps, 23.9) == .medium)
        #expect(s.linkLevel(.videoFps, 1) == .medium)
        // No alarm and no setting for bandwidth and video delay, however bad.
        #expect(s.linkLevel(.bandwidth, 0) == nil && s.linkLevel(.videoDelay, 10_000) == nil)
        #expect(!AlarmSettings.hasAlarm(.bandwidth) && !AlarmSettings.hasAlarm(.videoDelay))
        #expect(AlarmSettings.hasAlarm(.rtt) && AlarmSettings.hasAlarm(.videoFps))
        // A path reported down raises no metric alarm; one that never said counts as up.
        #expect(s.linkLevel(.rtt, 500, pathUp: false) == nil)
        #expect(s.linkLevel(.rtt, 500, pathUp: nil) == .high)
        #expect(s.linkLevel(.rtt, .nan) == nil)
    }

    @Test func jointLimitEffortAndStates() {
        #expect(s.jointLimitLevel(position: 0, min: -1, max: 1) == nil)
        #expect(s.jointLimitLevel(position: 0.89, min: -1, max: 1) == nil)      // 5.5 % from the limit
        #expect(s.jointLimitLevel(position: 0.95, min: -1, max: 1) == .low)     // 2.5 %
        #expect(s.jointLimitLevel(position: -0.995, min: -1, max: 1) == .medium) // 0.25 %
        #expect(s.jointLimitLevel(position: 1, min: -1, max: 1) == .medium)
        #expect(s.jointLimitLevel(position: -1.2, min: -1, max: 1) == .medium)  // beyond it
        #expect(s.jointLimitLevel(position: 1, min: nil, max: 1) == nil)
        #expect(s.jointLimitLevel(position: 1, min: 1, max: 1) == nil)
        #expect(s.jointLimitLevel(position: .nan, min: -1, max: 1) == nil)
        #expect(abs((AlarmSettings.limitMarginPct(position: 0.95, min: -1, max: 1) ?? 0) - 2.5) < 1e-9)
        #expect(abs((AlarmSettings.effortPct(effort: -1.5, max: 3) ?? 0) - 50) < 1e-9)

        #expect(s.effortLevel(effort: 8.9, max: 10) == nil)
        #expect(s.effortLevel(effort: 9, max: 10) == .medium)
        #expect(s.effortLevel(effort: -9.5, max: 10) == .medium)
        #expect(s.effortLevel(effort: 100, max: nil) == nil && s.effortLevel(effort: 100, max: 0) == nil)
        #expect(s.effortLevel(effort: .infinity, max: 10) == nil)

        #expect(s.armFaultLevel(.fault) == .high)
        #expect(s.armFaultLevel(.paused) == nil && s.armFaultLevel(nil) == nil)
        #expect(s.instrumentFaultLevel(.fault) == .high && s.instrumentFaultLevel(.engaged) == nil)
        #expect(s.instrumentUsesLevel(usesLeft: 0, state: .engaged) == .low)
        #expect(s.instrumentUsesLevel(usesLeft: -1, state: nil) == .low)
        #expect(s.instrumentUsesLevel(usesLeft: 0, state: InstrumentState.none) == nil)
        #expect(s.instrumentUsesLevel(usesLeft: 1, state: .engaged) == nil)
        #expect(s.instrumentUsesLevel(usesLeft: nil, state: .engaged) == nil)
    }

    @Test func otherSettingsMoveEveryLevel() {
        var o = AlarmSettings()
        o.rttMs = .init(low: 40, medium: 60, high: 80)
        o.videoFpsBelow = 50
        o.nearLimitPct = 20
        o.atLimitPct = 10
        o.effortPct = 50
        #expect(o.linkLevel(.rtt, 70) == .medium && s.linkLevel(.rtt, 70) == nil)
        #expect(o.linkLevel(.videoFps, 40) == .medium && s.linkLevel(.videoFps, 40) == nil)
        #expect(o.jointLimitLevel(position: 0.7, min: -1, max: 1) == .low)      // 15 %
        #expect(o.jointLimitLevel(position: 0.86, min: -1, max: 1) == .medium)  // 7 %
        #expect(s.jointLimitLevel(position: 0.86, min: -1, max: 1) == nil)
        #expect(o.effortLevel(effort: 5, max: 10) == .medium && s.effortLevel(effort: 5, max: 10) == nil)
    }

    /// The engine raises every measured condition at exactly the level its function gives, for
    /// values swept across the thresholds of settings other than the defaults.
    @Test func theEngineRaisesAtTheLevelOfItsFunctions() {
        var o = AlarmSettings()
        o.rttMs = .init(low: 40, medium: 60, high: 80)
        o.jitterMs = .init(low: 2, medium: 4, high: 6)
        o.lossPct = .init(low: 0.1, medium: 0.2, high: 0.4)
        o.videoFpsBelow = 50
        o.nearLimitPct = 20
        o.atLimitPct = 10
        o.effortPct = 50
        for settings in [AlarmSettings.defaults, o] {
            for k in 0...12 {
                let x = Double(k) / 10   // 0 … 1.2 of each scale
                var h = AlarmHarness(settings: settings)
                let rtt = x * 350, jitter = x * 60, loss = x * 4, fps = x * 60
                let position = 1.5 - x * 0.3   // yaw −1.5…1.5: 0 … 12 % of the range from the limit
                let effort = x * 3             // of 3
                h.run(from: 1, to: 3) { t in
                    Int((t * 10).rounded()) % 2 == 0
                        ? linkBody(rtt: rtt, jitter: jitter, loss: loss, fps: fps)
                        : armBody(state: .enabled, position: [position, 0.1, 0], effort: [effort, 0, 0])
                }
                #expect(h.alarm("LINK.primary.RTT")?.priority == settings.linkLevel(.rtt, rtt), "rtt \(rtt)")
                #expect(h.alarm("LINK.primary.JITTER")?.priority == settings.linkLevel(.jitter, jitter), "jitter \(jitter)")
                #expect(h.alarm("LINK.primary.LOSS")?.priority == settings.linkLevel(.loss, loss), "loss \(loss)")
                #expect(h.alarm("LINK.primary.VIDEO")?.priority == settings.linkLevel(.videoFps, fps), "fps \(fps)")
                #expect(h.alarm("PSM1.yaw.LIMIT")?.priority == settings.jointLimitLevel(position: position, min: -1.5, max: 1.5),
                        "position \(position)")
                #expect(h.alarm("PSM1.yaw.EFFORT")?.priority == settings.effortLevel(effort: effort, max: 3), "effort \(effort)")
            }
        }
    }
}
