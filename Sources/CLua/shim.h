#pragma once
// Debian's liblua5.4-dev: headers under /usr/include/lua5.4, linked statically (CLuaShim's
// linker setting), so the interpreter is part of unidesk: no shared object to load and
// relocate at start-up, no position-independent calls between the VM and its library, and the
// stdlib's bytecode, compiled at build time, is always run by the Lua that compiled it.
#include <lua5.4/lua.h>
#include <lua5.4/lualib.h>
#include <lua5.4/lauxlib.h>
