#include "dbclone/core/registry.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <dbclone/sha256.hpp>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <unordered_map>

#include "dbclone/core/error.hpp"
#include "dbclone/core/password.hpp"
#include "dbclone/core/secret_box.hpp"

namespace dbclone {

namespace {

// Each entry moves the schema from version i to i+1; entries are only appended.
const char* const migrations[] = {
    // 0 -> 1: the first schema.
    R"sql(
    CREATE TABLE clones (
        tenant_id     TEXT PRIMARY KEY,
        db_type       TEXT NOT NULL,
        root_version  TEXT NOT NULL,
        placement     TEXT NOT NULL,
        state         TEXT NOT NULL CHECK (state IN ('creating', 'ready', 'removing')),
        database_name TEXT NOT NULL,
        user_name     TEXT NOT NULL,
        password      TEXT NOT NULL,
        location      TEXT NOT NULL DEFAULT '',
        host          TEXT NOT NULL DEFAULT '',
        port          INTEGER NOT NULL DEFAULT 0,
        owner_pid     INTEGER NOT NULL DEFAULT 0,
        golden_fingerprint TEXT NOT NULL DEFAULT '',
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
    );
    CREATE TABLE port_allocations (
        port         INTEGER PRIMARY KEY,
        db_type      TEXT NOT NULL,
        tenant_id    TEXT NOT NULL,
        allocated_at TEXT NOT NULL
    );
    CREATE TABLE golden_copies (
        backend      TEXT NOT NULL,
        root_version TEXT NOT NULL,
        placement    TEXT NOT NULL,
        sha256       TEXT NOT NULL,
        location     TEXT NOT NULL,
        fingerprint  TEXT NOT NULL,
        built_at     TEXT NOT NULL,
        PRIMARY KEY (backend, root_version, placement)
    );
    CREATE TABLE events (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        at        TEXT NOT NULL,
        tenant_id TEXT NOT NULL,
        kind      TEXT NOT NULL,
        detail    TEXT NOT NULL
    );
    CREATE INDEX events_by_tenant ON events (tenant_id, id);
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    )sql",
    // 1 -> 2: dedicated placements keep a data directory and a server.
    R"sql(
    ALTER TABLE clones ADD COLUMN data_dir TEXT NOT NULL DEFAULT '';
    ALTER TABLE clones ADD COLUMN server TEXT NOT NULL DEFAULT '';
    )sql",
    // 2 -> 3: clones.password holds the password sealed with the key file
    // (SecretBox); Registry::migrate seals the rows of older files.
    "SELECT 1",
    // 3 -> 4: the REST API's background operations outlive `dbclone serve`.
    R"sql(
    CREATE TABLE IF NOT EXISTS operations (
        id         TEXT PRIMARY KEY,
        state      TEXT NOT NULL,
        status     INTEGER NOT NULL DEFAULT 0,
        body       TEXT NOT NULL DEFAULT '',
        updated_at INTEGER NOT NULL
    );
    )sql",
    // 4 -> 5: a golden copy's content record (the data_integrity check) and size.
    R"sql(
    ALTER TABLE golden_copies ADD COLUMN content TEXT NOT NULL DEFAULT '';
    ALTER TABLE golden_copies ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
    )sql",
    // 5 -> 6: a tenant's query login (its password sealed), its limits and
    // the last measure of its disk.
    R"sql(
    ALTER TABLE clones ADD COLUMN query_user TEXT NOT NULL DEFAULT '';
    ALTER TABLE clones ADD COLUMN query_password TEXT NOT NULL DEFAULT '';
    ALTER TABLE clones ADD COLUMN limits TEXT NOT NULL DEFAULT '';
    ALTER TABLE clones ADD COLUMN limits_report TEXT NOT NULL DEFAULT '';
    ALTER TABLE clones ADD COLUMN disk_bytes INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE clones ADD COLUMN disk_measured_at TEXT NOT NULL DEFAULT '';
    )sql",
};
constexpr int migration_count = sizeof(migrations) / sizeof(migrations[0]);
static_assert(migration_count == Registry::schema_version);

constexpr const char* now_sql = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

