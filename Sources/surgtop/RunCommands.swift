import ArgumentParser
import Console
import Simulator
import Telemetry
import TelemetrySources
import SessionCore
import SystemCalls
import View

/// Options every watching command shares.
struct WatchOptions: ParsableArguments {
    @Flag(help: "Run without the full-screen console: print one status line per second (also the behaviour when there is no terminal: stdout redirected, or a service manager).")
    var headless = false

    @Option(help: ArgumentHelp("Alarm thresholds (YAML) overriding the defaults (default: ~/.config/surgtop/alarms.yaml when it exists); see the README.", valueName: "FILE"))
    var alarms: String?

    @Option(help: ArgumentHelp("Append the alarm log here; its directory must exist (default: a live session writes one file per session under ~/.local/state/surgtop/, a demo or replay none).", valueName: "FILE"))
    var alarmLog: String?

    @Flag(help: "No alarm sounds (the terminal bell).")
    var quiet = false

    /// The alarm settings: defaults, overridden by --alarms FILE. A bad file is a usage error.
    func alarmSettings() throws -> AlarmSettings {
        try loadAlarmSettings(alarms)
    }

    /// The alarm log's writer. A `--alarm-log FILE` is opened and written to now, so a path
    /// that cannot take the log (a directory, /proc/…, a full disk) stops the start (exit 2)
    /// instead of failing silently at the first alarm.
    /// Without `--alarm-log` only a live session keeps a log (one file per session); a demo or a
    /// replay shows its log with `l` and writes none.
    func recorder(watching label: String, mode: SessionMode) throws -> AlarmRecorder {
        let destination: AlarmRecorder.Destination = alarmLog.map { .file($0) } ?? (mode == .live ? .perSession : .none)
        let recorder = AlarmRecorder(destination: destination)
        do {
            try recorder.openNow(note: "surgtop started writing this log, watching \(label)")
        } catch {
            throw Failure.io(error.description)
        }
        return recorder
    }

    @Option(help: ArgumentHelp("Screen layout: a name (see `surgtop layouts`) or a YAML file.", valueName: "NAME|PATH"))
    var layout: String?

    /// The layouts, with `--layout` checked in every mode: a name that is no layout, or a file
    /// that cannot be read or parsed, is a usage error (exit 2) naming the problem.
    func layoutCatalog() throws -> LayoutCatalog {
        let catalog = UserLayouts.catalog()
        if let layout, case .failure(let error) = catalog.resolve(layout) { throw Failure.usage(error.description) }
        return catalog
    }

    @Option(help: ArgumentHelp("Print one frame of the console as plain text at this size, then exit.", valueName: "WxH"))
    var snapshot: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("With --snapshot: the session time to show (replay, demo) or seconds to wait (live).", valueName: "SECONDS"))
    var at: Double?

    func validate() throws {
        if let snapshot, Self.size(snapshot) == nil {
            throw ValidationError("--snapshot takes a size like 120x40, not '\(snapshot)'")
        }
        if at != nil && snapshot == nil { throw ValidationError("--at goes with --snapshot") }
        if let at, !(at >= 0 && at <= Frame.timeLimit) {
            throw ValidationError("--at must be 0 or more seconds (at most 1e9), not \(NumberText.trimmed(at, 3))")
        }
    }

    static func size(_ text: String) -> (width: Int, height: Int)? {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), (1...1000).contains(w), (1...1000).contains(h) else { return nil }
        return (w, h)
    }
}

/// `--record FILE` of `live` and `demo`.
struct RecordOption: ParsableArguments {
    @Option(help: ArgumentHelp("Record to FILE (.ndjson, or .ndjson.gz compressed): live writes every line received, exactly as received, bad ones too; demo writes its frames, encoded. A new session goes to STEM.<id>.ndjson[.gz] next to FILE (STEM: FILE without .ndjson[.gz]).", valueName: "FILE"))
    var record: String?

