#pragma once
// The C side of the Swift ↔ Lua boundary.
//
// Lua raises errors with longjmp. A longjmp across a Swift frame skips Swift releases and
// `defer`s, so every code path that can raise lives here, in C:
//   - Swift host functions never touch the Lua stack directly. They read arguments with
//     non-raising calls, queue their results (ud_out_*), and return a status. The C
//     trampoline pushes the queued results and raises after the Swift frame is gone.
//   - Swift calls into Lua only through ud_pcall_traceback / ud_load_and_call.
#include <stddef.h>
#include <stdint.h>
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>

// ---------------------------------------------------------------- state

/// Swift dispatcher called by the trampoline. `fnctx` is the host function's context.
/// Returns UD_CALL_OK, or UD_CALL_RAISE (raise the single queued value as is), or
/// UD_CALL_RAISE_WHERE (raise the queued string prefixed with the caller's "file:line:").
typedef int (*ud_dispatch_fn)(lua_State *L, void *fnctx);
enum { UD_CALL_OK = 0, UD_CALL_RAISE = 1, UD_CALL_RAISE_WHERE = 2 };

/// Creates a state with a capped allocator (mem_limit 0 = no cap). Opens no library.
lua_State *ud_newstate(size_t mem_limit, ud_dispatch_fn dispatch);
/// Closes the state (runs pending finalizers) and frees the host-side bookkeeping.
void ud_close(lua_State *L);
size_t ud_mem_used(lua_State *L);
size_t ud_mem_peak(lua_State *L);
size_t ud_mem_limit(lua_State *L);

// ---------------------------------------------------------------- limits

typedef enum {
    UD_LIMIT_NONE = 0,
    UD_LIMIT_DEADLINE = 1,
    UD_LIMIT_MEMORY = 2,
    UD_LIMIT_INTERRUPT = 3,
} ud_limit;

/// Which limit fired, if any. Once a limit fires it stays fired: every further Lua
/// instruction raises again, and the sandbox's pcall/xpcall/coroutine.resume re-raise it.
ud_limit ud_tripped(lua_State *L);
/// Arms the wall-clock deadline `seconds` from now for the calling thread, which must be
/// the thread that runs Lua. The VM runs without any hook until then: a POSIX timer signal
/// arms a count hook at the deadline (the technique lua.c uses for Ctrl-C). If the process
/// is still running `hard_grace` seconds after the deadline (work stuck inside a C function,
/// such as a pathological string.find), a second timer writes `hard_message` to stderr and
/// ends the process with `hard_exit_code`.
int ud_deadline_start(lua_State *L, double seconds, double hard_grace,
                      const char *hard_message, int hard_exit_code);
/// Disarms both timers (the process is no longer at risk of being stuck).
void ud_deadline_stop(lua_State *L);
/// Seconds left before the deadline (a large number when none is set; 0 when passed).
double ud_deadline_remaining(lua_State *L);
/// Requests a stop from another thread or a signal handler (Ctrl-C).
void ud_interrupt(lua_State *L);
/* Arms the limit hook so the limits are checked at the next instruction: a host call that
   waited until the deadline ends the script there, not when the timer's signal arrives. */
void ud_check_limits_soon(lua_State *L);

// ---------------------------------------------------------------- calls into Lua

/// Loads a text chunk (binary chunks refused) and calls it under lua_pcall with a traceback
/// message handler, passing `nargs` values already on the stack. On success the results are
/// on the stack; on failure the error value (a string with traceback, or a table error with
/// a `traceback` field) is on the stack. `env_index` 0 = the global environment; otherwise
/// the stack index of a table used as the chunk's _ENV.
int ud_load_and_call(lua_State *L, const char *code, size_t len, const char *chunkname,
                     int env_index, int nargs, int nresults);
/// Build time only (EmbedStdlibGenerator): compiles Lua source in a fresh state and returns its
/// bytecode with line information (malloc'd, *out_len bytes; free it), or NULL and the error.
unsigned char *ud_compile_to_bytecode(const char *code, size_t len, const char *chunkname,
                                      size_t *out_len, char *error, size_t error_len);
