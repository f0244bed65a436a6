import SessionCore
import Telemetry
import TelemetrySources
import Testing
import View
@testable import Console

/// What the source logs (a refused stream, a dropped silent peer, a retry) reaches the person
/// watching: every line in headless mode, the latest in the console's header while it is news.
@Suite("Source log lines")
struct SourceLogTests {
    @Test("every step hands back every line logged in it, past the 200 the driver keeps")
    func everyLineOnce() {
        var driver = SessionDriver(mode: .live)
        var printed: [String] = []
        var k = 0
        while k < 250 {
            // Bursts of uneven sizes, the last well over 200 lines in one step.
            let burst = k < 40 ? 7 : 250 - k
            let events = (0..<burst).map { SourceEvent.log("line \(k + $0 + 1)") }
            printed += driver.step(events: events, now: Double(k)).logged
            k += burst
        }
        #expect(printed.count == 250)
        #expect(printed.first == "line 1" && printed.last == "line 250")
        #expect(Set(printed).count == 250, "each once")
        #expect(driver.log.count == 200, "the driver keeps the last 200 for the screen")
    }

    @Test("the console's header shows the latest source line for 30 s")
    func headerNote() {
        var model = ConsoleModel(mode: .live, label: "127.0.0.1:7000", catalog: LayoutCatalog(userDirectory: nil),
                                 layoutRequest: nil)
        model.driver.handle([.state(.listening(address: "127.0.0.1:7000")),
                             .log("dropped gateway 127.0.0.1:5555: sent no valid frame within 5 s of connecting")],
                            arrival: 100)
        #expect(model.context(now: 101, wallClock: "12:00:00", playback: nil).sourceNote?.hasPrefix("dropped gateway") == true)
        var buffer = CellBuffer(width: 160, height: 40)
        model.frame(now: 101, wallClock: "12:00:00", playback: nil).render(into: &buffer, state: &model.view)
        #expect(buffer.text.contains("dropped gateway 127.0.0.1:5555"))
        #expect(model.context(now: 131, wallClock: "12:00:30", playback: nil).sourceNote == nil)
    }
}
