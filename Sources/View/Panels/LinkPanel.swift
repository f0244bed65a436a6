import SessionCore
import Telemetry

/// The network between the surgeon's console and the robot: per path, up or down, and each
/// metric with its value, a sparkline of its history and, for the metrics that have an alarm,
/// the colour and marker of the priority of its alarm as the alarm engine lists it (decided on
/// the mean of the last `sustain_s`), so a marker appears only where an alarm exists; sparkline
/// bars take the level of each sample under the same rules (`AlarmSettings.linkLevel`).
/// Where there is room, multi-row charts take the place of the sparklines (LinkCharts.swift).
/// Bandwidth has an alarm only on the path carrying the session, when the session declares
/// `min_bandwidth_mbps`; without it, and
/// video delay always, they are drawn plainly. A path that is down shows no values: dimmed
/// dashes with the age of its last live values (a gateway may go on repeating numbers that no
/// longer measure anything).
enum LinkPanel {
    /// Metrics in the order rows show them.
    static let order: [LinkMetric] = [.rtt, .jitter, .loss, .bandwidth, .videoFps, .videoDelay]
    /// Which metrics to keep when a block is short, most important first.
    static let priority: [LinkMetric] = [.rtt, .loss, .jitter, .videoFps, .bandwidth, .videoDelay]
    /// Narrowest block that shows a metric row with a useful sparkline.
    static let blockWidth = 34

    static func render(_ p: PanelContext, area: Rect, options: PanelOptions, into buffer: inout CellBuffer) -> Int {
        let links = p.state.links
        var tags: [Span] = []
        let down = links.filter { $0.up == false }.count
        if down > 0 { tags.append(Span("\(down) DOWN", downStyle(p))) }
        if !links.isEmpty, let age = p.view.staleAge(of: newest(links)) { tags.append(p.staleTag(age)) }
        let inner = p.frame(.link, title: PanelID.link.title, tags: tags, area: area, into: &buffer)
        guard !inner.isEmpty else { return 0 }
        guard !links.isEmpty else {
            p.placeholder("waiting for link data", area: inner, into: &buffer)
            return 0
        }
        // Charts where every path's fit, else big digits (large), else rows of sparklines.
        if renderCharts(p, links, inner, large: options.large, tags: tags, area: area, into: &buffer) { return 0 }
        if options.large, renderLarge(p, links, inner, into: &buffer) { return 0 }
        // Metric rows a short block leaves out, and paths a one-line-per-path list scrolls past.
        var hidden = 0
        // A short block scrolls its metrics: the offset moves its window down the priorities.
        var mostHidden = 0
        let offset = p.view.scrollOffset(.link)
        // Metrics of a one-line-per-path list that scrolls its paths: only a taller panel shows them.
        var metricsNotShown = 0
        defer {
            let metrics = p.tallerTag(metricsNotShown, "metrics", title: PanelID.link.title, tags: tags, hidden: hidden,
                                      area: area)
            p.markHidden(hidden, .link, title: PanelID.link.title, tags: tags, notShown: metrics.map { [$0] } ?? [],
                         area: area, into: &buffer)
        }

        let n = links.count
        let gaps = n - 1
        if n >= 2 && inner.height >= 2 && inner.width >= n * blockWidth + gaps {
            // Side by side, a separator between.
            let rects = LayoutEngine.split(inner, .columns,
                                           (0..<(2 * n - 1)).map { $0 % 2 == 0 ? .weight(1) : .fixed(1) })
            for (k, link) in links.enumerated() {
                let left = block(p, link, area: rects[2 * k], offset: offset, into: &buffer)
                hidden += left
                mostHidden = max(mostHidden, left)
                if k < n - 1 {
                    let sep = rects[2 * k + 1]
                    for y in sep.y..<sep.maxY { buffer.set(sep.x, y, p.glyphs.separator, p.theme.border) }
                }
            }
            return mostHidden
        }
        let bare = links.map { 1 + max(1, metrics(of: $0).count) }  // "no metrics yet" takes a row too
        // With a row for each of the session's percentiles where every path's fit.
        let roomy = links.indices.map { bare[$0] + percentileMetrics(links[$0]).count }
        let full = roomy.reduce(0, +) <= inner.height ? roomy : bare
        if full.reduce(0, +) <= inner.height {
            var y = inner.y
            for (k, link) in links.enumerated() {
                block(p, link, area: Rect(x: inner.x, y: y, width: inner.width, height: full[k]), into: &buffer)
                y += full[k]
            }
            return 0
        }
        if inner.height >= 2 * n {
            let rects = LayoutEngine.split(inner, .rows, links.map { _ in .weight(1) })
            for (link, r) in zip(links, rects) {
                let left = block(p, link, area: r, offset: offset, into: &buffer)
                hidden += left
                mostHidden = max(mostHidden, left)
            }
            return mostHidden
        }
        // One line per path. When every path has its line the offset moves each line's window
        // along its metrics (most important first); else it scrolls the paths, and the metrics
        // the lines leave out need a taller panel. Either way they are counted, never cut silently.
        if n <= inner.height {
            var maxScroll = 0
            for (row, link) in links.enumerated() {
                let y = inner.y + row
                let left = summary(p, link, skip: offset, x: inner.x, y: y, width: inner.width, into: &buffer)
                hidden += left.skipped + left.cut
                // The offset that brings this path's last metric into view.
                var skip = 0
                while summaryFit(p, link, skip: skip, width: inner.width, buffer: buffer).left.cut > 0 { skip += 1 }
                maxScroll = max(maxScroll, skip)
            }
            return maxScroll
        }
        let maxScroll = max(0, n - inner.height)
        let first = min(offset, maxScroll)
        hidden = n - min(inner.height, n - first)
        for row in 0..<min(inner.height, n - first) {
            metricsNotShown += summary(p, links[first + row], x: inner.x, y: inner.y + row, width: inner.width,
                                       into: &buffer).cut
        }
        return maxScroll
    }

