import Foundation
import Interop
import SessionCore
import Telemetry
import TelemetrySources
import Testing

@Suite("JIGSAWS kinematics as a surgtop recording")
struct JIGSAWSFrameTests {
    @Test("a session frame first: id from the file name, procedure from the task, four Cartesian arms, no start time")
    func session() throws {
        let path = SyntheticJIGSAWS.write(SyntheticJIGSAWS(rows: 2).text(), name: "Knot_Tying_F001.txt")
        let read = try ReadBack.read(path)
        let first = try #require(read.frames.first)
        #expect(first.t == 0)
        let session = try #require(read.session)
        guard case .session = first.body else { Issue.record("the first frame is not the session"); return }
        #expect(session.id == "Knot_Tying_F001")
        #expect(session.procedure == "Knot tying")
        #expect(session.robot == "da Vinci (JIGSAWS)")
        #expect(session.startedAt == nil)
        #expect(session.arms.map(\.id) == ["MTML", "MTMR", "PSM1", "PSM2"])
        #expect(session.arms.map(\.kind) == [.mtm, .mtm, .psm, .psm])
        #expect(session.arms.allSatisfy { $0.joints.isEmpty })
    }

    @Test("the three tasks are named; another name keeps its id and has no procedure; the id is sanitised")
    func procedures() throws {
        let text = SyntheticJIGSAWS(rows: 1).text()
        let cases: [(String, String, String?)] = [
            ("Suturing_B001.txt", "Suturing_B001", "Suturing"),
            ("Needle_Passing_H004.txt", "Needle_Passing_H004", "Needle passing"),
            ("knot_tying_C003.txt", "knot_tying_C003", "Knot tying"),
            ("trial7.txt", "trial7", nil),
            ("Suturing_\u{1B}[31mB001.txt", "Suturing_B001", "Suturing"),
        ]
        for (name, id, procedure) in cases {
            let session = try #require(try ReadBack.read(SyntheticJIGSAWS.write(text, name: name)).session)
            #expect(session.id == id, "\(name)")
            #expect(session.procedure == procedure, "\(name)")
        }
    }

    @Test("each row gives one arm frame per arm, in MTML MTMR PSM1 PSM2 order, at t = (row − 1)/30")
    func armFrames() throws {
        let synthetic = SyntheticJIGSAWS(rows: 4) { row, arm, a in
            a.tip = [Double(row) * 0.001, Double(arm) * 0.01, -0.002 * Double(row)]
            a.linear = [Double(arm), Double(row), 0.5]
            a.angular = [-0.1 * Double(row), 0, 0.25]
            a.jaw = 0.01 * Double(row * 10 + arm)
        }
        let read = try ReadBack.read(SyntheticJIGSAWS.write(synthetic.text()))
        #expect(read.errors.isEmpty)
        #expect(read.unknownTypes == 0)
        #expect(read.notes.isEmpty)
        let arms = read.arms
        #expect(arms.count == 16)
        for (k, (t, sample)) in arms.enumerated() {
            let row = k / 4 + 1, arm = k % 4
            let expected = synthetic.rows[row - 1][arm]
            #expect(t == Double(row - 1) / 30)
            #expect(sample.arm == SyntheticJIGSAWS.armIDs[arm])
            #expect(sample.tip?.array == expected.tip)
            #expect(sample.twist?.array == expected.linear + expected.angular)
            #expect(sample.jaw == expected.jaw)
            #expect(sample.orientation?.array == [0, 0, 0, 1])
            #expect(sample.position == nil && sample.state == nil)
        }
        #expect(read.fileBytesRead == read.fileSize)
    }

    @Test("spaces, tabs, CRLF line ends and trailing blank lines are all rows as usual")
    func separators() throws {
        let synthetic = SyntheticJIGSAWS(rows: 3)
        let text = synthetic.text(separator: " \t  ", lineEnd: "\r\n") + "\r\n\n  \n"
        let read = try ReadBack.read(SyntheticJIGSAWS.write(text))
        #expect(read.notes.isEmpty)
        #expect(read.errors.isEmpty)
        #expect(read.arms.count == 12)
        #expect(read.arms.last?.t == 2.0 / 30)
        // The last row without its LF is a row too.
        let cut = try ReadBack.read(SyntheticJIGSAWS.write(String(synthetic.text().dropLast())))
        #expect(cut.arms.count == 12)
        #expect(cut.notes.isEmpty)
    }
}

