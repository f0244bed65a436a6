import Telemetry

/// Active alarms, highest priority first then oldest first, with the IEC 60601-1-8 markers
/// (`***` high, `**` medium, `*` low) and colours (red, yellow, cyan); their count in the title.
/// Each row names the alarm's id when there is room for it beside a readable message; the
/// selected row (the Alarms panel focused) unfolds to the whole message, wrapped under it.
enum AlarmsPanel {
    /// Columns the message keeps at least before the id column is given room.
    static let minMessageColumns = 24
    /// Lines a selected alarm's message may unfold to (fewer when other alarms need the rows).
    static let maxUnfoldedLines = 8
    /// The status of an alarm unconfirmed since a reconnect, wide and narrow; the title's
    /// legend says what they mean.
    static let unconfirmedTag = "UNCONF"
    static let unconfirmedShortTag = "?"

    /// `text` in lines of at most `width` columns, broken at spaces where it can be.
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            var word = word
            let joined = line.isEmpty ? word : line + " " + word
            if TerminalText.columns(of: joined) <= width { line = joined; continue }
            if !line.isEmpty { lines.append(line); line = "" }
            // A word wider than the line is cut where it must be.
            while TerminalText.columns(of: word) > width {
                var head = ""
                for ch in word {
                    if TerminalText.columns(of: head + String(ch)) > width { break }
                    head.append(ch)
                }
                if head.isEmpty { return lines }
                lines.append(head)
                word.removeFirst(head.count)
            }
            line = word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// Rows the panel asks of the layout for `count` alarms: its border, the column titles and
    /// the alarms; one row for "No active alarms" or a lone alarm (the titles show from three
    /// rows inside, so a lone alarm under them would leave a row blank). The layout holds rows
    /// a while once given (`LayoutMemory`), so an alarm that clears and returns moves nothing.
    static func contentRows(alarms count: Int) -> Int {
        count <= 1 ? 3 : 3 + count
    }

