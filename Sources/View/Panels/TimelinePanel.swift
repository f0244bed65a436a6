import SessionCore
import Telemetry

/// The replay's position over the recording: how it plays (`Playback`), a bar filled to the
/// position with the A–B loop on it, and under the bar the markers of the session on screen
/// from the whole-recording pass (`ViewContext.index`): alarm raises by priority, events, gaps,
/// a session's start and bookmarks, the most important where several share a cell, with a
/// legend of their counts and the pass's progress. Without a pass (live, or before one
/// reports) the events played so far are ticked instead.
enum TimelinePanel {
    /// What a marker cell shows, least important first: where markers share a cell the
    /// greatest wins, so a high alarm is never hidden by an event beside it.
    enum Mark: Int, Comparable, CaseIterable {
        case event, gap, session, bookmark, low, medium, high

        static func < (a: Mark, b: Mark) -> Bool { a.rawValue < b.rawValue }

        init(_ kind: RecordingMarker.Kind) {
            switch kind {
            case .alarm(let priority, _):
                switch priority {
                case .high: self = .high
                case .medium: self = .medium
                case .low: self = .low
                }
            case .event: self = .event
            case .gap: self = .gap
            case .session: self = .session
            case .bookmark: self = .bookmark
            }
        }

        /// One cell each, told apart without colour too.
        func glyph(_ g: Glyphs) -> Character {
            switch self {
            case .high: "!"
            case .medium: "*"
            case .low: "+"
            case .event: g.tick
            case .gap: "~"
            case .session: g.unicode ? "»" : ">"
            case .bookmark: g.unicode ? "◆" : "@"
            }
        }

        func style(_ t: Theme) -> Style {
            switch self {
            case .high: t.badge(.high)
            case .medium: t.severity(.medium)
            case .low: t.severity(.low)
            case .event: t.accent
            case .gap: t.dim
            case .session: t.bold
            case .bookmark: t.style(.magenta, .bold)
            }
        }
    }

