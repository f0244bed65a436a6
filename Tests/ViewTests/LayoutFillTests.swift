import Foundation
import SessionCore
import Telemetry
import Testing
@testable import View

/// A session as the simulator plays it a few seconds in, built through the reducer: three PSMs
/// and the ECM with tool tips, two network paths with history, two alarms raised by the alarm
/// engine (the primary path's round trip) and the robot (a wrist at its limit), and some events.
enum FillSession {
    static let end = 40.0

    /// Notes as a session writes them, in order: `state(events:)` takes the first ones.
    static let notes: [(t: Double, kind: String, text: String)] = [
        (0, "teleop_engaged", "Surgeon console connected; teleoperation engaged"),
        (2, "note", "Ports placed and patient-side cart docked"),
        (14, "clutch", "Surgeon clutch pressed"),
        (27, "camera", "Camera moved"),
        (33, "instrument_change", "PSM3 now PROGRASP_FORCEPS"),
        (34, "clutch", "Surgeon clutch released"),
        (35, "camera", "Endoscope repositioned"),
        (37, "note", "Suction requested"),
        (39, "teleop_paused", "Teleoperation paused by the surgeon"),
    ]

    /// Alarms the console could list, highest first: the grid takes the first ones.
    static let alarmRows = [
        AlarmRow(id: "LINK.primary.RTT", priority: .medium, message: "Round trip 290 ms on primary", since: 35),
        AlarmRow(id: "PSM2.JOINT_LIMIT", priority: .medium, message: "Joint wrist_pitch at its limit", since: 21),
        AlarmRow(id: "LINK.backup.LOSS", priority: .low, message: "Loss 1.2 % on backup", since: 38),
    ]

    static func state(events: Int = 5) -> SessionState {
        var b = SessionBuilder()
        let psm = DVRK.psmJoints(7)
        b.session(DVRK.psms.map { ArmDescriptor(id: $0, kind: .psm, joints: psm) }
                  + [ArmDescriptor(id: "ECM", kind: .ecm, joints: DVRK.ecmJoints)],
                  id: "SIM-0007", surgeon: "New York", patient: "Strasbourg", distance: 6200)
        b.linkHistory(until: end, seconds: end) { t in
            LinkSample(rttMs: t > end - 5 ? 290 : 92 + 4 * sin(t), jitterMs: 3 + sin(t / 3), lossPct: 0.1,
                       bandwidthMbps: 48, videoFps: 59.9, videoDelayMs: 140)
        }
        b.linkHistory(path: "backup", until: end, seconds: end) { t in
            LinkSample(rttMs: 120 + 3 * sin(t), jitterMs: 5, lossPct: 0.2, bandwidthMbps: 25, videoFps: 30,
                       videoDelayMs: 190)
        }
        for (k, arm) in DVRK.psms.enumerated() {
            var position = [0.2, -0.1, 0.12, 0.4, 0.1 * Double(k), -0.2, 0.5]
            if arm == "PSM2" { position[4] = 1.396 }
            b.apply(end, .arm(ArmSample(arm: arm, state: .enabled, homed: true, following: true, position: position,
                                        effort: position.map { _ in 0.05 }, tip: [0.01, 0.02, -0.07],
                                        twist: [0.01, 0, 0, 0, 0, 0])))
            b.apply(end, .instrument(InstrumentSample(arm: arm, tool: .model("LARGE_NEEDLE_DRIVER"), state: .engaged,
                                                      usesLeft: 5, energy: .bipolar, energyActive: false)))
        }
        b.apply(end, .arm(ArmSample(arm: "ECM", state: .enabled, homed: true, following: true,
                                    position: [0, 0.1, 0.08, 0], effort: [0, 0, 0, 0], tip: [0, 0, -0.05])))
        b.apply(21, .alarm(AlarmReport(id: "PSM2.JOINT_LIMIT", state: .raised, priority: .medium, source: "PSM2",
                                       message: "Joint wrist_pitch at its limit")))
        for note in notes.prefix(events) { b.apply(note.t, .event(EventNote(kind: note.kind, text: note.text))) }
        return b.state
    }

