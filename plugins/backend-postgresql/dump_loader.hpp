// Loads a root script into a golden database the way `psql -f` would restore
// a plain pg_dump: statement by statement, COPY data included, in a session of
// the root owner. What a dump says about the server it came from and not
// about the database (its owner and other roles, the database itself, who may
// do what) is left out: in dbclone every object of a tenant's database belongs
// to the tenant, and the database is made by dbclone.
#pragma once

#include <map>
#include <string>

#include "pg_connection.hpp"

namespace dbclone::postgresql {

// What was left out, by kind ("OWNER TO", "GRANT/REVOKE", ...), with counts.
using SkippedStatements = std::map<std::string, int>;

// "3 OWNER TO, 1 GRANT/REVOKE", or "" when nothing was left out.
std::string describe(const SkippedStatements& skipped);

// Runs `script` (the text of `root_file`) in `session`. A failure throws
// sdk::Failure naming the file, the line the statement starts on (or the
// line of the error inside it), the statement's first 200 characters with
// its string literals hidden, and the server's message with its quoted parts
// hidden; DBC_DENIED when the server refused for privileges.
SkippedStatements load_script(PgConnection& session, const std::string& script,
                              const std::string& root_file);

}  // namespace dbclone::postgresql