    static func render(_ p: PanelContext, area: Rect, into buffer: inout CellBuffer) {
        let t = p.theme
        let replay = p.view.replay
        let index = replay == nil ? nil : p.view.index
        let session = replay?.session ?? 0
        var tags: [Span] = []
        if let index {
            switch index.status {
            case .running(let fraction):
                let percent = Int(saturating: (min(1, max(0, fraction.isFinite ? fraction : 0)) * 100).rounded(.down))
                tags.append(Span("indexing \(percent)%", t.accent))
            case .done: break
            case .unavailable(let why):
                // In the title only when the panel has no row for it.
                if area.height < 5 { tags.append(Span(TerminalText.sanitize(why), t.dim)) }
            case .failed(let why): tags.append(Span("markers incomplete: " + TerminalText.sanitize(why), t.severity(.medium)))
            }
        }
        if let replay, let a = replay.loopStart, let b = replay.loopEnd {
            tags.append(Span("loop " + Format.clock(min(a, b), tenths: false) + "-" + Format.clock(max(a, b), tenths: false),
                             t.style(.magenta, .bold)))
        }
        let title = PanelID.timeline.title
        let inner = p.frame(.timeline, title: title, tags: tags, area: area, into: &buffer)
        guard !inner.isEmpty else { return }
        guard let replay else {
            let text = p.view.mode == .live ? "live session: no timeline" : "no recording position"
            buffer.put(text + "  t " + Format.clock(p.state.sessionTime), x: inner.x, y: inner.y, width: inner.width,
                       style: t.dim, ellipsis: p.ellipsis)
            return
        }
        let y = inner.y
        let position = Span(" " + Format.clock(replay.position) + " ", t.bold)
        var x = inner.x
        x += buffer.put([Playback.span(replay, p), position], x: x, y: y, width: inner.width, ellipsis: p.ellipsis)
        // A pass that cannot be made draws as no pass: the events played so far.
        var passed = index
        if case .unavailable? = index?.status { passed = nil }
        let markers = passed.map { sessionMarkers($0, session) } ?? []
        // The legend: on a row of its own when there is one, else on the top edge.
        if case .unavailable(let why)? = index?.status {
            // No pass: the sentence says why, on the legend's row when there is one.
            if inner.height >= 3 {
                buffer.put(TerminalText.sanitize(why), x: inner.x, y: inner.y + 2, width: inner.width, style: t.dim,
                           ellipsis: p.ellipsis)
            }
        } else if index == nil {
            if inner.height >= 3, !p.state.events.isEmpty {
                let n = p.state.events.count
                buffer.put([Span(String(Mark.event.glyph(p.glyphs)), Mark.event.style(t)),
                            Span(" \(n) " + (n == 1 ? "event" : "events") + " played", t.label)],
                           x: inner.x, y: inner.y + 2, width: inner.width, ellipsis: p.ellipsis)
            }
        } else {
            let counts = Counts(markers)
            if inner.height >= 3 {
                buffer.put(legend(p, counts, width: inner.width), x: inner.x, y: inner.y + 2, width: inner.width,
                           ellipsis: p.ellipsis)
            } else if area.height >= 3 {
                // On the top border, between the title and the tags, in the markers' own styles.
                let tagsWidth = tags.reduce(0) { $0 + buffer.columns(of: TerminalText.sanitize($1.text)) + 2 }
                let right = area.maxX - 2 - tagsWidth - (tags.isEmpty ? 0 : 1)
                let left = area.x + 2 + buffer.columns(of: " " + title + " ") + 1
                let spans = legend(p, counts, width: right - left - 2)
                let width = buffer.columns(of: spans) + 2
                if !spans.isEmpty {
                    buffer.put([Span(" ")] + spans + [Span(" ")], x: right - width, y: area.y, width: width)
                }
            }
        }
        guard let range = barRange(replay, passed) else {
            buffer.put("(duration unknown)", x: x, y: y, width: inner.maxX - x, style: t.dim, ellipsis: p.ellipsis)
            return
        }
        let end = " " + Format.clock(range.upperBound)
        let endWidth = buffer.columns(of: end)
        let barWidth = inner.maxX - x - endWidth
        guard barWidth >= 4 else { return }
        let length = range.upperBound - range.lowerBound
        /// The bar's column of session time `time`; nil outside the bar's range (a marker there
        /// drawn at an end would claim a moment it does not have).
        func column(_ time: Double) -> Int? {
            guard range.contains(time) else { return nil }
            return Int(saturating: ((time - range.lowerBound) / length * Double(barWidth - 1)).rounded())
        }
        /// The head and the loop's ends stay on the bar even where they lie beyond it.
        func clampedColumn(_ time: Double) -> Int? {
            time.isFinite ? column(min(range.upperBound, max(range.lowerBound, time))) : nil
        }
        let fraction = (replay.position - range.lowerBound) / length
        Gauge(fraction: fraction, style: t.style(.blue), trackStyle: t.dim, glyphs: p.glyphs)
            .render(into: &buffer, area: Rect(x: x, y: y, width: barWidth, height: 1))
        drawLoop(p, replay, column: clampedColumn, barX: x, y: y, into: &buffer)
        buffer.put(end, x: x + barWidth, y: y, width: endWidth, style: t.label)
        guard inner.height >= 2 else { return }
        var cells = [Mark?](repeating: nil, count: barWidth)
        if passed != nil {
            for marker in markers {
                guard let col = column(marker.t) else { continue }
                let mark = Mark(marker.kind)
                if cells[col].map({ mark > $0 }) ?? true { cells[col] = mark }
            }
        } else {
            // No pass (live): the events played so far.
            for event in p.state.events {
                guard let col = column(event.t) else { continue }
                cells[col] = .event
            }
        }
        for (col, mark) in cells.enumerated() {
            guard let mark else { continue }
            buffer.set(x + col, y + 1, mark.glyph(p.glyphs), mark.style(t))
        }
        if let head = clampedColumn(replay.position) {
            buffer.set(x + head, y + 1, Character(p.glyphs.up), t.bold)
        }
    }

    /// The stretch of session time the bar spans. A session's own end once the pass has gone
    /// past it: the recording's `duration` is the end of its LAST session, so an earlier, longer
    /// session would fill the bar early and pile its markers into the last cell. It starts at
    /// the session's start when the pass has found it (a capture joined mid-session starts at
    /// t ≠ 0), else at 0; nil when no end is known.
    static func barRange(_ replay: ReplayStatus, _ index: RecordingIndex?) -> ClosedRange<Double>? {
        let ordinal = replay.session
        let span = index.flatMap { $0.sessions.indices.contains(ordinal) ? $0.sessions[ordinal] : nil }
        let start = span.map(\.start) ?? 0
        let passedIt = index.map { $0.status == .done || ordinal < $0.sessions.count - 1 } ?? false
        // While the pass is still in this session (or has not reached it), the end it found so
        // far is only a lower bound.
        let end = (passedIt ? span?.end : nil) ?? [replay.duration, span?.end].compactMap { $0 }.filter(\.isFinite).max()
        guard start.isFinite, let end, end.isFinite, end > start else { return nil }
        return start...end
    }

