import SessionCore
import Telemetry

/// The history overlay (`h`): the alarm log's list overlay over every marker of the recording,
/// the selected one in reverse, the pass's progress in the title while it runs.
enum HistoryOverlay {
    /// Draws `history`; returns how many rows it showed (the console pages by that many).
    @discardableResult
    static func render(_ p: PanelContext, _ history: HistoryBrowser, area: Rect, into buffer: inout CellBuffer) -> Int {
        let count = history.markers.count
        let dot = " " + p.glyphs.dot + " "
        var title = "History" + dot + (count == 1 ? "1 entry" : "\(count) entries")
        switch history.status {
        case .running(let fraction):
            title += dot + "still reading the recording (\(NumberText.fixed(min(1, max(0, fraction)) * 100, 0)) %): more to come"
        case .done: break
        case .unavailable(let why), .failed(let why): title += dot + TerminalText.sanitize(why)
        }
        let empty: String
        switch history.status {
        case .running: empty = "Nothing found yet: the recording is still being read."
        case .unavailable(let why): empty = TerminalText.sanitize(why)
        default: empty = "No alarm, event, gap or bookmark in this recording."
        }
        return AlarmLogOverlay.renderList(p, history.list, title: title, empty: empty, highlighted: history.selected,
                                          area: area, into: &buffer) { x, y, width, buffer in
            let t = p.theme
            var spans = AlarmLogOverlay.searchSpans(p, history.list)
            if !history.list.editing {
                let arrows = p.glyphs.unicode ? "↑↓←→" : "arrows"
                spans += [Span("Enter", t.key), Span(" go there  "), Span("Esc h", t.key), Span(" close  "),
                          Span(arrows, t.key), Span(" PgUp PgDn  "), Span("/", t.key), Span(" search  "),
                          Span("n N", t.key), Span(" next/prev")]
            }
            buffer.put(spans, x: x, y: y, width: width, ellipsis: p.ellipsis)
        }
    }
}