// True when the last error on `db` means its disk has no room left.
bool disk_full(sqlite3* db) {
    int code = sqlite3_extended_errcode(db) & 0xff;
    if (code == SQLITE_FULL) return true;
    const char* file = sqlite3_db_filename(db, "main");
    struct statvfs fs {};
    return code == SQLITE_IOERR && file != nullptr &&
           ::statvfs(std::filesystem::path(file).parent_path().c_str(), &fs) == 0 &&
           fs.f_bavail == 0;
}

// A write that failed for want of space: Registry::transaction tries once more
// after giving up the reserve.
struct DiskFull : Error {
    using Error::Error;
};

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
    const char* file = sqlite3_db_filename(db, "main");
    std::string where = file != nullptr ? file : "";
    if (disk_full(db))
        throw DiskFull(ErrorKind::Unavailable, "state registry " + where + ": " + what +
                                                   ": no space left on the disk that holds " +
                                                   where);
    auto kind = (sqlite3_extended_errcode(db) & 0xff) == SQLITE_BUSY ? ErrorKind::Unavailable
                                                                     : ErrorKind::Failed;
    throw Error(kind, "state registry " + where + ": " + what + ": " + sqlite3_errmsg(db));
}

// Room kept for the writes that undo a failed change (deleting a row needs a
// few pages of WAL): a file of this size beside the registry, given up when
// the disk is full and made again when there is room.
constexpr off_t reserve_bytes = 1 << 20;

// One prepared statement, borrowed from the registry's cache for one use:
// binds by position, steps, reads columns, and goes back reset. Preparing
// costs more than reading one row by its key, so statements are kept for the
// connection's life, keyed by their SQL text (which callers build once, in
// statics). A statement in use is out of the cache, so a nested use of the
// same SQL prepares its own.
class Statement {
  public:
    Statement(sqlite3* db, std::unordered_map<std::string, sqlite3_stmt*>& cache,
              const std::string& sql)
        : db_(db), cache_(cache), sql_(sql) {
        if (auto cached = cache.extract(sql)) {
            stmt_ = cached.mapped();
        } else if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt_,
                                      nullptr) != SQLITE_OK) {
            fail(db, "prepare");
        }
    }
    ~Statement() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
        if (!cache_.try_emplace(sql_, stmt_).second) sqlite3_finalize(stmt_);
    }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(const std::string& value) {
        sqlite3_bind_text(stmt_, ++index_, value.data(), static_cast<int>(value.size()),
                          SQLITE_TRANSIENT);
        return *this;
    }
    Statement& bind(int64_t value) {
        sqlite3_bind_int64(stmt_, ++index_, value);
        return *this;
    }
    // True while there is a row; false when done.
    bool step() {
        int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        if ((sqlite3_extended_errcode(db_) & 0xff) == SQLITE_CONSTRAINT)
            throw Error(ErrorKind::Conflict, std::string("state registry: ") + sqlite3_errmsg(db_));
        fail(db_, "step");
    }
    std::string text(int column) const {
        auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
        return p != nullptr ? std::string(p, sqlite3_column_bytes(stmt_, column)) : "";
    }
    int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }

  private:
    sqlite3* db_;
    std::unordered_map<std::string, sqlite3_stmt*>& cache_;
    std::string sql_;
    sqlite3_stmt* stmt_ = nullptr;
    int index_ = 0;
};

constexpr const char* clone_columns =
    "tenant_id, db_type, root_version, placement, state, database_name, user_name, password, "
    "location, host, port, owner_pid, golden_fingerprint, created_at, updated_at, data_dir, "
    "server, "
    "query_user, query_password, limits, limits_report, disk_bytes, disk_measured_at";

CloneRecord read_clone(const Statement& s) {
    CloneRecord r;
    r.tenant_id = s.text(0);
    r.db_type = s.text(1);
    r.root_version = s.text(2);
    r.placement = s.text(3);
    r.state = s.text(4);
    r.database_name = s.text(5);
    r.user_name = s.text(6);
    r.password = s.text(7);
    r.location = s.text(8);
    r.host = s.text(9);
    r.port = static_cast<uint32_t>(s.integer(10));
    r.owner_pid = s.integer(11);
    r.golden_fingerprint = s.text(12);
    r.created_at = s.text(13);
    r.updated_at = s.text(14);
    r.data_dir = s.text(15);
    r.server = s.text(16);
    r.query_user = s.text(17);
    r.query_password = s.text(18);
    r.limits = s.text(19);
    r.limits_report = s.text(20);
    r.disk_bytes = static_cast<uint64_t>(s.integer(21));
    r.disk_measured_at = s.text(22);
    return r;
}

