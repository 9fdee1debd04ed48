// The golden copy on a PostgreSQL server: a template database
// dbclone_root_<version> loaded from the root's postgresql.sql, marked
// datistemplate and closed to connections. Its comment records the root's
// sha256, its schema fingerprint and its size, so the plugin knows when to
// rebuild it without connecting to it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <dbclone/plugin_helpers.hpp>

#include <vector>

#include "pg_connection.hpp"

namespace dbclone::postgresql {

// The role that owns every object of every golden copy. A clone hands its
// objects to the tenant with one REASSIGN OWNED; it owns no database, so that
// statement touches nothing outside the clone.
inline constexpr const char* root_owner_role = "dbclone_root_owner";

// The application_name of every session of a golden build: a killed build's
// statements run on in its sessions, and the next builder must end them.
inline constexpr const char* build_session_tag = "dbclone golden build";

struct GoldenTemplate {
    std::string name;
    std::string sha256;
    std::string fingerprint;
    uint64_t bytes = 0;
    std::string left_out;  // what the build left out of the root (not recorded)
    std::string content;   // its content record (table_content); "" if built before 1.1
};

// What loading a root made: the database's schema fingerprint and content record.
struct LoadedRoot {
    std::string fingerprint;
    std::string content;
};

// The template as its comment describes it, or nullopt when it does not exist.
std::optional<GoldenTemplate> find_template(PgConnection& admin, const std::string& name);

// Creates database `name` on the server `admin` is connected to (a golden data
// directory's own server, reached over `socket_dir`) and loads the root's
// files into it in order, its objects owned by root_owner_role.
LoadedRoot load_root_database(PgConnection& admin, const std::string& socket_dir,
                              const std::vector<sdk::RootPart>& parts,
                              const std::string& name = "dbclone_root");

// Ends the sessions of golden builds whose client died (their statements run
// on: a CREATE DATABASE of a half-built template, say) and waits for them, for
// up to 30 s. Only under the build lock, where no live build has sessions.
void end_dead_builds(PgConnection& admin);

// Builds the template from the root's files, in order (replacing an older one
// of that name). The caller holds the build lock.
GoldenTemplate build_template(const std::string& url, PgConnection& admin, const std::string& name,
                              const std::vector<sdk::RootPart>& parts, const std::string& sha256);

}  // namespace dbclone::postgresql