    static func newest(_ links: [LinkState]) -> Stamp? {
        links.compactMap(\.lastUpdate).max { $0.arrival < $1.arrival }
    }

    /// The metrics a path has reported, in row order.
    static func metrics(of link: LinkState) -> [LinkMetric] {
        order.filter { link.latest[$0] != nil }
    }

    static func label(_ metric: LinkMetric, long: Bool) -> String {
        switch metric {
        case .rtt: "RTT"
        case .jitter: "Jitter"
        case .loss: "Loss"
        case .bandwidth: long ? "Bandwidth" : "BW"
        case .videoFps: "Video"
        case .videoDelay: long ? "Video delay" : "VDelay"
        }
    }

    static func unit(_ metric: LinkMetric) -> String {
        switch metric {
        case .rtt, .jitter, .videoDelay: "ms"
        case .loss: "%"
        case .bandwidth: "Mb/s"
        case .videoFps: "fps"
        }
    }

    /// The least change a sparkline's full height stands for: smaller wobbles stay flat.
    static func minimumSpan(_ metric: LinkMetric) -> Double {
        switch metric {
        case .rtt, .videoDelay: 20
        case .jitter: 2
        case .loss: 0.5
        case .bandwidth, .videoFps: 5
        }
    }

    /// The priority of the alarm `metric` of `link` has now (nil: none is listed, the metric has
    /// none, or the path is down): the alarm engine's own level, on the mean of the last
    /// `sustain_s` once its samples cover it, so a marker appears only where an alarm exists.
    /// Bandwidth has one only on the path carrying the session, when the session declares the
    /// bandwidth it needs.
    static func level(_ p: PanelContext, _ link: LinkState, _ metric: LinkMetric, _ value: Double) -> AlarmPriority? {
        guard link.up != false, let name = alarmName(metric) else { return nil }
        return p.alarmLevels["LINK.\(link.path).\(name)"]
    }

