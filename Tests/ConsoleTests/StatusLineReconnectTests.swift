import SessionCore
import TelemetrySources
import Testing
@testable import Console

@Suite("Headless status while reconnecting")
struct StatusLineReconnectTests {
    @Test("the status line says why the connection is down while reconnecting, sanitised")
    func reasonWhileReconnecting() {
        var driver = SessionDriver(mode: .live)
        driver.handle([.state(.reconnecting(lostAt: 90, attempt: 3, reason: "connection refused"))], arrival: 100)
        #expect(StatusLine.render(driver: driver, now: 100).hasPrefix("reconnecting (lost 10.0 s ago): connection refused  t="))
        driver.handle([.state(.reconnecting(lostAt: 90, attempt: 4, reason: "bad\u{1B}[2Jreason"))], arrival: 101)
        #expect(!StatusLine.render(driver: driver, now: 101).contains("\u{1B}"))
    }
}
