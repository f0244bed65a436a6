/// What the terminal the console runs in can show, decided once at start.
public struct TerminalCapabilities: Sendable, Equatable {
    /// Colours are used: the terminal has them and `NO_COLOR` is not set.
    public var colors: Bool
    /// The locale's codeset is UTF-8, so glyphs beyond ASCII (box drawing, arrows) show.
    /// When false the view draws ASCII, and the screen turns any other character into `?`.
    public var unicode: Bool

    public init(colors: Bool, unicode: Bool) {
        self.colors = colors
        self.unicode = unicode
    }
}

/// Why the curses screen could not start.
public enum TerminalError: Error, Equatable, CustomStringConvertible {
    /// Standard output is not a terminal, or there is no terminal to read keys from
    /// (stdin piped and no controlling terminal, as under a service manager or ssh -T).
    case notATerminal
    /// ncurses could not set up the terminal named by `$TERM` (unknown or missing terminfo entry).
    case cannotOpenTerminal(term: String)
    /// A `CursesScreen` is already running in this process.
    case alreadyActive

    public var description: String {
        switch self {
        case .notATerminal:
            return "standard output must be a terminal, with a keyboard on standard input or the controlling terminal"
        case .cannotOpenTerminal(let term):
            let name = term.isEmpty ? "TERM is not set" : "TERM=\(term)"
            return "cannot open the terminal (\(name)): is there a terminfo entry for it?"
        case .alreadyActive:
            return "a curses screen is already active in this process"
        }
    }
}
