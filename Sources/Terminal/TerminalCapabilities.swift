import CCurses

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
    /// `$TERM` is not set, so nothing says how to draw on the terminal.
    case termNotSet
    /// The terminal cannot do what the console needs: move the cursor anywhere, clear the screen.
    case lacksCapability(term: String, what: String)
    /// The terminfo entry is a generic type (`TERM=unknown`, `network`): too little to draw with.
    case genericTerminal(term: String)
    /// The terminfo entry is a hardcopy terminal (a printer).
    case hardcopyTerminal(term: String)
    /// No terminfo database at all was found (a stripped container image).
    case noTerminfoDatabase(term: String)

    public var description: String {
        switch self {
        case .notATerminal:
            return "standard output must be a terminal, with a keyboard on standard input or the controlling terminal"
        case .cannotOpenTerminal(let term):
            if term.isEmpty { return TerminalError.termNotSet.description }
            return "there is no terminfo entry for TERM=\(term), so the full-screen console does not know how to draw on this terminal"
        case .alreadyActive:
            return "a curses screen is already active in this process"
        case .termNotSet:
            return "TERM is not set, so the full-screen console does not know how to draw on this terminal"
        case .lacksCapability(let term, let what):
            return "the terminal TERM=\(term) cannot \(what), which the full-screen console needs"
        case .genericTerminal(let term):
            return "TERM=\(term) names a generic terminal type with too little information for the full-screen console (set TERM to the real terminal, xterm-256color say)"
        case .hardcopyTerminal(let term):
            return "TERM=\(term) names a hardcopy terminal, which cannot show the full-screen console"
        case .noTerminfoDatabase(let term):
            return "no terminfo database was found for TERM=\(term) (install ncurses-base, or set TERMINFO)"
        }
    }
}

extension TerminalError {
    /// Why the terminal named by `$TERM` cannot show the full-screen console (no terminfo entry,
    /// or no cursor addressing or clearing, as `TERM=dumb`), or nil when it can. Checked before
    /// the screen starts: curses itself would start on such a terminal and draw almost nothing.
    public static func unsupportedTerminal() -> TerminalError? {
        let term = String(cString: surg_term_name())
        switch surg_terminal_support() {
        case 0: return nil
        case 1: return .termNotSet
        case 2: return .cannotOpenTerminal(term: term)
        case 3: return .lacksCapability(term: term, what: "move the cursor")
        case 5: return .genericTerminal(term: term)
        case 6: return .hardcopyTerminal(term: term)
        case 7: return .noTerminfoDatabase(term: term)
        default: return .lacksCapability(term: term, what: "clear the screen")
        }
    }
}
