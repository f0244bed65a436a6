import Testing
import Telemetry
@testable import SessionCore

@Suite("Alarm wording: units, levels and clears")
struct AlarmWordingTests {
    @Test("joint positions read in degrees and millimetres in alarms, as the Arms panel shows them")
    func jointUnits() {
        var h = AlarmHarness()
        h.run(from: 0, to: 2) { _ in armBody(position: [1.394, 0.2399, 0]) }
        #expect(h.alarm("PSM1.yaw.LIMIT")?.message == "PSM1 yaw 79.9° near its limit 85.9° (3.5 % of range ≤ 5 %, 1 s mean)")
        #expect(h.alarm("PSM1.insertion.LIMIT")?.message == "PSM1 insertion 239.9 mm at its limit 240.0 mm (0 % of range ≤ 0.5 %, 1 s mean)")
        #expect(!(h.engine.alarms.contains { $0.message.contains("rad") || $0.message.contains(" m ") }))
    }

    @Test("a medium joint alarm says 'at its limit' while it waits to de-escalate")
    func mediumSaysAtItsLimit() {
        var h = AlarmHarness()
        h.run(from: 0, to: 3) { _ in armBody(position: [1.499, 0.1, 0]) }
        #expect(h.alarm("PSM1.yaw.LIMIT")?.priority == .medium)
        // Back near (not at) the limit: medium stays listed 2 s more.
        h.run(from: 3.1, to: 4.5) { _ in armBody(position: [1.4, 0.1, 0]) }
        let alarm = h.alarm("PSM1.yaw.LIMIT")
        #expect(alarm?.priority == .medium)
        #expect(alarm?.message.contains("at its limit") == true, "\(alarm?.message ?? "")")
        #expect(alarm?.message.contains("near") == false)
    }

    @Test("the report names the peak's unit and reads joint positions in millimetres")
    func reportUnits() {
        var h = AlarmHarness()
        h.run(from: 0, to: 3) { _ in armBody(position: [0, 0.0001, 0]) }
        h.run(from: 0, to: 3) { _ in linkBody(rtt: 150) }
        let limit = h.engine.history.first { $0.id == "PSM1.insertion.LIMIT" }
        #expect(limit?.peakUnit == "% of range from its limit")
        #expect(limit?.message.hasPrefix("PSM1 insertion 0.1 mm at its limit 0.0 mm") == true, "\(limit?.message ?? "")")
        var builder = SessionReportBuilder()
        builder.add(Frame(t: 0, body: .session(SessionInfo(id: "OR3-TEST", arms: [alarmPSM]))))
        let text = ReportText.render(builder.finish(alarms: h.engine), file: "x.ndjson")
        #expect(text.contains(", peak 0.0 % of range from its limit — PSM1 insertion 0.1 mm at its limit 0.0 mm"), "\(text)")
        #expect(text.contains(", peak 150.0 ms — primary round trip 150 ms ≥ 100 ms"), "\(text)")
        #expect(!text.contains(" m at its limit"))
    }
}

@Suite("The recording's wall clock")
struct RecordingClockTests {
    @Test("RFC 3339 times are read, with fractions and offsets")
    func parses() {
        #expect(RecordingClock.unixSeconds(rfc3339: "1970-01-01T00:00:00Z") == 0)
        #expect(RecordingClock.unixSeconds(rfc3339: "2026-11-24T08:00:00Z") == 1_795_507_200)
        #expect(RecordingClock.unixSeconds(rfc3339: "2026-11-24T09:00:00.5+01:00") == 1_795_507_200.5)
        #expect(RecordingClock.unixSeconds(rfc3339: "2024-02-29T00:00:00z") != nil)
        #expect(RecordingClock.timestamp(start: 1_795_507_200, t: 3725.5) == "2026-11-24T09:02:05Z")
        #expect(RecordingClock.clock(start: 1_795_507_200, t: 3725.5) == "09:02:05 UTC")
    }

    @Test("a malformed or absurd started_at gives no wall clock, never a crash")
    func refuses() {
        for bad in ["", "yesterday", "2026-11-24", "2026-11-24T08:00:00", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                    "2025-02-29T00:00:00Z", "2026-11-24T24:00:00Z", "1969-12-31T23:59:59Z", "99999-01-01T00:00:00Z",
                    "2026-11-24T08:00:00.Z", "2026-11-24T08:00:00+1:00", "2026-11-24T08:00:00Z trailing",
                    "２026-11-24T08:00:00Z", String(repeating: "9", count: 10_000)] {
            #expect(RecordingClock.unixSeconds(rfc3339: bad) == nil, "\(bad.prefix(40))")
        }
        #expect(RecordingClock.timestamp(start: 1_795_507_200, t: 1e18) == nil)
        #expect(RecordingClock.timestamp(start: 0, t: -5) == nil)
        #expect(RecordingClock.clock(start: 0, t: .nan) == nil)
    }
}