    /// The alarms as the console lists them: the robot's, and those the engine raises.
    static func context(_ state: SessionState, mode: SessionMode) -> ViewContext {
        var context = Fixture.context(mode: mode, now: 1000 + end + 0.2, state: state)
        var engine = AlarmEngine(settings: context.alarmSettings)
        engine.evaluate(state, time: state.sessionTime, arrivalNow: state.lastFrame?.arrival ?? 0, sourceIsLive: false)
        context.alarms = AlarmRow.rows(from: engine)
        return context
    }
}

/// What one bordered panel shows on a rendered screen, read back from the buffer.
struct PanelFill: CustomStringConvertible {
    let panel: PanelID
    /// Rows inside its border.
    let interior: Int
    /// Interior rows with nothing drawn in them (every cell a space, or a column separator).
    let blank: Int
    /// Its title says some of its rows are not shown: the panel's own count, "+N more", or
    /// "+N joints: taller terminal".
    let hides: Bool

    /// More than a third of the interior is blank.
    var mostlyBlank: Bool { blank * 3 > interior }

    var description: String { "\(panel) \(blank)/\(interior) blank\(hides ? ", hides rows" : "")" }

    /// Nothing drawn in the row but spaces and the separator between columns of a panel (the
    /// arms side by side, the link's paths): a separator beside empty rows is not content.
    static func isBlank(_ row: String) -> Bool {
        row.allSatisfy { $0 == " " || $0 == "│" || $0 == "|" }
    }

    /// Every panel with a border (the header, caption and footer are bands, always full).
    static func read(_ b: CellBuffer, _ outcome: RenderOutcome) -> [PanelFill] {
        outcome.placements.compactMap { placement in
            let r = placement.rect
            guard r.height >= 3, r.width >= 6, ![.header, .caption, .footer].contains(placement.panel) else { return nil }
            let inside = b.lines(in: Rect(x: r.x + 1, y: r.y + 1, width: r.width - 2, height: r.height - 2))
            let title = b.lines(in: Rect(x: r.x, y: r.y, width: r.width, height: 1))[0]
            return PanelFill(panel: placement.panel, interior: inside.count,
                             blank: inside.filter(Self.isBlank).count,
                             hides: Shown.more(in: title) != nil || title.contains("taller terminal"))
        }
    }
}

@Suite struct LayoutFillRuleTests {
    static let sizes = [(80, 24), (120, 40), (160, 50), (200, 60)]

    @Test("no panel leaves more than a third of its interior blank while another hides rows",
          arguments: LayoutCatalog.shippedOrder, sizes)
    func fillRule(name: String, size: (Int, Int)) throws {
        let state = FillSession.state()
        let mode: SessionMode = name == "trainer" ? .replay : name == "demo" ? .demo : .live
        // As the console chooses: compact where the layout does not fit.
        let choice = LayoutChoice.resolve(requested: Fixture.layout(name), size: TerminalSize(width: size.0, height: size.1),
                                          catalog: LayoutCatalog(userDirectory: nil))
        for unicode in [true, false] {
            var context = FillSession.context(state, mode: mode)
            context.glyphs = unicode ? .utf8 : .ascii
            var b = CellBuffer(width: size.0, height: size.1)
            let outcome = ConsoleView.render(state: state, context: context, choice: choice, into: &b)
            let fills = PanelFill.read(b, outcome)
            #expect(fills.count >= 4, "\(name) at \(size.0)x\(size.1): the panels are drawn")
            for hiding in fills where hiding.hides {
                for other in fills where other.panel != hiding.panel {
                    #expect(!other.mostlyBlank, "\(name) at \(size.0)x\(size.1): \(other) while \(hiding)")
                }
            }
        }
    }

    /// Whether the screen breaks the rule: a panel more than a third blank while another hides rows.
    static func breaches(_ b: CellBuffer, _ outcome: RenderOutcome) -> [String] {
        let fills = PanelFill.read(b, outcome)
        return fills.filter(\.hides).flatMap { hiding in
            fills.filter { $0.panel != hiding.panel && $0.mostlyBlank }.map { "\($0) while \(hiding)" }
        }
    }

