import Telemetry

/// The "Bookmarks" section of the text report: a trainer's notes, in time order.
public enum BookmarkText {
    public static func lines(_ marks: [Bookmark]) -> [String] {
        var out = ["", "Bookmarks: \(marks.count)"]
        for mark in marks.sorted(by: { ($0.session, $0.t) < ($1.session, $1.t) }) {
            out.append("  " + (mark.session > 0 ? "session \(mark.session + 1) " : "") + ReportText.duration(mark.t)
                + "  " + WireText.sanitize(mark.note) + "  (" + WireText.sanitize(mark.createdAt) + ")")
        }
        return out
    }
}
