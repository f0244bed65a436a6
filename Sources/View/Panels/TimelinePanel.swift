import Telemetry

/// The replay's position over the recording: play state and speed, a bar filled to the
/// position when the duration is known, and a tick under the bar at every event.
enum TimelinePanel {
    static func render(_ p: PanelContext, area: Rect, into buffer: inout CellBuffer) {
        let inner = p.frame(.timeline, title: PanelID.timeline.title, area: area, into: &buffer)
        guard !inner.isEmpty else { return }
        let t = p.theme
        let g = p.glyphs
        guard let replay = p.view.replay else {
            let text = p.view.mode == .live ? "live session: no timeline" : "no recording position"
            buffer.put(text + "  t " + Format.clock(p.state.sessionTime), x: inner.x, y: inner.y, width: inner.width,
                       style: t.dim, ellipsis: p.ellipsis)
            return
        }
        let y = inner.y
        let state = replay.paused
            ? Span(g.pause + " PAUSED", t.badge(.medium))
            : Span(g.play + " " + Format.speed(replay.speed) + g.times, t.style(.blue, .bold))
        let position = Span(" " + Format.clock(replay.position) + " ", t.bold)
        var x = inner.x
        x += buffer.put([state, position], x: x, y: y, width: inner.width, ellipsis: p.ellipsis)
        guard let duration = replay.duration, duration > 0 else {
            buffer.put("(duration unknown)", x: x, y: y, width: inner.maxX - x, style: t.dim, ellipsis: p.ellipsis)
            return
        }
        let end = " " + Format.clock(duration)
        let endWidth = buffer.columns(of: end)
        let barWidth = inner.maxX - x - endWidth
        guard barWidth >= 4 else { return }
        let fraction = replay.position / duration
        Gauge(fraction: fraction, style: t.style(.blue), trackStyle: t.dim, glyphs: g)
            .render(into: &buffer, area: Rect(x: x, y: y, width: barWidth, height: 1))
        buffer.put(end, x: x + barWidth, y: y, width: endWidth, style: t.label)
        // Events as ticks under the bar.
        guard inner.height >= 2 else { return }
        for event in p.state.events {
            let col = Int(saturating: (event.t / duration * Double(barWidth - 1)).rounded())
            guard col >= 0, col < barWidth else { continue }
            buffer.set(x + col, y + 1, g.tick, t.accent)
        }
        let headCol = Int(saturating: (min(1, max(0, fraction)) * Double(barWidth - 1)).rounded())
        buffer.set(x + headCol, y + 1, Character(g.up), t.bold)
    }
}
