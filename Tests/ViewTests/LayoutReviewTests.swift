import SessionCore
import Telemetry
import Testing
@testable import View

/// The review of the layouts that fill the screen: the arms' demand bounded by the screen, a
/// filling panel that keeps rows of its own, the layout holding still while one alarm comes and
/// goes, the events counting what they list, and values too large to convert.
@Suite struct ArmsDemandWorkTests {
    /// A session declaring `arms` arms of `joints` joints each, every joint reporting.
    static func huge(arms: Int, joints: Int) -> SessionState {
        var b = SessionBuilder()
        let descriptors = (0..<arms).map { a in
            ArmDescriptor(id: "PSM\(a)", kind: .psm, joints: (0..<joints).map {
                JointDescriptor(name: "j\($0)", unit: .rad, min: -1, max: 1, effortMax: 1)
            })
        }
        b.session(descriptors)
        for a in 0..<arms {
            b.apply(1, .arm(ArmSample(arm: "PSM\(a)", state: .enabled, position: [Double](repeating: 0.1, count: joints),
                                      effort: [Double](repeating: 0.1, count: joints), tip: [0.01, 0.02, 0.03])))
        }
        return b.state
    }

    @Test("a session of 100 arms of 100 joints is laid out and drawn with a screen's worth of planning")
    func hundredByHundred() {
        let state = Self.huge(arms: 100, joints: 100)
        let work = ArmsPanel.Work()
        let outcome = ArmsPanel.$work.withValue(work) {
            screen(state, Fixture.context(state: state), layout: "technician", width: 200, height: 60).outcome
        }
        #expect(rect(of: .arms, in: outcome) != nil)
        // 10,100 lines: halving over them all took 14 plans and thousands of packing passes (one
        // per column height tried, each over every line); bounded by the screen's 60 rows it is
        // a few halvings of 60.
        #expect(work.plans <= 12, "\(work.plans) plans")
        #expect(work.packings <= 120, "\(work.packings) packings")
    }

    @Test("bounded by the screen, the arms ask for the same rows, or for more than the screen has",
          arguments: [40, 72, 130, 200])
    func boundedDemand(width: Int) {
        for state in [DVRK.session(psmJoints: 7), DVRK.session(psmJoints: 6, extraPSMs: 2), Self.huge(arms: 6, joints: 20)] {
            let full = ArmsPanel.contentRows(state.arms, width: width)
            for limit in [10, 24, 40, 60] {
                let bounded = ArmsPanel.contentRows(state.arms, width: width, limit: limit)
                #expect(full <= limit ? bounded == full : bounded > limit, "\(width) wide, limit \(limit): \(full)")
            }
        }
    }
}

@Suite struct FillerFloorTests {
    @Test("a filling panel with neither min nor prefer keeps its weight's share beside a panel with more to show")
    func fillerKeepsItsShare() {
        #expect(LayoutEngine.sizes(total: 21, [.weight(1), .weight(1)], content: [.fills, Demand(want: 40)]) == [10, 11])
        #expect(LayoutEngine.sizes(total: 20, [.weight(1), .weight(3)], content: [.fills, Demand(want: 40)]) == [5, 15])
        // When the other needs less, the filler takes the rest as before.
        #expect(LayoutEngine.sizes(total: 21, [.weight(1), .weight(1)], content: [.fills, Demand(want: 6)]) == [15, 6])
    }

    @Test("the reviewer's layout at 80x24 shows the link above the arms")
    func reviewersLayout() throws {
        let yaml = """
            root:
              rows:
                - panel: header
                  size: 2
                - columns:
                    - rows:
                        - panel: link
                        - panel: arms
                    - panel: events
                - panel: footer
                  size: 1
            """
        let layout = try LayoutParser.parse(yaml: yaml, file: "mine.yaml", defaultName: "mine")
        let state = FillSession.state()
        var b = CellBuffer(width: 80, height: 24)
        let outcome = ConsoleView.render(state: state, context: FillSession.context(state, mode: .live), layout: layout,
                                         into: &b)
        let link = try #require(rect(of: .link, in: outcome))
        #expect(link.height >= 10, "\(link)")
        #expect(b.contains("primary", in: link))
    }
}

@Suite struct LayoutMemoryTests {
    static let alarms = FillSession.alarmRows

    /// The demo at 160x50 with `n` alarms at `now`, laid out after `memory`.
    func render(_ n: Int, now: Double, after memory: LayoutMemory) -> RenderOutcome {
        let state = FillSession.state()
        var context = FillSession.context(state, mode: .demo)
        context.alarms = Array(Self.alarms.prefix(n))
        context.now = now
        context.layoutMemory = memory
        var b = CellBuffer(width: 160, height: 50)
        return ConsoleView.render(state: state, context: context, layout: Fixture.layout("demo"), into: &b)
    }

    @Test("alarms coming and going within ten seconds move nothing; ten seconds after the last, the rows go")
    func alarmsComeAndGo() {
        // Each screen's memory is the last one's outcome, as the console keeps it.
        let two = render(2, now: 100, after: LayoutMemory())
        let none = render(0, now: 100, after: LayoutMemory())
        #expect(two.placements != none.placements, "two alarms need rows of their own")
        var memory = two.layoutMemory
        for (n, t) in [(0, 101.0), (1, 103), (0, 105), (2, 106), (0, 107), (1, 112), (0, 116.9)] {
            let outcome = render(n, now: t, after: memory)
            #expect(outcome.placements == two.placements, "\(n) alarms at \(t)")
            memory = outcome.layoutMemory
        }
        // Fewer wanted since 107: at 117 the rows go.
        #expect(render(0, now: 117, after: memory).placements == none.placements)
        // Growth is at once.
        #expect(render(2, now: 117, after: render(0, now: 117, after: memory).layoutMemory).placements == two.placements)
    }

