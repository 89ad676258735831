// The sandbox: which libraries exist, which functions are replaced, and read-only tables.
#include "internal.h"
#include <string.h>

const char ud_key_readonly = 0;
const char ud_key_secret_mt = 0;
const char ud_key_error_mt = 0;
const char ud_key_null = 0;

/* ---------------- read-only proxies ---------------- */

static int ro_newindex(lua_State *L) {
    const char *name = lua_tostring(L, lua_upvalueindex(1));
    return luaL_error(L, "attempt to modify read-only table '%s'", name ? name : "?");
}

static int ro_next(lua_State *L) {          // iterator over the proxied table (upvalue 1)
    lua_settop(L, 2);
    if (lua_next(L, lua_upvalueindex(1))) return 2;
    lua_pushnil(L);
    return 1;
}

static int ro_pairs(lua_State *L) {          // __pairs: never hands out the proxied table
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushcclosure(L, ro_next, 1);
    lua_replace(L, -2);
    lua_pushnil(L);                            // state: unused by ro_next
    lua_pushnil(L);
    return 3;
}

static int ro_len(lua_State *L) {
    lua_pushinteger(L, (lua_Integer)lua_rawlen(L, lua_upvalueindex(1)));
    return 1;
}

static int is_proxy(lua_State *L, int idx) {
    idx = lua_absindex(L, idx);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &ud_key_readonly);
    lua_pushvalue(L, idx);
    int t = lua_rawget(L, -2);
    lua_pop(L, 2);
    return t == LUA_TTABLE;
}

// Freezes the table at idx (deeply); leaves its proxy on top. `seen` (a table index) maps
// tables already frozen to their proxies, so cycles and shared tables end well.
static void freeze_table(lua_State *L, int idx, const char *name, int seen) {
    luaL_checkstack(L, 8, "freeze");
    idx = lua_absindex(L, idx);
    if (is_proxy(L, idx)) { lua_pushvalue(L, idx); return; }
    lua_pushvalue(L, idx);
    if (lua_rawget(L, seen) == LUA_TTABLE) return;
    lua_pop(L, 1);

    lua_newtable(L);                           // the proxy
    int proxy = lua_gettop(L);
    lua_pushvalue(L, idx);
    lua_pushvalue(L, proxy);
    lua_rawset(L, seen);

    // Nested tables become proxies in place: the real table is reachable only through
    // its proxy's __index afterwards.
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        if (lua_type(L, -1) == LUA_TTABLE) {
            const char *child = name;
            if (lua_type(L, -2) == LUA_TSTRING)
                child = lua_pushfstring(L, "%s.%s", name, lua_tostring(L, -2));
            else
                lua_pushstring(L, name);
            freeze_table(L, -2, child, seen);   // ... k v childname childproxy
            lua_pushvalue(L, -4);               // k
            lua_insert(L, -2);
            lua_rawset(L, idx);                 // setting an existing key during next: allowed
            lua_pop(L, 2);
        } else {
            lua_pop(L, 1);
        }
    }

    lua_createtable(L, 0, 6);                  // its metatable
    lua_pushvalue(L, idx);
    lua_setfield(L, -2, "__index");
    lua_pushstring(L, name);
    lua_pushcclosure(L, ro_newindex, 1);
    lua_setfield(L, -2, "__newindex");
    lua_pushvalue(L, idx);
    lua_pushcclosure(L, ro_pairs, 1);
    lua_setfield(L, -2, "__pairs");
    lua_pushvalue(L, idx);
    lua_pushcclosure(L, ro_len, 1);
    lua_setfield(L, -2, "__len");
    lua_pushliteral(L, "read-only");
    lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, proxy);

    lua_rawgetp(L, LUA_REGISTRYINDEX, &ud_key_readonly);
    lua_pushvalue(L, proxy);
    lua_pushvalue(L, idx);
    lua_rawset(L, -3);
    lua_pop(L, 1);
}

// freeze(t [, name [, newindex]]) -> proxy. With `newindex` (a function) the proxy is still
// read-only to rawset and setmetatable, but assignments go to that function, which may
// check them and write them to t itself (package.path).
static int freeze_lua(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    const char *name = luaL_optstring(L, 2, "table");
    if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TFUNCTION);
    lua_settop(L, 3);
    lua_newtable(L);                            // seen (index 4)
    freeze_table(L, 1, name, 4);
    if (lua_isfunction(L, 3) && lua_getmetatable(L, -1)) {
        lua_pushvalue(L, 3);
        lua_setfield(L, -2, "__newindex");
        lua_pop(L, 1);
    }
    return 1;
}

