/* A minimal Lua host, for attributing the gaps measured by `scripts/bench lua` (not built or
   run by the script). It runs FILE with the standard libraries and nothing else: no sandbox,
   no read-only proxies, no deadline. Build variants to vary one thing at a time:

     cc -O2 -I/usr/include/lua5.4 -DCOUNTING        lua-host.c -o host-shared     -llua5.4
     cc -O2 -I/usr/include/lua5.4 -DCOUNTING -DGEN  lua-host.c -o host-shared-gen -llua5.4
     cc -O2 -I/usr/include/lua5.4 -DCOUNTING -DGEN  lua-host.c -o host-static-gen \
        /usr/lib/x86_64-linux-gnu/liblua5.4.a -lm

   -DCOUNTING  an allocator like unidesk's ud_alloc (512 MiB cap, used/peak accounting);
               without it, luaL_newstate's plain realloc/free allocator
   -DGEN       switch the collector to generational mode, as the lua5.4 interpreter does
               (lua.c calls lua_gc(L, LUA_GCGEN, 0, 0)); without it, incremental like unidesk
   -llua5.4 links Debian's shared liblua5.4.so (as unidesk does); the .a is the static one. */
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef COUNTING
typedef struct { size_t used, peak, limit; } accounting;

static void *counting_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  accounting *a = ud;
  size_t old = ptr ? osize : 0;
  if (nsize == 0) { free(ptr); a->used -= old; return NULL; }
  if (nsize > old && a->used - old + nsize > a->limit) return NULL;
  void *np = realloc(ptr, nsize);
  if (!np) return NULL;
  a->used = a->used - old + nsize;
  if (a->used > a->peak) a->peak = a->used;
  return np;
}
#endif

int main(int argc, char **argv) {
  if (argc < 2) { fprintf(stderr, "usage: %s FILE\n", argv[0]); return 2; }
#ifdef COUNTING
  static accounting a = {0, 0, (size_t)512 << 20};
  lua_State *L = lua_newstate(counting_alloc, &a);
#else
  lua_State *L = luaL_newstate();
#endif
  if (!L) return 1;
  luaL_openlibs(L);
#ifdef GEN
  lua_gc(L, LUA_GCGEN, 0, 0);
#endif
  if (luaL_dofile(L, argv[1]) != LUA_OK) {
    fprintf(stderr, "%s\n", lua_tostring(L, -1));
    return 1;
  }
  lua_close(L);
  return 0;
}
