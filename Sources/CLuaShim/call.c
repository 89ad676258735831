// Host-function trampoline, buffered results, and protected calls with tracebacks.
#include "internal.h"
#include "CSystem.h"
#include <stdlib.h>
#include <string.h>

enum { OP_NIL, OP_NULL, OP_BOOL, OP_INT, OP_NUM, OP_STR, OP_SECRET, OP_NEWTABLE,
       OP_SETFIELD, OP_SETI, OP_ERRORMETA, OP_HOSTFN, OP_NATIVEFN };

/* ---------------- buffered results ---------------- */

enum { UD_OUT_KEEP_BYTES = 1 << 20 };   // what the queue may keep allocated between calls

static ud_op *push_op(ud_state *s, int kind) {
    if (s->nops == s->capops) {
        size_t nc = s->capops ? s->capops * 2 : 64;
        ud_op *n = realloc(s->ops, nc * sizeof *n);
        if (!n) { s->out_oom = 1; return NULL; }
        s->ops = n; s->capops = nc;
    }
    ud_op *o = &s->ops[s->nops++];
    memset(o, 0, sizeof *o);
    o->kind = kind;
    return o;
}

static int put_bytes(ud_state *s, const char *p, size_t len, size_t *off) {
    if (s->alen + len > s->acap) {
        size_t nc = s->acap ? s->acap : 1024;
        while (nc < s->alen + len) nc *= 2;
        char *n = realloc(s->arena, nc);
        if (!n) { s->out_oom = 1; return 0; }
        s->arena = n; s->acap = nc;
    }
    if (len) memcpy(s->arena + s->alen, p, len);
    *off = s->alen;
    s->alen += len;
    return 1;
}

static void out_bytes(lua_State *L, int kind, const char *p, size_t len) {
    ud_state *s = ud_S(L);
    size_t off;
    if (!put_bytes(s, p, len, &off)) return;
    ud_op *o = push_op(s, kind);
    if (o) { o->off = off; o->len = len; }
}

void ud_out_nil(lua_State *L) { push_op(ud_S(L), OP_NIL); }
void ud_out_null(lua_State *L) { push_op(ud_S(L), OP_NULL); }
void ud_out_bool(lua_State *L, int b) { ud_op *o = push_op(ud_S(L), OP_BOOL); if (o) o->i = b; }
void ud_out_int(lua_State *L, long long i) { ud_op *o = push_op(ud_S(L), OP_INT); if (o) o->i = i; }
void ud_out_num(lua_State *L, double d) { ud_op *o = push_op(ud_S(L), OP_NUM); if (o) o->d = d; }
void ud_out_str(lua_State *L, const char *p, size_t len) { out_bytes(L, OP_STR, p, len); }
void ud_out_secret(lua_State *L, const char *p, size_t len) { out_bytes(L, OP_SECRET, p, len); }
void ud_out_setfield(lua_State *L, const char *k, size_t klen) { out_bytes(L, OP_SETFIELD, k, klen); }
void ud_out_newtable(lua_State *L, int na, int nr) {
    ud_op *o = push_op(ud_S(L), OP_NEWTABLE);
    if (o) { o->i = na; o->d = nr; }
}
void ud_out_seti(lua_State *L, long long i) { ud_op *o = push_op(ud_S(L), OP_SETI); if (o) o->i = i; }
void ud_out_errormeta(lua_State *L) { push_op(ud_S(L), OP_ERRORMETA); }
void ud_out_hostfunction(lua_State *L, void *fnctx) {
    ud_op *o = push_op(ud_S(L), OP_HOSTFN);
    if (o) o->p = fnctx;
}
void ud_out_nativefunction(lua_State *L, lua_CFunction native, void *fnctx) {
    ud_op *o = push_op(ud_S(L), OP_NATIVEFN);
    if (o) { o->p = fnctx; o->native = native; }
}
int ud_out_count(lua_State *L) { return (int)ud_S(L)->nops; }
size_t ud_out_capacity(lua_State *L) { ud_state *s = ud_S(L); return s->capops * sizeof *s->ops + s->acap; }