GoldenRecord read_golden(const Statement& s) {
    return GoldenRecord{s.text(0), s.text(1), s.text(2),
                        s.text(3), s.text(4), s.text(5),
                        s.text(6), s.text(7), static_cast<uint64_t>(s.integer(8))};
}

constexpr const char* golden_columns =
    "backend, root_version, placement, sha256, location, fingerprint, built_at, content, bytes";

// Creates the file with mode 0600 before SQLite opens it; SQLite gives its -wal
// and -shm files the same mode as the database file.
void create_private_file(const std::filesystem::path& file) {
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 && errno == EEXIST) return;  // another process made it first
    if (fd < 0)
        throw Error(ErrorKind::Failed,
                    "cannot create state registry " + file.string() + ": " + std::strerror(errno));
    ::fchmod(fd, 0600);
    ::close(fd);
}

// SQLite's application_id of a dbclone registry: "dbcl".
constexpr int application_id = 0x6462636c;

// Makes a new registry file that is never seen empty: a valid SQLite header
// is written under a temporary name, then linked into place. A concurrent
// creator that wins the link is fine; its file is as good as ours.
void create_registry_file(const std::filesystem::path& file) {
    auto temp = file.string() + ".new." + std::to_string(::getpid());
    ::unlink(temp.c_str());
    create_private_file(temp);
    sqlite3* db = nullptr;
    bool written =
        sqlite3_open_v2(temp.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK &&
        sqlite3_exec(db, ("PRAGMA application_id = " + std::to_string(application_id)).c_str(),
                     nullptr, nullptr, nullptr) == SQLITE_OK;
    std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    int linked = written ? ::link(temp.c_str(), file.c_str()) : -1;
    int saved = errno;
    ::unlink(temp.c_str());
    if (!written)
        throw Error(ErrorKind::Failed,
                    "cannot create state registry " + file.string() + ": " + message);
    if (linked != 0 && saved != EEXIST)
        throw Error(ErrorKind::Failed,
                    "cannot create state registry " + file.string() + ": " + std::strerror(saved));
}

// What restoring a registry takes, for the messages that refuse one.
std::string restore_hint(const std::filesystem::path& file) {
    return "nothing was changed; restore it with 'dbclone state restore BACKUP' (automatic "
           "backups are in " +
           (file.parent_path() / "backups").string() + ")";
}

// Something in the registry's directory that only a used installation has, or
// "" when there is none.
std::string installation_data(const std::filesystem::path& file) {
    auto dir = file.parent_path();
    std::error_code ec;
    for (const char* name : {"dbclone.key", "api_token"})
        if (std::filesystem::exists(dir / name, ec)) return (dir / name).string();
    if (std::filesystem::exists(file.string() + "-wal", ec)) return file.string() + "-wal";
    for (const char* sub : {"plugins", "data", "backups"})
        for (auto it = std::filesystem::recursive_directory_iterator(dir / sub, ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
            if (it->is_regular_file(ec)) return it->path().string();
    return "";
}

// Refuses a registry file that is there but cannot be this program's: empty
// (a truncation), not a regular file, or not a SQLite database. Returns
// whether the file exists.
bool check_registry_file(const std::filesystem::path& file) {
    struct stat st {};
    if (::lstat(file.c_str(), &st) != 0) {
        if (errno == ENOENT) return false;
        throw Error(ErrorKind::Failed,
                    "cannot read state registry " + file.string() + ": " + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        throw Error(ErrorKind::Failed, "state registry " + file.string() +
                                           " is not a regular file; " + restore_hint(file));
    if (st.st_size == 0)
        throw Error(ErrorKind::Failed,
                    "state registry " + file.string() +
                        " is empty (0 bytes): it was truncated (a crash during a copy, a full "
                        "disk) or replaced; " +
                        restore_hint(file));
    char header[16] = {};
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    ssize_t n = fd >= 0 ? ::read(fd, header, sizeof header) : -1;
    if (fd >= 0) ::close(fd);
    if (n != sizeof header || std::memcmp(header, "SQLite format 3", 16) != 0)
        throw Error(ErrorKind::Failed, "state registry " + file.string() +
                                           " is not a SQLite database (damaged or another "
                                           "file); " +
                                           restore_hint(file));
    return true;
}

// Refuses to make a new registry where a used installation's data lies.
void check_fresh(const std::filesystem::path& file, Registry::Open open) {
    if (open == Registry::Open::existing)
        throw Error(ErrorKind::Failed, "state registry " + file.string() + " does not exist");
    if (open == Registry::Open::create) return;
    if (auto data = installation_data(file); !data.empty())
        throw Error(ErrorKind::Failed,
                    "state registry " + file.string() + " is missing, but " +
                        file.parent_path().string() + " holds dbclone data (" + data +
                        "); nothing was changed; restore it with 'dbclone state restore BACKUP', "
                        "or pass --init to start an empty registry beside that data");
}

}  // namespace

Registry::Registry(const std::filesystem::path& file, Open open)
    : file_(file), secrets_(file.parent_path() / "dbclone.key"), open_(open) {
    if (!check_registry_file(file)) {
        check_fresh(file, open);
        create_registry_file(file);
        created_ = true;
    }
    if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw Error(ErrorKind::Failed,
                    "cannot open state registry " + file.string() + ": " + message);
    }
    sqlite3_busy_timeout(db_, 10000);
    try {
        // Opening a WAL database writes its -wal and -shm files: on a full disk
        // the reserve gives them room, so that reads (list, status) still work.
        exec("PRAGMA journal_mode=WAL");
    } catch (const DiskFull&) {
        if (!release_reserve()) throw;
        exec("PRAGMA journal_mode=WAL");
    }
    // NORMAL is durable across application crashes in WAL mode; a power loss can
    // lose the last commits but never corrupts the file.
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
    keep_reserve();
    migrate();
}

Registry::~Registry() {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
}

void Registry::exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
        std::string statement(sql);
        statement.erase(0, statement.find_first_not_of(" \n"));
        fail(db_, statement.substr(0, statement.find_first_of("\n(")));
    }
}

int Registry::stored_schema_version() {
    Statement s(db_, statements_, "PRAGMA user_version");
    s.step();
    return static_cast<int>(s.integer(0));
}

void Registry::migrate() {
    int stored = stored_schema_version();
    if (stored == schema_version) return;
    if (stored == 0 && !created_) {
        // A SQLite file that is no registry of ours: another program's database,
        // or an empty one (then it is as good as missing).
        Statement objects(db_, statements_, "SELECT count(*) FROM sqlite_schema");
        objects.step();
        if (objects.integer(0) > 0)
            throw Error(ErrorKind::Failed,
                        "state registry " + file_.string() +
                            " is a SQLite database but not a dbclone registry; " +
                            restore_hint(file_));
        check_fresh(file_, open_);
    }
    if (stored > 0 && stored < schema_version)
        backup_to(
            file_.parent_path() / "backups" /
            ("dbclone.db.v" + std::to_string(stored) + "-" + std::to_string(::time(nullptr))));
    transaction([&] {
        int version = stored_schema_version();  // re-read: another process may have won
        if (version > schema_version)
            throw Error(ErrorKind::Failed,
                        "state registry " + file_.string() + " has schema version " +
                            std::to_string(version) + ", newer than this dbclone's " +
                            std::to_string(schema_version) + "; upgrade dbclone");
        int from = version;
        for (; version < schema_version; ++version) exec(migrations[version]);
        if (from > 0 && from < 3) seal_plain_passwords();
        exec(("PRAGMA user_version=" + std::to_string(schema_version)).c_str());
    });
}

void Registry::backup_to(const std::filesystem::path& target) {
    std::error_code ec;
    if (std::filesystem::exists(target, ec))
        throw Error(ErrorKind::Conflict, "backup " + target.string() + " exists already");
    std::filesystem::create_directories(target.parent_path(), ec);
    if (target.parent_path().filename() == "backups") ::chmod(target.parent_path().c_str(), 0700);
    create_private_file(target);
    sqlite3* out = nullptr;
    int rc = sqlite3_open_v2(target.c_str(), &out, SQLITE_OPEN_READWRITE, nullptr);
    sqlite3_backup* copy =
        rc == SQLITE_OK ? sqlite3_backup_init(out, "main", db_, "main") : nullptr;
    if (copy != nullptr) {
        sqlite3_backup_step(copy, -1);
        sqlite3_backup_finish(copy);
    }
    rc = out != nullptr ? sqlite3_errcode(out) : SQLITE_NOMEM;
    std::string message = out != nullptr ? sqlite3_errmsg(out) : "out of memory";
    sqlite3_close(out);
    if (rc != SQLITE_OK) {
        std::filesystem::remove(target, ec);
        throw Error(ErrorKind::Failed, "cannot back up state registry " + file_.string() + " to " +
                                           target.string() + ": " + message);
    }
    auto key = secrets_.key_file();
    if (std::filesystem::exists(key, ec)) {
        std::filesystem::copy_file(key, target.string() + ".key", ec);
        ::chmod((target.string() + ".key").c_str(), 0600);
        if (ec)
            throw Error(ErrorKind::Failed, "cannot copy key file " + key.string() + " to " +
                                               target.string() + ".key: " + ec.message());
    }
}

std::string Registry::restore(const std::filesystem::path& backup,
                              const std::filesystem::path& file) {
    if (!check_registry_file(backup))
        throw Error(ErrorKind::NotFound, "backup " + backup.string() + " does not exist");
    {
        // Read-only: a check must not migrate (write) the backup.
        sqlite3* db = nullptr;
        int rc = sqlite3_open_v2(backup.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
        int version = -1;
        bool has_meta = false;
        if (rc == SQLITE_OK) {
            sqlite3_stmt* s = nullptr;
            if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, nullptr) == SQLITE_OK &&
                sqlite3_step(s) == SQLITE_ROW)
                version = sqlite3_column_int(s, 0);
            sqlite3_finalize(s);
            if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_schema WHERE name = 'meta'", -1, &s,
                                   nullptr) == SQLITE_OK)
                has_meta = sqlite3_step(s) == SQLITE_ROW;
            sqlite3_finalize(s);
        }
        sqlite3_close(db);
        if (version < 1 || version > schema_version || !has_meta)
            throw Error(ErrorKind::Failed,
                        "backup " + backup.string() + " is not a dbclone registry (schema " +
                            std::to_string(version) + ", this dbclone reads 1 to " +
                            std::to_string(schema_version) + "); nothing was changed");
    }
    auto stamp = std::to_string(::time(nullptr));
    auto dir = file.parent_path(), kept = dir / "backups";
    std::error_code ec;
    std::filesystem::create_directories(kept, ec);
    ::chmod(kept.c_str(), 0700);
    std::string moved;
    // The copy goes in under a temporary name, then one rename replaces the file.
    auto temp = file.string() + ".restore";
    std::filesystem::remove(temp, ec);
    std::filesystem::copy_file(backup, temp, ec);
    ::chmod(temp.c_str(), 0600);
    if (ec)
        throw Error(ErrorKind::Failed,
                    "cannot copy " + backup.string() + " to " + temp + ": " + ec.message());
    if (std::filesystem::exists(file, ec)) {
        auto old = kept / ("dbclone.db.before-restore-" + stamp);
        std::filesystem::rename(file, old, ec);
        if (ec)
            throw Error(ErrorKind::Failed,
                        "cannot move " + file.string() + " aside: " + ec.message());
        for (const char* suffix : {"-wal", "-shm"})
            std::filesystem::rename(file.string() + suffix, old.string() + suffix, ec);
        moved = "the replaced registry is " + old.string();
    }
    std::filesystem::rename(temp, file, ec);
    if (ec) throw Error(ErrorKind::Failed, "cannot put " + temp + " in place: " + ec.message());
    std::string backup_key = backup.string() + ".key";
    std::filesystem::path key = dir / "dbclone.key";
    if (std::filesystem::exists(backup_key, ec)) {
        bool same = std::filesystem::exists(key, ec) &&
                    sdk::Sha256::of_file(key.string()) == sdk::Sha256::of_file(backup_key);
        if (!same) {
            if (std::filesystem::exists(key, ec)) {
                auto old_key = kept / ("dbclone.key.before-restore-" + stamp);
                std::filesystem::rename(key, old_key, ec);
                moved += (moved.empty() ? "" : "; ") + std::string("the replaced key is ") +
                         old_key.string();
            }
            std::filesystem::copy_file(backup_key, key, ec);
            ::chmod(key.c_str(), 0600);
        }
    }
    return moved;
}

