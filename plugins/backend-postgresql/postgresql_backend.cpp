// The PostgreSQL backend: a tenant is a database cloned from a template on a
// shared server, with its own login role that alone may connect to it and that
// owns its objects.
#include <dbclone/content_record.hpp>
#include <dbclone/plugin_helpers.hpp>
#include <dbclone/sdk.hpp>
#include <dbclone/sha256.hpp>
#include <dbclone/tenant_limits.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <thread>

#include "backend_settings.hpp"
#include "build_lock.hpp"
#include "golden_template.hpp"
#include "guardrail_attempts.hpp"
#include "isolation_probes.hpp"
#include "pg_connection.hpp"
#include "root_export.hpp"
#include "schema_fingerprint.hpp"
#include "table_content.hpp"
#include "tenant_logins.hpp"

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
    static constexpr uint64_t capabilities = DBC_CAP_SHARED_SERVER | DBC_CAP_DATA_DIRECTORY |
                                             DBC_CAP_USERS | DBC_CAP_ISOLATION_PROBES |
                                             DBC_CAP_ROOT_FILES | DBC_CAP_ROOT_DIRECTORIES;
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
            LoadedRoot loaded = load_root_database(admin, socket_dir, sdk::root_parts(req));
            return {data_directory_root, loaded.fingerprint, loaded.content};
        }
        PgConnection& admin = admin_connection();
        std::string name = sdk::golden_name(req.root_version, installation_);
        auto existing = find_template(admin, name);
        // A template whose content record is missing (built before there was
        // one) or of another format is rebuilt once to get a current one.
        auto stale = [&] {
            return !existing || existing->sha256 != req.root_sha256 ||
                   !sdk::ContentRecord::is_current(existing->content);
        };
        if (stale()) {
            // Serializes builders across hosts that share this server, on top of
            // the host's own lock file, in a database no tenant can enter. One
            // lock for every version: builds share the root owner's login.
            BuildLock lock(admin, settings_.url, golden_builds_lock, settings_.lock_timeout);
            existing = find_template(admin, name);
            if (stale()) {
                existing = build_template(settings_.url, admin, name, sdk::root_parts(req),
                                          req.root_sha256);
                host_.info(
                    "built template " + name + " (" + std::to_string(existing->bytes) + " bytes" +
                    (existing->left_out.empty() ? "" : "; left out " + existing->left_out) + ")");
            }
        }
        template_bytes_[name] = existing->bytes;
        return {name, existing->fingerprint, existing->content, existing->bytes};
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
        sdk::QueryLogin reader = sdk::QueryLogin::of(req);
        bool role_created = false, reader_created = false;
        std::string report;
        // Tagged to the end: the grants update the new database's catalog row,
        // and a reconcile's DROP DATABASE racing a dead create's GRANT fails
        // with "tuple concurrently updated" unless it ends that session first.
        tagged(req.tenant_id, [&] {
            create_database(admin, q_db, admin.quote_identifier(req.golden_location), strategy);
            try {
                grant_tenant(admin, q_db, role, req.password, true);
                role_created = true;
                if (!reader.user.empty()) {
                    create_query_role(admin, database, reader.user, reader.password, marker_);
                    reader_created = true;
                }
                PgConnection inside(settings_.url, {{"dbname", database}});
                hand_over(inside, q_role, database);
                report = finish_logins(admin, inside, role, reader, sdk::TenantLimits::of(req));
            } catch (...) {
                // The admin session may be the casualty: undo on a fresh one, and only
                // what this call made (a role of that name may have existed before).
                admin_.reset();
                PgConnection& fresh = admin_connection();
                tag_session(req.tenant_id);
                drop_database(fresh, database);
                if (role_created) fresh.exec("DROP ROLE IF EXISTS " + q_role, "dropping " + role);
                if (reader_created)
                    fresh.exec("DROP ROLE IF EXISTS " + fresh.quote_identifier(reader.user),
                               "dropping " + reader.user);
                throw;
            }
        });
        PgConnection& done = admin_connection();
        return {database,    done.host(), done.port(), role, R"({"strategy":")" + strategy + "\"}",
                reader.user, report};
    }

    void drop(const dbc_drop_request& req) {
        if (req.tenant_id == nullptr)
            sdk::option_bool(req.options_json, "golden")
                ? drop_golden(sdk::view(req.location))
                : drop_build_leftover(sdk::view(req.location));
        else
            try {
                drop_tenant(req.tenant_id);
            } catch (const sdk::Failure& e) {
                // The server ended the drop's own session: a killed create or
                // remove's session, still running on the server, may be ending
                // this tenant's sessions, a tagged drop's among them. The drop
                // is idempotent: once more, on a new session.
                if (e.code() != DBC_UNAVAILABLE) throw;
                admin_.reset();
                drop_tenant(req.tenant_id);
            }
    }

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
        sdk::QueryLogin reader = sdk::QueryLogin::of(req);
        if (!reader.user.empty())
            create_query_role(admin, database, reader.user, reader.password, "");
        PgConnection inside("", superuser_on(socket_dir, port, database));
        hand_over(inside, inside.quote_identifier(role), database);
        std::string report = finish_logins(admin, inside, role, reader, sdk::TenantLimits::of(req));
        return {database,    "127.0.0.1", port, role, R"({"strategy":"data_directory"})",
                reader.user, report};
    }

    // The query login's reads, then every login's limits; the limits report.
    static std::string finish_logins(PgConnection& admin, PgConnection& inside,
                                     const std::string& owner, const sdk::QueryLogin& reader,
                                     const sdk::TenantLimits& limits) {
        std::vector<std::string> logins{owner};
        if (!reader.user.empty()) {
            open_for_reading(inside, owner, reader.user);
            logins.push_back(reader.user);
        }
        return apply_limits(admin, logins, limits);
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

    std::string content(const dbc_target& target) {
        if (target.tenant_id == nullptr)
            throw sdk::Failure(DBC_NOT_SUPPORTED, "a template database admits no connection");
        PgConnection db(settings_.url, login_as(target, target.location));
        return table_content(db);
    }

    std::vector<std::string> export_root(std::string_view url, std::string_view dir) {
        return postgresql::export_root(std::string(url), std::string(dir));
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
        // The owner's role and the query role ("tenant_<id>.ro").
        static const std::regex role_pattern("^tenant_([a-z0-9][a-z0-9_]{0,47})(\\.ro)?$");
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
        // What killed golden builds left (build_template): half-loaded
        // databases, the root owner still allowed to log in (with a password
        // nobody knows any more), and sessions still running their statements
        // (which may make a database yet). Only while no build runs, which would
        // own them; one record stands for all of it.
        auto free = [&] { return BuildLock::is_free(admin, settings_.url, golden_builds_lock); };
        if (sdk::settled({{golden_builds_lock, free}}, std::chrono::seconds(3)).empty()) return;
        if (admin.query(build_leftovers_query, {root_owner_role, build_session_tag}).at(0, 0) !=
            "0")
            sink.write("{\"tenant_id\":null,\"location\":" + sdk::json_quote(build_leftovers) +
                       ",\"user\":null}");
    }

    void attempt_access(const dbc_target& attacker, const dbc_target& victim,
                        const sdk::Sink& sink) {
        run_isolation_probes(settings_.url, attacker, victim, registry_, sink);
    }

    void set_password(std::string_view tenant, std::string_view user, std::string_view password,
                      const char* options_json) {
        std::string role(user);
        if (role != sdk::tenant_user(tenant) && role != sdk::tenant_query_user(tenant))
            throw sdk::Failure(DBC_INVALID_ARGUMENT, "refusing to set the password of " + role +
                                                         ": not a login of " + std::string(tenant));
        std::string socket_dir = sdk::option_string(options_json, "socket_dir");
        std::unique_ptr<PgConnection> own;
        if (!socket_dir.empty())
            own = std::make_unique<PgConnection>(
                "", superuser_on(socket_dir,
                                 static_cast<uint32_t>(sdk::option_int(options_json, "port", 0)),
                                 "postgres"));
        PgConnection& admin = own ? *own : admin_connection();
        if (admin.query("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1", {role}).size() == 0)
            throw sdk::Failure(DBC_NOT_FOUND, "role " + role + " does not exist");
        admin.exec("ALTER ROLE " + admin.quote_identifier(role) + " PASSWORD " +
                       admin.quote_literal(admin.scram_verifier(role, std::string(password))),
                   "setting the password of " + role);
    }

    uint64_t measure_size(const dbc_target& target) {
        PgConnection db(settings_.url, login_as(target, target.location));
        return database_bytes(db);
    }

    void attempt_guardrails(const dbc_target& owner, const dbc_target* query,
                            std::string_view limits, const sdk::Sink& sink) {
        run_guardrail_attempts(settings_.url, owner, query, sdk::TenantLimits::parse(limits), sink);
    }

  private:
    // The location of what killed builds left, and how to count it: half-built
    // templates ("dbclone_root_<version>_build"), a root owner that may log
    // in, sessions tagged as a build's.
    static constexpr const char* build_leftovers = "dbclone_root_*_build";
    static constexpr const char* build_databases_query =
        "SELECT datname FROM pg_catalog.pg_database WHERE datname ~ '^dbclone_root_.+_build$'";
    static constexpr const char* build_leftovers_query =
        "SELECT (SELECT count(*) FROM pg_catalog.pg_database WHERE datname ~ "
        "'^dbclone_root_.+_build$') + (SELECT count(*) FROM pg_catalog.pg_roles WHERE rolname = "
        "$1 AND rolcanlogin) + (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE "
        "application_name = $2)";

    // A template `roots gc` found unused: only one that carries a golden
    // copy's comment, under the build lock. A clone being made from it holds
    // it; the drop waits for that clone.
    void drop_golden(std::string_view location) {
        std::string name(location);
        PgConnection& admin = admin_connection();
        BuildLock lock(admin, settings_.url, golden_builds_lock, settings_.lock_timeout);
        auto golden = find_template(admin, name);
        if (!golden) return;
        if (name.rfind("dbclone_root_", 0) != 0 || golden->sha256.empty())
            throw sdk::Failure(DBC_INVALID_ARGUMENT,
                               "refusing to drop " + name + ": not a golden copy of dbclone's");
        admin.exec("ALTER DATABASE " + admin.quote_identifier(name) + " IS_TEMPLATE false",
                   "unmarking " + name);
        drop_database(admin, name);
        template_bytes_.erase(name);
    }

    // Under the build lock, so that a build that started since the listing
    // keeps what it is using (once it ends, there is nothing left to drop).
    void drop_build_leftover(std::string_view location) {
        if (location != build_leftovers)
            throw sdk::Failure(DBC_INVALID_ARGUMENT, "refusing to drop " + std::string(location) +
                                                         ": not a golden build's leftover");
        PgConnection& admin = admin_connection();
        BuildLock lock(admin, settings_.url, golden_builds_lock, settings_.lock_timeout);
        end_dead_builds(admin);
        for (const auto& row : admin.query(build_databases_query).rows)
            drop_database(admin, row[0]);
        if (admin
                .query("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1 AND rolcanlogin",
                       {root_owner_role})
                .size() != 0)
            admin.exec(
                "ALTER ROLE " + admin.quote_identifier(root_owner_role) + " NOLOGIN PASSWORD NULL",
                "closing the login of " + std::string(root_owner_role));
    }

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

    // Inside the tenant's database: the tenant owns every object. The grants
    // come first: a new owner of an object must be able to create in its
    // schema, and the root's own schemas are handed over with their objects.
    static void hand_over(PgConnection& inside, const std::string& q_role,
                          const std::string& database) {
        std::string grants = "GRANT CREATE, USAGE ON SCHEMA public TO " + q_role + "; ";
        for (const auto& row : inside
                                   .query("SELECT nspname FROM pg_catalog.pg_namespace WHERE "
                                          "nspowner = $1::regrole AND nspname <> 'public'",
                                          {root_owner_role}, "listing the root's schemas")
                                   .rows)
            grants += "GRANT CREATE, USAGE ON SCHEMA " + inside.quote_identifier(row[0]) + " TO " +
                      q_role + "; ";
        inside.exec(grants + "REASSIGN OWNED BY " + inside.quote_identifier(root_owner_role) +
                        " TO " + q_role,
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
        if (admin_ && admin_->alive()) return *admin_;
        admin_.reset();  // a server restarted since: connect again
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

    // The application_name of a session creating or dropping `tenant`'s
    // objects: short (the server keeps 63 bytes) and this installation's own.
    std::string session_tag(std::string_view tenant) const {
        return "dbclone tenant " +
               sdk::Sha256::of(installation_ + "/" + std::string(tenant)).substr(0, 16);
    }

    void tag_session(std::string_view tenant) {
        admin_connection().query("SELECT pg_catalog.set_config('application_name', $1, false)",
                                 {session_tag(tenant)}, "tagging the session");
    }

    // Runs `work` on the admin session tagged as `tenant`'s. Should this process
    // die meanwhile, the server runs the statement on, and the next remove or
    // reconcile of the tenant must find that session and end it before it makes
    // or drops the same objects (two sessions dropping one role race, and the
    // loser fails with "role does not exist").
    template <typename Work>
    void tagged(std::string_view tenant, Work&& work) {
        tag_session(tenant);
        try {
            work();
        } catch (...) {
            // `work` may have dropped a lost admin session.
            if (admin_) admin_->try_exec("RESET application_name");
            throw;
        }
        admin_connection().exec("RESET application_name", "untagging the session");
    }

    // Ends the tenant's sessions, then drops its database and role. Names come
    // from the tenant id alone, never from a caller's location string.

    void drop_tenant(std::string_view tenant) {
        PgConnection& admin = admin_connection();
        std::string database = sdk::tenant_database(tenant), role = sdk::tenant_user(tenant);
        // A create that died may have left its server session copying the
        // database: it is ended too, and waited for, or the database would
        // appear after the drop (unmarked, blocking the id for ever).
        std::string reader = sdk::tenant_query_user(tenant);
        end_sessions(admin, "datname = $1 OR usename = $2 OR usename = $4 OR application_name = $3",
                     {database, role, session_tag(tenant), reader}, role);
        tagged(tenant, [&] {
            drop_database(admin, database);
            // DROP OWNED also revokes what was granted to the role on shared
            // objects (another database's CONNECT, granted behind dbclone's back),
            // which would otherwise block DROP ROLE.
            std::string q_role = admin.quote_identifier(role);
            admin.exec("DO $$BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = " +
                           admin.quote_literal(role) + ") THEN EXECUTE 'DROP OWNED BY ' || " +
                           admin.quote_literal(q_role) + "; END IF; END$$; DROP ROLE IF EXISTS " +
                           q_role,
                       "dropping " + role);
            // The query role owns nothing and holds grants only inside the
            // database dropped above.
            admin.exec("DROP ROLE IF EXISTS " + admin.quote_identifier(reader),
                       "dropping " + reader);
        });
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
