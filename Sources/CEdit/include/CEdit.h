#pragma once
// libedit's readline-compatible API (line editing and history for `unidesk repl`), loaded
// when a REPL starts on a terminal (edit.c): not linked, so `unidesk run` does not load it
// and the three libraries it needs at every start-up.
#include <stdio.h>
#include <editline/readline.h>

/// Loads libedit and sets it up for the REPL: `name` as rl_readline_name (kept), `getc` as
/// rl_getc_function, libedit's own signal handling on, Tab inserting a tab. NULL when done,
/// else why libedit is not usable (what to install).
const char *ud_edit_setup(const char *name, int (*getc)(FILE *));
