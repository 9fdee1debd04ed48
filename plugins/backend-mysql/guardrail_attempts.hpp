// The MySQL/MariaDB guardrail attempts (dbc_backend_attempt_guardrails_fn):
// with the tenant's own logins, in sessions that start as the tenant's do.
#pragma once

#include <dbclone/sdk.hpp>
#include <dbclone/tenant_limits.hpp>

#include "mysql_connection.hpp"
#include "server_url.hpp"

namespace dbclone::mysql {

// The disk the session's schema takes: its tables' data and index length.
uint64_t schema_bytes(MysqlConnection& db);

void run_guardrail_attempts(const ServerUrl& server, const dbc_target& owner,
                            const dbc_target* query, const sdk::TenantLimits& limits,
                            const sdk::Sink& sink);

}  // namespace dbclone::mysql
