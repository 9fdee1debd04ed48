// The schema fingerprint of a PostgreSQL database: sha256 over a normalized
// dump of its catalog (tables, columns, types, defaults, constraints, indexes,
// views, functions, sequences, triggers) in every non-system schema. Owners
// and OIDs are left out, so a clone and its template agree.
#pragma once

#include <string>

namespace dbclone::postgresql {

class PgConnection;

std::string schema_fingerprint(PgConnection& db);

}  // namespace dbclone::postgresql
