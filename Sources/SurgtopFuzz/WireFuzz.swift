import Console
import Foundation
import SessionCore
import Telemetry
import TelemetrySources
import Terminal
import View

/// What one wire input does besides its bytes: the mode, screen, layout, chunking, arrival
/// clock, keys and render time. An input that starts with a NUL byte carries it in the three
/// bytes after the NUL (see `init(header:)`); any other input is all wire bytes and runs with
/// `default`, so a plain `.ndjson` file is a valid input as it is.
public struct WireFuzzConfig: Sendable, Equatable, CustomStringConvertible {
    /// How arrival (monotonic) time is injected.
    public enum Arrival: Int, Sendable, CaseIterable {
        /// Each line on its own, arriving at its session time `t` (a replay or the demo, and
        /// `--snapshot`), alarms evaluated after each.
        case sessionTime
        /// Each chunk as one batch, chunks 0.5 s apart from 1000 (a live console draining its inbox).
        case chunkBatches
        /// Each line on its own at 500 Hz from 1000 (a fast live stream), alarms every 50 lines.
        case steadyRate
        /// Each line at 1000 + t (a live stream in real time), alarms after each.
        case offsetSessionTime
    }

    public var mode: SessionMode = .live
    public var size = TerminalSize(width: 120, height: 40)
    /// nil: the mode's default layout through the console model (which falls back to compact
    /// when it does not fit); otherwise shipped layouts drawn directly, whatever their minimum.
    public var layouts: [String]?
    public var unicode = true
    public var colors = true
    /// Where the wire bytes are cut into three chunks: `first` sixteenths of the whole, then
    /// `second` sixteenths of the rest.
    public var firstCut = 8
    public var secondCut = 8
    public var arrival: Arrival = .sessionTime
    /// Keys pressed once the data is in (see `keyPrograms`).
    public var keyProgram = 0
    /// Seconds after the last arrival at which the screen is drawn (stale panels, flashing).
    public var renderDelay: Double = 0
    /// Live: the connection drops at the second cut and a new one starts there. Replay: once
    /// the data is in, seek back to the middle checkpoint and read on from it.
    public var restart = false

    public static let `default` = WireFuzzConfig()

    public init() {}

    /// From header bytes `c1 c2 c3`:
    /// - c1: bits 0–1 mode (live, replay, demo, live); bit 2 size (120×40, 80×24); bits 3–5
    ///   layout (0, 6, 7: the mode's default; 1–4: technician, trainer, demo, compact; 5: all
    ///   four); bit 6 ASCII; bit 7 no colours.
    /// - c2: low nibble `firstCut`, high nibble `secondCut`.
    /// - c3: bits 0–1 arrival; bits 2–4 key program; bits 5–6 render delay (0, 0.7, 3, 10⁴ s);
    ///   bit 7 restart.
    public init(header c1: UInt8, _ c2: UInt8, _ c3: UInt8) {
        mode = [SessionMode.live, .replay, .demo, .live][Int(c1 & 3)]
        size = c1 & 4 == 0 ? TerminalSize(width: 120, height: 40) : TerminalSize(width: 80, height: 24)
        let layout = Int((c1 >> 3) & 7)
        switch layout {
        case 1...4: layouts = [LayoutCatalog.shippedOrder[layout - 1]]
        case 5: layouts = LayoutCatalog.shippedOrder
        default: layouts = nil
        }
        unicode = c1 & 0x40 == 0
        colors = c1 & 0x80 == 0
        firstCut = Int(c2 & 0x0F)
        secondCut = Int(c2 >> 4)
        arrival = Arrival(rawValue: Int(c3 & 3))!
        keyProgram = Int((c3 >> 2) & 7)
        renderDelay = [0, 0.7, 3, 10_000][Int((c3 >> 5) & 3)]
        restart = c3 & 0x80 != 0
    }

    /// The header bytes that give this configuration (layout lists other than those above map to 0).
    public var header: [UInt8] {
        let modeBits: UInt8 = mode == .live ? 0 : mode == .replay ? 1 : 2
        var layoutBits: UInt8 = 0
        if let layouts {
            if layouts == LayoutCatalog.shippedOrder {
                layoutBits = 5
            } else if layouts.count == 1, let k = LayoutCatalog.shippedOrder.firstIndex(of: layouts[0]) {
                layoutBits = UInt8(k + 1)
            }
        }
        let c1 = modeBits | (size.height < 40 ? 4 : 0) | layoutBits << 3 | (unicode ? 0 : 0x40) | (colors ? 0 : 0x80)
        let c2 = UInt8(firstCut & 15) | UInt8(secondCut & 15) << 4
        let delayBits: UInt8 = renderDelay == 0 ? 0 : renderDelay < 1 ? 1 : renderDelay < 10 ? 2 : 3
        let c3 = UInt8(arrival.rawValue) | UInt8(keyProgram & 7) << 2 | delayBits << 5 | (restart ? 0x80 : 0)
        return [0, c1, c2, c3]
    }

