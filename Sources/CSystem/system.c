#define _GNU_SOURCE
#include "CSystem.h"
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int ud_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

int ud_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *dir) {
    return posix_spawn_file_actions_addchdir_np(actions, dir);
}

int ud_exchange_paths(const char *a, const char *b) {
    return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
}

int ud_rename_noreplace(const char *from, const char *to) {
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
}

#include <string.h>
int ud_contains_bytes(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len) {
    return memmem(haystack, haystack_len, needle, needle_len) != NULL;
}

int ud_set_pipe_size(int fd, int bytes) { return fcntl(fd, F_SETPIPE_SZ, bytes); }

int ud_start_writeback(int fd, off_t offset, off_t length) {
    return sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE);
}

ssize_t ud_splice_file_to_pipe(int fd, off_t *offset, int pipe_fd, size_t length) {
    loff_t off = *offset;
    ssize_t n = splice(fd, &off, pipe_fd, NULL, length, SPLICE_F_MORE);
    if (n > 0) *offset = off;
    return n;
}

#include <dirent.h>
#include <sys/stat.h>

static long long estimate_dir(int dfd, dev_t device, size_t path_len) {
    DIR *d = fdopendir(dfd);
    if (!d) { close(dfd); return 0; }
    long long total = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
        struct stat st;
        if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        size_t len = path_len + 1 + strlen(name);
        // A header block, and with --xattrs GNU tar adds a pax header (two more blocks) to
        // every entry. A name of 100 bytes or more takes a GNU long-name entry (a header and
        // the name in blocks), and so does a symlink's target of 100 bytes or more.
        total += 1536 + (long long)len;
        if (len >= 100) total += 512 + ((long long)len + 512) / 512 * 512;
        if (S_ISLNK(st.st_mode) && st.st_size >= 100) total += 512 + ((long long)st.st_size + 512) / 512 * 512;
        if (S_ISREG(st.st_mode)) {
            long long allocated = (long long)st.st_blocks * 512;
            long long data = st.st_size < allocated ? st.st_size : allocated;
            total += (data + 511) / 512 * 512;
            // A sparse file's map: extension headers, a few blocks for a file with few holes.
            if (allocated < st.st_size) total += 2048;
        } else if (S_ISDIR(st.st_mode) && st.st_dev == device) {
            int sub = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) total += estimate_dir(sub, device, len);
        }
    }
    closedir(d);
    return total;
}

long long ud_estimate_tar_bytes(const char *path) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) != 0) { close(fd); return -1; }
    // Two end-of-archive blocks, and tar pads the archive to a whole record (10240 bytes).
    long long total = 1024 + estimate_dir(fd, st.st_dev, strlen(path));
    return (total + 10239) / 10240 * 10240;
}

/* ---- stop requests ---- */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <time.h>

static volatile sig_atomic_t stop_signo;
static volatile sig_atomic_t stop_cleanup;
static int stop_pipe[2] = { -1, -1 };

__attribute__((constructor)) static void ud_stop_init(void) {
    if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0) { stop_pipe[0] = stop_pipe[1] = -1; }
}

void ud_stop_request(int signo) {
    int saved = errno;
    if (!stop_signo) stop_signo = signo;
    if (stop_pipe[1] >= 0) { ssize_t w = write(stop_pipe[1], "x", 1); (void)w; }  // never read: stays readable
    errno = saved;
}

int ud_stop_signal(void) { return stop_signo; }
const char *ud_stop_signal_name(void) {
    return stop_signo == SIGTERM ? "SIGTERM" : stop_signo == SIGINT ? "SIGINT" : stop_signo ? "a signal" : "";
}
int ud_stop_cuts_waits(void) { return stop_signo && !stop_cleanup; }
void ud_stop_set_cleanup(int on) { stop_cleanup = on; }
int ud_stop_poll_fd(void) { return stop_cleanup ? -1 : stop_pipe[0]; }

static double stop_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int ud_stop_sleep(double seconds) {
    ud_out_flush();   // what the run printed before it waits is shown now, not 100 ms later
    if (!(seconds > 0)) return ud_stop_cuts_waits();
    double until = stop_now() + seconds;
    for (;;) {
        if (ud_stop_cuts_waits()) return 1;
        double left = until - stop_now();
        if (left <= 0) return 0;
        struct pollfd p = { .fd = ud_stop_poll_fd(), .events = POLLIN, .revents = 0 };
        double ms = left * 1000.0 + 0.999;
        (void)poll(&p, 1, ms > 2e9 ? 2000000000 : (int)ms);   // EINTR: loop and look again
    }
}