static int trampoline(lua_State *L);

// Pushes queued ops [base, nops) onto the stack. May raise (out of memory): C frames only.
static void replay(lua_State *L, ud_state *s, size_t base, size_t abase) {
    luaL_checkstack(L, 8, "host results");
    for (size_t k = base; k < s->nops; k++) {
        ud_op o = s->ops[k];
        switch (o.kind) {
        case OP_NIL: lua_pushnil(L); break;
        case OP_NULL: ud_push_null(L); break;
        case OP_BOOL: lua_pushboolean(L, (int)o.i); break;
        case OP_INT: lua_pushinteger(L, (lua_Integer)o.i); break;
        case OP_NUM: lua_pushnumber(L, o.d); break;
        case OP_STR: lua_pushlstring(L, s->arena + o.off, o.len); break;
        case OP_SECRET: ud_push_secret(L, s->arena + o.off, o.len); break;
        case OP_NEWTABLE:
            luaL_checkstack(L, 4, "host results");
            lua_createtable(L, (int)o.i, (int)o.d);
            break;
        case OP_SETFIELD:
            lua_pushlstring(L, s->arena + o.off, o.len);
            lua_insert(L, -2);
            lua_rawset(L, -3);
            break;
        case OP_SETI: lua_rawseti(L, -2, (lua_Integer)o.i); break;
        case OP_ERRORMETA:
            lua_rawgetp(L, LUA_REGISTRYINDEX, &ud_key_error_mt);
            lua_setmetatable(L, -2);
            break;
        case OP_HOSTFN:
            lua_pushlightuserdata(L, o.p);
            lua_pushcclosure(L, trampoline, 1);
            break;
        case OP_NATIVEFN:
            lua_pushlightuserdata(L, o.p);
            lua_pushcclosure(L, trampoline, 1);
            lua_pushcclosure(L, o.native, 1);
            break;
        }
    }
    s->nops = base;
    s->alen = abase;
    // A large result (a file read whole: fs.read of 17 MB) would otherwise keep its copy
    // here for the rest of the run, on top of the Lua string made from it.
    if (base == 0 && s->capops * sizeof *s->ops + s->acap > UD_OUT_KEEP_BYTES) {
        free(s->ops); s->ops = NULL; s->capops = 0;
        free(s->arena); s->arena = NULL; s->acap = 0;
    }
}

/* ---------------- the trampoline ---------------- */

/* Pushes "chunk:line: " of the first frame at or above `level` that is the user's code.
 * unidesk's own frames are skipped: the prelude and stdlib modules (stdlib/unidesk/*.lua)
 * and C functions, so an error names the recipe's line, not a wrapper's. Pushes "" when
 * no such frame exists. */
void ud_where_outside_stdlib(lua_State *L, int level) {
    lua_Debug ar;
    for (; lua_getstack(L, level, &ar); level++) {
        if (!lua_getinfo(L, "Sl", &ar)) break;
        if (ar.currentline <= 0) continue;                       /* a C function */
        if (strncmp(ar.source, "@stdlib/", 8) == 0) continue;   /* the prelude or a stdlib module */
        lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
        return;
    }
    lua_pushliteral(L, "");
}

static void where_outside_stdlib(lua_State *L) { ud_where_outside_stdlib(L, 1); }

