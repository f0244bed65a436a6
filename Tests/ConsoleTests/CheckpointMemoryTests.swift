import Telemetry
import TelemetrySources
import Testing
@testable import Console
@testable import SessionCore

/// The states a replay keeps at its checkpoints share their histories: what they cost together
/// is what their windows cover of the recording, not one full history each (issue 11: 92 MB at
/// minute 28 of a four-arm recording, because each kept checkpoint copied the history rings).
@Suite("Checkpoint memory")
struct CheckpointMemoryTests {
    /// Bytes of history storage: every chunk of every series of `states`, each counted once
    /// however many states hold it (`shared`), and as if each state had its own (`copied`).
    static func historyBytes(_ states: [SessionState]) -> (shared: Int, copied: Int) {
        var seen: [UInt: Int] = [:]
        var copied = 0
        for state in states {
            let series = state.arms.flatMap(\.positionHistory) + state.links.flatMap { $0.history.values }
            for chunk in series.flatMap(\.storage) {
                seen[chunk.address] = chunk.bytes
                copied += chunk.bytes
            }
        }
        return (seen.values.reduce(0, +), copied)
    }

    @Test("ten minutes of four arms: the kept states share their histories")
    func keptStatesShare() {
        let encoder = FrameEncoder()
        let joints = (0..<6).map { JointDescriptor(name: "j\($0)", unit: .rad, min: -2, max: 2) }
        let arms = ["PSM1", "PSM2", "PSM3", "ECM"].map { ArmDescriptor(id: $0, kind: .psm, joints: joints) }
        var driver = SessionDriver(mode: .replay)
        driver.keepsCheckpoints = true
        var decoder = FrameDecoder()
        func feed(_ frame: Frame) {
            let outcome = Array(encoder.encode(frame).utf8).withUnsafeBytes { decoder.decode($0) }
            driver.handle(.decoded(outcome), arrival: frame.t)
        }
        feed(Frame(t: 0, body: .session(SessionInfo(id: "MEM", arms: arms))))
        var nextCheckpoint = 0.0
        for k in 1...(600 * 20) {  // 20 Hz is enough: the histories keep 10 points a second
            let t = Double(k) / 20
            for arm in arms { feed(Frame(t: t, body: .arm(ArmSample(arm: arm.id, position: joints.map { _ in (t / 600).truncatingRemainder(dividingBy: 1) })))) }
            if k % 2 == 0 { feed(Frame(t: t, body: .link(LinkSample(path: "primary", up: true, rttMs: 50, jitterMs: 2)))) }
            if t >= nextCheckpoint {
                // Checkpoints are told apart by their place in the file: the frame's number will do.
                let position = RecordingPosition(offset: k, decoder: FrameDecoder())
                driver.handle(.checkpoint(ReplayCheckpoint(t: t, position: position)), arrival: t)
                nextCheckpoint = t + FileSource.checkpointInterval
            }
        }
        let states = driver.checkpoints.kept.map(\.state) + driver.checkpoints.recent.map(\.state) + [driver.state]
        #expect(states.count >= 10)
        let bytes = Self.historyBytes(states)
        // Together they hold about the ten minutes their windows cover; copied, one full five-
        // minute history each.
        #expect(bytes.shared * 4 < bytes.copied, "shared \(bytes.shared) B of \(bytes.copied) B")
        let oneState = Self.historyBytes([driver.state]).shared
        #expect(bytes.shared < 3 * oneState, "the whole set costs less than three states' histories")
    }
}