@Suite("JIGSAWS rotation matrices as quaternions")
struct JIGSAWSOrientationTests {
    /// The orientation PSM1's frame carries for a row whose PSM1 matrix is `m` (row-major).
    func orientation(_ m: [Double]) throws -> (q: [Double]?, notes: [String]) {
        let synthetic = SyntheticJIGSAWS(rows: 1) { _, arm, a in if arm == 2 { a.rotation = m } }
        let read = try ReadBack.read(SyntheticJIGSAWS.write(synthetic.text()))
        let psm1 = try #require(read.arms.first { $0.sample.arm == "PSM1" })
        return (psm1.sample.orientation?.array, read.notes)
    }

    func expectClose(_ a: [Double]?, _ b: [Double], tolerance: Double = 1e-12, _ what: String) {
        guard let a, a.count == b.count else { Issue.record("\(what): \(String(describing: a)) is not \(b)"); return }
        #expect(zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }, "\(what): \(a) is not \(b)")
    }

    /// The row-major matrix of the unit quaternion (x, y, z, w).
    func matrix(_ q: [Double]) -> [Double] {
        let (x, y, z, w) = (q[0], q[1], q[2], q[3])
        return [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
                2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
                2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]
    }

    @Test("identity and quarter turns about each axis give the textbook quaternions (x, y, z, w)")
    func quarterTurns() throws {
        let h = 0.5.squareRoot()
        expectClose(try orientation([1, 0, 0, 0, 1, 0, 0, 0, 1]).q, [0, 0, 0, 1], "identity")
        expectClose(try orientation([1, 0, 0, 0, 0, -1, 0, 1, 0]).q, [h, 0, 0, h], "90° about x")
        expectClose(try orientation([0, 0, 1, 0, 1, 0, -1, 0, 0]).q, [0, h, 0, h], "90° about y")
        expectClose(try orientation([0, -1, 0, 1, 0, 0, 0, 0, 1]).q, [0, 0, h, h], "90° about z")
        expectClose(try orientation([0, 1, 0, -1, 0, 0, 0, 0, 1]).q, [0, 0, -h, h], "−90° about z (row-major, not transposed)")
    }

    @Test("half turns, where 1 + trace is 0 and the naive formula divides by zero, are exact")
    func halfTurns() throws {
        let h = 0.5.squareRoot()
        expectClose(try orientation([1, 0, 0, 0, -1, 0, 0, 0, -1]).q, [1, 0, 0, 0], "180° about x")
        expectClose(try orientation([-1, 0, 0, 0, 1, 0, 0, 0, -1]).q, [0, 1, 0, 0], "180° about y")
        expectClose(try orientation([-1, 0, 0, 0, -1, 0, 0, 0, 1]).q, [0, 0, 1, 0], "180° about z")
        // About (1, 1, 0)/√2: R = 2nnᵀ − I.
        expectClose(try orientation([0, 1, 0, 1, 0, 0, 0, 0, -1]).q, [h, h, 0, 0], "180° about x = y")
    }

