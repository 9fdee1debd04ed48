/*
 * dbclone plugin ABI, version 1 (minor 2).
 *
 * This is the whole contract between the dbclone host and a plugin: a C ABI, so a
 * plugin built by another compiler (or in another language) loads safely. Nothing
 * but fixed-width C types, pointers and function pointers crosses it; no exception,
 * longjmp or C++ type ever does.
 *
 * ---------------------------------------------------------------------------------
 * A minimal backend plugin in plain C (C++ authors use <dbclone/sdk.hpp> instead):
 *
 *     #include <dbclone/plugin.h>
 *
 *     static dbc_rc my_create(const dbc_host_api* host, const dbc_plugin_init* init,
 *                             void** out, dbc_error* err) { ... *out = state; return DBC_OK; }
 *     static void my_destroy(void* self) { ... }
 *     static dbc_rc my_ensure_golden(void* self, const dbc_golden_request* req,
 *                                    dbc_golden_result* out, dbc_error* err) { ... }
 *     static dbc_rc my_clone(void* self, const dbc_clone_request* req,
 *                            dbc_clone_result* out, dbc_error* err) { ... }
 *     static dbc_rc my_drop(void* self, const dbc_drop_request* req, dbc_error* err) { ... }
 *
 *     static const dbc_backend_vtable vtable = {
 *         sizeof(dbc_backend_vtable), my_create, my_destroy,
 *         my_ensure_golden, my_clone, my_drop,
 *         NULL, NULL, NULL, NULL,  // fingerprint, probe, list_artifacts, attempt_access
 *         NULL, NULL, NULL, NULL,  // canary, run_queries, content, export_root
 *         NULL, NULL, NULL         // attempt_guardrails, set_password, measure_size
 *     };
 *     static const dbc_plugin_descriptor descriptor = {
 *         sizeof(dbc_plugin_descriptor), DBC_ABI_MAJOR, DBC_ABI_MINOR, DBC_KIND_BACKEND,
 *         "mydb", "0.1.0", "My database", 0, "{}", &vtable
 *     };
 *     DBC_EXPORT const dbc_plugin_descriptor* dbc_plugin_entry_v1(void) { return &descriptor; }
 * ---------------------------------------------------------------------------------
 *
 * Rules that hold for every table below (learned from Falco's plugin_api.h, DuckDB's
 * extension API, sqlite3ext.h, PostgreSQL's PG_MODULE_MAGIC and OBS's obs-module.h):
 *
 *  - ENTRY. A library exports exactly one symbol, DBC_ENTRY_SYMBOL_V1. It is a
 *    function (not data) with no side effects, so the host can call it before it
 *    trusts anything else in the library. A new ABI major gets a new symbol name.
 *  - COMPATIBILITY. The host loads a plugin when abi_major equals the host's major
 *    and the plugin's abi_minor is <= the host's minor. A refusal names both.
 *  - GROWTH. Every struct starts with `struct_size` and only ever grows at its end.
 *    The host copies min(struct_size, sizeof) bytes into a zeroed copy, so an old
 *    plugin's shorter table reads as NULL in the new fields. A NULL function entry
 *    means "not supported" (the host treats it as DBC_NOT_SUPPORTED).
 *  - ERRORS. Every fallible call returns a dbc_rc and, when it is not DBC_OK, fills
 *    the dbc_error it was given (use dbc_host_api.set_error).
 *  - OWNERSHIP. Inputs are borrowed for the duration of the call only: copy what you
 *    keep. Strings a plugin returns (in *_result structs) stay valid until the next
 *    call on the same handle or until destroy, whichever comes first. Bulk results go
 *    through a dbc_sink, which the host owns.
 *  - EXTENSIONS. Requests and results carry an `options_json` string so new fields
 *    can be passed before they get a struct member; unknown keys must be ignored.
 *  - THREADS. The host loads and validates plugins from one thread. Unless a
 *    function says otherwise, calls on one handle are serialized by the host; calls
 *    on different handles may run concurrently. Several processes (two CLIs, CLI and
 *    API server) may use the same plugin on the same data at once.
 *  - STRINGS are NUL-terminated UTF-8. An optional string may be NULL.
 */
