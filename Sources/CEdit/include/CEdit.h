#pragma once
// libedit's readline-compatible API (line editing and history for `unidesk repl`), loaded
// when a REPL starts on a terminal (edit.c): not linked, so `unidesk run` does not load it
// and the three libraries it needs at every start-up.
#include <stdio.h>
#include <editline/readline.h>

/// What TAB asks: `line` (UTF-8, the whole line), libedit's word to complete as the
/// characters (not bytes) `start`..`end` of it, `end` being the cursor. Returns NULL (nothing
/// to insert) or a malloc'd, NULL-terminated readline match list of malloc'd strings:
/// the replacement of the word first, then, when there are several, the candidates; the
/// list must have room for at least three entries (libedit reads the third).
typedef char **(*ud_edit_complete_fn)(const char *line, int start, int end);

/// Loads libedit and sets it up for the REPL: `name` as rl_readline_name (kept), `getc` as
/// rl_getc_function, libedit's own signal handling on, Tab completing with `complete` (NULL:
/// Tab inserts a tab). NULL when done, else why libedit is not usable (what to install).
const char *ud_edit_setup(const char *name, int (*getc)(FILE *), ud_edit_complete_fn complete);