void ud_push_freeze_function(lua_State *L) { lua_pushcfunction(L, freeze_lua); }

static int freeze_impl(lua_State *L) {
    lua_newtable(L);
    freeze_table(L, 1, "table", 2);
    return 1;
}

int ud_freeze(lua_State *L, int index) {
    index = lua_absindex(L, index);
    if (!lua_checkstack(L, 4)) return LUA_ERRMEM;
    lua_pushcfunction(L, freeze_impl);
    lua_pushvalue(L, index);
    return lua_pcall(L, 1, 1, 0);
}

static int traceback_lua(lua_State *L) {        // traceback(msg [, level])
    const char *msg = luaL_optstring(L, 1, NULL);
    int level = (int)luaL_optinteger(L, 2, 1);
    luaL_traceback(L, L, msg, level);
    return 1;
}

void ud_push_traceback_function(lua_State *L) { lua_pushcfunction(L, traceback_lua); }

// debug.traceback exactly as ldblib.c (5.4) has it: the one debug function the sandbox
// keeps, since it only reads the stack's names and lines (libraries pass it to xpcall).
static int debug_traceback_lua(lua_State *L) {  // traceback([thread,] [msg [, level]])
    int arg = 0;
    lua_State *L1 = L;
    if (lua_isthread(L, 1)) { arg = 1; L1 = lua_tothread(L, 1); }
    const char *msg = lua_tostring(L, arg + 1);
    if (msg == NULL && !lua_isnoneornil(L, arg + 1))
        lua_pushvalue(L, arg + 1);                // a non-string message comes back untouched
    else {
        int level = (int)luaL_optinteger(L, arg + 2, (L == L1) ? 1 : 0);
        luaL_traceback(L, L1, msg, level);
    }
    return 1;
}

// where(level) -> "chunk:line: " of the first user frame from `level` up (1: the function
// that called where, as luaL_where counts), or "".
static int where_lua(lua_State *L) {
    ud_where_outside_stdlib(L, (int)luaL_optinteger(L, 1, 1));
    return 1;
}

// keep(name, fn): the prelude leaves a function the host may call later (ud_call_kept), out
// of every recipe's reach: in the registry, under a key no Lua code can name.
static int keep_lua(lua_State *L) {
    const char *name = luaL_checkstring(L, 1);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushfstring(L, "unidesk.kept.%s", name);
    lua_pushvalue(L, 2);
    lua_settable(L, LUA_REGISTRYINDEX);
    return 0;
}

/* ---------------- null, secrets, errors ---------------- */

void ud_push_null(lua_State *L) { lua_rawgetp(L, LUA_REGISTRYINDEX, &ud_key_null); }

int ud_is_null(lua_State *L, int idx) {
    if (lua_type(L, idx) != LUA_TUSERDATA || !lua_checkstack(L, 2)) return 0;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &ud_key_null);
    int is = lua_rawequal(L, -1, idx < 0 && idx > LUA_REGISTRYINDEX ? idx - 1 : idx);
    lua_pop(L, 1);
    return is;
}

void ud_push_secret(lua_State *L, const char *s, size_t len) {
    void *p = lua_newuserdatauv(L, len ? len : 1, 0);
    if (len) memcpy(p, s, len);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &ud_key_secret_mt);
    lua_setmetatable(L, -2);
}

static int secret_tostring(lua_State *L) { lua_pushliteral(L, "<secret>"); return 1; }
static int secret_refuse(lua_State *L) {
    return luaL_error(L, "a secret value cannot be concatenated, measured or compared; pass it to a primitive as is");
}

static int const_string(lua_State *L) { lua_pushvalue(L, lua_upvalueindex(1)); return 1; }

static int error_tostring(lua_State *L) {
    if (lua_type(L, 1) == LUA_TTABLE && lua_getfield(L, 1, "message") == LUA_TSTRING) return 1;
    lua_pushliteral(L, "error");
    return 1;
}

