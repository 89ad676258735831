#pragma once
// Include path (-I/usr/include/lua5.4) comes from `pkg-config --cflags lua5.4`.
#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>
