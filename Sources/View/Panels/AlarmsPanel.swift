import Telemetry

/// Active alarms, highest priority first then oldest first, with the IEC 60601-1-8 markers
/// (`***` high, `**` medium, `*` low) and colours (red, yellow, cyan); their count in the title.
enum AlarmsPanel {
    static func render(_ p: PanelContext, area: Rect, into buffer: inout CellBuffer) -> Int {
        let t = p.theme
        let alarms = p.alarms
        var tags: [Span] = []
        for priority in [AlarmPriority.high, .medium, .low] {
            let n = alarms.filter { $0.priority == priority && !$0.acknowledged }.count
            if n > 0 { tags.append(Span(priority.marker + " \(n)", t.alarmMarker(priority, acknowledged: false))) }
        }
        let title = PanelID.alarms.title + " (\(alarms.count))"
        let inner = p.frame(.alarms, title: title, tags: tags, area: area, into: &buffer)
        guard !inner.isEmpty else { return 0 }
        guard !alarms.isEmpty else {
            p.placeholder("No active alarms", style: t.good, area: inner, into: &buffer)
            return 0
        }
        // Narrow: the message matters more than the id.
        let wide = inner.width >= 60
        let idWidth = min(22, alarms.map { TerminalText.columns(of: TerminalText.sanitize($0.id)) }.max() ?? 0)
        let hasStatus = alarms.contains { $0.acknowledged || $0.latched }
        var columns = [Table.Column("", .fixed(3)), Table.Column("Since", .fixed(wide ? 10 : 8))]
        if wide { columns.append(Table.Column("Alarm", .fixed(max(5, idWidth)))) }
        columns.append(Table.Column("Message", .weight(1, min: 8)))
        if hasStatus { columns.append(Table.Column("", .fixed(wide ? 7 : 3))) }
        let rows = alarms.map { alarm -> Table.Row in
            // The dark phase of a flashing alarm: drawn like an acknowledged one, so it blinks.
            let style = t.alarm(alarm.priority, acknowledged: alarm.acknowledged || !alarm.lit)
            var cells = [
                Span(alarm.priority.marker, t.alarmMarker(alarm.priority, acknowledged: alarm.acknowledged)),
                Span(Format.clock(alarm.since, tenths: wide), style),
            ]
            if wide { cells.append(Span(alarm.id, style)) }
            // Said before the message, so a narrow panel cuts the message, not the doubt.
            cells.append(Span(alarm.unconfirmed ? AlarmRow.unconfirmedNote + ": " + alarm.message : alarm.message, style))
            if hasStatus {
                var status = ""
                if alarm.latched { status = wide ? "LATCHED" : "LAT" }
                if alarm.acknowledged { status = alarm.latched ? (wide ? "ACK LAT" : "A+L") : "ACK" }
                cells.append(Span(status, t.dim))
            }
            let highlight = alarm.selected && p.view.focus == .alarms
            return Table.Row(cells, style: highlight ? Style(attributes: [.reverse, .bold]) : nil)
        }
        let table = Table(columns: columns, rows: rows, showHeader: inner.height >= 3 && inner.height > alarms.count,
                          offset: p.view.scrollOffset(.alarms), headerStyle: t.header, ellipsis: p.ellipsis)
        table.render(into: &buffer, area: inner)
        return table.maxOffset(height: inner.height)
    }
}
