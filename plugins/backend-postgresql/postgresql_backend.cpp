// The PostgreSQL backend: a tenant is a database cloned from a template on a
// shared server, with its own login role that alone may connect to it and that
// owns its objects.
#include <dbclone/plugin_helpers.hpp>
#include <dbclone/sdk.hpp>
#include <dbclone/sha256.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <thread>

#include "backend_settings.hpp"
#include "build_lock.hpp"
#include "golden_template.hpp"
#include "isolation_probes.hpp"
#include "pg_connection.hpp"
#include "schema_fingerprint.hpp"

namespace dbclone::postgresql {

namespace {

// The database a golden data directory holds the root in; a clone renames it.
constexpr const char* data_directory_root = "dbclone_root";

// The comment on every database and role dbclone makes: reconcile lists only
// objects with this installation's mark, never a server's other objects.
std::string tenant_marker(const char* options_json) {
    std::string id = sdk::option_string(options_json, "installation_id");
    return "dbclone tenant of installation " + (id.empty() ? std::string("unknown") : id);
}

}  // namespace

class PostgresqlBackend {
  public:
    static constexpr const char* description =
        "PostgreSQL: a database per tenant on a shared server, cloned from a template";
    static constexpr uint64_t capabilities =
        DBC_CAP_SHARED_SERVER | DBC_CAP_DATA_DIRECTORY | DBC_CAP_USERS | DBC_CAP_ISOLATION_PROBES;
    static constexpr const char* config_schema = BackendSettings::schema;

    PostgresqlBackend(const sdk::Host& host, const dbc_plugin_init& init)
        : host_(host),
          settings_(BackendSettings::parse(init.config_json)),
          installation_(sdk::option_string(init.options_json, "installation_id")),
          marker_(tenant_marker(init.options_json)),
          registry_(sdk::option_string(init.options_json, "registry")) {}

    sdk::GoldenResult ensure_golden(const dbc_golden_request& req) {
        if (auto socket_dir = sdk::option_string(req.options_json, "socket_dir");
            !socket_dir.empty()) {
            // A golden data directory: the host runs a fresh server on it; load the
            // root into a database of that server.
            PgConnection admin("", superuser_on(socket_dir, 0, "postgres"));
            std::string fingerprint = load_root_database(admin, socket_dir, req.root_file);
            return {data_directory_root, fingerprint};
        }
        PgConnection& admin = admin_connection();
        std::string name = sdk::golden_name(req.root_version);
        auto existing = find_template(admin, name);
        if (!existing || existing->sha256 != req.root_sha256) {
            // Serializes builders across hosts that share this server, on top of
            // the host's own lock file, in a database no tenant can enter. One
            // lock for every version: builds share the root owner's login.
            BuildLock lock(admin, settings_.url, "dbclone golden builds", settings_.lock_timeout);
            existing = find_template(admin, name);
            if (!existing || existing->sha256 != req.root_sha256) {
                existing =
                    build_template(settings_.url, admin, name, req.root_file, req.root_sha256);
                host_.info("built template " + name + " (" + std::to_string(existing->bytes) +
                           " bytes)");
            }
        }
        template_bytes_[name] = existing->bytes;
        return {name, existing->fingerprint};
    }

    sdk::CloneResult clone(const dbc_clone_request& req) {
        if (auto socket_dir = sdk::option_string(req.options_json, "socket_dir");
            !socket_dir.empty())
            return clone_dedicated(req, socket_dir);
        PgConnection& admin = admin_connection();
        std::string database = req.database_name, role = req.user_name;
        std::string q_db = admin.quote_identifier(database), q_role = admin.quote_identifier(role);
        std::string strategy =
            strategy_for(req.golden_location, sdk::option_string(req.options_json, "strategy"));
        // The server session carries the tenant's tag while it copies: should
        // this process die, the copy runs on, and reconcile must find it.
        admin.query("SELECT pg_catalog.set_config('application_name', $1, false)",
                    {session_tag(req.tenant_id)}, "tagging the session");
        try {
            create_database(admin, q_db, admin.quote_identifier(req.golden_location), strategy);
        } catch (...) {
            if (admin_) admin_->try_exec("RESET application_name");
            throw;
        }
        admin.exec("RESET application_name", "untagging the session");
        bool role_created = false;
        try {
            grant_tenant(admin, q_db, role, req.password, true);
            role_created = true;
            PgConnection inside(settings_.url, {{"dbname", database}});
            hand_over(inside, q_role, database);
        } catch (...) {
            // The admin session may be the casualty: undo on a fresh one, and only
            // what this call made (a role of that name may have existed before).
            admin_.reset();
            PgConnection& fresh = admin_connection();
            drop_database(fresh, database);
            if (role_created) fresh.exec("DROP ROLE IF EXISTS " + q_role, "dropping " + role);
            throw;
        }
        PgConnection& done = admin_connection();
        return {database, done.host(), done.port(), role, R"({"strategy":")" + strategy + "\"}"};
    }

