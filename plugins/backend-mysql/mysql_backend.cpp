// The MySQL/MariaDB backend: a tenant is a schema on a shared server, copied
// from a golden schema logically or as InnoDB tablespaces, with its own user
// that may use that schema and nothing else.
#include <dbclone/content_record.hpp>
#include <dbclone/plugin_helpers.hpp>
#include <dbclone/sdk.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <thread>

#include "backend_settings.hpp"
#include "build_lock.hpp"
#include "golden_schema.hpp"
#include "guardrail_attempts.hpp"
#include "isolation_probes.hpp"
#include "mysql_connection.hpp"
#include "native_password.hpp"
#include "root_export.hpp"
#include "schema_copier.hpp"
#include "schema_fingerprint.hpp"
#include "server_url.hpp"
#include "table_content.hpp"
#include "tablespace_copy.hpp"
#include "tenant_logins.hpp"

namespace fs = std::filesystem;

namespace dbclone::mysql {

namespace {

// The schema a golden data directory holds the root in; a clone moves its tables.
constexpr const char* data_directory_root = "dbclone_root";

}  // namespace

class MysqlBackend {
  public:
    static constexpr const char* description =
        "MySQL/MariaDB: a schema per tenant on a shared server, copied logically or as InnoDB "
        "tablespaces";
    static constexpr uint64_t capabilities = DBC_CAP_SHARED_SERVER | DBC_CAP_DATA_DIRECTORY |
                                             DBC_CAP_USERS | DBC_CAP_ISOLATION_PROBES |
                                             DBC_CAP_ROOT_FILES;
    static constexpr const char* config_schema = BackendSettings::schema;

    MysqlBackend(const sdk::Host& host, const dbc_plugin_init& init)
        : host_(host),
          settings_(BackendSettings::parse(init.config_json)),
          installation_(sdk::option_string(init.options_json, "installation_id")),
          registry_(sdk::option_string(init.options_json, "registry")),
          exports_dir_(fs::path(init.data_dir) / "exports") {}

    sdk::GoldenResult ensure_golden(const dbc_golden_request& req) {
        if (auto socket_dir = sdk::option_string(req.options_json, "socket_dir");
            !socket_dir.empty()) {
            // A golden data directory: the host runs a fresh server on it, reached
            // as root over its private socket.
            MysqlConnection root(socket_server(socket_dir));
            drop_other_accounts(root);
            LoadedSchema loaded =
                load_root_schema(root, socket_server(socket_dir), data_directory_root,
                                 sdk::root_parts(req), identified_by());
            return {data_directory_root, loaded.fingerprint, loaded.content};
        }
        MysqlConnection& admin = admin_connection();
        std::string name = sdk::golden_name(req.root_version, installation_);
        auto golden = find_golden(admin, name);
        // One whose content record is missing or of another format is rebuilt.
        auto stale = [&] {
            return !golden || golden->sha256 != req.root_sha256 ||
                   !sdk::ContentRecord::is_current(golden->content);
        };
        if (stale()) {
            BuildLock lock(server(), name, settings_.lock_timeout);
            golden = find_golden(admin, name);
            if (stale()) {
                golden = build_golden(admin, server(), name, sdk::root_parts(req), req.root_sha256,
                                      identified_by());
                host_.info("built golden schema " + name);
            }
        }
        if (std::string datadir = datadir_of(admin); !datadir.empty())
            TablespaceCopy(admin, datadir, export_dir(*golden))
                .ensure_export(name, SchemaCopier(admin, name, "").base_tables());
        goldens_[name] = *golden;
        return {name, golden->fingerprint, golden->content, golden->bytes};
    }