static int trampoline(lua_State *L) {
    ud_state *s = ud_S(L);
    void *fnctx = lua_touserdata(L, lua_upvalueindex(1));
    size_t base = s->nops, abase = s->alen;
    int top = lua_gettop(L);
    s->out_oom = 0;
    int rc = s->dispatch(L, fnctx);            // Swift runs here and never raises
    if (s->out_oom) {
        s->nops = base; s->alen = abase; s->out_oom = 0;
        return luaL_error(L, "out of memory (host result buffer)");
    }
    lua_settop(L, top);                        // Swift pushes nothing; be certain
    if (!s->tripped && ud_stop_signal()) s->tripped = UD_LIMIT_INTERRUPT;   // SIGTERM/SIGINT meanwhile
    if (s->tripped) {                          // a limit fired while the host function ran
        s->nops = base; s->alen = abase;
        return ud_raise_limit(L);
    }
    replay(L, s, base, abase);                 // may raise: C frames only from here
    if (rc != UD_CALL_OK) {
        if (lua_gettop(L) == top) lua_pushliteral(L, "error in host function");
        lua_settop(L, top + 1);
        if (rc == UD_CALL_RAISE_WHERE && lua_type(L, -1) == LUA_TSTRING) {
            where_outside_stdlib(L);
            lua_insert(L, -2);
            lua_concat(L, 2);
        } else if (lua_type(L, -1) == LUA_TTABLE) {
            where_outside_stdlib(L);           // "recipe.lua:12: " → where = "recipe.lua:12"
            size_t n;
            const char *w = lua_tolstring(L, -1, &n);
            if (n >= 2 && w[n - 2] == ':' && w[n - 1] == ' ') {
                lua_pushlstring(L, w, n - 2);
                lua_replace(L, -2);
            }
            lua_setfield(L, -2, "where");
        }
        return lua_error(L);                   // the Swift frame has already returned
    }
    return lua_gettop(L) - top;
}

static int flush_impl(lua_State *L) {
    ud_state *s = ud_S(L);
    if (s->out_oom) { s->nops = 0; s->alen = 0; s->out_oom = 0; return luaL_error(L, "out of memory (host values)"); }
    replay(L, s, 0, 0);
    return lua_gettop(L) - 1;  // minus the light userdata count marker
}

int ud_flush_out(lua_State *L) {
    // Replays queued values in protected mode and moves them below to the caller's stack.
    if (!lua_checkstack(L, 4)) return LUA_ERRMEM;
    lua_pushcfunction(L, flush_impl);
    lua_pushlightuserdata(L, NULL);
    return lua_pcall(L, 1, LUA_MULTRET, 0);
}

/* ---------------- non-raising reads ---------------- */

const char *ud_arg_string(lua_State *L, int idx, size_t *len) {
    return lua_type(L, idx) == LUA_TSTRING ? lua_tolstring(L, idx, len) : NULL;
}

const char *ud_arg_secret(lua_State *L, int idx, size_t *len) {
    if (lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx)) return NULL;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &ud_key_secret_mt);
    int is = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    if (!is) return NULL;
    *len = lua_rawlen(L, idx);
    return lua_touserdata(L, idx);
}

// Pushes the proxied table if idx is a frozen proxy; returns 1 then.
static int push_proxied(lua_State *L, int idx) {
    if (lua_type(L, idx) != LUA_TTABLE) return 0;
    idx = lua_absindex(L, idx);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &ud_key_readonly);
    lua_pushvalue(L, idx);
    lua_rawget(L, -2);
    lua_remove(L, -2);
    if (lua_type(L, -1) == LUA_TTABLE) return 1;
    lua_pop(L, 1);
    return 0;
}

int ud_has_tostring(lua_State *L, int idx) {
    if (!lua_checkstack(L, 3) || !lua_getmetatable(L, idx)) return 0;
    lua_pushliteral(L, "__tostring");
    int has = lua_rawget(L, -2) != LUA_TNIL;
    lua_pop(L, 2);
    return has;
}

int ud_is_readonly(lua_State *L, int idx) {
    if (!lua_checkstack(L, 3)) return 0;
    if (push_proxied(L, idx)) { lua_pop(L, 1); return 1; }
    return 0;
}

int ud_table_next(lua_State *L, int idx) {
    // Stack: ... key. Iterates the proxied table for frozen proxies.
    idx = lua_absindex(L, idx);
    if (!lua_checkstack(L, 4)) { lua_pop(L, 1); return 0; }
    if (push_proxied(L, idx)) {
        lua_insert(L, -2);               // ... real key
        int r = lua_next(L, -2);          // ... real k v | ... real
        if (r) { lua_rotate(L, -3, -1); lua_pop(L, 1); }   // ... k v
        else lua_pop(L, 1);
        return r;
    }
    return lua_next(L, idx);
}