    public var description: String {
        "\(mode.rawValue.lowercased()) \(size) layout=\(layouts?.joined(separator: "+") ?? "default")"
            + "\(unicode ? "" : " ascii")\(colors ? "" : " mono") cuts=\(firstCut)/\(secondCut) arrival=\(arrival)"
            + " keys=\(keyProgram) delay=\(renderDelay)\(restart ? " restart" : "")"
    }

    /// Every mode × layout (the mode's default, and each shipped one) × size: what the corpus
    /// replayer's `--all` runs on each input besides the input's own configuration.
    public static var everyScreen: [WireFuzzConfig] {
        var out: [WireFuzzConfig] = []
        for mode in [SessionMode.live, .replay, .demo] {
            for size in [TerminalSize(width: 80, height: 24), TerminalSize(width: 120, height: 40)] {
                for layouts in [nil, LayoutCatalog.shippedOrder] as [[String]?] {
                    var c = WireFuzzConfig()
                    c.mode = mode
                    c.size = size
                    c.layouts = layouts
                    c.keyProgram = 0
                    out.append(c)
                }
            }
        }
        return out
    }
}

/// The wire fuzz target: bytes into the decoder as a live source feeds it (in chunks, so lines
/// straddle chunk boundaries), every outcome into the session driver (`SessionState` and the
/// alarm engine, with injected times), keys into the console model, then the screen, the
/// headless status line, the alarm log and the report.
public enum WireFuzz {
    /// Lines decoded and applied per input at most; the rest of a long input is ignored, so
    /// every execution stays cheap.
    public static let maxOutcomes = 3_000
    /// Alarm evaluations per input at most (besides the final one).
    public static let maxEvaluations = 400

    /// Runs one fuzzer input: an optional `NUL c1 c2 c3` header, then wire bytes.
    public static func run(_ data: UnsafeRawBufferPointer) {
        let (config, wire) = split(data)
        run(wire: wire, config: config)
    }

    /// The screen an input ends on (the console model's), with its configuration: what the
    /// replayer's `--print` shows.
    public static func screen(_ data: UnsafeRawBufferPointer) -> String {
        let (config, wire) = split(data)
        return "[\(config)]\n" + run(wire: wire, config: config, screen: true)
    }

    /// Runs an input's wire bytes in every mode, layout and size (`WireFuzzConfig.everyScreen`).
    public static func runEveryScreen(_ data: UnsafeRawBufferPointer) {
        let (_, wire) = split(data)
        for config in WireFuzzConfig.everyScreen { run(wire: wire, config: config) }
    }

    /// The configuration an input asks for, and its wire bytes.
    public static func split(_ data: UnsafeRawBufferPointer) -> (WireFuzzConfig, UnsafeRawBufferPointer) {
        if data.count >= 4, data[0] == 0 {
            return (WireFuzzConfig(header: data[1], data[2], data[3]), UnsafeRawBufferPointer(rebasing: data[4...]))
        }
        return (.default, data)
    }

