import SessionCore

/// The line a terminal too small for any layout still shows, above the size it needs, so an
/// alarm is never hidden by a small window: the mode, the source's state and the session clock,
/// then the alarm that most needs attention with its IEC 60601-1-8 marker (and how many more
/// are listed).
/// When that does not fit, the alarm's marker and id come first and the rest follows, cut.
enum SmallTerminalStatus {
    static func render(_ p: PanelContext, y: Int, into buffer: inout CellBuffer) {
        let t = p.theme
        let position = p.view.replay?.position ?? p.state.sessionTime
        var session = [Span(modeWord(p.view.mode), t.mode(p.view.mode)), Span(" "), state(p),
                       Span(" t ", t.label), Span(p.clock(position), t.bold)]
        if let age = p.view.staleAge(of: p.state.lastFrame) {
            let text = "NO DATA " + Format.duration(age)
            session += [Span(" "), Span(t.colors ? text : "[" + text + "]", t.stale)]
        }
        guard let worst = mostUrgent(p.alarms) else {
            buffer.put(session + [Span("  "), Span("no alarms", t.good)], x: 0, y: y, width: buffer.width, ellipsis: p.ellipsis)
            return
        }
        let style = t.alarm(worst.priority, acknowledged: worst.acknowledged || !worst.lit)
        let marker = Span(worst.priority.marker, t.alarmMarker(worst.priority, acknowledged: worst.acknowledged))
        var alarm = [Span(" " + worst.id, style)]
        if p.alarms.count > 1 { alarm.append(Span(" (+\(p.alarms.count - 1))", t.label)) }
        let message = Span(" " + worst.message, style)
        let whole = session + [Span("  "), marker] + alarm + [message]
        if buffer.columns(of: whole) <= buffer.width {
            buffer.put(whole, x: 0, y: y, width: buffer.width, ellipsis: p.ellipsis)
        } else {
            // The marker first, whole even in one column (never an ellipsis in its place), then
            // the alarm's id, the session and the message, cut.
            let used = buffer.put(marker.text, x: 0, y: y, width: buffer.width, style: marker.style, ellipsis: "")
            buffer.put(alarm + [Span("  ")] + session + [Span(" "), message], x: used, y: y, width: buffer.width - used,
                       ellipsis: p.ellipsis)
        }
    }

    /// The alarm that most needs attention: the highest priority among those active and not yet
    /// acknowledged (the list's order: priority, then time), else the first listed, so an
    /// acknowledged or latched high alarm never hides a new medium one.
    static func mostUrgent(_ alarms: [AlarmRow]) -> AlarmRow? {
        alarms.first { !$0.acknowledged && !$0.latched } ?? alarms.first
    }

    static func modeWord(_ mode: SessionMode) -> String {
        switch mode {
        case .live: "LIVE"
        case .replay: "REPLAY"
        case .demo: "DEMO"
        }
    }

    /// The source's state in a word or two, in the header's style for it.
    static func state(_ p: PanelContext) -> Span {
        let style = HeaderPanel.sourceState(p).style
        switch p.view.source {
        case .connecting: return Span("connecting", style)
        case .listening: return Span("listening", style)
        case .connected:
            if p.view.replay?.paused == true { return Span("paused", p.theme.severity(.medium)) }
            return Span(p.view.mode == .live ? "connected" : p.view.mode == .replay ? "playing" : "simulating", style)
        case .reconnecting(let lostAt, _, _): return Span("reconnecting, lost " + Format.duration(p.view.now - lostAt), style)
        case .paused: return Span("paused", style)
        case .ended: return Span(p.view.mode == .live ? "stream ended" : "ended", style)
        case .failed: return Span("failed", style)
        }
    }
}