static void make_metatables(lua_State *L) {
    // secret
    lua_createtable(L, 0, 6);
    lua_pushcfunction(L, secret_tostring); lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, secret_refuse); lua_setfield(L, -2, "__concat");
    lua_pushcfunction(L, secret_refuse); lua_setfield(L, -2, "__len");
    lua_pushcfunction(L, secret_refuse); lua_setfield(L, -2, "__lt");
    lua_pushcfunction(L, secret_refuse); lua_setfield(L, -2, "__le");
    lua_pushliteral(L, "secret"); lua_setfield(L, -2, "__name");
    lua_pushliteral(L, "secret"); lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &ud_key_secret_mt);
    // structured error
    lua_createtable(L, 0, 3);
    lua_pushcfunction(L, error_tostring); lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "unidesk.error"); lua_setfield(L, -2, "__name");
    lua_pushliteral(L, "unidesk.error"); lua_setfield(L, -2, "__metatable");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &ud_key_error_mt);
    // null: a unique full userdata
    lua_newuserdatauv(L, 1, 0);
    lua_createtable(L, 0, 3);
    lua_pushliteral(L, "null");
    lua_pushcclosure(L, const_string, 1);
    lua_setfield(L, -2, "__tostring");
    lua_pushliteral(L, "null"); lua_setfield(L, -2, "__name");
    lua_pushliteral(L, "null"); lua_setfield(L, -2, "__metatable");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &ud_key_null);
    // read-only proxies -> proxied tables, weak keys
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k"); lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &ud_key_readonly);
}

/* ---------------- replaced base functions ---------------- */

// pcall/xpcall: lbaselib.c's own (so error levels, positions and argument errors name the
// same frames as in lua5.4), plus: a limit that fired meanwhile is re-raised, never caught.
// The continuation keeps yields across pcall working inside coroutines.
static int finish_pcall(lua_State *L, int status, lua_KContext extra) {
    if (ud_S(L)->tripped) return ud_raise_limit(L);
    if (status != LUA_OK && status != LUA_YIELD) {
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)extra;
}

static int guarded_pcall(lua_State *L) {
    if (ud_S(L)->tripped) return ud_raise_limit(L);
    luaL_checkany(L, 1);
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    int status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, finish_pcall);
    return finish_pcall(L, status, 0);
}

// xpcall's message handler runs inside Lua's error machinery. When the error is a limit
// raised from the count hook, Lua calls the handler with hooks disabled, so a looping
// handler could never be stopped: once a limit has fired the handler is skipped.
static int guarded_msgh(lua_State *L) {
    if (ud_S(L)->tripped) { lua_settop(L, 1); return 1; }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int guarded_xpcall(lua_State *L) {
    if (ud_S(L)->tripped) return ud_raise_limit(L);
    int n = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, guarded_msgh, 1);
    lua_replace(L, 2);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);
    int status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, finish_pcall);
    return finish_pcall(L, status, 2);
}

// load: lbaselib.c's own, except that a binary chunk is refused whatever the mode says (a
// crafted one can crash the VM), with Lua's message for mode "t". A chunk is binary when
// its first byte is the signature's, as Lua decides it.
#define LOAD_RESERVED_SLOT 5
static const char *const binary_refused = "attempt to load a binary chunk (mode is 't')";

static const char *load_reader(lua_State *L, void *ud, size_t *size) {
    int *first = (int *)ud;
    luaL_checkstack(L, 2, "too many nested functions");
    lua_pushvalue(L, 1);
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        *size = 0;
        return NULL;
    }
    if (!lua_isstring(L, -1)) luaL_error(L, "reader function must return a string");
    lua_replace(L, LOAD_RESERVED_SLOT);
    const char *piece = lua_tolstring(L, LOAD_RESERVED_SLOT, size);
    if (*first && *size > 0) {
        *first = 0;
        if (piece[0] == LUA_SIGNATURE[0]) luaL_error(L, "%s", binary_refused);   // caught by lua_load
    }
    return piece;
}

static int load_finish(lua_State *L, int status, int envidx) {
    if (status == LUA_OK) {
        if (envidx != 0) {
            lua_pushvalue(L, envidx);
            if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
        }
        return 1;
    }
    luaL_pushfail(L);
    lua_insert(L, -2);
    return 2;
}

