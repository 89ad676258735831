// The names the REPL's TAB completion offers, read from the live state without running
// anything: raw gets, lua_next and raw metatables only (no __index functions, no __pairs,
// no __tostring). A metatable's __index is followed only while it is a table, which is how
// frozen proxies, string methods and objects' method tables are reached.
#include "internal.h"

enum { MAX_HOPS = 16 };

struct keys_request {
    const char *const *path;
    int depth;
    ud_key_emit emit;
    void *ctx;
    int found;
};

// Replaces the value on top with its metatable's __index when that is a table; else pops it
// and returns 0.
static int to_index_table(lua_State *L) {
    if (!lua_getmetatable(L, -1)) { lua_pop(L, 1); return 0; }
    lua_pushliteral(L, "__index");
    lua_rawget(L, -2);
    lua_remove(L, -2);                          // the metatable
    lua_remove(L, -2);                          // the value
    if (lua_type(L, -1) == LUA_TTABLE) return 1;
    lua_pop(L, 1);
    return 0;
}

// Replaces the value on top with value[key] as the language would find it through tables.
static void raw_index(lua_State *L, const char *key) {
    for (int hop = 0; hop < MAX_HOPS; hop++) {
        if (lua_type(L, -1) == LUA_TTABLE) {
            lua_pushstring(L, key);
            if (lua_rawget(L, -2) != LUA_TNIL) { lua_remove(L, -2); return; }
            lua_pop(L, 1);
        }
        if (!to_index_table(L)) { lua_pushnil(L); return; }
    }
    lua_pop(L, 1);
    lua_pushnil(L);
}

// Emits the string keys of the value on top and of its __index tables; pops it.
static void emit_keys(lua_State *L, struct keys_request *r) {
    for (int hop = 0; hop < MAX_HOPS; hop++) {
        if (lua_type(L, -1) == LUA_TTABLE) {
            lua_pushnil(L);
            while (lua_next(L, -2)) {
                if (lua_type(L, -2) == LUA_TSTRING) {
                    size_t len;
                    const char *k = lua_tolstring(L, -2, &len);   // a real string: not converted
                    r->emit(r->ctx, k, len, lua_type(L, -1));
                }
                lua_pop(L, 1);
            }
        }
        if (!to_index_table(L)) return;
    }
    lua_pop(L, 1);
}

static int keys_impl(lua_State *L) {
    struct keys_request *r = lua_touserdata(L, 1);
    luaL_checkstack(L, 8, "completion");
    lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_GLOBALS);
    for (int i = 0; i < r->depth; i++) {
        raw_index(L, r->path[i]);
        if (lua_isnil(L, -1)) return 0;
    }
    r->found = 1;
    emit_keys(L, r);
    return 0;
}

int ud_completion_keys(lua_State *L, const char *const *path, int depth, ud_key_emit emit, void *ctx) {
    if (!lua_checkstack(L, 3)) return -1;
    struct keys_request r = { path, depth, emit, ctx, 0 };
    lua_pushcfunction(L, keys_impl);
    lua_pushlightuserdata(L, &r);
    if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
        lua_pop(L, 1);
        return -1;
    }
    return r.found;
}