    /// Runs wire bytes with a configuration; returns the console model's screen as text when
    /// `screen` is set (the fuzzer does not ask: making the text costs time).
    @discardableResult
    public static func run(wire: UnsafeRawBufferPointer, config: WireFuzzConfig, screen wantScreen: Bool = false) -> String {
        let catalog = sharedCatalog
        var model = ConsoleModel(mode: config.mode, label: "fuzz", catalog: catalog, layoutRequest: nil)
        model.capabilities = (unicode: config.unicode, colors: config.colors)
        let control: PlaybackControl? = config.mode == .replay ? PlaybackControl() : nil
        let recorder = AlarmRecorder(destination: .none)
        var report = SessionReportBuilder()

        // The chunks, as a source would read them.
        let n = wire.count
        let cut1 = n * config.firstCut / 16
        let cut2 = cut1 + (n - cut1) * config.secondCut / 16
        let chunks = [0..<cut1, cut1..<cut2, cut2..<n]

        var feeder = Feeder(config: config)
        model.driver.handle(.state(.connected(peer: "fuzz")), arrival: feeder.arrival)
        var stream = FrameStream()
        var lastT = 0.0
        for (k, range) in chunks.enumerated() {
            if config.restart && config.mode == .live && k == 2 {
                // The connection dropped and came back: the source says so and starts a new stream.
                model.driver.handle(.state(.reconnecting(lostAt: feeder.arrival, attempt: 1, reason: "fuzz")), arrival: feeder.arrival)
                stream.finish { feeder.add(.decoded($0), stream: nil) }
                feeder.flush(&model.driver)
                stream.reset()
                feeder.add(.reset, stream: nil)
                feeder.add(.state(.connected(peer: "fuzz")), stream: nil)
            }
            let chunk = UnsafeRawBufferPointer(rebasing: wire[range])
            stream.feed(chunk) { outcome, lineEnd, decoder in
                guard feeder.outcomes < maxOutcomes else { return }
                feeder.add(.decoded(outcome), stream: (lineEnd, decoder))
            }
            feeder.endOfChunk(&model.driver)
        }
        stream.finish { feeder.add(.decoded($0), stream: nil) }
        feeder.flush(&model.driver)
        if config.mode != .live { model.driver.handle(.state(.ended), arrival: feeder.arrival) }
        for outcome in feeder.decoded {
            report.add(outcome)
            if case .frame(let frame) = outcome { lastT = frame.t }
        }

        // A replay seeks back to a kept checkpoint and reads on from there, as the file source does.
        if config.restart && config.mode == .replay, let control {
            let target = lastT / 2
            let from = model.driver.checkpoint(forSeekTo: target)
            let id = control.seek(to: target, from: from)
            if let from {
                model.driver.handle(.resumed(from), arrival: feeder.arrival)
                model.driver.handle(.seeked(id), arrival: feeder.arrival)
                var resumed = FrameStream(decoder: from.position.decoder, offset: from.position.offset)
                let start = min(max(0, from.position.offset), n)
                var again = Feeder(config: config)
                again.clock = feeder.clock
                again.sessions = from.sessionClock
                resumed.feed(UnsafeRawBufferPointer(rebasing: wire[start...])) { outcome, _, _ in
                    guard again.outcomes < maxOutcomes else { return }
                    again.add(.decoded(outcome), stream: nil)
                }
                resumed.finish { again.add(.decoded($0), stream: nil) }
                again.flush(&model.driver)
            } else {
                model.driver.handle(.reset, arrival: feeder.arrival)
                model.driver.handle(.seeked(id), arrival: feeder.arrival)
            }
            model.settleSeek()
        }

        // The console's tick: alarms, the log, the bell.
        let now: Double
        switch config.mode {
        case .live: now = feeder.arrival + config.renderDelay
        default: now = model.driver.state.sessionTime + config.renderDelay
        }
        model.driver.evaluateAlarms(arrivalNow: now)
        recorder.record(from: &model.driver)
        _ = model.driver.alarms.bellsDue(at: model.driver.alarms.now)
        for line in model.driver.log { _ = WireText.sanitize(line) }
        if model.mode == .replay { model.duration = lastT }

        // Keys, then the screen.
        for key in keyPrograms[config.keyProgram % keyPrograms.count] {
            model.press(key, playback: control, alarmLog: recorder.recent)
            if key == .character("p") { _ = model.driver.alarms.bellsDue(at: model.driver.alarms.now + 1) }
        }
        let screen = render(&model, config: config, now: now, control: control, screen: wantScreen)

        // Headless status line, alarm history, the report.
        _ = StatusLine.render(driver: model.driver, now: now)
        _ = StatusLine.sourceText(.reconnecting(lostAt: feeder.arrival, attempt: 2, reason: "fuzz"), now: now)
        _ = model.driver.alarms.history
        for priority in [AlarmPriority.high, .medium, .low] { _ = model.driver.alarms.seconds(withHighest: priority) }
        let summary = report.finish(alarms: model.driver.alarms)
        _ = try? reportEncoder.encode(summary)
        return screen
    }