    /// The last part of a metric's alarm id (LINK.<path>.RTT); nil for video delay, which has none.
    static func alarmName(_ metric: LinkMetric) -> String? {
        switch metric {
        case .rtt: "RTT"
        case .jitter: "JITTER"
        case .loss: "LOSS"
        case .bandwidth: "BANDWIDTH"
        case .videoFps: "VIDEO"
        case .videoDelay: nil
        }
    }

    /// A path that is down, in the colour of the alarm it raises: LINK.ALL.DOWN (high) when no
    /// path is up, else LINK.<path>.DOWN (medium).
    static func downStyle(_ p: PanelContext) -> Style {
        let anyUp = p.state.links.contains { $0.up == true }
        return p.theme.badge(Severity(p.view.alarmSettings.linkDownLevel(anyPathUp: anyUp)))
    }

    /// The style of a sparkline bar by the level of its value; plain for a metric without an alarm.
    static func barStyle(_ p: PanelContext, _ metric: LinkMetric, _ link: LinkState) -> (Double) -> Style {
        let theme = p.theme, settings = p.view.alarmSettings
        let carries = p.state.carrierLinkIndex.map { p.state.links[$0].path == link.path } ?? false
        if metric == .bandwidth, carries, let minimum = settings.bandwidthMinimum(declared: p.state.info?.minBandwidthMbps) {
            return { theme.bar(Severity(settings.bandwidthLevel($0, minimum: minimum))) }
        }
        guard AlarmSettings.hasAlarm(metric) else { return { _ in theme.plain } }
        return { theme.bar(Severity(settings.linkLevel(metric, $0))) }
    }

    static func format(_ metric: LinkMetric, _ value: Double) -> String {
        switch metric {
        case .loss: Format.fixed(value, value < 10 ? 2 : 1)
        case .bandwidth, .videoFps: Format.fixed(value, value < 1000 ? 1 : 0)
        default: Format.adaptive(value, maxDecimals: 1)
        }
    }

    /// The path's state line: name, UP / DOWN (a reversed red band that cannot be missed) and
    /// the time since the path last reported, when that is stale.
    static func statusLine(_ p: PanelContext, _ link: LinkState, x: Int, y: Int, width: Int, percentiles: Bool = true,
                           into buffer: inout CellBuffer) {
        let g = p.glyphs
        let name = TerminalText.sanitize(link.path)
        var right: [Span] = []
        if let age = p.view.staleAge(of: link.lastUpdate) { right.append(p.staleTag(age)) }
        let rightWidth = buffer.columns(of: right)
        let leftWidth = max(0, width - (rightWidth > 0 ? rightWidth + 1 : 0))
        if link.up == false {
            let style = downStyle(p)
            buffer.band(x: x, y: y, width: width, style: style)
            var text = name + "  " + g.down + " DOWN"
            if let since = link.downSince { text += " for " + Format.duration(clock(p) - since) }
            if !g.unicode { text = "!! " + text + " !!" }
            buffer.put(text, x: x, y: y, width: leftWidth, style: style, ellipsis: p.ellipsis)
        } else {
            var spans = [Span(name, p.theme.bold), Span("  ")]
            switch link.up {
            case .some(true): spans.append(Span(g.up + " UP", p.theme.good))
            default: spans.append(Span("? up/down not reported", p.theme.dim))
            }
            // The session's percentiles where the line has room for them whole (never cut).
            let used = buffer.columns(of: spans)
            if percentiles, let text = sessionPercentiles(link, width: leftWidth - used - 2) {
                spans.append(Span("  " + text, p.theme.label))
            }
            buffer.put(spans, x: x, y: y, width: leftWidth, ellipsis: p.ellipsis)
        }
        if rightWidth > 0 { buffer.put(right, x: x + width - rightWidth, y: y, width: rightWidth) }
    }