    /// The recorder, FILE not opened yet (`open(_:)`, once the rest of the start-up passed):
    /// a run that fails to start leaves an earlier recording alone.
    func recorder(recordsFrames: Bool) throws -> WireRecorder? {
        guard let record else { return nil }
        if record == "-" || record.isEmpty { throw Failure.usage("--record needs a file name (standard output shows the console)") }
        // A recording is evidence: never overwritten silently. Devices (/dev/full) and empty files are fine.
        if SystemCalls.isRegularFile(record), let size = try? SystemCalls.status(path: record).size, size > 0 {
            throw Failure.usage("--record: '\(record)' already exists; choose another name or remove it")
        }
        do {
            return try WireRecorder(path: record, recordsFrames: recordsFrames, openingNow: false)
        } catch {
            throw Failure.usage("--record: \(error.description)")
        }
    }

    /// Creates FILE: a path that cannot be written is a usage error.
    func open(_ recorder: WireRecorder?) throws {
        do {
            try recorder?.openFile()
        } catch {
            throw Failure.usage("--record: \(error.description)")
        }
    }

    /// `--snapshot` prints one frame and records nothing: asking for both is a mistake.
    func refuseWithSnapshot(_ watch: WatchOptions) throws {
        if record != nil && watch.snapshot != nil {
            throw Failure.usage("--record does not go with --snapshot (a snapshot shows one frame and records nothing)")
        }
    }
}

/// `surgtop demo`: the simulator in real time, clearly marked DEMO.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the demo: simulated sessions that tell a story, clearly marked DEMO.",
        discussion: """
        Without --scenario, plays a tour: every scenario in turn (a routine case, congestion and \
        failover, an instrument fault, a link loss, a transcontinental link), looping forever, each \
        a new session with its own id. A caption band says what is happening and what to look at. \
        --scenario plays one, by name or from a YAML file, and loops it (each round a new session), \
        so it can run unattended on a stand. Scenarios are built in, or yours in \
        ~/.config/surgtop/scenarios/NAME.yaml (one with a built-in name replaces it); the schema \
        is in the project's Scenarios/README.md. The same seed always gives the same sessions. \
        With --snapshot, --at counts from the start of the tour (or of the scenario, looping).

        Examples:
          surgtop
          surgtop demo --list
          surgtop demo --scenario congestion-failover
          surgtop demo --scenario ./my-hospital.yaml --seed 3
          surgtop demo --scenario link-loss --snapshot 160x50 --at 40
          surgtop demo --headless
          surgtop demo --record demo.ndjson.gz
        """
    )

    @Option(parsing: .unconditional, help: "Seed of the simulated sessions.")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Arm frames per second per arm (10–1000).")
    var rate: Double = 100

    @Option(help: ArgumentHelp("Play this scenario, looping: a name (see --list) or a YAML file. Without it, a tour of every scenario.",
                               valueName: "NAME|PATH"))
    var scenario: String?

    @Flag(help: "List the scenarios (name, length, where each comes from, description) and exit.")
    var list = false

    @OptionGroup var watch: WatchOptions
    @OptionGroup var recording: RecordOption

    func run() throws {
        let catalog = ScenarioCatalog()
        if list {
            // --list names every scenario: a scenario given with it would be silently ignored.
            if scenario != nil { throw Failure.usage("--list lists every scenario; it does not go with --scenario") }
            for line in catalog.listing() { Output.text(line) }
            return
        }
        try recording.refuseWithSnapshot(watch)
        let options = SimulatorOptions(seed: seed, armRateHz: rate)
        do {
            try options.validate()
        } catch {
            throw Failure.usage(error.description)
        }
        let tour = try scenarios(from: catalog)
        if let size = watch.snapshot.flatMap(WatchOptions.size) {
            // The scenario playing at --at seconds into the tour, that far into it.
            var shown = watch, session = options
            if let position = SessionTour(options: options, scenarios: tour).position(at: watch.at ?? 0) {
                session = position.options
                shown.at = position.t
            }
            try Watch.snapshot(.simulator(session), size: size, options: shown)
            return
        }
        let simulator = SimulatorSource(options: options, tour: tour)
        // The simulator makes frames, not bytes: they are recorded encoded, as `sim --out` writes them.
        let recorder = try recording.recorder(recordsFrames: true)
        // Everything else a start can fail on (settings, layout, the alarm log) comes before
        // FILE is created, so a mistake leaves no empty recording behind.
        _ = try watch.alarmSettings()
        _ = try watch.layoutCatalog()
        let alarmLog = try watch.recorder(watching: simulator.label, mode: simulator.mode)
        try recording.open(recorder)
        let source = recorder.map { $0.wrapping(simulator) } ?? simulator
        try Watch.run(source: source, inbox: SourceInbox(), control: nil, options: watch, alarmLog: alarmLog)
    }

    /// `--scenario`'s one scenario (a bad one is a usage error naming its file and line), or
    /// the tour; a user file that cannot be used is left out of the tour, and said.
    private func scenarios(from catalog: ScenarioCatalog) throws -> [Scenario] {
        if let scenario {
            switch catalog.resolve(scenario) {
            case .success(let played): return [played]
            case .failure(let problem): throw Failure.usage(problem.description)
            }
        }
        let tour = catalog.tour()
        for problem in tour.problems { Output.error(problem) }
        return tour.scenarios
    }
}

