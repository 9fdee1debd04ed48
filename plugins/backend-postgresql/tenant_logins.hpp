// A tenant's second login and its limits on PostgreSQL. The query login
// ("tenant_<id>.ro") reads every table, view and sequence of the tenant's
// database, also those its owner makes later, and writes nothing: it owns
// nothing, inherits nothing and is granted SELECT alone, so no session setting
// it could change gives it more.
#pragma once

#include <dbclone/tenant_limits.hpp>

#include <string>
#include <vector>

#include "pg_connection.hpp"

namespace dbclone::postgresql {

// Creates the query role with a SCRAM verifier of `password` and CONNECT on
// `database`; `marker` (if not empty) is the comment reconcile finds it by.
void create_query_role(PgConnection& admin, const std::string& database, const std::string& role,
                       const std::string& password, const std::string& marker);

// Inside the tenant's database, as a member of `owner`: USAGE on the owner's
// schemas and public, SELECT on every table and sequence in them, and the same
// by default for what `owner` makes later.
void open_for_reading(PgConnection& inside, const std::string& owner, const std::string& reader);

// Sets `limits` on each of `roles` (connection limit, role defaults) and
// returns the limits report (dbc_clone_result.limits_json).
std::string apply_limits(PgConnection& admin, const std::vector<std::string>& roles,
                         const sdk::TenantLimits& limits);

}  // namespace dbclone::postgresql
