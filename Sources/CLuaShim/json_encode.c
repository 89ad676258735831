// json.encode's fast path: writes JSON straight from the Lua value.
//
// The Swift path reads the whole value into Swift (ValueReader), converts it to DataValue
// (LuaData.toData), writes it (JSONWriter) and hands the text back through the result
// queue: three copies of the document before Lua sees a string. This encoder is a plain
// Lua C function, so an error it raises (out of memory) unwinds C frames only, and its
// buffers come from the state's allocator: the memory cap applies to them.
//
// It writes only what it writes byte for byte as the Swift path would: a non-nil value,
// options absent or a plain table of `pretty` (a boolean) and `invalid_utf8` ("error",
// "escape" or "replace"), tables that are a 1..n sequence or have string keys only (valid
// UTF-8) and are nested less than ValueReader.maxDepth deep, strings (invalid UTF-8 only
// when invalid_utf8 says what to do with it), integers, finite floats that
// ud_json_format_double can write, booleans and json.null. Anything else (a secret, a
// function, NaN, a mixed table, a cycle, a wrong option) stops it, and the arguments,
// unchanged, go to the Swift host function (its upvalue), which raises the error naming
// the path or writes the value, as before.
#include "internal.h"
#include <math.h>
#include <string.h>

enum { ENCODE_MAX_DEPTH = 100 };   // ValueReader.maxDepth: deeper is Swift's error
enum { INVALID_UTF8_ERROR, INVALID_UTF8_LATIN1, INVALID_UTF8_REPLACE };

// A growable byte buffer owned by a userdata on the stack: freed when the encode ends, or
// by __gc when an error unwinds past it.
typedef struct {
    char *p;
    size_t len, cap;
    lua_Alloc alloc;
    void *alloc_ud;
} json_buffer;

static const char json_buffer_mt[] = "unidesk.json.buffer";

static void buffer_free(json_buffer *b) {
    if (b->p) b->alloc(b->alloc_ud, b->p, b->cap, 0);
    b->p = NULL;
    b->len = b->cap = 0;
}

static int buffer_gc(lua_State *L) {
    buffer_free(lua_touserdata(L, 1));
    return 0;
}

static json_buffer *buffer_new(lua_State *L) {
    json_buffer *b = lua_newuserdatauv(L, sizeof *b, 0);
    memset(b, 0, sizeof *b);
    b->alloc = lua_getallocf(L, &b->alloc_ud);
    if (luaL_newmetatable(L, json_buffer_mt)) {
        lua_pushcfunction(L, buffer_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    return b;
}

// Makes room for n more bytes; raises "not enough memory" as lauxlib's buffers do (the
// allocator has tripped the memory limit by then).
static char *buffer_grow(lua_State *L, json_buffer *b, size_t n) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n) {   // by half again: less unused room at the end than doubling
        if (cap > ((size_t)-1) / 2) { lua_pushliteral(L, "not enough memory"); lua_error(L); }
        cap += cap / 2;
    }
    char *p = b->alloc(b->alloc_ud, b->p, b->p ? b->cap : 0, cap);
    if (!p) { lua_pushliteral(L, "not enough memory"); lua_error(L); }
    b->p = p;
    b->cap = cap;
    return b->p + b->len;
}

// Gives the unused room back (shrinking never fails), so that the buffer and the Lua
// string copied from it hold the text twice at most, not twice plus the room.
static void buffer_shrink(json_buffer *b) {
    if (!b->p || b->cap == b->len || b->len == 0) return;
    char *p = b->alloc(b->alloc_ud, b->p, b->cap, b->len);
    if (p) { b->p = p; b->cap = b->len; }
}

static inline char *buffer_reserve(lua_State *L, json_buffer *b, size_t n) {
    if (b->cap - b->len >= n) return b->p + b->len;
    return buffer_grow(L, b, n);
}

typedef struct {
    lua_State *L;
    json_buffer *out;
    json_buffer *keys;     // a stack of key_ref, one segment per object being written
    int anchor;            // a table holding the keys of `keys` (see put_table)
    int proxies;           // the registry's map of frozen proxies to their tables
    int pretty;
    int invalid_utf8;
    int failed;            // hand over to the Swift path
} json_writer;