    /// Draws the screen(s) the configuration asks for.
    static func render(_ model: inout ConsoleModel, config: WireFuzzConfig, now: Double, control: PlaybackControl?,
                       screen wantScreen: Bool) -> String {
        var buffer = CellBuffer(width: config.size.width, height: config.size.height)
        model.frame(now: now, wallClock: "10:46:56", playback: control?.current).render(into: &buffer, state: &model.view)
        // The text `--snapshot` prints, made only at 80×24 unless asked for: it costs time.
        let screen = wantScreen || config.size.width == 80 ? buffer.text : ""
        guard let names = config.layouts else { return screen }
        let context = model.context(now: now, wallClock: "10:46:56", playback: control?.current)
        for name in names {
            guard let layout = LayoutCatalog.builtIn(name) else { continue }
            ConsoleView.render(state: model.driver.state, context: context, layout: layout, into: &buffer)
        }
        return screen
    }

    /// Key sequences pressed after the data: nothing; acknowledge all; select and acknowledge one;
    /// pause the audio; help; the alarm log; next layout and scroll; quit (live asks to confirm)
    /// and, in a replay, step back and forward.
    static let keyPrograms: [[Key]] = [
        [],
        [.character("A")],
        [.tab, .tab, .tab, .down, .up, .down, .character("a")],
        [.character("p")],
        [.character("?")],
        [.character("l")],
        [.character("L"), .tab, .end, .pageDown, .up, .backTab, .down],
        [.character("q"), .left, .left, .right, .character(" "), .character("+")],
    ]

    static let sharedCatalog = LayoutCatalog(userDirectory: nil)

    static let reportEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}

/// Hands decoded lines to the driver with the arrival times the configuration asks for.
struct Feeder {
    let config: WireFuzzConfig
    /// The arrival clock (monotonic seconds).
    var clock: Double = 1000
    var outcomes = 0
    var evaluations = 0
    /// Events waiting for the end of the chunk, each with its arrival.
    var batch: [(event: SourceEvent, arrival: Double)] = []
    var decoded: [DecodeOutcome] = []
    var nextCheckpoint = 0.0
    /// Where sessions start, as the file source counts them for its checkpoints.
    var sessions = SessionClock(rule: .anywhere)

    init(config: WireFuzzConfig) {
        self.config = config
        if config.arrival == .sessionTime { clock = 0 }
    }

    var arrival: Double { clock }

    mutating func add(_ event: SourceEvent, stream: (lineEnd: Int, decoder: FrameDecoder)?) {
        if case .decoded(let outcome) = event {
            outcomes += 1
            decoded.append(outcome)
            switch config.arrival {
            case .sessionTime:
                if case .frame(let frame) = outcome { clock = frame.t }
            case .steadyRate:
                clock += 0.002
            case .offsetSessionTime:
                if case .frame(let frame) = outcome { clock = 1000 + frame.t }
            case .chunkBatches:
                break
            }
        }
        batch.append((event, clock))
        if case .decoded(.frame(let frame)) = event, sessions.observe(frame)?.startsNewSession == true { nextCheckpoint = frame.t }
        // A replay marks checkpoints every 10 s of session time, as the file source does.
        if config.mode == .replay, let stream, case .decoded(.frame(let frame)) = event, frame.t >= nextCheckpoint {
            let position = RecordingPosition(offset: stream.lineEnd, decoder: stream.decoder)
            batch.append((.checkpoint(ReplayCheckpoint(t: frame.t, position: position, sessionClock: sessions)), clock))
            nextCheckpoint = frame.t + FileSource.checkpointInterval
        }
    }

    /// Applies what is waiting: as one batch (chunk batches), or line by line at each one's arrival.
    mutating func flush(_ driver: inout SessionDriver) {
        guard !batch.isEmpty else { return }
        switch config.arrival {
        case .chunkBatches:
            driver.handle(batch.map(\.event), arrival: clock)
            evaluate(&driver, at: clock)
        case .sessionTime, .offsetSessionTime:
            for (event, arrival) in batch {
                driver.handle(event, arrival: arrival)
                evaluate(&driver, at: arrival)
            }
        case .steadyRate:
            for (k, (event, arrival)) in batch.enumerated() {
                driver.handle(event, arrival: arrival)
                if k % 50 == 49 { evaluate(&driver, at: arrival) }
            }
            evaluate(&driver, at: clock)
        }
        batch.removeAll(keepingCapacity: true)
    }

    /// End of a chunk: what the chunk held is handed over and the clock moves on.
    mutating func endOfChunk(_ driver: inout SessionDriver) {
        flush(&driver)
        if config.arrival == .chunkBatches { clock += 0.5 }
    }

    private mutating func evaluate(_ driver: inout SessionDriver, at arrival: Double) {
        guard evaluations < WireFuzz.maxEvaluations else { return }
        evaluations += 1
        driver.evaluateAlarms(arrivalNow: arrival)
    }
}
