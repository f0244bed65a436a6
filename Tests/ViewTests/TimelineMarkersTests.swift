import SessionCore
import Telemetry
import Testing
@testable import View

@Suite struct TimelineMarkersTests {
    let state = Fixture.realistic()

    /// A two-session recording: the first 100 s long with one marker of each kind (a high and
    /// a low alarm in the same second), the second with a high alarm of its own.
    static func index(_ status: RecordingIndex.Status = .done) -> RecordingIndex {
        func marker(_ kind: RecordingMarker.Kind, _ t: Double, session: Int = 0, id: String = "X") -> RecordingMarker {
            RecordingMarker(kind: kind, session: session, t: t, id: id, text: "text")
        }
        return RecordingIndex(status: status,
                              sessions: [RecordingSessionSpan(id: "A", start: 0, end: 100),
                                         RecordingSessionSpan(id: "B", start: 0, end: 40)],
                              markers: [
                                  marker(.event, 10), marker(.alarm(.low, derived: true), 20),
                                  marker(.alarm(.low, derived: false), 30), marker(.alarm(.high, derived: false), 30),
                                  marker(.alarm(.medium, derived: true), 70), marker(.gap, 80), marker(.bookmark, 90),
                                  marker(.session, 0, session: 1), marker(.alarm(.high, derived: true), 15, session: 1),
                              ])
    }

    func context(_ index: RecordingIndex? = Self.index(), session: Int = 0, unicode: Bool = true,
                 colors: Bool = true) -> ViewContext {
        var context = Fixture.context(mode: .replay, unicode: unicode, colors: colors, state: state)
        var replay = ReplayStatus(position: 50, duration: session == 0 ? 100 : 40, speed: 2)
        replay.session = session
        context.replay = replay
        context.index = index
        return context
    }

    /// The bar's first column and width, from the position and duration printed either side.
    func barOf(_ b: CellBuffer, position: String = "00:00:50.0", end: String = " 00:01:40.0") -> (x: Int, width: Int)? {
        guard let p = b.find(position), let e = b.find(end, in: Rect(x: p.x + 10, y: 1, width: b.width - p.x - 10, height: 1))
        else { return nil }
        let x = p.x + position.count + 1
        return (x, e.x - x)
    }

    func column(_ t: Double, duration: Double = 100, bar: (x: Int, width: Int)) -> Int {
        bar.x + Int((t / duration * Double(bar.width - 1)).rounded())
    }

    @Test("markers of the session on screen by kind, a high alarm over a low one in the same cell")
    func markersByPriorityAndKind() throws {
        let b = panel(.timeline, state, context(), width: 120, height: 5)
        let bar = try #require(barOf(b))
        func cell(_ t: Double) -> Cell { b[column(t, bar: bar), 2] }
        #expect(cell(30).character == "!" && cell(30).style == Theme.color.badge(.high))
        #expect(cell(70).character == "*" && cell(70).style.fg == .yellow)
        #expect(cell(20).character == "+" && cell(20).style.fg == .cyan)
        #expect(cell(10).character == "╵")
        #expect(cell(80).character == "~")
        #expect(cell(90).character == "◆")
        #expect(cell(50).character == "▲", "the head")
        // The second session's alarm at 15 s is not this session's; the played events of the
        // state are not drawn over the index's.
        #expect(cell(15).character == " ")
        let markers = b.lines[2].filter { "!*+╵~◆".contains($0) }
        #expect(markers.count == 6)
        #expect(b.lines[3].contains("alarms ! 1 high * 1 medium + 2 low · ╵ 1 event · ~ 1 gap · ◆ 1 bookmark"))
    }

    @Test("the second session shows its own markers against its own length")
    func secondSession() throws {
        let b = panel(.timeline, state, context(session: 1), width: 120, height: 5)
        let bar = try #require(barOf(b, end: " 00:00:40.0"))
        #expect(b[column(15, duration: 40, bar: bar), 2].character == "!")
        #expect(b[column(0, duration: 40, bar: bar), 2].character == "»")
        #expect(b.lines[3].contains("alarms ! 1 high · » 1 session start"))
    }

