import Telemetry

/// A one-row chart of recent values, newest at the right (▁▂▃▄▅▆▇█, or `_.,-=+*#` in ASCII).
public struct Sparkline {
    public var values: [Double]
    /// The value drawn as the lowest bar; the smallest value when nil.
    public var floor: Double?
    /// The value drawn as the highest bar; the largest value when nil.
    public var ceiling: Double?
    /// The smallest range of values the height stands for, so that noise on a steady value
    /// does not look like swings (a steady line sits at the bottom).
    public var minimumSpan: Double
    public var glyphs: Glyphs
    /// The style of each bar, by its value (e.g. red past a threshold).
    public var style: (Double) -> Style

    public init(values: [Double], floor: Double? = nil, ceiling: Double? = nil, minimumSpan: Double = 0,
                glyphs: Glyphs, style: @escaping (Double) -> Style = { _ in .plain }) {
        self.values = values
        self.floor = floor
        self.ceiling = ceiling
        self.minimumSpan = minimumSpan
        self.glyphs = glyphs
        self.style = style
    }

    /// Draws the last `area.width` values on the first row of `area`, right-aligned.
    public func render(into buffer: inout CellBuffer, area: Rect) {
        guard area.width > 0, area.height > 0, !values.isEmpty else { return }
        let shown = values.suffix(area.width)
        var lo = Double.infinity, hi = -Double.infinity
        for v in shown where v.isFinite {
            lo = min(lo, v)
            hi = max(hi, v)
        }
        guard lo.isFinite else { return }
        if let floor { lo = min(lo, floor) }
        if let ceiling { hi = max(hi, ceiling) }
        if hi - lo < minimumSpan { hi = lo + minimumSpan }
        let span = hi - lo
        let levels = glyphs.spark.count
        var x = area.maxX - shown.count
        for v in shown {
            if v.isFinite {
                let level = span > 0 ? Int(saturating: ((v - lo) / span * Double(levels - 1)).rounded()) : 0
                buffer.set(x, area.y, glyphs.spark[min(levels - 1, max(0, level))], style(v))
            }
            x += 1
        }
    }
}
