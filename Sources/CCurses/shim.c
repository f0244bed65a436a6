// Restoring the terminal when the process is killed or crashes.
//
// endwin() is not async-signal-safe (it takes ncurses' locks and writes through its buffers), so
// the handlers do not call it. Instead, once the screen is up, the escape sequences endwin would
// send (sgr0, cursor to the bottom-left, cnorm, rmkx, rmcup) are rendered into a static buffer,
// and the tty modes from before newterm are kept. A handler then only calls write(2) and
// tcsetattr(3), both async-signal-safe, puts back the disposition it found at install time and
// delivers the signal to it again: the process dies of the same signal (exit status 128+n, core
// dump where the default says so), or the previous handler (the Swift runtime's crash backtracer,
// say) runs, now printing to a usable terminal, and the process then ends with the default
// action. SIGTERM, SIGHUP and SIGINT that the program handles itself (to shut down gracefully,
// calling stop() on its way out) are left to it, whether its handler came before the screen
// (not replaced) or after (not removed by stop()); ignored signals stay ignored.
#include "CCurses.h"
#include <ncursesw/term.h> // tputs; kept out of the Swift-facing header (its macros)
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <fcntl.h>
#include <unistd.h>

// The keyboard when standard input carries data instead (see surg_newterm).
static FILE *keyboard_file;

SCREEN *surg_newterm(void) {
    FILE *keys = stdin;
    if (!isatty(STDIN_FILENO)) {
        keyboard_file = fopen("/dev/tty", "r");
        if (keyboard_file == NULL) return NULL;
        keys = keyboard_file;
    }
    SCREEN *screen = newterm(NULL, stdout, keys);
    if (screen == NULL) surg_release_keyboard();
    return screen;
}

void surg_release_keyboard(void) {
    if (keyboard_file != NULL) {
        fclose(keyboard_file);
        keyboard_file = NULL;
    }
}

int surg_terminal_available(void) {
    if (!isatty(STDOUT_FILENO)) return 0;
    if (isatty(STDIN_FILENO)) return 1;
    int fd = open("/dev/tty", O_RDONLY | O_NOCTTY);
    if (fd < 0) return 0;
    close(fd);
    return 1;
}

static const int handled_signals[] = {
    SIGTERM, SIGHUP, SIGINT, SIGQUIT,                      // asked to end
    SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGABRT,     // crashed (Swift traps are SIGILL/SIGTRAP)
};
#define HANDLED_COUNT ((int)(sizeof handled_signals / sizeof handled_signals[0]))

static struct sigaction previous_actions[HANDLED_COUNT];
static int installed_mask[HANDLED_COUNT];
static int handlers_installed;

static volatile sig_atomic_t restore_armed;
static struct termios saved_modes;
static int have_saved_modes;
static const int tty_fd = STDOUT_FILENO;

// What endwin sends, rendered with tputs (padding resolved): sgr0 before the cursor move,
// then cnorm, rmkx and rmcup.
static char reset_attributes[128];
static size_t reset_attributes_length;
static char teardown[512];
static size_t teardown_length;
// Cursor to the bottom-left corner, for terminals without an alternate screen. Double-buffered
// so a handler never reads a half-written sequence.
static char bottom_left[2][64];
static size_t bottom_left_length[2];
static volatile sig_atomic_t bottom_left_index;

static char alternate_stack[64 * 1024];

static char *collect_target;
static size_t collect_capacity;
static size_t collect_length;

static int collect(int c) {
    if (collect_length + 1 < collect_capacity) collect_target[collect_length++] = (char)c;
    return c;
}

static void append_capability(const char *name) {
    char *s = tigetstr(name);
    if (s == NULL || s == (char *)-1) return;
    tputs(s, 1, collect);
}

static int index_of(int sig) {
    for (int i = 0; i < HANDLED_COUNT; i++) {
        if (handled_signals[i] == sig) return i;
    }
    return -1;
}

static void write_all(const char *bytes, size_t length) {
    while (length > 0) {
        ssize_t n = write(tty_fd, bytes, length);
        if (n < 0) {
            if (errno == EINTR) continue;
            return; // the tty is gone (SIGHUP): nothing left to restore
        }
        bytes += n;
        length -= (size_t)n;
    }
}