    /// The session's round trip (and jitter, when there is room) at p50/p95/p99 so far, as
    /// `SessionPercentiles` keeps them: "RTT p50/95/99 42/61/88 ms  jitter 2.1/3.4/5.0 ms", the
    /// round trip alone, without its unit (the RTT row under it has it), or its p99 alone (the
    /// tail a technician asks about first: two paths at 80×24); nil when not even that fits in
    /// `width` columns or nothing came yet.
    static func sessionPercentiles(_ link: LinkState, width: Int) -> String? {
        guard let rtt = percentileFigures(link.rttPercentiles), let p99 = link.rttPercentiles.figures?.p99 else { return nil }
        let candidates = [percentileFigures(link.jitterPercentiles).map { "RTT p50/95/99 \(rtt) ms  jitter \($0) ms" },
                          "RTT p50/95/99 \(rtt) ms", "RTT p50/95/99 \(rtt)",
                          "RTT p99 \(Format.adaptive(p99, maxDecimals: 1)) ms"]
        return candidates.compactMap { $0 }.first { TerminalText.columns(of: $0) <= width }
    }

    /// The metrics whose session percentiles a block of `link` can give a row: round trip and
    /// jitter once they have figures, while the path is not down.
    static func percentileMetrics(_ link: LinkState) -> [LinkMetric] {
        guard link.up != false else { return [] }
        return [(LinkMetric.rtt, link.rttPercentiles), (.jitter, link.jitterPercentiles)]
            .filter { link.latest[$0.0] != nil && $0.1.figures != nil }.map(\.0)
    }

    /// "42/61/88": p50/p95/p99 as the metric rows print values; nil before the first sample.
    static func percentileFigures(_ kept: SessionPercentiles) -> String? {
        guard let f = kept.figures else { return nil }
        return [f.p50, f.p95, f.p99].map { Format.adaptive($0, maxDecimals: 1) }.joined(separator: "/")
    }

    /// A row of the session's percentiles of `metric` (round trip or jitter), in a block's spare
    /// row: "RTT    p50/95/99 42/61/88 ms". False when there is none yet.
    @discardableResult
    static func percentileRow(_ p: PanelContext, _ link: LinkState, _ metric: LinkMetric, x: Int, y: Int, width: Int,
                              into buffer: inout CellBuffer) -> Bool {
        let kept = metric == .rtt ? link.rttPercentiles : link.jitterPercentiles
        guard let figures = percentileFigures(kept) else { return false }
        let long = width >= 44
        let labelWidth = long ? 11 : 6
        let room = width - labelWidth - 1
        // Whole or not at all: a cut figure would mislead.
        guard let text = ["session p50/95/99 \(figures) \(unit(metric))", "p50/95/99 \(figures) \(unit(metric))", "p50/95/99 \(figures)"]
            .first(where: { TerminalText.columns(of: $0) <= room }) else { return false }
        buffer.put(label(metric, long: long), x: x, y: y, width: labelWidth, style: p.theme.label, ellipsis: p.ellipsis)
        buffer.put(text, x: x + labelWidth + 1, y: y, width: room, style: p.theme.dim)
        return true
    }

