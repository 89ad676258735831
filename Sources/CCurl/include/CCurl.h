#pragma once
// libcurl, loaded on first use (curl.c): the functions unidesk calls are defined there under
// libcurl's names, hidden, forwarding to the library; ud_lazy_curl() loads it and says why not.
// libcurl's setopt/getinfo are C variadics, which Swift cannot call: typed wrappers, also
// defined in curl.c.
#include <curl/curl.h>

/// Loads libcurl if it is not loaded yet: NULL when usable, else why not (what to install).
const char *ud_lazy_curl(void);

typedef size_t (*ud_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);

CURLcode ud_curl_set_long(CURL *h, CURLoption o, long v);
CURLcode ud_curl_set_str(CURL *h, CURLoption o, const char *v);
CURLcode ud_curl_set_ptr(CURL *h, CURLoption o, void *v);
CURLcode ud_curl_set_slist(CURL *h, CURLoption o, struct curl_slist *v);
CURLcode ud_curl_set_datafn(CURL *h, CURLoption o, ud_curl_data_cb f);
CURLcode ud_curl_set_blob(CURL *h, CURLoption o, void *data, size_t len);
long ud_curl_response_code(CURL *h);
long ud_curl_http_version(CURL *h);
double ud_curl_total_time(CURL *h);
long ud_curl_num_connects(CURL *h);
CURLMcode ud_curlm_set_long(CURLM *m, CURLMoption o, long v);
void *ud_curl_private(CURL *h);
CURLcode ud_curl_set_private(CURL *h, void *p);
