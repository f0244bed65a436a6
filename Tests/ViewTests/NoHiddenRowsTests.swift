import SessionCore
import Telemetry
import Testing
@testable import View

/// A four-arm dVRK session as the simulator sends it: three PSMs (six joints, or seven with
/// the jaw as a joint) and the ECM's four, every arm with a tool tip.
enum DVRK {
    static func psmJoints(_ n: Int) -> [JointDescriptor] {
        let six = [
            JointDescriptor(name: "yaw", unit: .rad, min: -1.588, max: 1.588, effortMax: 3.32),
            JointDescriptor(name: "pitch", unit: .rad, min: -0.925, max: 0.925, effortMax: 3.32),
            JointDescriptor(name: "insertion", unit: .m, min: 0, max: 0.24, effortMax: 9.88),
            JointDescriptor(name: "roll", unit: .rad, min: -4.538, max: 4.538, effortMax: 0.33),
            JointDescriptor(name: "wrist_pitch", unit: .rad, min: -1.396, max: 1.396, effortMax: 0.25),
            JointDescriptor(name: "wrist_yaw", unit: .rad, min: -1.396, max: 1.396, effortMax: 0.2),
        ]
        return n > 6 ? six + [JointDescriptor(name: "jaw", unit: .rad, min: -0.35, max: 1.57, effortMax: 0.2)] : six
    }

    static let ecmJoints = Array(Fixture.ecmJoints)
    static let psms = ["PSM1", "PSM2", "PSM3"]

    /// The session, with a wrist joint of PSM2 at its limit.
    static func session(psmJoints n: Int = 6, extraPSMs: Int = 0) -> SessionState {
        var b = SessionBuilder()
        let names = psms + (0..<extraPSMs).map { "PSM\(4 + $0)" }
        b.session(names.map { ArmDescriptor(id: $0, kind: .psm, joints: psmJoints(n)) }
                  + [ArmDescriptor(id: "ECM", kind: .ecm, joints: ecmJoints)])
        for (k, arm) in names.enumerated() {
            var position = [0.2, -0.1, 0.12, 0.4, 0.1 * Double(k), -0.2] + (n > 6 ? [0.5] : [])
            if arm == "PSM2" { position[4] = 1.396 }
            b.apply(10, .arm(ArmSample(arm: arm, state: .enabled, homed: true, following: true, position: position,
                                       effort: position.map { _ in 0.01 }, tip: [0.01, 0.02, -0.07])))
            b.apply(10, .instrument(InstrumentSample(arm: arm, tool: .model("LARGE_NEEDLE_DRIVER"), state: .engaged,
                                                     usesLeft: 5, energy: .bipolar, energyActive: false)))
        }
        b.apply(10, .arm(ArmSample(arm: "ECM", state: .enabled, homed: true, following: true,
                                   position: [0, 0.1, 0.08, 0], effort: [0, 0, 0, 0], tip: [0, 0, -0.05])))
        return b.state
    }

    /// Every (arm, joint) the session declares.
    static func allJoints(_ state: SessionState) -> Set<String> {
        Set(state.arms.flatMap { arm in arm.descriptor.joints.map { arm.id + "." + $0.name } })
    }
}

/// What a panel's rectangle shows, read back from the screen.
struct Shown {
    /// "PSM1.wrist_yaw" for every joint line, under the arm line it follows, column by column.
    var joints: [String] = []
    var armLines: [String] = []
    /// N of the title's "+N more"; nil when the title has none.
    var more: Int?

