#pragma once
// libcurl's setopt/getinfo are C variadics, which Swift cannot call: typed wrappers.
#include <curl/curl.h>

typedef size_t (*ud_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode ud_curl_set_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ud_curl_set_str(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ud_curl_set_ptr(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ud_curl_set_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode ud_curl_set_datafn(CURL *h, CURLoption o, ud_curl_data_cb f) { return curl_easy_setopt(h, o, f); }
static inline CURLcode ud_curl_set_blob(CURL *h, CURLoption o, void *data, size_t len) {
    struct curl_blob b = { data, len, CURL_BLOB_COPY };
    return curl_easy_setopt(h, o, &b);
}
static inline long ud_curl_response_code(CURL *h) { long c = 0; curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c); return c; }
static inline long ud_curl_http_version(CURL *h) { long v = 0; curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &v); return v; }
static inline double ud_curl_total_time(CURL *h) { double t = 0; curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &t); return t; }
static inline long ud_curl_num_connects(CURL *h) { long n = 0; curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &n); return n; }
static inline CURLMcode ud_curlm_set_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
static inline void *ud_curl_private(CURL *h) { char *p = NULL; curl_easy_getinfo(h, CURLINFO_PRIVATE, &p); return p; }
static inline CURLcode ud_curl_set_private(CURL *h, void *p) { return curl_easy_setopt(h, CURLOPT_PRIVATE, p); }
