import Telemetry
import Testing
@testable import SessionCore

@Suite("Alarm engine: RECORDING.FAILED")
struct AlarmRecordingTests {
    @Test("a recording that failed raises RECORDING.FAILED, medium, technical, with the reason")
    func recordingFailed() {
        var h = AlarmHarness()
        var health = SourceHealth()
        h.engine.evaluate(h.state, time: 0.1, arrivalNow: h.arrivalOffset + 0.1, sourceIsLive: true, source: health)
        #expect(!h.engine.alarms.contains { $0.id == "RECORDING.FAILED" })
        health.recordingFailure = "writing '/data/case.ndjson' failed: No space left on device"
        h.engine.evaluate(h.state, time: 0.2, arrivalNow: h.arrivalOffset + 0.2, sourceIsLive: true, source: health)
        let alarm = h.engine.alarms.first { $0.id == "RECORDING.FAILED" }
        #expect(alarm?.priority == .medium)
        #expect(alarm?.kind == .technical)
        #expect(alarm?.message == "recording stopped: writing '/data/case.ndjson' failed: No space left on device; monitoring goes on")
    }
}