    sdk::CloneResult clone(const dbc_clone_request& req) {
        if (auto socket_dir = sdk::option_string(req.options_json, "socket_dir");
            !socket_dir.empty())
            return clone_dedicated(req, socket_dir);
        MysqlConnection& admin = admin_connection();
        std::string golden = req.golden_location, schema = req.database_name, user = req.user_name;
        std::string strategy =
            choose_strategy(admin, sdk::option_string(req.options_json, "strategy"));
        std::string q_user = admin.quote_string(user);
        std::string accounts = q_user + "@'%', " + q_user + "@'localhost'";
        std::string identified = identified_clause(admin, req.password);
        sdk::QueryLogin reader = sdk::QueryLogin::of(req);
        sdk::TenantLimits limits = sdk::TenantLimits::of(req);
        std::string with = resource_clause(limits, is_mariadb(admin));
        std::string q_reader = reader.user.empty() ? "" : admin.quote_string(reader.user);
        std::string reader_accounts =
            reader.user.empty() ? "" : q_reader + "@'%', " + q_reader + "@'localhost'";
        // Recorded first, so that reconcile finds whatever a crash leaves behind.
        admin.query(
            "INSERT INTO dbclone_meta.tenants (tenant_id, installation, "
            "creator_connection) VALUES (" +
                admin.quote_string(req.tenant_id) + ", " + admin.quote_string(installation_) +
                ", CONNECTION_ID())",
            "registering " + user);
        bool users_created = false, reader_created = false;
        std::string method = strategy;
        try {
            admin.query("CREATE USER " + q_user + "@'%' " + identified + ", " + q_user +
                            "@'localhost' " + identified + with,
                        "creating user " + user);
            users_created = true;
            SchemaCopier copier(admin, golden, schema);
            auto tables = copier.base_tables();
            copier.create_schema();
            copier.create_tables(tables);
            copier.copy_sequences();
            if (strategy == "tablespace") {
                auto it = goldens_.find(golden);
                if (it == goldens_.end())
                    throw sdk::Failure(DBC_ERROR, "golden schema " + golden + " was not prepared");
                method += ":" + TablespaceCopy(admin, datadir_of(admin), export_dir(it->second))
                                    .import(schema, tables);
                for (const auto& t : tables)
                    if (!is_transportable(t)) copier.copy_rows(t);
            } else {
                for (const auto& t : tables) copier.copy_rows(t);
            }
            copier.recreate_programs(q_user + "@'%'");
            copier.finish();
            admin.query(
                "GRANT ALL PRIVILEGES ON " + grant_pattern(admin, schema) + ".* TO " + accounts +
                    "; UPDATE dbclone_meta.tenants SET creator_connection = 0 WHERE tenant_id = " +
                    admin.quote_string(req.tenant_id),
                "granting " + schema + " to " + user);
            if (!reader.user.empty()) {
                create_reader(admin, schema, reader, with);
                reader_created = true;
            }
        } catch (...) {
            // The admin session may be the casualty: undo on a fresh one, and only
            // what this call made.
            admin_.reset();
            MysqlConnection& fresh = admin_connection();
            fresh.try_exec("DROP DATABASE IF EXISTS " + fresh.quote_identifier(schema));
            if (users_created) fresh.try_exec("DROP USER IF EXISTS " + accounts);
            if (reader_created) fresh.try_exec("DROP USER IF EXISTS " + reader_accounts);
            fresh.try_exec("DELETE FROM dbclone_meta.tenants WHERE tenant_id = " +
                           fresh.quote_string(req.tenant_id));
            throw;
        }
        return {schema,
                server().host,
                server().port,
                user,
                R"({"strategy":")" + method + "\"}",
                reader.user,
                limits_report(limits, is_mariadb(admin), reader.user.empty() ? 1 : 2)};
    }