/// `surgtop live`: a live session from a gateway, a pushing gateway, or standard input.
struct Live: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch a live session from a telemetry gateway.",
        discussion: """
        Connects to the gateway at HOST:PORT and keeps retrying (0.25 s up to 5 s apart) when the \
        connection drops or is refused. A connection whose first valid frame does not come within \
        telemetry.handshake_s of connecting, or that is silent for telemetry.reconnect_after_s \
        after a frame (5 s each by default, at least 1 s), is dropped and dialled again. With \
        --listen, waits for a gateway that pushes (loopback unless an address is given; one \
        gateway at a time, dropped by the same two deadlines). With -, reads standard input (the \
        console then takes its keys from the terminal). A stream whose session frame declares a \
        format version other than 1 is refused (alarm TELEMETRY.VERSION) and the console goes on \
        listening or retrying. surgtop never writes to the connection.

        Examples:
          surgtop live 10.1.2.3:7000
          surgtop live --listen 7000
          surgtop live --listen 0.0.0.0:7000
          gateway-dump | surgtop live -
          surgtop live 10.1.2.3:7000 --record case.ndjson.gz
        """
    )

    @Argument(help: "HOST:PORT of the gateway, or - for standard input.")
    var target: String?

    @Option(help: ArgumentHelp("Listen for a gateway that connects to us, on [ADDR:]PORT.", valueName: "[ADDR:]PORT"))
    var listen: String?

    @OptionGroup var watch: WatchOptions
    @OptionGroup var recording: RecordOption

    func validate() throws {
        if target == nil && listen == nil {
            throw ValidationError("give the gateway as HOST:PORT, or --listen [ADDR:]PORT, or - for standard input")
        }
        if target != nil && listen != nil {
            throw ValidationError("give either HOST:PORT or --listen, not both")
        }
    }

    func run() throws {
        try recording.refuseWithSnapshot(watch)
        // A network source gets a bounded inbox: in a flood it drops arm samples and holds the
        // gateway back rather than grow (standard input waits for room instead).
        let inbox = target == "-" ? SourceInbox() : SourceInbox.live()
        var source: any TelemetrySource
        // telemetry.handshake_s: how long a new connection may take to deliver its first valid
        // frame; telemetry.reconnect_after_s: how long an open one may go without one. Past
        // either the listener frees its one slot, the client dials again.
        let settings = try watch.alarmSettings()
        let handshake = settings.handshakeSeconds, silence = settings.reconnectAfterSeconds
        let recorder = try recording.recorder(recordsFrames: false)
        let tap = recorder?.tap
        // Measuring only: the full-screen console's socket reads are stamped (SURGTOP_LATENCY_LOG);
        // a headless run or a snapshot never opens the log.
        let arrivals = watch.snapshot == nil && Watch.runsFullScreen(watch) ? LatencyProbe.active : nil
        if let listen {
            let address: ListenAddress
            do { address = try ListenAddress(parsing: listen) } catch { throw Failure.usage("\(error)") }
            let listener = TCPListenerSource(address: address, handshakeTimeout: handshake, silenceTimeout: silence,
                                             backlog: inbox.countProvider, tap: tap, arrivals: arrivals)
            do { try listener.bind() } catch { throw Failure.io("\(error)") }
            source = listener
        } else if target == "-" {
            source = FileSource(path: "-", mode: .live, paced: false, backlog: inbox.countProvider, tap: tap)
        } else {
            let endpoint: HostPort
            do { endpoint = try HostPort(parsing: target ?? "") } catch { throw Failure.usage("\(error)") }
            source = TCPClientSource(host: endpoint.host, port: endpoint.port, backlog: inbox.countProvider,
                                     handshakeTimeout: handshake, silenceTimeout: silence, tap: tap, arrivals: arrivals)
        }
        // Last, once the address parsed, the port is bound and the layout and alarm log are
        // checked: a failed start leaves FILE alone.
        var alarmLog: AlarmRecorder?
        if recorder != nil {
            _ = try watch.layoutCatalog()
            alarmLog = try watch.recorder(watching: source.label, mode: source.mode)
        }
        try recording.open(recorder)
        if let recorder { source = recorder.wrapping(source) }
        if let size = watch.snapshot.flatMap(WatchOptions.size) {
            try Watch.snapshot(.live(source, inbox), size: size, options: watch)
            return
        }
        try Watch.run(source: source, inbox: inbox, control: nil, options: watch, alarmLog: alarmLog)
    }
}