    @Test("any rotation comes back as a unit quaternion with w ≥ 0 whose matrix is the row's")
    func roundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<40 {
            // A random axis and an angle up to a full turn, 180° included.
            var axis = (0..<3).map { _ in Double.random(in: -1...1, using: &generator) }
            let length = (axis.map { $0 * $0 }.reduce(0, +)).squareRoot()
            guard length > 1e-3 else { continue }
            axis = axis.map { $0 / length }
            let angle = Bool.random(using: &generator) ? Double.pi : Double.random(in: 0...(2 * .pi), using: &generator)
            let s = sin(angle / 2)
            let m = matrix([axis[0] * s, axis[1] * s, axis[2] * s, cos(angle / 2)])
            let q = try #require(try orientation(m).q)
            #expect(abs(q.map { $0 * $0 }.reduce(0, +) - 1) < 1e-12)
            #expect(q[3] >= 0)
            expectClose(matrix(q), m, tolerance: 1e-9, "axis \(axis), angle \(angle)")
        }
    }

    @Test("a matrix rounded to printed digits still gives a unit quaternion within the rounding")
    func rounded() throws {
        let c = cos(0.3), s = sin(0.3)
        let m = [c, -s, 0, s, c, 0, 0, 0, 1].map { ($0 * 10_000).rounded() / 10_000 }
        let q = try #require(try orientation(m).q)
        #expect(abs(q.map { $0 * $0 }.reduce(0, +) - 1) < 1e-12)
        expectClose(q, [0, 0, sin(0.15), cos(0.15)], tolerance: 1e-4, "rounded 0.3 rad about z")
    }

    @Test("a matrix that is no rotation (zeros, a scale, a reflection, a shear) gives no orientation, and a note")
    func notRotations() throws {
        for m in [[Double](repeating: 0, count: 9), [2, 0, 0, 0, 2, 0, 0, 0, 2], [1, 0, 0, 0, 1, 0, 0, 0, -1],
                  [1, 0.5, 0, 0, 1, 0, 0, 0, 1]] {
            let (q, notes) = try orientation(m)
            #expect(q == nil, "\(m)")
            #expect(notes.contains { $0.contains("1 arm sample has a matrix that is no rotation (first: line 1, PSM1)") }, "\(notes)")
        }
    }
}

@Suite("A converted JIGSAWS recording checks clean, replays, and seeks")
struct JIGSAWSRecordingTests {
    @Test("every line decodes: no errors, no unknown types; the report reads its arms and duration")
    func checksClean() throws {
        let synthetic = SyntheticJIGSAWS(rows: 90) { row, arm, a in a.tip[0] += 0.0005 * Double(row * (arm + 1)) }
        let kinematics = SyntheticJIGSAWS.write(synthetic.text())
        let transcription = SyntheticJIGSAWS.write("1 40 G1\n41 70 G2\n75 90 G11\n", name: "Knot_Tying_F001_T.txt")
        let recording = try JIGSAWSRecording(kinematicsPath: kinematics, transcriptionPath: transcription)
        let reader = RecordingReader(foreign: recording, path: kinematics)
        var builder = SessionReportBuilder()
        var lines = 0
        reader.decodeAll { outcome in
            lines += 1
            builder.add(outcome)
            return true
        }
        let report = builder.finish()
        #expect(report.counts.badLines == 0)
        #expect(report.counts.unknownTypes == 0)
        #expect(report.counts.outOfOrder == 0)
        #expect(reader.problem == nil)
        // The session, 4 arms × 90 rows, 3 gesture starts and the end before the gap (70) and of the last.
        #expect(report.counts.byType == ["session": 1, "arm": 360, "event": 5])
        #expect(lines == 366)
        #expect(report.sessionID == "Knot_Tying_F001")
        #expect(report.procedure == "Knot tying")
        #expect(report.arms.map(\.id) == ["MTML", "MTMR", "PSM1", "PSM2"])
        #expect(report.arms.allSatisfy { $0.frames == 90 })
        #expect(abs(report.duration - 90.0 / 30) < 1e-9)
        #expect(recording.notes.isEmpty)
    }