    void drop(const dbc_drop_request& req) { drop_tenant(req.tenant_id); }

    // A tenant with a server of its own (placements process, docker): the clone
    // of the golden data directory is running; reached as its superuser over
    // the private socket directory, its root database becomes the tenant's.
    sdk::CloneResult clone_dedicated(const dbc_clone_request& req, const std::string& socket_dir) {
        uint32_t port = static_cast<uint32_t>(sdk::option_int(req.options_json, "port", 0));
        PgConnection admin("", superuser_on(socket_dir, port, "postgres"));
        std::string database = req.database_name, role = req.user_name;
        admin.exec("ALTER DATABASE " + admin.quote_identifier(data_directory_root) + " RENAME TO " +
                       admin.quote_identifier(database),
                   "naming " + database);
        grant_tenant(admin, admin.quote_identifier(database), role, req.password, false);
        PgConnection inside("", superuser_on(socket_dir, port, database));
        hand_over(inside, inside.quote_identifier(role), database);
        return {database, "127.0.0.1", port, role, R"({"strategy":"data_directory"})"};
    }

    std::string fingerprint(const dbc_target& target) {
        if (target.tenant_id == nullptr) {
            // A golden copy admits no connection; its fingerprint is in its comment.
            auto golden = find_template(admin_connection(), target.location);
            if (!golden)
                throw sdk::Failure(DBC_NOT_FOUND, std::string(target.location) + " is gone");
            return golden->fingerprint;
        }
        PgConnection db(settings_.url, login_as(target, target.location));
        return schema_fingerprint(db);
    }

    void probe(const dbc_target& target) {
        PgConnection db(settings_.url, login_as(target, target.location));
        db.query("SELECT 1", {}, "probe");
    }

    bool canary(const dbc_target& target, dbc_canary_op op, std::string_view token) {
        if (target.tenant_id == nullptr)
            throw sdk::Failure(DBC_NOT_SUPPORTED, "a template database admits no connection");
        std::string t = sdk::checked_token(std::string(token));
        PgConnection db(settings_.url, login_as(target, target.location));
        if (op == DBC_CANARY_PLANT) {
            db.exec("CREATE TABLE IF NOT EXISTS public.dbclone_canary (token text NOT NULL)",
                    "planting a canary");
            db.query("INSERT INTO public.dbclone_canary VALUES ($1)", {t}, "planting a canary");
        } else if (op == DBC_CANARY_REMOVE)
            db.exec("DROP TABLE IF EXISTS public.dbclone_canary", "removing the canary");
        else if (db.query("SELECT pg_catalog.to_regclass('public.dbclone_canary') IS NOT NULL")
                     .at(0, 0) == "t")
            return db.query("SELECT count(*) FROM public.dbclone_canary WHERE token = $1", {t})
                       .at(0, 0) != "0";
        return false;
    }

    void run_queries(const dbc_target& target, uint32_t count, const sdk::Sink& sink) {
        PgConnection db(settings_.url, login_as(target, target.location));
        sdk::write_query_timings(sink, count, [&] { db.query("SELECT 1"); });
    }

