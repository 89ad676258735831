#pragma once
// OpenSSL's libcrypto, for SHA-256 (manifest digests, later snapshot checksums).
#include <openssl/evp.h>

static inline int ud_sha256(const void *data, size_t len, unsigned char out[32]) {
    unsigned int n = 0;
    return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}
