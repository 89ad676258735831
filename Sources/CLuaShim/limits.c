// Wall-clock deadline, memory-limit trip and interrupt.
//
// While nothing has fired the VM runs with no hook at all (a permanent count hook slows the
// 5.4 VM ~1.9x). At the deadline a POSIX timer signals the Lua thread; the handler arms a
// count=1 hook on the running thread, and the hook raises. After a limit fires, the hook
// stays armed with count 1, so every further instruction raises again, and the sandbox's
// pcall/xpcall/coroutine.resume re-raise it: a script cannot swallow a limit.
#define _GNU_SOURCE  /* gettid, SIGEV_THREAD_ID: must precede every #include */
#include "internal.h"
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

#define UD_SIG_SOFT (SIGRTMIN + 3)
#define UD_SIG_HARD (SIGRTMIN + 4)

static char hard_message[512];
static size_t hard_message_len;
static int hard_exit_code = 4;

double ud_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *limit_message(ud_limit which) {
    switch (which) {
    case UD_LIMIT_DEADLINE: return "deadline exceeded";
    case UD_LIMIT_MEMORY: return "memory limit exceeded";
    case UD_LIMIT_INTERRUPT: return "interrupted";
    default: return "limit exceeded";
    }
}

static void limit_hook(lua_State *L, lua_Debug *ar);

void ud_arm_hook(lua_State *L) { lua_sethook(L, limit_hook, LUA_MASKCOUNT, 1); }

void ud_trip(ud_state *s, ud_limit which) {
    if (s->tripped == UD_LIMIT_NONE) s->tripped = which;
    lua_State *cur = s->current;
    if (cur) ud_arm_hook(cur);
    if (s->main && s->main != cur) ud_arm_hook(s->main);
}

int ud_raise_limit(lua_State *L) {
    ud_state *s = ud_S(L);
    ud_arm_hook(L);
    if (s->main != L) ud_arm_hook(s->main);
    lua_pushstring(L, limit_message((ud_limit)s->tripped));
    return lua_error(L);
}

static void limit_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    ud_state *s = ud_S(L);
    if (s->tripped == UD_LIMIT_NONE) {
        if (atomic_load_explicit(&s->interrupt_requested, memory_order_relaxed))
            s->tripped = UD_LIMIT_INTERRUPT;
        else if (s->deadline > 0 && ud_now() >= s->deadline)
            s->tripped = UD_LIMIT_DEADLINE;
        else { lua_sethook(L, NULL, 0, 0); return; }  // stale signal: disarm, run on
    }
    ud_raise_limit(L);
}

ud_limit ud_tripped(lua_State *L) { return (ud_limit)ud_S(L)->tripped; }

void ud_check_limits_soon(lua_State *L) {
    ud_state *s = ud_S(L);
    lua_State *cur = s->current;
    if (cur) ud_arm_hook(cur);
    if (s->main && s->main != cur) ud_arm_hook(s->main);
}

/* ---- signals ---- */

static void on_soft(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)uc;
    ud_state *s = si->si_value.sival_ptr;
    // lua_sethook is async-signal-safe by design (lua.c's laction relies on it).
    if (s) {
        lua_State *cur = s->current;
        if (cur) ud_arm_hook(cur);
        if (s->main && s->main != cur) ud_arm_hook(s->main);
    }
}

typedef struct { char *path, *tmp, *body; size_t len; } hard_file;
static hard_file hard_files[2];

int ud_hardstop_add_file(const char *path, const char *content, size_t len) {
    if (!path) {
        for (int i = 0; i < 2; i++) {
            free(hard_files[i].path); free(hard_files[i].tmp); free(hard_files[i].body);
            memset(&hard_files[i], 0, sizeof hard_files[i]);
        }
        return 0;
    }
    for (int i = 0; i < 2; i++) {
        if (hard_files[i].path) continue;
        size_t n = strlen(path);
        char *p = malloc(n + 1), *t = malloc(n + 16), *b = malloc(len ? len : 1);
        if (!p || !t || !b) { free(p); free(t); free(b); return -1; }
        memcpy(p, path, n + 1);
        snprintf(t, n + 16, "%s.hardstop", path);
        if (len) memcpy(b, content, len);
        hard_files[i] = (hard_file){ p, t, b, len };
        return 0;
    }
    return -1;
}

