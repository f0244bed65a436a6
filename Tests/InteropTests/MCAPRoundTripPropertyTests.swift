import Foundation
import Interop
import MCAP
import Simulator
import Telemetry
import TelemetrySources
import Testing

/// NDJSON → MCAP (the exporter `convert` uses) → NDJSON (the reader replay, check and report use) gives
/// the same frames, in the same order, over simulated sessions varied at random: arm frames carrying any
/// subset of their parts, frames whose `t` goes back, a second session, robot alarms, events with hostile
/// text, sync frames, several chunk sizes and both compressions.
@Suite("MCAP round trip over simulated sessions")
struct MCAPRoundTripPropertyTests {
    /// A small seeded generator, so a failing case can be named by its seed.
    struct Dice {
        var mix: SplitMix64
        init(state: UInt64) { mix = SplitMix64(state: state) }
        mutating func next() -> UInt64 { mix.next() }
        mutating func chance(_ p: Double) -> Bool { Double(next() % 10_000) < p * 10_000 }
        mutating func pick<T>(_ options: [T]) -> T { options[Int(next() % UInt64(options.count))] }
    }

    /// Keeps each of an arm frame's parts, or not, at random (at least the arm stays).
    static func thinned(_ sample: ArmSample, _ dice: inout Dice) -> ArmSample {
        var s = sample
        if dice.chance(0.3) { s.state = nil; s.homed = nil; s.following = nil }
        if dice.chance(0.3) { s.position = nil; s.velocity = nil; s.effort = nil }
        if dice.chance(0.2) { s.velocity = nil }
        if dice.chance(0.3) { s.jaw = nil }
        if dice.chance(0.3) { s.tip = nil; s.orientation = nil }
        if dice.chance(0.3) { s.twist = nil }
        return s
    }

    /// A varied recording: `seconds` of a simulated session per session, two sessions.
    static func recording(seed: UInt64) -> [Frame] {
        var dice = Dice(state: seed)
        var frames: [Frame] = []
        for session in 0..<2 {
            var simulator = SessionSimulator(options: SimulatorOptions(seed: seed &+ UInt64(session), armRateHz: 50, includeMasters: dice.chance(0.5)))
            let seconds = Double(2 + dice.next() % 4)
            while true {
                var frame = simulator.next()
                if frame.t > seconds { break }
                switch frame.body {
                case .session(var info):
                    info.id = "ROUND-\(seed)-\(session)"
                    info.startedAt = dice.chance(0.5) ? "2026-11-24T08:0\(session):00Z" : nil
                    frame.body = .session(info)
                case .arm(let sample):
                    frame.body = .arm(thinned(sample, &dice))
                default: break
                }
                if dice.chance(0.01) { frame.t -= 0.5 }  // out of order: kept where it is
                frames.append(frame)
                if dice.chance(0.005) {
                    frames.append(Frame(t: frame.t, body: .alarm(AlarmReport(id: "PSM1.TEST", state: dice.chance(0.5) ? .raised : .cleared,
                                                                               priority: .medium, source: "PSM1", message: "tëst \u{1B}[31m\"quoted\"\\"))))
                }
                if dice.chance(0.005) {
                    frames.append(Frame(t: frame.t, seq: nil, body: .event(EventNote(kind: dice.pick(["note", "clutch", "caption"]),
                                                                                     text: dice.pick(["\u{202E}evil", "line\nbreak", "tab\there", "日本語", ""])))))
                }
                if dice.chance(0.002) {
                    frames.append(Frame(t: frame.t, body: .sync(SyncSnapshot(alarms: [], instruments: []))))
                }
            }
        }
        return frames
    }

    static func ndjson(_ frames: [Frame]) -> [UInt8] {
        let encoder = FrameEncoder()
        var bytes: [UInt8] = []
        for frame in frames { encoder.encode(frame, into: &bytes) }
        return bytes
    }

    /// What a reader of recordings gets from `path`: every outcome, and the reader's problem and notes.
    static func read(_ path: String) throws -> (outcomes: [DecodeOutcome], problem: String?, notes: [String]) {
        let reader = try RecordingReader(path: path)
        var outcomes: [DecodeOutcome] = []
        reader.decodeAll { outcomes.append($0); return true }
        return (outcomes, reader.problem, reader.notes)
    }

    @Test("NDJSON → MCAP → NDJSON gives the same frames, for every seed, chunk size and compression",
          arguments: [(UInt64(1), 4 << 20, true), (2, 64 << 10, true), (3, 16 << 10, false), (4, 1 << 20, false), (5, 8 << 10, true)])
    func sameFrames(seed: UInt64, chunkSize: Int, zstd: Bool) throws {
        let frames = Self.recording(seed: seed)
        let lines = Self.ndjson(frames)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("surgtop-roundtrip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let ndjsonPath = dir.appendingPathComponent("in.ndjson").path
        let mcapPath = dir.appendingPathComponent("out.mcap").path
        try Data(lines).write(to: URL(fileURLWithPath: ndjsonPath))

        let options = MCAPExport.Options(compression: zstd ? .zstd(level: 1) : .none, chunkSize: chunkSize, source: "in.ndjson",
                                         surgtopVersion: "test")
        let (mcap, summary) = try MCAPExport.convert(lines, options: options)
        try Data(mcap).write(to: URL(fileURLWithPath: mcapPath))
        #expect(summary.frames == frames.count)
        #expect(summary.badLines == 0)

        let original = try Self.read(ndjsonPath)
        let back = try Self.read(mcapPath)
        #expect(back.problem == nil)
        #expect(back.notes.isEmpty)
        // Every outcome equal, bad and good alike (the same arm declared, the same order, the same values).
        #expect(back.outcomes.count == original.outcomes.count)
        #expect(back.outcomes == original.outcomes)
        // And the frames are the ones generated (the NDJSON side is the decoder's own round trip).
        let decoded = back.outcomes.compactMap { if case .frame(let f) = $0 { f } else { nil } }
        #expect(decoded.count == frames.count)
    }
}