    /// One path: its status line, then as many metric rows as fit, most important first.
    /// Returns how many of the path's metric rows it had no room for.
    @discardableResult
    static func block(_ p: PanelContext, _ link: LinkState, area: Rect, offset: Int = 0,
                      into buffer: inout CellBuffer) -> Int {
        guard !area.isEmpty else { return 0 }
        let reported = metrics(of: link)
        let room = area.height - 1
        // The session's percentiles take spare rows under the metrics (round trip, then jitter),
        // else the status line's end, where they fit (`sessionPercentiles`).
        let percentileRows = Array(percentileMetrics(link).prefix(max(0, room - reported.count)))
        statusLine(p, link, x: area.x, y: area.y, width: area.width, percentiles: percentileRows.isEmpty, into: &buffer)
        guard room > 0 else { return reported.count }
        if reported.isEmpty {
            buffer.put(link.up == false ? "no live value" : "no metrics yet", x: area.x, y: area.y + 1, width: area.width, style: p.theme.dim,
                       ellipsis: p.ellipsis)
            return 0
        }
        var shown = reported
        if shown.count > room {
            let ranked = priority.filter { reported.contains($0) }
            let keep = Set(ranked.dropFirst(min(offset, ranked.count - room)).prefix(room))
            shown = reported.filter { keep.contains($0) }
        }
        for (k, metric) in shown.enumerated() {
            metricRow(p, link, metric, x: area.x, y: area.y + 1 + k, width: area.width, into: &buffer)
        }
        for (k, metric) in percentileRows.enumerated() {
            percentileRow(p, link, metric, x: area.x, y: area.y + 1 + shown.count + k, width: area.width, into: &buffer)
        }
        return reported.count - shown.count
    }

    /// The time now on the session's clock: its session time, plus, for a live source or a demo
    /// (whose frames come as they happen), the seconds since its last frame, as the alarm
    /// engine counts. When an outage stops every frame the charts go on scrolling, their gap
    /// grows at the right and "DOWN for" keeps counting, in step with TELEMETRY.LOST.
    static func clock(_ p: PanelContext) -> Double {
        AlarmEngine.clock(for: p.state, arrivalNow: p.view.now, sourceIsLive: p.view.mode != .replay)
    }

    /// How old a down path's last live values are ("3.8 s ago"); nil while the path is not down.
    static func downAge(_ p: PanelContext, _ link: LinkState) -> String? {
        guard link.up == false else { return nil }
        guard let stamp = link.lastLiveStamp else { return "no live value" }
        return Format.duration(age(p, stamp)) + " ago"
    }

    /// How old a metric's last live value is when it is not live (its path is down, or it was
    /// not reported since the path came back up); nil while it is live.
    static func absentAge(_ p: PanelContext, _ link: LinkState, _ metric: LinkMetric) -> String? {
        guard !link.isLive(metric) else { return nil }
        guard let stamp = link.liveStamps[metric] else { return "no live value" }
        return Format.duration(age(p, stamp)) + " ago"
    }

    /// Seconds since a value came: live, on the arrival clock against now (it goes on growing
    /// while the connection is down and no frame moves the session time, like STALE); in a
    /// replay or a demo, on the session's clock (`clock`).
    static func age(_ p: PanelContext, _ stamp: Stamp) -> Double {
        p.view.staleApplies ? max(0, p.view.now - stamp.arrival) : max(0, clock(p) - stamp.sessionTime)
    }

    /// "RTT     112.4 ms   *  ▁▂▃▅▇█▆▅": label, value, unit, marker, sparkline. A path that is
    /// down: "RTT        — ms   3.8 s ago ▁▂▃" all dimmed.
    static func metricRow(_ p: PanelContext, _ link: LinkState, _ metric: LinkMetric, x: Int, y: Int, width: Int,
                          into buffer: inout CellBuffer) {
        guard let value = link.latest[metric] else { return }
        if let age = absentAge(p, link, metric) {
            absentRow(p, link, metric, age: age, x: x, y: y, width: width, into: &buffer)
            return
        }
        let severity = Severity(level(p, link, metric, value))
        let long = width >= 44
        let labelWidth = long ? 11 : 6
        let valueStyle = p.theme.severity(severity)
        var cx = x
        cx += buffer.put(label(metric, long: long), x: cx, y: y, width: labelWidth, style: p.theme.label, ellipsis: p.ellipsis)
        cx = x + labelWidth + 1
        buffer.put(format(metric, value), x: cx, y: y, width: 7, style: valueStyle, alignment: .right)
        cx += 8
        buffer.put(unit(metric), x: cx, y: y, width: 4, style: p.theme.label)
        cx += 5
        buffer.put(severity.marker, x: cx, y: y, width: 3, style: valueStyle)
        cx += 4
        let sparkWidth = x + width - cx
        guard sparkWidth > 0, let history = link.history[metric] else { return }
        let values = history.recentValues(sparkWidth)
        Sparkline(values: values, minimumSpan: minimumSpan(metric), glyphs: p.glyphs,
                  style: barStyle(p, metric, link))
            .render(into: &buffer, area: Rect(x: cx, y: y, width: sparkWidth, height: 1))
    }