    @Test("events come between the arm frames at their times, in order")
    func eventsInOrder() throws {
        let kinematics = SyntheticJIGSAWS.write(SyntheticJIGSAWS(rows: 20).text())
        let transcription = SyntheticJIGSAWS.write("3 5 G1\n6 9 G5\n12 20 G3\n", name: "t.txt")
        let read = try ReadBack.read(kinematics, transcription: transcription)
        #expect(zip(read.frames, read.frames.dropFirst()).allSatisfy { $0.t <= $1.t })
        let events = read.events.map { ($0.t * 30, $0.event.kind, $0.event.text ?? "") }
        let expected: [(Double, String, String)] = [(2, "gesture", "G1"), (5, "gesture", "G5"), (9, "gesture_end", "G5"),
                                                    (11, "gesture", "G3"), (20, "gesture_end", "G3")]
        #expect(events.count == expected.count)
        for (got, want) in zip(events, expected) {
            #expect(abs(got.0 - want.0) < 1e-9 && got.1 == want.1 && got.2 == want.2, "\(got) is not \(want)")
        }
        // A gesture starts before the arm frames of its first row, at their time.
        let k = try #require(read.frames.firstIndex { if case .event = $0.body { true } else { false } })
        #expect(read.frames[k + 1].t == read.frames[k].t)
        if case .arm(let a) = read.frames[k + 1].body { #expect(a.arm == "MTML") } else { Issue.record("no arm frame after the event") }
    }

    @Test("seeking to any line start gives the same bytes as reading there, also past checkpoints and in a fresh reader")
    func seeking() throws {
        let kinematics = SyntheticJIGSAWS.write(SyntheticJIGSAWS(rows: 1_300) { row, _, a in a.tip[2] = Double(row) * 1e-4 }.text())
        let transcription = SyntheticJIGSAWS.write("10 600 G1\n700 1250 G2\n", name: "t.txt")
        let first = try JIGSAWSRecording(kinematicsPath: kinematics, transcriptionPath: transcription)
        let all = ReadBack.bytes(of: first, chunk: 1000)
        let again = try JIGSAWSRecording(kinematicsPath: kinematics, transcriptionPath: transcription)
        #expect(ReadBack.bytes(of: again, chunk: 65_536) == all)
        let starts = [0] + all.indices.filter { all[$0] == 0x0A }.map { $0 + 1 }.dropLast()
        let picks = [0, 1, starts.count / 3, starts.count / 2, starts.count - 1].map { starts[$0] } + [all.count]
        for recording in [first, try JIGSAWSRecording(kinematicsPath: kinematics, transcriptionPath: transcription)] {
            for offset in picks.reversed() + picks {
                #expect(recording.seek(to: offset), "seek to \(offset)")
                #expect(ReadBack.bytes(of: recording, chunk: 777) == Array(all[offset...]), "from \(offset)")
            }
            #expect(!recording.seek(to: starts[5] + 3), "the middle of a line is no place to seek to")
            #expect(!recording.seek(to: all.count + 10))
            #expect(recording.notes.isEmpty)
        }
    }

    @Test("notes of bad rows are counted once, however often a seek reads them again")
    func notesOnce() throws {
        var text = SyntheticJIGSAWS(rows: 700).text().split(separator: "\n", omittingEmptySubsequences: false)
        text[3] = "1 2 3"
        text[650] = "nope"
        let recording = try JIGSAWSRecording(kinematicsPath: SyntheticJIGSAWS.write(text.joined(separator: "\n")), transcriptionPath: nil)
        _ = ReadBack.bytes(of: recording)
        let notes = recording.notes
        #expect(recording.seek(to: 0))
        _ = ReadBack.bytes(of: recording)
        #expect(recording.notes == notes)
        #expect(notes.contains { $0.contains("2 rows skipped") })
    }
}

@Suite("Skill measures of a converted JIGSAWS recording, against hand computations")
struct JIGSAWSSkillTests {
    /// PSM1's tip, frame by frame (m): along x 3 mm a frame over frames 1–31 (90 mm in 1 s), along y 4 mm a
    /// frame over 31–46 (60 mm in 0.5 s), down z 2 mm a frame over 46–56 (20 mm), still to frame 61.
    static func psm1Tip(frame k: Int) -> [Double] {
        let x = 0.003 * Double(min(k, 31) - 1)
        let y = 0.004 * Double(max(0, min(k, 46) - 31))
        let z = 0.05 - 0.002 * Double(max(0, min(k, 56) - 46))
        return [x, y, z]
    }

    static func report(transcription: String?) throws -> SkillReport {
        let synthetic = SyntheticJIGSAWS(rows: 61) { row, arm, a in if arm == 2 { a.tip = psm1Tip(frame: row) } }
        let kinematics = SyntheticJIGSAWS.write(synthetic.text())
        let recording = try JIGSAWSRecording(kinematicsPath: kinematics,
                                             transcriptionPath: transcription.map { SyntheticJIGSAWS.write($0, name: "T.txt") })
        var builder = SessionReportBuilder()
        RecordingReader(foreign: recording, path: kinematics).decodeAll { builder.add($0); return true }
        return try #require(builder.finish().skills)
    }

    func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool { abs(a - b) <= tolerance * max(1, abs(b)) }

