// State creation, the capped allocator and the panic handler.
#include "internal.h"
#include "CSystem.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// Room left after the memory limit fires, so that the error can still unwind (messages,
// tracebacks) while every further Lua instruction keeps raising.
#define UD_MEM_RESERVE ((size_t)1 << 20)

// Growth past the cap is refused (Lua raises LUA_ERRMEM) and trips the memory limit, except
// within the reserve once the memory limit has fired. Out of line, so that ud_alloc's common
// path stays a handful of instructions: it runs for every allocation (2.65 M calls in the
// trees benchmark, where it was the whole difference from lua5.4's allocator).
__attribute__((noinline))
static void *ud_alloc_past_cap(ud_state *s, void *ptr, size_t nsize, size_t used) {
    if (s->tripped != UD_LIMIT_MEMORY || used > s->mem_cap + UD_MEM_RESERVE) {
        if (s->tripped == UD_LIMIT_NONE) ud_trip(s, UD_LIMIT_MEMORY);
        return NULL;
    }
    void *np = realloc(ptr, nsize);
    if (!np) return NULL;
    s->mem_used = used;
    if (used > s->mem_peak) s->mem_peak = used;
    return np;
}

static void *ud_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    ud_state *s = ud;
    size_t old = ptr ? osize : 0;          // when ptr == NULL, osize encodes the object type
    if (nsize == 0) { s->mem_used -= old; free(ptr); return NULL; }
    size_t used = s->mem_used - old + nsize;
    // Shrinking never fails (Lua relies on it), so only growth is checked against the cap.
    if (__builtin_expect(used > s->mem_cap, 0) && nsize > old) return ud_alloc_past_cap(s, ptr, nsize, used);
    // Counted before the call so that realloc is a tail call, as in lua.c's allocator. When
    // realloc fails (the system is out of memory: Lua raises), the count stays higher by that
    // request, which only makes the cap stricter.
    s->mem_used = used;
    if (used > s->mem_peak) s->mem_peak = used;
    return realloc(ptr, nsize);
}

static int ud_panic(lua_State *L) {
    // Only reached if a Lua error escapes every protected call: a bug in the host.
    const char *m = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
    char buf[512];
    ud_out_flush_before_exit();   // the console lines buffered so far come first
    int n = snprintf(buf, sizeof buf, "unidesk: internal error: unprotected Lua error: %s\n", m);
    if (n > 0) { ssize_t w = write(2, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1); (void)w; }
    _exit(5);
}

lua_State *ud_newstate(size_t mem_limit, ud_dispatch_fn dispatch) {
    ud_state *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->mem_limit = mem_limit;
    s->mem_cap = mem_limit ? mem_limit : SIZE_MAX;
    s->dispatch = dispatch;
    lua_State *L = lua_newstate(ud_alloc, s);
    if (!L) { free(s); return NULL; }
    *(ud_state **)lua_getextraspace(L) = s;  // copied into every coroutine created later
    s->main = L;
    s->current = L;
    lua_atpanic(L, ud_panic);
    return L;
}

void ud_close(lua_State *L) {
    ud_state *s = ud_S(L);
    ud_forget_active(s);                     // before anything is freed: see on_soft
    lua_close(L);                            // the allocator still uses s: free it afterwards
    ud_deadline_stop_timers(s);
    free(s->ops); free(s->arena); free(s);
}

size_t ud_mem_used(lua_State *L) { return ud_S(L)->mem_used; }
size_t ud_mem_peak(lua_State *L) { return ud_S(L)->mem_peak; }
size_t ud_mem_limit(lua_State *L) { return ud_S(L)->mem_limit; }

void ud_set_host(lua_State *L, void *host) { ud_S(L)->host = host; }
void *ud_get_host(lua_State *L) { return ud_S(L)->host; }

void ud_abandon(lua_State *L) {
    ud_deadline_stop_timers(ud_S(L));
}
