import Telemetry

/// A run of text in one style: the unit panels compose lines from.
public struct Span: Sendable, Equatable {
    public var text: String
    public var style: Style

    public init(_ text: String, _ style: Style = .plain) {
        self.text = text
        self.style = style
    }

    /// Columns the text takes once sanitised, in UTF-8. Where the buffer may be ASCII, measure
    /// with `CellBuffer.columns(of:)`, which spells it first as `put` will.
    public var columns: Int { TerminalText.columns(of: TerminalText.sanitize(text)) }
}

extension CellBuffer {
    /// The text as `put` writes it: sanitised, and in ASCII spellings on an ASCII terminal.
    func spelled(_ text: String) -> String {
        asciiOnly ? ASCIIText.transliterate(TerminalText.sanitize(text)) : TerminalText.sanitize(text)
    }

    /// Columns `text` takes once written here: "53.0°" is 5 columns in UTF-8, "53.0deg" 7 in ASCII.
    public func columns(of text: String) -> Int {
        TerminalText.columns(of: spelled(text))
    }

    /// Columns the spans take once written here (see `columns(of:)` for text).
    public func columns(of spans: [Span]) -> Int {
        spans.reduce(0) { $0 + columns(of: $1.text) }
    }

    /// Writes `text` sanitised and cut (with `ellipsis`) to `width` columns from (x, y), placed by
    /// `alignment`; cells of the field that the text leaves free are not touched.
    /// Returns the column just after the last one written, relative to `x`.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, width: Int, style: Style = .plain,
                             alignment: TextAlignment = .left, ellipsis: String = "…") -> Int {
        guard width > 0, y >= 0, y < height else { return 0 }
        // Spelled in ASCII before it is measured and cut: ">=" takes two columns where "≥" took one.
        let text = asciiOnly ? spelled(text) : text
        let fitted = TerminalText.fit(text, width: width, ellipsis: ellipsis)
        var dx = 0
        if alignment != .left {
            let free = width - TerminalText.columns(of: fitted)
            dx = alignment == .right ? free : free / 2
        }
        return dx + write(fitted, x: x + dx, y: y, style: style, maxWidth: width - dx)
    }

    /// Writes spans one after another from (x, y) within `width` columns; the span that does not
    /// fit is cut with `ellipsis` and the rest are dropped. Returns the columns used.
    @discardableResult
    public mutating func put(_ spans: [Span], x: Int, y: Int, width: Int, ellipsis: String = "…") -> Int {
        var used = 0
        for span in spans {
            let room = width - used
            if room <= 0 { break }
            used += put(span.text, x: x + used, y: y, width: room, style: span.style, ellipsis: ellipsis)
        }
        return used
    }

    /// Fills the free part of one row from `x` to `x + width` with a style (a full-width bar).
    public mutating func band(x: Int, y: Int, width: Int, style: Style) {
        fill(Rect(x: x, y: y, width: width, height: 1), " ", style)
    }
}
