#include "CLazyLibs.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t ud_lazy_lock = PTHREAD_MUTEX_INITIALIZER;

const char *ud_lazy_open(struct ud_lazy_library *lib) {
    // The state is read without the lock only once it is final (1 or -1).
    int state = __atomic_load_n(&lib->state, __ATOMIC_ACQUIRE);
    if (state == 0) {
        pthread_mutex_lock(&ud_lazy_lock);
        if (lib->state == 0) {
            // RTLD_LOCAL: its symbols serve only the lookups below, never other libraries.
            void *handle = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
            int ok = handle != NULL;
            if (!ok) {
                const char *why = dlerror();
                snprintf(lib->error, sizeof lib->error, "cannot load %s (%s): install Debian's %s package",
                         lib->soname, why ? why : "not found", lib->package);
            }
            for (size_t i = 0; ok && i < lib->count; i++) {
                void *f = dlsym(handle, lib->symbols[i].name);
                if (f == NULL) {
                    snprintf(lib->error, sizeof lib->error, "%s has no function %s: a newer %s package is needed",
                             lib->soname, lib->symbols[i].name, lib->package);
                    ok = 0;
                } else {
                    *lib->symbols[i].slot = f;
                }
            }
            __atomic_store_n(&lib->state, ok ? 1 : -1, __ATOMIC_RELEASE);
        }
        state = lib->state;
        pthread_mutex_unlock(&ud_lazy_lock);
    }
    return state == 1 ? NULL : lib->error;
}

void ud_lazy_unloaded(struct ud_lazy_library *lib, const char *function) {
    if (lib->error[0]) fprintf(stderr, "unidesk: %s needs %s, but %s\n", function, lib->soname, lib->error);
    else fprintf(stderr, "unidesk: internal error: %s called before %s was loaded\n", function, lib->soname);
    abort();
}