// Before schema 3 passwords were stored as they are.
void Registry::seal_plain_passwords() {
    std::vector<std::pair<std::string, std::string>> plain;
    {
        Statement read(db_, statements_, "SELECT tenant_id, password FROM clones");
        while (read.step()) plain.emplace_back(read.text(0), read.text(1));
    }
    for (const auto& [tenant, password] : plain) {
        if (SecretBox::is_sealed(password)) continue;
        Statement write(db_, statements_, "UPDATE clones SET password=? WHERE tenant_id=?");
        write.bind(secrets_.seal(password)).bind(tenant).step();
    }
}

void Registry::transaction(const std::function<void()>& body) {
    // A nested call joins the open transaction, so callers compose (a clone row and
    // its port are written in one transaction).
    if (transaction_depth_ > 0) {
        body();
        return;
    }
    try {
        transaction_once(body);
    } catch (const DiskFull&) {
        // On a full disk the reserve makes room for one more try: an undo (a
        // row deleted) must never fail for the space its own mistake used.
        if (!release_reserve()) throw;
        transaction_once(body);
    }
}

bool Registry::release_reserve() {
    std::error_code ec;
    return std::filesystem::remove(reserve_file(), ec);
}

std::filesystem::path Registry::reserve_file() const {
    return file_.parent_path() / "dbclone.reserve";
}

