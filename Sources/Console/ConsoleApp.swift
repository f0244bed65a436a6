import SessionCore
import SystemCalls
import Telemetry
import TelemetrySources
import Terminal
import View

/// The full-screen console: `ConsoleLoop` on the curses screen, with the source running and the
/// terminal restored on every path out.
///
/// Input never waits on a source (sources post to an inbox from their own threads) and a source
/// never waits on the screen. At most 30 frames per second, and none while nothing changed.
public final class ConsoleApp {
    /// Whether the full-screen console can run here: standard output is a terminal and there is
    /// a keyboard (standard input, or the controlling terminal when standard input carries data).
    public static var terminalAvailable: Bool { CursesScreen.terminalAvailable }

    /// Why the terminal cannot show the console although there is one (`TERM=dumb`, `TERM`
    /// unset, no terminfo entry), as a sentence; nil when it can.
    public static func terminalProblem() -> String? {
        TerminalError.unsupportedTerminal()?.description
    }

    private let source: any TelemetrySource
    private let inbox: SourceInbox
    private let control: PlaybackControl?
    private let model: ConsoleModel
    private let recorder: AlarmRecorder
    private let quiet: Bool
    private let length: RecordingLength?
    /// A replay's whole-recording pass (markers for the timeline), run beside the replay.
    private let markers: MarkerPass?

    /// - Parameters:
    ///   - control: pause/speed/seek of a replay (nil for live sources).
    ///   - layoutRequest: `--layout NAME|PATH`, or nil for the mode's default.
    ///   - length: the recording's length for the timeline (it may become known only later).
    public init(source: any TelemetrySource, inbox: SourceInbox, control: PlaybackControl?,
                layoutRequest: String?, catalog: LayoutCatalog = UserLayouts.catalog(), length: RecordingLength? = nil,
                alarmSettings: AlarmSettings = .defaults, recorder: AlarmRecorder = AlarmRecorder(destination: .none),
                quiet: Bool = false) {
        self.source = source
        self.inbox = inbox
        self.control = control
        self.recorder = recorder
        self.quiet = quiet
        self.length = length
        var model = ConsoleModel(mode: source.mode, label: source.label, catalog: catalog,
                                 layoutRequest: layoutRequest, duration: length?.seconds, alarmSettings: alarmSettings)
        model.driver.setRestartRule(source.restartRule)  // `live -` has no connection events: `.anywhere`
        if source.mode == .replay { model.loadBookmarks(recording: (source as? FileSource)?.path ?? "-") }
        self.model = model
        let file = source as? FileSource
        markers = file.flatMap { $0.mode == .replay ? MarkerPass(path: $0.path, alarmSettings: alarmSettings) : nil }
    }

    /// Runs until the user quits or the session cannot go on; returns the exit code.
    /// The terminal is restored on every path out (the screen's signal handlers cover signals).
    public func run() throws -> Int32 {
        let screen = try CursesScreen()
        defer { screen.stop() }
        SystemCalls.installTerminationHandlers()
        // Measuring only: the latency probe sees what the inbox holds (nil unless SURGTOP_LATENCY_LOG is set).
        let latency = source.mode == .live ? LatencyProbe.active : nil
        defer { latency?.finish() }
        if let latency { source.start(sink: latency.sink(into: inbox)) } else { source.start(inbox: inbox) }
        defer { source.stop() }
        defer { markers?.stop() }  // started by the loop once the replay plays at its pace
        let loop = ConsoleLoop(model: model, terminal: screen, inbox: inbox, playback: control, recorder: recorder,
                               quiet: quiet, length: length, markers: markers, latency: latency)
        let exit = loop.run()
        screen.stop()
        // A bookmark saved just before quitting may still be on its way to the disk.
        let unread = loop.model.bookmarkProblemOnScreen.map { [$0] } ?? []
        for problem in unread + (loop.model.bookmarkWriter?.finish() ?? []) {
            SystemCalls.writeStandardError("surgtop: " + problem)
        }
        if case .fatal(let fatal) = exit {
            SystemCalls.writeStandardError("surgtop: " + WireText.sanitize(fatal))
            return 1
        }
        if let problem = ReplayProblem.noSessionFrame(loop.model.driver, label: source.label) {
            SystemCalls.writeStandardError("surgtop: " + problem)
            return 1
        }
        return 0
    }
}
