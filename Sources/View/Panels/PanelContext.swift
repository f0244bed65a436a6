import SessionCore
import Telemetry

/// What every panel reads, prepared once per frame (the sorted alarm list, for instance).
struct PanelContext {
    let state: SessionState
    let view: ViewContext
    let glyphs: Glyphs
    let theme: Theme
    /// The alarms in display order.
    let alarms: [AlarmRow]
    let layoutName: String
    /// The layout has a caption band (shown or hidden with `c`): the Events panel leaves the
    /// captions to it.
    var captionBand = false

    init(state: SessionState, view: ViewContext, layoutName: String) {
        self.state = state
        self.view = view
        self.glyphs = view.glyphs
        self.theme = view.theme
        self.layoutName = layoutName
        var sorted = view.alarms
        var inOrder = true
        for k in sorted.indices.dropFirst() where AlarmRow.displayOrder(sorted[k], sorted[k - 1]) {
            inOrder = false
            break
        }
        if !inOrder { sorted.sort(by: AlarmRow.displayOrder) }
        self.alarms = sorted
        var levels: [String: AlarmPriority] = [:]
        for row in view.alarms where !row.latched { levels[row.id] = max(row.priority, levels[row.id] ?? row.priority) }
        self.alarmLevels = levels
    }

    /// The priority of each listed alarm whose condition holds (not just latched), by id: a
    /// value is marked only where its alarm exists.
    let alarmLevels: [String: AlarmPriority]

    var ellipsis: String { glyphs.ellipsis }

    func isFocused(_ panel: PanelID) -> Bool { view.focus == panel }

    /// The tag a panel shows when its data stopped coming: "STALE 3.4 s", bracketed in
    /// monochrome so it reads as a marker.
    func staleTag(_ age: Double) -> Span {
        let text = "STALE " + Format.duration(age)
        return Span(theme.colors ? text : "[" + text + "]", theme.stale)
    }

    /// Draws the panel's frame: a box when there is room, else a one-line title bar, else
    /// nothing. Returns the area left for the content.
    func frame(_ panel: PanelID, title: String, tags: [Span] = [], area: Rect,
               into buffer: inout CellBuffer) -> Rect {
        let focused = isFocused(panel)
        if area.height >= 3 && area.width >= 6 {
            return Box(title: title, tags: tags, focused: focused, glyphs: glyphs, theme: theme)
                .render(into: &buffer, area: area)
        }
        guard area.height >= 2 else { return area }
        // A title bar over one row of content.
        let style = focused ? theme.focusedTitle : theme.title
        var spans = [Span(title + " ", style)]
        for tag in tags { spans.append(Span(" " + tag.text + " ", tag.style)) }
        buffer.put(spans, x: area.x, y: area.y, width: area.width, ellipsis: ellipsis)
        return Rect(x: area.x, y: area.y + 1, width: area.width, height: area.height - 1)
    }

    /// "+N more": the tag of a panel that cannot show `hidden` of its rows (Tab focuses it,
    /// ↑↓ scroll them into view). nil when every row is shown.
    func moreTag(_ hidden: Int) -> Span? {
        hidden > 0 ? Span("+\(hidden) more", theme.accent) : nil
    }

    /// Draws the panel's frame again with "+N more" at the end of its tags, once the content
    /// says how many rows it could not show (with `notShown`, tags for what scrolling cannot
    /// reach); nothing when it showed them all. The frame's cells only, so the content stays.
    /// Where the tags do not all fit, these go first: the frame cuts tags from the end, and
    /// they are the only sign that rows are hidden.
    func markHidden(_ hidden: Int, _ panel: PanelID, title: String, tags: [Span], notShown: [Span] = [], area: Rect,
                    into buffer: inout CellBuffer) {
        let marks = (moreTag(hidden).map { [$0] } ?? []) + notShown
        guard !marks.isEmpty else { return }
        let all = tags + marks
        let width = all.reduce(0) { $0 + TerminalText.columns(of: TerminalText.sanitize($1.text)) + 2 }
        // A box's top edge leaves a corner and a border cell each side; a title bar, the title.
        let room = area.height >= 3 && area.width >= 6 ? area.width - 4 : area.width - TerminalText.columns(of: title) - 1
        _ = frame(panel, title: title, tags: width <= room ? all : marks + tags, area: area, into: &buffer)
    }

    /// The tag for `n` rows that scrolling cannot reach, only a taller panel shows
    /// ("+22 joints: taller terminal"); "+22 joints" where that does not fit beside the title,
    /// the other tags and the "+N more" of `hidden`. nil for none.
    func tallerTag(_ n: Int, _ what: String, title: String, tags: [Span], hidden: Int, area: Rect) -> Span? {
        guard n > 0 else { return nil }
        let short = "+\(n) " + what
        let long = short + ": taller terminal"
        let others = tags + (moreTag(hidden).map { [$0] } ?? [])
        let used = others.reduce(TerminalText.columns(of: title) + 3) {
            $0 + TerminalText.columns(of: TerminalText.sanitize($1.text)) + 2
        }
        return Span(used + TerminalText.columns(of: long) + 2 <= area.width - 4 ? long : short, theme.accent)
    }

    /// A line of dim text in the middle of an empty panel ("No active alarms").
    func placeholder(_ text: String, style: Style? = nil, area: Rect, into buffer: inout CellBuffer) {
        guard !area.isEmpty else { return }
        buffer.put(text, x: area.x, y: area.y + (area.height - 1) / 2, width: area.width,
                   style: style ?? theme.dim, alignment: .center, ellipsis: ellipsis)
    }

    /// Sanitised, cut telemetry text.
    func fit(_ text: String, _ width: Int) -> String {
        TerminalText.fit(text, width: width, ellipsis: ellipsis)
    }

    /// Session time for display, "00:12:03.4".
    func clock(_ t: Double, tenths: Bool = true) -> String { Format.clock(t, tenths: tenths) }
}