#ifndef DBCLONE_PLUGIN_H
#define DBCLONE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ABI version of this header. Bump MINOR when a field or table is appended; bump
 * MAJOR (and the entry symbol name) only for an incompatible change. */
#define DBC_ABI_MAJOR 1
#define DBC_ABI_MINOR 3

/* The only symbol a plugin library exports. */
#define DBC_ENTRY_SYMBOL_V1 "dbc_plugin_entry_v1"

#if defined(_WIN32)
#define DBC_EXPORT __declspec(dllexport)
#else
#define DBC_EXPORT __attribute__((visibility("default")))
#endif

/* ---- Results and errors ------------------------------------------------------- */

/* Return code of every fallible call. Values are stable; new ones are appended. */
typedef int32_t dbc_rc;
#define DBC_OK 0               /* success */
#define DBC_ERROR 1            /* a failure not covered below; see dbc_error.message */
#define DBC_NOT_SUPPORTED 2    /* the plugin or its server cannot do this */
#define DBC_DENIED 3           /* the server refused (permissions, authentication) */
#define DBC_TIMEOUT 4          /* gave up waiting */
#define DBC_INVALID_ARGUMENT 5 /* the request itself is wrong */
#define DBC_NOT_FOUND 6        /* the named object does not exist */
#define DBC_UNAVAILABLE 7      /* the server or resource cannot be reached right now */
#define DBC_CONFLICT 8         /* the object exists already, or is busy */

/* Room for one error line. Caller-owned; the plugin writes into it. */
#define DBC_ERROR_MESSAGE_SIZE 1024
typedef struct dbc_error {
    uint32_t struct_size; /* set by the caller to sizeof(dbc_error) */
    dbc_rc code;          /* the same value the call returned */
    /* One line saying what failed and why, NUL-terminated, truncated if longer.
     * Must never contain a password or other secret. */
    char message[DBC_ERROR_MESSAGE_SIZE];
} dbc_error;

/* Log levels of dbc_host_api.log. */
typedef int32_t dbc_log_level;
#define DBC_LOG_DEBUG 0
#define DBC_LOG_INFO 1
#define DBC_LOG_WARN 2
#define DBC_LOG_ERROR 3

/* ---- Host services ----------------------------------------------------------- */

/* A stream the host owns, for results of unknown size (lists, reports). The plugin
 * calls `write` any number of times during the call it was passed to, never after.
 * Each call delivers one record (for example one JSON object); `data` is borrowed. */
typedef struct dbc_sink {
    uint32_t struct_size;
    void* ctx; /* host's; pass back unchanged */
    void (*write)(void* ctx, const char* data, size_t len);
} dbc_sink;

/* Services the host offers a plugin, passed to every `create`. The table and its
 * `ctx` stay valid until the plugin handle is destroyed. All functions are
 * thread-safe and may be called from any thread. */
typedef struct dbc_host_api {
    uint32_t struct_size;
    uint32_t abi_major; /* the host's ABI version, for plugins that adapt */
    uint32_t abi_minor;
    void* ctx; /* host's; pass back unchanged */
    /* Required. Writes one line to the host's log. `msg` is borrowed. Never log a
     * password: the host does not scrub messages. */
    void (*log)(void* ctx, dbc_log_level level, const char* msg);
    /* Required. Fills `err` (code and message, truncated to fit); returns `code` so a
     * plugin can write `return host->set_error(err, DBC_DENIED, "...")`. */
    dbc_rc (*set_error)(dbc_error* err, dbc_rc code, const char* msg);
} dbc_host_api;

