// libpq on first use: the functions unidesk calls, under libpq's own names, forwarding
// through pointers CLazyLibs fills from dlopen("libpq.so.5"). They are hidden, so they are not
// in unidesk's dynamic symbol table and never stand in for libpq's own symbols.
#pragma GCC visibility push(hidden)
#include "CLibPQ.h"
#pragma GCC visibility pop
#include "CLazyLibs.h"

// Each function unidesk calls: return type, name, parameters, arguments.
#define UD_PQ_FUNCTIONS(X) \
    X(int, PQcancel, (PGcancel *cancel, char *errbuf, int errbufsize), (cancel, errbuf, errbufsize)) \
    X(void, PQclear, (PGresult *res), (res)) \
    X(char *, PQcmdStatus, (PGresult *res), (res)) \
    X(char *, PQcmdTuples, (PGresult *res), (res)) \
    X(PostgresPollingStatusType, PQconnectPoll, (PGconn *conn), (conn)) \
    X(PGconn *, PQconnectStartParams, (const char *const *keywords, const char *const *values, int expand_dbname), (keywords, values, expand_dbname)) \
    X(int, PQconnectionNeedsPassword, (const PGconn *conn), (conn)) \
    X(void, PQconninfoFree, (PQconninfoOption *connOptions), (connOptions)) \
    X(PQconninfoOption *, PQconninfoParse, (const char *conninfo, char **errmsg), (conninfo, errmsg)) \
    X(int, PQconsumeInput, (PGconn *conn), (conn)) \
    X(char *, PQdb, (const PGconn *conn), (conn)) \
    X(int, PQenterPipelineMode, (PGconn *conn), (conn)) \
    X(char *, PQerrorMessage, (const PGconn *conn), (conn)) \
    X(char *, PQescapeIdentifier, (PGconn *conn, const char *str, size_t len), (conn, str, len)) \
    X(int, PQexitPipelineMode, (PGconn *conn), (conn)) \
    X(void, PQfinish, (PGconn *conn), (conn)) \
    X(int, PQflush, (PGconn *conn), (conn)) \
    X(char *, PQfname, (const PGresult *res, int field_num), (res, field_num)) \
    X(void, PQfreeCancel, (PGcancel *cancel), (cancel)) \
    X(void, PQfreemem, (void *ptr), (ptr)) \
    X(Oid, PQftype, (const PGresult *res, int field_num), (res, field_num)) \
    X(PGcancel *, PQgetCancel, (PGconn *conn), (conn)) \
    X(int, PQgetCopyData, (PGconn *conn, char **buffer, int async), (conn, buffer, async)) \
    X(PGresult *, PQgetResult, (PGconn *conn), (conn)) \
    X(int, PQgetisnull, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num)) \
    X(int, PQgetlength, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num)) \
    X(char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num)) \
    X(char *, PQhost, (const PGconn *conn), (conn)) \
    X(int, PQisBusy, (PGconn *conn), (conn)) \
    X(int, PQnfields, (const PGresult *res), (res)) \
    X(int, PQntuples, (const PGresult *res), (res)) \
    X(char *, PQpass, (const PGconn *conn), (conn)) \
    X(int, PQpipelineSync, (PGconn *conn), (conn)) \
    X(char *, PQport, (const PGconn *conn), (conn)) \
    X(int, PQputCopyEnd, (PGconn *conn, const char *errormsg), (conn, errormsg)) \
    X(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode)) \
    X(char *, PQresultErrorMessage, (const PGresult *res), (res)) \
    X(ExecStatusType, PQresultStatus, (const PGresult *res), (res)) \
    X(int, PQsendPrepare, (PGconn *conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes), (conn, stmtName, query, nParams, paramTypes)) \
    X(int, PQsendQuery, (PGconn *conn, const char *query), (conn, query)) \
    X(int, PQsendQueryParams, (PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat), (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat)) \
    X(int, PQsendQueryPrepared, (PGconn *conn, const char *stmtName, int nParams, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat), (conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat)) \
    X(PQnoticeReceiver, PQsetNoticeReceiver, (PGconn *conn, PQnoticeReceiver proc, void *arg), (conn, proc, arg)) \
    X(int, PQsetnonblocking, (PGconn *conn, int arg), (conn, arg)) \
    X(int, PQsocket, (const PGconn *conn), (conn)) \
    X(ConnStatusType, PQstatus, (const PGconn *conn), (conn)) \
    X(PGTransactionStatusType, PQtransactionStatus, (const PGconn *conn), (conn)) \
    X(char *, PQuser, (const PGconn *conn), (conn))