    /// The markers of session `ordinal` (they are ordered by session).
    static func sessionMarkers(_ index: RecordingIndex, _ ordinal: Int) -> ArraySlice<RecordingMarker> {
        let all = index.markers
        var lo = 0, hi = all.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if all[mid].session < ordinal { lo = mid + 1 } else { hi = mid }
        }
        var end = lo
        while end < all.count, all[end].session == ordinal { end += 1 }
        return all[lo..<end]
    }

    /// The A–B loop on the bar: `[` and `]` at its ends (either alone while the other is being
    /// chosen) and the stretch between underlined, which reads in monochrome too.
    static func drawLoop(_ p: PanelContext, _ replay: ReplayStatus, column: (Double) -> Int?, barX: Int, y: Int,
                         into buffer: inout CellBuffer) {
        let style = p.theme.style(.magenta, [.bold, .underline])
        let a = replay.loopStart.flatMap(column)
        let b = replay.loopEnd.flatMap(column)
        if let a, let b {
            for col in min(a, b)...max(a, b) {
                var cell = buffer[barX + col, y]
                cell.style.attributes.insert(.underline)
                if p.theme.colors { cell.style.fg = .magenta }
                buffer.set(barX + col, y, cell.character, cell.style)
            }
        }
        if let a { buffer.set(barX + a, y, "[", style) }
        if let b { buffer.set(barX + b, y, "]", style) }
    }

    /// How many markers of each kind the session has.
    /// (An array by `Mark.rawValue`: this counts every marker of the session, every frame.)
    struct Counts: Equatable {
        var by = [Int](repeating: 0, count: Mark.allCases.count)

        init(_ markers: ArraySlice<RecordingMarker>) {
            for marker in markers { by[Mark(marker.kind).rawValue] += 1 }
        }

        subscript(_ mark: Mark) -> Int { by[mark.rawValue] }
        var alarms: Int { self[.high] + self[.medium] + self[.low] }
    }

    /// The legend, the longest form that fits `width`: each marker with its glyph and count
    /// ("alarms ! 3 high * 5 med · ╵ 64 events · ◆ 2 bookmarks"), then the words alone
    /// ("alarms 3 high 5 med · events 64 · bookmarks 2"), then glyphs and counts.
    static func legend(_ p: PanelContext, _ counts: Counts, width: Int) -> [Span] {
        let t = p.theme
        let g = p.glyphs
        // The long name (with a count: "1 event", "2 events") and the short one ("events 2").
        func name(_ mark: Mark, long: Bool) -> String {
            let one = counts[mark] == 1
            switch mark {
            case .high: return "high"
            case .medium: return long ? "medium" : "med"
            case .low: return "low"
            case .event: return long && one ? "event" : "events"
            case .gap: return long && one ? "gap" : "gaps"
            case .session: return long ? "session start" : "session"
            case .bookmark: return long && one ? "bookmark" : "bookmarks"
            }
        }
        let alarmMarks: [Mark] = [.high, .medium, .low]
        let otherMarks: [Mark] = [.event, .gap, .session, .bookmark]
        let sep = Span(" " + g.dot + " ", t.label)
        func glyph(_ mark: Mark) -> Span { Span(String(mark.glyph(g)), mark.style(t)) }

        // With glyphs: what each cell means.
        var full: [Span] = [Span("alarms", t.label)]
        if counts.alarms == 0 { full.append(Span(" none", t.dim)) }
        for mark in alarmMarks where counts[mark] > 0 {
            full += [Span(" "), glyph(mark), Span(" \(counts[mark]) " + name(mark, long: true))]
        }
        for mark in otherMarks where counts[mark] > 0 {
            full += [sep, glyph(mark), Span(" \(counts[mark]) " + name(mark, long: true))]
        }
        // Words alone.
        var words: [Span] = [Span("alarms", t.label)]
        if counts.alarms == 0 { words.append(Span(" none", t.dim)) }
        for mark in alarmMarks where counts[mark] > 0 { words.append(Span(" \(counts[mark]) " + name(mark, long: false))) }
        for mark in otherMarks where counts[mark] > 0 {
            words += [sep, Span(name(mark, long: false) + " \(counts[mark])")]
        }
        // Glyphs and counts.
        var short: [Span] = []
        for mark in alarmMarks + otherMarks where counts[mark] > 0 {
            if !short.isEmpty { short.append(Span(" ")) }
            short += [glyph(mark), Span(" \(counts[mark])")]
        }
        for form in [full, words, short] where TerminalText.columns(of: form.map(\.text).joined()) <= width {
            return form
        }
        return []
    }
}
