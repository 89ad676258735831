#pragma once
// OpenSSL's libcrypto, for SHA-256 (manifest digests, later snapshot checksums).
#include <openssl/evp.h>

static inline int ud_sha256(const void *data, size_t len, unsigned char out[32]) {
    unsigned int n = 0;
    return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

// Streaming SHA-256 (snapshot tars are hashed as they stream through).
static inline EVP_MD_CTX *ud_sha256_begin(void) {
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) { EVP_MD_CTX_free(c); return NULL; }
    return c;
}
static inline int ud_sha256_update(EVP_MD_CTX *c, const void *data, size_t len) {
    return EVP_DigestUpdate(c, data, len);
}
/// Writes the digest and frees the context.
static inline int ud_sha256_end(EVP_MD_CTX *c, unsigned char out[32]) {
    unsigned int n = 0;
    int ok = EVP_DigestFinal_ex(c, out, &n);
    EVP_MD_CTX_free(c);
    return ok;
}
