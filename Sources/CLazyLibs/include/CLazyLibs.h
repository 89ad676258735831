#pragma once
// libcurl, libpq and libcrypto are loaded on first use (dlopen), not at start-up: together they pull
// in some 40 shared objects whose loading and symbol relocation were half of the start-up
// of a recipe that never touches the network or a database (docs/benchmarks.md, cold start).
// CCurl, CLibPQ and CCrypto define the functions unidesk calls under their own names, hidden from the
// dynamic symbol table, forwarding through the pointers this fills.
// What curl.c and libpq.c share: open a library once, look its functions up, and keep the
// reason when that fails.
#include <stddef.h>

struct ud_lazy_symbol {
    const char *name;
    void **slot;
};

struct ud_lazy_library {
    const char *soname;          // e.g. "libcurl.so.4"
    const char *package;         // the Debian package that ships it, for the error message
    const struct ud_lazy_symbol *symbols;
    size_t count;
    char error[512];             // empty when loaded
    int state;                   // 0 not tried, 1 loaded, -1 failed
};

/// Opens the library and fills every slot, once (thread-safe). NULL on success, else the
/// library's error text.
const char *ud_lazy_open(struct ud_lazy_library *lib);

/// Called by a forwarding function whose library is not loaded although the caller should
/// have checked (ud_lazy_curl / ud_lazy_libpq) first, or by a function that cannot do without
/// it (SHA-256): stops the process with the reason.
void ud_lazy_unloaded(struct ud_lazy_library *lib, const char *function) __attribute__((noreturn));

/// What every forwarding function checks first: the library is loaded, else stop (above).
static inline void ud_lazy_require(struct ud_lazy_library *lib, const char *function) {
    if (__atomic_load_n(&lib->state, __ATOMIC_ACQUIRE) != 1) ud_lazy_unloaded(lib, function);
}
