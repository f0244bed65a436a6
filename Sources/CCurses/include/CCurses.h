#ifndef SURGTOP_CCURSES_H
#define SURGTOP_CCURSES_H

// The ncurses wide-character API as Swift can use it. Swift does not see function-like macros,
// the A_* attributes or the mutable globals (stdscr, LINES, ESCDELAY: errors under strict
// concurrency), so each one the Terminal module needs is wrapped in a static inline function.
// SwiftPM drops pkg-config -D flags: the wide API must be switched on here, before the include.
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <ncursesw/ncurses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <wchar.h>

// MARK: Start and stop

/// The locale from the environment (LANG, LC_*); must precede newterm.
static inline void surg_setlocale_from_environment(void) { setlocale(LC_ALL, ""); }

/// 1 when the locale's codeset is UTF-8, so glyphs beyond ASCII can be drawn.
static inline int surg_codeset_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    if (cs == NULL) return 0;
    // glibc spells it "UTF-8"; accept "utf8" spellings too.
    const char *p = cs;
    char norm[16];
    int n = 0;
    for (; *p && n < 15; p++) {
        char c = *p;
        if (c == '-' || c == '_') continue;
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        norm[n++] = c;
    }
    norm[n] = 0;
    return norm[0] == 'u' && norm[1] == 't' && norm[2] == 'f' && norm[3] == '8' && norm[4] == 0;
}

/// newterm on stdout, with keys from stdin, or from the controlling terminal (/dev/tty) when
/// stdin is not one, so `gateway | surgtop live -` still has a keyboard. Unlike initscr it
/// returns NULL instead of exiting when the terminal cannot be set up (unknown TERM, no tty).
SCREEN *surg_newterm(void);

/// Closes the controlling terminal opened by surg_newterm, if it opened one (after delscreen).
void surg_release_keyboard(void);

static inline WINDOW *surg_stdscr(void) { return stdscr; }

/// 1 when standard output is a terminal and keys can be read: from standard input when it is
/// a terminal, otherwise from the controlling terminal.
int surg_terminal_available(void);

/// Whether the terminal named by $TERM can show the console, checked before newterm (which
/// would accept TERM=dumb and draw a blank screen): 0 yes; 1 TERM is unset or empty; 2 there is
/// no terminfo entry for it; 3 it cannot address the cursor (no cup); 4 it cannot clear the
/// screen (no clear); 5 its entry is a generic type (gn, as TERM=unknown); 6 a hardcopy terminal
/// (hc); 7 no terminfo database was found. Colours are optional.
int surg_terminal_support(void);

/// $TERM, or "" when unset (for error messages).
static inline const char *surg_term_name(void) {
    const char *t = getenv("TERM");
    return t != NULL ? t : "";
}

static inline void surg_flush_stdout(void) { fflush(stdout); }

/// 1 when NO_COLOR is set to a non-empty value (https://no-color.org).
static inline int surg_no_color_requested(void) {
    const char *v = getenv("NO_COLOR");
    return v != NULL && v[0] != 0;
}

static inline int surg_color_pairs(void) { return COLOR_PAIRS; }

// MARK: Attributes (macros in ncurses)

static inline attr_t surg_A_NORMAL(void) { return A_NORMAL; }
static inline attr_t surg_A_BOLD(void) { return A_BOLD; }
static inline attr_t surg_A_DIM(void) { return A_DIM; }
static inline attr_t surg_A_REVERSE(void) { return A_REVERSE; }
static inline attr_t surg_A_UNDERLINE(void) { return A_UNDERLINE; }
static inline attr_t surg_A_BLINK(void) { return A_BLINK; }

// MARK: Drawing

/// Draws one cell at (y, x): a spacing character `c0` followed by up to four combining marks
/// (0 ends the list), with attributes and a colour pair. One C call per cell keeps the Swift side
/// free of cchar_t and wchar_t array handling. Returns wadd_wch's result (ERR in the bottom-right
/// corner even though the cell is drawn).
static inline int surg_put_cell(WINDOW *win, int y, int x,
                                uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t c4,
                                attr_t attrs, short pair) {
    wchar_t text[CCHARW_MAX + 1] = { (wchar_t)c0, (wchar_t)c1, (wchar_t)c2, (wchar_t)c3, (wchar_t)c4, 0 };
    cchar_t cell;
    if (setcchar(&cell, text, attrs, pair, NULL) == ERR) return ERR;
    if (wmove(win, y, x) == ERR) return ERR;
    return wadd_wch(win, &cell);
}

// wchar.h declares wcwidth only under _XOPEN_SOURCE, which the Swift importer does not set.
extern int wcwidth(wchar_t c);

/// Columns the terminal gives a code point in the current locale (-1: not printable).
static inline int surg_wcwidth(uint32_t c) { return wcwidth((wchar_t)c); }

// MARK: Keys

/// KEY_F(n), a function-like macro.
static inline int surg_key_f(int n) { return KEY_F(n); }

// MARK: Restoring the terminal from a signal handler (shim.c)

/// Saves the tty's modes and installs handlers for SIGTERM, SIGHUP, SIGINT, SIGQUIT and the fatal
/// signals, plus an atexit hook (for exit() without stop()). Call before newterm, so ncurses
/// keeps its own SIGINT/SIGTERM handlers out.
void surg_signals_install(void);
/// Captures the escape sequences that undo the screen (after newterm, which loaded terminfo)
/// and arms the handlers. `rows` is the current height (for a final cursor move).
void surg_signals_arm(int rows);
/// Updates the row the cursor is sent to when the screen is torn down by a signal.
void surg_signals_set_rows(int rows);
/// Disarms the handlers and puts back the dispositions found at install time (only where the
/// handler in place is still ours).
void surg_signals_uninstall(void);

/// 1 when ncurses must draw the bottom-right cell of this terminal with its insert-character
/// trick (auto margins that cannot be switched off: tmux, screen). The trick mangles the last
/// row when a wide character sits next to the corner. Call after newterm.
int surg_corner_uses_insert(void);

/// One screen at a time: 1 if this call claimed it, 0 if a screen is already active.
int surg_claim_screen(void);
void surg_release_screen(void);

#endif