/* What the host tells a plugin when it creates a handle. Borrowed for the call. */
typedef struct dbc_plugin_init {
    uint32_t struct_size;
    /* The plugin's section of the configuration, a JSON object ("{}" when absent),
     * already validated by the host against descriptor.config_schema. */
    const char* config_json;
    /* A directory the host created for this plugin (mode 0700) under the state
     * directory; the plugin keeps its files (golden copies, clones) there. It is on
     * the same filesystem as the rest of the state, so rename() is atomic in it. */
    const char* data_dir;
    /* Optional extensions; may be NULL. The host sends
     *   "installation_id": a random id of its state directory. A plugin that
     *     creates objects on a shared server (or a Docker engine) marks them with
     *     it, and lists only objects with its own mark in list_artifacts, so two
     *     installations never reconcile away each other's tenants;
     *   "registry": the path of the host's registry file, which isolation
     *     probes try to reach from a tenant (never to read or write it). */
    const char* options_json;
} dbc_plugin_init;

/* ---- Descriptor --------------------------------------------------------------- */

typedef int32_t dbc_plugin_kind;
#define DBC_KIND_BACKEND 1 /* one database engine: dbc_backend_vtable */
#define DBC_KIND_RUNTIME 2 /* runs servers (process, docker): dbc_runtime_vtable */
#define DBC_KIND_CHECK 3   /* verification checks: dbc_check_vtable */

/* Capability bits of a backend (descriptor.capabilities). Only grow. */
#define DBC_CAP_EMBEDDED (1u << 0)         /* no server: a clone is a local file */
#define DBC_CAP_SHARED_SERVER (1u << 1)    /* database per tenant on a shared server */
#define DBC_CAP_DATA_DIRECTORY (1u << 2)   /* can build a golden server data directory */
#define DBC_CAP_USERS (1u << 3)            /* creates a login per tenant */
#define DBC_CAP_ISOLATION_PROBES (1u << 4) /* implements attempt_access */
#define DBC_CAP_ROOT_FILES (1u << 5)       /* 1.1: loads several root files in order */
#define DBC_CAP_ROOT_DIRECTORIES (1u << 6) /* 1.3: takes a directory as a root file */

/* Returned by the entry function. Static storage: must stay valid and unchanged
 * for as long as the library is loaded. All fields required unless noted. */
typedef struct dbc_plugin_descriptor {
    uint32_t struct_size; /* sizeof(dbc_plugin_descriptor) as the plugin knows it */
    uint32_t abi_major;   /* DBC_ABI_MAJOR the plugin was built with */
    uint32_t abi_minor;   /* DBC_ABI_MINOR the plugin was built with */
    dbc_plugin_kind kind; /* selects the type of `vtable` */
    /* Unique among loaded plugins: ^[a-z][a-z0-9_-]{0,31}$. For a backend it is the
     * database type users type ("sqlite", "postgresql"). */
    const char* name;
    const char* version;     /* the plugin's own version, semver text */
    const char* description; /* one line for `dbclone plugins` */
    uint64_t capabilities;   /* DBC_CAP_* bits (backends); 0 otherwise */
    /* JSON Schema (draft 2020-12 subset: type, properties, required,
     * additionalProperties) for the plugin's config section. "{}" accepts anything. */
    const char* config_schema;
    /* Points at a dbc_backend_vtable, dbc_runtime_vtable or dbc_check_vtable,
     * according to `kind`. Static storage, like the descriptor. */
    const void* vtable;
} dbc_plugin_descriptor;

/* The one exported function. Must be callable before anything else, from any
 * thread, any number of times, with no side effect. */
typedef const dbc_plugin_descriptor* (*dbc_plugin_entry_fn)(void);

/* ---- Backend plugins ------------------------------------------------------------ */

/* Where a clone (or the golden copy) lives and how to log in to it. Borrowed. */
typedef struct dbc_target {
    uint32_t struct_size;
    const char* tenant_id; /* NULL for the golden copy */
    /* The engine's name for the object: a database name on a server, or the file
     * path of an embedded database. Required. */
    const char* location;
    const char* host;     /* server host; NULL for embedded engines */
    uint32_t port;        /* server port; 0 for embedded engines or the default */
    const char* user;     /* login; NULL when the engine has no users */
    const char* password; /* secret: never log it; NULL when not applicable */
    const char* options_json;
} dbc_target;

