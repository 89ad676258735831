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
    size_t mem_cap;                      // mem_limit, or SIZE_MAX without one: what ud_alloc compares
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

// Length of the valid UTF-8 sequence at p (as Swift's validation accepts: no overlong
// form, no surrogate, nothing past U+10FFFF), or 0.
static inline size_t ud_utf8_sequence(const unsigned char *p, const unsigned char *end) {
    unsigned char c = p[0];
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return (end - p >= 2 && (p[1] & 0xC0) == 0x80) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (end - p < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
        if (c == 0xE0 && p[1] < 0xA0) return 0;   // overlong
        if (c == 0xED && p[1] >= 0xA0) return 0;  // a surrogate
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (end - p < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
        if (c == 0xF0 && p[1] < 0x90) return 0;   // overlong
        if (c == 0xF4 && p[1] >= 0x90) return 0;  // past U+10FFFF
        return 4;
    }
    return 0;
}

/// A finite double as Swift's Double.description writes it (json.encode's Swift path), into
/// `out` (32 bytes); returns the length, or 0 when this cannot be sure of it (json_double.c).
size_t ud_json_format_double(double d, char *out);
