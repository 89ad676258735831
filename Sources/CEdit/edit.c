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
static rl_completion_func_t **p_rl_attempted_completion_function;
static int *p_rl_attempted_completion_over;
static int *p_rl_completion_append_character;
static int *p_rl_completion_query_items;
static char **p_rl_line_buffer;

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
    { "rl_attempted_completion_function", (void **)&p_rl_attempted_completion_function },
    { "rl_attempted_completion_over", (void **)&p_rl_attempted_completion_over },
    { "rl_completion_append_character", (void **)&p_rl_completion_append_character },
    { "rl_completion_query_items", (void **)&p_rl_completion_query_items },
    { "rl_line_buffer", (void **)&p_rl_line_buffer },
};

static struct ud_lazy_library edit_library = {
    .soname = "libedit.so.2", .package = "libedit2",
    .symbols = edit_symbols, .count = sizeof edit_symbols / sizeof edit_symbols[0],
};

static ud_edit_complete_fn edit_completer;

// libedit's attempted-completion hook: the whole line and the cursor go to the REPL's
// completer, which answers for the word libedit found (`start`..`end`).
static char **edit_complete(const char *word, int start, int end) {
    (void)word;
    // Never fall back to libedit's file-name completion, also when there is no match.
    *p_rl_attempted_completion_over = 1;
    return edit_completer(*p_rl_line_buffer, start, end);
}

const char *ud_edit_setup(const char *name, int (*getc)(FILE *), ud_edit_complete_fn complete) {
    const char *error = ud_lazy_open(&edit_library);
    if (error != NULL) return error;
    // While it edits, libedit catches SIGINT, SIGTSTP, SIGCONT, SIGWINCH…: it restores the
    // terminal, then re-raises the signal to the previous handler.
    *p_rl_catch_signals = 1;
    *p_rl_readline_name = name;
    *p_rl_getc_function = getc;
    p_rl_initialize();
    if (complete == NULL) {
        // Tab would complete file names from the current directory: insert it instead.
        p_rl_bind_key(9, p_rl_insert);
        return NULL;
    }
    // Tab stays libedit's rl_complete, which asks edit_complete. Matches are inserted as
    // they are (no space after), and a long list is shown without the "Display all?" question,
    // which libedit reads from stdin past the getc hook.
    edit_completer = complete;
    *p_rl_attempted_completion_function = edit_complete;
    *p_rl_completion_append_character = 0;
    *p_rl_completion_query_items = 1 << 20;
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
