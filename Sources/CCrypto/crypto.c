// SHA-256 through libcrypto's EVP interface, the library opened on first use by CLazyLibs.
#include "CCrypto.h"
#include "CLazyLibs.h"
#include <openssl/evp.h>

static int (*p_EVP_Digest)(const void *, size_t, unsigned char *, unsigned int *, const EVP_MD *, ENGINE *);
static const EVP_MD *(*p_EVP_sha256)(void);
static EVP_MD_CTX *(*p_EVP_MD_CTX_new)(void);
static void (*p_EVP_MD_CTX_free)(EVP_MD_CTX *);
static int (*p_EVP_DigestInit_ex)(EVP_MD_CTX *, const EVP_MD *, ENGINE *);
static int (*p_EVP_DigestUpdate)(EVP_MD_CTX *, const void *, size_t);
static int (*p_EVP_DigestFinal_ex)(EVP_MD_CTX *, unsigned char *, unsigned int *);

static const struct ud_lazy_symbol crypto_symbols[] = {
    { "EVP_Digest", (void **)&p_EVP_Digest },
    { "EVP_sha256", (void **)&p_EVP_sha256 },
    { "EVP_MD_CTX_new", (void **)&p_EVP_MD_CTX_new },
    { "EVP_MD_CTX_free", (void **)&p_EVP_MD_CTX_free },
    { "EVP_DigestInit_ex", (void **)&p_EVP_DigestInit_ex },
    { "EVP_DigestUpdate", (void **)&p_EVP_DigestUpdate },
    { "EVP_DigestFinal_ex", (void **)&p_EVP_DigestFinal_ex },
};

static struct ud_lazy_library crypto_library = {
    .soname = "libcrypto.so.3", .package = "libssl3",
    .symbols = crypto_symbols, .count = sizeof crypto_symbols / sizeof crypto_symbols[0],
};

const char *ud_lazy_crypto(void) { return ud_lazy_open(&crypto_library); }

// A digest unidesk cannot compute would be a wrong plan digest or checksum: without the
// library, hashing stops the process with what to install (it ships with libcurl and libpq,
// so an installation that runs unidesk at all has it).
static void require_crypto(void) {
    if (ud_lazy_crypto() != NULL) ud_lazy_unloaded(&crypto_library, "SHA-256");
}

int ud_sha256(const void *data, size_t len, unsigned char out[32]) {
    require_crypto();
    unsigned int n = 0;
    return p_EVP_Digest(data, len, out, &n, p_EVP_sha256(), NULL);
}

ud_sha256_ctx *ud_sha256_begin(void) {
    require_crypto();
    EVP_MD_CTX *c = p_EVP_MD_CTX_new();
    if (c && p_EVP_DigestInit_ex(c, p_EVP_sha256(), NULL) != 1) { p_EVP_MD_CTX_free(c); return NULL; }
    return (ud_sha256_ctx *)c;
}

int ud_sha256_update(ud_sha256_ctx *c, const void *data, size_t len) {
    return p_EVP_DigestUpdate((EVP_MD_CTX *)c, data, len);
}

int ud_sha256_end(ud_sha256_ctx *c, unsigned char out[32]) {
    unsigned int n = 0;
    int ok = p_EVP_DigestFinal_ex((EVP_MD_CTX *)c, out, &n);
    p_EVP_MD_CTX_free((EVP_MD_CTX *)c);
    return ok;
}
