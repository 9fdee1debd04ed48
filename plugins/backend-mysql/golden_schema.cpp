#include "golden_schema.hpp"

#include <dbclone/plugin_helpers.hpp>

#include <fstream>
#include <sstream>

#include "schema_fingerprint.hpp"

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
        "ENGINE=InnoDB",
        "creating dbclone_meta");
}

std::optional<GoldenSchema> find_golden(MysqlConnection& admin, const std::string& name) {
    auto rows = admin.query(
        "SELECT g.sha256, g.fingerprint, g.bytes FROM dbclone_meta.golden_copies g "
        "JOIN information_schema.SCHEMATA s ON s.SCHEMA_NAME = g.name "
        "WHERE g.name = " +
        admin.quote_string(name));
    if (rows.size() == 0) return std::nullopt;
    return GoldenSchema{name, rows.at(0, 0), rows.at(0, 1), std::stoull(rows.at(0, 2))};
}

std::string load_root_schema(MysqlConnection& admin, const std::string& name,
                             const std::string& root_file) {
    std::string script = sdk::read_text_file(root_file);
    std::string q_name = admin.quote_identifier(name);
    admin.query("DROP DATABASE IF EXISTS " + q_name + "; CREATE DATABASE " + q_name +
                    " CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci; USE " + q_name,
                "preparing " + name);
    admin.query(script, "loading " + root_file);
    return schema_fingerprint(admin, name);
}

GoldenSchema build_golden(MysqlConnection& admin, const std::string& name,
                          const std::string& root_file, const std::string& sha256) {
    std::string q_string = admin.quote_string(name);
    // Forget the old record first: a build that dies half-way leaves no record,
    // so the next request rebuilds instead of cloning a partial schema.
    admin.query("DELETE FROM dbclone_meta.golden_copies WHERE name = " + q_string,
                "forgetting " + name);
    GoldenSchema golden{name, sha256, load_root_schema(admin, name, root_file), 0};
    golden.bytes = std::stoull(admin
                                   .query("SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) "
                                          "FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
                                          q_string)
                                   .at(0, 0));
    admin.query(
        "INSERT INTO dbclone_meta.golden_copies (name, sha256, fingerprint, bytes) VALUES (" +
            q_string + ", " + admin.quote_string(sha256) + ", " +
            admin.quote_string(golden.fingerprint) + ", " + std::to_string(golden.bytes) + ")",
        "recording " + name);
    return golden;
}

}  // namespace dbclone::mysql
