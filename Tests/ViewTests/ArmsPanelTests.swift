import SessionCore
import Telemetry
import Testing
@testable import View

@Suite struct ArmsPanelTests {
    let state = Fixture.realistic()

    @Test(arguments: screenSizes)
    func armsStatesAndTheJointAtItsLimit(size: (width: Int, height: Int, layout: String)) throws {
        let (b, outcome) = screen(state, Fixture.context(state: state), layout: size.layout, width: size.width,
                                  height: size.height)
        let area = try #require(rect(of: .arms, in: outcome))
        for arm in ["PSM1", "PSM2", "ECM", "MTML"] { #expect(b.contains(arm, in: area)) }
        // The long form where the arm's column is 60 wide, else the compact one.
        let long = " AT LIMIT: outer_pitch "
        let limit = b.contains(long, in: area) ? long : " LIMIT outer_pitch "
        #expect(b.contains(limit, in: area))
        // At its limit is the LIMIT alarm's medium: yellow, as in the alarm list.
        #expect(b.style(of: limit, in: area)?.fg == .yellow)
        #expect(b.style(of: limit, in: area)?.attributes.contains(.reverse) == true)
        #expect(b.contains("no joint data", in: area))
    }

    @Test func fullDetailWhenThereIsRoom() {
        let b = panel(.arms, state, Fixture.context(state: state), width: 72, height: 28)
        let lines = b.lines
        // A heading row names every column over the joint lines.
        #expect(lines[1].hasPrefix("│  joint             position limits "))
        #expect(lines[1].hasSuffix(" alarm      effort     │"))
        #expect(lines[2].hasPrefix("│PSM1 PSM  ENABLED  homed  following    "))
        #expect(lines[3].hasPrefix("│  tip x 12.0 y -34.5 z 101.0 mm  speed 30.0 mm/s    "))
        #expect(lines[4].hasPrefix("│  outer_yaw             6.9° ███"))
        #expect(lines[4].hasSuffix("·           eff 12%     │"))
        #expect(lines[6].hasPrefix("│  outer_insertion   101.0 mm ██"))
        #expect(b.contains("MTML MTM  ENABLED  homed  following"))
        #expect(b.contains("  tip x 100.0 y 200.0 z 300.0 mm  speed 100 mm/s"))
        #expect(b.contains("  no joint data"))
    }

    /// The row of `joint` under the line of `arm`.
    func row(_ b: CellBuffer, _ joint: String, after arm: String) -> Int? {
        guard let top = b.find(arm) else { return nil }
        return b.find(joint, in: Rect(x: 0, y: top.y + 1, width: b.width, height: b.height - top.y - 1))?.y
    }

    /// The colours and markers of the LIMIT and EFFORT alarms: at a limit medium (yellow, `**`),
    /// near one low (cyan, `*`), effort at 90 % of its maximum medium.
    @Test func aJointAtItsLimitHasAYellowGaugeAndNearOneACyanGauge() throws {
        let b = panel(.arms, state, Fixture.context(state: state), width: 72, height: 28)
        // Border, indent 2, name 16, value 10, a space: gauges start at column 30.
        let gauge = 30
        let pitch = try #require(row(b, "outer_pitch", after: "PSM2 PSM"))
        #expect(b.lines[pitch].hasPrefix("│  outer_pitch          53.0° █████"))
        #expect(b[gauge, pitch].character == "█" && b[gauge, pitch].style.fg == .yellow)
        #expect(b.lines[pitch].contains("█ ** LIMIT eff 105% ** "))
        #expect(b.style(of: "** LIMIT eff")?.fg == .yellow)
        #expect(b.style(of: "105%")?.fg == .yellow)

        let insertion = try #require(row(b, "insertion", after: "ECM ECM"))
        #expect(b[gauge, insertion].style.fg == .cyan)
        #expect(b.lines[insertion].contains(" *  near "))
        // A joint well inside its range: green.
        let yaw = try #require(row(b, "outer_yaw", after: "PSM1 PSM"))
        #expect(b[gauge, yaw].style.fg == .green)
    }

    @Test func monochromeAndASCIIKeepTheLimitReadable() throws {
        let b = panel(.arms, state, Fixture.context(unicode: false, colors: false, state: state), width: 72, height: 28)
        #expect(b.contains("53.0deg ####"))
        #expect(b.contains(" ** LIMIT eff 105% **"))
        #expect(b.style(of: " AT LIMIT: outer_pitch ")?.attributes.contains(.reverse) == true)
        #expect(!b.usesColor)
        #expect(b.isASCII)
    }

    @Test func faultIsReversedRedAndCountedInTheTitle() {
        var builder = SessionBuilder()
        builder.session()
        builder.apply(1, .arm(ArmSample(arm: "PSM1", state: .fault, position: [0, 0, 0.1, 0, 0, 0])))
        let b = panel(.arms, builder.state, Fixture.context(now: builder.lastArrival), width: 72, height: 28)
        #expect(b.lines[0].contains(" 1 FAULT "))
        #expect(b.lines[2].hasPrefix("│PSM1 PSM   FAULT "))
        #expect(b.style(of: "FAULT", in: Rect(x: 0, y: 2, width: 72, height: 1))?.fg == .red)
        #expect(b.style(of: "FAULT", in: Rect(x: 0, y: 2, width: 72, height: 1))?.attributes.contains(.reverse) == true)
        #expect(b.contains("PSM2 PSM  state ?"))
    }

    @Test func aShortPanelShowsFewerJointsPerArmAndScrollsThem() {
        // 13 rows inside: the heading, 4 arm lines + 2 joints for each of the 3 arms with
        // joints, 2 spare.
        var context = Fixture.context(state: state)
        var b = CellBuffer(width: 72, height: 15)
        let layout = Layout(name: "t", minimum: TerminalSize(width: 1, height: 1), root: .panel(.arms))
        var outcome = ConsoleView.render(state: state, context: context, layout: layout, into: &b)
        #expect(b.lines[1].contains("joint") && b.lines[1].contains("effort"))
        #expect(b.lines[2].hasPrefix("│PSM1 PSM  ENABLED  homed  following"))
        #expect(b.lines[3].hasPrefix("│  outer_yaw "))
        #expect(b.lines[5].hasPrefix("│  outer_insertion "))
        #expect(b.lines[6].hasPrefix("│PSM2 PSM"))
        #expect(outcome.maxScroll[.arms] == 3)

        context.scroll[.arms] = 2
        b = CellBuffer(width: 72, height: 15)
        outcome = ConsoleView.render(state: state, context: context, layout: layout, into: &b)
        #expect(b.lines[3].hasPrefix("│  outer_insertion "))
        #expect(b.lines[5].hasPrefix("│  wrist_pitch "))
        // ECM has four joints: its window stops at its last one.
        let ecm = b.find("ECM ECM")!.y
        #expect(b.lines[ecm + 1].hasPrefix("│  insertion "))
        #expect(b.lines[ecm + 2].hasPrefix("│  roll "))
    }

    @Test func aVeryShortPanelShowsOneLinePerArm() {
        let b = panel(.arms, state, Fixture.context(state: state), width: 64, height: 5)
        #expect(b.lines[1].hasPrefix("│PSM1 PSM  ENABLED  homed  following  6 joints ok"))
        #expect(b.lines[2].hasPrefix("│PSM2 PSM  ENABLED  homed  following   AT LIMIT: outer_pitch "))
        #expect(b.lines[3].hasPrefix("│ECM ECM  ENABLED  homed  not following   near limit: insert"))

        var context = Fixture.context(state: state)
        context.scroll[.arms] = 5
        var buffer = CellBuffer(width: 64, height: 5)
        let layout = Layout(name: "t", minimum: TerminalSize(width: 1, height: 1), root: .panel(.arms))
        let outcome = ConsoleView.render(state: state, context: context, layout: layout, into: &buffer)
        #expect(outcome.maxScroll[.arms] == 1)
        #expect(buffer.lines[1].hasPrefix("│PSM2"))
        #expect(buffer.lines[3].hasPrefix("│MTML MTM  ENABLED  homed  following  no joint data"))
    }

    @Test func narrowPanelCondensesTheArmLine() {
        let b = panel(.arms, state, Fixture.context(state: state), width: 40, height: 11)
        #expect(b.contains("PSM2 ENABLED   LIMIT outer_pitch "))
        #expect(b.contains("MTML ENABLED  follow  no joint data"))
        #expect(b.contains(" outer_yaw "))
    }

    @Test func staleArmSaysForHowLong() {
        var builder = SessionBuilder()
        builder.session()
        builder.apply(1, .arm(ArmSample(arm: "PSM1", state: .enabled, position: [0, 0, 0.1, 0, 0, 0])))
        builder.apply(5, .arm(ArmSample(arm: "PSM2", state: .enabled, position: [0, 0, 0.1, 0, 0, 0])))
        let now = builder.lastArrival + 1.5
        let b = panel(.arms, builder.state, Fixture.context(now: now), width: 72, height: 28)
        #expect(b.lines[0].contains("STALE 1.5 s"))
        let psm1 = b.find("PSM1 PSM")!.y
        #expect(b.lines[psm1].contains("STALE 5.5 s"))
    }

    @Test func jointsWithoutLimitsOrMaximumEffort() {
        var builder = SessionBuilder()
        builder.session([ArmDescriptor(id: "X", kind: .other, joints: [JointDescriptor(name: "slide", unit: .m)])])
        for k in 0..<10 {
            builder.apply(Double(k), .arm(ArmSample(arm: "X", position: [Double(k) / 100], effort: [1.25])))
        }
        let b = panel(.arms, builder.state, Fixture.context(now: builder.lastArrival), width: 72, height: 6)
        #expect(b.lines[3].hasPrefix("│  slide     90.0 mm "))
        #expect(b.lines[3].contains("▁▂▃▃▄▅▆▆▇█"))
        #expect(b.lines[3].contains("1.25N"))
    }

    @Test func waitingForTheSession() {
        let b = panel(.arms, SessionState(), Fixture.context(), width: 40, height: 5)
        #expect(b.contains("waiting for the session frame"))
    }

    @Test func jointNamesFromTelemetryAreSanitisedAndCut() {
        var builder = SessionBuilder()
        let name = "evil\u{1B}[2J\u{1B}[H_joint_with_a_very_long_name"
        builder.session([ArmDescriptor(id: "PSM\u{7}9", kind: .psm,
                                       joints: [JointDescriptor(name: name, unit: .rad, min: -1, max: 1)])])
        builder.apply(1, .arm(ArmSample(arm: "PSM\u{7}9", position: [0])))
        let b = panel(.arms, builder.state, Fixture.context(now: builder.lastArrival), width: 72, height: 6)
        #expect(b.lines[2].hasPrefix("│PSM9 PSM"))
        #expect(b.lines[3].hasPrefix("│  evil_joint_with…"))
    }
}
