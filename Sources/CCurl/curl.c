// libcurl on first use: the functions unidesk calls, under libcurl's own names, forwarding
// through pointers CLazyLibs fills from dlopen("libcurl.so.4"). They are hidden, so they are
// not in unidesk's dynamic symbol table and never stand in for libcurl's own symbols.
#define CURL_DISABLE_TYPECHECK 1
#pragma GCC visibility push(hidden)
#include "CCurl.h"
#pragma GCC visibility pop
#include "CLazyLibs.h"

// Each function unidesk calls: return type, name, parameters, arguments.
#define UD_CURL_FUNCTIONS(X) \
    X(CURLcode, curl_global_init, (long flags), (flags)) \
    X(CURL *, curl_easy_init, (void), ()) \
    X(void, curl_easy_cleanup, (CURL *h), (h)) \
    X(const char *, curl_easy_strerror, (CURLcode c), (c)) \
    X(CURLM *, curl_multi_init, (void), ()) \
    X(CURLMcode, curl_multi_cleanup, (CURLM *m), (m)) \
    X(CURLMcode, curl_multi_add_handle, (CURLM *m, CURL *h), (m, h)) \
    X(CURLMcode, curl_multi_remove_handle, (CURLM *m, CURL *h), (m, h)) \
    X(CURLMsg *, curl_multi_info_read, (CURLM *m, int *left), (m, left)) \
    X(CURLMcode, curl_multi_perform, (CURLM *m, int *running), (m, running)) \
    X(CURLMcode, curl_multi_poll, (CURLM *m, struct curl_waitfd extra[], unsigned n, int ms, int *numfds), (m, extra, n, ms, numfds)) \
    X(struct curl_slist *, curl_slist_append, (struct curl_slist *l, const char *s), (l, s)) \
    X(void, curl_slist_free_all, (struct curl_slist *l), (l))

#define UD_POINTER(ret, name, params, args) static ret (*p_##name) params;
UD_CURL_FUNCTIONS(UD_POINTER)
// The variadic ones, called only by the typed wrappers below.
static CURLcode (*p_curl_easy_setopt)(CURL *, CURLoption, ...);
static CURLcode (*p_curl_easy_getinfo)(CURL *, CURLINFO, ...);
static CURLMcode (*p_curl_multi_setopt)(CURLM *, CURLMoption, ...);

#define UD_SYMBOL(ret, name, params, args) { #name, (void **)&p_##name },
static const struct ud_lazy_symbol curl_symbols[] = {
    UD_CURL_FUNCTIONS(UD_SYMBOL)
    { "curl_easy_setopt", (void **)&p_curl_easy_setopt },
    { "curl_easy_getinfo", (void **)&p_curl_easy_getinfo },
    { "curl_multi_setopt", (void **)&p_curl_multi_setopt },
};

static struct ud_lazy_library curl_library = {
    .soname = "libcurl.so.4", .package = "libcurl4",
    .symbols = curl_symbols, .count = sizeof curl_symbols / sizeof curl_symbols[0],
};

const char *ud_lazy_curl(void) { return ud_lazy_open(&curl_library); }

// curl_global_init, curl_easy_init and curl_multi_init are where libcurl is first needed:
// they load it and fail as libcurl fails (an error code, NULL) when it cannot be loaded; the
// Swift side asks ud_lazy_curl() for the reason. Every other function receives a handle
// one of these made, so the library is there.

CURLcode curl_global_init(long flags) {
    if (ud_lazy_curl() != NULL) return CURLE_FAILED_INIT;
    return p_curl_global_init(flags);
}
CURL *curl_easy_init(void) {
    if (ud_lazy_curl() != NULL) return NULL;
    return p_curl_easy_init();
}
CURLM *curl_multi_init(void) {
    if (ud_lazy_curl() != NULL) return NULL;
    return p_curl_multi_init();
}

#define UD_LOADED() ud_lazy_require(&curl_library, __func__)

void curl_easy_cleanup(CURL *h) { UD_LOADED(); p_curl_easy_cleanup(h); }
const char *curl_easy_strerror(CURLcode c) {
    // Also reached for an error of curl_global_init that happened because loading failed.
    if (ud_lazy_curl() != NULL) return curl_library.error;
    return p_curl_easy_strerror(c);
}
CURLMcode curl_multi_cleanup(CURLM *m) { UD_LOADED(); return p_curl_multi_cleanup(m); }
CURLMcode curl_multi_add_handle(CURLM *m, CURL *h) { UD_LOADED(); return p_curl_multi_add_handle(m, h); }
CURLMcode curl_multi_remove_handle(CURLM *m, CURL *h) { UD_LOADED(); return p_curl_multi_remove_handle(m, h); }
CURLMsg *curl_multi_info_read(CURLM *m, int *left) { UD_LOADED(); return p_curl_multi_info_read(m, left); }
CURLMcode curl_multi_perform(CURLM *m, int *running) { UD_LOADED(); return p_curl_multi_perform(m, running); }
CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd extra[], unsigned n, int ms, int *numfds) {
    UD_LOADED();
    return p_curl_multi_poll(m, extra, n, ms, numfds);
}
struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s) {
    // Headers are built before the first handle: load here too.
    if (ud_lazy_curl() != NULL) return NULL;
    return p_curl_slist_append(l, s);
}
void curl_slist_free_all(struct curl_slist *l) { if (l != NULL) { UD_LOADED(); p_curl_slist_free_all(l); } }

CURLcode ud_curl_set_long(CURL *h, CURLoption o, long v) { UD_LOADED(); return p_curl_easy_setopt(h, o, v); }
CURLcode ud_curl_set_str(CURL *h, CURLoption o, const char *v) { UD_LOADED(); return p_curl_easy_setopt(h, o, v); }
CURLcode ud_curl_set_ptr(CURL *h, CURLoption o, void *v) { UD_LOADED(); return p_curl_easy_setopt(h, o, v); }
CURLcode ud_curl_set_slist(CURL *h, CURLoption o, struct curl_slist *v) { UD_LOADED(); return p_curl_easy_setopt(h, o, v); }
CURLcode ud_curl_set_datafn(CURL *h, CURLoption o, ud_curl_data_cb f) { UD_LOADED(); return p_curl_easy_setopt(h, o, f); }
CURLcode ud_curl_set_blob(CURL *h, CURLoption o, void *data, size_t len) {
    UD_LOADED();
    struct curl_blob b = { data, len, CURL_BLOB_COPY };
    return p_curl_easy_setopt(h, o, &b);
}
long ud_curl_response_code(CURL *h) { UD_LOADED(); long c = 0; p_curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c); return c; }
long ud_curl_http_version(CURL *h) { UD_LOADED(); long v = 0; p_curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &v); return v; }
double ud_curl_total_time(CURL *h) { UD_LOADED(); double t = 0; p_curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &t); return t; }
long ud_curl_num_connects(CURL *h) { UD_LOADED(); long n = 0; p_curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &n); return n; }
CURLMcode ud_curlm_set_long(CURLM *m, CURLMoption o, long v) { UD_LOADED(); return p_curl_multi_setopt(m, o, v); }
void *ud_curl_private(CURL *h) { UD_LOADED(); char *p = NULL; p_curl_easy_getinfo(h, CURLINFO_PRIVATE, &p); return p; }
CURLcode ud_curl_set_private(CURL *h, void *p) { UD_LOADED(); return p_curl_easy_setopt(h, CURLOPT_PRIVATE, p); }
