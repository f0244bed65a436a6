import Logging
import SessionCore
import SystemCalls
import Telemetry
import TelemetrySources

/// Runs a source without a screen: applies its frames and prints one status line per second.
/// It is how surgtop runs under a service manager, in CI, or with stdout not a terminal.
public final class HeadlessRunner {
    private let source: any TelemetrySource
    private let inbox: SourceInbox
    private let write: (String) -> Void
    private let writeError: (String) -> Void
    /// Source events worth a line (connections, refusals, retries, damaged files): every one,
    /// however many came at once (`SessionDriver.Step.logged`).
    private let writeLog: (String) -> Void
    private let stopRequested: (() -> Bool)?
    public private(set) var driver: SessionDriver

    private let recorder: AlarmRecorder

    /// - Parameters:
    ///   - write: a status line (stdout by default, spelled in ASCII when stdout is a terminal
    ///     without a UTF-8 locale, as the console would be).
    ///   - writeError: a problem (stderr by default).
    ///   - writeLog: a line the source logged; by default swift-log's `StreamLogHandler` on
    ///     stderr, with a level and a timestamp for service managers.
    ///   - stopRequested: polled to stop; by default SIGINT, SIGTERM and SIGHUP, whose handlers
    ///     `run` installs.
    public init(source: any TelemetrySource, inbox: SourceInbox = SourceInbox(),
                alarmSettings: AlarmSettings = .defaults, recorder: AlarmRecorder = AlarmRecorder(destination: .none),
                write: ((String) -> Void)? = nil,
                writeError: @escaping (String) -> Void = { SystemCalls.writeStandardError($0) },
                writeLog: ((String) -> Void)? = nil, stopRequested: (() -> Bool)? = nil) {
        self.source = source
        self.inbox = inbox
        // Every line goes out through the sanitiser: status lines and source logs quote the wire.
        let write = write ?? Self.standardOutput()
        self.write = { write(WireText.sanitize($0)) }
        self.writeError = { writeError(WireText.sanitize($0)) }
        let writeLog = writeLog ?? Self.standardErrorLog()
        self.writeLog = { writeLog(WireText.sanitize($0)) }
        self.stopRequested = stopRequested
        self.driver = SessionDriver(mode: source.mode, alarmSettings: alarmSettings)
        driver.setRestartRule(source.restartRule)  // `live -` has no connection events: `.anywhere`
        self.recorder = recorder
    }

    /// Status lines on stdout: in ASCII on a terminal whose locale is not UTF-8 (it would show
    /// "?" or garbage for "≥" or a wire name's accents); UTF-8 to a file or a pipe, which is data.
    static func standardOutput() -> (String) -> Void {
        let ascii = SystemCalls.isTerminal(SystemCalls.standardOutput) && !SystemCalls.localeIsUTF8()
        return { line in try? SystemCalls.writeAll(SystemCalls.standardOutput, (ascii ? ASCIIText.transliterate(line) : line) + "\n") }
    }

    /// Source log lines through swift-log on stderr (level `notice`).
    static func standardErrorLog() -> (String) -> Void {
        let logger = Logger(label: "surgtop", factory: { label in StreamLogHandler.standardError(label: label) })
        return { line in logger.notice("\(line)") }
    }

    /// Runs until the source ends (recordings), a fatal error, or a termination signal.
    /// Returns the process exit code: 0 normal, 1 when the session could not go on.
    public func run() -> Int32 {
        let stopRequested: () -> Bool
        if let given = self.stopRequested {
            stopRequested = given
        } else {
            SystemCalls.installTerminationHandlers()
            stopRequested = { SystemCalls.terminationWasRequested }
        }
        source.start(inbox: inbox)
        var nextStatus = MonotonicClock.now() + 1
        defer { source.stop() }
        while true {
            let now = MonotonicClock.now()
            let step = driver.step(events: inbox.drain(), now: now, recorder: recorder)
            if let problem = recorder.takeProblem() { writeError("surgtop: \(problem)") }
            for line in step.logged { writeLog(line) }
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
                writeFinalStatus(now: now)
                if let problem = ReplayProblem.noSessionFrame(driver, label: source.label) {
                    writeError("surgtop: \(problem)")
                    return 1
                }
                return 0
            }
            if stopRequested() {
                writeFinalStatus(now: now)
                return 0
            }
            SystemCalls.sleep(seconds: 0.02)
        }
    }

    /// The last status line, once the source is stopped: it then holds what stopping did
    /// (`--record`: the size of the finished file, not of its last flush). Judged at `now`, the
    /// moment the run ended: the time stopping took (a slow disk) is no silence of the source.
    private func writeFinalStatus(now: Double) {
        source.stop()
        let step = driver.step(events: inbox.drain(), now: now, recorder: recorder)
        if let problem = recorder.takeProblem() { writeError("surgtop: \(problem)") }
        for line in step.logged { writeLog(line) }
        write(StatusLine.render(driver: driver, now: now))
    }
}
