import Telemetry

/// A horizontal bar filled to `fraction` of its width, with 1/8-cell resolution on a Unicode
/// terminal (▏▎▍▌▋▊▉█) and '#' with '-'/'=' partial cells in ASCII.
public struct Gauge {
    /// 0…1; values outside are clamped, NaN draws an empty track.
    public var fraction: Double
    public var style: Style
    public var trackStyle: Style
    public var glyphs: Glyphs

    public init(fraction: Double, style: Style, trackStyle: Style = .dim, glyphs: Glyphs) {
        self.fraction = fraction
        self.style = style
        self.trackStyle = trackStyle
        self.glyphs = glyphs
    }

    /// Draws on the first row of `area`.
    public func render(into buffer: inout CellBuffer, area: Rect) {
        guard area.width > 0, area.height > 0 else { return }
        let f = fraction.isNaN ? 0 : min(1, max(0, fraction))
        let eighths = Int(saturating: (f * Double(area.width * 8)).rounded())
        let full = eighths / 8
        let part = eighths % 8
        for i in 0..<area.width {
            let x = area.x + i
            if i < full {
                buffer.set(x, area.y, glyphs.gaugeFull, style)
            } else if i == full && part > 0 {
                buffer.set(x, area.y, glyphs.gaugeEighths[part], style)
            } else {
                buffer.set(x, area.y, glyphs.gaugeEmpty, trackStyle)
            }
        }
    }
}
