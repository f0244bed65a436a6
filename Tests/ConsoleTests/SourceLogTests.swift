import SessionCore
import Telemetry
import Testing
import View
@testable import Console

/// What the source logs (a refused stream, a dropped silent peer, a retry) reaches the person
/// watching: every line in headless mode, the latest in the console's header while it is news.
@Suite("Source log lines")
struct SourceLogTests {
    @Test("a reader that remembers the count gets every new line, past the 200 kept")
    func logSince() {
        var driver = SessionDriver(mode: .live)
        var printed: [String] = []
        var seen = 0
        for k in 1...250 {
            driver.handle([.log("line \(k)")], arrival: Double(k))
            if k % 7 == 0 || k == 250 {
                printed += driver.log(since: seen)
                seen = driver.logCount
            }
        }
        #expect(printed.count == 250)
        #expect(printed.first == "line 1" && printed.last == "line 250")
        #expect(driver.log.count == 200 && driver.logCount == 250)
        #expect(driver.log(since: 0).count == 200, "only what is kept can be given")
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
