// libedit on first use: the readline functions the REPL calls, under their own names, hidden
// from unidesk's dynamic symbol table, forwarding through pointers CLazyLibs fills.
#pragma GCC visibility push(hidden)
#include "CEdit.h"
#pragma GCC visibility pop
#include "CLazyLibs.h"

static char *(*p_readline)(const char *);
static int (*p_add_history)(const char *);
static int (*p_read_history)(const char *);
static int (*p_write_history)(const char *);
static int (*p_history_truncate_file)(const char *, int);
static void (*p_using_history)(void);
static void (*p_stifle_history)(int);
static int (*p_rl_initialize)(void);
static int (*p_rl_bind_key)(int, rl_command_func_t *);
static rl_command_func_t *p_rl_insert;
static int *p_rl_catch_signals;
static const char **p_rl_readline_name;
static int (**p_rl_getc_function)(FILE *);

static const struct ud_lazy_symbol edit_symbols[] = {
    { "readline", (void **)&p_readline },
    { "add_history", (void **)&p_add_history },
    { "read_history", (void **)&p_read_history },
    { "write_history", (void **)&p_write_history },
    { "history_truncate_file", (void **)&p_history_truncate_file },
    { "using_history", (void **)&p_using_history },
    { "stifle_history", (void **)&p_stifle_history },
    { "rl_initialize", (void **)&p_rl_initialize },
    { "rl_bind_key", (void **)&p_rl_bind_key },
    { "rl_insert", (void **)&p_rl_insert },
    { "rl_catch_signals", (void **)&p_rl_catch_signals },
    { "rl_readline_name", (void **)&p_rl_readline_name },
    { "rl_getc_function", (void **)&p_rl_getc_function },
};

static struct ud_lazy_library edit_library = {
    .soname = "libedit.so.2", .package = "libedit2",
    .symbols = edit_symbols, .count = sizeof edit_symbols / sizeof edit_symbols[0],
};

const char *ud_edit_setup(const char *name, int (*getc)(FILE *)) {
    const char *error = ud_lazy_open(&edit_library);
    if (error != NULL) return error;
    // While it edits, libedit catches SIGINT, SIGTSTP, SIGCONT, SIGWINCH…: it restores the
    // terminal, then re-raises the signal to the previous handler.
    *p_rl_catch_signals = 1;
    *p_rl_readline_name = name;
    *p_rl_getc_function = getc;
    p_rl_initialize();
    // Tab would complete file names from the current directory: insert it instead.
    p_rl_bind_key(9, p_rl_insert);
    return NULL;
}

// Called only after ud_edit_setup succeeded (the REPL reads plain lines otherwise).
#define UD_LOADED() ud_lazy_require(&edit_library, __func__)

char *readline(const char *prompt) { UD_LOADED(); return p_readline(prompt); }
int add_history(const char *line) { UD_LOADED(); return p_add_history(line); }
int read_history(const char *path) { UD_LOADED(); return p_read_history(path); }
int write_history(const char *path) { UD_LOADED(); return p_write_history(path); }
int history_truncate_file(const char *path, int lines) { UD_LOADED(); return p_history_truncate_file(path, lines); }
void using_history(void) { UD_LOADED(); p_using_history(); }
void stifle_history(int n) { UD_LOADED(); p_stifle_history(n); }