    @Test("the rule holds early in a session too: 0 to 9 events and 0 to 3 alarms, every layout, every size",
          arguments: LayoutCatalog.shippedOrder, sizes)
    func fillRuleOverStates(name: String, size: (Int, Int)) {
        let mode: SessionMode = name == "trainer" ? .replay : name == "demo" ? .demo : .live
        let choice = LayoutChoice.resolve(requested: Fixture.layout(name), size: TerminalSize(width: size.0, height: size.1),
                                          catalog: LayoutCatalog(userDirectory: nil))
        var failing: [String] = []
        for events in 0...9 {
            let state = FillSession.state(events: events)
            for alarms in 0...3 {
                var context = FillSession.context(state, mode: mode)
                context.alarms = Array(FillSession.alarmRows.prefix(alarms))
                var b = CellBuffer(width: size.0, height: size.1)
                let outcome = ConsoleView.render(state: state, context: context, choice: choice, into: &b)
                #expect(PanelFill.read(b, outcome).count >= 4)
                failing += Self.breaches(b, outcome).map { "\(events) events, \(alarms) alarms: \($0)" }
            }
        }
        #expect(failing.isEmpty, "\(name) at \(size.0)x\(size.1): \(failing.count) states\n\(failing.joined(separator: "\n"))")
    }

    @Test("from 120x40 up, every shipped layout shows every row of this session")
    func nothingHiddenWhenThereIsRoom() {
        let state = FillSession.state()
        for name in LayoutCatalog.shippedOrder where name != "compact" {
            for (w, h) in Self.sizes.dropFirst() {
                let mode: SessionMode = name == "trainer" ? .replay : name == "demo" ? .demo : .live
                let (b, outcome) = screen(state, FillSession.context(state, mode: mode), layout: name, width: w, height: h)
                let hiding = PanelFill.read(b, outcome).filter(\.hides)
                #expect(hiding.isEmpty, "\(name) at \(w)x\(h): \(hiding)")
            }
        }
    }

    @Test("the demo at 160x50: the caption under the header, charts beside the tool tips, then every joint")
    func demoAt160x50() throws {
        var state = FillSession.state()
        state.apply(Frame(t: FillSession.end, body: .event(EventNote(kind: "caption", text: "Primary link congested"))),
                    arrival: 1000 + FillSession.end)
        let (b, outcome) = screen(state, FillSession.context(state, mode: .demo), layout: "demo", width: 160, height: 50)
        let header = try #require(rect(of: .header, in: outcome))
        let caption = try #require(rect(of: .caption, in: outcome))
        let link = try #require(rect(of: .link, in: outcome)), tips = try #require(rect(of: .tips, in: outcome))
        let arms = try #require(rect(of: .arms, in: outcome))
        #expect(caption.y == header.maxY && caption.height == 2 && caption.width == 160)
        #expect(b.contains("Primary link congested", in: caption))
        #expect(link.y == tips.y && link.height == tips.height && link.maxX == tips.x)
        // The charts get the rows the panels below do not need: more than a third of the screen.
        #expect(link.height * 3 > 50 - 6)
        let names = Set(state.arms.flatMap { $0.descriptor.joints.map(\.name) })
        let shown = Shown(b, arms, arms: Set(state.arms.map(\.id)), joints: names)
        #expect(Set(shown.joints) == DVRK.allJoints(state))
        #expect(b.contains("effort", in: arms) && b.contains("position", in: arms))
        for panel in [PanelID.alarms, .events] { #expect(rect(of: panel, in: outcome) != nil, "\(panel)") }
    }
}

/// The issue's screen: the demo layout as it was (a large link at weight 1 above the arms,
/// alarms and instruments) left the link a tall box of empty rows at 160x50 while the arms cut
/// off joints. With the panels' demands the same file gives the arms every row they need.
@Suite struct IssueDemoLayoutTests {
    static let oldDemo = """
        name: demo
        root:
          rows:
            - panel: header
              size: 3
              large: true
            - panel: link
              large: true
              weight: 1
              min: 14
            - columns:
                - panel: arms
                  weight: 1
                  min: 30
                - panel: alarms
                  weight: 1
                  min: 30
                - panel: instruments
                  weight: 1
                  min: 30
              weight: 1
              min: 7
            - panel: footer
              size: 1
        """