// Best effort: without room, the reserve waits for the next open.
void Registry::keep_reserve() const {
    int fd =
        ::open(reserve_file().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return;
    bool made = ::posix_fallocate(fd, 0, reserve_bytes) == 0;
    ::close(fd);
    if (!made) ::unlink(reserve_file().c_str());
}

void Registry::transaction_once(const std::function<void()>& body) {
    Statement(db_, statements_, "BEGIN IMMEDIATE").step();
    struct Depth {
        int& d;
        explicit Depth(int& depth) : d(depth) { ++d; }
        ~Depth() { --d; }
    } depth(transaction_depth_);
    try {
        body();
        Statement(db_, statements_, "COMMIT").step();
    } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

void Registry::save_operation(const OperationRecord& op) {
    static const std::string sql =
        "INSERT INTO operations (id, state, status, body, updated_at) VALUES (?,?,?,?,?) "
        "ON CONFLICT (id) DO UPDATE SET state = excluded.state, status = excluded.status, "
        "body = excluded.body, updated_at = excluded.updated_at";
    // A create's result holds the tenant's password: sealed like the clones'.
    Statement s(db_, statements_, sql);
    s.bind(op.id).bind(op.state).bind(static_cast<int64_t>(op.status));
    s.bind(op.body.empty() ? std::string() : secrets_.seal(op.body)).bind(op.updated_at).step();
}

std::optional<OperationRecord> Registry::find_operation(const std::string& id) {
    Statement s(db_, statements_,
                "SELECT id, state, status, body, updated_at FROM operations WHERE id = ?");
    s.bind(id);
    if (!s.step()) return std::nullopt;
    std::string body = s.text(3);
    return OperationRecord{s.text(0), s.text(1), static_cast<unsigned>(s.integer(2)),
                           body.empty() ? body : secrets_.open(body), s.integer(4)};
}

void Registry::forget_operations_before(int64_t epoch) {
    Statement s(db_, statements_,
                "DELETE FROM operations WHERE updated_at < ? AND state IN ('succeeded', 'failed')");
    s.bind(epoch).step();
}

void Registry::interrupt_operations(unsigned status, const std::string& body, int64_t now) {
    Statement s(db_, statements_,
                "UPDATE operations SET state = 'failed', status = ?, body = ?, updated_at = ? "
                "WHERE state IN ('queued', 'running')");
    s.bind(static_cast<int64_t>(status)).bind(secrets_.seal(body)).bind(now).step();
}

std::string Registry::installation_id() {
    std::string id;
    transaction([&] {
        Statement read(db_, statements_, "SELECT value FROM meta WHERE key = 'installation_id'");
        if (read.step()) {
            id = read.text(0);
            return;
        }
        id = generate_password().substr(0, 16);
        Statement write(db_, statements_,
                        "INSERT INTO meta (key, value) VALUES ('installation_id', ?)");
        write.bind(id).step();
    });
    return id;
}

void Registry::insert_clone(const CloneRecord& r) {
    static const std::string sql = std::string("INSERT INTO clones (") + clone_columns +
                                   ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?," + now_sql + "," +
                                   now_sql + ",?,?,?,?,?,?,?,?)";
    Statement s(db_, statements_, sql);
    s.bind(r.tenant_id).bind(r.db_type).bind(r.root_version).bind(r.placement).bind(r.state);
    s.bind(r.database_name).bind(r.user_name).bind(secrets_.seal(r.password));
    s.bind(r.location).bind(r.host);
    s.bind(static_cast<int64_t>(r.port)).bind(r.owner_pid).bind(r.golden_fingerprint);
    s.bind(r.data_dir).bind(r.server).bind(r.query_user);
    s.bind(r.query_password.empty() ? r.query_password : secrets_.seal(r.query_password));
    s.bind(r.limits).bind(r.limits_report);
    s.bind(static_cast<int64_t>(r.disk_bytes)).bind(r.disk_measured_at);
    try {
        s.step();
    } catch (const Error& e) {
        if (e.kind() == ErrorKind::Conflict)
            throw Error(ErrorKind::Conflict, "tenant \"" + r.tenant_id + "\" already exists");
        throw;
    }
}

void Registry::update_clone(const CloneRecord& r) {
    static const std::string sql =
        std::string(
            "UPDATE clones SET state=?, location=?, host=?, port=?, owner_pid=?, "
            "golden_fingerprint=?, data_dir=?, server=?, query_user=?, limits_report=?, "
            "query_password=CASE WHEN ? = '' THEN '' ELSE query_password END, "
            "updated_at=") +
        now_sql + " WHERE tenant_id=?";
    Statement s(db_, statements_, sql);
    s.bind(r.state).bind(r.location).bind(r.host).bind(static_cast<int64_t>(r.port));
    s.bind(r.owner_pid)
        .bind(r.golden_fingerprint)
        .bind(r.data_dir)
        .bind(r.server)
        .bind(r.query_user)
        .bind(r.limits_report)
        .bind(r.query_user)  // a login the backend did not make has no password
        .bind(r.tenant_id);
    s.step();
}

void Registry::update_password(const std::string& tenant_id, bool query,
                               const std::string& password) {
    Statement s(db_, statements_,
                query ? "UPDATE clones SET query_password=?, updated_at=" + std::string(now_sql) +
                            " WHERE tenant_id=?"
                      : "UPDATE clones SET password=?, updated_at=" + std::string(now_sql) +
                            " WHERE tenant_id=?");
    s.bind(secrets_.seal(password)).bind(tenant_id).step();
}

void Registry::record_disk(const std::string& tenant_id, uint64_t bytes) {
    Statement s(db_, statements_,
                "UPDATE clones SET disk_bytes=?, disk_measured_at=" + std::string(now_sql) +
                    " WHERE tenant_id=?");
    s.bind(static_cast<int64_t>(bytes)).bind(tenant_id).step();
}

void Registry::delete_clone(const std::string& tenant_id) {
    Statement s(db_, statements_, "DELETE FROM clones WHERE tenant_id=?");
    s.bind(tenant_id).step();
}

CloneRecord Registry::unsealed(CloneRecord r) {
    r.password = secrets_.open(r.password);
    if (!r.query_password.empty()) r.query_password = secrets_.open(r.query_password);
    return r;
}

std::optional<CloneRecord> Registry::find_clone(const std::string& tenant_id) {
    static const std::string sql =
        std::string("SELECT ") + clone_columns + " FROM clones WHERE tenant_id=?";
    Statement s(db_, statements_, sql);
    s.bind(tenant_id);
    if (!s.step()) return std::nullopt;
    return unsealed(read_clone(s));
}

std::vector<CloneRecord> Registry::clones() {
    static const std::string sql =
        std::string("SELECT ") + clone_columns + " FROM clones ORDER BY tenant_id";
    Statement s(db_, statements_, sql);
    std::vector<CloneRecord> out;
    while (s.step()) out.push_back(unsealed(read_clone(s)));
    return out;
}

void Registry::insert_port(const PortAllocation& a) {
    static const std::string sql =
        std::string(
            "INSERT INTO port_allocations (port, db_type, tenant_id, allocated_at) "
            "VALUES (?,?,?,") +
        now_sql + ")";
    Statement s(db_, statements_, sql);
    s.bind(static_cast<int64_t>(a.port)).bind(a.db_type).bind(a.tenant_id).step();
}

void Registry::delete_port(uint32_t port) {
    Statement s(db_, statements_, "DELETE FROM port_allocations WHERE port=?");
    s.bind(static_cast<int64_t>(port)).step();
}

std::vector<PortAllocation> Registry::ports() {
    Statement s(
        db_, statements_,
        "SELECT port, db_type, tenant_id, allocated_at FROM port_allocations ORDER BY port");
    std::vector<PortAllocation> out;
    while (s.step())
        out.push_back({static_cast<uint32_t>(s.integer(0)), s.text(1), s.text(2), s.text(3)});
    return out;
}

void Registry::upsert_golden(const GoldenRecord& g) {
    static const std::string sql =
        std::string("INSERT INTO golden_copies (") + golden_columns + ") VALUES (?,?,?,?,?,?," +
        now_sql +
        ",?,?) ON CONFLICT (backend, root_version, placement) DO UPDATE SET "
        "sha256=excluded.sha256, location=excluded.location, "
        "fingerprint=excluded.fingerprint, built_at=excluded.built_at, "
        "content=excluded.content, bytes=excluded.bytes";
    Statement s(db_, statements_, sql);
    s.bind(g.backend).bind(g.root_version).bind(g.placement).bind(g.sha256).bind(g.location);
    s.bind(g.fingerprint).bind(g.content).bind(static_cast<int64_t>(g.bytes)).step();
}

void Registry::delete_golden(const std::string& backend, const std::string& root_version,
                             const std::string& placement) {
    static const std::string sql =
        "DELETE FROM golden_copies WHERE backend=? AND root_version=? AND placement=?";
    Statement s(db_, statements_, sql);
    s.bind(backend).bind(root_version).bind(placement).step();
}

std::optional<GoldenRecord> Registry::find_golden(const std::string& backend,
                                                  const std::string& root_version,
                                                  const std::string& placement) {
    static const std::string sql =
        std::string("SELECT ") + golden_columns +
        " FROM golden_copies WHERE backend=? AND root_version=? AND placement=?";
    Statement s(db_, statements_, sql);
    s.bind(backend).bind(root_version).bind(placement);
    if (!s.step()) return std::nullopt;
    return read_golden(s);
}

std::vector<GoldenRecord> Registry::goldens() {
    static const std::string sql = std::string("SELECT ") + golden_columns +
                                   " FROM golden_copies ORDER BY backend, root_version, placement";
    Statement s(db_, statements_, sql);
    std::vector<GoldenRecord> out;
    while (s.step()) out.push_back(read_golden(s));
    return out;
}

void Registry::add_event(const std::string& tenant_id, const std::string& kind,
                         const std::string& detail) {
    static const std::string sql =
        std::string("INSERT INTO events (at, tenant_id, kind, detail) VALUES (") + now_sql +
        ",?,?,?)";
    Statement s(db_, statements_, sql);
    s.bind(tenant_id).bind(kind).bind(detail).step();
}

std::vector<Event> Registry::events(const std::string& tenant_id, int limit) {
    Statement s(db_, statements_,
                "SELECT id, at, tenant_id, kind, detail FROM events "
                "WHERE ?='' OR tenant_id=? ORDER BY id DESC LIMIT ?");
    s.bind(tenant_id).bind(tenant_id).bind(static_cast<int64_t>(limit));
    std::vector<Event> out;
    while (s.step()) out.push_back({s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4)});
    return out;
}

}  // namespace dbclone