    @Test("path length, task time, mean and peak speed and workspace of PSM1 are the hand-computed ones")
    func session() throws {
        let skills = try Self.report(transcription: nil)
        #expect(skills.session.arms.map(\.arm) == ["MTML", "MTMR", "PSM1", "PSM2"])
        let psm1 = try #require(skills.session.arms.first { $0.arm == "PSM1" })
        // 30 × 3 + 15 × 4 + 10 × 2 mm over 60 intervals of 1/30 s.
        #expect(psm1.samples == 61)
        #expect(close(psm1.pathLengthMm, 90 + 60 + 20))
        #expect(close(psm1.taskTime, 2))
        #expect(close(psm1.meanSpeedMmS, 170.0 / 2))
        // Smoothed over 0.1 s (3 intervals): the fastest stretch, along y, 4 mm every 1/30 s.
        #expect(close(psm1.peakSpeedMmS, 120))
        #expect(psm1.workspaceMm.enumerated().allSatisfy { close($0.element, [90, 60, 20][$0.offset]) })
        #expect(close(psm1.workspaceCm3, 90 * 60 * 20 / 1000))
        #expect(psm1.gaps == 0)
        // Idle: the 5 still intervals at the end once the 0.1 s window holds no motion (3 of them).
        #expect(close(psm1.idleSeconds, 3.0 / 30))
        // The other arms never move.
        #expect(skills.session.arms.filter { $0.arm != "PSM1" }.allSatisfy { $0.pathLengthMm == 0 && $0.samples == 61 })
    }

    @Test("gestures are segments named by their labels, with the transcription's durations; a gap is no segment")
    func gestures() throws {
        // G1 frames 1–31, G2 32–46, nothing 47–49, G3 50–61.
        let skills = try Self.report(transcription: "1 31 G1\n32 46 G2\n50 61 G3\n")
        let segments = skills.segments.filter { $0.kind == "gesture" }
        #expect(segments.map(\.label) == ["G1", "G2", "G3"])
        #expect(segments.allSatisfy { $0.start < $0.end })
        let bounds = segments.map { ($0.start * 30, $0.end * 30) }
        for (got, want) in zip(bounds, [(0.0, 31.0), (31, 46), (49, 61)]) {
            #expect(close(got.0, want.0) && close(got.1, want.1), "\(got) is not \(want) (in frames)")
        }
        func psm1(_ k: Int) throws -> SkillReport.ArmSkill { try #require(segments[k].measures.arms.first { $0.arm == "PSM1" }) }
        // G1: rows 1–31, 30 intervals of 3 mm. G2: rows 32–46, 14 intervals of 4 mm (31 → 32 is G1's last
        // row to G2's first, in neither). G3: rows 50–61, 6 intervals of 2 mm, then still.
        let (g1, g2, g3) = (try psm1(0), try psm1(1), try psm1(2))
        #expect(close(g1.pathLengthMm, 90) && close(g1.taskTime, 1) && g1.samples == 31)
        #expect(close(g2.pathLengthMm, 56) && close(g2.taskTime, 14.0 / 30) && g2.samples == 15)
        #expect(close(g3.pathLengthMm, 12) && close(g3.taskTime, 11.0 / 30) && g3.samples == 12)
    }

    @Test("a gesture_end event closes the open gesture without opening another")
    func gestureEnd() {
        var builder = SkillMeasuresBuilder()
        builder.add(Frame(t: 0, body: .event(EventNote(kind: "gesture", text: "G1"))))
        builder.add(Frame(t: 1, body: .event(EventNote(kind: "gesture_end", text: "G1"))))
        builder.add(Frame(t: 5, body: .event(EventNote(kind: "note"))))
        let segments = builder.finish().segments
        #expect(segments.count == 1)
        #expect(segments.first?.label == "G1" && segments.first?.end == 1)
    }
}

@Suite("Bad JIGSAWS input: noted and skipped, or a clear error")
struct JIGSAWSBadInputTests {
    /// Rows 1–6 good, with line `n` (from 1) replaced by `line`.
    func read(replacing n: Int, with line: String, rows: Int = 6) throws -> ReadBack {
        var lines = SyntheticJIGSAWS(rows: rows).text().split(separator: "\n").map(String.init)
        lines[n - 1] = line
        return try ReadBack.read(SyntheticJIGSAWS.write(lines.joined(separator: "\n") + "\n"))
    }

    static let good = SyntheticJIGSAWS(rows: 1).rows[0].flatMap(\.columns).map { "\($0)" }

