#include "golden_template.hpp"

#include <dbclone/plugin_helpers.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "schema_fingerprint.hpp"

namespace dbclone::postgresql {

namespace {

std::string comment_for(const GoldenTemplate& t) {
    return "dbclone golden copy sha256=" + t.sha256 + " fingerprint=" + t.fingerprint +
           " bytes=" + std::to_string(t.bytes);
}

// Makes the role that owns golden-copy objects, and lets the admin act as it.
// It has no attribute at all (no superuser, CREATEDB, CREATEROLE, replication,
// RLS bypass) and no login, except while a root loads (RootOwnerLogin).
void ensure_root_owner(PgConnection& admin) {
    auto exists =
        admin.query("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1", {root_owner_role});
    std::string role = admin.quote_identifier(root_owner_role);
    if (exists.size() == 0) {
        // Two builders of different versions may race to create it.
        if (auto e = admin.try_exec("CREATE ROLE " + role + " NOLOGIN");
            e && e->sqlstate != "42710")
            throw sdk::Failure(DBC_ERROR, "cannot create role " + std::string(root_owner_role) +
                                              ": " + e->message);
    }
    admin.exec("ALTER ROLE " + role + " NOCREATEDB NOCREATEROLE NOINHERIT",
               "restricting " + std::string(root_owner_role));
    // Only a superuser can change these three; a role dbclone made has none.
    auto attributes = admin.query(
        "SELECT rolsuper OR rolreplication OR rolbypassrls FROM pg_catalog.pg_roles "
        "WHERE rolname = $1",
        {root_owner_role});
    if (attributes.at(0, 0) != "f")
        throw sdk::Failure(DBC_DENIED, std::string("role ") + root_owner_role +
                                           " is a superuser or may replicate or bypass row "
                                           "security; a root must not run with that");
    auto member =
        admin.query("SELECT pg_catalog.pg_has_role(current_user, $1, 'USAGE')", {root_owner_role});
    if (member.at(0, 0) != "t")
        admin.exec("GRANT " + role + " TO " + admin.quote_identifier(admin.user()),
                   "granting " + std::string(root_owner_role));
}

// The root owner may log in, with a password of this load's own, for as long
// as the object lives: a root's SQL then runs in a session of that role (not
// the admin's under SET ROLE, which one RESET ROLE would undo).
class RootOwnerLogin {
  public:
    explicit RootOwnerLogin(PgConnection& admin)
        : admin_(admin), password_(sdk::random_password()) {
        ensure_root_owner(admin);
        admin.exec("ALTER ROLE " + admin.quote_identifier(root_owner_role) + " LOGIN PASSWORD " +
                       admin.quote_literal(admin.scram_verifier(root_owner_role, password_)),
                   "letting " + std::string(root_owner_role) + " log in");
    }
    ~RootOwnerLogin() {
        admin_.try_exec("ALTER ROLE " + admin_.quote_identifier(root_owner_role) +
                        " NOLOGIN PASSWORD NULL");
    }
    RootOwnerLogin(const RootOwnerLogin&) = delete;
    RootOwnerLogin& operator=(const RootOwnerLogin&) = delete;

    // libpq keywords that log in as the root owner to `database`.
    std::map<std::string, std::string> keywords(const std::string& database) const {
        return {{"dbname", database}, {"user", root_owner_role}, {"password", password_}};
    }

