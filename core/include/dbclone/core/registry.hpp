// The state registry: one SQLite database (WAL, busy timeout, mode 0600) holding
// clones, port allocations, golden copies and the audit log. Every state change is
// a transaction, so several processes can share it safely.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "dbclone/core/secret_box.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace dbclone {

struct CloneRecord {
    std::string tenant_id;
    std::string db_type;
    std::string root_version;
    std::string placement;
    std::string state;  // "creating", "ready", "removing"
    std::string database_name;
    std::string user_name;
    // Secret: never logged, never in `list` output. Stored sealed (SecretBox,
    // key file dbclone.key beside the registry); records carry it in plain.
    std::string password;
    std::string location;
    std::string host;
    uint32_t port = 0;
    int64_t owner_pid = 0;  // the process working on it while creating/removing
    // Schema fingerprint of the golden copy it was cloned from: what
    // schema_integrity compares against, even after the root changes.
    std::string golden_fingerprint;
    std::string data_dir;  // dedicated placements: the clone's data directory
    std::string server;    // dedicated placements: the runtime's name for its server
    // The query login (read only; "" when the engine has no logins) and its
    // password, a secret sealed like `password`.
    std::string query_user;
    std::string query_password;
    std::string limits;            // LimitSet::to_json of the limits asked for
    std::string limits_report;     // the backend's dbc_clone_result.limits_json; "" if none
    uint64_t disk_bytes = 0;       // the last measure of its disk (status, verify)
    std::string disk_measured_at;  // when; "" if never measured
    std::string created_at;
    std::string updated_at;
};

struct PortAllocation {
    uint32_t port = 0;
    std::string db_type;
    std::string tenant_id;
    std::string allocated_at;
};

struct GoldenRecord {
    std::string backend;
    std::string root_version;
    std::string placement;
    std::string sha256;
    std::string location;
    std::string fingerprint;
    std::string built_at;
    std::string content;  // the backend's content record (data_integrity); "" if none
    uint64_t bytes = 0;   // its size as the backend or the data directory says; 0 if unknown
};

// A background operation of the REST API, kept so that it outlives the server.
struct OperationRecord {
    std::string id;
    std::string state;  // queued, running, succeeded, failed
    unsigned status = 0;
    std::string body;        // the result; stored sealed (it may hold a password)
    int64_t updated_at = 0;  // seconds since the epoch
};

struct Event {
    int64_t id = 0;
    std::string at;
    std::string tenant_id;
    std::string kind;
    std::string detail;
};

class Registry {
  public:
    // The schema version this build writes; older files are migrated on open.
    static constexpr int schema_version = 6;

    // How a registry file is opened when it is missing (or an empty SQLite
    // database with no schema at all).
    enum class Open {
        // Create it (mode 0600) only in a directory that holds no dbclone data:
        // a missing registry beside tenant files, a key or a token was lost,
        // and an empty one would forget every tenant.
        create_if_fresh,
        // Create it whatever the directory holds (`--init`).
        create,
        // Never create: a reader of an existing registry.
        existing,
    };

    // Opens the registry file and migrates it (backing it up first). A file
    // that is empty (0 bytes), no SQLite database, or another program's
    // database is refused with Error(Failed) naming the file and what to do;
    // nothing is written then.
    explicit Registry(const std::filesystem::path& file, Open open = Open::create_if_fresh);
    ~Registry();
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    const std::filesystem::path& file() const { return file_; }
    // An online copy of the registry (SQLite's backup API, so other processes
    // may keep working) at `target` (mode 0600; its directory is made 0700),
    // with the key file beside it as `target`.key. Refuses an existing target.
    void backup_to(const std::filesystem::path& target);

    // Replaces the registry `file` with the backup `backup` (and its key
    // `backup`.key, when there is one). Nothing is lost: a current registry
    // and a different current key are first moved into backups/ beside
    // `file`. Stop every other dbclone process using `file` first. Throws
    // Error(Failed) naming the backup when it is no dbclone registry.
    // Returns the line saying where the replaced files went ("" for none).
    static std::string restore(const std::filesystem::path& backup,
                               const std::filesystem::path& file);
    int stored_schema_version();

    // Runs `body` in one write transaction (BEGIN IMMEDIATE ... COMMIT); rolls back
    // if it throws. A nested call runs inside the outer transaction.
    void transaction(const std::function<void()>& body);

    // A random id of this state directory, made on first use. Plugins mark what
    // they create with it, so two installations sharing a server never take
    // each other's tenants for orphans.
    std::string installation_id();

    // Clones. insert_clone throws Error(Conflict) if the tenant exists.
    void insert_clone(const CloneRecord& record);
    void update_clone(const CloneRecord& record);
    // A new password for the owner (`query` false) or the query login, sealed.
    void update_password(const std::string& tenant_id, bool query, const std::string& password);
    // The disk the tenant takes, measured now.
    void record_disk(const std::string& tenant_id, uint64_t bytes);
    void delete_clone(const std::string& tenant_id);
    std::optional<CloneRecord> find_clone(const std::string& tenant_id);
    std::vector<CloneRecord> clones();

    // Port allocations. insert_port throws Error(Conflict) if the port is taken.
    void insert_port(const PortAllocation& allocation);
    void delete_port(uint32_t port);
    std::vector<PortAllocation> ports();

    // Golden copies, keyed by (backend, root_version, placement).
    void upsert_golden(const GoldenRecord& record);
    void delete_golden(const std::string& backend, const std::string& root_version,
                       const std::string& placement);
    std::optional<GoldenRecord> find_golden(const std::string& backend,
                                            const std::string& root_version,
                                            const std::string& placement);
    std::vector<GoldenRecord> goldens();

    // Background operations (the API's async creates).
    void save_operation(const OperationRecord& operation);  // insert or replace
    std::optional<OperationRecord> find_operation(const std::string& id);
    void forget_operations_before(int64_t epoch);  // finished ones only
    // Queued and running operations of a server that is gone become failed.
    void interrupt_operations(unsigned status, const std::string& body, int64_t now);

    // The audit log.
    void add_event(const std::string& tenant_id, const std::string& kind,
                   const std::string& detail);
    std::vector<Event> events(const std::string& tenant_id = "", int limit = 100);

  private:
    void exec(const char* sql);
    void migrate();
    void seal_plain_passwords();
    void transaction_once(const std::function<void()>& body);
    // The reserve: dbclone.reserve beside the registry (see registry.cpp).
    std::filesystem::path reserve_file() const;
    void keep_reserve() const;
    bool release_reserve();
    CloneRecord unsealed(CloneRecord record);

    std::filesystem::path file_;
    SecretBox secrets_;
    sqlite3* db_ = nullptr;
    // Prepared statements by SQL text, reused for the connection's life.
    std::unordered_map<std::string, sqlite3_stmt*> statements_;
    int transaction_depth_ = 0;
    bool created_ = false;
    Open open_;
};

}  // namespace dbclone