    void list_artifacts(const sdk::Sink& sink) {
        if (settings_.url.empty()) return;  // no server, so nothing of ours on one
        PgConnection& admin = admin_connection();
        static const std::regex database_pattern("^tenant_([a-z0-9][a-z0-9_]{0,47})_db$");
        static const std::regex role_pattern("^tenant_([a-z0-9][a-z0-9_]{0,47})$");
        std::set<std::string> tenants;
        std::smatch m;
        for (const auto& row :
             admin
                 .query("SELECT datname FROM pg_database WHERE shobj_description(oid, "
                        "'pg_database') = $1",
                        {marker_})
                 .rows)
            if (std::regex_match(row[0], m, database_pattern)) tenants.insert(m[1]);
        for (const auto& row : admin
                                   .query("SELECT rolname FROM pg_roles WHERE "
                                          "shobj_description(oid, 'pg_authid') = $1",
                                          {marker_})
                                   .rows)
            if (std::regex_match(row[0], m, role_pattern)) tenants.insert(m[1]);
        for (const auto& t : tenants) sdk::write_artifact(sink, t);
    }

    void attempt_access(const dbc_target& attacker, const dbc_target& victim,
                        const sdk::Sink& sink) {
        run_isolation_probes(settings_.url, attacker, victim, registry_, sink);
    }

  private:
    // The tenant's role, with a SCRAM verifier computed here, the only login
    // allowed into its database; `marked` adds this installation's mark (for
    // reconcile on shared servers). One implicit transaction: the role exists
    // with all its grants, or not at all.
    void grant_tenant(PgConnection& admin, const std::string& q_db, const std::string& role,
                      const char* password, bool marked) {
        std::string q_role = admin.quote_identifier(role);
        std::string marks = marked ? "COMMENT ON DATABASE " + q_db + " IS " +
                                         admin.quote_literal(marker_) + "; COMMENT ON ROLE " +
                                         q_role + " IS " + admin.quote_literal(marker_) + "; "
                                   : "";
        admin.exec("CREATE ROLE " + q_role + " LOGIN PASSWORD " +
                       admin.quote_literal(admin.scram_verifier(role, password)) + "; " + marks +
                       "GRANT " + q_role + " TO " + admin.quote_identifier(admin.user()) +
                       "; REVOKE ALL ON DATABASE " + q_db +
                       " FROM PUBLIC; GRANT CONNECT, TEMPORARY ON DATABASE " + q_db + " TO " +
                       q_role,
                   "creating role " + role);
    }

    // Inside the tenant's database: the tenant owns every object. The grant comes
    // first: a new owner of a function must be able to create in its schema.
    static void hand_over(PgConnection& inside, const std::string& q_role,
                          const std::string& database) {
        inside.exec("GRANT CREATE, USAGE ON SCHEMA public TO " + q_role + "; REASSIGN OWNED BY " +
                        inside.quote_identifier(root_owner_role) + " TO " + q_role,
                    "handing " + database + " to the tenant");
    }

    // libpq keywords for the superuser over a dedicated server's socket directory.
    static std::map<std::string, std::string> superuser_on(const std::string& socket_dir,
                                                           uint32_t port,
                                                           const std::string& database) {
        std::map<std::string, std::string> k{
            {"host", socket_dir}, {"user", "postgres"}, {"dbname", database}};
        if (port != 0) k["port"] = std::to_string(port);
        return k;
    }

    // One admin session per handle, checked once: reachable, and allowed to
    // create databases and roles.
    PgConnection& admin_connection() {
        if (admin_) return *admin_;
        if (settings_.url.empty())
            throw sdk::Failure(DBC_INVALID_ARGUMENT,
                               "no PostgreSQL server configured: set plugins.postgresql.url, "
                               "DBCLONE_PG_URL or --server postgresql://...");
        auto admin = std::make_unique<PgConnection>(settings_.url);
        auto rights = admin->query(
            "SELECT rolsuper OR rolcreatedb, rolsuper OR rolcreaterole FROM pg_roles "
            "WHERE rolname = current_user");
        if (rights.at(0, 0) != "t" || rights.at(0, 1) != "t")
            throw sdk::Failure(DBC_DENIED, "role " + admin->user() +
                                               " lacks CREATEDB or CREATEROLE; dbclone needs both");
        admin_ = std::move(admin);
        return *admin_;
    }

    // `requested` (from --strategy) wins over the configured strategy.
    std::string strategy_for(const std::string& golden, const std::string& requested) const {
        std::string choice = requested.empty() ? settings_.strategy : requested;
        if (choice == "wal_log") return "WAL_LOG";
        if (choice == "file_copy") return "FILE_COPY";
        if (choice != "auto")
            throw sdk::Failure(DBC_INVALID_ARGUMENT, "unknown strategy \"" + choice +
                                                         "\" for postgresql; allowed: wal_log, "
                                                         "file_copy");
        auto it = template_bytes_.find(golden);
        uint64_t bytes = it != template_bytes_.end() ? it->second : 0;
        return bytes > settings_.file_copy_above_bytes ? "FILE_COPY" : "WAL_LOG";
    }

