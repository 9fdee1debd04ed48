// The SQLite backend: the embedded default. A golden copy is a root .sqlite file
// built once per (version, sha256); a clone is a reflink or in-kernel copy of it,
// mode 0600, named tenant_<id>_db.sqlite in the plugin's data directory.
#include <sys/stat.h>
#include <unistd.h>
#include <dbclone/file_clone.hpp>
#include <dbclone/plugin_helpers.hpp>
#include <dbclone/sdk.hpp>
#include <dbclone/sha256.hpp>
#include <dbclone/tenant_limits.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "isolation_probes.hpp"
#include "sqlite_database.hpp"

namespace fs = std::filesystem;
using dbclone::sdk::Failure;

namespace dbclone::sqlite_backend {

namespace {

constexpr const char* clone_prefix = "tenant_";
constexpr const char* clone_suffix = "_db.sqlite";

void remove_quietly(const fs::path& p) {
    std::error_code ec;
    fs::remove(p, ec);
}

// The pid in the name of a golden copy being built ("<golden>.tmp.<pid>",
// perhaps with a sidecar suffix), or 0 when `name` is not one.
long long builder_pid(const std::string& name) {
    auto at = name.find(".sqlite.tmp.");
    if (at == std::string::npos) return 0;
    const char* digits = name.c_str() + at + 12;
    char* end = nullptr;
    long long pid = std::strtoll(digits, &end, 10);
    return end != digits && (*end == '\0' || *end == '-') ? pid : 0;
}

// Whether `path` is an SQLite database (its 16-byte header) rather than SQL.
bool is_database_file(const std::string& path) {
    char header[16] = {};
    std::ifstream(path, std::ios::binary).read(header, sizeof header);
    return std::string(header, sizeof header) == std::string("SQLite format 3\0", 16);
}

// The sidecar files SQLite may keep next to a database.
void remove_database_files(const fs::path& db) {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        remove_quietly(db.string() + suffix);
}

}  // namespace

class SqliteBackend {
  public:
    static constexpr const char* description =
        "SQLite: embedded, a file per tenant cloned by reflink or copy_file_range";
    static constexpr uint64_t capabilities =
        DBC_CAP_EMBEDDED | DBC_CAP_ISOLATION_PROBES | DBC_CAP_ROOT_FILES;
    static constexpr const char* config_schema = R"({
        "type": "object",
        "properties": {
            "clone_method": {"type": "string", "enum": ["auto", "reflink", "copy"]}
        },
        "additionalProperties": false
    })";

    SqliteBackend(const sdk::Host& host, const dbc_plugin_init& init)
        : host_(host),
          golden_dir_(fs::path(init.data_dir) / "golden"),
          clone_dir_(fs::path(init.data_dir) / "clones"),
          registry_(sdk::option_string(init.options_json, "registry")) {
        if (auto method = sdk::option_string(init.config_json, "clone_method"); !method.empty())
            method_ = sdk::parse_clone_method(method);
        for (const auto& dir : {golden_dir_, clone_dir_}) {
            fs::create_directories(dir);
            fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
        }
    }

    sdk::GoldenResult ensure_golden(const dbc_golden_request& req) {
        std::string version(sdk::view(req.root_version));
        std::string sha(sdk::view(req.root_sha256));
        // The name carries the root's checksum: a changed root gets a new golden copy.
        fs::path golden = golden_dir_ / (version + "-" + sha.substr(0, 16) + ".sqlite");
        if (!fs::exists(golden)) build_golden(sdk::root_parts(req), version, golden);
        auto memo = goldens_.find(golden.string());
        if (memo == goldens_.end()) {
            SqliteDatabase db(golden, true);
            memo = goldens_
                       .emplace(golden.string(),
                                sdk::GoldenResult{golden.string(), db.schema_fingerprint(),
                                                  db.content(), fs::file_size(golden)})
                       .first;
        }
        return memo->second;
    }

    sdk::CloneResult clone(const dbc_clone_request& req) {
        fs::path target = clone_path(sdk::view(req.tenant_id));
        std::string how = sdk::clone_file(req.golden_location, target, 0600, method_);
        host_.debug("cloned " + target.string() + " by " + how);
        return {target.string(),
                "",
                0,
                "",
                R"({"clone_method":")" + how + "\"}",
                "",
                limits_report(sdk::TenantLimits::of(req))};
    }

    // The file with its write-ahead log, as the disk limit counts it.
    uint64_t measure_size(const dbc_target& target) {
        uint64_t bytes = 0;
        for (const char* suffix : {"", "-wal"}) {
            std::error_code ec;
            auto size = fs::file_size(std::string(sdk::view(target.location)) + suffix, ec);
            if (!ec) bytes += size;
        }
        return bytes;
    }

    // An embedded file has no server between the tenant's SQL and the file:
    // only the disk is measured.
    static std::string limits_report(const sdk::TenantLimits& l) {
        sdk::LimitsReport report;
        const char* why =
            "an embedded file has no server to hold it; the application that opens "
            "the file must";
        for (const auto& [key, value] : l.named())
            if (value != 0 && key != "disk_kb") report.not_enforced(key, why);
        if (l.disk_kb != 0)
            report.measured("disk_kb",
                            "the file's size, by status, verify and serve; nothing stops a "
                            "file that grows past it");
        return report.json();
    }

    void drop(const dbc_drop_request& req) {
        if (req.tenant_id == nullptr && sdk::option_bool(req.options_json, "golden")) {
            fs::path golden(sdk::view(req.location));
            if (golden.parent_path() != golden_dir_ || golden.extension() != ".sqlite")
                throw Failure(DBC_INVALID_ARGUMENT,
                              "refusing to drop " + golden.string() + ": not a golden copy");
            goldens_.erase(golden.string());
            remove_database_files(golden);
            return;
        }
        if (req.tenant_id == nullptr) {
            // A golden build's temporary file, and only while its builder is gone.
            fs::path leftover(sdk::view(req.location));
            long long pid = builder_pid(leftover.filename().string());
            if (leftover.parent_path() != golden_dir_ || pid == 0)
                throw Failure(DBC_INVALID_ARGUMENT, "refusing to drop " + leftover.string() +
                                                        ": not a golden build's temporary file");
            if (!sdk::process_alive(pid)) remove_database_files(leftover);
            return;
        }
        // Only ever the tenant's own file, whatever location the caller passed.
        fs::path target = clone_path(sdk::view(req.tenant_id));
        std::string location(sdk::view(req.location));
        if (!location.empty() && location.find('/') != std::string::npos &&
            fs::path(location) != target)
            throw Failure(DBC_INVALID_ARGUMENT, "refusing to drop " + location +
                                                    ": not the tenant's file " + target.string());
        remove_database_files(target);
    }

    std::string fingerprint(const dbc_target& target) {
        return SqliteDatabase(target.location, true).schema_fingerprint();
    }

    // `roots import`: the database file itself (a path, or sqlite:///path),
    // copied page by page as a root of one file.
    std::vector<std::string> export_root(std::string_view source, std::string_view dir) {
        std::string path(source);
        if (path.rfind("sqlite://", 0) == 0) path = path.substr(9);
        if (!is_database_file(path))
            throw Failure(DBC_INVALID_ARGUMENT,
                          path + " is not a SQLite database file (sqlite:///path or a path)");
        SqliteDatabase from(path, true);
        std::string file = "sqlite.db";
        SqliteDatabase(std::string(dir) + "/" + file, false, true).copy_from(from);
        return {file};
    }

    std::string content(const dbc_target& target) {
        return SqliteDatabase(target.location, true).content();
    }

    void probe(const dbc_target& target) {
        SqliteDatabase db(target.location, false);
        db.scalar("SELECT count(*) FROM sqlite_schema");
    }

    bool canary(const dbc_target& target, dbc_canary_op op, std::string_view token) {
        std::string t = sdk::checked_token(std::string(token));
        SqliteDatabase db(target.location, op == DBC_CANARY_FIND);
        if (op == DBC_CANARY_PLANT)
            db.exec(
                "CREATE TABLE IF NOT EXISTS dbclone_canary (token TEXT NOT NULL); INSERT INTO "
                "dbclone_canary VALUES ('" +
                    t + "')",
                "planting a canary");
        else if (op == DBC_CANARY_REMOVE)
            db.exec("DROP TABLE IF EXISTS dbclone_canary", "removing the canary");
        else if (db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'dbclone_canary'") !=
                 "0")
            return db.scalar("SELECT count(*) FROM dbclone_canary WHERE token = '" + t + "'") !=
                   "0";
        return false;
    }

    void run_queries(const dbc_target& target, uint32_t count, const sdk::Sink& sink) {
        SqliteDatabase db(target.location, true);
        sdk::write_query_timings(sink, count, [&] { db.scalar("SELECT 1"); });
    }

    void attempt_access(const dbc_target& attacker, const dbc_target& victim,
                        const sdk::Sink& sink) {
        run_isolation_probes(attacker, victim, registry_, sink);
    }

    void list_artifacts(const sdk::Sink& sink) {
        std::string prefix = clone_prefix, suffix = clone_suffix;
        for (const auto& entry : fs::directory_iterator(clone_dir_)) {
            std::string name = entry.path().filename().string();
            if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
                name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
                continue;
            std::string tenant =
                name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
            sink.write("{\"tenant_id\":" + sdk::json_quote(tenant) + ",\"location\":" +
                       sdk::json_quote(entry.path().string()) + ",\"user\":null}");
        }
        // Temporary files of golden builds that were killed (the database
        // itself; its sidecars go with it).
        for (const auto& entry : fs::directory_iterator(golden_dir_)) {
            std::string name = entry.path().filename().string();
            long long pid = builder_pid(name);
            if (pid != 0 && name.find('-', name.find(".sqlite.tmp.")) == std::string::npos &&
                !sdk::process_alive(pid))
                sink.write("{\"tenant_id\":null,\"location\":" +
                           sdk::json_quote(entry.path().string()) + ",\"user\":null}");
        }
    }

  private:
    fs::path clone_path(std::string_view tenant_id) const {
        return clone_dir_ / (clone_prefix + std::string(tenant_id) + clone_suffix);
    }

    // Builds under a temporary name and renames, so no process ever opens a
    // half-built golden copy; older copies of the same version are removed.
    // The root's files in order: a ready database file may come first, then
    // scripts (schema, data), all in one transaction.
    void build_golden(const std::vector<sdk::RootPart>& parts, const std::string& version,
                      const fs::path& golden) {
        fs::path temp = golden.string() + ".tmp." + std::to_string(::getpid());
        remove_database_files(temp);
        try {
            {
                SqliteDatabase db(temp, false, true);
                size_t scripts = 0;
                if (is_database_file(parts.front().path)) {
                    // A ready database: copied as it is, opened as any tenant's file.
                    SqliteDatabase source(parts.front().path, true);
                    db.copy_from(source);
                    scripts = 1;
                }
                for (size_t i = scripts; i < parts.size(); ++i)
                    if (is_database_file(parts[i].path))
                        throw Failure(
                            DBC_INVALID_ARGUMENT,
                            parts[i].path + ": a database file can only be a root's first file");
                if (scripts < parts.size()) {
                    db.exec("BEGIN", "begin");
                    for (size_t i = scripts; i < parts.size(); ++i)
                        db.load_script(sdk::read_text_file(parts[i].path), parts[i].path);
                    db.exec("COMMIT", "commit");
                }
                db.vacuum();
            }
            ::chmod(temp.c_str(), 0600);
            fs::rename(temp, golden);
        } catch (...) {
            remove_database_files(temp);
            throw;
        }
        for (const auto& entry : fs::directory_iterator(golden_dir_)) {
            std::string name = entry.path().filename().string();
            // Exactly "<version>-<16 hex>.sqlite": another version's files never match.
            if (entry.path() != golden && name.size() == golden.filename().string().size() &&
                name.rfind(version + "-", 0) == 0 && entry.path().extension() == ".sqlite")
                remove_database_files(entry.path());
        }
        host_.info("built golden copy " + golden.string());
    }

    sdk::Host host_;
    fs::path golden_dir_;
    fs::path clone_dir_;
    std::string registry_;
    sdk::CloneMethod method_ = sdk::CloneMethod::Auto;
    std::map<std::string, sdk::GoldenResult> goldens_;  // by path: a golden file never changes
};

}  // namespace dbclone::sqlite_backend

DBC_DECLARE_BACKEND(dbclone::sqlite_backend::SqliteBackend, "sqlite", "0.1.0")
