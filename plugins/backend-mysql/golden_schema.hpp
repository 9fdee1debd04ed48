// The golden copy on a MySQL/MariaDB server: schema dbclone_root_<version>,
// loaded once from the root's mysql.sql. What was built from which root is
// recorded in dbclone_meta.golden_copies (MySQL has no schema comments), which
// tenants cannot read.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <dbclone/plugin_helpers.hpp>

#include <vector>

#include "mysql_connection.hpp"
#include "server_url.hpp"

namespace dbclone::mysql {

inline constexpr const char* meta_schema = "dbclone_meta";

struct GoldenSchema {
    std::string name;
    std::string sha256;
    std::string fingerprint;
    uint64_t bytes = 0;
    std::string content;  // its content record (table_content); "" if built before 1.1
};

// What loading a root made: the schema's fingerprint and content record.
struct LoadedSchema {
    std::string fingerprint;
    std::string content;
};

// Creates dbclone_meta and its tables if missing.
void ensure_meta_schema(MysqlConnection& admin);

// The recorded golden schema, or nullopt when none was completed under `name`.
std::optional<GoldenSchema> find_golden(MysqlConnection& admin, const std::string& name);

// `schema` for a database-level GRANT: "_" and "%" are wildcards there, so
// unescaped, tenant a_b's grant would also match tenant a1b's schema.
std::string grant_pattern(const MysqlConnection& c, const std::string& schema);

// The IDENTIFIED clause of CREATE USER for `password` on the admin's server.
using IdentifiedBy = std::function<std::string(MysqlConnection& admin, const std::string&)>;

// The name of a root loader account (load_root_schema); group 1 is the id of
// the admin session that made it.
inline constexpr const char* loader_pattern = "^dbclone_loader_([0-9]+)_[A-Za-z0-9]+$";

// (Re)creates schema `name` and loads the root's files into it, in order, as a loader account
// that may touch that schema alone (made on `server` through `admin`, dropped
// afterwards). A root that reaches outside fails with an error that quotes
// none of the file.
LoadedSchema load_root_schema(MysqlConnection& admin, const ServerUrl& server,
                              const std::string& name, const std::vector<sdk::RootPart>& parts,
                              const IdentifiedBy& identified);

// (Re)builds the schema from the root's files, in order, and records it. The caller holds the
// build lock.
GoldenSchema build_golden(MysqlConnection& admin, const ServerUrl& server, const std::string& name,
                          const std::vector<sdk::RootPart>& parts, const std::string& sha256,
                          const IdentifiedBy& identified);

}  // namespace dbclone::mysql