    // A tenant with a server of its own: the clone of the golden data directory
    // is running; its root schema's tables move into the tenant's schema
    // (RENAME TABLE: nothing is copied), programs are recreated for the tenant.
    sdk::CloneResult clone_dedicated(const dbc_clone_request& req, const std::string& socket_dir) {
        MysqlConnection root(socket_server(socket_dir));
        std::string schema = req.database_name, user = req.user_name;
        std::string q_user = root.quote_string(user);
        SchemaCopier copier(root, data_directory_root, schema);
        auto tables = copier.base_tables();
        auto triggers = copier.read_triggers();
        copier.create_schema();
        copier.move_tables(tables, triggers);
        std::string identified = identified_clause(root, req.password);
        sdk::QueryLogin reader = sdk::QueryLogin::of(req);
        sdk::TenantLimits limits = sdk::TenantLimits::of(req);
        std::string with = resource_clause(limits, is_mariadb(root));
        root.query("CREATE USER " + q_user + "@'%' " + identified + ", " + q_user +
                       "@'localhost' " + identified + with,
                   "creating user " + user);
        copier.copy_sequences();
        copier.recreate_routines_and_views(q_user + "@'%'");
        copier.create_triggers(triggers, q_user + "@'%'");
        copier.recreate_events(q_user + "@'%'");
        copier.finish();
        root.query("DROP DATABASE " + root.quote_identifier(data_directory_root) +
                       "; GRANT ALL PRIVILEGES ON " + grant_pattern(root, schema) + ".* TO " +
                       q_user + "@'%', " + q_user + "@'localhost'",
                   "handing " + schema + " to " + user);
        if (!reader.user.empty()) create_reader(root, schema, reader, with);
        uint32_t port = static_cast<uint32_t>(sdk::option_int(req.options_json, "port", 0));
        return {schema,
                "127.0.0.1",
                port,
                user,
                R"({"strategy":"data_directory"})",
                reader.user,
                limits_report(limits, is_mariadb(root), reader.user.empty() ? 1 : 2)};
    }

    // The query login's two accounts, with the owner's resource limits.
    void create_reader(MysqlConnection& admin, const std::string& schema,
                       const sdk::QueryLogin& reader, const std::string& with) {
        std::string q = admin.quote_string(reader.user);
        std::string identified = identified_clause(admin, reader.password);
        admin.query("CREATE USER " + q + "@'%' " + identified + ", " + q + "@'localhost' " +
                        identified + with + "; GRANT " + query_privileges + " ON " +
                        grant_pattern(admin, schema) + ".* TO " + q + "@'%', " + q + "@'localhost'",
                    "creating user " + reader.user);
    }

    bool is_mariadb(MysqlConnection& admin) {
        if (!server_version_) server_version_ = admin.query("SELECT VERSION()").at(0, 0);
        return server_version_->find("MariaDB") != std::string::npos;
    }

    void drop(const dbc_drop_request& req) {
        if (req.tenant_id == nullptr)
            return sdk::option_bool(req.options_json, "golden")
                       ? drop_golden(sdk::view(req.location))
                       : drop_build_leftover(sdk::view(req.location));
        MysqlConnection& admin = admin_connection();
        std::string schema = sdk::tenant_database(req.tenant_id),
                    user = sdk::tenant_user(req.tenant_id);
        std::string q_user = admin.quote_string(user);
        std::string q_reader = admin.quote_string(sdk::tenant_query_user(req.tenant_id));
        std::string accounts = q_user + "@'%', " + q_user + "@'localhost', " + q_reader + "@'%', " +
                               q_reader + "@'localhost'";
        // Locked first, so a tenant that reconnects at once cannot take a lock
        // between the KILL and the DROP (which would then wait on it).
        admin.try_exec("ALTER USER IF EXISTS " + accounts + " ACCOUNT LOCK");
        // A session that was logging in while the account was locked may still
        // appear: a few rounds, until none is left.
        // With them goes the connection that created the tenant, when it is still
        // there and not this one: a create that was killed may still be copying
        // rows on it, holding the locks the DROP would wait for.
        std::string sessions =
            "SELECT p.ID FROM information_schema.PROCESSLIST p WHERE p.ID <> CONNECTION_ID() AND "
            "(p.USER IN (" +
            q_user + ", " + q_reader +
            ") OR p.ID IN (SELECT t.creator_connection FROM dbclone_meta.tenants t WHERE "
            "t.tenant_id = " +
            admin.quote_string(std::string(req.tenant_id)) + "))";
        std::string drop = "DROP DATABASE IF EXISTS " + admin.quote_identifier(schema) +
                           "; DROP USER IF EXISTS " + accounts +
                           "; DELETE FROM dbclone_meta.tenants WHERE tenant_id = " +
                           admin.quote_string(std::string(req.tenant_id));
        // A killed session rolls back before it lets go of its locks, and the
        // drop may time out on them meanwhile (1205, or a deadlock, 1213): it
        // is tried again, with the sessions killed again, for up to 30 s, so
        // that one reconcile is enough.
        auto delay = std::chrono::milliseconds(50);
        for (int attempt = 1;; ++attempt) {
            for (int round = 0; round < 50; ++round) {
                auto found = admin.query(sessions);
                if (found.size() == 0) break;
                for (const auto& row : found.rows) admin.try_exec("KILL " + row[0]);
                std::this_thread::sleep_for(std::chrono::milliseconds(round < 5 ? 0 : 100));
            }
            auto error = admin.try_exec(drop);
            if (!error) return;
            bool lock = error->code == 1205 || error->code == 1213;
            if (!lock || attempt == 12)
                throw sdk::Failure(lock ? DBC_TIMEOUT : DBC_ERROR,
                                   "dropping " + schema + " failed: " + error->message +
                                       " (error " + std::to_string(error->code) + ")");
            std::this_thread::sleep_for(delay);
            delay = std::min(delay * 2, std::chrono::milliseconds(5000));
        }
    }