static void restore_terminal_from_signal(void) {
    if (!restore_armed) return;
    restore_armed = 0;
    int i = bottom_left_index;
    write_all(reset_attributes, reset_attributes_length);
    write_all(bottom_left[i], bottom_left_length[i]);
    write_all(teardown, teardown_length);
    if (have_saved_modes) tcsetattr(tty_fd, TCSANOW, &saved_modes);
}

static void on_signal(int sig, siginfo_t *info, void *context) {
    (void)context;
    int saved_errno = errno;
    restore_terminal_from_signal();
    int i = index_of(sig);
    if (i >= 0) sigaction(sig, &previous_actions[i], NULL);
    // A fault raised by the CPU repeats when the handler returns, now reaching the previous
    // disposition with its real context (the Swift backtracer reports the faulting frame).
    int cpu_fault = (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE)
        && info != NULL && info->si_code > 0;
    if (cpu_fault) {
        errno = saved_errno;
        return;
    }
    // Anything else (kill, raise, abort, a breakpoint trap) is delivered again, now, to the
    // previous disposition: the default action ends the process here.
    sigset_t just_this;
    sigemptyset(&just_this);
    sigaddset(&just_this, sig);
    sigprocmask(SIG_UNBLOCK, &just_this, NULL);
    raise(sig);
    // Still alive: a previous handler returned (the Swift backtracer does so for a SIGQUIT sent
    // with kill). The screen is gone and the tty restored, so carrying on would scribble over
    // the shell: end with the default action, as the signal asked.
    struct sigaction default_action;
    memset(&default_action, 0, sizeof default_action);
    default_action.sa_handler = SIG_DFL;
    sigemptyset(&default_action.sa_mask);
    sigaction(sig, &default_action, NULL);
    raise(sig);
    _exit(128 + sig);
}

static void restore_terminal_at_exit(void) {
    // exit() with the screen still up (an error path that skipped stop()): same restore.
    restore_terminal_from_signal();
}

void surg_signals_install(void) {
    static int exit_hook_registered;
    if (!exit_hook_registered) exit_hook_registered = atexit(restore_terminal_at_exit) == 0;
    if (handlers_installed) return;
    have_saved_modes = tcgetattr(tty_fd, &saved_modes) == 0;

    // A stack overflow must still be able to run the handler.
    stack_t current;
    if (sigaltstack(NULL, &current) == 0 && (current.ss_flags & SS_DISABLE)) {
        stack_t ours = { .ss_sp = alternate_stack, .ss_size = sizeof alternate_stack, .ss_flags = 0 };
        sigaltstack(&ours, NULL);
    }

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = on_signal;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < HANDLED_COUNT; i++) {
        installed_mask[i] = 0;
        int sig = handled_signals[i];
        if (sigaction(sig, NULL, &previous_actions[i]) != 0) continue;
        int has_function = (previous_actions[i].sa_flags & SA_SIGINFO) != 0;
        // An ignored signal stays ignored (nohup, a supervisor's choice).
        if (!has_function && previous_actions[i].sa_handler == SIG_IGN) continue;
        // A request to end that the program already handles is the program's: it will leave
        // through stop() (chaining would end the process before it could).
        int request_to_end = sig == SIGTERM || sig == SIGHUP || sig == SIGINT;
        if (request_to_end && (has_function || previous_actions[i].sa_handler != SIG_DFL)) continue;
        if (sigaction(handled_signals[i], &action, NULL) == 0) installed_mask[i] = 1;
    }
    handlers_installed = 1;
}

void surg_signals_set_rows(int rows) {
    int next = 1 - bottom_left_index;
    collect_target = bottom_left[next];
    collect_capacity = sizeof bottom_left[next];
    collect_length = 0;
    char *cup = tigetstr("cup");
    if (rows > 0 && cup != NULL && cup != (char *)-1) {
        char *move = tiparm(cup, rows - 1, 0);
        if (move != NULL) tputs(move, 1, collect);
    }
    bottom_left_length[next] = collect_length;
    bottom_left_index = next;
}