    init(_ b: CellBuffer, _ area: Rect, arms: Set<String>, joints names: Set<String>) {
        let lines = b.lines(in: area)
        more = Self.more(in: lines[0])
        // Columns of arms are separated by the border glyph: read each column top to bottom.
        let rows = lines.dropFirst().dropLast().map { line in
            line.dropFirst().dropLast().split(separator: "│", omittingEmptySubsequences: false)
                .flatMap { $0.split(separator: "|", omittingEmptySubsequences: false) }.map(String.init)
        }
        let columns = rows.map(\.count).max() ?? 0
        for c in 0..<columns {
            var arm = "?"
            for row in rows where c < row.count {
                guard let first = row[c].split(separator: " ").first.map(String.init) else { continue }
                if arms.contains(first) {
                    arm = first
                    armLines.append(first)
                } else if names.contains(first) {
                    self.joints.append(arm + "." + first)
                }
            }
        }
    }

    /// The N of " +N more " in a title line (ASCII corners are "+" too).
    static func more(in titleLine: String) -> Int? {
        guard let end = titleLine.range(of: " more ") else { return nil }
        let head = titleLine[..<end.lowerBound]
        guard let plus = head.lastIndex(of: "+") else { return nil }
        return Int(head[head.index(after: plus)...])
    }
}

@Suite struct TrainerShowsEveryJointTests {
    static let sizes = [(100, 30), (120, 40), (160, 45), (200, 50)]

    @Test("the trainer layout shows every joint of every arm (6 or 7 per PSM) at its minimum size and up",
          arguments: sizes, [6, 7])
    func everyJoint(size: (Int, Int), psmJoints: Int) throws {
        let state = DVRK.session(psmJoints: psmJoints)
        for (unicode, colors) in [(true, true), (false, false)] {
            let context = Fixture.context(mode: .replay, unicode: unicode, colors: colors, state: state)
            let (b, outcome) = screen(state, context, layout: "trainer", width: size.0, height: size.1)
            let area = try #require(rect(of: .arms, in: outcome))
            let names = Set(state.arms.flatMap { $0.descriptor.joints.map(\.name) })
            let shown = Shown(b, area, arms: Set(state.arms.map(\.id)), joints: names)
            #expect(Set(shown.joints) == DVRK.allJoints(state), "\(size) unicode \(unicode)")
            #expect(shown.joints.count == 3 * psmJoints + 4)
            #expect(shown.more == nil)
            #expect(outcome.maxScroll[.arms] == 0)
            // The wrist joint at its limit keeps its marker in the narrow columns.
            #expect(b.lines(in: area).contains { $0.contains("wrist_pitch") && $0.contains("80.0") && $0.contains("**") })
        }
    }

    @Test("side by side, arms stay whole and in order")
    func columnsKeepArmsWhole() {
        let state = DVRK.session()
        // The heading row and 14 lines.
        let plan = ArmsPanel.plan(state.arms, height: 15, width: 64, scroll: 0)
        #expect(plan.columns.count == 2)
        #expect(plan.hidden == 0)
        #expect(plan.heading)
        guard plan.columns.count == 2, case .header(0, _)? = plan.columns[0].first,
              case .header(2, _)? = plan.columns[1].first else {
            Issue.record("columns start with PSM1 and PSM3: \(plan.columns)")
            return
        }
    }
}

@Suite struct NoPanelHidesRowsSilentlyTests {
    /// Renders `layout` at `size` and reads the arms back.
    func arms(_ state: SessionState, _ context: ViewContext, layout: String, _ size: (Int, Int))
        -> (Shown, RenderOutcome, CellBuffer, Rect)? {
        let (b, outcome) = screen(state, context, layout: layout, width: size.0, height: size.1)
        guard let area = rect(of: .arms, in: outcome) else { return nil }
        let names = Set(state.arms.flatMap { $0.descriptor.joints.map(\.name) })
        return (Shown(b, area, arms: Set(state.arms.map(\.id)), joints: names), outcome, b, area)
    }