    std::string fingerprint(const dbc_target& target) {
        if (target.tenant_id == nullptr) {
            auto golden = find_golden(admin_connection(), target.location);
            if (!golden)
                throw sdk::Failure(DBC_NOT_FOUND, std::string(target.location) + " is gone");
            return golden->fingerprint;
        }
        MysqlConnection db(tenant_server(target), target.location, login_of(target));
        return schema_fingerprint(db, target.location);
    }

    std::string content(const dbc_target& target) {
        if (target.tenant_id == nullptr)
            throw sdk::Failure(DBC_NOT_SUPPORTED,
                               "the golden schema's record is read at its build");
        MysqlConnection db(tenant_server(target), target.location, login_of(target));
        return table_content(db, target.location);
    }

    std::vector<std::string> export_root(std::string_view url, std::string_view dir) {
        return mysql::export_root(std::string(url), std::string(dir));
    }

    void probe(const dbc_target& target) {
        MysqlConnection db(tenant_server(target), target.location, login_of(target));
        db.query("SELECT 1", "probe");
    }

    bool canary(const dbc_target& target, dbc_canary_op op, std::string_view token) {
        std::string t = sdk::checked_token(std::string(token));
        if (target.tenant_id == nullptr) {
            // The golden schema: only looked at, by the admin.
            if (op != DBC_CANARY_FIND)
                throw sdk::Failure(DBC_NOT_SUPPORTED, "the golden schema is not written to");
            MysqlConnection& admin = admin_connection();
            std::string schema = admin.quote_string(target.location);
            if (admin
                    .query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
                           schema + " AND TABLE_NAME = 'dbclone_canary'")
                    .at(0, 0) == "0")
                return false;
            return admin
                       .query("SELECT COUNT(*) FROM " + admin.quote_identifier(target.location) +
                              ".dbclone_canary WHERE token = '" + t + "'")
                       .at(0, 0) != "0";
        }
        MysqlConnection db(tenant_server(target), target.location, login_of(target));
        if (op == DBC_CANARY_PLANT)
            db.query(
                "CREATE TABLE IF NOT EXISTS dbclone_canary (token VARCHAR(64) NOT NULL); INSERT "
                "INTO "
                "dbclone_canary VALUES ('" +
                    t + "')",
                "planting a canary");
        else if (op == DBC_CANARY_REMOVE)
            db.query("DROP TABLE IF EXISTS dbclone_canary", "removing the canary");
        else if (db.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                          "DATABASE() AND "
                          "TABLE_NAME = 'dbclone_canary'")
                     .at(0, 0) != "0")
            return db.query("SELECT COUNT(*) FROM dbclone_canary WHERE token = '" + t + "'")
                       .at(0, 0) != "0";
        return false;
    }

    void run_queries(const dbc_target& target, uint32_t count, const sdk::Sink& sink) {
        MysqlConnection db(tenant_server(target), target.location, login_of(target));
        sdk::write_query_timings(sink, count, [&] { db.query("SELECT 1"); });
    }

    void list_artifacts(const sdk::Sink& sink) {
        if (settings_.url.empty()) return;  // no server, so nothing of ours on one
        MysqlConnection& admin = admin_connection();
        for (const auto& row :
             admin
                 .query("SELECT tenant_id FROM dbclone_meta.tenants WHERE installation = " +
                        admin.quote_string(installation_))
                 .rows)
            sdk::write_artifact(sink, row[0]);
        auto leftover = [&](const std::string& name) {
            sink.write("{\"tenant_id\":null,\"location\":" + sdk::json_quote(name) +
                       ",\"user\":null}");
        };
        // Loader accounts of killed golden builds (their admin session is
        // gone), and golden schemas a killed build left half-loaded (no record,
        // no build holding the lock).
        static const std::regex loader(loader_pattern);
        std::map<std::string, std::function<bool()>> candidates;
        std::smatch m;
        for (const auto& row : admin.query(loaders_query).rows)
            if (std::regex_match(row[0], m, loader))
                candidates[row[0]] = [&, id = m[1].str()] { return !session_exists(admin, id); };
        for (const auto& row : admin.query(unrecorded_goldens_query).rows)
            candidates[row[0]] = [&, name = row[0]] { return BuildLock::is_free(server(), name); };
        for (const auto& name : sdk::settled(candidates, std::chrono::seconds(3))) leftover(name);
    }

    void attempt_access(const dbc_target& attacker, const dbc_target& victim,
                        const sdk::Sink& sink) {
        run_isolation_probes(tenant_server(attacker), tenant_server(victim), attacker, victim,
                             registry_, sink);
    }

    void set_password(std::string_view tenant, std::string_view user, std::string_view password,
                      const char* options_json) {
        std::string name(user);
        if (name != sdk::tenant_user(tenant) && name != sdk::tenant_query_user(tenant))
            throw sdk::Failure(DBC_INVALID_ARGUMENT, "refusing to set the password of " + name +
                                                         ": not a login of " + std::string(tenant));
        std::string socket_dir = sdk::option_string(options_json, "socket_dir");
        std::unique_ptr<MysqlConnection> own;
        if (!socket_dir.empty()) own = std::make_unique<MysqlConnection>(socket_server(socket_dir));
        MysqlConnection& admin = own ? *own : admin_connection();
        std::string q = admin.quote_string(name);
        if (admin.query("SELECT 1 FROM mysql.user WHERE User = " + q).size() == 0)
            throw sdk::Failure(DBC_NOT_FOUND, "user " + name + " does not exist");
        std::string identified = identified_clause(admin, std::string(password));
        admin.query(
            "ALTER USER " + q + "@'%' " + identified + ", " + q + "@'localhost' " + identified,
            "setting the password of " + name);
    }

    uint64_t measure_size(const dbc_target& target) {
        MysqlConnection db(tenant_server(target), target.location, login_of(target));
        return schema_bytes(db);
    }

    void attempt_guardrails(const dbc_target& owner, const dbc_target* query,
                            std::string_view limits, const sdk::Sink& sink) {
        run_guardrail_attempts(tenant_server(owner), owner, query, sdk::TenantLimits::parse(limits),
                               sink);
    }

  private:
    static constexpr const char* loaders_query =
        "SELECT DISTINCT User FROM mysql.user WHERE User LIKE 'dbclone\\_loader\\_%'";
    static constexpr const char* unrecorded_goldens_query =
        "SELECT s.SCHEMA_NAME FROM information_schema.SCHEMATA s WHERE s.SCHEMA_NAME LIKE "
        "'dbclone\\_root\\_%' AND NOT EXISTS (SELECT 1 FROM dbclone_meta.golden_copies g "
        "WHERE g.name = s.SCHEMA_NAME)";

    static bool session_exists(MysqlConnection& admin, const std::string& id) {
        return admin.query("SELECT count(*) FROM information_schema.PROCESSLIST WHERE ID = " + id)
                   .at(0, 0) != "0";
    }

    // Checked again here: the builder may have come back to life in between
    // (a build that started since the listing holds the lock; once it ends,
    // its schema has a record).
    // A golden schema `roots gc` found unused: only a recorded one, under its
    // build lock; its tablespace export goes with it.
    void drop_golden(std::string_view location) {
        std::string name(location);
        MysqlConnection& admin = admin_connection();
        BuildLock lock(server(), name, settings_.lock_timeout);
        auto golden = find_golden(admin, name);
        if (!golden) return;
        admin.query(
            "DELETE FROM dbclone_meta.golden_copies WHERE name = " + admin.quote_string(name) +
                "; DROP DATABASE IF EXISTS " + admin.quote_identifier(name),
            "dropping " + name);
        std::error_code ec;
        fs::remove_all(export_dir(*golden), ec);
        goldens_.erase(name);
    }

    void drop_build_leftover(std::string_view location) {
        static const std::regex loader(loader_pattern), golden("^dbclone_root_[a-z0-9_]+$");
        std::string name(location);
        std::smatch m;
        MysqlConnection& admin = admin_connection();
        if (std::regex_match(name, m, loader)) {
            if (session_exists(admin, m[1])) return;
            std::string q = admin.quote_string(name);
            admin.query("DROP USER IF EXISTS " + q + "@'%', " + q + "@'localhost'",
                        "dropping the loader " + name + " of a killed build");
        } else if (std::regex_match(name, golden)) {
            BuildLock lock(server(), name, settings_.lock_timeout);
            if (admin
                    .query(std::string(unrecorded_goldens_query) +
                           " AND s.SCHEMA_NAME = " + admin.quote_string(name))
                    .rows.empty())
                return;
            admin.query("DROP DATABASE IF EXISTS " + admin.quote_identifier(name),
                        "dropping the half-built " + name);
        } else {
            throw sdk::Failure(DBC_INVALID_ARGUMENT,
                               "refusing to drop " + name + ": not a golden build's leftover");
        }
    }

    // The server a tenant's target names (its own, for dedicated placements; the
    // shared one otherwise, keeping a configured socket).
    ServerUrl tenant_server(const dbc_target& t) {
        ServerUrl url;
        if (!settings_.url.empty()) url = server();
        if (t.host != nullptr && t.port != 0 && (settings_.url.empty() || t.port != url.port)) {
            url.host = t.host;
            url.port = t.port;
            url.socket.clear();
        }
        return url;
    }

    // mariadb-install-db also makes an account for the OS user that ran it
    // (mysql@localhost, by unix_socket, with every privilege): the OS user
    // mysql would be a superuser of every tenant's server. In a golden data
    // directory only root (the OS user root, over the private socket) and the
    // locked mariadb.sys stay.
    static void drop_other_accounts(MysqlConnection& root) {
        auto others = root.query(
            "SELECT User, Host FROM mysql.global_priv WHERE NOT (User = 'root' AND Host = "
            "'localhost') AND User <> 'mariadb.sys'");
        for (const auto& row : others.rows)
            root.query("DROP USER " + root.quote_string(row[0]) + "@" + root.quote_string(row[1]),
                       "dropping account " + row[0] + "@" + row[1] + " of the golden server");
    }

    static ServerUrl socket_server(const std::string& socket_dir) {
        ServerUrl url;
        url.user = "root";  // unix_socket authentication: the OS user root
        url.socket = socket_dir + "/mysqld.sock";
        return url;
    }

    const ServerUrl& server() {
        if (!server_) {
            if (settings_.url.empty())
                throw sdk::Failure(DBC_INVALID_ARGUMENT,
                                   "no MySQL/MariaDB server configured: set plugins.mysql.url, "
                                   "DBCLONE_MYSQL_URL or --server mysql://...");
            server_ = ServerUrl::parse(settings_.url);
        }
        return *server_;
    }

    // One admin session per handle, checked once for the privileges dbclone needs.
    MysqlConnection& admin_connection() {
        if (admin_ && admin_->alive()) return *admin_;
        admin_.reset();  // a server restarted since: connect again
        auto admin = std::make_unique<MysqlConnection>(server());
        auto privileges = admin->query(
            "SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE IS_GRANTABLE = "
            "'YES' AND PRIVILEGE_TYPE IN ('CREATE', 'DROP', 'CREATE USER', 'SELECT', 'INSERT', "
            "'DELETE') AND GRANTEE = CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), "
            "'''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')");
        if (privileges.size() < 6)
            throw sdk::Failure(DBC_DENIED, "the admin " + server().user +
                                               " lacks global CREATE, DROP, CREATE USER, SELECT, "
                                               "INSERT or DELETE WITH GRANT OPTION; dbclone needs "
                                               "them all");
        ensure_meta_schema(*admin);
        // A lock a tenant holds on its own tables must not stall a drop for the
        // server's default of a year: a minute, then an error naming the step.
        admin->query("SET SESSION lock_wait_timeout = 60", "setting lock_wait_timeout");
        admin_ = std::move(admin);
        return *admin_;
    }

    // How CREATE USER receives the password. MariaDB, and MySQL before 8.4, take
    // the mysql_native_password hash computed here, so the password never
    // reaches the server; MySQL 8.4 and later no longer enable that plugin, so
    // they get caching_sha2_password with the password itself (which MySQL
    // masks in its logs). See docs/mysql.md.
    std::string identified_clause(MysqlConnection& admin, const std::string& password) {
        std::string hash = admin.quote_string(native_password_hash(password));
        if (is_mariadb(admin)) return "IDENTIFIED BY PASSWORD " + hash;
        int major = 0, minor = 0;
        std::sscanf(server_version_->c_str(), "%d.%d", &major, &minor);
        if (major < 8 || (major == 8 && minor < 4))
            return "IDENTIFIED WITH mysql_native_password AS " + hash;
        return "IDENTIFIED WITH caching_sha2_password BY " + admin.quote_string(password);
    }

    IdentifiedBy identified_by() {
        return [this](MysqlConnection& admin, const std::string& password) {
            return identified_clause(admin, password);
        };
    }

    std::string datadir_of(MysqlConnection& admin) {
        if (!datadir_) datadir_ = reachable_datadir(admin, settings_.datadir);
        return *datadir_;
    }

    fs::path export_dir(const GoldenSchema& golden) const {
        return exports_dir_ / (golden.name + "-" + golden.sha256.substr(0, 16));
    }

    std::string choose_strategy(MysqlConnection& admin, const std::string& requested) {
        std::string choice = requested.empty() ? settings_.strategy : requested;
        if (choice != "auto" && choice != "logical" && choice != "tablespace")
            throw sdk::Failure(
                DBC_INVALID_ARGUMENT,
                "unknown strategy \"" + choice + "\" for mysql; allowed: logical, tablespace");
        bool reachable = !datadir_of(admin).empty();
        if (choice == "tablespace" && !reachable)
            throw sdk::Failure(
                DBC_INVALID_ARGUMENT,
                "strategy tablespace needs the server's data directory, which this "
                "process cannot reach (set plugins.mysql.datadir for a local server)");
        if (choice == "auto") return reachable ? "tablespace" : "logical";
        return choice;
    }

    sdk::Host host_;
    BackendSettings settings_;
    std::string installation_;
    std::string registry_;
    fs::path exports_dir_;
    std::optional<ServerUrl> server_;
    std::unique_ptr<MysqlConnection> admin_;
    std::optional<std::string> datadir_;
    std::optional<std::string> server_version_;
    std::map<std::string, GoldenSchema> goldens_;
};

}  // namespace dbclone::mysql

DBC_DECLARE_BACKEND(dbclone::mysql::MysqlBackend, "mysql", "0.1.0")
