import Telemetry
import Testing
@testable import SessionCore

/// Values a gateway reports for a path while it is down are not measurements: they must not
/// show as live, nor feed the alarm windows, when the path comes back up (metrics are optional
/// per frame, so each metric has its own liveness).
@Suite("Link: liveness per metric across a path's outage")
struct LinkLivenessTests {
    /// The reviewer's replay: up with rtt 100; down with loss 100, rtt 900, fps 0; then
    /// `{"up":true}` and frames with rtt only.
    func replay() -> AlarmHarness {
        var h = AlarmHarness()
        h.run(from: 0, to: 2) { _ in linkBody(rtt: 100) }
        h.run(from: 2.1, to: 6) { _ in linkBody(up: false, rtt: 900, loss: 100, fps: 0) }
        h.feed(linkBody(up: true), at: 6.1)
        h.run(from: 6.2, to: 12) { _ in linkBody(up: nil, rtt: 40) }
        return h
    }

    @Test("values reported while down are kept out of latest and history; the path's live metrics are its own")
    func downValuesAreNotKept() throws {
        let h = replay()
        let link = try #require(h.state.links.first)
        #expect(link.latest[.rtt] == 40)
        #expect(link.latest[.loss] == nil && link.latest[.videoFps] == nil, "only ever reported while down")
        #expect(link.history[.loss] == nil && link.history[.videoFps] == nil)
        #expect(link.history[.rtt]?.points.contains { $0.value == 900 } == false)
        #expect(link.isLive(.rtt) && !link.isLive(.loss) && !link.isLive(.videoFps))
        #expect(link.backUpAt == 6.1)
    }

    @Test("after the path comes back up, values sent while down raise no alarm")
    func noAlarmsFromDownValues() {
        let h = replay()
        for id in ["LINK.primary.LOSS", "LINK.primary.RTT", "LINK.primary.VIDEO"] {
            #expect(h.alarm(id) == nil, "\(id) raised from values sent while the path was down")
        }
    }

    @Test("a metric not reported since the path came back up is not live; reported again, it is")
    func staleAcrossTheOutage() throws {
        var h = AlarmHarness()
        h.run(from: 0, to: 3) { _ in linkBody(rtt: 350, loss: 0.1) }
        #expect(h.alarm("LINK.primary.RTT")?.priority == .high)
        h.feed(linkBody(up: false), at: 3.1)
        h.feed(linkBody(up: true), at: 4)
        h.run(from: 4.1, to: 9) { _ in linkBody(up: nil, loss: 0.1) }
        var link = try #require(h.state.links.first)
        #expect(!link.isLive(.rtt), "its last value predates the outage")
        #expect(link.isLive(.loss))
        #expect(h.alarm("LINK.primary.RTT") == nil, "the pre-outage round trip is not a reading any more")
        h.feed(linkBody(up: nil, rtt: 50), at: 9.1)
        link = try #require(h.state.links.first)
        #expect(link.isLive(.rtt))
    }
}
