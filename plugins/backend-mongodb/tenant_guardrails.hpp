// A MongoDB tenant's limits, and the guardrails check's attempts on them.
// MongoDB holds almost no limit for one user: connections, transaction and
// lock time limits, sort memory and spills to disk are the whole server's
// settings, and maxTimeMS is each client's own choice per operation. So each
// of those a tenant asks for is reported not_enforced, with why, and the disk
// is measured (dbStats) and reported, as on an embedded engine.
#pragma once

#include <dbclone/sdk.hpp>
#include <dbclone/tenant_limits.hpp>

#include <cstdint>
#include <string>

#include "mongo_client.hpp"
#include "server_features.hpp"

namespace dbclone::mongodb {

// What `database` takes on disk: dbStats' totalSize (its collections'
// storage and its indexes).
uint64_t database_bytes(MongoClient& db, const std::string& database);

// dbc_clone_result.limits_json for `limits`.
std::string limits_report(const sdk::TenantLimits& limits);

// The attempts (dbc_backend_attempt_guardrails_fn) on tenant database
// `database`: `owner` is logged in as the owner, `query` as the query login
// (nullptr when the tenant has none).
void run_guardrail_attempts(MongoClient& owner, MongoClient* query, const std::string& database,
                            const ServerFeatures& features, const sdk::TenantLimits& limits,
                            const sdk::Sink& sink);

}  // namespace dbclone::mongodb
