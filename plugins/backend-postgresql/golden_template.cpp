#include "golden_template.hpp"

#include <dbclone/plugin_helpers.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "dump_loader.hpp"
#include "root_script.hpp"
#include "schema_fingerprint.hpp"
#include "table_content.hpp"

namespace dbclone::postgresql {

namespace {

// One root file's SQL, with the file's name for errors.
struct RootScript {
    std::string file;
    std::string text;
};

// The content record goes last: it is JSON, and may be long.
std::string comment_for(const GoldenTemplate& t) {
    return "dbclone golden copy sha256=" + t.sha256 + " fingerprint=" + t.fingerprint +
           " bytes=" + std::to_string(t.bytes) + " content=" + t.content;
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

// Tags the admin's session as a build's for as long as the object lives.
class BuildSessionTag {
  public:
    explicit BuildSessionTag(PgConnection& admin) : admin_(admin) {
        admin.query("SELECT pg_catalog.set_config('application_name', $1, false)",
                    {build_session_tag}, "tagging the build session");
    }
    ~BuildSessionTag() { admin_.try_exec("RESET application_name"); }
    BuildSessionTag(const BuildSessionTag&) = delete;
    BuildSessionTag& operator=(const BuildSessionTag&) = delete;

  private:
    PgConnection& admin_;
};

// Loads `script` into database `name` (on the server `admin` is connected to,
// reached with `server`: a URL or {"host": socket directory}): the admin gives
// the root owner CREATE there and nothing else, then the script runs in a
// session of the root owner (load_script, which says what it left out in
// `skipped`). The content is read as the root owner, the owner of every table.
LoadedRoot load_root(PgConnection& admin, const std::string& url,
                     std::map<std::string, std::string> server, const std::string& name,
                     const std::vector<RootScript>& scripts, SkippedStatements& skipped) {
    std::string owner = admin.quote_identifier(root_owner_role),
                q_db = admin.quote_identifier(name);
    admin.exec("REVOKE ALL ON DATABASE " + q_db +
                   " FROM PUBLIC; GRANT CONNECT, CREATE, TEMPORARY "
                   "ON DATABASE " +
                   q_db + " TO " + owner,
               "opening " + name + " to the root owner");
    RootOwnerLogin login(admin);
    server["dbname"] = name;
    server["application_name"] = build_session_tag;
    PgConnection as_admin(url, server);
    as_admin.exec(
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC; GRANT CREATE, USAGE ON SCHEMA "
        "public TO " +
            owner,
        "preparing the root database");
    for (const auto& [k, v] : login.keywords(name)) server[k] = v;
    PgConnection as_owner(url, server);
    // The files in order, in one session, as `psql -f a -f b` would.
    for (const auto& script : scripts)
        for (const auto& [kind, count] : load_script(as_owner, script.text, script.file))
            skipped[kind] += count;
    LoadedRoot loaded{schema_fingerprint(as_admin), ""};
    as_admin.exec("SET ROLE " + owner, "reading the root's content");
    loaded.content = table_content(as_admin);
    as_admin.exec("RESET ROLE", "reading the root's content");
    return loaded;
}

// Every file's SQL, read before anything is made: a file that cannot be read
// (or restored, for an archive) fails the build first.
std::vector<RootScript> read_scripts(const std::vector<sdk::RootPart>& parts) {
    std::vector<RootScript> out;
    for (const auto& part : parts) out.push_back({part.path, root_script(part.path)});
    return out;
}

}  // namespace

LoadedRoot load_root_database(PgConnection& admin, const std::string& socket_dir,
                              const std::vector<sdk::RootPart>& parts, const std::string& name) {
    auto scripts = read_scripts(parts);
    ensure_root_owner(admin);
    admin.exec(
        "CREATE DATABASE " + admin.quote_identifier(name) + " TEMPLATE template0 ENCODING 'UTF8'",
        "creating " + name);
    SkippedStatements skipped;
    return load_root(admin, "", {{"host", socket_dir}, {"user", admin.user()}}, name, scripts,
                     skipped);
}

std::optional<GoldenTemplate> find_template(PgConnection& admin, const std::string& name) {
    auto rows = admin.query(
        "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database "
        "WHERE datname = $1",
        {name});
    if (rows.size() == 0) return std::nullopt;
    static const std::regex pattern(
        "^dbclone golden copy sha256=([0-9a-f]{64}) fingerprint=([0-9a-f]{64}) bytes=([0-9]+)$");
    // The content record is cut off before the regex sees it (a long JSON text
    // is no regex's business).
    std::string comment = rows.at(0, 0), content;
    if (auto at = comment.find(" content="); at != std::string::npos) {
        content = comment.substr(at + 9);
        comment.resize(at);
    }
    std::smatch m;
    if (!std::regex_match(comment, m, pattern)) return GoldenTemplate{name, "", "", 0, "", ""};
    return GoldenTemplate{name, m[1], m[2], std::stoull(m[3]), "", content};
}

void end_dead_builds(PgConnection& admin) {
    end_sessions(admin, "application_name = $1", {build_session_tag}, "a killed golden build");
}

GoldenTemplate build_template(const std::string& url, PgConnection& admin, const std::string& name,
                              const std::vector<sdk::RootPart>& parts, const std::string& sha256) {
    auto scripts = read_scripts(parts);
    end_dead_builds(admin);
    BuildSessionTag tag(admin);
    ensure_root_owner(admin);
    // Built under another name, renamed when complete: no clone ever sees a
    // half-loaded template.
    std::string build = name + "_build";
    std::string q_build = admin.quote_identifier(build), q_name = admin.quote_identifier(name);
    admin.exec("DROP DATABASE IF EXISTS " + q_build + " WITH (FORCE)", "dropping " + build);
    admin.exec("CREATE DATABASE " + q_build + " TEMPLATE template0 ENCODING 'UTF8'",
               "creating " + build);
    GoldenTemplate result{name, sha256, "", 0, "", ""};
    try {
        SkippedStatements skipped;
        LoadedRoot loaded = load_root(admin, url, {}, build, scripts, skipped);
        result.fingerprint = loaded.fingerprint;
        result.content = loaded.content;
        result.left_out = describe(skipped);
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
