import CCurses
import View

/// The tty, through ncurses. One instance per process; every call on the main thread (the type
/// is not `Sendable`, so the compiler keeps it in one isolation domain).
///
/// Start-up: the locale comes from the environment, the screen runs raw (Ctrl-C arrives as
/// `.control(3)`), without echo, with the keypad decoded, the cursor hidden and a 25 ms escape
/// delay, in colour unless the terminal has none or `NO_COLOR` is set.
///
/// Signals: SIGTERM, SIGHUP, SIGINT, SIGQUIT and the crash signals (SIGSEGV, SIGBUS, SIGILL,
/// SIGFPE, SIGTRAP, SIGABRT) restore the terminal before the process dies of them. The handler
/// does not call `endwin` (not async-signal-safe): it writes the teardown sequences captured at
/// start (sgr0, cursor to the bottom line, cnorm, rmkx, rmcup) and the saved tty modes with
/// `write` and `tcsetattr`, then re-delivers the signal to the disposition it replaced (so the
/// Swift runtime's crash report still prints, on a sane terminal); if that handler returns, the
/// process still ends. SIGTERM, SIGHUP and SIGINT the program handles itself (a graceful exit
/// that ends in `stop()`) are left to it, whether it installed its handler before the screen
/// started or after; ignored signals stay ignored. SIGWINCH and SIGTSTP stay with ncurses. A Swift fatal error prints its
/// message before trapping, while the alternate screen is up, so that line is lost (the crash
/// report after it shows): send stderr to a file while the screen runs to keep it.
public final class CursesScreen: TerminalBackend {
    public let capabilities: TerminalCapabilities

    private var screen: OpaquePointer?
    private let window: UnsafeMutablePointer<WINDOW>
    private var palette: CursesPalette
    /// Clear the terminal itself on the next present (after a resize or `invalidate`).
    private var clearTerminal = false
    private var windowSize = TerminalSize(width: 0, height: 0)
    /// ncurses draws the bottom-right cell with insert-character (see `draw`).
    private let cornerUsesInsert: Bool
    private var inputTimeout: Int32 = Int32.min
    private var stopped = false

    /// Whether a screen can start: stdout is a terminal, and keys can come from stdin or /dev/tty.
    public static var terminalAvailable: Bool { surg_terminal_available() != 0 }

    public init() throws {
        guard surg_terminal_available() != 0 else { throw TerminalError.notATerminal }
        guard surg_claim_screen() != 0 else { throw TerminalError.alreadyActive }

        surg_setlocale_from_environment()
        let unicode = surg_codeset_is_utf8() != 0
        // Before newterm: ncurses then leaves SIGINT/SIGTERM to us (it only catches defaults).
        surg_signals_install()
        guard let screen = surg_newterm(), let window = surg_stdscr() else {
            surg_signals_uninstall()
            surg_release_keyboard()
            surg_release_screen()
            throw TerminalError.cannotOpenTerminal(term: String(cString: surg_term_name()))
        }
        self.screen = screen
        self.window = window

        raw()
        noecho()
        nonl()
        keypad(window, true)
        intrflush(window, false)
        leaveok(window, true) // the cursor is hidden: don't spend bytes putting it back
        curs_set(0)
        set_escdelay(25)

        var colors = false
        var defaultColors = false
        if has_colors() && surg_no_color_requested() == 0 {
            colors = start_color() != ERR
            defaultColors = colors && use_default_colors() != ERR
        }
        cornerUsesInsert = surg_corner_uses_insert() != 0
        palette = CursesPalette(colors: colors, defaultColors: defaultColors, maxPairs: colors ? surg_color_pairs() : 0)
        capabilities = TerminalCapabilities(colors: colors, unicode: unicode)

        windowSize = TerminalSize(width: Int(getmaxx(window)), height: Int(getmaxy(window)))
        surg_signals_arm(Int32(windowSize.height))
    }

    deinit {
        stop()
    }

    /// The terminal's size in columns and rows, as of the last `.resize` key.
    public var size: TerminalSize {
        guard !stopped else { return windowSize } // the window is freed by stop()
        return TerminalSize(width: Int(getmaxx(window)), height: Int(getmaxy(window)))
    }