typedef struct dbc_golden_request {
    uint32_t struct_size;
    const char* root_version; /* "v1.0"; safe for file names (checked by the host) */
    /* Path of the root's file for this engine. 1.3: a directory of regular
     * files (pg_dump -Fd writes one) for a backend with
     * DBC_CAP_ROOT_DIRECTORIES; the host refuses one to any other. */
    const char* root_file;
    const char* root_sha256;  /* hex sha256 of root_file, verified by the host */
    const char* placement;    /* "embedded", "shared", "process" or "docker" */
    const char* options_json;
    /* Added in 1.1 (check struct_size). The root's files for this engine in
     * manifest order (schema, then data, say), as a JSON array of {"file":
     * path, "sha256": hex}, every one verified; one element for a one-file
     * root. root_file is then the first and root_sha256 the root's identity
     * (the one file's sha256, or the sha256 of all of theirs in order). The
     * host gives a backend several files only if it has DBC_CAP_ROOT_FILES. */
    const char* root_files_json;
} dbc_golden_request;

typedef struct dbc_golden_result {
    uint32_t struct_size;
    const char* location;    /* the golden copy (database name or file path) */
    const char* fingerprint; /* schema fingerprint of the golden copy, hex; may be NULL */
    /* Added in 1.1; write it only when struct_size covers it. The golden copy's
     * content as the `content` entry reports it for a clone, so that the
     * data_integrity check can compare a clone with it later; NULL if the backend
     * has no `content` entry. Recorded by the host with the golden copy. */
    const char* content_json;
    /* Added in 1.1, like content_json: the golden copy's size in bytes as the
     * server counts it; 0 if unknown. Shown by `dbclone status`. */
    uint64_t size_bytes;
} dbc_golden_result;

/* Ensures the golden copy for (root_version, root_sha256, placement) exists and is
 * current, building it when it is missing or was built from other contents.
 * Idempotent. Two processes may call it at once for the same root: the host holds
 * a lock across the call, but the plugin must still never expose a half-built copy
 * (build under a temporary name, then rename). */
typedef dbc_rc (*dbc_backend_ensure_golden_fn)(void* self, const dbc_golden_request* req,
                                               dbc_golden_result* out, dbc_error* err);

typedef struct dbc_clone_request {
    uint32_t struct_size;
    const char* tenant_id;       /* validated ^[a-z0-9][a-z0-9_]{0,47}$ */
    const char* golden_location; /* from dbc_golden_result.location */
    const char* database_name;   /* "tenant_<id>_db" */
    const char* user_name;       /* "tenant_<id>" */
    const char* password;        /* from the OS's random source; never log it */
    const char* placement;
    const char* options_json;
    /* Added in 1.2 (check struct_size). The tenant's query login, for a backend
     * with DBC_CAP_USERS: a second login that can read every table and view of
     * the database, also those made later, and write nothing, enforced by the
     * server's privileges (never by a session setting the tenant can change).
     * query_user_name is "tenant_<id>.ro"; NULL: make none. */
    const char* query_user_name;
    const char* query_password; /* from the OS's random source; never log it */
    /* Added in 1.2. The tenant's limits as a JSON object; each member may be
     * absent (no limit asked): {"connections": n (sessions per login),
     * "statement_timeout_ms": n, "idle_in_transaction_timeout_ms": n,
     * "lock_timeout_ms": n, "work_mem_kb": n, "temp_file_limit_kb": n,
     * "queries_per_hour": n, "disk_kb": n}. 0 means no limit. Validated by
     * the host. */
    const char* limits_json;
} dbc_clone_request;

typedef struct dbc_clone_result {
    uint32_t struct_size;
    const char* location; /* the clone's location (see dbc_target.location) */
    const char* host;     /* NULL for embedded engines */
    uint32_t port;
    const char* user; /* NULL when the engine has no users */
    const char* options_json;
    /* Added in 1.2; write them only when struct_size covers them. The query
     * login made (NULL: none), and how each limit of limits_json is held, one
     * member per limit asked: {"connections": {"state": "enforced"|
     * "overridable"|"measured"|"not_enforced", "detail": "one line: how, or
     * why not"}}. "overridable" is a default the tenant's own SQL can change
     * (a role default that SET changes); "measured" is a limit the server does
     * not stop but dbclone measures and reports (disk_kb, with measure_size).
     * NULL: nothing is enforced. */
    const char* query_user;
    const char* limits_json;
} dbc_clone_result;

