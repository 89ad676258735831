#pragma once
// libpq, PostgreSQL's client library, loaded on first use (libpq.c: the functions unidesk
// calls are defined there under libpq's names, hidden, forwarding to the library). Its
// diagnostic field codes are char-literal macros, which Swift cannot import; they are
// re-exported here as constants.
#include <postgresql/libpq-fe.h>

/// Loads libpq if it is not loaded yet: NULL when usable, else why not (what to install).
const char *ud_lazy_libpq(void);
#include <errno.h>
#include <poll.h>

static const int UD_PG_DIAG_SEVERITY = 'V';          /* non-localized severity */
static const int UD_PG_DIAG_SQLSTATE = 'C';
static const int UD_PG_DIAG_MESSAGE_PRIMARY = 'M';
static const int UD_PG_DIAG_MESSAGE_DETAIL = 'D';
static const int UD_PG_DIAG_MESSAGE_HINT = 'H';
static const int UD_PG_DIAG_STATEMENT_POSITION = 'P';
static const int UD_PG_DIAG_CONTEXT = 'W';
static const int UD_PG_DIAG_SCHEMA_NAME = 's';
static const int UD_PG_DIAG_TABLE_NAME = 't';
static const int UD_PG_DIAG_COLUMN_NAME = 'c';
static const int UD_PG_DIAG_CONSTRAINT_NAME = 'n';

/// Waits for the connection's socket to become readable (or writable): 1 ready, 0 timed
/// out or interrupted by a signal (the run's deadline timer sends some; the caller
/// re-checks its clock and waits again), -1 on error.
/// `stop_fd` (-1: none) becoming readable ends the wait with 2: the process is stopping.
static inline int ud_pg_wait_socket(int fd, int for_write, int timeout_ms, int stop_fd) {
    struct pollfd p[2] = { { .fd = fd, .events = (short)(for_write ? POLLOUT : POLLIN), .revents = 0 },
                           { .fd = stop_fd, .events = POLLIN, .revents = 0 } };
    int r = poll(p, 2, timeout_ms);
    if (r < 0 && errno == EINTR) return 0;
    if (r > 0 && (p[1].revents & POLLIN)) return 2;
    return r < 0 ? -1 : (r > 0 ? 1 : 0);
}

/// For a pipeline (conn:exec_many): waits until the socket is readable, or writable when
/// `want_write` (libpq still holds unsent statements), whichever comes first. The same
/// results as ud_pg_wait_socket: 1 ready (the caller tries both directions; libpq's
/// non-blocking calls do nothing when there is nothing to do), 0 timed out or interrupted,
/// 2 stopping, -1 error.
static inline int ud_pg_wait_socket_either(int fd, int want_write, int timeout_ms, int stop_fd) {
    struct pollfd p[2] = { { .fd = fd, .events = (short)(POLLIN | (want_write ? POLLOUT : 0)), .revents = 0 },
                           { .fd = stop_fd, .events = POLLIN, .revents = 0 } };
    int r = poll(p, 2, timeout_ms);
    if (r < 0 && errno == EINTR) return 0;
    if (r > 0 && (p[1].revents & POLLIN)) return 2;
    return r < 0 ? -1 : (r > 0 ? 1 : 0);
}