    @Test("the old demo layout at 160x50 shows every joint and leaves no panel mostly blank")
    func oldDemoLayoutFills() throws {
        let layout = try LayoutParser.parse(yaml: Self.oldDemo, file: "old demo", defaultName: "demo")
        let state = FillSession.state()
        var b = CellBuffer(width: 160, height: 50)
        let outcome = ConsoleView.render(state: state, context: FillSession.context(state, mode: .demo), layout: layout,
                                         into: &b)
        let fills = PanelFill.read(b, outcome)
        #expect(fills.filter(\.hides).isEmpty, "\(fills)")
        let arms = try #require(rect(of: .arms, in: outcome))
        let shown = Shown(b, arms, arms: Set(state.arms.map(\.id)),
                          joints: Set(state.arms.flatMap { $0.descriptor.joints.map(\.name) }))
        #expect(Set(shown.joints) == DVRK.allJoints(state))
    }
}

@Suite struct PanelDemandTests {
    /// `id` alone at `width`, as tall as it asks to be.
    func asked(_ id: PanelID, _ state: SessionState, _ context: ViewContext, width: Int) -> (CellBuffer, Int) {
        let p = PanelContext(state: state, view: context, layoutName: "test")
        let rows = PanelDemand.rows(id, PanelOptions(), width: width, p).want ?? 0
        return (panel(id, state, context, width: width, height: rows), rows)
    }

    @Test("the arms given the rows they ask for show every joint, at any width", arguments: [40, 64, 72, 100, 130, 200])
    func armsAskForWhatTheyShow(width: Int) {
        for state in [DVRK.session(psmJoints: 7), DVRK.session(psmJoints: 6, extraPSMs: 2)] {
            let (b, rows) = asked(.arms, state, Fixture.context(state: state), width: width)
            let shown = Shown(b, b.area, arms: Set(state.arms.map(\.id)),
                              joints: Set(state.arms.flatMap { $0.descriptor.joints.map(\.name) }))
            #expect(Set(shown.joints) == DVRK.allJoints(state), "\(width) wide, \(rows) rows")
            #expect(shown.more == nil && !b.lines[0].contains("taller"))
            // One row fewer hides something, or needs more columns than full joint lines (40
            // wide) allow: the panel asks for no more than it uses.
            let short = ArmsPanel.plan(state.arms, height: rows - 3, width: width - 2, scroll: 0)
            let columnWidth = (width - 2 - (short.columns.count - 1)) / short.columns.count
            #expect(short.hidden + short.jointsNotShown > 0 || (short.columns.count > 1 && columnWidth < 40),
                    "\(width) wide")
        }
    }

    @Test("alarms, instruments and events given the rows they ask for hide none", arguments: [0, 1, 2, 3, 5, 9, 30])
    func listsAskForWhatTheyShow(count: Int) {
        var builder = SessionBuilder()
        builder.session(DVRK.psms.prefix(min(count, 3)).map { ArmDescriptor(id: $0, kind: .psm, joints: []) })
        for k in 0..<count { builder.apply(Double(k), .event(EventNote(kind: "note", text: "event \(k)"))) }
        var context = Fixture.context(now: builder.lastArrival)
        context.alarms = (0..<count).map { AlarmRow(id: "A\($0)", priority: .low, message: "alarm \($0)", since: 0) }
        for id in [PanelID.alarms, .instruments] {
            let (b, rows) = asked(id, builder.state, context, width: 80)
            #expect(Shown.more(in: b.lines[0]) == nil, "\(id) with \(count) in \(rows) rows")
        }
        // The events ask for their recent ones, in steps, never fewer than there are up to 12.
        let (events, rows) = asked(.events, builder.state, context, width: 80)
        #expect(rows - 2 >= min(count, EventsPanel.recentRows))
        #expect((Shown.more(in: events.lines[0]) ?? 0) == max(0, count - (rows - 2)))
    }

