// The golden copy on a PostgreSQL server: a template database
// dbclone_root_<version> loaded from the root's postgresql.sql, marked
// datistemplate and closed to connections. Its comment records the root's
// sha256, its schema fingerprint and its size, so the plugin knows when to
// rebuild it without connecting to it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pg_connection.hpp"

namespace dbclone::postgresql {

// The role that owns every object of every golden copy. A clone hands its
// objects to the tenant with one REASSIGN OWNED; it owns no database, so that
// statement touches nothing outside the clone.
inline constexpr const char* root_owner_role = "dbclone_root_owner";

struct GoldenTemplate {
    std::string name;
    std::string sha256;
    std::string fingerprint;
    uint64_t bytes = 0;
};

// The template as its comment describes it, or nullopt when it does not exist.
std::optional<GoldenTemplate> find_template(PgConnection& admin, const std::string& name);

// Builds the template from `root_file` (replacing an older one of that name).
// The caller holds the build lock.
// Creates database `name` on the server `admin` is connected to (a golden data
// directory's own server, reached over `socket_dir`) and loads the root into it,
// its objects owned by root_owner_role; returns the schema fingerprint.
std::string load_root_database(PgConnection& admin, const std::string& socket_dir,
                               const std::string& root_file,
                               const std::string& name = "dbclone_root");

GoldenTemplate build_template(const std::string& url, PgConnection& admin, const std::string& name,
                              const std::string& root_file, const std::string& sha256);

}  // namespace dbclone::postgresql
