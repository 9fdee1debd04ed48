// `dbclone roots import` for PostgreSQL: pg_dump's plain output of a live
// database, exactly as a user would make it, as the root's postgresql.sql.
#pragma once

#include <string>
#include <vector>

namespace dbclone::postgresql {

// Dumps the database `url` names into `dir`/postgresql.sql; returns the files
// written. The connection reaches pg_dump through its environment (PGHOST,
// PGPASSWORD, ...), so the password is never on a command line.
std::vector<std::string> export_root(const std::string& url, const std::string& dir);

// The newest installed copy of PostgreSQL's client program `name`; throws
// DBC_NOT_SUPPORTED naming the Debian package when there is none.
std::string find_pg_program(const std::string& name);

}  // namespace dbclone::postgresql
