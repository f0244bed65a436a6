import SessionCore
import Telemetry

/// The top lines: what session this is, which mode (LIVE / REPLAY / DEMO, each in a style of
/// its own), the clocks, the source's state, the frame rate and the worst alarm.
enum HeaderPanel {
    static func render(_ p: PanelContext, area: Rect, options: PanelOptions, into buffer: inout CellBuffer) {
        guard !area.isEmpty else { return }
        var rows = area
        if options.large && area.height >= 3 {
            modeBand(p, y: area.y, area: area, into: &buffer)
            rows = Rect(x: area.x, y: area.y + 1, width: area.width, height: area.height - 1)
        }
        identityRow(p, y: rows.y, area: rows, into: &buffer)
        if rows.height >= 2 { statusRow(p, y: rows.y + 1, area: rows, into: &buffer) }
    }

    /// The mode badge text: DEMO says loudly that nothing is real.
    static func badge(_ p: PanelContext) -> Span {
        let g = p.glyphs
        let text: String
        switch p.view.mode {
        case .live: text = g.unicode ? " ● LIVE " : " LIVE "
        case .replay: text = " REPLAY "
        case .demo: text = " DEMO " + g.dot + " SIMULATED "
        }
        return Span(text, p.theme.mode(p.view.mode))
    }

    /// The playback state next to a REPLAY badge, as the timeline words it (`Playback`):
    /// "▶ 2×", "▶ 23× of 64×", "❚❚ PAUSED · 4× on resume", "■ END".
    static func playback(_ p: PanelContext) -> [Span]? {
        guard let replay = p.view.replay else { return nil }
        return [Span(" "), Playback.span(replay, p)]
    }

    static func modeBand(_ p: PanelContext, y: Int, area: Rect, into buffer: inout CellBuffer) {
        let style = p.theme.mode(p.view.mode)
        buffer.band(x: area.x, y: y, width: area.width, style: style)
        let text: String
        switch p.view.mode {
        case .live: text = "LIVE SESSION"
        case .replay: text = "REPLAY OF A RECORDED SESSION"
        case .demo: text = "DEMO " + p.glyphs.dot + " SIMULATED DATA " + p.glyphs.dot + " NOT A PATIENT"
        }
        buffer.put(text, x: area.x, y: y, width: area.width, style: style, alignment: .center, ellipsis: p.ellipsis)
    }

    static func identityRow(_ p: PanelContext, y: Int, area: Rect, into buffer: inout CellBuffer) {
        let g = p.glyphs
        // Right: session clock and wall clock.
        let position = p.view.replay?.position ?? p.state.sessionTime
        var right = [Span("t ", p.theme.label), Span(p.clock(position), p.theme.bold)]
        if !p.view.wallClock.isEmpty {
            right.append(Span("  " + TerminalText.sanitize(p.view.wallClock), p.theme.plain))
        }
        let rightWidth = buffer.columns(of: right)
        var left = [badge(p)]
        if p.view.mode == .replay, let pb = playback(p) { left += pb }
        let badgeWidth = buffer.columns(of: left)
        let showRight = area.width >= badgeWidth + rightWidth + 2
        let leftRoom = area.width - (showRight ? rightWidth + 1 : 0)
        if let info = p.state.info {
            left.append(Span(" " + TerminalText.sanitize(info.id), p.theme.bold))
            if let procedure = info.procedure, !procedure.isEmpty {
                left.append(Span(" " + g.dot + " ", p.theme.label))
                left.append(Span(TerminalText.sanitize(procedure)))
            }
            if info.surgeonSite != nil || info.patientSite != nil {
                left.append(Span(" " + g.dot + " ", p.theme.label))
                let from = info.surgeonSite.map(TerminalText.sanitize) ?? "?"
                let to = info.patientSite.map(TerminalText.sanitize) ?? "?"
                left.append(Span(from + " " + g.arrow + " " + to))
                if let km = info.distanceKm, km.isFinite, km >= 0 {
                    left.append(Span(" (" + Format.grouped(km) + " km)", p.theme.label))
                }
            }
        } else if let ended = endedWithoutSession(p) {
            left.append(Span(" " + ended, p.theme.severity(.medium)))
        } else {
            left.append(Span(" waiting for the session frame" + (g.unicode ? "…" : "..."), p.theme.dim))
        }
        buffer.put(left, x: area.x, y: y, width: leftRoom, ellipsis: p.ellipsis)
        if showRight { buffer.put(right, x: area.maxX - rightWidth, y: y, width: rightWidth) }
    }

    /// Said once the source has ended without a session frame, so nothing more will come:
    /// "waiting" would then be untrue (the exit says the same on stderr).
    static func endedWithoutSession(_ p: PanelContext) -> String? {
        guard p.state.info == nil, case .ended = p.view.source else { return nil }
        return p.view.mode == .replay ? "no session frame in this recording: nothing to replay"
                                      : "the stream ended without a session frame"
    }

