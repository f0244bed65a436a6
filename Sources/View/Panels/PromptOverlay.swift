import SessionCore
import Telemetry

/// The replay's typed line (`g`, `m`): a small box low on the screen, so the panels stay in
/// view, with the text, then the error or a hint, then its keys.
enum PromptOverlay {
    static func render(_ p: PanelContext, _ prompt: ReplayPrompt, area: Rect, into buffer: inout CellBuffer) {
        let t = p.theme
        let title: String
        let hint: String
        switch prompt.purpose {
        case .goTo:
            title = "Go to"
            hint = ReplayTime.forms
        case .bookmark(let session, let at):
            title = "Bookmark at " + (session > 0 ? "session \(session + 1), " : "") + Format.clock(at)
            hint = "a note for this moment (saved beside the recording)"
        }
        let lines: [[Span]] = [
            [Span("> ", t.key), Span(TerminalText.sanitize(prompt.text) + "_")],
            prompt.error.map { [Span(TerminalText.sanitize($0), t.severity(.medium))] } ?? [Span(hint, t.dim)],
            [Span(" Enter ", t.key), Span(prompt.purpose == .goTo ? " go  " : " save  "), Span(" Esc ", t.key), Span(" cancel")],
        ]
        let width = min(area.width, max(50, min(100, lines.map { buffer.columns(of: $0) }.max() ?? 0) + 4))
        let height = min(area.height, lines.count + 2)
        // Low on the screen, above the footer: the timeline and the header stay in view.
        let box = Rect(x: area.x + (area.width - width) / 2, y: area.y + max(0, area.height - height - 3),
                       width: width, height: height)
        Overlays.centredBox(p, title: title, lines: lines, area: box, into: &buffer)
    }
}
