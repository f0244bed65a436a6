import Logging
import SessionCore
import Synchronization
import Telemetry
import TelemetrySources

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Set by SIGINT/SIGTERM/SIGHUP; the loops poll it so they can leave cleanly.
let terminationRequested = Atomic<Int32>(0)

/// Routes SIGINT, SIGTERM and SIGHUP to `terminationRequested` instead of killing the process.
public func installTerminationHandlers() {
    var unblock = sigset_t()
    sigemptyset(&unblock)
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        signal(sig) { number in terminationRequested.store(number, ordering: .relaxed) }
        sigaddset(&unblock, sig)
    }
    // A blocked signal mask is inherited across exec: started by a parent that blocks them
    // (a test runner's thread, some supervisors), surgtop would never see its SIGTERM.
    pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
}

/// Runs a source without a screen: applies its frames and prints one status line per second.
/// It is how surgtop runs under a service manager, in CI, or with stdout not a terminal.
public final class HeadlessRunner {
    private let source: any TelemetrySource
    private let inbox: SourceInbox
    private let write: (String) -> Void
    private let writeError: (String) -> Void
    public private(set) var driver: SessionDriver

    private let recorder: AlarmRecorder
    /// Source events worth a line (connections, refusals, retries, damaged files), on stderr.
    private let logger = Logger(label: "surgtop", factory: { label in StreamLogHandler.standardError(label: label) })

    public init(source: any TelemetrySource, inbox: SourceInbox = SourceInbox(),
                alarmSettings: AlarmSettings = .defaults, recorder: AlarmRecorder = AlarmRecorder(destination: .none),
                write: @escaping (String) -> Void = { print($0); fflush(nil) },
                writeError: @escaping (String) -> Void = { FileHandleLite.standardError.write($0) }) {
        self.source = source
        self.inbox = inbox
        // Every line goes out through the sanitiser: status lines and source logs quote the wire.
        self.write = { write(WireText.sanitize($0)) }
        self.writeError = { writeError(WireText.sanitize($0)) }
        self.driver = SessionDriver(mode: source.mode, alarmSettings: alarmSettings)
        self.recorder = recorder
    }

    /// Runs until the source ends (recordings), a fatal error, or a termination signal.
    /// Returns the process exit code: 0 normal, 1 when the session could not go on.
    public func run() -> Int32 {
        installTerminationHandlers()
        source.start(sink: inbox.sink)
        var nextStatus = MonotonicClock.now() + 1
        var printedLogs = 0
        defer { source.stop() }
        while true {
            let now = MonotonicClock.now()
            driver.handle(inbox.drain(), arrival: now)
            driver.evaluateAlarms(arrivalNow: now)
            recorder.record(from: &driver)
            if let problem = recorder.takeProblem() { writeError("surgtop: \(problem)") }
            for line in driver.log(since: printedLogs) { logger.notice("\(WireText.sanitize(line))") }
            printedLogs = driver.logCount
            if let fatal = driver.fatal {
                write(StatusLine.render(driver: driver, now: now))
                writeError("surgtop: \(fatal)")
                return 1
            }
            if case .failed(let reason) = driver.sourceState {
                writeError("surgtop: \(reason)")
                return 1
            }
            if now >= nextStatus {
                write(StatusLine.render(driver: driver, now: now))
                nextStatus += 1
                if nextStatus < now { nextStatus = now + 1 }
            }
            if case .ended = driver.sourceState, inbox.isEmpty {
                write(StatusLine.render(driver: driver, now: now))
                return 0
            }
            if terminationRequested.load(ordering: .relaxed) != 0 {
                write(StatusLine.render(driver: driver, now: now))
                return 0
            }
            usleep(20_000)
        }
    }
}

/// Minimal unbuffered stderr writer (no Foundation in this module).
public struct FileHandleLite: Sendable {
    let fd: Int32
    public static let standardError = FileHandleLite(fd: 2)

    public func write(_ line: String) {
        var text = line
        if !text.hasSuffix("\n") { text += "\n" }
        text.withCString { p in _ = Glibc.write(fd, p, strlen(p)) }
    }
}

/// Whether SIGINT, SIGTERM or SIGHUP arrived since `installTerminationHandlers()`.
public func terminationWasRequested() -> Bool {
    terminationRequested.load(ordering: .relaxed) != 0
}
