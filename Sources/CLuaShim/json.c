// json.decode's fast path: parses JSON text and builds the Lua values as it goes.
//
// The Swift path (UnideskData's JSONParser, then LuaData.toLua, then the queued results of
// ValueWriter) copies the document twice before Lua sees it. This decoder is a plain Lua C
// function: it runs on a Lua stack with no Swift frame beneath it, so a memory error raised
// while it builds tables unwinds C frames only.
//
// It handles only what it can decode exactly as the Swift path would: one string argument
// holding a well-formed document whose strings are valid UTF-8 and whose numbers are
// finite. Anything else (a wrong argument, malformed JSON, invalid UTF-8, a number out of
// range, nesting past the limit) is handed, arguments unchanged, to the Swift host function
// (its upvalue), which raises the structured error with line and column, or replaces
// invalid UTF-8, exactly as before. Errors are rare, so decoding twice then costs nothing
// that matters, and the two paths cannot disagree about what an error says.
#include "internal.h"
#include <math.h>
#include <string.h>

enum { JSON_MAX_DEPTH = 512 };   // JSONParser.maxDepth

typedef struct {
    lua_State *L;
    const unsigned char *p, *end;
    int failed;                  // hand over to the Swift path
} json_reader;

static void skip_ws(json_reader *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t')) r->p++;
}

static int hex4(const unsigned char *p, const unsigned char *end, unsigned *out) {
    if (end - p < 4) return 0;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = p[i];
        unsigned d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return 0;
        v = v << 4 | d;
    }
    *out = v;
    return 1;
}

