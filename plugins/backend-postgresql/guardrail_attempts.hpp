// The PostgreSQL guardrail attempts (dbc_backend_attempt_guardrails_fn): with
// the tenant's own logins, in sessions that start as the tenant's do (with its
// role defaults, none of dbclone's own timeouts).
#pragma once

#include <dbclone/sdk.hpp>
#include <dbclone/tenant_limits.hpp>

#include <string>

#include "pg_connection.hpp"

namespace dbclone::postgresql {

// The disk the session's database takes (pg_database_size).
uint64_t database_bytes(PgConnection& db);

void run_guardrail_attempts(const std::string& url, const dbc_target& owner,
                            const dbc_target* query, const sdk::TenantLimits& limits,
                            const sdk::Sink& sink);

}  // namespace dbclone::postgresql
