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
#include <errno.h>
#include "CSystem.h"

#define UD_SIG_SOFT (SIGRTMIN + 3)
#define UD_SIG_HARD (SIGRTMIN + 4)

static char hard_message[512];
static size_t hard_message_len;
static int hard_exit_code = 4;

// Stopping on SIGTERM/SIGINT (ud_stop_install). Hard-stop reasons: 0 the deadline,
// 1 SIGTERM, 2 SIGINT (a message, an exit code and files each).
enum { HR_DEADLINE = 0, HR_TERM = 1, HR_INT = 2, HR_COUNT = 3 };
static char stop_messages[HR_COUNT][512];
static size_t stop_message_lens[HR_COUNT];
static int stop_exit_code = 4;
static double stop_grace = 20;
static pid_t lua_tid;                        // the thread that runs Lua (the installer)
static timer_t stop_timer;
static int has_stop_timer;
static ud_state *volatile active_state;      // the run's state while it runs
static volatile sig_atomic_t hard_files_written;  // the real reports are written: keep them

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
        if (atomic_load_explicit(&s->interrupt_requested, memory_order_relaxed) || ud_stop_signal())
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
    // From the deadline's timer: the state is its value. From the stop handler (tgkill to
    // this thread): the run's state, which only this thread sets and clears.
    ud_state *s = si->si_code == SI_TIMER ? si->si_value.sival_ptr : active_state;
    // lua_sethook is async-signal-safe by design (lua.c's laction relies on it).
    if (s) {
        lua_State *cur = s->current;
        if (cur) ud_arm_hook(cur);
        if (s->main && s->main != cur) ud_arm_hook(s->main);
    }
}

typedef struct { char *path, *tmp, *body; size_t len; int in_place; } hard_file;
#define HARD_FILES 3
static hard_file hard_files[HR_COUNT][HARD_FILES];

/* Changes to the files happen on the Lua thread with the hard-stop signal blocked, and the
 * handler that reads them runs on that thread too (the timers and the stop handler direct
 * it there), so it never sees a half-made entry. */
static void block_hard(sigset_t *old) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, UD_SIG_HARD);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

