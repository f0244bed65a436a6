import SessionCore

/// A key the console answers to, as the footer and the help overlay list it.
public struct KeyBinding: Sendable, Equatable {
    /// The key as the help shows it ("q", "Tab", "↑/↓ or j/k").
    public var key: String
    /// The key as the footer shows it, shorter ("↑↓").
    public var footerKey: String
    /// A word or two for the footer.
    public var short: String
    /// A sentence for the help overlay.
    public var help: String
    /// The section of the help it belongs to.
    public var section: String
    /// Modes it works in (all when nil).
    public var modes: Set<SessionMode>?

    /// The same binding with another footer word.
    public func withShort(_ short: String) -> KeyBinding {
        var copy = self
        copy.short = short
        return copy
    }

    public init(key: String, footerKey: String? = nil, short: String, help: String, section: String = "General",
                modes: Set<SessionMode>? = nil) {
        self.key = key
        self.footerKey = footerKey ?? key
        self.short = short
        self.help = help
        self.section = section
        self.modes = modes
    }

    public func applies(to mode: SessionMode) -> Bool {
        modes?.contains(mode) ?? true
    }
}

/// The keys of the console. Alarm keys (a/A/p/l) join through `ViewContext.extraKeys`.
public enum KeyHelp {
    public static func bindings(for mode: SessionMode, glyphs: Glyphs, extra: [KeyBinding] = []) -> [KeyBinding] {
        let replay: Set<SessionMode> = [.replay]
        let quitHelp = mode == .live ? "quit (asks to confirm with y: this is a live session)" : "quit"
        var keys = [
            KeyBinding(key: "q", short: "quit", help: quitHelp),
            KeyBinding(key: "?", short: "help", help: "show or hide this help (Esc closes it)"),
            KeyBinding(key: "L", short: "layout", help: "next layout"),
            KeyBinding(key: "Tab", short: "focus", help: "focus the next panel"),
            KeyBinding(key: glyphs.unicode ? "↑/↓ or j/k" : "Up/Down or j/k", footerKey: glyphs.unicode ? "↑↓" : "j/k",
                       short: "scroll", help: "scroll the focused panel"),
            KeyBinding(key: "space", short: "pause", help: "pause or resume the replay", section: "Replay", modes: replay),
            KeyBinding(key: "+ / -", footerKey: "+/-", short: "speed", help: "replay faster or slower", section: "Replay", modes: replay),
            KeyBinding(key: glyphs.unicode ? "← / → or < / >" : "Left / Right or < / >", footerKey: glyphs.unicode ? "←→" : "</>",
                       short: glyphs.plusMinus + "5 s",
                       help: "step back or forward 5 seconds", section: "Replay", modes: replay),
        ]
        keys += navigation(glyphs: glyphs)
        keys += extra
        return keys.filter { $0.applies(to: mode) }
    }

    /// `c`, listed where the layout has a caption band.
    public static let caption = KeyBinding(key: "c", short: "caption",
                                           help: "hide or show the caption band (what the demo is showing now)")

    /// The keys that find a moment of a recording (replay only).
    static func navigation(glyphs: Glyphs) -> [KeyBinding] {
        func key(_ key: String, _ footer: String, _ short: String, _ help: String) -> KeyBinding {
            KeyBinding(key: key, footerKey: footer, short: short, help: help, section: "Find a moment", modes: [.replay])
        }
        return [
            key("n / N", "n/N", "alarm", "next / previous alarm raise (the robot's or derived)"),
            key("e / E", "e/E", "event", "next / previous event"),
            key("g", "g", "go to", "go to a typed time: " + ReplayTime.forms),
            key(". / ,", "./,", "frame", "while paused: one frame forward / back (while playing, pauses first)"),
            key("[ / ]", "[/]", "loop", "A" + (glyphs.unicode ? "–" : "-") + "B loop: set its start / end here (again: clear it)"),
            key("Home / End", "Home/End", "start/end",
                "the start / end of the recording (the focused panel scrolls with PgUp/PgDn)"),
            key("m", "m", "bookmark", "bookmark this moment with a typed note (kept in FILE.marks.ndjson)"),
            key("h", "h", "history", "every alarm, event and bookmark of the recording: / searches, Enter goes there"),
        ]
    }
}