    @Test("in ASCII and without colours every marker keeps a glyph of its own", arguments: [false])
    func asciiMonochrome(unicode: Bool) throws {
        let b = panel(.timeline, state, context(unicode: unicode, colors: false), width: 120, height: 5)
        let bar = try #require(barOf(b))
        let glyphs = [30.0: "!", 70: "*", 20: "+", 10: "'", 80: "~", 90: "@", 50: "^"]
        for (t, glyph) in glyphs { #expect(String(b[column(t, bar: bar), 2].character) == glyph, "at \(t)") }
        #expect(b[column(30, bar: bar), 2].style.attributes.contains(.reverse))
        #expect(b.lines[3].contains("alarms ! 1 high * 1 medium + 2 low | ' 1 event | ~ 1 gap | @ 1 bookmark"))
        #expect(b.isASCII && !b.usesColor)
    }

    @Test("with two rows the legend goes on the top edge; narrower, it shortens to words, then glyphs")
    func legendForms() {
        var b = panel(.timeline, state, context(), width: 120, height: 4)
        #expect(b.lines[0].contains(" alarms ! 1 high * 1 medium + 2 low · ╵ 1 event · ~ 1 gap · ◆ 1 bookmark "))
        #expect(b.lines[0].hasPrefix("┌─ Timeline "))
        b = panel(.timeline, state, context(), width: 70, height: 5)
        #expect(b.lines[3].contains("alarms 1 high 1 med 2 low · events 1 · gaps 1 · bookmarks 1"))
        b = panel(.timeline, state, context(), width: 40, height: 5)
        #expect(b.lines[3].contains("! 1 * 1 + 2 ╵ 1 ~ 1 ◆ 1"))
    }

    @Test("while the pass runs the title says how far it is, and the markers found so far show")
    func progress() throws {
        let b = panel(.timeline, state, context(Self.index(.running(fraction: 0.437))), width: 120, height: 4)
        #expect(b.lines[0].contains(" indexing 43% "))
        let bar = try #require(barOf(b))
        #expect(b[column(30, bar: bar), 2].character == "!")
    }

    @Test("without a pass the sentence says why; the events played are ticked as before")
    func unavailable() {
        let why = "markers need a file: standard input cannot be read twice"
        var b = panel(.timeline, state, context(RecordingIndex(status: .unavailable(why))), width: 120, height: 5)
        #expect(b.lines[3].contains(why))
        #expect(b.lines[2].contains("╵"))
        b = panel(.timeline, state, context(RecordingIndex(status: .unavailable(why))), width: 120, height: 4)
        #expect(b.lines[0].contains(why))
        // No index at all (a live source): the state's events.
        b = panel(.timeline, state, context(nil), width: 120, height: 5)
        #expect(b.lines[2].contains("╵"))
        #expect(b.lines[3].contains("╵ 4 events played"))
    }

    @Test("a pass that failed says so and keeps what it found")
    func failed() {
        let b = panel(.timeline, state, context(Self.index(.failed("read error"))), width: 120, height: 4)
        #expect(b.lines[0].contains(" markers incomplete: read error "))
        #expect(b.lines[2].contains("!"))
    }

    @Test("the A–B loop is bracketed and underlined on the bar, one end alone while choosing",
          arguments: [true, false])
    func loopOnTheBar(unicode: Bool) throws {
        var c = context(unicode: unicode, colors: unicode)
        c.replay?.loopStart = 20
        c.replay?.loopEnd = 40
        var b = panel(.timeline, state, c, width: 120, height: 4)
        let bar = try #require(barOf(b))
        #expect(b[column(20, bar: bar), 1].character == "[")
        #expect(b[column(40, bar: bar), 1].character == "]")
        #expect(b[column(30, bar: bar), 1].style.attributes.contains(.underline))
        #expect(!b[column(60, bar: bar), 1].style.attributes.contains(.underline))
        #expect(b.lines[0].contains(" loop 00:00:20-00:00:40 "))
        c.replay?.loopEnd = nil
        b = panel(.timeline, state, c, width: 120, height: 4)
        #expect(b[column(20, bar: bar), 1].character == "[")
        #expect(!b.lines[1].contains("]"))
    }
}

@Suite struct HonestSpeedTests {
    let state = Fixture.realistic()

    func both(_ replay: ReplayStatus, source: SourceState? = nil, unicode: Bool = true) -> (header: String, timeline: String) {
        var context = Fixture.context(mode: .replay, unicode: unicode, colors: unicode, state: state)
        context.replay = replay
        if let source { context.source = source }
        let header = panel(.header, state, context, width: 120, height: 2).lines[0]
        let timeline = panel(.timeline, state, context, width: 120, height: 4).lines[1]
        return (header, timeline)
    }

    @Test("a replay that cannot keep up shows the rate it reaches, in the header and the timeline")
    func behind() {
        var replay = ReplayStatus(position: 100, duration: 1800, speed: 64)
        replay.achievedSpeed = 23.4
        let (header, timeline) = both(replay)
        #expect(header.contains("▶ 23× of 64×") && timeline.contains("▶ 23× of 64×"))
        #expect(!header.contains("▶ 64×") && !timeline.contains("▶ 64×"))
        replay.achievedSpeed = 1.26
        replay.speed = 2
        #expect(both(replay).header.contains("▶ 1.2× of 2×"), "rounded down: never more than it reaches")
        // Keeping up: the speed asked for.
        replay.achievedSpeed = nil
        #expect(both(replay).header.contains("▶ 2×"))
    }

    @Test("paused shows the speed it will resume at")
    func paused() {
        let replay = ReplayStatus(position: 100, duration: 1800, speed: 4, paused: true)
        let (header, timeline) = both(replay)
        #expect(header.contains("❚❚ PAUSED · 4× on resume") && timeline.contains("❚❚ PAUSED · 4× on resume"))
        let ascii = both(replay, unicode: false)
        #expect(ascii.header.contains("|| PAUSED | 4x on resume"))
    }

    @Test("after the end it says END, never a speed")
    func ended() {
        var replay = ReplayStatus(position: 1800, duration: 1800, speed: 64)
        replay.ended = true
        var (header, timeline) = both(replay)
        #expect(header.contains("■ END") && timeline.contains("■ END"))
        #expect(!header.contains("▶") && !timeline.contains("▶"))
        // The source's own end says it as well.
        replay.ended = false
        (header, timeline) = both(replay, source: .ended)
        #expect(header.contains("■ END") && timeline.contains("■ END"))
        #expect(both(replay, source: .ended, unicode: false).header.contains("[] END"))
    }
}