    func row(_ replace: [Int: String] = [:], count: Int = 76) -> String {
        (0..<count).map { replace[$0] ?? Self.good[$0 % 76] }.joined(separator: " ")
    }

    @Test("a row of 75 or 77 numbers is skipped and named by its line; the rows after keep their times")
    func columnCounts() throws {
        for count in [75, 77] {
            let read = try read(replacing: 3, with: row(count: count))
            #expect(read.errors.isEmpty)
            #expect(read.arms.count == 20)
            #expect(!read.arms.contains { abs($0.t - 2.0 / 30) < 1e-12 })
            #expect(read.arms.contains { abs($0.t - 3.0 / 30) < 1e-12 })
            #expect(read.notes.first?.hasSuffix("line 3: \(count) numbers, not 76; row skipped") == true, "\(read.notes)")
            #expect(read.notes.contains { $0.contains("1 row skipped") })
        }
    }

    @Test("NaN, infinities, huge exponents, garbage and hex are no numbers; each row is named by its line and column")
    func badNumbers() throws {
        let cases: [(String, String)] = [
            ("NaN", "column 5, 'NaN', is not a finite number"),
            ("-inf", "column 5, '-inf', is not a finite number"),
            ("1e999999999", "column 5, '1e999999999', is not a finite number"),
            ("abc", "column 5, 'abc', is not a number"),
            ("0x1p3", "column 5, '0x1p3', is not a number"),
            ("1.2.3", "column 5, '1.2.3', is not a number"),
            ("1e", "column 5, '1e', is not a number"),
        ]
        for (token, reason) in cases {
            let read = try read(replacing: 2, with: row([4: token]))
            #expect(read.arms.count == 20, "\(token)")
            #expect(read.notes.first?.contains("line 2: \(reason); row skipped") == true, "\(token): \(read.notes)")
        }
        // Tiny numbers are numbers: 0 when below a double's range.
        #expect(try read(replacing: 2, with: row([4: "1e-999999"])).arms.count == 24)
    }

    @Test("a 10⁶-digit token and a line of megabytes are skipped at once, the rest read")
    func hugeTokens() throws {
        let digits = String(repeating: "7", count: 1_000_000)
        let long = try read(replacing: 2, with: row([0: digits]))
        #expect(long.arms.count == 20)
        #expect(long.notes.first?.contains("line 2: longer than 65536 bytes; row skipped") == true, "\(long.notes)")
        let token = try read(replacing: 4, with: row([10: String(repeating: "9", count: 60_000)]))
        #expect(token.arms.count == 20)
        #expect(token.notes.first?.contains("line 4: column 11, '99999") == true, "\(token.notes)")
        #expect(token.notes.allSatisfy { $0.count < 300 })
    }

    @Test("a blank line between rows is an empty row, its frame's time kept")
    func blankInside() throws {
        let read = try read(replacing: 3, with: "   ")
        #expect(read.arms.count == 20)
        #expect(read.arms.contains { abs($0.t - 5.0 / 30) < 1e-12 })
        #expect(read.notes.first?.hasSuffix("line 3: empty; row skipped") == true, "\(read.notes)")
    }

    @Test("the first five bad rows are named, the rest counted")
    func boundedNotes() throws {
        var lines = SyntheticJIGSAWS(rows: 200).text().split(separator: "\n").map(String.init)
        for k in stride(from: 1, to: 200, by: 2) { lines[k] = "1 2 3" }
        let read = try ReadBack.read(SyntheticJIGSAWS.write(lines.joined(separator: "\n")))
        #expect(read.arms.count == 400)
        #expect(read.notes.filter { $0.contains("numbers, not 76") }.count == 5)
        #expect(read.notes.contains("… and 95 more bad rows, not listed"))
        #expect(read.notes.contains { $0.contains("100 rows skipped") })
    }

