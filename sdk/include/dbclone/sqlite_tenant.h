/*
 * How an application opens a dbclone SQLite tenant so that the SQL it runs
 * there (written by a language model from end-user text, say) cannot reach any
 * other file: not another tenant's database, not dbclone's registry, not a
 * shared library.
 *
 *     #include <dbclone/sqlite_tenant.h>
 *
 *     sqlite3* db = NULL;
 *     if (dbclone_sqlite_open_tenant("/srv/dbclone/plugins/sqlite/clones/tenant_t1_db.sqlite",
 *                                    &db) != SQLITE_OK) { ... sqlite3_errmsg(db) ...; }
 *     ... sqlite3_exec(db, untrusted_sql, ...) ...
 *     sqlite3_close(db);
 *
 * dbclone_sqlite_open_tenant_readonly() (below) is the same for SQL that must
 * only read, the SQLite counterpart of a server tenant's query login.
 *
 * A plain sqlite3_open() lets SQL do all of these, and file permissions do not
 * help when the application runs as the OS user that owns every tenant file:
 *   - ATTACH (and VACUUM INTO, which attaches its target) opens or creates any
 *     file the process may open: SQLITE_LIMIT_ATTACHED is 0, and the authorizer
 *     refuses ATTACH and DETACH as well;
 *   - load_extension() runs any shared library: extension loading is off, and
 *     the authorizer refuses the function by name;
 *   - PRAGMAs change how the file is written (journal_mode=OFF, writable_schema,
 *     temp_store_directory): only the read-only and per-connection ones in
 *     dbclone_sqlite_allowed_pragmas are allowed;
 *   - a crafted schema can run functions when the file is read: defensive mode
 *     is on and the schema is not trusted;
 *   - a symbolic link in place of the file is not followed.
 *
 * Header-only C (C++ too); link with sqlite3 3.31 or newer. dbclone's SQLite
 * backend opens every tenant file and loads every root this way, and `dbclone
 * verify` (check cross_tenant_access) proves that it holds.
 */
#ifndef DBCLONE_SQLITE_TENANT_H
#define DBCLONE_SQLITE_TENANT_H

#include <sqlite3.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* PRAGMAs tenant SQL may run: they read the schema, check the file, or set a
 * per-connection option. Everything else is refused. */
static const char* const dbclone_sqlite_allowed_pragmas[] = {
    "table_info",         "table_xinfo",         "table_list",         "index_list",
    "index_info",         "index_xinfo",         "foreign_key_list",   "foreign_key_check",
    "foreign_keys",       "integrity_check",     "quick_check",        "collation_list",
    "defer_foreign_keys", "case_sensitive_like", "recursive_triggers", NULL};

/* The authorizer: refuses what could leave the file (see above). */
static inline int dbclone_sqlite_authorizer(void* unused, int action, const char* a, const char* b,
                                            const char* database, const char* trigger) {
    (void)unused;
    (void)database;
    (void)trigger;
    if (action == SQLITE_ATTACH || action == SQLITE_DETACH) return SQLITE_DENY;
    /* For SQLITE_FUNCTION the name is the second argument. */
    if (action == SQLITE_FUNCTION && b != NULL && sqlite3_stricmp(b, "load_extension") == 0)
        return SQLITE_DENY;
    if (action == SQLITE_PRAGMA) {
        for (const char* const* p = dbclone_sqlite_allowed_pragmas; *p != NULL; ++p)
            if (a != NULL && sqlite3_stricmp(a, *p) == 0) return SQLITE_OK;
        return SQLITE_DENY;
    }
    return SQLITE_OK;
}

/* Applies every restriction above to an open connection. Call it before the
 * connection runs any SQL that is not yours. */
static inline int dbclone_sqlite_harden(sqlite3* db) {
    int rc = sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, (int*)0);
    if (rc == SQLITE_OK) rc = sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int*)0);
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
    if (rc == SQLITE_OK) rc = sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int*)0);
#endif
    if (rc != SQLITE_OK) return rc;
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    return sqlite3_set_authorizer(db, dbclone_sqlite_authorizer, NULL);
}

/* Opens the tenant file at `path` (read-write, never created, never through a
 * symbolic link, no URI filenames) and hardens the connection. Like
 * sqlite3_open_v2, *db is set even on failure and must be closed. */
static inline int dbclone_sqlite_open_tenant(const char* path, sqlite3** db) {
    int rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, NULL);
    if (rc != SQLITE_OK) return rc;
    return dbclone_sqlite_harden(*db);
}

/* The SQLite counterpart of a server tenant's query login: opens the tenant
 * file read-only, hardened like dbclone_sqlite_open_tenant, with query_only on
 * before the authorizer is set. The authorizer then refuses the PRAGMA that
 * would turn it off, so the SQL can change neither the file nor a temporary
 * table. */
static inline int dbclone_sqlite_open_tenant_readonly(const char* path, sqlite3** db) {
    int rc = sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_exec(*db, "PRAGMA query_only = 1", NULL, NULL, NULL);
    if (rc != SQLITE_OK) return rc;
    return dbclone_sqlite_harden(*db);
}

#ifdef __cplusplus
}
#endif

#endif /* DBCLONE_SQLITE_TENANT_H */