/// `surgtop replay FILE`: a recording, paced by its timestamps.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a recorded session.",
        discussion: """
        Plays the recording at the pace of its timestamps, scaled by --speed (0.1 to 64), starting \
        at --from (everything before is applied at once): seconds (750 or 750.5), minutes:seconds \
        (12:30) or the recording's own clock (09:12:30, its started_at plus the session time, UTC, \
        as the header shows it); a time past the end of the recording is refused. Recordings \
        ending in .ndjson.gz are decompressed on the fly. In the console: space pauses, + and - \
        change the speed, the arrow keys (or < and >) step back and forth 5 s, n/N and e/E jump to \
        the next/previous alarm raise and event, g goes to a typed time, . and , step one frame \
        while paused, [ and ] set an A-B loop, Home/End go to the start/end, m bookmarks the \
        moment with a note (kept in FILE.marks.ndjson beside the recording), h lists every alarm, \
        event and bookmark; derived alarms are recomputed from the recording.

        An MCAP file (.mcap) replays as well: surgtop's own (from `surgtop convert`), or a ROS 2 \
        bag (topics mapped to arms by --map, default the dVRK's CRTK names). A seek forward applies \
        every frame on the way, as with any recording; a seek back to a place already read jumps \
        to its chunk through the chunk index instead of reading from the start; a file cut before \
        its summary is read by scanning (said in the source log, l); a CRC mismatch ends the \
        replay there unless --ignore-crc is given, and so does a file truncated while it is read.

        Examples:
          surgtop replay session.ndjson
          surgtop replay session.mcap --from 300
          surgtop replay bag.mcap --map topics.yaml
          surgtop replay session.ndjson.gz --speed 4 --from 600
          surgtop replay session.ndjson --from 12:30
          surgtop replay session.ndjson --from 09:12:30
        """
    )

    @Argument(help: "The recording (.ndjson, .ndjson.gz or .mcap), or - for standard input (which cannot seek back).")
    var file: String

    @Option(parsing: .unconditional, help: "Playback speed: session seconds per wall-clock second, 0.1 to 64.")
    var speed: Double = 1

    @Option(parsing: .unconditional, help: ArgumentHelp("Start here: seconds (750), minutes:seconds (12:30) or the recording's clock (09:12:30).",
                                                        valueName: "TIME"))
    var from: String = "0"

    @OptionGroup var watch: WatchOptions

    @OptionGroup var interop: InteropFlags

    func validate() throws {
        if case .failure(let error) = ReplayTime.parse(from) { throw ValidationError("--from: " + error.description) }
        guard speed >= PlaybackControl.speedSteps[0] && speed <= PlaybackControl.speedSteps[PlaybackControl.speedSteps.count - 1] else {
            throw ValidationError("--speed must be from 0.1 to 64, not \(NumberText.trimmed(speed, 3))")
        }
    }

    func run() throws {
        try interop.apply()
        let inbox = SourceInbox()
        let control = PlaybackControl(speed: speed)
        do { try RecordingReader.checkReadable(path: file) } catch { throw Failure.io(error.description) }
        let start: Double
        switch ReplayStart.resolve(from, path: file) {
        case .success(let t): start = t
        case .failure(let error): throw Failure.usage(error.description)
        }
        let source = FileSource(path: file, mode: .replay, paced: true, from: start,
                                control: control, backlog: inbox.countProvider)
        do { try source.validate() } catch { throw Failure.io(error.description) }
        if let size = watch.snapshot.flatMap(WatchOptions.size) {
            try Watch.snapshot(.recording(path: file), size: size, options: watch)
            return
        }
        try Watch.run(source: source, inbox: inbox, control: control, options: watch,
                      length: RecordingLength(path: file))
    }
}