  private:
    PgConnection& admin_;
    std::string password_;
};

// " at line N" for 1-based character `position` of `script`, or "" when the
// server gave no position (a permission error, say).
std::string at_line(const std::string& script, size_t position) {
    if (position == 0) return "";
    size_t line = 1, characters = 0;
    for (unsigned char c : script) {
        if ((c & 0xC0) != 0x80 && ++characters >= position) break;
        if (c == '\n') ++line;
    }
    return " at line " + std::to_string(line);
}

// Loads `script` into database `name` (on the server `admin` is connected to,
// reached with `server`: a URL or {"host": socket directory}): the admin gives
// the root owner CREATE there and nothing else, then the script runs in a
// session of the root owner. Returns the schema fingerprint. A root that
// reaches outside its database fails with the server's primary message, its
// quoted fragments redacted, and the line: never the file's text.
std::string load_root(PgConnection& admin, const std::string& url,
                      std::map<std::string, std::string> server, const std::string& name,
                      const std::string& script, const std::string& root_file) {
    std::string owner = admin.quote_identifier(root_owner_role),
                q_db = admin.quote_identifier(name);
    admin.exec("REVOKE ALL ON DATABASE " + q_db +
                   " FROM PUBLIC; GRANT CONNECT, CREATE, TEMPORARY "
                   "ON DATABASE " +
                   q_db + " TO " + owner,
               "opening " + name + " to the root owner");
    RootOwnerLogin login(admin);
    server["dbname"] = name;
    PgConnection as_admin(url, server);
    as_admin.exec(
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC; GRANT CREATE, USAGE ON SCHEMA "
        "public TO " +
            owner,
        "preparing the root database");
    for (const auto& [k, v] : login.keywords(name)) server[k] = v;
    PgConnection as_owner(url, server);
    if (auto error = as_owner.try_exec(script))
        throw sdk::Failure(
            error->sqlstate == "42501" ? DBC_DENIED : DBC_ERROR,
            "loading root file " + root_file + " as " + root_owner_role + " (who may create in " +
                name + " only) failed" + at_line(script, error->position) + ": " +
                sdk::redact_quoted(error->primary) + " (SQLSTATE " + error->sqlstate + ")");
    return schema_fingerprint(as_admin);
}

}  // namespace

std::string load_root_database(PgConnection& admin, const std::string& socket_dir,
                               const std::string& root_file, const std::string& name) {
    std::string script = sdk::read_text_file(root_file);
    ensure_root_owner(admin);
    admin.exec(
        "CREATE DATABASE " + admin.quote_identifier(name) + " TEMPLATE template0 ENCODING 'UTF8'",
        "creating " + name);
    return load_root(admin, "", {{"host", socket_dir}, {"user", admin.user()}}, name, script,
                     root_file);
}

std::optional<GoldenTemplate> find_template(PgConnection& admin, const std::string& name) {
    auto rows = admin.query(
        "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database "
        "WHERE datname = $1",
        {name});
    if (rows.size() == 0) return std::nullopt;
    static const std::regex pattern(
        "^dbclone golden copy sha256=([0-9a-f]{64}) fingerprint=([0-9a-f]{64}) bytes=([0-9]+)$");
    std::smatch m;
    const std::string& comment = rows.at(0, 0);
    if (!std::regex_match(comment, m, pattern)) return GoldenTemplate{name, "", "", 0};
    return GoldenTemplate{name, m[1], m[2], std::stoull(m[3])};
}

GoldenTemplate build_template(const std::string& url, PgConnection& admin, const std::string& name,
                              const std::string& root_file, const std::string& sha256) {
    std::string script = sdk::read_text_file(root_file);
    ensure_root_owner(admin);
    // Built under another name, renamed when complete: no clone ever sees a
    // half-loaded template.
    std::string build = name + "_build";
    std::string q_build = admin.quote_identifier(build), q_name = admin.quote_identifier(name);
    admin.exec("DROP DATABASE IF EXISTS " + q_build + " WITH (FORCE)", "dropping " + build);
    admin.exec("CREATE DATABASE " + q_build + " TEMPLATE template0 ENCODING 'UTF8'",
               "creating " + build);
    GoldenTemplate result{name, sha256, "", 0};
    try {
        result.fingerprint = load_root(admin, url, {}, build, script, root_file);
        result.bytes =
            std::stoull(admin.query("SELECT pg_catalog.pg_database_size($1)", {build}).at(0, 0));
    } catch (...) {
        admin.try_exec("DROP DATABASE IF EXISTS " + q_build + " WITH (FORCE)");
        throw;
    }
    if (find_template(admin, name)) {
        // Clones are independent copies: dropping their old template is safe.
        admin.exec("ALTER DATABASE " + q_name + " IS_TEMPLATE false", "unmarking " + name);
        admin.exec("DROP DATABASE " + q_name + " WITH (FORCE)", "dropping the old " + name);
    }
    admin.exec("ALTER DATABASE " + q_build + " RENAME TO " + q_name, "renaming " + build);
    admin.exec("ALTER DATABASE " + q_name + " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false",
               "marking " + name + " as a template");
    admin.exec("COMMENT ON DATABASE " + q_name + " IS " + admin.quote_literal(comment_for(result)),
               "recording " + name);
    return result;
}

}  // namespace dbclone::postgresql