/* Makes the tenant's database from the golden copy, with its own login where the
 * engine has logins. Must fail with DBC_CONFLICT if the clone exists, and must undo
 * its own partial work before it returns an error. */
typedef dbc_rc (*dbc_backend_clone_fn)(void* self, const dbc_clone_request* req,
                                       dbc_clone_result* out, dbc_error* err);

typedef struct dbc_drop_request {
    uint32_t struct_size;
    const char* tenant_id; /* NULL: remove the golden build leftover at `location` */
    const char* location;  /* as returned by clone, or the name dbclone would give it */
    const char* user_name; /* may be NULL */
    const char* options_json;
} dbc_drop_request;

/* Removes the tenant's database and login. Idempotent: DBC_OK if already gone.
 * With tenant_id NULL, removes a golden build leftover that list_artifacts
 * reported (see there), after checking that it still is one and that no build
 * is running; DBC_OK if it is gone, DBC_INVALID_ARGUMENT if `location` is not
 * a leftover of the plugin's own.
 * Since 1.1, with tenant_id NULL and options_json {"golden": true}: removes the
 * golden copy at `location` (as ensure_golden named it) and what the plugin
 * keeps for it (caches, exports), for `dbclone roots gc`; under the plugin's
 * build lock, so no build of it runs meanwhile. DBC_OK if it is gone,
 * DBC_INVALID_ARGUMENT if `location` is not a golden copy of the plugin's. */
typedef dbc_rc (*dbc_backend_drop_fn)(void* self, const dbc_drop_request* req, dbc_error* err);

/* Writes the hex sha256 of the target's normalized schema to *out (plugin-owned,
 * see OWNERSHIP). Equal for a golden copy and a fresh clone of it. */
typedef dbc_rc (*dbc_backend_fingerprint_fn)(void* self, const dbc_target* target, const char** out,
                                             dbc_error* err);

/* Connects as the target's user and runs a trivial query. DBC_OK when it works. */
typedef dbc_rc (*dbc_backend_probe_fn)(void* self, const dbc_target* target, dbc_error* err);

/* Lists every tenant artifact (database, file, login) the plugin finds, whether the
 * host knows it or not, so `reconcile` can find orphans. One sink record per
 * artifact: {"tenant_id": "...", "location": "...", "user": "..."|null}.
 * Also what a golden build that died half-way left behind and that the next
 * build would not clean (a half-loaded database, a temporary file, a loader
 * login), while no build is running: {"tenant_id": null, "location": "..."}.
 * Such leftovers belong to the server's golden builds, not to one installation;
 * the host passes each back to drop with tenant_id NULL. */
typedef dbc_rc (*dbc_backend_list_artifacts_fn)(void* self, const dbc_sink* sink, dbc_error* err);

/* Isolation probes: with `attacker`'s credentials, really try to reach `victim`.
 * One sink record per probe: {"name": "...", "outcome": "denied"|"allowed"|
 * "not_enforced"|"error", "detail": "..."}. DBC_OK means the probes ran (whatever
 * their outcome); an error means they could not run. */
typedef dbc_rc (*dbc_backend_attempt_access_fn)(void* self, const dbc_target* attacker,
                                                const dbc_target* victim, const dbc_sink* sink,
                                                dbc_error* err);

/* Added in 1.1. The target's content and the engine's own consistency check,
 * as one sink record:
 *   {"tables": [{"name": "public.orders", "rows": 458, "checksum": "hex",
 *                "sampled": false}, ...],     sorted by name
 *    "problems": ["...", ...],               what the consistency check found
 *    "checked_by": "PRAGMA integrity_check"} that check; "" if none could run
 * `rows` is exact. `checksum` is a function of the rows' contents alone, equal
 * for a golden copy and an untouched clone of it; above a size the plugin
 * documents, it covers a deterministic sample and says "sampled": true. The
 * data_integrity check compares a clone's record with its golden copy's. */
typedef dbc_rc (*dbc_backend_content_fn)(void* self, const dbc_target* target, const dbc_sink* sink,
                                         dbc_error* err);

