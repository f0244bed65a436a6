import SessionCore
import Telemetry

/// The history overlay (`h`): every alarm raise, event, gap, session and bookmark of the whole
/// recording, one line each, with a selection Enter jumps the replay to. Scrolling and searching
/// are the alarm log's (`AlarmLogBrowser` over the lines); the selection follows ↑/↓ and each
/// search match, and is kept by marker (not by row) when the pass finds more.
public struct HistoryBrowser: Sendable, Equatable {
    public private(set) var markers: [RecordingMarker]
    /// The lines, scroll position and search (the alarm log's browser).
    public var list: AlarmLogBrowser
    /// The selected marker's row.
    public private(set) var selected: Int
    /// How the pass stands: a running one is said in the title.
    public private(set) var status: RecordingIndex.Status

    /// Opens on the marker at or just before `position` (session ordinal, session time), in the
    /// middle of a page of `rows` rows: what came before and what comes next.
    public init(index: RecordingIndex, session: Int, t: Double, rows: Int) {
        markers = index.markers
        status = index.status
        list = AlarmLogBrowser(path: nil, lines: Self.lines(index))
        list.rows = max(1, rows)
        selected = 0
        let before = markers.lastIndex { ($0.session, $0.t) <= (session, t + 1e-6) }
        list.scroll(by: -Int.saturationLimit)
        select(before ?? 0)
        if selected > list.rows / 2 { list.scroll(by: selected + list.rows / 2 - list.bottom) }
    }

    /// Takes the index as the pass has it now; the selection stays on its marker.
    public mutating func update(index: RecordingIndex) {
        guard index.markers != markers || index.status != status else { return }
        let current = selectedMarker
        markers = index.markers
        status = index.status
        list.update(lines: Self.lines(index), dropped: 0)
        select(current.flatMap { c in markers.firstIndex(of: c) } ?? min(selected, max(0, markers.count - 1)))
    }

    public var selectedMarker: RecordingMarker? {
        markers.indices.contains(selected) ? markers[selected] : nil
    }

    /// Moves the selection `delta` rows (negative: earlier), the list scrolling to show it.
    public mutating func move(by delta: Int) {
        select(selected.saturatingAdd(delta))
    }

    /// The next (`forward`) or previous line matching the search; the match is selected.
    public mutating func find(forward: Bool) {
        list.find(forward: forward)
        if let match = list.match { select(match) }
    }

    private mutating func select(_ row: Int) {
        selected = max(0, min(markers.count - 1, row))
        guard !markers.isEmpty else { return }
        let top = list.top(rows: list.rows)
        if selected > list.bottom {
            list.scroll(by: selected - list.bottom)
        } else if selected < top {
            list.scroll(by: selected - top)
        }
    }

    /// One line a marker: its time (with the session when the recording holds several), what it
    /// is (an alarm with its priority marker), its id and its full text.
    static func lines(_ index: RecordingIndex) -> [String] {
        let several = index.sessions.count > 1 || index.markers.contains { $0.session > 0 }
        return index.markers.map { line($0, showSession: several) }
    }

    static func line(_ marker: RecordingMarker, showSession: Bool) -> String {
        let time = (showSession ? "S\(marker.session + 1) " : "") + Format.clock(marker.t)
        let kind: String
        switch marker.kind {
        case .alarm(let priority, let derived):
            let level = Severity(priority).marker
            kind = "ALARM " + level + String(repeating: " ", count: 3 - level.count) + (derived ? " derived" : " robot  ")
        case .event: kind = "EVENT            "
        case .gap: kind = "GAP              "
        case .session: kind = "SESSION          "
        case .bookmark: kind = "BOOKMARK         "
        }
        return time + "  " + kind + "  " + WireText.sanitize(marker.id) + "  " + WireText.sanitize(marker.text)
    }
}
