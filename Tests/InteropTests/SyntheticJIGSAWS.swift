import Foundation
import Interop
import Telemetry
import TelemetrySources

/// JIGSAWS kinematics made from synthetic numbers, in the dataset's layout (the dataset itself may not be
/// redistributed): 76 numbers a row, for MTML, MTMR, PSM1, PSM2 in turn tip x y z, rotation matrix
/// R11…R33 row by row, linear velocity, rotational velocity, gripper angle.
struct SyntheticJIGSAWS {
    struct Arm {
        var tip: [Double] = [0.01, 0.02, -0.03]
        var rotation: [Double] = [1, 0, 0, 0, 1, 0, 0, 0, 1]
        var linear: [Double] = [0.001, 0.002, 0.003]
        var angular: [Double] = [0.1, 0.2, 0.3]
        var jaw: Double = 0.5

        var columns: [Double] { tip + rotation + linear + angular + [jaw] }
    }

    static let armIDs = ["MTML", "MTMR", "PSM1", "PSM2"]

    /// Rows of four arms each.
    var rows: [[Arm]]

    /// `count` rows, every arm at rest at its own place, arm `a` of row `r` made by `shape`.
    init(rows count: Int, shape: (_ row: Int, _ arm: Int, inout Arm) -> Void = { _, _, _ in }) {
        rows = (1...max(1, count)).map { r in
            (0..<4).map { a in
                var arm = Arm(tip: [0.01 * Double(a + 1), -0.02, 0.05 + 0.001 * Double(a)], jaw: 0.1 * Double(a))
                shape(r, a, &arm)
                return arm
            }
        }
        if count == 0 { rows = [] }
    }

    /// The rows as text, numbers in their shortest exact form, separated as given.
    func text(separator: String = "    ", lineEnd: String = "\n") -> String {
        rows.map { row in row.flatMap(\.columns).map { "\($0)" }.joined(separator: separator) + lineEnd }.joined()
    }

    /// Writes `text` to a new file named `name` in a fresh directory; returns its path.
    static func write(_ text: String, name: String = "Knot_Tying_F001.txt") -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jigsaws-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }
}

/// What a converted recording holds, read the way replay, check and report read it.
struct ReadBack {
    var frames: [Frame] = []
    var errors: [DecodeError] = []
    var unknownTypes = 0
    var bytes: [UInt8] = []
    var notes: [String] = []
    var fileBytesRead = 0
    var fileSize = 0

    var arms: [(t: Double, sample: ArmSample)] {
        frames.compactMap { if case .arm(let a) = $0.body { ($0.t, a) } else { nil } }
    }
    var events: [(t: Double, event: EventNote)] {
        frames.compactMap { if case .event(let e) = $0.body { ($0.t, e) } else { nil } }
    }
    var session: SessionInfo? {
        frames.lazy.compactMap { if case .session(let s) = $0.body { s } else { nil } }.first
    }

    /// Opens `path` (with `transcription`) and reads every line through `RecordingReader`.
    static func read(_ path: String, transcription: String? = nil) throws -> ReadBack {
        let recording = try JIGSAWSRecording(kinematicsPath: path, transcriptionPath: transcription)
        let reader = RecordingReader(foreign: recording, path: path)
        var result = ReadBack()
        reader.decodeAll { outcome in
            switch outcome {
            case .frame(let frame): result.frames.append(frame)
            case .error(let error): result.errors.append(error)
            case .unknownType: result.unknownTypes += 1
            case .blank: break
            }
            return true
        }
        result.notes = recording.notes
        result.fileBytesRead = recording.fileBytesRead
        result.fileSize = recording.fileSize
        return result
    }

    /// Every byte the recording produces, read in `chunk`-sized reads.
    static func bytes(of recording: ForeignRecording, chunk: Int = 4096) -> [UInt8] {
        var all: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = buffer.withUnsafeMutableBytes { recording.read(into: $0) }
            if n == 0 { break }
            all += buffer[0..<n]
        }
        return all
    }
}
