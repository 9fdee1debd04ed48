// A tenant's limits on MySQL/MariaDB, as account resource options, and its
// query login ("tenant_<id>.ro"): SELECT and SHOW VIEW on the tenant's schema
// and nothing else, so it can read every table and view, also those made
// later, and write nothing.
#pragma once

#include <dbclone/tenant_limits.hpp>

#include <string>

namespace dbclone::mysql {

// " WITH MAX_USER_CONNECTIONS n MAX_STATEMENT_TIME s ..." for CREATE USER
// (MAX_STATEMENT_TIME on MariaDB only); "" when no limit applies.
std::string resource_clause(const sdk::TenantLimits& limits, bool mariadb);

// The limits report (dbc_clone_result.limits_json) for accounts made with
// resource_clause; `logins` is how many logins the tenant has.
std::string limits_report(const sdk::TenantLimits& limits, bool mariadb, int logins);

// The privileges of the query login on the tenant's schema.
constexpr const char* query_privileges = "SELECT, SHOW VIEW";

}  // namespace dbclone::mysql