typedef struct { const char *s; size_t len; lua_Integer slot; } key_ref;   // slot: in the anchor

static inline void put(json_writer *w, const char *s, size_t n) {
    memcpy(buffer_reserve(w->L, w->out, n), s, n);
    w->out->len += n;
}

static inline void put_char(json_writer *w, char c) {
    *buffer_reserve(w->L, w->out, 1) = c;
    w->out->len++;
}

static void put_newline(json_writer *w, int depth) {
    if (!w->pretty) return;
    size_t n = 1 + 2 * (size_t)depth;
    char *p = buffer_reserve(w->L, w->out, n);
    p[0] = '\n';
    memset(p + 1, ' ', n - 1);
    w->out->len += n;
}

static void put_integer(json_writer *w, lua_Integer i) {
    char text[24], *p = text + sizeof text;
    unsigned long long u = i < 0 ? 0ULL - (unsigned long long)i : (unsigned long long)i;
    do { *--p = (char)('0' + u % 10); u /= 10; } while (u);
    if (i < 0) *--p = '-';
    put(w, p, (size_t)(text + sizeof text - p));
}

// Bytes that a string cannot copy as they are: control characters, '"', '\\', and the
// start of every multi-byte sequence (checked for UTF-8 and for U+2028/U+2029).
static const unsigned char needs_care[256] = {
    1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
    0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
    1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
    1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
    1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
};

// The bytes of the maximal subpart of a UTF-8 sequence at p that is not valid (at least
// 1): what Swift's String(decoding:as:) replaces with one U+FFFD.
static size_t invalid_subpart(const unsigned char *p, const unsigned char *end) {
    unsigned char c = p[0];
    int need;
    unsigned char lo = 0x80, hi = 0xBF;   // the second byte's range
    if (c >= 0xC2 && c <= 0xDF) need = 1;
    else if (c >= 0xE0 && c <= 0xEF) { need = 2; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 3; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
    else return 1;
    size_t n = 1;
    for (int k = 0; k < need && p + n < end; k++, n++) {
        unsigned char b = p[n];
        if (k == 0 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) break;
    }
    return n;
}

static void put_string(json_writer *w, const unsigned char *s, size_t len) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = s, *end = s + len, *run = s;
    put_char(w, '"');
    while (p < end) {
        if (!needs_care[*p]) { p++; continue; }
        if (p > run) put(w, (const char *)run, (size_t)(p - run));
        unsigned char c = *p;
        if (c < 0x80) {
            switch (c) {
            case '"': put(w, "\\\"", 2); break;
            case '\\': put(w, "\\\\", 2); break;
            case '\n': put(w, "\\n", 2); break;
            case '\r': put(w, "\\r", 2); break;
            case '\t': put(w, "\\t", 2); break;
            case '\b': put(w, "\\b", 2); break;
            case '\f': put(w, "\\f", 2); break;
            default: {
                char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
                put(w, u, 6);
            }
            }
            p++;
        } else {
            size_t n = ud_utf8_sequence(p, end);
            if (n == 3 && c == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
                // U+2028/U+2029 are legal in JSON but end lines in JavaScript source.
                put(w, p[2] == 0xA8 ? "\\u2028" : "\\u2029", 6);
            } else if (n) {
                put(w, (const char *)p, n);
            } else if (w->invalid_utf8 == INVALID_UTF8_LATIN1) {
                char u[2] = { (char)(0xC0 | c >> 6), (char)(0x80 | (c & 0x3F)) };   // U+00NN
                put(w, u, 2);
                n = 1;
            } else if (w->invalid_utf8 == INVALID_UTF8_REPLACE) {
                put(w, "\xEF\xBF\xBD", 3);   // U+FFFD
                n = invalid_subpart(p, end);
            } else {
                w->failed = 1;   // the error naming where the byte is: Swift's
                return;
            }
            p += n;
        }
        run = p;
    }
    if (p > run) put(w, (const char *)run, (size_t)(p - run));
    put_char(w, '"');
}

