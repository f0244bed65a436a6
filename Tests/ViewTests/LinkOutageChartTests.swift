import Foundation
import SessionCore
import Telemetry
import Testing
@testable import View

/// A demo's link-loss story: both paths up to 25 s, the primary down from 25 s, the backup
/// from 35 s; then no frame at all (telemetry lost) while the console's clock goes on.
private func outage() -> SessionState {
    var b = SessionBuilder()
    b.session()
    let sample = { (t: Double) in LinkSample(rttMs: 48 + 4 * sin(t), jitterMs: 1.5, lossPct: 0.05, bandwidthMbps: 40, videoFps: 60) }
    b.linkHistory(path: "primary", until: 25, seconds: 25, sample)
    b.apply(25, .link(LinkSample(path: "primary", up: false)))
    b.linkHistory(path: "backup", until: 35, seconds: 10, sample)
    b.apply(35, .link(LinkSample(path: "backup", up: false)))
    return b.state
}

/// Green (no alarm) braille of the series, in the rightmost `columns` of the panel's inside.
private func seriesAtRightEnd(_ b: CellBuffer, columns: Int) -> Int {
    (1..<b.height - 1).reduce(0) { count, y in
        count + (b.width - 1 - columns..<b.width - 1).filter { x in
            let cell = b[x, y]
            return cell.style.fg == .green && (cell.character.unicodeScalars.first.map { (0x2801...0x28FF).contains($0.value) } ?? false)
        }.count
    }
}

@Suite struct LinkOutageChartTests {
    @Test("During a demo's outage the charts go on scrolling: the gap grows at their right, DOWN keeps counting")
    func outageScrollsOn() throws {
        let state = outage()
        // As the last frame arrives, then 13 s of silence later (arrival 1000 + session time).
        let atLoss = panel(.link, state, Fixture.context(mode: .demo, now: 1035, state: state), width: 120, height: 30)
        let later = panel(.link, state, Fixture.context(mode: .demo, now: 1048, state: state), width: 120, height: 30)
        #expect(atLoss.contains("backup  ▼ DOWN for 0.0 s"))
        #expect(later.contains("backup  ▼ DOWN for 13 s"))
        #expect(later.contains(" DOWN 13 s "))
        #expect(later.contains("13 s ago") && later.contains("23 s ago"))   // backup's and primary's last values
        // The backup's line reached the right end as it went down; 13 s later it stops short of it.
        #expect(seriesAtRightEnd(atLoss, columns: 4) > 0)
        #expect(seriesAtRightEnd(later, columns: 4) == 0)
    }

    @Test("A replay's charts end at its last frame: a recording's silence is not the console's")
    func replayKeepsSessionTime() {
        let state = outage()
        let b = panel(.link, state, Fixture.context(mode: .replay, now: 1048, state: state), width: 120, height: 30)
        #expect(b.contains("backup  ▼ DOWN for 0.0 s"))
        #expect(seriesAtRightEnd(b, columns: 4) > 0)
    }
}