    /// A metric of a path that is down: a dimmed dash for its value, the age of the last live
    /// value and the dimmed history.
    static func absentRow(_ p: PanelContext, _ link: LinkState, _ metric: LinkMetric, age: String, x: Int, y: Int,
                          width: Int, into buffer: inout CellBuffer) {
        let dim = p.theme.dim
        let long = width >= 44
        let labelWidth = long ? 11 : 6
        buffer.put(label(metric, long: long), x: x, y: y, width: labelWidth, style: p.theme.label, ellipsis: p.ellipsis)
        var cx = x + labelWidth + 1
        buffer.put(p.glyphs.none, x: cx, y: y, width: 7, style: dim, alignment: .right)
        cx += 8
        buffer.put(unit(metric), x: cx, y: y, width: 4, style: p.theme.label)
        cx += 5
        cx += buffer.put(age, x: cx, y: y, width: max(0, x + width - cx), style: dim, ellipsis: p.ellipsis) + 1
        let sparkWidth = x + width - cx
        guard sparkWidth > 0, let history = link.history[metric] else { return }
        Sparkline(values: history.recentValues(sparkWidth), minimumSpan: minimumSpan(metric), glyphs: p.glyphs,
                  style: { _ in dim })
            .render(into: &buffer, area: Rect(x: cx, y: y, width: sparkWidth, height: 1))
    }

    /// One line for a path when the panel is very short: "primary ▲ RTT 112 ms loss 0.00 % …".
    /// One path on one line: name, up/down, then its live metrics by priority, from the
    /// `skip`-th, as many as fit whole (a cut value would mislead). Returns how many metrics it
    /// skipped and how many did not fit.
    @discardableResult
    static func summary(_ p: PanelContext, _ link: LinkState, skip: Int = 0, x: Int, y: Int, width: Int,
                        into buffer: inout CellBuffer) -> (skipped: Int, cut: Int) {
        let (spans, left) = summaryFit(p, link, skip: skip, width: width, buffer: buffer)
        buffer.put(spans, x: x, y: y, width: width, ellipsis: p.ellipsis)
        return left
    }

    /// The spans of `summary` and what they leave out.
    static func summaryFit(_ p: PanelContext, _ link: LinkState, skip: Int, width: Int, buffer: CellBuffer)
        -> (spans: [Span], left: (skipped: Int, cut: Int)) {
        let g = p.glyphs
        var spans = [Span(TerminalText.sanitize(link.path) + " ", p.theme.bold)]
        switch link.up {
        case .some(false): spans.append(Span(g.down + " DOWN", downStyle(p)))
        case .some(true): spans.append(Span(g.up, p.theme.good))
        default: spans.append(Span("?", p.theme.dim))
        }
        if let age = p.view.staleAge(of: link.lastUpdate) {
            spans.append(p.staleTag(age))
        }
        if let age = downAge(p, link) {
            spans.append(Span(" " + p.glyphs.none + " values " + age, p.theme.dim))
        }
        let live = priority.filter { link.isLive($0) && link.latest[$0] != nil }
        let skipped = min(max(0, skip), live.count)
        // Scrolled along: say that metrics come before the ones shown.
        if skipped > 0 { spans.append(Span(" " + p.ellipsis, p.theme.dim)) }
        var used = buffer.columns(of: spans)
        var shown = 0
        for metric in live.dropFirst(skipped) {
            guard let v = link.latest[metric] else { continue }
            let sev = Severity(level(p, link, metric, v))
            let pair = [Span(" " + label(metric, long: false) + " ", p.theme.label),
                        Span(format(metric, v) + unit(metric) + sev.marker, p.theme.severity(sev))]
            let w = buffer.columns(of: pair)
            guard used + w <= width else { break }
            spans += pair
            used += w
            shown += 1
        }
        return (spans, (skipped, live.count - skipped - shown))
    }