    @Test("at every size and layout the arms show every line or say how many they do not",
          arguments: [("compact", 80, 24), ("trainer", 100, 30), ("technician", 120, 40), ("trainer", 120, 40),
                      ("compact", 120, 40), ("technician", 200, 50), ("demo", 100, 30)])
    func armsSayWhatTheyHide(layout: String, width: Int, height: Int) throws {
        let state = DVRK.session(psmJoints: 7)
        let context = Fixture.context(mode: .replay, state: state)
        let (shown, _, _, _) = try #require(arms(state, context, layout: layout, (width, height)))
        let all = 4 + 3 * 7 + 4
        let lines = Set(shown.armLines).count + shown.joints.count
        if lines == all {
            #expect(shown.more == nil)
        } else {
            #expect(shown.more == all - lines, "\(layout) \(width)x\(height): \(lines) of \(all) lines")
        }
    }

    @Test("in compact the arms say +N more and scrolling reaches every joint", arguments: [true, false])
    func compactArmsScrollToEveryJoint(unicode: Bool) throws {
        let state = DVRK.session()
        var context = Fixture.context(mode: .replay, unicode: unicode, colors: unicode, state: state)
        let (first, outcome, b, _) = try #require(arms(state, context, layout: "compact", (80, 24)))
        #expect(first.more == 26 - Set(first.armLines).count - first.joints.count)
        #expect(b.isASCII == !unicode)
        let maxScroll = try #require(outcome.maxScroll[.arms])
        #expect(maxScroll > 0)
        var seen = Set(first.joints)
        for offset in 0...maxScroll {
            context.scroll[.arms] = offset
            let (shown, _, _, _) = try #require(arms(state, context, layout: "compact", (80, 24)))
            seen.formUnion(shown.joints)
            #expect(shown.more == first.more, "the count of hidden lines does not change while scrolling")
        }
        #expect(seen == DVRK.allJoints(state))
    }

    @Test("one line per arm says how many arms it hides, scrolls to every arm, and that the joints need a taller terminal")
    func oneLinePerArm() {
        let state = DVRK.session()
        var context = Fixture.context(mode: .replay, state: state)
        var seen = Set<String>()
        for offset in 0...3 {
            context.scroll[.arms] = offset
            let b = panel(.arms, state, context, width: 64, height: 5)
            let shown = Shown(b, b.area, arms: Set(state.arms.map(\.id)), joints: [])
            #expect(shown.more == 4 - shown.armLines.count)
            #expect(b.lines[0].contains("+22 joints: taller terminal"), "\(b.lines[0])")
            seen.formUnion(shown.armLines)
        }
        #expect(seen == ["PSM1", "PSM2", "PSM3", "ECM"])
    }