int ud_hardstop_add_file_for(int reason, const char *path, const char *content, size_t len, int in_place) {
    sigset_t old;
    block_hard(&old);
    int rc = -1;
    if (!path) {
        for (int r = 0; r < HR_COUNT; r++)
            for (int i = 0; i < HARD_FILES; i++) {
                free(hard_files[r][i].path); free(hard_files[r][i].tmp); free(hard_files[r][i].body);
                memset(&hard_files[r][i], 0, sizeof hard_files[r][i]);
            }
        hard_files_written = 0;
        rc = 0;
    } else if (reason >= 0 && reason < HR_COUNT) {
        for (int i = 0; i < HARD_FILES; i++) {
            if (hard_files[reason][i].path) continue;
            size_t n = strlen(path);
            char *p = malloc(n + 1), *t = malloc(n + 16), *b = malloc(len ? len : 1);
            if (!p || !t || !b) { free(p); free(t); free(b); break; }
            memcpy(p, path, n + 1);
            snprintf(t, n + 16, "%s.hardstop", path);
            if (len) memcpy(b, content, len);
            hard_files[reason][i] = (hard_file){ p, t, b, len, in_place };
            rc = 0;
            break;
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

int ud_hardstop_add_file(const char *path, const char *content, size_t len) {
    return ud_hardstop_add_file_for(HR_DEADLINE, path, content, len, 0);
}

void ud_hardstop_files_written(void) { hard_files_written = 1; }

static void on_hard(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)si; (void)uc;
    // Only async-signal-safe calls: the process is stuck where no hook reaches.
    int stop = ud_stop_signal();
    int reason = stop == SIGTERM ? HR_TERM : stop == SIGINT ? HR_INT : HR_DEADLINE;
    ud_out_flush_before_exit();   // the buffered console lines come before the message
    ssize_t w = reason == HR_DEADLINE ? write(2, hard_message, hard_message_len)
                                      : write(2, stop_messages[reason], stop_message_lens[reason]);
    (void)w;
    for (int i = 0; i < HARD_FILES && !hard_files_written; i++) {
        hard_file *f = &hard_files[reason][i];
        if (!f->path) continue;
        if (f->in_place) {   // a file that cannot be replaced by a rename (/dev/termination-log)
            int fd = open(f->path, O_WRONLY | O_TRUNC | O_CLOEXEC);
            if (fd < 0) continue;
            ud_write_fully(fd, f->body, f->len, NULL);
            close(fd);
            continue;
        }
        int fd = open(f->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) continue;
        size_t written = ud_write_fully(fd, f->body, f->len, NULL);
        close(fd);
        if (written == f->len) rename(f->tmp, f->path); else unlink(f->tmp);
    }
    _exit(reason == HR_DEADLINE ? hard_exit_code : stop_exit_code);
}

/* SIGTERM (pod deletion) or SIGINT (Ctrl-C), on whichever thread the kernel picked. The
 * first one: the stop is recorded (waits wake through the stop pipe), the grace timer is
 * armed and the Lua thread is sent the soft signal, whose handler arms the limit hook there.
 * A second one: the hard stop at once, on the Lua thread. Async-signal-safe calls only. */
static void on_stop(int sig, siginfo_t *si, void *uc) {
    (void)si; (void)uc;
    int saved = errno;
    pid_t pid = getpid();
    if (ud_stop_signal()) {
        syscall(SYS_tgkill, pid, lua_tid, UD_SIG_HARD);
        errno = saved;
        return;
    }
    ud_stop_request(sig);
    if (has_stop_timer) {
        struct itimerspec its;
        memset(&its, 0, sizeof its);
        its.it_value.tv_sec = (time_t)stop_grace;
        its.it_value.tv_nsec = (long)((stop_grace - (double)(time_t)stop_grace) * 1e9);
        if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) its.it_value.tv_nsec = 1;
        timer_settime(stop_timer, 0, &its, NULL);
    }
    syscall(SYS_tgkill, pid, lua_tid, UD_SIG_SOFT);
    errno = saved;
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
    active_state = s;
    if (ud_stop_signal()) ud_trip(s, UD_LIMIT_INTERRUPT);   // stopped before the run began
    if (arm_timer(&s->soft_timer, &s->has_soft_timer, UD_SIG_SOFT, s, seconds) != 0) return -1;
    return arm_timer(&s->hard_timer, &s->has_hard_timer, UD_SIG_HARD, s, seconds + hard_grace);
}

void ud_forget_active(ud_state *s) { if (active_state == s) active_state = NULL; }

void ud_deadline_stop_timers(ud_state *s) {
    ud_forget_active(s);   // the state is going away (close, abandon)
    if (s->has_soft_timer) { timer_delete(s->soft_timer); s->has_soft_timer = 0; }
    if (s->has_hard_timer) { timer_delete(s->hard_timer); s->has_hard_timer = 0; }
}

void ud_deadline_stop(lua_State *L) { ud_deadline_stop_timers(ud_S(L)); }

double ud_deadline_remaining(lua_State *L) {
    ud_state *s = ud_S(L);
    if (ud_stop_signal()) return 0;          // stopping: no time left for any wait
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

/* ---- stop on SIGTERM/SIGINT ---- */

int ud_stop_install(double grace, int exit_code, const char *term_message, const char *int_message) {
    if (install_handlers() != 0) return -1;
    stop_grace = grace > 0 ? grace : 0.001;
    stop_exit_code = exit_code;
    const char *msgs[HR_COUNT] = { NULL, term_message, int_message };
    for (int r = HR_TERM; r < HR_COUNT; r++) {
        size_t n = msgs[r] ? strlen(msgs[r]) : 0;
        if (n >= sizeof stop_messages[r]) n = sizeof stop_messages[r] - 1;
        if (n) memcpy(stop_messages[r], msgs[r], n);
        stop_message_lens[r] = n;
    }
    pid_t tid = (pid_t)syscall(SYS_gettid);
    if (!has_stop_timer || lua_tid != tid) {
        if (has_stop_timer) { timer_delete(stop_timer); has_stop_timer = 0; }
        struct sigevent sev;
        memset(&sev, 0, sizeof sev);
        sev.sigev_notify = SIGEV_THREAD_ID;
        sev.sigev_signo = UD_SIG_HARD;
        sev.sigev_value.sival_ptr = NULL;
        sev._sigev_un._tid = tid;
        if (timer_create(CLOCK_MONOTONIC, &sev, &stop_timer) != 0) return -1;
        has_stop_timer = 1;
    }
    lua_tid = tid;
    static int installed = 0;
    if (!installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        sa.sa_sigaction = on_stop;
        if (sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGINT, &sa, NULL) != 0) return -1;
        installed = 1;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, UD_SIG_SOFT);
    sigaddset(&set, UD_SIG_HARD);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    return 0;
}