    // MARK: - large

    static let largeMetrics: [LinkMetric] = [.rtt, .jitter, .loss, .videoFps]

    /// Big digits for reading across a room: per path a status line and a row of tiles
    /// (label, three-row number, sparkline). False when there is no room; the caller then
    /// draws the ordinary rows.
    static func renderLarge(_ p: PanelContext, _ links: [LinkState], _ inner: Rect, into buffer: inout CellBuffer) -> Bool {
        let tileHeight = 5   // label, 3 rows of digits, sparkline
        let pathHeight = 1 + tileHeight
        let n = links.count
        let tiles = largeMetrics.count
        let tileWidth = 15
        let sideBySide = n >= 2 && inner.width >= n * tiles * tileWidth + (n - 1)
        let blocks: [Rect]
        if sideBySide && inner.height >= pathHeight {
            blocks = LayoutEngine.split(inner, .columns, (0..<(2 * n - 1)).map { $0 % 2 == 0 ? .weight(1) : .fixed(1) })
                .enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        } else if inner.width >= tiles * tileWidth && inner.height >= n * pathHeight {
            let rects = LayoutEngine.split(inner, .rows, links.map { _ in .weight(1) })
            blocks = rects
        } else {
            return false
        }
        for (link, rect) in zip(links, blocks) {
            statusLine(p, link, x: rect.x, y: rect.y, width: rect.width, into: &buffer)
            let tileRects = LayoutEngine.split(Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: tileHeight),
                                               .columns, largeMetrics.map { _ in .weight(1) })
            for (metric, tile) in zip(largeMetrics, tileRects) { largeTile(p, link, metric, area: tile, into: &buffer) }
        }
        return true
    }

    static func largeTile(_ p: PanelContext, _ link: LinkState, _ metric: LinkMetric, area: Rect, into buffer: inout CellBuffer) {
        let w = area.width - 1
        buffer.put(label(metric, long: true) + " (" + unit(metric) + ")", x: area.x, y: area.y, width: w, style: p.theme.label,
                   ellipsis: p.ellipsis)
        guard let value = link.latest[metric], link.isLive(metric) else {
            buffer.put(p.glyphs.none, x: area.x, y: area.y + 2, width: w, style: p.theme.dim)
            if link.latest[metric] != nil, let age = absentAge(p, link, metric) {
                buffer.put(age, x: area.x, y: area.y + 3, width: w, style: p.theme.dim, ellipsis: p.ellipsis)
            }
            return
        }
        let severity = Severity(level(p, link, metric, value))
        let style = p.theme.bar(severity)
        let text = metric == .loss ? Format.fixed(value, 1) : Format.adaptive(value, maxDecimals: value < 10 ? 1 : 0)
        let big = BigText(text, style: style, glyphs: p.glyphs)
        if big.width <= w - 3 {
            big.render(into: &buffer, area: Rect(x: area.x, y: area.y + 1, width: w, height: 3))
            buffer.put(severity.marker, x: area.x + big.width + 1, y: area.y + 3, width: 3, style: p.theme.severity(severity))
        } else {
            buffer.put(text + " " + severity.marker, x: area.x, y: area.y + 2, width: w, style: p.theme.severity(severity))
        }
        if let history = link.history[metric] {
            Sparkline(values: history.recentValues(w), minimumSpan: minimumSpan(metric), glyphs: p.glyphs,
                      style: barStyle(p, metric, link))
                .render(into: &buffer, area: Rect(x: area.x, y: area.y + 4, width: w, height: 1))
        }
    }
}