    @Test("the alarms ask for exactly the rows they list; a lone alarm needs no more than none")
    func alarmsAskExactly() {
        let rows = (0...6).map(AlarmsPanel.contentRows(alarms:))
        #expect(rows == [3, 3, 5, 6, 7, 8, 9])
        // Given those rows, every alarm is shown and no row is blank (the titles need three rows inside).
        let state = FillSession.state()
        for n in 0...3 {
            var context = FillSession.context(state, mode: .live)
            context.alarms = Array(FillSession.alarmRows.prefix(n))
            let b = panel(.alarms, state, context, width: 80, height: rows[n])
            let inside = b.lines.dropFirst().dropLast()
            #expect(inside.allSatisfy { !$0.allSatisfy { $0 == " " } }, "\(n) alarms: \(b.lines)")
            #expect(Shown.more(in: b.lines[0]) == nil)
        }
    }
}

@Suite struct DemandEngineTests {
    let content = SizeConstraint.weight(1)

    @Test("a panel gets the rows its content asks for; the spare rows go to the panel that fills")
    func spareGoesToFill() {
        // An alarm list of 7 rows, instruments of 6, a chart that fills.
        let sizes = LayoutEngine.sizes(total: 40, [content, content, .weight(1, min: 5)],
                                       content: [Demand(want: 7), Demand(want: 6), .fills])
        #expect(sizes == [7, 6, 27])
    }