/* Added in 1.1, optional: `dbclone roots import`. Writes a root image of the
 * live database `source` (a URL of the backend's, or a path for an embedded
 * engine) into `dir`, an empty directory the host made: the files, in the
 * order they are applied, one sink record each: {"file": "postgresql.sql"}
 * (a name in `dir`). The host writes the manifest with their sha256s. It
 * reads only; the error names the source without its password. */
typedef dbc_rc (*dbc_backend_export_root_fn)(void* self, const char* source, const char* dir,
                                             const dbc_sink* sink, dbc_error* err);

/* Canary operations (data isolation checks): a row holding `token` in a table
 * dbclone_canary of the target database. */
typedef int32_t dbc_canary_op;
#define DBC_CANARY_PLANT 1  /* create the table if needed and insert the token */
#define DBC_CANARY_FIND 2   /* *found = 1 if the token is there, else 0 */
#define DBC_CANARY_REMOVE 3 /* drop the table (idempotent) */

/* Plants, finds or removes a canary as the target's user. A target that cannot
 * hold one (a golden copy that admits no connection) answers DBC_NOT_SUPPORTED. */
typedef dbc_rc (*dbc_backend_canary_fn)(void* self, const dbc_target* target, dbc_canary_op op,
                                        const char* token, int32_t* found, dbc_error* err);

/* Runs `count` trivial queries as the target's user over one connection and writes
 * one sink record: {"count": n, "p50_ms": x, "p95_ms": y, "queries_per_second": z}. */
typedef dbc_rc (*dbc_backend_run_queries_fn)(void* self, const dbc_target* target, uint32_t count,
                                             const dbc_sink* sink, dbc_error* err);

/* Added in 1.2, optional: the guardrails check. With the tenant's own logins,
 * really attempts what a runaway or hostile statement would do, and whether
 * the server stops it: `owner` is the owner's login, `query` the query login
 * (NULL when the tenant has none), `limits_json` the tenant's limits (the shape
 * of dbc_clone_request.limits_json). One sink record per attempt:
 *   {"name": "query_login_write", "login": "query"|"owner",
 *    "outcome": "passed"|"failed"|"not_enforced"|"not_applicable"|"error",
 *    "detail": "one line, with the figure measured (\"cancelled after 1003 ms\")"}
 * "passed": the server stopped it; "failed": it got through; "not_enforced":
 * nothing would stop it (no limit asked, or one the tenant can lift). Each
 * attempt is bounded to a few seconds and at most about a hundred sessions; a
 * limit above that bound is checked as the setting the session starts with,
 * and the detail says so. It never changes the tenant's data. */
typedef dbc_rc (*dbc_backend_attempt_guardrails_fn)(void* self, const dbc_target* owner,
                                                    const dbc_target* query,
                                                    const char* limits_json, const dbc_sink* sink,
                                                    dbc_error* err);

/* Added in 1.2, optional: `dbclone credentials rotate`. Gives `user`, one
 * of tenant `tenant_id`'s logins ("tenant_<id>" or "tenant_<id>.ro"), the
 * password `password` (from the OS's random source; never log it) on the
 * tenant's server: options_json carries {"socket_dir", "port"} for a
 * dedicated server, as a clone request's does. Sessions already open stay
 * open. DBC_NOT_FOUND if the login is gone, DBC_INVALID_ARGUMENT if `user` is
 * not one of the tenant's logins. */
typedef dbc_rc (*dbc_backend_set_password_fn)(void* self, const char* tenant_id, const char* user,
                                              const char* password, const char* options_json,
                                              dbc_error* err);

/* Added in 1.2, optional: the disk the target's database takes, in bytes, as
 * the engine counts it (PostgreSQL pg_database_size, MySQL its tables' data
 * and index length, SQLite the file), measured with the target's own login.
 * For the `disk` limit, which status, /metrics and verify report. */
typedef dbc_rc (*dbc_backend_measure_size_fn)(void* self, const dbc_target* target, uint64_t* bytes,
                                              dbc_error* err);