    /// The source's state as words and a style.
    static func sourceState(_ p: PanelContext) -> Span {
        let t = p.theme
        switch p.view.source {
        case .connecting(let attempt):
            let text = "connecting" + (attempt > 1 ? " (attempt \(attempt))" : "")
            // Why the last attempt failed, so an unknown host or a refused port is seen at once.
            if let failure = p.view.connectFailure { return Span(text + ": " + TerminalText.sanitize(failure), t.badge(.medium)) }
            return Span(text + (p.glyphs.unicode ? "…" : "..."), t.severity(.medium))
        case .listening(let address):
            return Span("listening on " + TerminalText.sanitize(address), t.accent)
        case .connected(let peer):
            let peer = TerminalText.sanitize(peer)
            switch p.view.mode {
            case .live: return Span("connected to " + peer, t.good)
            case .replay: return Span("playing " + peer, t.good)
            case .demo: return Span("simulating " + peer, t.good)
            }
        case .reconnecting(let lostAt, let attempt, let reason):
            var text = "reconnecting for " + Format.duration(p.view.now - lostAt) + " (attempt \(attempt))"
            if !reason.isEmpty { text += ": " + TerminalText.sanitize(reason) }
            return Span(text, t.badge(.medium))
        case .paused:
            return Span("paused", t.severity(.medium))
        case .ended:
            return p.view.mode == .live ? Span("stream ended", t.badge(.medium)) : Span("end of recording", t.accent)
        case .failed(let message):
            return Span("failed: " + TerminalText.sanitize(message), t.critical)
        }
    }

    /// "● REC 12.4 MB" while recording; "REC BEHIND" (lines are being lost) or "REC FAILED".
    static func recordingBadge(_ r: RecordingStatus, _ p: PanelContext) -> Span {
        let t = p.theme
        let mark = p.glyphs.unicode ? "● REC " : "REC "
        if r.failure != nil { return Span(mark + "FAILED ", t.severity(.medium)) }
        var text = mark + r.sizeText
        if r.behind { text += " BEHIND" }
        if r.lostLines > 0 { text += " (\(Format.grouped(r.lostLines)) lines lost)" }
        return Span(text + " ", r.behind || r.lostLines > 0 ? t.severity(.medium) : t.style(.red, .bold))
    }

    static func statusRow(_ p: PanelContext, y: Int, area: Rect, into buffer: inout CellBuffer) {
        let t = p.theme
        let g = p.glyphs
        var left = [sourceState(p)]
        let label = TerminalText.sanitize(p.view.sourceLabel)
        if !label.isEmpty, !left[0].text.contains(label) {
            left.append(Span(" " + g.dot + " " + label, t.label))
        }
        let fps = p.view.framesPerSecond ?? p.state.arrivalRate.rate(at: p.view.now)
        left.append(Span(" " + g.dot + " ", t.label))
        left.append(Span(Format.adaptive(fps, maxDecimals: 1) + " frames/s"))
        if let note = p.view.sourceNote {
            left.append(Span(" " + g.dot + " ", t.label))
            left.append(Span(TerminalText.sanitize(note), t.severity(.medium)))
        }

        // Right: no data, counters, the worst alarm.
        var right: [Span] = []
        if let age = p.view.staleAge(of: p.state.lastFrame) {
            let text = "NO DATA " + Format.duration(age)
            right.append(Span(t.colors ? " " + text + " " : "[" + text + "]", t.stale))
            right.append(Span(" "))
        }
        let c = p.state.counters
        if c.badLines > 0 { right.append(Span("bad lines \(c.badLines) ", t.severity(.medium))) }
        if c.ignored > 0 { right.append(Span("ignored \(c.ignored) ", t.severity(.medium))) }
        if c.timeOutliers > 0 { right.append(Span("time outliers \(c.timeOutliers) ", t.severity(.medium))) }
        if c.sequenceGaps > 0 { right.append(Span("lost \(c.missingFrames) ", t.severity(.medium))) }
        if let recording = p.view.recording { right.append(recordingBadge(recording, p)) }
        if let paused = p.view.audioPausedFor {
            let text = "AUDIO PAUSED " + Format.duration(paused)
            right.append(Span(t.colors ? text + " " : "[" + text + "] ", t.severity(.low)))
        }
        let pending = p.alarms.filter { !$0.acknowledged }
        if let worst = p.view.highestPriority ?? pending.map(\.priority).max() {
            let n = pending.isEmpty ? p.alarms.count : pending.count
            let text = " " + worst.marker + " " + (n == 1 ? "1 ALARM" : "\(n) ALARMS") + " "
            right.append(Span(text, t.badge(Severity(worst))))
        } else if !p.alarms.isEmpty {
            right.append(Span("\(p.alarms.count) acknowledged", t.dim))
        }
        let rightWidth = buffer.columns(of: right)
        let showRight = rightWidth > 0 && area.width >= rightWidth + 20
        let leftRoom = area.width - (showRight ? rightWidth + 1 : 0)
        buffer.put(left, x: area.x, y: y, width: leftRoom, ellipsis: p.ellipsis)
        if showRight { buffer.put(right, x: area.maxX - rightWidth, y: y, width: rightWidth) }
    }
}
