#include "golden_schema.hpp"

#include <dbclone/plugin_helpers.hpp>

#include <fstream>
#include <sstream>

#include "dump_loader.hpp"
#include "schema_fingerprint.hpp"
#include "table_content.hpp"

namespace dbclone::mysql {

void ensure_meta_schema(MysqlConnection& admin) {
    admin.query(
        "CREATE DATABASE IF NOT EXISTS dbclone_meta CHARACTER SET utf8mb4; "
        "CREATE TABLE IF NOT EXISTS dbclone_meta.golden_copies (name VARCHAR(64) PRIMARY KEY, "
        "sha256 CHAR(64) NOT NULL, fingerprint CHAR(64) NOT NULL, bytes BIGINT NOT NULL) "
        "ENGINE=InnoDB; "
        "CREATE TABLE IF NOT EXISTS dbclone_meta.tenants (tenant_id VARCHAR(48) PRIMARY KEY, "
        "installation VARCHAR(64) NOT NULL, created_at TIMESTAMP NOT NULL DEFAULT "
        "CURRENT_TIMESTAMP) ENGINE=InnoDB; "
        "CREATE TABLE IF NOT EXISTS dbclone_meta.locks (name VARCHAR(64) PRIMARY KEY) "
        "ENGINE=InnoDB; "
        // The server connection that is copying the tenant: a killed client's
        // copy runs on in it, and a drop must end it first.
        "ALTER TABLE dbclone_meta.tenants ADD COLUMN IF NOT EXISTS creator_connection BIGINT "
        "NOT NULL DEFAULT 0; "
        // The golden schema's content record (NULL: built before there was one).
        "ALTER TABLE dbclone_meta.golden_copies ADD COLUMN IF NOT EXISTS content LONGTEXT NULL",
        "creating dbclone_meta");
}

std::optional<GoldenSchema> find_golden(MysqlConnection& admin, const std::string& name) {
    auto rows = admin.query(
        "SELECT g.sha256, g.fingerprint, g.bytes, COALESCE(g.content, '') "
        "FROM dbclone_meta.golden_copies g "
        "JOIN information_schema.SCHEMATA s ON s.SCHEMA_NAME = g.name "
        "WHERE g.name = " +
        admin.quote_string(name));
    if (rows.size() == 0) return std::nullopt;
    return GoldenSchema{name, rows.at(0, 0), rows.at(0, 1), std::stoull(rows.at(0, 2)),
                        rows.at(0, 3)};
}

std::string grant_pattern(const MysqlConnection& c, const std::string& schema) {
    std::string escaped;
    for (char ch : schema) {
        if (ch == '_' || ch == '%' || ch == '\\') escaped += '\\';
        escaped += ch;
    }
    return c.quote_identifier(escaped);
}

LoadedSchema load_root_schema(MysqlConnection& admin, const ServerUrl& server,
                              const std::string& name, const std::vector<sdk::RootPart>& parts,
                              const IdentifiedBy& identified) {
    std::vector<std::string> scripts;  // read before anything is made
    for (const auto& part : parts) scripts.push_back(sdk::read_text_file(part.path));
    std::string q_name = admin.quote_identifier(name);
    admin.query("DROP DATABASE IF EXISTS " + q_name + "; CREATE DATABASE " + q_name +
                    " CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci",
                "preparing " + name);
    // The root runs as an account of this build's own, with every privilege on
    // the golden schema and none anywhere else, dropped when the load ends: a
    // root cannot touch another schema, an account or a file of the server.
    // Its name carries the admin session's id: should this process die, the
    // account outlives the load, and reconcile drops it once that session is
    // gone (loader_pattern). At most 32 characters, MySQL's limit.
    std::string loader = "dbclone_loader_" + admin.query("SELECT CONNECTION_ID()").at(0, 0) + "_" +
                         sdk::random_password().substr(0, 6);
    std::string password = sdk::random_password(), clause = identified(admin, password);
    std::string q_loader = admin.quote_string(loader);
    std::string accounts = q_loader + "@'%', " + q_loader + "@'localhost'";
    struct DropLoader {
        MysqlConnection& admin;
        std::string accounts;
        ~DropLoader() { admin.try_exec("DROP USER IF EXISTS " + accounts); }
    } drop{admin, accounts};
    admin.query("CREATE USER " + q_loader + "@'%' " + clause + ", " + q_loader + "@'localhost' " +
                    clause + "; GRANT ALL PRIVILEGES ON " + grant_pattern(admin, name) + ".* TO " +
                    accounts,
                "creating the root loader of " + name);
    ServerUrl as_loader = server;
    as_loader.user = loader;
    as_loader.password = password;
    {
        // The files in order, in one session, as `mariadb < a; mariadb < b`
        // would into one database.
        MysqlConnection db(as_loader, name);
        for (size_t i = 0; i < parts.size(); ++i) load_script(db, scripts[i], name, parts[i].path);
    }
    return {schema_fingerprint(admin, name), table_content(admin, name)};
}

GoldenSchema build_golden(MysqlConnection& admin, const ServerUrl& server, const std::string& name,
                          const std::vector<sdk::RootPart>& parts, const std::string& sha256,
                          const IdentifiedBy& identified) {
    std::string q_string = admin.quote_string(name);
    // Forget the old record first: a build that dies half-way leaves no record,
    // so the next request rebuilds instead of cloning a partial schema.
    admin.query("DELETE FROM dbclone_meta.golden_copies WHERE name = " + q_string,
                "forgetting " + name);
    LoadedSchema loaded = load_root_schema(admin, server, name, parts, identified);
    GoldenSchema golden{name, sha256, loaded.fingerprint, 0, loaded.content};
    golden.bytes = std::stoull(admin
                                   .query("SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) "
                                          "FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
                                          q_string)
                                   .at(0, 0));
    admin.query(
        "INSERT INTO dbclone_meta.golden_copies (name, sha256, fingerprint, bytes, content) "
        "VALUES (" +
            q_string + ", " + admin.quote_string(sha256) + ", " +
            admin.quote_string(golden.fingerprint) + ", " + std::to_string(golden.bytes) + ", " +
            admin.quote_string(golden.content) + ")",
        "recording " + name);
    return golden;
}

}  // namespace dbclone::mysql
