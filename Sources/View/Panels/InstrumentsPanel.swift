import SessionCore
import Telemetry

/// The instrument on each PSM: tool, state, uses left, energy mode, and a reversed red
/// "⚡ ENERGY ACTIVE" while energy is being delivered. A FAULT and no uses left take the colour
/// (and, for the uses, the marker) of the priority their alarm has under the alarm settings,
/// by the engine's own rules (`AlarmSettings.instrumentFaultLevel`, `instrumentUsesLevel`).
enum InstrumentsPanel {
    /// Every PSM: those that reported an instrument, then declared PSMs that have not.
    static func rows(_ state: SessionState) -> [(arm: String, status: InstrumentStatus?)] {
        var out: [(arm: String, status: InstrumentStatus?)] = state.instruments.map { ($0.arm, $0) }
        for arm in state.arms where arm.descriptor.kind == .psm && !out.contains(where: { $0.arm == arm.id }) {
            out.append((arm.id, nil))
        }
        return out
    }

    /// Rows the panel asks of the layout: its border, the column titles and every PSM (one row
    /// for "no instrument reported").
    static func contentRows(_ state: SessionState) -> Int {
        let n = rows(state).count
        return n == 0 ? 3 : 3 + n
    }

    static func render(_ p: PanelContext, area: Rect, into buffer: inout CellBuffer) -> Int {
        let t = p.theme
        let g = p.glyphs
        let settings = p.view.alarmSettings
        let items = rows(p.state)
        var tags: [Span] = []
        let active = items.filter { $0.status?.energyActive == true }.count
        if active > 0 { tags.append(Span(g.energy + " ENERGY", t.critical)) }
        let newest = p.state.instruments.compactMap(\.lastUpdate).max { $0.arrival < $1.arrival }
        if !p.state.instruments.isEmpty, let age = p.view.staleAge(of: newest) { tags.append(p.staleTag(age)) }
        let inner = p.frame(.instruments, title: PanelID.instruments.title, tags: tags, area: area, into: &buffer)
        guard !inner.isEmpty else { return 0 }
        guard !items.isEmpty else {
            p.placeholder("no instrument reported", area: inner, into: &buffer)
            return 0
        }
        // Wide: a column for the energy indicator. Narrower: an active row becomes the indicator.
        let wide = inner.width >= 64
        let fullEnergy = inner.width >= 44
        let indicator = g.unicode ? g.energy + " ENERGY ACTIVE" : "!! ENERGY !!"
        var columns: [Table.Column] = [
            Table.Column("Arm", .fixed(wide ? 6 : 5)),
            Table.Column("Tool", .weight(1, min: 6)),
            Table.Column("State", .fixed(wide ? 9 : 8)),
            Table.Column("Uses", .fixed(4), .right),
            Table.Column(fullEnergy ? "Energy" : "Enrg", .fixed(fullEnergy ? 9 : 4)),
        ]
        if wide { columns.append(Table.Column("", .fixed(TerminalText.columns(of: indicator)))) }
        var tableRows: [Table.Row] = []
        for item in items {
            let arm = Span(TerminalText.sanitize(item.arm), t.bold)
            guard let s = item.status else {
                tableRows.append(Table.Row([arm, Span("no report", t.dim)]))
                continue
            }
            let tool = s.tool.map { Span(TerminalText.sanitize($0)) } ?? Span("(none)", t.dim)
            let state: Span
            switch s.state {
            case .fault?: state = Span("FAULT", t.badge(Severity(settings.instrumentFaultLevel(.fault))))
            case .engaged?: state = Span("ENGAGED", t.good)
            case .engaging?: state = Span("ENGAGING", t.severity(.medium))
            case .inserted?: state = Span("INSERTED")
            case .none?: state = Span("NONE", t.dim)
            case nil: state = Span("?", t.dim)
            }
            var uses = Span("")
            if let n = s.usesLeft {
                // The marker before the figure, so figures stay right-aligned: "* 0".
                let level = Severity(settings.instrumentUsesLevel(usesLeft: n, state: s.state))
                uses = Span((level == .ok ? "" : level.marker + " ") + String(n), t.severity(level))
            }
            let energy: Span
            switch s.energy {
            case .monopolar?: energy = Span(fullEnergy ? "MONOPOLAR" : "MONO")
            case .bipolar?: energy = Span(fullEnergy ? "BIPOLAR" : "BIPO")
            case .none?: energy = Span(fullEnergy ? "none" : "-", t.dim)
            case nil: energy = Span("")
            }
            if s.energyActive && !wide {
                // No room for a column: the whole row becomes the indicator.
                let mode = s.energy.map { " " + $0.rawValue } ?? ""
                tableRows.append(Table.Row([arm, Span(indicator + mode)], style: t.critical))
                continue
            }
            var cells = [arm, tool, state, uses, energy]
            if wide { cells.append(s.energyActive ? Span(indicator, t.critical) : Span("")) }
            tableRows.append(Table.Row(cells))
        }
        // In the narrow form an active row spans the tool column onwards.
        // The column titles give way when that is what lets every instrument show, and when the
        // panel is so short they would crowd out the rows (titles over one row read as no data).
        let showHeader = inner.height > tableRows.count || inner.height >= Self.headerMinHeight
        let table = Table(columns: columns, rows: tableRows, showHeader: showHeader,
                          offset: p.view.scrollOffset(.instruments), headerStyle: t.header, ellipsis: p.ellipsis)
        if wide {
            table.render(into: &buffer, area: inner)
        } else {
            renderNarrow(table, columns: columns, area: inner, into: &buffer, ellipsis: p.ellipsis)
        }
        let hidden = max(0, tableRows.count - table.visibleRows(height: inner.height))
        p.markHidden(hidden, .instruments, title: PanelID.instruments.title, tags: tags, area: area, into: &buffer)
        return table.maxOffset(height: inner.height)
    }

    /// Content rows from which the column titles show even when some instruments must scroll:
    /// the titles and at least three instruments.
    static let headerMinHeight = 4

    /// Like `Table.render`, but a row with two cells (an energy or "no report" row) writes its
    /// second cell across all the remaining columns.
    static func renderNarrow(_ table: Table, columns: [Table.Column], area: Rect, into buffer: inout CellBuffer,
                             ellipsis: String) {
        if table.showHeader {
            var header = table
            header.rows = []
            header.render(into: &buffer, area: area)
        }
        let widths = Table.widths(columns, total: area.width)
        let first = min(max(0, table.offset), table.maxOffset(height: area.height))
        var y = area.y + (table.showHeader ? 1 : 0)
        for row in table.rows.dropFirst(first) {
            guard y < area.maxY else { break }
            if row.cells.count == 2 {
                if let style = row.style { buffer.band(x: area.x, y: y, width: area.width, style: style) }
                buffer.put(row.cells[0].text, x: area.x, y: y, width: widths[0], style: row.style ?? row.cells[0].style,
                           ellipsis: ellipsis)
                let x = area.x + widths[0] + 1
                buffer.put(row.cells[1].text, x: x, y: y, width: area.maxX - x, style: row.style ?? row.cells[1].style,
                           ellipsis: ellipsis)
            } else {
                var single = table
                single.rows = [row]
                single.showHeader = false
                single.offset = 0
                single.render(into: &buffer, area: Rect(x: area.x, y: y, width: area.width, height: 1))
            }
            y += 1
        }
    }
}