    @Test("panels with rows to show are served before a chart grows past its minimum or preference")
    func contentBeforeFill() {
        #expect(LayoutEngine.sizes(total: 30, [.weight(1, min: 8), .weight(3)], content: [.fills, Demand(want: 35)])
                == [8, 22])
        var chart = SizeConstraint.weight(1, min: 8)
        chart.prefer = 12
        #expect(LayoutEngine.sizes(total: 30, [chart, .weight(1)], content: [.fills, Demand(want: 35)]) == [12, 18])
        // Short of room for both wants, they share by weight, each never past what it asks.
        #expect(LayoutEngine.sizes(total: 20, [.weight(1), .weight(1)], content: [Demand(want: 4), Demand(want: 30)])
                == [4, 16])
        #expect(LayoutEngine.sizes(total: 20, [.weight(1), .weight(1)], content: [Demand(want: 14), Demand(want: 30)])
                == [10, 10])
    }

    @Test("without a panel that fills, the spare rows are shared by weight; sizes always add up")
    func spareWithoutFill() {
        #expect(LayoutEngine.sizes(total: 20, [content, content], content: [Demand(want: 4), Demand(want: 6)]) == [9, 11])
        for total in 0..<80 {
            let sizes = LayoutEngine.sizes(total: total, [.fixed(2), .weight(2, min: 3), .weight(1), .fixed(1)],
                                           content: [.unknown, Demand(want: 9), .fills, .unknown])
            #expect(sizes.reduce(0, +) == total, "\(total)")
        }
    }

    @Test("fixed sizes and minimums are still honoured first")
    func fixedAndMinimums() {
        #expect(LayoutEngine.sizes(total: 12, [.fixed(3), .weight(1, min: 6), .weight(1)],
                                   content: [Demand(want: 1), Demand(want: 2), .fills]) == [3, 6, 3])
        #expect(LayoutEngine.sizes(total: 7, [.fixed(3), .weight(1, min: 6)], content: [.unknown, Demand(want: 9)])
                == [3, 4])
    }

    @Test("the layout's prefer replaces the content's want and fill adds to it")
    func layoutKeysOverContent() {
        var alarms = SizeConstraint.weight(1)
        alarms.prefer = 10
        var events = SizeConstraint.weight(1)
        events.fill = true
        #expect(LayoutEngine.sizes(total: 40, [alarms, events], content: [Demand(want: 5), Demand(want: 4)]) == [10, 30])
        // Layout keys alone, without any content known.
        #expect(LayoutEngine.sizes(total: 40, [alarms, events]) == [10, 30])
    }

    @Test("a rows split asks for the sum of its children, a columns split for the most of its columns")
    func nestedSplits() {
        let right = LayoutNode.rows([.panel(.alarms), .panel(.instruments, .fixed(6)), .panel(.events, .weight(1, min: 4))])
        let bottom = LayoutNode.columns([.panel(.arms, .weight(1)), right])
        let wants: [PanelID: Demand] = [.alarms: Demand(want: 7), .events: Demand(want: 2, fill: true),
                                        .arms: Demand(want: 19), .link: .fills]
        let source: DemandSource = { id, _, _ in wants[id] }
        #expect(LayoutEngine.height(of: right, width: 50, source) == Demand(want: 7 + 6 + 4, fill: true))
        // The arms cannot use more rows, so the columns do not fill.
        #expect(LayoutEngine.height(of: bottom, width: 100, source) == Demand(want: 19))
        let root = LayoutNode.rows([.panel(.link, .weight(1, min: 5)), bottom])
        #expect(LayoutEngine.height(of: root, width: 100, source) == Demand(want: 5 + 19, fill: true))
        let placed = LayoutEngine.split(Rect(x: 0, y: 0, width: 100, height: 50), root, demand: source)
        #expect(placed.first { $0.panel == .arms }?.rect.height == 19)
        #expect(placed.first { $0.panel == .link }?.rect.height == 31)
        // Within the right column the events, asked for less than their minimum, fill the rest.
        #expect(placed.first { $0.panel == .alarms }?.rect.height == 7)
        #expect(placed.first { $0.panel == .events }?.rect.height == 19 - 7 - 6)
        // A panel whose demand is unknown makes its split's unknown: it shares by weight.
        #expect(LayoutEngine.height(of: root, width: 100, { id, _, _ in id == .arms ? nil : wants[id] }).want == nil)
    }

    @Test("the panels' widths depend on the layout alone, so a columns split's demand is per column")
    func columnsAskPerWidth() {
        let node = LayoutNode.columns([.panel(.arms, .weight(1)), .panel(.alarms, .weight(1))])
        let source: DemandSource = { id, _, width in Demand(want: id == .arms ? 600 / max(1, width) : 3) }
        #expect(LayoutEngine.height(of: node, width: 60, source).want == 20)
        #expect(LayoutEngine.height(of: node, width: 120, source).want == 10)
    }

    @Test("hostile values are clamped: huge wants, preferences, weights and totals never overflow")
    func hostileValues() {
        var huge = SizeConstraint(min: Int.max, weight: Int.max, prefer: Int.max, fill: true)
        let sizes = LayoutEngine.sizes(total: 50, [huge, .weight(1)], content: [Demand(want: Int.max), Demand(want: -5)])
        #expect(sizes.reduce(0, +) == 50 && sizes.allSatisfy { $0 >= 0 })
        huge.min = -3
        let more = LayoutEngine.sizes(total: 1 << 40, [huge, .weight(Int.min)], content: [Demand(want: Int.min), .fills])
        #expect(more.allSatisfy { $0 >= 0 })
        let source: DemandSource = { _, _, _ in Demand(want: Int.max, fill: true) }
        let wide = LayoutNode.rows((0..<50).map { _ in LayoutNode.rows([.panel(.arms), .panel(.alarms)]) })
        #expect(LayoutEngine.height(of: wide, width: Int.max, source).want == SizeConstraint.maxCells)
        let placed = LayoutEngine.split(Rect(x: 0, y: 0, width: 100, height: 40), wide, demand: source)
        #expect(placed.reduce(0) { $0 + $1.rect.height } == 40)
    }

    @Test("a tree 30 levels deep, rows in columns in rows, tiles the screen exactly")
    func deepTree() {
        // Each level: a panel beside (or above) the rest of the tree, with hostile sizes on the way.
        var node = LayoutNode.panel(.arms)
        let panels: [PanelID] = [.link, .alarms, .events, .instruments, .tips]
        for level in 0..<30 {
            let other = LayoutNode.panel(panels[level % panels.count],
                                         level % 3 == 0 ? .weight(1, min: Int.max) : .weight(level % 4))
            node = level.isMultiple(of: 2) ? .rows([other, node], .weight(2, min: 1)) : .columns([node, other], .weight(3))
        }
        let wants: DemandSource = { id, _, width in
            id == .arms ? Demand(want: Int.max) : id == .alarms ? Demand(want: width % 7) : .fills
        }
        for (w, h) in [(100, 40), (80, 24), (7, 3), (1000, 1000)] {
            let screen = Rect(x: 0, y: 0, width: w, height: h)
            let placed = LayoutEngine.split(screen, node, demand: wants)
            // Every cell belongs to exactly one panel: the areas add up, none overlaps or leaves the screen.
            #expect(placed.reduce(0) { $0 + $1.rect.width * $1.rect.height } == w * h, "\(w)x\(h)")
            for (i, a) in placed.enumerated() {
                #expect(a.rect.x >= 0 && a.rect.y >= 0 && a.rect.maxX <= w && a.rect.maxY <= h)
                for b in placed[(i + 1)...] {
                    let apart = a.rect.maxX <= b.rect.x || b.rect.maxX <= a.rect.x || a.rect.maxY <= b.rect.y
                        || b.rect.maxY <= a.rect.y
                    #expect(apart, "\(a) and \(b) overlap")
                }
            }
        }
    }
}

