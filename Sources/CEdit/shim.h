#pragma once
// libedit's readline-compatible API (line editing and history for `unidesk repl`).
#include <stdio.h>
#include <editline/readline.h>
