import SessionCore

/// A line of text typed over the replay (`g`: a time to go to; `m`: a bookmark's note), with a
/// one-line error under it when Enter found the text wrong. A value: the console edits it with
/// keys, the view draws it (`PromptOverlay`).
public struct ReplayPrompt: Sendable, Equatable {
    public enum Purpose: Sendable, Equatable {
        /// `g`: go to a typed time.
        case goTo
        /// `m`: a bookmark at this place of the recording (session ordinal, session time),
        /// taken when `m` was pressed.
        case bookmark(session: Int, t: Double)
    }

    public var purpose: Purpose
    public private(set) var text = ""
    /// Why Enter did not take the text (shown under it until the text changes).
    public var error: String?
    /// The longest text taken: a time is short, a note a sentence or two.
    public var maxCharacters: Int { purpose == .goTo ? 40 : 200 }

    public init(purpose: Purpose) {
        self.purpose = purpose
    }

    /// Adds a typed character (printable ones only: a note must not carry escape sequences).
    public mutating func type(_ c: Character) {
        guard text.count < maxCharacters, !c.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        else { return }
        text.append(c)
        error = nil
    }

    public mutating func backspace() {
        if !text.isEmpty { text.removeLast() }
        error = nil
    }
}
