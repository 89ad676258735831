#pragma once
// SHA-256 from OpenSSL's libcrypto (manifest digests, plan digests, snapshot checksums),
// loaded on first use (crypto.c): not linked, so a run that hashes nothing does not pay for
// loading and relocating it at start-up.
#include <stddef.h>

/// Loads libcrypto if it is not loaded yet: NULL when usable, else why not (what to install).
const char *ud_lazy_crypto(void);

/// SHA-256 of `len` bytes into `out`: 1 done, 0 failed.
int ud_sha256(const void *data, size_t len, unsigned char out[32]);

/// Streaming SHA-256 (snapshot tars are hashed as they stream through). An opaque context;
/// NULL when libcrypto could not be loaded or allocate one.
typedef struct ud_sha256_ctx ud_sha256_ctx;
ud_sha256_ctx *ud_sha256_begin(void);
int ud_sha256_update(ud_sha256_ctx *c, const void *data, size_t len);
/// Writes the digest and frees the context.
int ud_sha256_end(ud_sha256_ctx *c, unsigned char out[32]);