@Suite struct LayoutFileDemandTests {
    func parse(_ yaml: String) -> Result<Layout, LayoutError> {
        do throws(LayoutError) {
            return .success(try LayoutParser.parse(yaml: yaml, file: "/home/t/mine.yaml", defaultName: "mine"))
        } catch {
            return .failure(error)
        }
    }

    func problem(_ yaml: String) -> (line: Int?, text: String)? {
        if case .failure(let e) = parse(yaml) { return (e.line, e.problem) }
        return nil
    }

    @Test("fill and prefer are read from a node")
    func readsTheKeys() throws {
        let layout = try parse("root:\n  rows:\n    - panel: link\n      fill: true\n    - panel: alarms\n      prefer: 9\n"
                               + "      min: 4\n").get()
        #expect(layout.root == .rows([.panel(.link, SizeConstraint(fill: true)),
                                      .panel(.alarms, SizeConstraint(min: 4, prefer: 9))]))
    }

    @Test("mistakes name the line and the problem")
    func mistakes() throws {
        let fill = try #require(problem("root:\n  rows:\n    - panel: link\n      fill: lots\n"))
        #expect(fill.line == 4 && fill.text == "fill must be true or false, found 'lots'")
        let negative = try #require(problem("root:\n  rows:\n    - panel: link\n      prefer: -3\n"))
        #expect(negative.line == 4 && negative.text == "prefer must not be negative, found -3")
        let huge = try #require(problem("root:\n  panel: link\n  prefer: 99999999999999999999\n"))
        #expect(huge.line == 3 && huge.text.hasPrefix("prefer must be a whole number"))
        let tooBig = try #require(problem("root:\n  panel: link\n  prefer: 10001\n"))
        #expect(tooBig.text == "prefer must be at most 10,000, found 10001")
        // The line of the key that cannot go with the others, not the node's first line.
        let fixed = try #require(problem("root:\n  rows:\n    - panel: link\n      size: 3\n      fill: true\n"))
        #expect(fixed.line == 5 && fixed.text.hasPrefix("a node with a fixed size neither prefers a size nor fills"))
        let under = try #require(problem("root:\n  rows:\n    - panel: link\n      min: 8\n      prefer: 5\n"))
        #expect(under.line == 5 && under.text.hasPrefix("prefer (5) is less than min (8)"))
    }

    @Test("a node of weight 0 cannot fill nor prefer a size: it stays at its minimum")
    func weightZero() throws {
        let fill = try #require(problem("root:\n  rows:\n    - panel: link\n      fill: true\n      weight: 0\n"))
        #expect(fill.line == 4 && fill.text.hasPrefix("a node with weight 0 stays at its minimum"))
        #expect(fill.text.contains("drop `fill`"))
        let prefer = try #require(problem("root:\n  rows:\n    - panel: link\n      weight: 0\n      prefer: 6\n"))
        #expect(prefer.line == 5 && prefer.text.contains("drop `prefer`"))
        #expect(problem("root:\n  rows:\n    - panel: link\n      weight: 0\n      fill: false\n      min: 3\n") == nil)
    }

    @Test("a rows split counts a weight-0 child at its minimum, whatever its content asks")
    func weightZeroDemand() {
        let node = LayoutNode.rows([.panel(.alarms, .weight(0, min: 3)), .panel(.instruments, .weight(1, min: 2))])
        let source: DemandSource = { id, _, _ in Demand(want: id == .alarms ? 9 : 5) }
        #expect(LayoutEngine.height(of: node, width: 60, source) == Demand(want: 3 + 5))
    }
}