/* The table a backend's descriptor points at. Entries are called on a handle made
 * by `create`; see THREADS for concurrency. */
typedef struct dbc_backend_vtable {
    uint32_t struct_size;
    /* Required. Makes a handle (*out, plugin-owned) from the host services and the
     * plugin's config. Must not touch tenant data. */
    dbc_rc (*create)(const dbc_host_api* host, const dbc_plugin_init* init, void** out,
                     dbc_error* err);
    /* Required. Frees the handle and everything it returned. Never fails. */
    void (*destroy)(void* self);
    dbc_backend_ensure_golden_fn ensure_golden;           /* required */
    dbc_backend_clone_fn clone;                           /* required */
    dbc_backend_drop_fn drop;                             /* required */
    dbc_backend_fingerprint_fn fingerprint;               /* optional: schema_integrity check */
    dbc_backend_probe_fn probe;                           /* optional: connection check */
    dbc_backend_list_artifacts_fn list_artifacts;         /* optional: reconcile */
    dbc_backend_attempt_access_fn attempt_access;         /* optional: isolation probes */
    dbc_backend_canary_fn canary;                         /* optional: data_isolation check */
    dbc_backend_run_queries_fn run_queries;               /* optional: performance check */
    dbc_backend_content_fn content;                       /* 1.1, optional: data_integrity check */
    dbc_backend_export_root_fn export_root;               /* 1.1, optional: roots import */
    dbc_backend_attempt_guardrails_fn attempt_guardrails; /* 1.2, optional: guardrails check */
    dbc_backend_set_password_fn set_password;             /* 1.2, optional: credentials rotate */
    dbc_backend_measure_size_fn measure_size;             /* 1.2, optional: the disk limit */
    /* New entries are appended here. */
} dbc_backend_vtable;

/* ---- Runtime plugins (run a server per tenant) --------------------------------- */

/* A server to run: which engine, on which data directory and port. Borrowed. */
typedef struct dbc_server_spec {
    uint32_t struct_size;
    const char* name;         /* "dbclone_<type>_tenant_<id>": unique, safe for names */
    const char* engine;       /* backend name: "postgresql", "mysql", ... */
    const char* data_dir;     /* the clone's data directory */
    uint32_t port;            /* allocated by the host; bind 127.0.0.1 only */
    const char* options_json; /* labels, limits, image, ... */
} dbc_server_spec;

/* The table a runtime's descriptor points at. All entries but `inspect` and `list`
 * are required. Each names the server by dbc_server_spec.name. */
typedef struct dbc_runtime_vtable {
    uint32_t struct_size;
    dbc_rc (*create)(const dbc_host_api* host, const dbc_plugin_init* init, void** out,
                     dbc_error* err);
    void (*destroy)(void* self);
    /* Creates the server and starts it; returns when it accepts connections. */
    dbc_rc (*start_server)(void* self, const dbc_server_spec* spec, dbc_error* err);
    /* Stops it gracefully, then forcibly after `timeout_ms`. Idempotent. */
    dbc_rc (*stop_server)(void* self, const char* name, uint32_t timeout_ms, dbc_error* err);
    /* Stops it and removes what the runtime made for it (not the data). Idempotent. */
    dbc_rc (*remove_server)(void* self, const char* name, dbc_error* err);
    /* Optional. One sink record: {"name", "state", "port", ...}; DBC_NOT_FOUND if none. */
    dbc_rc (*inspect)(void* self, const char* name, const dbc_sink* sink, dbc_error* err);
    /* Optional. One sink record per server this runtime manages, for reconcile. */
    dbc_rc (*list)(void* self, const dbc_sink* sink, dbc_error* err);
    /* New entries are appended here. */
} dbc_runtime_vtable;

/* ---- Check plugins (verification) ----------------------------------------------- */

/* What the host offers a check while it runs: the tenant's backend's operations
 * (so a check needs no database driver of its own) and the registry's view of
 * every tenant. Valid for the run_check call only; not thread-safe. Every entry
 * may answer DBC_NOT_SUPPORTED when the backend lacks it. */
