import SessionCore
import Synchronization
import Telemetry
import TelemetrySources
import Testing
@testable import Console

/// A source that posts a fixed list of events when started, then ends.
final class ScriptedSource: TelemetrySource {
    let mode: SessionMode
    let label = "scripted"
    private let events: [SourceEvent]

    init(mode: SessionMode = .replay, events: [SourceEvent]) {
        self.mode = mode
        self.events = events
    }

    func start(sink: @escaping @Sendable (SourceEvent) -> Void) {
        for event in events { sink(event) }
    }

    func stop() {}
}

/// Lines a runner wrote, from whichever thread.
final class Lines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

@Suite("Headless runner")
struct HeadlessRunnerTests {
    @Test("every source log line is printed: 250 at once, past the 200 the driver keeps")
    func everyLogLine() {
        let events: [SourceEvent] = [.state(.connected(peer: "scripted"))]
            + (1...250).map { .log("line \($0)") }
            + [.state(.ended)]
        let status = Lines(), errors = Lines(), logged = Lines()
        let runner = HeadlessRunner(source: ScriptedSource(mode: .live, events: events), write: status.append,
                                    writeError: errors.append, writeLog: logged.append, stopRequested: { false })
        #expect(runner.run() == 0)
        #expect(logged.all == (1...250).map { "line \($0)" })
        #expect(errors.all.isEmpty)
        #expect(status.all.last?.hasPrefix("ended") == true, "\(status.all)")
    }

    @Test("source log lines are sanitised before they are printed")
    func sanitised() {
        let events: [SourceEvent] = [.log("refused \u{1B}[2Jpeer"), .state(.ended)]
        let logged = Lines()
        let runner = HeadlessRunner(source: ScriptedSource(mode: .live, events: events), write: { _ in }, writeError: { _ in },
                                    writeLog: logged.append, stopRequested: { false })
        #expect(runner.run() == 0)
        #expect(logged.all == ["refused peer"])
    }

    @Test("a step returns every line logged in it; the driver keeps the last 200")
    func stepLogged() {
        var driver = SessionDriver(mode: .live)
        let step = driver.step(events: (1...250).map { .log("line \($0)") }, now: 1)
        #expect(step.applied)
        #expect(step.logged.count == 250 && step.logged.last == "line 250")
        #expect(driver.log.count == 200)
        let idle = driver.step(events: [], now: 2)
        #expect(!idle.applied && idle.logged.isEmpty)
    }
}