void surg_signals_arm(int rows) {
    collect_target = reset_attributes;
    collect_capacity = sizeof reset_attributes;
    collect_length = 0;
    append_capability("sgr0");
    reset_attributes_length = collect_length;
    collect_target = teardown;
    collect_capacity = sizeof teardown;
    collect_length = 0;
    append_capability("cnorm");
    append_capability("rmkx");
    append_capability("rmcup");
    teardown_length = collect_length;
    surg_signals_set_rows(rows);
    restore_armed = 1;
}

void surg_signals_uninstall(void) {
    restore_armed = 0;
    if (!handlers_installed) return;
    for (int i = 0; i < HANDLED_COUNT; i++) {
        struct sigaction current;
        // Put back what was there only where ours is still in place: a handler the program
        // installed after start (for a graceful SIGTERM, say) stays.
        if (installed_mask[i] && sigaction(handled_signals[i], NULL, &current) == 0
            && (current.sa_flags & SA_SIGINFO) && current.sa_sigaction == on_signal) {
            sigaction(handled_signals[i], &previous_actions[i], NULL);
        }
        installed_mask[i] = 0;
    }
    handlers_installed = 0;
}

static int has_string(const char *name) {
    char *s = tigetstr(name);
    return s != NULL && s != (char *)-1 && s[0] != 0;
}

// Whether a compiled terminfo entry for `term` is in a directory ncurses searches ($TERMINFO,
// ~/.terminfo, $TERMINFO_DIRS, then the system's), as "x/xterm" or "78/xterm". Only asked after
// setupterm failed with status 0, which means either "no entry" or "a generic entry".
static int entry_in(const char *directory, size_t length, const char *term) {
    if (length == 0 || length > 900) return 0;
    char path[1200];
    snprintf(path, sizeof path, "%.*s/%c/%s", (int)length, directory, term[0], term);
    if (access(path, R_OK) == 0) return 1;
    snprintf(path, sizeof path, "%.*s/%02x/%s", (int)length, directory, (unsigned char)term[0], term);
    return access(path, R_OK) == 0;
}

static int entry_in_list(const char *list, const char *term) {
    while (list != NULL && *list != 0) {
        const char *end = strchr(list, ':');
        size_t length = end ? (size_t)(end - list) : strlen(list);
        if (entry_in(list, length, term)) return 1;
        list = end ? end + 1 : NULL;
    }
    return 0;
}

static int terminfo_entry_exists(const char *term) {
    if (strchr(term, '/') != NULL || strlen(term) > 200) return 0;
    const char *terminfo = getenv("TERMINFO");
    if (terminfo && entry_in(terminfo, strlen(terminfo), term)) return 1;
    const char *home = getenv("HOME");
    if (home && strlen(home) < 800) {
        char own[900];
        snprintf(own, sizeof own, "%s/.terminfo", home);
        if (entry_in(own, strlen(own), term)) return 1;
    }
    return entry_in_list(getenv("TERMINFO_DIRS"), term)
        || entry_in_list("/etc/terminfo:/lib/terminfo:/usr/share/terminfo:/usr/lib/terminfo", term);
}

int surg_terminal_support(void) {
    const char *term = getenv("TERM");
    if (term == NULL || term[0] == 0) return 1;
    int status = 0;
    // With a status pointer setupterm reports instead of exiting; the entry is freed again
    // below so that newterm starts from nothing.
    if (setupterm((char *)term, STDOUT_FILENO, &status) != OK) {
        // setupterm's status: 1 hardcopy, -1 no database, 0 either no entry or a generic one.
        if (status == 1) return 6;
        if (status == -1) return 7;
        return terminfo_entry_exists(term) ? 5 : 2;
    }
    int result = 0;
    if (!has_string("cup")) result = 3;
    else if (!has_string("clear")) result = 4;
    del_curterm(cur_term);
    return result;
}

int surg_corner_uses_insert(void) {
    if (tigetflag("am") <= 0) return 0;
    if (has_string("smam") && has_string("rmam")) return 0;
    return has_string("ich") || has_string("ich1") || (has_string("smir") && has_string("rmir"));
}

static int screen_claimed;

int surg_claim_screen(void) {
    int expected = 0;
    return __atomic_compare_exchange_n(&screen_claimed, &expected, 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

void surg_release_screen(void) {
    __atomic_store_n(&screen_claimed, 0, __ATOMIC_SEQ_CST);
}