// Pushes the table a frozen proxy stands for, or the value itself.
static void push_readable(json_writer *w, int idx) {
    lua_pushvalue(w->L, idx);
    if (lua_rawget(w->L, w->proxies) == LUA_TTABLE) return;
    lua_pop(w->L, 1);
    lua_pushvalue(w->L, idx);
}

static inline int key_before(const key_ref *x, const key_ref *y) {
    int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);
    return c < 0 || (c == 0 && x->len < y->len);
}

// Byte order, as Swift's utf8.lexicographicallyPrecedes. Insertion sort: objects have a
// handful of keys, where it beats qsort's calls through a pointer; keys are distinct.
static void sort_keys(key_ref *k, size_t n) {
    for (size_t i = 1; i < n; i++) {
        key_ref x = k[i];
        size_t j = i;
        for (; j > 0 && key_before(&x, &k[j - 1]); j--) k[j] = k[j - 1];
        k[j] = x;
    }
}

static void put_value(json_writer *w, int idx, int depth);

static void put_table(json_writer *w, int idx, int depth) {
    lua_State *L = w->L;
    if (depth >= ENCODE_MAX_DEPTH) { w->failed = 1; return; }
    luaL_checkstack(L, 6, "json.encode");
    push_readable(w, idx);
    int t = lua_gettop(L);
    // One pass tells a sequence (integer keys exactly 1..n) from an object (valid UTF-8
    // string keys only), and collects the object's keys for sorting.
    size_t base = w->keys->len / sizeof(key_ref), nkeys = 0;
    lua_Integer count = 0, min = 0, max = 0;
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING && count == 0) {
            size_t len;
            const unsigned char *k = (const unsigned char *)lua_tolstring(L, -1, &len);
            for (size_t i = 0; i < len;) {
                size_t n = ud_utf8_sequence(k + i, k + len);
                if (!n) { w->failed = 1; return; }
                i += n;
            }
            // The anchor keeps the key alive (its bytes where they are) whatever happens to
            // the table: nothing here runs a GC step (no allocation through Lua but the
            // anchor's, which does not step), so no finalizer can change it, and the anchor
            // keeps that from mattering for memory safety if it ever did.
            lua_pushvalue(L, -1);
            lua_rawseti(L, w->anchor, (lua_Integer)(base + nkeys + 1));
            key_ref *r = (key_ref *)buffer_reserve(L, w->keys, sizeof *r);
            r->s = (const char *)k;
            r->len = len;
            r->slot = (lua_Integer)(base + nkeys + 1);
            w->keys->len += sizeof *r;
            nkeys++;
        } else if (lua_isinteger(L, -1) && nkeys == 0) {
            lua_Integer i = lua_tointeger(L, -1);
            if (count == 0 || i < min) min = i;
            if (count == 0 || i > max) max = i;
            count++;
        } else {
            w->failed = 1;   // a mixed table, or keys of another type
            return;
        }
    }
    if (count > 0) {
        if (min != 1 || max != count) { w->failed = 1; return; }   // not exactly 1..n
        put_char(w, '[');
        for (lua_Integer i = 1; i <= count; i++) {
            if (i > 1) put_char(w, ',');
            put_newline(w, depth + 1);
            lua_rawgeti(L, t, i);
            put_value(w, lua_gettop(L), depth + 1);
            if (w->failed) return;
            lua_pop(L, 1);
        }
        put_newline(w, depth);
        put_char(w, ']');
    } else if (nkeys == 0) {
        put(w, "{}", 2);
    } else {
        sort_keys((key_ref *)w->keys->p + base, nkeys);
        put_char(w, '{');
        for (size_t i = 0; i < nkeys; i++) {
            key_ref k = ((key_ref *)w->keys->p)[base + i];   // the buffer moves as it grows
            if (i > 0) put_char(w, ',');
            put_newline(w, depth + 1);
            put_string(w, (const unsigned char *)k.s, k.len);
            put_char(w, ':');
            if (w->pretty) put_char(w, ' ');
            lua_rawgeti(L, w->anchor, k.slot);
            lua_rawget(L, t);
            put_value(w, lua_gettop(L), depth + 1);
            if (w->failed) return;
            lua_pop(L, 1);
        }
        put_newline(w, depth);
        put_char(w, '}');
        w->keys->len = base * sizeof(key_ref);
    }
    lua_pop(L, 1);
}

