import SessionCore
import Simulator
import SystemCalls
import Telemetry
import TelemetrySources
import View

/// `--snapshot WxH [--at SECONDS]`: one frame of the console as plain text, for tests,
/// documentation and bug reports. No terminal is touched.
public enum Snapshot {
    public enum Input {
        /// Read the recording as fast as possible up to the time.
        case recording(path: String)
        /// Simulate up to the time, instantly.
        case simulator(SimulatorOptions)
        /// Watch a live source for the given wall-clock seconds.
        case live(any TelemetrySource, SourceInbox)
    }

    /// The frame, and what made the replay a failure (the same rules as the console's and
    /// headless: an unknown format version, or a recording that ended without a session frame).
    public struct Picture: Sendable {
        public var text: String
        /// One sentence for stderr (exit 1), or nil.
        public var problem: String?
    }

    /// Builds the session up to `at` and renders it at `width` × `height`.
    public static func render(_ input: Input, width: Int, height: Int, at: Double, layoutRequest: String?,
                              catalog: LayoutCatalog = UserLayouts.catalog(), alarmSettings: AlarmSettings = .defaults) throws(SourceError) -> Picture {
        let mode: SessionMode
        var label: String
        switch input {
        case .recording(let path):
            mode = .replay
            label = path == "-" ? "standard input" : path
        case .simulator(let options):
            mode = .demo
            label = "seed \(options.seed), arms at \(Int(options.armRateHz)) Hz"
        case .live(let source, _):
            mode = .live
            label = source.label
        }
        var model = ConsoleModel(mode: mode, label: label, catalog: catalog, layoutRequest: layoutRequest,
                                 alarmSettings: alarmSettings)
        // Arrival times follow session time, so nothing looks stale in a replay or demo.
        switch input {
        case .recording(let path):
            try RecordingReader.checkReadable(path: path)
            model.duration = RecordingLength.measure(path: path)
            model.driver.handle(.state(.connected(peer: path)), arrival: 0)
            try replay(path, until: at, into: &model)
        case .simulator(let options):
            var simulator = SessionSimulator(options: options)
            model.driver.handle(.state(.connected(peer: label)), arrival: 0)
            while simulator.nextTime <= at {
                let frame = simulator.next()
                model.driver.step(event: .decoded(.frame(frame)), now: frame.t)
            }
            // The demo runs in real time: a scenario's telemetry outage before `at` is judged as
            // it went by, ten times a second, so its alarm is raised when it was.
            var tick = model.driver.state.sessionTime
            while tick < at {
                tick = min(at, tick + 0.1)
                model.driver.step(events: [], now: tick)
            }
        case .live(let source, let inbox):
            source.start(sink: inbox.sink)
            let end = MonotonicClock.now() + at
            while MonotonicClock.now() < end {
                model.driver.step(events: inbox.drain(), now: MonotonicClock.now())
                SystemCalls.sleep(seconds: 0.02)
            }
            model.driver.step(events: inbox.drain(), now: MonotonicClock.now())
            source.stop()
        }
        let now: Double
        switch input {
        case .live: now = MonotonicClock.now()
        case .simulator: now = max(at, model.driver.state.sessionTime)
        default: now = model.driver.state.sessionTime
        }
        model.capabilities = (unicode: WallClock.localeIsUTF8(), colors: false)
        var buffer = CellBuffer(width: width, height: height)
        let playback = mode == .replay ? PlaybackControl().current : nil  // as a replay starts: playing, at 1×
        model.frame(now: now, wallClock: WallClock.now(), playback: playback).render(into: &buffer, state: &model.view)
        let problem = model.driver.fatal.map { WireText.sanitize($0) } ?? ReplayProblem.noSessionFrame(model.driver, label: label)
        return Picture(text: buffer.text, problem: problem)
    }

    /// Plays a recording up to session time `at` the way the console opens a replay `--from`
    /// it: a `FileSource` decodes on its own thread while this one applies what it has decoded,
    /// so the two cores share the work. The alarms are evaluated once per tenth of a second of
    /// session time that has frames, at its last frame (each tenth's frames applied together,
    /// arriving at that frame's time), as the console evaluates a long batch: whatever the
    /// threads' timing, the same frames are applied in the same steps, so the picture is the same
    /// every time, and an alarm is raised and logged at its own tenth.
    ///
    /// Past `at` the reading goes on (nothing applied) until a session frame: a recording
    /// without any is judged as when played to its end, whatever `at` is.
    private static func replay(_ path: String, until at: Double, into model: inout ConsoleModel) throws(SourceError) {
        let inbox = SourceInbox()
        let source = FileSource(path: path, mode: .replay, paced: false, backlog: inbox.countProvider)
        source.start(inbox: inbox)
        defer { source.stop() }
        var tenth = TenthBatch()
        func applyTenth() {
            if let batch = tenth.take() { model.driver.step(events: batch.events, now: batch.time) }
        }
        var ended = true, past = false, sawSession = false
        reading: while true {
            let events = inbox.drain()
            if events.isEmpty {
                SystemCalls.sleep(seconds: 0.0005)
                continue
            }
            for event in events {
                switch event {
                case .state(.failed(let why)):
                    throw SourceError(why)
                case .state(.ended):
                    break reading
                case .decoded(let outcome):
                    var frameT: Double?
                    if case .frame(let frame) = outcome {
                        if case .session = frame.body {
                            if past { ended = false; break reading }
                            sawSession = true
                        }
                        if frame.t > at && !past {
                            past = true
                            if sawSession { ended = false; break reading }
                        }
                        if !past && tenth.startsNewTenth(at: frame.t) { applyTenth() }
                        frameT = frame.t
                    }
                    if !past { tenth.add(event, at: frameT) }
                default:
                    break  // the source's own states and notes: a snapshot shows the recording's
                }
            }
        }
        applyTenth()
        if ended { model.driver.handle(.state(.ended), arrival: 0) }
    }
}