    static func render(_ p: PanelContext, area: Rect, into buffer: inout CellBuffer) -> Int {
        let t = p.theme
        let alarms = p.alarms
        var tags: [Span] = []
        for priority in [AlarmPriority.high, .medium, .low] {
            let n = alarms.filter { $0.priority == priority && !$0.acknowledged }.count
            if n > 0 { tags.append(Span(priority.marker + " \(n)", t.alarmMarker(priority, acknowledged: false))) }
        }
        // The doubt of an unconfirmed alarm is a short tag in its row; the legend says it in full.
        let wideLegend = area.width >= 60
        if alarms.contains(where: \.unconfirmed) {
            tags.append(Span((wideLegend ? Self.unconfirmedTag : Self.unconfirmedShortTag) + " " + AlarmRow.unconfirmedNote,
                             t.dim))
        }
        let title = PanelID.alarms.title + " (\(alarms.count))"
        let inner = p.frame(.alarms, title: title, tags: tags, area: area, into: &buffer)
        guard !inner.isEmpty else { return 0 }
        guard !alarms.isEmpty else {
            p.placeholder("No active alarms", style: t.good, area: inner, into: &buffer)
            return 0
        }
        let wide = inner.width >= 60
        let idWidth = min(22, alarms.map { buffer.columns(of: $0.id) }.max() ?? 0)
        let hasStatus = alarms.contains { $0.acknowledged || $0.latched || $0.unconfirmed }
        let statusWidth = hasStatus ? (wide ? 7 : 3) + 1 : 0
        let sinceWidth = wide ? 10 : 8
        // The id when there is room for it and a readable message; narrow, the message matters more.
        let showID = inner.width >= 3 + 1 + sinceWidth + 1 + max(5, idWidth) + 1 + Self.minMessageColumns + statusWidth
        var columns = [Table.Column("", .fixed(3)), Table.Column("Since", .fixed(sinceWidth))]
        if showID { columns.append(Table.Column("Alarm", .fixed(max(5, idWidth)))) }
        columns.append(Table.Column("Message", .weight(1, min: 8)))
        if hasStatus { columns.append(Table.Column("", .fixed(wide ? 7 : 3))) }
        let widths = Table.widths(columns, total: inner.width)
        let messageColumn = showID ? 3 : 2
        let messageWidth = widths[messageColumn]
        // The selected alarm unfolds only as far as leaves every other alarm a row of its own.
        let header = inner.height >= 3 && inner.height > alarms.count ? 1 : 0
        let unfoldLines = max(1, min(Self.maxUnfoldedLines, inner.height - header - (alarms.count - 1)))
        var rows: [Table.Row] = []
        // The row each alarm starts on.
        var starts: [Int] = []
        for alarm in alarms {
            starts.append(rows.count)
            let highlight = alarm.selected && p.view.focus == .alarms
            let row = self.row(alarm, p, showID: showID, hasStatus: hasStatus, wide: wide, highlight: highlight)
            guard highlight else { rows.append(row); continue }
            // Selected: the whole message (and the id when its column has no room), wrapped.
            // Wrapped as it will be written (ASCII spells "≥" as ">="), so no line is cut.
            let whole = buffer.spelled(showID ? alarm.unfoldedMessage : alarm.id + ": " + alarm.unfoldedMessage)
            var lines = wrap(whole, width: messageWidth)
            if lines.count > unfoldLines {
                lines = Array(lines.prefix(unfoldLines))
                lines[lines.count - 1] = TerminalText.fit(lines[lines.count - 1] + " " + p.ellipsis, width: messageWidth,
                                                          ellipsis: p.ellipsis)
            }
            var first = row
            first.cells[messageColumn] = Span(lines.first ?? "", row.cells[messageColumn].style)
            rows.append(first)
            for line in lines.dropFirst() {
                var cells = [Span](repeating: Span(""), count: columns.count)
                cells[messageColumn] = Span(line, row.cells[messageColumn].style)
                rows.append(Table.Row(cells, style: row.style))
            }
        }
        let table = Table(columns: columns, rows: rows, showHeader: inner.height >= 3 && inner.height > rows.count,
                          offset: p.view.scrollOffset(.alarms), headerStyle: t.header, ellipsis: p.ellipsis)
        table.render(into: &buffer, area: inner)
        // An unfolded message's lines are not alarms: count the alarms whose row is not shown.
        let first = min(p.view.scrollOffset(.alarms), table.maxOffset(height: inner.height))
        let shown = first..<(first + table.visibleRows(height: inner.height))
        let hidden = starts.filter { !shown.contains($0) }.count
        p.markHidden(hidden, .alarms, title: title, tags: tags, area: area, into: &buffer)
        return table.maxOffset(height: inner.height)
    }

    /// One alarm's row: marker, since, id (when shown), message, and its status when any row has one.
    private static func row(_ alarm: AlarmRow, _ p: PanelContext, showID: Bool, hasStatus: Bool, wide: Bool,
                            highlight: Bool) -> Table.Row {
        let t = p.theme
        // The dark phase of a flashing alarm: drawn like an acknowledged one, so it blinks.
        let style = t.alarm(alarm.priority, acknowledged: alarm.acknowledged || !alarm.lit)
        var cells = [
            Span(alarm.priority.marker, t.alarmMarker(alarm.priority, acknowledged: alarm.acknowledged)),
            Span(Format.clock(alarm.since, tenths: wide), style),
        ]
        if showID { cells.append(Span(alarm.id, style)) }
        cells.append(Span(alarm.message, style))
        if hasStatus {
            var status = ""
            if alarm.latched { status = wide ? "LATCHED" : "LAT" }
            if alarm.acknowledged { status = alarm.latched ? (wide ? "ACK LAT" : "A+L") : "ACK" }
            // The doubt has a column of its own, so no width of panel cuts it or the message.
            if alarm.unconfirmed {
                status = status.isEmpty ? (wide ? Self.unconfirmedTag : Self.unconfirmedShortTag)
                    : (wide ? "ACK " + Self.unconfirmedShortTag : "A" + Self.unconfirmedShortTag)
            }
            cells.append(Span(status, alarm.unconfirmed ? style : t.dim))
        }
        return Table.Row(cells, style: highlight ? Style(attributes: [.reverse, .bold]) : nil)
    }
}

extension AlarmRow {
    /// The message as the selected row unfolds it: a robot alarm not confirmed since a reconnect
    /// says so in full first (its row carries only the short tag).
    var unfoldedMessage: String { unconfirmed ? Self.unconfirmedNote + ": " + message : message }
}
