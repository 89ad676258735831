// The stdlib's bytecode, compiled at build time (EmbedStdlibGenerator) and run by the same
// statically linked Lua: compiling the prelude's source was an eighth of an empty recipe's
// start-up. Recipes never load bytecode (their chunks are loaded with mode "t").
#include "internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ud_dump_buffer {
    unsigned char *bytes;
    size_t length, capacity;
    int failed;
};

static int ud_dump_writer(lua_State *L, const void *p, size_t size, void *ud) {
    (void)L;
    struct ud_dump_buffer *b = ud;
    if (b->length + size > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 4096;
        while (capacity < b->length + size) capacity *= 2;
        unsigned char *grown = realloc(b->bytes, capacity);
        if (grown == NULL) { b->failed = 1; return 1; }
        b->bytes = grown;
        b->capacity = capacity;
    }
    memcpy(b->bytes + b->length, p, size);
    b->length += size;
    return 0;
}

unsigned char *ud_compile_to_bytecode(const char *code, size_t len, const char *chunkname,
                                      size_t *out_len, char *error, size_t error_len) {
    *out_len = 0;
    lua_State *L = luaL_newstate();
    if (L == NULL) { snprintf(error, error_len, "cannot create a Lua state"); return NULL; }
    struct ud_dump_buffer b = { NULL, 0, 0, 0 };
    if (luaL_loadbufferx(L, code, len, chunkname, "t") != LUA_OK) {
        snprintf(error, error_len, "%s", lua_tostring(L, -1));
    } else if (lua_dump(L, ud_dump_writer, &b, 0) != 0 || b.failed) {   // 0: keep line info
        snprintf(error, error_len, "cannot dump %s", chunkname);
        free(b.bytes);
        b.bytes = NULL;
    }
    lua_close(L);
    *out_len = b.length;
    return b.bytes;
}

int ud_load_embedded_and_call(lua_State *L, const char *bytecode, size_t len, const char *chunkname,
                              int nargs, int nresults) {
    if (!lua_checkstack(L, 4)) return LUA_ERRMEM;
    int status = luaL_loadbufferx(L, bytecode, len, chunkname, "b");
    if (status != LUA_OK) {
        lua_rotate(L, -(nargs + 1), 1);
        lua_pop(L, nargs);
        return status;
    }
    lua_insert(L, -(nargs + 1));
    return ud_pcall_traceback(L, nargs, nresults);
}