/// Loads bytecode embedded at build time by the same Lua (mode "b": only ever the stdlib's,
/// never a recipe's) and calls it with the `nargs` values below it, as ud_load_and_call.
int ud_load_embedded_and_call(lua_State *L, const char *bytecode, size_t len, const char *chunkname,
                              int nargs, int nresults);
/// Compiles only (for `unidesk check`): LUA_OK and nothing pushed, or an error and its
/// message pushed.
int ud_compile(lua_State *L, const char *code, size_t len, const char *chunkname);
/// Calls the function below `nargs` arguments under lua_pcall with the traceback handler.
int ud_pcall_traceback(lua_State *L, int nargs, int nresults);
/// Calls the function the prelude kept under `name` (trusted.keep) with the `nargs` values
/// on the stack, as ud_load_and_call calls a chunk; LUA_ERRRUN and a message when none was kept.
int ud_call_kept(lua_State *L, const char *name, int nargs, int nresults);

// ---------------------------------------------------------------- sandbox

/// Opens base, string, table, math, utf8 and coroutine (nothing else), removes dofile,
/// loadfile, string.dump; replaces load (text only), collectgarbage ("count" only),
/// pcall/xpcall/coroutine.* (limits cannot be swallowed), rawset (refuses read-only
/// tables); freezes the library tables and the string metatable. Runs protected.
int ud_open_sandbox(lua_State *L);
/// Replaces the table at `index` by a read-only proxy of it (recursively for nested
/// tables) and leaves the proxy on the stack top. Runs protected.
int ud_freeze(lua_State *L, int index);
/// Pushes a C function (the freeze helper, usable from trusted Lua prelude code).
void ud_push_freeze_function(lua_State *L);
/// Pushes the traceback helper: f(msg [, level]) -> msg .. "\nstack traceback: ...".
void ud_push_traceback_function(lua_State *L);

// ---------------------------------------------------------------- host functions

/// Non-raising reads for Swift (valid only inside a dispatch).
const char *ud_arg_string(lua_State *L, int idx, size_t *len);  // NULL unless a real string
/// Secrets are full userdata with the sandbox's secret metatable. Returns the bytes or NULL.
const char *ud_arg_secret(lua_State *L, int idx, size_t *len);
int ud_is_null(lua_State *L, int idx);     // the JSON null sentinel
int ud_is_readonly(lua_State *L, int idx); // a frozen proxy (reads go through __index)
int ud_has_tostring(lua_State *L, int idx); // a value with a __tostring metamethod (renders itself)
/// Like lua_next on the proxied table when `idx` is a frozen proxy. Non-raising.
int ud_table_next(lua_State *L, int idx);
/// Raw length of the table (of the proxied table for a frozen proxy).
long long ud_table_len(lua_State *L, int idx);
/// Raw t[i] pushed (of the proxied table for a frozen proxy). Non-raising.
int ud_table_geti(lua_State *L, int idx, long long i);

/// For the REPL's completion: the string keys of the value reached from the globals by
/// `path` (raw gets, following a metatable's __index only while it is a table), and of its
/// __index tables, each given to `emit` with the Lua type of its value. Runs nothing of the
/// user's and raises nothing (protected). 1 when the path led to a value, 0 when it did not,
/// -1 when the state could not do it (memory).
typedef void (*ud_key_emit)(void *ctx, const char *key, size_t len, int type);
int ud_completion_keys(lua_State *L, const char *const *path, int depth, ud_key_emit emit, void *ctx);