/// Runs a source in the full-screen console, or headless when asked or when stdout is not a terminal.
enum Watch {
    /// Whether `run` opens the full-screen console: not asked for headless, on a terminal that can draw it.
    static func runsFullScreen(_ options: WatchOptions) -> Bool {
        !options.headless && ConsoleApp.terminalAvailable && ConsoleApp.terminalProblem() == nil
    }

    /// - alarmLog: the alarm log's writer when the caller opened it already (before `--record`
    ///   creates its file); otherwise opened here.
    static func run(source: any TelemetrySource, inbox: SourceInbox, control: PlaybackControl?,
                    options: WatchOptions, length: RecordingLength? = nil, alarmLog: AlarmRecorder? = nil) throws {
        let code: Int32
        let catalog = try options.layoutCatalog()
        // With data on standard input (`live -`, `replay -`) the keys come from the controlling
        // terminal; with no terminal at all (a service manager, a pipe) it runs headless.
        var headless = options.headless || !ConsoleApp.terminalAvailable
        if !headless, let problem = ConsoleApp.terminalProblem() {
            // A terminal that cannot draw the console (TERM=dumb): say so once, and still watch.
            Output.error(problem + "; running headless instead (one status line per second)")
            headless = true
        }
        if headless {
            code = HeadlessRunner(source: source, inbox: inbox, alarmSettings: try options.alarmSettings(),
                                  recorder: try alarmLog ?? options.recorder(watching: source.label, mode: source.mode)).run()
        } else {
            let app = ConsoleApp(source: source, inbox: inbox, control: control, layoutRequest: options.layout,
                                 catalog: catalog, length: length, alarmSettings: try options.alarmSettings(),
                                 recorder: try alarmLog ?? options.recorder(watching: source.label, mode: source.mode), quiet: options.quiet)
            do {
                code = try app.run()
            } catch {
                throw Failure.io("cannot open the console: \(error); use --headless to run without a screen")
            }
        }
        if code != 0 { throw ExitCode(code) }
    }

    /// Prints one frame; a replay that failed (as headless and the console judge it) still
    /// prints its frame, then says why on stderr and exits 1.
    static func snapshot(_ input: Snapshot.Input, size: (width: Int, height: Int), options: WatchOptions) throws {
        let catalog = try options.layoutCatalog()
        let settings = try options.alarmSettings()
        let picture: Snapshot.Picture
        do {
            picture = try Snapshot.render(input, width: size.width, height: size.height, at: options.at ?? 0,
                                          layoutRequest: options.layout, catalog: catalog, alarmSettings: settings)
        } catch {
            throw Failure.io(error.description)
        }
        print(picture.text)
        if let problem = picture.problem { throw Failure(message: problem, code: 1) }
    }
}

/// The alarm settings of `--alarms FILE`, else of the user's own file
/// (`$XDG_CONFIG_HOME/surgtop/alarms.yaml` or `~/.config/surgtop/alarms.yaml`) when it exists,
/// else the documented defaults. A bad file is a usage error naming the file and the line.
func loadAlarmSettings(_ path: String?) throws -> AlarmSettings {
    do {
        if let path { return try AlarmSettingsFile.load(path: path) }
        return try AlarmSettingsFile.loadDefault(environment: SystemCalls.environment()).settings
    } catch {
        throw Failure.usage(error.description)
    }
}