long long ud_table_len(lua_State *L, int idx) {
    if (!lua_checkstack(L, 3)) return 0;
    if (push_proxied(L, idx)) { long long n = (long long)lua_rawlen(L, -1); lua_pop(L, 1); return n; }
    return (long long)lua_rawlen(L, idx);
}

int ud_table_geti(lua_State *L, int idx, long long i) {
    idx = lua_absindex(L, idx);
    if (!lua_checkstack(L, 3)) { lua_pushnil(L); return LUA_TNIL; }
    if (push_proxied(L, idx)) { int t = lua_rawgeti(L, -1, (lua_Integer)i); lua_remove(L, -2); return t; }
    return lua_rawgeti(L, idx, (lua_Integer)i);
}

/* ---------------- protected calls with tracebacks ---------------- */

int ud_msgh(lua_State *L) {
    // A frozen library table raised as an error is not a structured error: it must stay
    // unaltered (no where/traceback fields written into it), so it is shown as a value.
    if (lua_type(L, 1) == LUA_TTABLE && !ud_is_readonly(L, 1)) {   // structured error: keep it, add a traceback field
        lua_pushliteral(L, "where");          // and where it was raised, if nobody said so yet
        if (lua_rawget(L, 1) == LUA_TNIL) {
            ud_where_outside_stdlib(L, 1);
            size_t n;
            const char *w = lua_tolstring(L, -1, &n);
            if (n >= 2) {                      // "recipe.lua:12: " -> "recipe.lua:12"
                lua_pushliteral(L, "where");
                lua_pushlstring(L, w, n - 2);
                lua_rawset(L, 1);
            }
        }
        lua_settop(L, 1);
        luaL_traceback(L, L, NULL, 1);
        lua_setfield(L, 1, "traceback");
        lua_settop(L, 1);
        return 1;
    }
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) msg = lua_tostring(L, -1);
        else msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int ud_pcall_traceback(lua_State *L, int nargs, int nresults) {
    if (!lua_checkstack(L, 2)) return LUA_ERRMEM;
    int fn = lua_gettop(L) - nargs;
    lua_pushcfunction(L, ud_msgh);
    lua_insert(L, fn);
    int status = lua_pcall(L, nargs, nresults, fn);
    lua_remove(L, fn);
    return status;
}

int ud_compile(lua_State *L, const char *code, size_t len, const char *chunkname) {
    if (!lua_checkstack(L, 2)) return LUA_ERRMEM;
    int status = luaL_loadbufferx(L, code, len, chunkname, "t");
    if (status == LUA_OK) lua_pop(L, 1);
    return status;
}

int ud_load_and_call(lua_State *L, const char *code, size_t len, const char *chunkname,
                     int env_index, int nargs, int nresults) {
    if (!lua_checkstack(L, 4)) return LUA_ERRMEM;
    if (env_index != 0) env_index = lua_absindex(L, env_index);
    int status = luaL_loadbufferx(L, code, len, chunkname, "t");   // "t": never bytecode
    if (status != LUA_OK) {
        lua_rotate(L, -(nargs + 1), 1);        // error message below... then drop the args
        lua_pop(L, nargs);
        return status;
    }
    if (env_index != 0) {
        lua_pushvalue(L, env_index);
        if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
    }
    lua_insert(L, -(nargs + 1));               // the chunk below its arguments
    return ud_pcall_traceback(L, nargs, nresults);
}

int ud_call_kept(lua_State *L, const char *name, int nargs, int nresults) {
    if (!lua_checkstack(L, 4)) return LUA_ERRMEM;
    lua_pushfstring(L, "unidesk.kept.%s", name);
    if (lua_gettable(L, LUA_REGISTRYINDEX) != LUA_TFUNCTION) {
        lua_pop(L, 1 + nargs);
        lua_pushfstring(L, "no function '%s' was kept by the prelude", name);
        return LUA_ERRRUN;
    }
    lua_insert(L, -(nargs + 1));               // the function below its arguments
    return ud_pcall_traceback(L, nargs, nresults);
}