/// Buffered result construction, replayed by C after the Swift callback returns.
void ud_out_nil(lua_State *L);
void ud_out_null(lua_State *L);
void ud_out_bool(lua_State *L, int b);
void ud_out_int(lua_State *L, long long i);
void ud_out_num(lua_State *L, double d);
void ud_out_str(lua_State *L, const char *s, size_t len);
void ud_out_secret(lua_State *L, const char *s, size_t len);
void ud_out_newtable(lua_State *L, int narr, int nrec);
void ud_out_setfield(lua_State *L, const char *k, size_t klen); // pops value into table below
void ud_out_seti(lua_State *L, long long i);                    // pops value into table below
void ud_out_errormeta(lua_State *L);  // gives the table on top the structured-error metatable
/// A C closure that dispatches to the Swift host function `fnctx` (see ud_dispatch_fn).
void ud_out_hostfunction(lua_State *L, void *fnctx);
/// A C function with a fast path, `native`, that gets the Swift host function `fnctx` (a
/// closure as ud_out_hostfunction pushes it) as its upvalue 1, for whatever it does not
/// handle itself.
void ud_out_nativefunction(lua_State *L, lua_CFunction native, void *fnctx);
int ud_out_count(lua_State *L);        // number of queued ops (for tests)
size_t ud_out_capacity(lua_State *L);  // bytes the queue holds allocated (for tests)

// ---------------------------------------------------------------- native fast paths

/// json.decode in C (json.c): builds the Lua values while it parses; hands every argument it
/// does not decode exactly as the Swift path would (errors included) to that path.
lua_CFunction ud_json_decode_function(void);
/// json.encode in C (json_encode.c): writes the JSON straight from the Lua value; hands every
/// argument it does not write byte for byte as the Swift path would (errors included) to it.
lua_CFunction ud_json_encode_function(void);

// ---------------------------------------------------------------- stack-based path for Swift

/// Pushes the queued results onto the stack (protected). Used when Swift builds values
/// outside a host call (e.g. arguments for a chunk). Returns LUA_OK or an error status.
int ud_flush_out(lua_State *L);

// Macros Swift cannot import.
static inline void ud_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline int ud_registryindex(void) { return LUA_REGISTRYINDEX; }
static inline int ud_isinteger(lua_State *L, int idx) { return lua_isinteger(L, idx); }

/// An opaque pointer the host attaches to the state (the Swift LuaState), for dispatch.
void ud_set_host(lua_State *L, void *host);
void *ud_get_host(lua_State *L);

/// Clears a fired limit so the state can be used again (the REPL, after Ctrl-C or a
/// per-input deadline). Runs must never call it: a fired limit ends a run.
void ud_reset_limits(lua_State *L);

/// Ends the state's life without lua_close: timers disarmed, no finalizer runs, memory left
/// to the process's exit. For a one-shot run, where finalizers at close have no purpose
/// and, running with hooks disabled, could only be stopped by the hard stop.
void ud_abandon(lua_State *L);

/// Registers a file the hard stop writes before ending the process (up to 2: the JSON
/// report and JUnit), pre-rendered because a signal handler can only write bytes.
/// `path` NULL clears them.
int ud_hardstop_add_file(const char *path, const char *content, size_t len);

/// Like ud_hardstop_add_file, for one hard-stop reason: 0 the deadline, 1 SIGTERM, 2 SIGINT
/// (up to 3 files each). `in_place`: written over the file itself (truncated), not renamed
/// into place: for a file that cannot be replaced, such as /dev/termination-log.
int ud_hardstop_add_file_for(int reason, const char *path, const char *content, size_t len, int in_place);
/// The run wrote its real reports: a hard stop from now on leaves them as they are.
void ud_hardstop_files_written(void);

/// Makes SIGTERM and SIGINT stop a one-shot run cleanly, called from the thread that runs
/// Lua. The first signal: the stop is recorded (CSystem's ud_stop_*: every wait that can be
/// cut ends early, the deadline's remaining time reads 0), Lua is interrupted at its next
/// instruction (limit `interrupt`) or as the host call it is in returns, and a timer is
/// armed: `grace` seconds later a process still running (stuck in C, an effect that must
/// finish) writes the reason's message to stderr and the reason's hard-stop files, and ends
/// with `exit_code`. A second signal: that hard stop at once. Idempotent.
int ud_stop_install(double grace, int exit_code, const char *term_message, const char *int_message);