typedef struct dbc_check_services {
    uint32_t struct_size;
    void* ctx; /* host's; pass back unchanged */
    /* Connects as the target's user and runs a trivial query. */
    dbc_rc (*probe)(void* ctx, const dbc_target* target, dbc_error* err);
    /* Writes the target's schema fingerprint (hex) as one sink record. */
    dbc_rc (*fingerprint)(void* ctx, const dbc_target* target, const dbc_sink* sink,
                          dbc_error* err);
    /* The backend's isolation probes, `attacker` against `victim`: records as
     * dbc_backend_attempt_access_fn writes them. */
    dbc_rc (*attempt_access)(void* ctx, const dbc_target* attacker, const dbc_target* victim,
                             const dbc_sink* sink, dbc_error* err);
    dbc_rc (*canary)(void* ctx, const dbc_target* target, dbc_canary_op op, const char* token,
                     int32_t* found, dbc_error* err);
    dbc_rc (*run_queries)(void* ctx, const dbc_target* target, uint32_t count, const dbc_sink* sink,
                          dbc_error* err);
    /* One record per tenant in the registry: {"tenant_id", "database_type",
     * "database", "user", "location", "host", "port", "placement", "server",
     * "password_sha256"} (a hash, so uniqueness can be checked without secrets). */
    dbc_rc (*tenants)(void* ctx, const dbc_sink* sink, dbc_error* err);
    /* The runtime's record of a dedicated tenant's server (see the runtime's
     * inspect); DBC_NOT_FOUND for tenants on a shared server. */
    dbc_rc (*server)(void* ctx, const char* tenant_id, const dbc_sink* sink, dbc_error* err);
    /* Added in 1.1 (check struct_size before calling). The backend's `content`
     * record for the target. */
    dbc_rc (*content)(void* ctx, const dbc_target* target, const dbc_sink* sink, dbc_error* err);
    /* Added in 1.2 (check struct_size). The backend's guardrail attempts: records
     * as dbc_backend_attempt_guardrails_fn writes them. */
    dbc_rc (*attempt_guardrails)(void* ctx, const dbc_target* owner, const dbc_target* query,
                                 const char* limits_json, const dbc_sink* sink, dbc_error* err);
} dbc_check_services;

/* What a check runs against. Borrowed for the call. */
typedef struct dbc_check_context {
    uint32_t struct_size;
    const char* check_name;             /* one of the names list_checks reported */
    const char* tenant_json;            /* the tenant's registry row, without its password */
    const dbc_target* tenant;           /* with credentials */
    const dbc_target* other;            /* another tenant of the same type; may be NULL */
    const dbc_target* golden;           /* the golden copy it was made from (fingerprint recorded in
                                           options_json "golden_fingerprint"); may be NULL */
    const dbc_check_services* services; /* required */
    /* {"golden_fingerprint": "...", and since 1.1 "golden_content": the golden
     * copy's content record (see dbc_backend_content_fn) when it was recorded} */
    const char* options_json;
    /* Added in 1.2 (check struct_size). The tenant's query login (NULL when it
     * has none) and its limits (as dbc_clone_request.limits_json). */
    const dbc_target* query;
    const char* limits_json;
} dbc_check_context;

typedef struct dbc_check_vtable {
    uint32_t struct_size;
    dbc_rc (*create)(const dbc_host_api* host, const dbc_plugin_init* init, void** out,
                     dbc_error* err);
    void (*destroy)(void* self);
    /* Required. One sink record per check offered: {"name": "...", "description": "..."}.
     * Since 1.2 a record may say "guardrail": true: the check is about limits,
     * not isolation, and its outcome does not count in a report's "isolated"
     * (it has its own, "guarded"). */
    dbc_rc (*list_checks)(void* self, const dbc_sink* sink, dbc_error* err);
    /* Required. Runs one check. One sink record: {"outcome": "passed"|"failed"|
     * "not_applicable"|"not_enforced"|"error", "details": "..."}. */
    dbc_rc (*run_check)(void* self, const dbc_check_context* ctx, const dbc_sink* sink,
                        dbc_error* err);
    /* New entries are appended here. */
} dbc_check_vtable;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* DBCLONE_PLUGIN_H */
