#include "golden_template.hpp"

#include <dbclone/plugin_helpers.hpp>

#include <fstream>
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
void ensure_root_owner(PgConnection& admin) {
    auto exists = admin.query("SELECT 1 FROM pg_roles WHERE rolname = $1", {root_owner_role});
    std::string role = admin.quote_identifier(root_owner_role);
    if (exists.size() == 0) {
        // Two builders of different versions may race to create it.
        if (auto e = admin.try_exec("CREATE ROLE " + role + " NOLOGIN");
            e && e->sqlstate != "42710")
            throw sdk::Failure(DBC_ERROR, "cannot create role " + std::string(root_owner_role) +
                                              ": " + e->message);
    }
    auto member = admin.query("SELECT pg_has_role(current_user, $1, 'USAGE')", {root_owner_role});
    if (member.at(0, 0) != "t")
        admin.exec("GRANT " + role + " TO " + admin.quote_identifier(admin.user()),
                   "granting " + std::string(root_owner_role));
}

// Loads `script` into the database `db` is connected to, its objects created by
// the root owner role (the only role that may create in public); returns the
// schema fingerprint.
std::string load_root(PgConnection& db, const std::string& script, const std::string& root_file) {
    std::string owner = db.quote_identifier(root_owner_role);
    db.exec("REVOKE CREATE ON SCHEMA public FROM PUBLIC; GRANT CREATE, USAGE ON SCHEMA public TO " +
                owner + "; SET ROLE " + owner,
            "preparing the root database");
    db.exec(script, "loading " + root_file);
    db.exec("RESET ROLE", "reset role");
    return schema_fingerprint(db);
}

}  // namespace

std::string load_root_database(PgConnection& admin, const std::string& socket_dir,
                               const std::string& root_file, const std::string& name) {
    std::string script = sdk::read_text_file(root_file);
    ensure_root_owner(admin);
    admin.exec(
        "CREATE DATABASE " + admin.quote_identifier(name) + " TEMPLATE template0 ENCODING 'UTF8'",
        "creating " + name);
    PgConnection db("", {{"host", socket_dir}, {"user", admin.user()}, {"dbname", name}});
    return load_root(db, script, root_file);
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
        PgConnection db(url, {{"dbname", build}});
        result.fingerprint = load_root(db, script, root_file);
        result.bytes =
            std::stoull(db.query("SELECT pg_database_size(current_database())").at(0, 0));
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