#define UD_POINTER(ret, name, params, args) static ret (*p_##name) params;
UD_PQ_FUNCTIONS(UD_POINTER)

#define UD_SYMBOL(ret, name, params, args) { #name, (void **)&p_##name },
static const struct ud_lazy_symbol libpq_symbols[] = { UD_PQ_FUNCTIONS(UD_SYMBOL) };

static struct ud_lazy_library libpq_library = {
    .soname = "libpq.so.5", .package = "libpq5",
    .symbols = libpq_symbols, .count = sizeof libpq_symbols / sizeof libpq_symbols[0],
};

const char *ud_lazy_libpq(void) { return ud_lazy_open(&libpq_library); }

// PQconninfoParse and PQconnectStartParams are where libpq is first needed: they load it and
// return NULL when it cannot be loaded (the Swift side asks ud_lazy_libpq() for the reason
// first). Every other function receives a connection or result they made, or NULL, which
// libpq's own functions accept too.
#define UD_LOADED() ud_lazy_require(&libpq_library, __func__)

int PQcancel(PGcancel *cancel, char *errbuf, int errbufsize) { UD_LOADED(); return p_PQcancel(cancel, errbuf, errbufsize); }
void PQclear(PGresult *res) {
    if (res == NULL) return;
    UD_LOADED();
    p_PQclear(res);
}
char *PQcmdStatus(PGresult *res) { UD_LOADED(); return p_PQcmdStatus(res); }
char *PQcmdTuples(PGresult *res) { UD_LOADED(); return p_PQcmdTuples(res); }
PostgresPollingStatusType PQconnectPoll(PGconn *conn) { UD_LOADED(); return p_PQconnectPoll(conn); }
PGconn *PQconnectStartParams(const char *const *keywords, const char *const *values, int expand_dbname) {
    if (ud_lazy_libpq() != NULL) return NULL;
    return p_PQconnectStartParams(keywords, values, expand_dbname);
}
int PQconnectionNeedsPassword(const PGconn *conn) { UD_LOADED(); return p_PQconnectionNeedsPassword(conn); }
void PQconninfoFree(PQconninfoOption *connOptions) {
    if (connOptions == NULL) return;
    UD_LOADED();
    p_PQconninfoFree(connOptions);
}
PQconninfoOption *PQconninfoParse(const char *conninfo, char **errmsg) {
    if (ud_lazy_libpq() != NULL) {
        if (errmsg != NULL) *errmsg = NULL;
        return NULL;
    }
    return p_PQconninfoParse(conninfo, errmsg);
}
int PQconsumeInput(PGconn *conn) { UD_LOADED(); return p_PQconsumeInput(conn); }
char *PQdb(const PGconn *conn) { UD_LOADED(); return p_PQdb(conn); }
int PQenterPipelineMode(PGconn *conn) { UD_LOADED(); return p_PQenterPipelineMode(conn); }
char *PQerrorMessage(const PGconn *conn) { UD_LOADED(); return p_PQerrorMessage(conn); }
char *PQescapeIdentifier(PGconn *conn, const char *str, size_t len) { UD_LOADED(); return p_PQescapeIdentifier(conn, str, len); }
int PQexitPipelineMode(PGconn *conn) { UD_LOADED(); return p_PQexitPipelineMode(conn); }
void PQfinish(PGconn *conn) {
    if (conn == NULL) return;
    UD_LOADED();
    p_PQfinish(conn);
}
int PQflush(PGconn *conn) { UD_LOADED(); return p_PQflush(conn); }
char *PQfname(const PGresult *res, int field_num) { UD_LOADED(); return p_PQfname(res, field_num); }
void PQfreeCancel(PGcancel *cancel) {
    if (cancel == NULL) return;
    UD_LOADED();
    p_PQfreeCancel(cancel);
}
void PQfreemem(void *ptr) {
    if (ptr == NULL) return;
    UD_LOADED();
    p_PQfreemem(ptr);
}
Oid PQftype(const PGresult *res, int field_num) { UD_LOADED(); return p_PQftype(res, field_num); }
PGcancel *PQgetCancel(PGconn *conn) { UD_LOADED(); return p_PQgetCancel(conn); }
int PQgetCopyData(PGconn *conn, char **buffer, int async) { UD_LOADED(); return p_PQgetCopyData(conn, buffer, async); }
PGresult *PQgetResult(PGconn *conn) { UD_LOADED(); return p_PQgetResult(conn); }
int PQgetisnull(const PGresult *res, int tup_num, int field_num) { UD_LOADED(); return p_PQgetisnull(res, tup_num, field_num); }
int PQgetlength(const PGresult *res, int tup_num, int field_num) { UD_LOADED(); return p_PQgetlength(res, tup_num, field_num); }
char *PQgetvalue(const PGresult *res, int tup_num, int field_num) { UD_LOADED(); return p_PQgetvalue(res, tup_num, field_num); }
char *PQhost(const PGconn *conn) { UD_LOADED(); return p_PQhost(conn); }
int PQisBusy(PGconn *conn) { UD_LOADED(); return p_PQisBusy(conn); }
int PQnfields(const PGresult *res) { UD_LOADED(); return p_PQnfields(res); }
int PQntuples(const PGresult *res) { UD_LOADED(); return p_PQntuples(res); }
char *PQpass(const PGconn *conn) { UD_LOADED(); return p_PQpass(conn); }
int PQpipelineSync(PGconn *conn) { UD_LOADED(); return p_PQpipelineSync(conn); }
char *PQport(const PGconn *conn) { UD_LOADED(); return p_PQport(conn); }
int PQputCopyEnd(PGconn *conn, const char *errormsg) { UD_LOADED(); return p_PQputCopyEnd(conn, errormsg); }
char *PQresultErrorField(const PGresult *res, int fieldcode) { UD_LOADED(); return p_PQresultErrorField(res, fieldcode); }
char *PQresultErrorMessage(const PGresult *res) { UD_LOADED(); return p_PQresultErrorMessage(res); }
ExecStatusType PQresultStatus(const PGresult *res) { UD_LOADED(); return p_PQresultStatus(res); }
int PQsendPrepare(PGconn *conn, const char *stmtName, const char *query, int nParams, const Oid *paramTypes) { UD_LOADED(); return p_PQsendPrepare(conn, stmtName, query, nParams, paramTypes); }
int PQsendQuery(PGconn *conn, const char *query) { UD_LOADED(); return p_PQsendQuery(conn, query); }
int PQsendQueryParams(PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat) { UD_LOADED(); return p_PQsendQueryParams(conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat); }
int PQsendQueryPrepared(PGconn *conn, const char *stmtName, int nParams, const char *const *paramValues, const int *paramLengths, const int *paramFormats, int resultFormat) { UD_LOADED(); return p_PQsendQueryPrepared(conn, stmtName, nParams, paramValues, paramLengths, paramFormats, resultFormat); }
PQnoticeReceiver PQsetNoticeReceiver(PGconn *conn, PQnoticeReceiver proc, void *arg) { UD_LOADED(); return p_PQsetNoticeReceiver(conn, proc, arg); }
int PQsetnonblocking(PGconn *conn, int arg) { UD_LOADED(); return p_PQsetnonblocking(conn, arg); }
int PQsocket(const PGconn *conn) { UD_LOADED(); return p_PQsocket(conn); }
ConnStatusType PQstatus(const PGconn *conn) { UD_LOADED(); return p_PQstatus(conn); }
PGTransactionStatusType PQtransactionStatus(const PGconn *conn) { UD_LOADED(); return p_PQtransactionStatus(conn); }
char *PQuser(const PGconn *conn) { UD_LOADED(); return p_PQuser(conn); }