    @Test("compact shows every instrument of three PSMs and of five; a shorter panel says +N more and scrolls",
          arguments: [true, false])
    func instruments(unicode: Bool) throws {
        let three = DVRK.session()
        var context = Fixture.context(mode: .replay, unicode: unicode, colors: unicode, state: three)
        let (b, outcome) = screen(three, context, layout: "compact", width: 80, height: 24)
        let area = try #require(rect(of: .instruments, in: outcome))
        for arm in DVRK.psms { #expect(b.contains(arm + " ", in: area), "\(arm)") }
        #expect(!b.lines(in: area)[0].contains("more"))

        let five = DVRK.session(extraPSMs: 2)
        context = Fixture.context(mode: .replay, unicode: unicode, colors: unicode, state: five)
        let (all, placed) = screen(five, context, layout: "compact", width: 80, height: 24)
        let tall = try #require(rect(of: .instruments, in: placed))
        for arm in DVRK.psms + ["PSM4", "PSM5"] { #expect(all.contains(arm + " ", in: tall), "\(arm)") }
        #expect(!all.lines(in: tall)[0].contains("more"))
        // Six rows: the column titles and three of the five.
        let layout = Layout(name: "six", minimum: TerminalSize(width: 1, height: 1),
                            root: .rows([.panel(.instruments, .fixed(6)), .panel(.events)]))
        var seen = Set<String>()
        for offset in 0...2 {
            context.scroll[.instruments] = offset
            var b = CellBuffer(width: 80, height: 24)
            let outcome = ConsoleView.render(state: five, context: context, layout: layout, into: &b)
            let area = try #require(rect(of: .instruments, in: outcome))
            let rows = b.lines(in: area).dropFirst().dropLast().compactMap {
                $0.dropFirst().split(separator: " ").first.map(String.init)
            }.filter { $0.hasPrefix("PSM") }
            #expect(Shown.more(in: b.lines(in: area)[0]) == 5 - rows.count)
            #expect(outcome.maxScroll[.instruments] == 5 - rows.count)
            seen.formUnion(rows)
        }
        #expect(seen == ["PSM1", "PSM2", "PSM3", "PSM4", "PSM5"])
    }

    @Test("a panel exactly one row short drops its column titles rather than an instrument")
    func instrumentsWithoutTitles() {
        let state = DVRK.session()
        let b = panel(.instruments, state, Fixture.context(state: state), width: 60, height: 5)
        #expect(b.lines[1].hasPrefix("│PSM1 "))
        #expect(b.lines[3].hasPrefix("│PSM3 "))
        #expect(!b.lines[0].contains("more"))
    }

    func manyAlarms(_ n: Int) -> [AlarmRow] {
        (0..<n).map { AlarmRow(id: "A\($0)", priority: .medium, message: "alarm number \($0)", since: Double($0)) }
    }

    @Test("alarms that do not fit say +N more and scroll to the last", arguments: [true, false])
    func alarms(unicode: Bool) {
        var context = Fixture.context(unicode: unicode, colors: unicode)
        context.alarms = manyAlarms(9)
        var b = panel(.alarms, SessionState(), context, width: 60, height: 6)
        // Four alarms (no room for the column titles): five hidden.
        #expect(Shown.more(in: b.lines[0]) == 5)
        context.scroll[.alarms] = 99
        b = panel(.alarms, SessionState(), context, width: 60, height: 6)
        #expect(b.contains("alarm number 8"))
        #expect(Shown.more(in: b.lines[0]) == 5)
        context.alarms = manyAlarms(3)
        b = panel(.alarms, SessionState(), context, width: 60, height: 6)
        #expect(!b.lines[0].contains("more"))
    }

    @Test("an unfolded alarm's extra lines are not counted as alarms")
    func unfoldedAlarm() {
        var context = Fixture.context()
        context.focus = .alarms
        var rows = manyAlarms(2)
        rows[0].message = String(repeating: "a very long message ", count: 6)
        rows[0].selected = true
        context.alarms = rows
        let b = panel(.alarms, SessionState(), context, width: 40, height: 5)
        // Three rows inside: the selected alarm unfolds to two, the other keeps its row.
        #expect(b.contains("alarm number 1"))
        #expect(!b.lines[0].contains("more"))
    }

    @Test("events that do not fit say +N more, and how many newer ones are below when scrolled back")
    func events() {
        var builder = SessionBuilder()
        builder.session()
        for k in 1...30 { builder.apply(Double(k), .event(EventNote(kind: "note", text: "event \(k)"))) }
        var context = Fixture.context()
        var b = panel(.events, builder.state, context, width: 70, height: 7)
        #expect(b.lines[0].contains(" +25 more "))
        context.scroll[.events] = 10
        b = panel(.events, builder.state, context, width: 70, height: 7)
        #expect(b.lines[0].contains(" ▼ 10 newer ") && b.lines[0].contains(" +25 more "))
        context = Fixture.context(unicode: false, colors: false)
        context.scroll[.events] = 10
        b = panel(.events, builder.state, context, width: 70, height: 7)
        #expect(b.lines[0].contains(" v 10 newer ") && b.isASCII && !b.usesColor)
    }

    func paths(_ n: Int) -> SessionState {
        var builder = SessionBuilder()
        builder.session()
        for k in 0..<n {
            builder.apply(1, .link(LinkSample(path: "path\(k)", up: true, rttMs: 100, jitterMs: 2, lossPct: 0,
                                              bandwidthMbps: 40, videoFps: 60, videoDelayMs: 150)))
        }
        return builder.state
    }

    @Test("link paths listed one a line say +N more and scroll to the last")
    func linkPaths() {
        let state = paths(4)
        var context = Fixture.context()
        var b = panel(.link, state, context, width: 60, height: 4)
        #expect(b.lines[1].hasPrefix("│path0 "))
        #expect(Shown.more(in: b.lines[0]) == 2)
        #expect(b.lines[0].contains(" metrics"), "the metrics the two lines leave out: \(b.lines[0])")
        context.scroll[.link] = 9
        b = panel(.link, state, context, width: 60, height: 4)
        #expect(b.lines[2].hasPrefix("│path3 "))
    }

    @Test("a short link block says how many metric rows it leaves out and scrolls to them")
    func linkMetrics() {
        let state = paths(2)
        var context = Fixture.context()
        // Two paths of three rows each: a status line and two of six metrics.
        var seen = Set<String>()
        for offset in 0...4 {
            context.scroll[.link] = offset
            let b = panel(.link, state, context, width: 60, height: 8)
            #expect(Shown.more(in: b.lines[0]) == 8)
            for line in b.lines.dropFirst().dropLast() {
                let label = line.dropFirst().components(separatedBy: "  ")[0]
                if !label.hasPrefix("path") { seen.insert(label) }
            }
        }
        #expect(seen == ["RTT", "Jitter", "Loss", "Bandwidth", "Video", "Video delay"])
    }
}

@Suite struct EveryLayoutSaysWhatItHidesTests {
    /// Five PSMs and the ECM, ten alarms and thirty events: more than any layout shows at once.
    static func crowded() -> (SessionState, [AlarmRow]) {
        var state = DVRK.session(extraPSMs: 2)
        var b = SessionBuilder(state: state, arrival: 1000, lastArrival: state.lastFrame?.arrival ?? 1000)
        for k in 1...30 { b.apply(10 + Double(k), .event(EventNote(kind: "note", text: "event number \(k)"))) }
        state = b.state
        let alarms = (0..<10).map {
            AlarmRow(id: "A\($0)", priority: .low, message: "alarm number \($0)", since: Double($0))
        }
        return (state, alarms)
    }

    @Test("alarms, events and instruments show every row or say +N more, at every size, in ASCII and monochrome",
          arguments: [("compact", 80, 24), ("trainer", 100, 30), ("trainer", 120, 40), ("technician", 120, 40),
                      ("trainer", 200, 50), ("technician", 200, 50)], [true, false])
    func everyPanel(size: (layout: String, width: Int, height: Int), unicode: Bool) throws {
        let (layout, width, height) = size
        let (state, alarms) = Self.crowded()
        var context = Fixture.context(mode: .replay, unicode: unicode, colors: unicode, state: state)
        context.alarms = alarms
        let (b, outcome) = screen(state, context, layout: layout, width: width, height: height)
        #expect(b.isASCII == !unicode && b.usesColor == unicode)
        let panels: [(PanelID, String, Int)] = [(.alarms, "alarm number", 10), (.events, "event number", 30)]
        for (panel, text, total) in panels {
            let area = try #require(rect(of: panel, in: outcome))
            let lines = b.lines(in: area)
            let shown = lines.filter { $0.contains(text) }.count
            #expect(Shown.more(in: lines[0]) == (shown == total ? nil : total - shown), "\(panel) \(layout) \(width)x\(height)")
        }
        let area = try #require(rect(of: .instruments, in: outcome))
        let lines = b.lines(in: area)
        let shown = lines.dropFirst().filter { $0.dropFirst().hasPrefix("PSM") }.count
        #expect(Shown.more(in: lines[0]) == (shown == 5 ? nil : 5 - shown), "instruments \(layout) \(width)x\(height)")
    }
}