    @Test("one alarm raised and cleared moves nothing at all")
    func oneAlarm() {
        let none = render(0, now: 10, after: LayoutMemory())
        let one = render(1, now: 11, after: none.layoutMemory)
        #expect(one.placements == none.placements)
        #expect(render(0, now: 12, after: one.layoutMemory).placements == none.placements)
    }

    @Test("a first screen, as a snapshot draws it, depends on the state alone")
    func firstScreen() {
        #expect(render(3, now: 5, after: LayoutMemory()).placements == render(3, now: 5000, after: LayoutMemory()).placements)
        #expect(render(3, now: 5, after: LayoutMemory()).placements != render(0, now: 5, after: LayoutMemory()).placements)
    }

    @Test("the hold: growth at once, fewer only after ten seconds without a break, a new width afresh")
    func holdRule() {
        var memory = LayoutMemory()
        func ask(_ want: Int, at t: Double, width: Int = 50) -> Int? {
            var next = LayoutMemory()
            let d = memory.demand(.alarms, width: width, asked: Demand(want: want), now: t, next: &next)
            memory = next
            return d.want
        }
        #expect(ask(5, at: 0) == 5)
        #expect(ask(3, at: 1) == 5)
        #expect(ask(7, at: 2) == 7)
        #expect(ask(3, at: 3) == 7)
        #expect(ask(4, at: 12.9) == 7)
        #expect(ask(4, at: 13) == 4)
        #expect(ask(9, at: 14) == 9)
        #expect(ask(2, at: 15, width: 80) == 2, "another width asks afresh")
        #expect(ask(1, at: 16, width: 80) == 2)
        #expect(ask(1, at: 10, width: 80) == 2, "a clock that went back starts the wait again")
        #expect(ask(1, at: 19.9, width: 80) == 2)
        #expect(ask(1, at: 20, width: 80) == 1)
    }
}

@Suite struct EventsCaptionCountTests {
    /// Two technical events among twelve captions.
    static func captioned() -> SessionState {
        var b = SessionBuilder()
        b.session()
        for k in 0..<12 { b.apply(Double(k), .event(EventNote(kind: EventEntry.captionKind, text: "Caption \(k)"))) }
        b.apply(5.5, .event(EventNote(kind: "failover", text: "Backup path took over")))
        b.apply(12, .event(EventNote(kind: "clutch", text: "Surgeon clutch pressed")))
        return b.state
    }

    @Test("with a caption band the Events panel asks rows for the events it lists, not the captions")
    func demandCountsListed() {
        let state = Self.captioned()
        func demand(band: Bool, hidden: Bool) -> Demand {
            var context = Fixture.context(state: state)
            context.captionHidden = hidden
            var p = PanelContext(state: state, view: context, layoutName: "demo")
            p.captionBand = band
            return PanelDemand.rows(.events, PanelOptions(), width: 60, p)
        }
        // Before, the twelve captions were counted: 14 rows, 12 of them left blank.
        #expect(demand(band: true, hidden: false) == Demand(want: 2 + 2))
        // The band hidden with `c`, or no band: the captions are listed, 14 of them.
        #expect(demand(band: true, hidden: true) == Demand(want: 2 + 12, fill: true))
        #expect(demand(band: false, hidden: false) == Demand(want: 2 + 12, fill: true))
    }

    @Test("the newest listed events are read back from the newest, captions left to the band")
    func newestListed() {
        let state = Self.captioned()
        var p = PanelContext(state: state, view: Fixture.context(state: state), layoutName: "demo")
        p.captionBand = true
        #expect(EventsPanel.newest(5, p).map(\.kind) == ["failover", "clutch"])
        #expect(EventsPanel.listedCount(p) == 2)
        p.captionBand = false
        #expect(EventsPanel.newest(3, p).map(\.kind) == [EventEntry.captionKind, "failover", "clutch"])
        #expect(EventsPanel.listedCount(p) == 14)
    }
}

@Suite struct HugeConvertedValuesTests {
    @Test("a tool tip, speed, jaw or joint near the largest double prints its power of ten, never inf")
    func noInfinity() {
        var b = SessionBuilder()
        b.session([ArmDescriptor(id: "PSM1", kind: .psm, joints: [
            JointDescriptor(name: "yaw", unit: .rad, min: -1, max: 1), JointDescriptor(name: "insertion", unit: .m),
        ])])
        b.apply(1, .arm(ArmSample(arm: "PSM1", state: .enabled, position: [1e308, -1e308], tip: [0.01, -1e308, 1e308],
                                  jaw: 1e308)))
        let buffer = panel(.arms, b.state, Fixture.context(state: b.state), width: 200, height: 8)
        let text = buffer.lines.joined(separator: "\n")
        #expect(!text.contains("inf"), "\(text)")
        #expect(text.contains("z 1e311 mm"))
        #expect(text.contains("y -1e311"))
        #expect(text.contains("-1e311 mm"), "the insertion in millimetres")
        #expect(Format.converted(1e308, { $0 * 180 / .pi }, 1) == "5.73e309")
        #expect(Format.converted(0.0123, { $0 * 1000 }, 1) == "12.3")
        #expect(Format.converted(.infinity, { $0 * 1000 }, 1) == "inf", "a value that is infinite says so")
    }
}