static void put_value(json_writer *w, int idx, int depth) {
    lua_State *L = w->L;
    switch (lua_type(L, idx)) {
    case LUA_TBOOLEAN:
        if (lua_toboolean(L, idx)) put(w, "true", 4); else put(w, "false", 5);
        return;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) { put_integer(w, lua_tointeger(L, idx)); return; }
        {
            char text[32];
            size_t n = ud_json_format_double(lua_tonumber(L, idx), text);
            if (!n) { w->failed = 1; return; }   // NaN, infinity, or digits C cannot be sure of
            put(w, text, n);
        }
        return;
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        put_string(w, (const unsigned char *)s, len);
        return;
    }
    case LUA_TTABLE:
        put_table(w, idx, depth);
        return;
    case LUA_TUSERDATA:
        if (ud_is_null(L, idx)) { put(w, "null", 4); return; }
        w->failed = 1;   // a secret, or another userdata
        return;
    default:
        w->failed = 1;   // a function, a thread, light userdata
        return;
    }
}

// The options argument, when it is absent, nil, or a plain table of known options with
// values of the right type; 0 for anything else (Swift's to check or refuse).
static int read_options(lua_State *L, int idx, json_writer *w) {
    if (lua_isnoneornil(L, idx)) return 1;
    if (lua_type(L, idx) != LUA_TTABLE || ud_is_readonly(L, idx)) return 0;
    luaL_checkstack(L, 3, "json.encode");
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        size_t klen, vlen;
        const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &klen) : NULL;
        int ok = 0;
        if (k && klen == 6 && memcmp(k, "pretty", 6) == 0 && lua_type(L, -1) == LUA_TBOOLEAN) {
            w->pretty = lua_toboolean(L, -1);
            ok = 1;
        } else if (k && klen == 12 && memcmp(k, "invalid_utf8", 12) == 0 && lua_type(L, -1) == LUA_TSTRING) {
            const char *v = lua_tolstring(L, -1, &vlen);
            ok = 1;
            if (vlen == 5 && memcmp(v, "error", 5) == 0) w->invalid_utf8 = INVALID_UTF8_ERROR;
            else if (vlen == 6 && memcmp(v, "escape", 6) == 0) w->invalid_utf8 = INVALID_UTF8_LATIN1;
            else if (vlen == 7 && memcmp(v, "replace", 7) == 0) w->invalid_utf8 = INVALID_UTF8_REPLACE;
            else ok = 0;
        }
        lua_pop(L, 1);
        if (!ok) { lua_pop(L, 1); return 0; }
    }
    return 1;
}

// json.encode(value [, options]). Upvalue 1: the Swift host function (the path for
// everything else).
static int json_encode(lua_State *L) {
    int nargs = lua_gettop(L);
    if (nargs >= 1 && nargs <= 2 && !lua_isnil(L, 1)) {
        json_writer w = { L, NULL, NULL, 0, 0, 0, INVALID_UTF8_ERROR, 0 };
        if (read_options(L, 2, &w)) {
            w.out = buffer_new(L);
            w.keys = buffer_new(L);
            lua_newtable(L);
            w.anchor = lua_gettop(L);
            if (lua_rawgetp(L, LUA_REGISTRYINDEX, &ud_key_readonly) != LUA_TTABLE) { lua_pop(L, 1); lua_newtable(L); }
            w.proxies = lua_gettop(L);
            put_value(&w, 1, 0);
            if (!w.failed) {
                buffer_free(w.keys);
                buffer_shrink(w.out);
                lua_pushlstring(L, w.out->p ? w.out->p : "", w.out->len);
                buffer_free(w.out);
                return 1;
            }
            buffer_free(w.out);
            buffer_free(w.keys);
        }
        lua_settop(L, nargs);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, nargs, LUA_MULTRET);
    return lua_gettop(L);
}

lua_CFunction ud_json_encode_function(void) { return json_encode; }