static void add_utf8(luaL_Buffer *b, unsigned cp) {
    char s[4];
    size_t n;
    if (cp < 0x80) { s[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { s[0] = (char)(0xC0 | cp >> 6); s[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        s[0] = (char)(0xE0 | cp >> 12); s[1] = (char)(0x80 | (cp >> 6 & 0x3F)); s[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        s[0] = (char)(0xF0 | cp >> 18); s[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        s[2] = (char)(0x80 | (cp >> 6 & 0x3F)); s[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    luaL_addlstring(b, s, n);
}

// At the opening quote. Pushes the string, or sets failed (pushing nothing).
static void read_string(json_reader *r) {
    const unsigned char *start = ++r->p;
    const unsigned char *p = start;
    // Fast path: no escape, as most strings are; pushed straight from the input.
    while (p < r->end) {
        unsigned char c = *p;
        if (c == '"') {
            lua_pushlstring(r->L, (const char *)start, (size_t)(p - start));
            r->p = p + 1;
            return;
        }
        if (c == '\\') break;
        if (c < 0x20) { r->failed = 1; return; }
        if (c < 0x80) { p++; continue; }
        size_t n = ud_utf8_sequence(p, r->end);
        if (n == 0) { r->failed = 1; return; }
        p += n;
    }
    if (p >= r->end) { r->failed = 1; return; }
    luaL_Buffer b;
    luaL_buffinit(r->L, &b);
    luaL_addlstring(&b, (const char *)start, (size_t)(p - start));
    while (p < r->end) {
        unsigned char c = *p;
        if (c == '"') {
            luaL_pushresult(&b);
            r->p = p + 1;
            return;
        }
        if (c == '\\') {
            if (r->end - p < 2) break;
            unsigned char e = p[1];
            p += 2;
            switch (e) {
            case '"': case '\\': case '/': luaL_addchar(&b, (char)e); break;
            case 'b': luaL_addchar(&b, '\b'); break;
            case 'f': luaL_addchar(&b, '\f'); break;
            case 'n': luaL_addchar(&b, '\n'); break;
            case 'r': luaL_addchar(&b, '\r'); break;
            case 't': luaL_addchar(&b, '\t'); break;
            case 'u': {
                unsigned cp;
                if (!hex4(p, r->end, &cp)) goto fail;
                p += 4;
                if (cp >= 0xDC00 && cp <= 0xDFFF) goto fail;        // a lone low surrogate
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    unsigned low;
                    if (r->end - p < 6 || p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, r->end, &low)) goto fail;
                    if (low < 0xDC00 || low > 0xDFFF) goto fail;
                    p += 6;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                add_utf8(&b, cp);
                break;
            }
            default: goto fail;
            }
            continue;
        }
        if (c < 0x20) goto fail;
        size_t n = c < 0x80 ? 1 : ud_utf8_sequence(p, r->end);
        if (n == 0) goto fail;
        luaL_addlstring(&b, (const char *)p, n);
        p += n;
    }
fail:
    // The buffer's slot (a box, or nothing) must go: the caller resets the stack anyway.
    r->failed = 1;
}

// Pushes the number at r->p: an integer when it is one that fits in 64 bits, else a float
// (as JSONParser: Int64 first, Double when the digits overflow it; an infinite result is
// its "out of range" error, so handed over).
static void read_number(json_reader *r) {
    const unsigned char *start = r->p, *p = r->p;
    if (*p == '-') p++;
    if (p >= r->end || *p < '0' || *p > '9') { r->failed = 1; return; }
    if (*p == '0') {
        p++;
        if (p < r->end && *p >= '0' && *p <= '9') { r->failed = 1; return; }
    } else {
        while (p < r->end && *p >= '0' && *p <= '9') p++;
    }
    int integer = 1;
    if (p < r->end && *p == '.') {
        integer = 0;
        p++;
        if (p >= r->end || *p < '0' || *p > '9') { r->failed = 1; return; }
        while (p < r->end && *p >= '0' && *p <= '9') p++;
    }
    if (p < r->end && (*p | 0x20) == 'e') {
        integer = 0;
        p++;
        if (p < r->end && (*p == '+' || *p == '-')) p++;
        if (p >= r->end || *p < '0' || *p > '9') { r->failed = 1; return; }
        while (p < r->end && *p >= '0' && *p <= '9') p++;
    }
    r->p = p;
    size_t len = (size_t)(p - start);
    if (integer && len <= 18) {   // at most 18 digits: fits in int64 without a check
        const unsigned char *d = start + (*start == '-');
        long long v = 0;
        for (; d < p; d++) v = v * 10 + (*d - '0');
        lua_pushinteger(r->L, *start == '-' ? -v : v);
        return;
    }
    // Longer integers and every float: lua_stringtonumber reads an integer when it fits
    // in 64 bits and a correctly rounded float otherwise, as Int64 then Double(text) do.
    char text[128];
    if (len >= sizeof text) { r->failed = 1; return; }   // rare: let Swift read it
    memcpy(text, start, len);
    text[len] = '\0';
    if (lua_stringtonumber(r->L, text) != len + 1) { r->failed = 1; return; }
    if (!lua_isinteger(r->L, -1) && isinf(lua_tonumber(r->L, -1))) { lua_pop(r->L, 1); r->failed = 1; return; }
}

static int literal(json_reader *r, const char *word, size_t n) {
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0) { r->failed = 1; return 0; }
    r->p += n;
    return 1;
}

// Pushes one value, or sets failed (the stack above the caller's top is then garbage the
// caller discards).
static void read_value(json_reader *r, int depth) {
    lua_State *L = r->L;
    if (r->p >= r->end) { r->failed = 1; return; }
    switch (*r->p) {
    case '{': {
        if (depth + 1 > JSON_MAX_DEPTH) { r->failed = 1; return; }
        luaL_checkstack(L, 4, "json.decode");
        r->p++;
        lua_newtable(L);
        skip_ws(r);
        if (r->p < r->end && *r->p == '}') { r->p++; return; }
        for (;;) {
            skip_ws(r);
            if (r->p >= r->end || *r->p != '"') { r->failed = 1; return; }
            read_string(r);
            if (r->failed) return;
            skip_ws(r);
            if (r->p >= r->end || *r->p != ':') { r->failed = 1; return; }
            r->p++;
            skip_ws(r);
            read_value(r, depth + 1);
            if (r->failed) return;
            lua_rawset(L, -3);   // a repeated key: the last value wins, as in JSONParser
            skip_ws(r);
            if (r->p >= r->end) { r->failed = 1; return; }
            if (*r->p == ',') { r->p++; continue; }
            if (*r->p == '}') { r->p++; return; }
            r->failed = 1;
            return;
        }
    }
    case '[': {
        if (depth + 1 > JSON_MAX_DEPTH) { r->failed = 1; return; }
        luaL_checkstack(L, 4, "json.decode");
        r->p++;
        lua_newtable(L);
        skip_ws(r);
        if (r->p < r->end && *r->p == ']') { r->p++; return; }
        for (lua_Integer i = 1;; i++) {
            skip_ws(r);
            read_value(r, depth + 1);
            if (r->failed) return;
            lua_rawseti(L, -2, i);
            skip_ws(r);
            if (r->p >= r->end) { r->failed = 1; return; }
            if (*r->p == ',') { r->p++; continue; }
            if (*r->p == ']') { r->p++; return; }
            r->failed = 1;
            return;
        }
    }
    case '"': read_string(r); return;
    case 't': if (literal(r, "true", 4)) lua_pushboolean(L, 1); return;
    case 'f': if (literal(r, "false", 5)) lua_pushboolean(L, 0); return;
    case 'n': if (literal(r, "null", 4)) ud_push_null(L); return;
    default:
        if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9')) { read_number(r); return; }
        r->failed = 1;
        return;
    }
}

// json.decode(text). Upvalue 1: the Swift host function (the path for everything else).
static int json_decode(lua_State *L) {
    int nargs = lua_gettop(L);
    if (nargs == 1 && lua_type(L, 1) == LUA_TSTRING) {
        size_t len;
        const unsigned char *s = (const unsigned char *)lua_tolstring(L, 1, &len);
        json_reader r = { L, s, s + len, 0 };
        if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) r.p += 3;   // a BOM
        skip_ws(&r);
        read_value(&r, 0);
        if (!r.failed) {
            skip_ws(&r);
            if (r.p == r.end) return 1;
        }
        lua_settop(L, nargs);
    }
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, nargs, LUA_MULTRET);
    return lua_gettop(L);
}

lua_CFunction ud_json_decode_function(void) { return json_decode; }
