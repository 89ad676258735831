#define _GNU_SOURCE
#include "CSystem.h"
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The console's output when it is not a terminal (CI logs, files, pipes): one buffer for
 * stdout and stderr together, so that what was written to both stays in the order it was
 * written (the buffer is flushed when the destination changes). A thread (started with the
 * first buffered byte) flushes it within UD_OUT_DELAY of its first byte, so that lines still appear live; ud_out_flush flushes it
 * at once (step end, before a sleep, at exit), ud_out_flush_before_exit from a signal
 * handler (the hard stop) and the Lua panic. Before it, every line was a write syscall:
 * 18 % of a bulk load's client CPU (issue 21). */

#define UD_OUT_CAPACITY 65536
#define UD_OUT_DELAY_NS 100000000L   /* 100 ms */

static char out_buf[UD_OUT_CAPACITY];
static volatile size_t out_len;       /* bytes in the buffer */
static volatile size_t out_done;      /* of them, written already by a flush in progress */
static volatile int out_fd = -1;      /* where they go */
static volatile unsigned long long out_buffered_fds;   /* bit n: fd n is buffered */
static volatile int out_initialized; /* out_cond and the atexit flush are set up */
static volatile int out_started;     /* the flusher thread runs */
static pthread_mutex_t out_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t out_cond;
/* This thread holds out_mu: a signal handler on it must not wait for the lock. */
static __thread volatile sig_atomic_t out_holding;

size_t ud_write_fully(int fd, const void *bytes, size_t len, volatile size_t *progress) {
    const char *p = bytes;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, p + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) break;
        off += (size_t)w;
        if (progress) *progress += (size_t)w;
    }
    return off;
}

static void flush_locked(void) {
    if (out_len > out_done) ud_write_fully(out_fd, out_buf + out_done, out_len - out_done, &out_done);
    out_len = 0;
    out_done = 0;
}

static void lock_out(void) { pthread_mutex_lock(&out_mu); out_holding = 1; }
static void unlock_out(void) { out_holding = 0; pthread_mutex_unlock(&out_mu); }

static int is_buffered(int fd) {
    return fd >= 0 && fd < 64 && (out_buffered_fds >> fd & 1);
}

static void *flusher(void *arg) {
    (void)arg;
    pthread_mutex_lock(&out_mu);
    for (;;) {
        while (out_len == 0) pthread_cond_wait(&out_cond, &out_mu);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_nsec += UD_OUT_DELAY_NS;
        if (until.tv_nsec >= 1000000000L) { until.tv_sec += 1; until.tv_nsec -= 1000000000L; }
        /* Until the delay passed, or someone else flushed. */
        while (out_len != 0 && pthread_cond_timedwait(&out_cond, &out_mu, &until) != ETIMEDOUT) {}
        flush_locked();
    }
    return NULL;
}

/* The thread starts with the first buffered byte, not when buffering is turned on: until a
 * process has a second thread, glibc's malloc takes its single-thread paths, and a run that
 * prints only at its end (a computation) keeps them (they were 2-3 % of the trees benchmark). */
static void start_flusher(void) {
    if (out_started) return;
    /* No signal is ever handled on the flusher: SIGTERM/SIGINT and the limits' signals go
     * to the threads that expect them. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t ta;
    pthread_attr_init(&ta);
    pthread_attr_setstacksize(&ta, 1 << 16);
    pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    int rc = pthread_create(&t, &ta, flusher, NULL);
    pthread_attr_destroy(&ta);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) return;   /* no thread: the caller writes at once */
    out_started = 1;
}

int ud_out_buffer(int fd) {
    if (fd < 0 || fd >= 64 || isatty(fd)) return 0;
    lock_out();
    if (!out_initialized) {
        pthread_condattr_t attr;
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        pthread_cond_init(&out_cond, &attr);
        pthread_condattr_destroy(&attr);
        atexit(ud_out_flush);
        out_initialized = 1;
    }
    out_buffered_fds |= 1ULL << fd;
    unlock_out();
    return 1;
}

void ud_out_unbuffer(int fd) {
    if (!is_buffered(fd)) return;
    lock_out();
    if (out_len && out_fd == fd) flush_locked();
    out_buffered_fds &= ~(1ULL << fd);
    unlock_out();
}

void ud_out_write(int fd, const void *bytes, size_t n) {
    if (n == 0) return;
    if (!out_buffered_fds) { ud_write_fully(fd, bytes, n, NULL); return; }
    lock_out();
    if (out_len && (out_fd != fd || out_len + n > UD_OUT_CAPACITY)) flush_locked();
    if (is_buffered(fd)) start_flusher();
    if (!is_buffered(fd) || n > UD_OUT_CAPACITY || !out_started) {
        /* a terminal, more than the buffer holds, or no thread to flush it */
        ud_write_fully(fd, bytes, n, NULL);
    } else {
        int was_empty = out_len == 0;
        memcpy(out_buf + out_len, bytes, n);
        out_fd = fd;
        /* The length last: a handler on this thread writes only whole, copied bytes. */
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        out_len += n;
        if (was_empty) pthread_cond_signal(&out_cond);
    }
    unlock_out();
}

void ud_out_flush(void) {
    if (!out_buffered_fds || out_len == 0) return;
    lock_out();
    flush_locked();
    unlock_out();
}

void ud_out_flush_before_exit(void) {
    if (!out_buffered_fds || out_len == 0) return;
    if (out_holding) {
        /* Interrupted on this thread with the lock held: what is in the buffer is whole (the
         * length is set after the copy); the rest of a flush in progress is written. */
        if (out_len > out_done) ud_write_fully(out_fd, out_buf + out_done, out_len - out_done, NULL);
        return;
    }
    /* Another thread (the flusher) may hold the lock for a moment; one blocked on a full
     * pipe would hold it for ever, and the exit must not wait for that: up to 200 ms. */
    for (int i = 0; i < 200; i++) {
        if (pthread_mutex_trylock(&out_mu) == 0) {
            out_holding = 1;
            flush_locked();
            unlock_out();
            return;
        }
        struct timespec ms = { 0, 1000000L };
        nanosleep(&ms, NULL);
    }
}
