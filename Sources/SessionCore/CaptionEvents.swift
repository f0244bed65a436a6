/// Captions travel as telemetry: an `event` frame of kind `caption` whose `text` is what a
/// scenario wants its audience to read now. The caption band shows the latest; an empty text
/// clears the band.
extension EventEntry {
    /// The event kind that carries captions.
    public static let captionKind = "caption"

    public var isCaption: Bool { kind == Self.captionKind }
}

extension SessionState {
    /// The caption the band shows now: the latest one, unless it cleared the band (no text).
    public var currentCaption: EventEntry? {
        guard let caption, let text = caption.text, !text.isEmpty else { return nil }
        return caption
    }

    /// Keeps `entry` as the caption if it is one and not older than the caption kept (a late
    /// frame does not bring back a caption already replaced). A caption whose time the clock
    /// `refused` (a lone frame far ahead) is left out, as the histories leave such frames out:
    /// kept, it would outdate every caption after it and freeze the band.
    mutating func noteCaption(_ entry: EventEntry, refused: Bool) {
        guard entry.isCaption, !refused, caption.map({ entry.t >= $0.t }) ?? true else { return }
        caption = entry
    }
}