    @Test("an empty file, blank lines only, or no good row: a clear error")
    func nothingToRead() {
        let cases: [(String, String)] = [
            ("", "is empty"),
            ("\n \n\t\r\n", "is empty"),
            ("1 2 3\nfoo\n", "holds no row of 76 finite numbers (line 1: 3 numbers, not 76)"),
            (row([0: "nan"]) + "\n", "holds no row of 76 finite numbers (line 1: column 1, 'nan', is not a finite number)"),
        ]
        for (text, message) in cases {
            #expect(throws: InteropError.self) { try JIGSAWSRecording(kinematicsPath: SyntheticJIGSAWS.write(text), transcriptionPath: nil) }
            do {
                _ = try JIGSAWSRecording(kinematicsPath: SyntheticJIGSAWS.write(text), transcriptionPath: nil)
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }

    @Test("a missing file, a directory, a device or a missing transcription: a clear error")
    func unreadable() throws {
        let good = SyntheticJIGSAWS.write(SyntheticJIGSAWS(rows: 2).text())
        let dir = (good as NSString).deletingLastPathComponent
        let cases: [(String, String?, String)] = [
            (dir + "/missing.txt", nil, "cannot read JIGSAWS kinematics '\(dir)/missing.txt': no such file"),
            (dir, nil, "cannot read JIGSAWS kinematics '\(dir)': it is a directory"),
            ("/dev/null", nil, "cannot read JIGSAWS kinematics '/dev/null': it is not a regular file (a pipe or a device)"),
            (good, dir + "/T.txt", "cannot read the transcription '\(dir)/T.txt': no such file"),
            (good, dir, "cannot read the transcription '\(dir)': it is a directory"),
            (good, "/dev/null", "cannot read the transcription '/dev/null': it is not a regular file (a pipe or a device)"),
        ]
        for (path, transcription, message) in cases {
            do {
                _ = try JIGSAWSRecording(kinematicsPath: path, transcriptionPath: transcription)
                Issue.record("\(path) opened")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }

    @Test("transcription errors are noted and skipped: fields, numbers, order, frame 0, overlaps, frames past the end")
    func transcriptionErrors() throws {
        let kinematics = SyntheticJIGSAWS.write(SyntheticJIGSAWS(rows: 30).text())
        let transcription = SyntheticJIGSAWS.write("""
            1 5 G1
            6 G2
            x 9 G2
            9 7 G3
            0 3 G4
            6 12 G5
            10 14 G6
            10 11 G7
            20 40 G8
            50 60 G9
            1 2 X\u{1B}]0;pwned\u{7}

            """, name: "T.txt")
        let read = try ReadBack.read(kinematics, transcription: transcription)
        let notes = read.notes.joined(separator: "\n")
        #expect(notes.contains("line 2: 2 fields, not 'start end gesture'; skipped"))
        #expect(notes.contains("line 3: its frames are not whole numbers from 1 to 999,999,999; skipped"))
        #expect(notes.contains("line 4: G3 ends (frame 7) before it starts (frame 9); skipped"))
        #expect(notes.contains("line 5: its frames are not whole numbers"))
        #expect(notes.contains("line 7: G6 (frames 10–14) overlaps G5 of line 6 (frames 6–12), which ends at frame 9 instead"))
        #expect(notes.contains("line 8: G7 starts at frame 10 as G6 of line 7 does; skipped"))
        #expect(notes.contains("line 11: X starts at frame 1 as G1 of line 1 does; skipped"))
        #expect(notes.contains("gesture G8 (frames 20–40) ends after the last frame, 30; it ends there"))
        #expect(notes.contains("gesture G9 (frames 50–60) starts after the last frame, 30; left out"))
        #expect(!notes.contains("\u{1B}") && !notes.contains("\u{7}"))
        #expect(read.errors.isEmpty)
        let events = read.events.map { "\($0.event.kind) \($0.event.text ?? "") \(Int(($0.t * 30).rounded()))" }
        #expect(events == ["gesture G1 0", "gesture G5 5", "gesture G6 9", "gesture_end G6 14", "gesture G8 19", "gesture_end G8 30"])
    }

    @Test("an empty transcription says so; the kinematics are read as usual")
    func emptyTranscription() throws {
        let kinematics = SyntheticJIGSAWS.write(SyntheticJIGSAWS(rows: 3).text())
        let read = try ReadBack.read(kinematics, transcription: SyntheticJIGSAWS.write("\n\n", name: "T.txt"))
        #expect(read.notes.count == 1 && read.notes[0].hasSuffix("holds no gesture"))
        #expect(read.events.isEmpty && read.arms.count == 12)
    }
}
