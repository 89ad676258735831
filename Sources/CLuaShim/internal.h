#pragma once
// Host-side bookkeeping of one lua_State, reached through lua_getextraspace (which every
// coroutine inherits from the main state).
#include "CLuaShim.h"
#include <signal.h>
#include <stdatomic.h>
#include <time.h>

typedef struct ud_op { int kind; long long i; double d; size_t off, len; void *p; lua_CFunction native; } ud_op;

typedef struct ud_state {
    // allocator
    size_t mem_used, mem_peak, mem_limit;
    // limits
    volatile sig_atomic_t tripped;       // ud_limit
    atomic_int interrupt_requested;
    double deadline;                     // CLOCK_MONOTONIC seconds, 0 = none
    lua_State *main;
    lua_State *volatile current;         // the thread running Lua now (coroutines tracked)
    timer_t soft_timer, hard_timer;
    int has_soft_timer, has_hard_timer;
    // host calls
    ud_dispatch_fn dispatch;
    void *host;
    ud_op *ops; size_t nops, capops;
    char *arena; size_t alen, acap;
    int out_oom;
} ud_state;

static inline ud_state *ud_S(lua_State *L) { return *(ud_state **)lua_getextraspace(L); }

double ud_now(void);
/// Raises the fired limit's message on L and re-arms the count hook so that every further
/// instruction raises again. Never returns.
int ud_raise_limit(lua_State *L);
/// Arms the limit hook on `L` (count = 1).
void ud_arm_hook(lua_State *L);
/// Records a limit as fired and arms the hook on the running thread and the main thread.
void ud_trip(ud_state *s, ud_limit which);

// Registry keys (addresses of these statics are the keys).
extern const char ud_key_readonly;   // weak-keyed set of frozen proxies -> proxied table
extern const char ud_key_secret_mt;  // metatable of secret values
extern const char ud_key_error_mt;   // metatable of structured errors
extern const char ud_key_null;       // the JSON null sentinel

int ud_msgh(lua_State *L);
/// Pushes "chunk:line: " of the first user frame at or above `level` ("" if none).
void ud_where_outside_stdlib(lua_State *L, int level);
void ud_push_null(lua_State *L);
void ud_push_secret(lua_State *L, const char *s, size_t len);
void ud_deadline_stop_timers(ud_state *s);
/// The stop handler no longer reaches this state (it is being closed).
void ud_forget_active(ud_state *s);