static void on_hard(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)si; (void)uc;
    // Only async-signal-safe calls: the process is stuck where no hook reaches.
    ssize_t w = write(2, hard_message, hard_message_len);
    (void)w;
    for (int i = 0; i < 2; i++) {
        hard_file *f = &hard_files[i];
        if (!f->path) continue;
        int fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) continue;
        size_t off = 0;
        while (off < f->len) {
            ssize_t n = write(fd, f->body + off, f->len - off);
            if (n <= 0) break;
            off += (size_t)n;
        }
        close(fd);
        if (off == f->len) rename(f->tmp, f->path); else unlink(f->tmp);
    }
    _exit(hard_exit_code);
}

static int install_handlers(void) {
    static int installed = 0;
    if (installed) return 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sa.sa_sigaction = on_soft;
    if (sigaction(UD_SIG_SOFT, &sa, NULL) != 0) return -1;
    sa.sa_sigaction = on_hard;
    if (sigaction(UD_SIG_HARD, &sa, NULL) != 0) return -1;
    installed = 1;
    return 0;
}

static int arm_timer(timer_t *t, int *has, int signo, void *value, double seconds) {
    if (!*has) {
        struct sigevent sev;
        memset(&sev, 0, sizeof sev);
        sev.sigev_notify = SIGEV_THREAD_ID;
        sev.sigev_signo = signo;
        sev.sigev_value.sival_ptr = value;
        sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);   // the thread that runs Lua
        if (timer_create(CLOCK_MONOTONIC, &sev, t) != 0) return -1;
        *has = 1;
    }
    if (seconds < 0.001) seconds = 0.001;
    struct itimerspec its;
    memset(&its, 0, sizeof its);
    its.it_value.tv_sec = (time_t)seconds;
    its.it_value.tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9);
    return timer_settime(*t, 0, &its, NULL);
}

int ud_deadline_start(lua_State *L, double seconds, double hard_grace,
                      const char *message, int exit_code) {
    ud_state *s = ud_S(L);
    if (install_handlers() != 0) return -1;
    // Worker threads (libdispatch, test runners) start with signals blocked.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, UD_SIG_SOFT);
    sigaddset(&set, UD_SIG_HARD);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    size_t n = message ? strlen(message) : 0;
    if (n >= sizeof hard_message) n = sizeof hard_message - 1;
    if (n) memcpy(hard_message, message, n);
    hard_message_len = n;
    hard_exit_code = exit_code;
    s->deadline = ud_now() + seconds;
    if (arm_timer(&s->soft_timer, &s->has_soft_timer, UD_SIG_SOFT, s, seconds) != 0) return -1;
    return arm_timer(&s->hard_timer, &s->has_hard_timer, UD_SIG_HARD, s, seconds + hard_grace);
}

void ud_deadline_stop_timers(ud_state *s) {
    if (s->has_soft_timer) { timer_delete(s->soft_timer); s->has_soft_timer = 0; }
    if (s->has_hard_timer) { timer_delete(s->hard_timer); s->has_hard_timer = 0; }
}

void ud_deadline_stop(lua_State *L) { ud_deadline_stop_timers(ud_S(L)); }

double ud_deadline_remaining(lua_State *L) {
    ud_state *s = ud_S(L);
    if (s->deadline <= 0) return 1e12;
    double left = s->deadline - ud_now();
    return left > 0 ? left : 0;
}

void ud_interrupt(lua_State *L) {
    ud_state *s = ud_S(L);
    atomic_store(&s->interrupt_requested, 1);
    lua_State *cur = s->current;
    if (cur) ud_arm_hook(cur);
    if (s->main != cur) ud_arm_hook(s->main);
}

void ud_reset_limits(lua_State *L) {
    ud_state *s = ud_S(L);
    ud_deadline_stop_timers(s);
    s->tripped = UD_LIMIT_NONE;
    s->deadline = 0;
    atomic_store(&s->interrupt_requested, 0);
    s->current = s->main;
    lua_sethook(s->main, NULL, 0, 0);
}