    // CREATE DATABASE, retried with backoff while the template is busy (another
    // session copying it, SQLSTATE 55006), for up to about 30 seconds.
    void create_database(PgConnection& admin, const std::string& q_db,
                         const std::string& q_template, const std::string& strategy) {
        std::string sql =
            "CREATE DATABASE " + q_db + " TEMPLATE " + q_template + " STRATEGY " + strategy;
        auto delay = std::chrono::milliseconds(5);
        for (int attempt = 1;; ++attempt) {
            auto error = admin.try_exec(sql);
            if (!error) return;
            if (error->sqlstate == "55006" && attempt < 40) {
                std::this_thread::sleep_for(delay);
                delay = std::min(delay * 2, std::chrono::milliseconds(1000));
                continue;
            }
            bool lost = error->sqlstate.rfind("08", 0) == 0 || error->sqlstate == "57P01";
            // A server lost at this step is unavailable (exit 5), as one
            // unreachable at the start is.
            dbc_rc code = error->sqlstate == "42P04" ? DBC_CONFLICT
                          : lost                     ? DBC_UNAVAILABLE
                                                     : DBC_ERROR;
            if (lost) admin_.reset();
            throw sdk::Failure(code, "creating database failed: " + error->message + " (SQLSTATE " +
                                         error->sqlstate + ")");
        }
    }

    // Ends the tenant's sessions, then drops its database and role. Names come
    // from the tenant id alone, never from a caller's location string.
    // The application_name of a session creating `tenant`'s database: short
    // (the server keeps 63 bytes) and this installation's own.
    std::string session_tag(std::string_view tenant) const {
        return "dbclone create " +
               sdk::Sha256::of(installation_ + "/" + std::string(tenant)).substr(0, 16);
    }

    void drop_tenant(std::string_view tenant) {
        PgConnection& admin = admin_connection();
        std::string database = sdk::tenant_database(tenant), role = sdk::tenant_user(tenant);
        // A create that died may have left its server session copying the
        // database: it is ended too, and waited for, or the database would
        // appear after the drop (unmarked, blocking the id for ever).
        std::string sessions =
            "FROM pg_catalog.pg_stat_activity WHERE (datname = $1 OR usename = $2 OR "
            "application_name = $3) AND pid <> pg_catalog.pg_backend_pid()";
        std::vector<std::string> who{database, role, session_tag(tenant)};
        admin.query("SELECT pg_catalog.pg_terminate_backend(pid) " + sessions, who,
                    "ending the sessions of " + role);
        for (int i = 0; admin.query("SELECT count(*) " + sessions, who).at(0, 0) != "0"; ++i) {
            if (i == 300)
                throw sdk::Failure(DBC_TIMEOUT, "sessions of " + role + " did not end within 30 s");
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        drop_database(admin, database);
        // DROP OWNED also revokes what was granted to the role on shared objects
        // (another database's CONNECT, granted behind dbclone's back), which would
        // otherwise block DROP ROLE.
        std::string q_role = admin.quote_identifier(role);
        admin.exec("DO $$BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = " +
                       admin.quote_literal(role) + ") THEN EXECUTE 'DROP OWNED BY ' || " +
                       admin.quote_literal(q_role) + "; END IF; END$$; DROP ROLE IF EXISTS " +
                       q_role,
                   "dropping " + role);
    }

    static void drop_database(PgConnection& admin, const std::string& database) {
        admin.exec("DROP DATABASE IF EXISTS " + admin.quote_identifier(database) + " WITH (FORCE)",
                   "dropping " + database);
    }

    sdk::Host host_;
    BackendSettings settings_;
    std::string installation_;
    std::string marker_;
    std::string registry_;
    std::unique_ptr<PgConnection> admin_;
    std::map<std::string, uint64_t> template_bytes_;  // template name -> size
};

}  // namespace dbclone::postgresql

DBC_DECLARE_BACKEND(dbclone::postgresql::PostgresqlBackend, "postgresql", "0.1.0")
