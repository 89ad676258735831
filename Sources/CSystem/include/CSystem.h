#pragma once
// Linux calls Swift's Glibc module does not expose (they need _GNU_SOURCE).
#include <spawn.h>

/// pipe2(fds, O_CLOEXEC).
int ud_pipe_cloexec(int fds[2]);
/// posix_spawn_file_actions_addchdir_np.
int ud_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *dir);
/// Atomically exchanges two paths on one filesystem (renameat2 RENAME_EXCHANGE): after it,
/// each name holds what the other held, with no moment where either is missing.
int ud_exchange_paths(const char *a, const char *b);
/// renameat2 RENAME_NOREPLACE: fails with EEXIST instead of replacing.
int ud_rename_noreplace(const char *from, const char *to);
#include <stddef.h>
/// memmem: whether `needle` occurs in `haystack` (byte search).
int ud_contains_bytes(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len);
/// fcntl(F_SETPIPE_SZ): a larger pipe buffer means fewer wake-ups per megabyte streamed.
int ud_set_pipe_size(int fd, int bytes);
#include <sys/types.h>
/// sync_file_range(SYNC_FILE_RANGE_WRITE): starts writeback of a range without waiting, so
/// a later fsync has little left to write.
int ud_start_writeback(int fd, off_t offset, off_t length);
/// splice(2) of up to `length` bytes of the file `fd` at `*offset` (advanced; the file
/// position is not) into the pipe `pipe_fd`: the pipe takes references to the page-cache
/// pages instead of a copy. Returns bytes moved, 0 at end of file, -1 with errno.
ssize_t ud_splice_file_to_pipe(int fd, off_t *offset, int pipe_fd, size_t length);
/// An upper estimate of the size of a GNU tar (with xattrs) of the tree under `path`, staying
/// on its filesystem: per entry a header and a pax header plus the path's length, and the data
/// of regular files rounded to 512 (sparse ones by their allocated blocks). -1 if `path`
/// cannot be opened. Walks with openat/fstatat, so no path is resolved from the root twice.
long long ud_estimate_tar_bytes(const char *path);

// ---- stop requests (SIGTERM, SIGINT) ----
// A run asked to stop (a pod deleted, Ctrl-C) ends its waits early: every wait that can be
// cut polls the stop pipe or checks the flag. The signal handler itself lives in CLuaShim
// (it also interrupts Lua); these are the parts the primitive families share.

/// Records a stop request: the signal, and a byte in the stop pipe so that every wait
/// polling `ud_stop_poll_fd` wakes at once. Async-signal-safe.
void ud_stop_request(int signo);
/// The signal that asked the process to stop (SIGTERM, SIGINT), or 0.
int ud_stop_signal(void);
/// Its name: "SIGTERM", "SIGINT", "" when none.
const char *ud_stop_signal_name(void);
/// Whether waits end early now: a stop was requested and the run is not in its clean-up
/// (end-of-run actions, bounded by their own timeouts and the stop grace only).
int ud_stop_cuts_waits(void);
/// Enters (1) or leaves (0) the clean-up phase.
void ud_stop_set_cleanup(int on);
/// An fd for a poll set that becomes readable when waits are to end (-1: none, such as
/// during the clean-up; poll ignores a negative fd).
int ud_stop_poll_fd(void);
/// Sleeps up to `seconds`: 1 when cut short by a stop, 0 when the time passed.
int ud_stop_sleep(double seconds);

// ---- console output (console_out.c) ----
// stdout and stderr, when they are not a terminal, go through one buffer (in the order they
// were written; flushed within 100 ms by a thread, at once by ud_out_flush, and at exit).

/// Buffers writes to `fd` from now on, unless it is a terminal (which stays unbuffered).
/// Starts the flusher thread and the flush at exit the first time. 1 when buffered.
int ud_out_buffer(int fd);
/// Flushes what `fd` has in the buffer and writes it unbuffered from now on.
void ud_out_unbuffer(int fd);
/// Writes all `n` bytes to `fd`: into the buffer when `fd` is buffered, else at once (after
/// the buffer, whatever it holds, so that the order stays as written).
void ud_out_write(int fd, const void *bytes, size_t n);
/// Writes all `len` bytes unless write fails (a closed pipe, a full disk: the rest is
/// dropped), retrying on EINTR; async-signal-safe. Returns the bytes written; `progress`
/// (may be NULL) is advanced as they go, for a reader in a signal handler.
size_t ud_write_fully(int fd, const void *bytes, size_t len, volatile size_t *progress);
/// Writes what the buffer holds now.
void ud_out_flush(void);
/// The same from a signal handler or another last moment before _exit: never waits long
/// for the lock (200 ms at most), never takes it when this thread holds it.
void ud_out_flush_before_exit(void);