    /// Shows `buffer`: only the stretches in `changes` (`CellBuffer.changes(from:)` against the
    /// buffer presented last), or every cell for `.all` and whenever the terminal's size changed.
    /// Cells beyond the terminal are clipped; terminal cells beyond the buffer are blank.
    public func present(_ buffer: CellBuffer, changes: CellChanges) {
        guard !stopped else { return }
        let current = size
        var spans: [CellSpan]?
        if case .spans(let changed) = changes { spans = changed }
        if current != windowSize {
            windowSize = current
            surg_signals_set_rows(Int32(current.height))
            spans = nil
        }
        let width = buffer.width
        let columns = min(width, current.width)
        let rows = min(buffer.height, current.height)
        let cells = buffer.cells
        let unicode = capabilities.unicode

        if let spans {
            // Each stretch already covers both halves of any wide character it touches.
            for span in spans where span.y < rows {
                let row = span.y * width
                var column = span.x
                let end = min(span.endX, columns)
                while column < end {
                    column = draw(cells, row: row, y: span.y, x: column, columns: columns, unicode: unicode)
                }
            }
        } else {
            werase(window)
            for y in 0..<rows {
                let row = y * width
                var x = 0
                while x < columns {
                    // werase left blanks; a pair (or an orphaned half) is drawn from its left cell.
                    if cells[row + x] == .blank {
                        x += 1
                    } else {
                        x = draw(cells, row: row, y: y, x: x, columns: columns, unicode: unicode)
                    }
                }
            }
        }

        if clearTerminal {
            clearok(window, true)
            clearTerminal = false
        }
        wnoutrefresh(window)
        doupdate()
    }

    /// Draws the cell at x and returns the first column it did not cover. A wide glyph needs its
    /// continuation cell to its right (inside the screen), else it shows as `?` so the grid
    /// stays aligned; a narrow glyph followed by a continuation blanks that half.
    @inline(__always)
    private func draw(_ cells: [Cell], row: Int, y: Int, x: Int, columns: Int, unicode: Bool) -> Int {
        let cell = cells[row + x]
        if cell.isContinuation {
            put(.space, y: y, x: x, style: cell.style)
            return x + 1
        }
        var glyph = Glyph(cell.character, unicode: unicode)
        let nextIsContinuation = x + 1 < columns && cells[row + x + 1].isContinuation
        if glyph.width == 2 {
            // On terminals whose auto margin cannot be switched off (TERM=tmux*, screen*) ncurses
            // writes the bottom-right cell by inserting a character at the column before; a wide
            // character there breaks it and the corner or the row's tail vanish. Nothing wide
            // is drawn next to that corner.
            let nearCorner = cornerUsesInsert && y == windowSize.height - 1 && x + 3 >= windowSize.width
            if nextIsContinuation && !nearCorner {
                put(glyph, y: y, x: x, style: cell.style)
                return x + 2
            }
            glyph = .replacement
        }
        if glyph.mark1 != 0 && y == windowSize.height - 1 && x == windowSize.width - 1 {
            // In the bottom-right cell the cursor cannot move past the character, and tmux then
            // attaches a combining mark to the cell before it: draw the base alone.
            glyph = Glyph(base: glyph.base)
        }
        put(glyph, y: y, x: x, style: cell.style)
        if nextIsContinuation {
            put(.space, y: y, x: x + 1, style: cell.style)
            return x + 2
        }
        return x + 1
    }

    @inline(__always)
    private func put(_ glyph: Glyph, y: Int, x: Int, style: Style) {
        // ERR in the bottom-right corner (the cursor cannot advance) although the cell is drawn.
        _ = surg_put_cell(window, Int32(y), Int32(x),
                          glyph.base, glyph.mark1, glyph.mark2, glyph.mark3, glyph.mark4,
                          palette.attributes(style), palette.pair(style))
    }

    /// Waits up to `timeoutMs` milliseconds for a key (0: just look; negative: wait for one).
    /// Returns nil when none came. `.resize` means ncurses has already resized the screen: the
    /// next present clears the terminal, and should be `.all`.
    public func readKey(timeoutMs: Int) -> Key? {
        guard !stopped else { return nil }
        let timeout = Int32(clamping: timeoutMs < 0 ? -1 : timeoutMs)
        if timeout != inputTimeout {
            wtimeout(window, timeout)
            inputTimeout = timeout
        }
        var value: wint_t = 0
        switch wget_wch(window, &value) {
        case OK:
            return Key.fromCharacter(UInt32(value))
        case KEY_CODE_YES:
            let key = Key.fromKeyCode(Int32(bitPattern: UInt32(value)))
            if key == .resize {
                clearTerminal = true
                windowSize = size
                surg_signals_set_rows(Int32(windowSize.height))
            }
            return key
        default:
            return nil
        }
    }

    /// Rings the terminal's bell (or flashes, if it has no bell).
    public func bell() {
        guard !stopped else { return }
        beep()
    }

    /// Gives the terminal back: modes, cursor, main screen. Safe to call more than once.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        endwin()
        surg_flush_stdout()
        // After endwin: a signal in between finds the handlers still armed, which is harmless.
        surg_signals_uninstall()
        if let screen {
            delscreen(screen)
            self.screen = nil
        }
        surg_release_keyboard()
        surg_release_screen()
    }
}