static int sandbox_load(lua_State *L) {         // load(chunk [, name [, mode [, env]]])
    size_t l;
    const char *s = lua_tolstring(L, 1, &l);
    const char *mode = luaL_optstring(L, 3, "bt");
    int env = !lua_isnone(L, 4) ? 4 : 0;
    int status;
    if (s != NULL) {
        const char *chunkname = luaL_optstring(L, 2, s);
        if (l > 0 && s[0] == LUA_SIGNATURE[0]) {
            luaL_pushfail(L);
            lua_pushstring(L, binary_refused);
            return 2;
        }
        status = luaL_loadbufferx(L, s, l, chunkname, mode);
    } else {
        const char *chunkname = luaL_optstring(L, 2, "=(load)");
        luaL_checktype(L, 1, LUA_TFUNCTION);
        lua_settop(L, LOAD_RESERVED_SLOT);
        int first = 1;
        status = lua_load(L, load_reader, &first, chunkname, mode);
    }
    return load_finish(L, status, env);
}

// collectgarbage: stock Lua's own function (upvalue 1) for every option that leaves the
// collector running at the pace the run set; docs/sandbox.md gives each refusal's reason.
static int sandbox_collectgarbage(lua_State *L) {
    static const char *const options[] = { "collect", "step", "count", "isrunning", "incremental",
                                           "generational", "restart", "stop", "setpause", "setstepmul", NULL };
    enum { FIRST_REFUSED = 7, INCREMENTAL = 4, GENERATIONAL = 5 };
    int opt = luaL_checkoption(L, 1, "collect", options);
    if (opt >= FIRST_REFUSED)
        return luaL_error(L, "collectgarbage('%s') is not allowed in the sandbox: the collector keeps running "
                             "at its own pace, because the memory limit counts garbage too", options[opt]);
    if (opt == INCREMENTAL || opt == GENERATIONAL) {
        // 0 means "keep the current value" in Lua 5.4; anything else would retune the pace.
        for (int i = 2; i <= lua_gettop(L); i++) {
            if (lua_isnoneornil(L, i) || (lua_isinteger(L, i) && lua_tointeger(L, i) == 0)) continue;
            return luaL_error(L, "collectgarbage('%s', ...): tuning arguments are not allowed in the sandbox "
                                 "(call it with the option alone to switch the mode)", options[opt]);
        }
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

static int sandbox_rawset(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    if (is_proxy(L, 1)) return luaL_error(L, "attempt to modify a read-only table");
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 1;
}

/* ---------------- coroutines that the deadline can reach ---------------- */
// Mirrors lcorolib.c (5.4.4), plus: the running coroutine is recorded so the deadline
// signal arms the hook on the thread that actually runs, and a limit that fired inside a
// coroutine is re-raised in the resumer instead of coming back as `false, msg`.

static lua_State *getco(lua_State *L) {
    lua_State *co = lua_tothread(L, 1);
    luaL_argexpected(L, co, 1, "thread");   // lua5.4 (5.4.4)'s word
    return co;
}

static int auxresume(lua_State *L, lua_State *co, int narg) {
    int status, nres;
    if (!lua_checkstack(co, narg)) {
        lua_pushliteral(L, "too many arguments to resume");
        return -1;
    }
    lua_xmove(L, co, narg);
    ud_state *s = ud_S(L);
    lua_State *prev = s->current;
    s->current = co;
    if (s->tripped) ud_arm_hook(co);
    status = lua_resume(co, L, narg, &nres);
    s->current = prev;
    if (s->tripped) {
        if (status == LUA_OK || status == LUA_YIELD) lua_pop(co, nres);
        return ud_raise_limit(L);
    }
    if (status == LUA_OK || status == LUA_YIELD) {
        if (!lua_checkstack(L, nres + 1)) {
            lua_pop(co, nres);
            lua_pushliteral(L, "too many results to resume");
            return -1;
        }
        lua_xmove(co, L, nres);
        return nres;
    }
    lua_xmove(co, L, 1);
    return -1;
}

static int co_resume(lua_State *L) {
    lua_State *co = getco(L);
    int r = auxresume(L, co, lua_gettop(L) - 1);
    if (r < 0) {
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2;
    }
    lua_pushboolean(L, 1);
    lua_insert(L, -(r + 1));
    return r + 1;
}

static int co_auxwrap(lua_State *L) {
    lua_State *co = lua_tothread(L, lua_upvalueindex(1));
    int r = auxresume(L, co, lua_gettop(L));
    if (r < 0) {
        int stat = lua_status(co);
        if (stat != LUA_OK && stat != LUA_YIELD) {
            stat = lua_resetthread(co);
            lua_xmove(co, L, 1);
        }
        if (stat != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
            luaL_where(L, 1);
            lua_insert(L, -2);
            lua_concat(L, 2);
        }
        return lua_error(L);
    }
    return r;
}

static int co_wrap(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_State *NL = lua_newthread(L);
    lua_pushvalue(L, 1);
    lua_xmove(L, NL, 1);
    lua_pushcclosure(L, co_auxwrap, 1);
    return 1;
}

// coroutine.close runs the coroutine's pending __close handlers on its own thread: record
// it as the running one so the deadline can reach a handler that loops.
static int co_close(lua_State *L) {
    lua_State *co = getco(L);
    ud_state *s = ud_S(L);
    if (s->tripped) return ud_raise_limit(L);
    lua_State *prev = s->current;
    s->current = co;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
    s->current = prev;
    if (s->tripped) return ud_raise_limit(L);
    if (status != LUA_OK) return lua_error(L);
    return lua_gettop(L);
}

/* ---------------- opening ---------------- */

static void replace_with_original(lua_State *L, int table, const char *name, lua_CFunction f) {
    lua_getfield(L, table, name);
    lua_pushcclosure(L, f, 1);
    lua_setfield(L, table, name);
}

static int open_sandbox_impl(lua_State *L) {
    // Generational collection, as the lua5.4 interpreter selects (lua.c, pmain): far
    // cheaper for the many short-lived tables recipes build.
    lua_gc(L, LUA_GCGEN, 0, 0);
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    luaL_requiref(L, LUA_COLIBNAME, luaopen_coroutine, 1);
    lua_settop(L, 0);
    make_metatables(L);

    lua_pushglobaltable(L);
    int G = lua_gettop(L);
    lua_pushnil(L); lua_setfield(L, G, "dofile");
    lua_pushnil(L); lua_setfield(L, G, "loadfile");
    lua_pushcfunction(L, guarded_pcall); lua_setfield(L, G, "pcall");
    lua_pushcfunction(L, guarded_xpcall); lua_setfield(L, G, "xpcall");
    lua_pushcfunction(L, sandbox_load); lua_setfield(L, G, "load");
    replace_with_original(L, G, "collectgarbage", sandbox_collectgarbage);
    lua_pushcfunction(L, sandbox_rawset); lua_setfield(L, G, "rawset");

    lua_getfield(L, G, LUA_STRLIBNAME);
    lua_pushnil(L); lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
    lua_getfield(L, G, LUA_COLIBNAME);
    lua_pushcfunction(L, co_resume); lua_setfield(L, -2, "resume");
    lua_pushcfunction(L, co_wrap); lua_setfield(L, -2, "wrap");
    lua_getfield(L, -1, "close");
    lua_pushcclosure(L, co_close, 1);
    lua_setfield(L, -2, "close");
    lua_pop(L, 1);

    // The string metatable keeps its __index (the real string table) but can no longer be
    // read or replaced, so `("").x = …`-style tampering has nothing to reach.
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushliteral(L, "read-only");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);

    // Frozen for the prelude and the stdlib modules; the prelude then gives the recipe plain
    // copies of these five (its own, writable as in Lua) and keeps the frozen ones itself.
    static const char *const libs[] = { LUA_STRLIBNAME, LUA_TABLIBNAME, LUA_MATHLIBNAME,
                                         LUA_UTF8LIBNAME, LUA_COLIBNAME, NULL };
    lua_newtable(L);
    int seen = lua_gettop(L);
    for (int i = 0; libs[i]; i++) {
        lua_getfield(L, G, libs[i]);
        freeze_table(L, -1, libs[i], seen);
        lua_setfield(L, G, libs[i]);
        lua_pop(L, 1);
    }
    // Trusted helpers for the prelude, which takes them and removes this global before
    // any recipe code runs.
    lua_createtable(L, 0, 5);
    lua_pushcfunction(L, freeze_lua); lua_setfield(L, -2, "freeze");
    lua_pushcfunction(L, traceback_lua); lua_setfield(L, -2, "traceback");
    lua_pushcfunction(L, where_lua); lua_setfield(L, -2, "where");
    lua_pushcfunction(L, debug_traceback_lua); lua_setfield(L, -2, "debug_traceback");
    lua_pushcfunction(L, keep_lua); lua_setfield(L, -2, "keep");
    lua_setfield(L, G, "__unidesk_trusted");
    lua_settop(L, 0);
    return 0;
}

int ud_open_sandbox(lua_State *L) {
    if (!lua_checkstack(L, 2)) return LUA_ERRMEM;
    lua_pushcfunction(L, open_sandbox_impl);
    return lua_pcall(L, 0, 0, 0);
}
