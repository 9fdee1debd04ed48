#include "tenant_guardrails.hpp"

#include <dbclone/guardrails.hpp>

#include <map>

namespace dbclone::mongodb {

namespace {

// Why MongoDB cannot hold each limit for one user.
const std::map<std::string, std::string>& reasons() {
    static const std::map<std::string, std::string> why{
        {"connections",
         "MongoDB has no connection limit per user; net.maxIncomingConnections is the whole "
         "server's"},
        {"statement_timeout_ms",
         "MongoDB has no time limit per user; maxTimeMS is set by each client on its own "
         "operations"},
        {"idle_in_transaction_timeout_ms",
         "transactionLifetimeLimitSeconds is the whole server's, not one user's"},
        {"lock_timeout_ms",
         "maxTransactionLockRequestTimeoutMillis is the whole server's, not one user's"},
        {"work_mem_kb",
         "a sort's memory (internalQueryMaxBlockingSortMemoryUsageBytes) is the whole "
         "server's, not one user's"},
        {"temp_file_limit_kb",
         "MongoDB has no limit on one user's spills to disk (allowDiskUse is the client's)"},
        {"queries_per_hour", "MongoDB has no rate limit per user"},
    };
    return why;
}

void attempt_write(MongoClient& owner, MongoClient* query, const std::string& database,
                   const ServerFeatures& features, const sdk::Sink& sink) {
    const char* name = "query_login_write";
    if (query == nullptr)
        return features.authorization_enforced
                   ? sdk::write_guardrail(sink, name, "query", "not_applicable",
                                          "the tenant has no query login")
                   : sdk::write_guardrail(sink, name, "query", "not_enforced",
                                          features.server +
                                              " enforces no authorization: any client may write, "
                                              "so no login can be read-only");
    const char* probe = "dbclone_guardrail_probe";
    auto error = query->try_command(
        database, BsonDocument(BCON_NEW("insert", BCON_UTF8(probe), "documents", "[", "{", "x",
                                        BCON_INT32(1), "}", "]")));
    // A write that got through is taken back, so the attempt changes nothing.
    if (!error) owner.try_command(database, BsonDocument(BCON_NEW("drop", BCON_UTF8(probe))));
    sdk::judge_refusal(sink, name, "query", std::string("insert into ") + probe,
                       error ? std::optional<std::string>(error->message) : std::nullopt);
}

}  // namespace

uint64_t database_bytes(MongoClient& db, const std::string& database) {
    BsonDocument stats = db.command(
        database, BsonDocument(BCON_NEW("dbStats", BCON_INT32(1), "scale", BCON_INT32(1))),
        "measuring " + database);
    uint64_t bytes = 0;
    // totalSize where the server gives it (MongoDB 4.4+, FerretDB), else its parts.
    for (const char* field : {"totalSize", "storageSize", "indexSize"}) {
        bson_iter_t it;
        if (bson_iter_init_find(&it, stats.get(), field) && BSON_ITER_HOLDS_NUMBER(&it)) {
            bytes += static_cast<uint64_t>(bson_iter_as_int64(&it));
            if (std::string(field) == "totalSize") break;
        }
    }
    return bytes;
}

std::string limits_report(const sdk::TenantLimits& limits) {
    sdk::LimitsReport report;
    for (const auto& [key, value] : limits.named()) {
        if (value == 0) continue;
        if (key == "disk_kb")
            report.measured(key,
                            "dbStats' totalSize, by status, verify and serve; nothing stops a "
                            "database that grows past it");
        else
            report.not_enforced(key, reasons().at(key));
    }
    return report.json();
}

void run_guardrail_attempts(MongoClient& owner, MongoClient* query, const std::string& database,
                            const ServerFeatures& features, const sdk::TenantLimits& limits,
                            const sdk::Sink& sink) {
    attempt_write(owner, query, database, features, sink);
    const char* who = query != nullptr ? "query" : "owner";
    sdk::write_guardrail(sink, "statement_timeout", who, "not_enforced",
                         limits.statement_timeout_ms == 0 ? "no statement_timeout asked"
                                                          : reasons().at("statement_timeout_ms"));
    sdk::write_guardrail(
        sink, "connection_limit", who, "not_enforced",
        limits.connections == 0 ? "no connection limit asked" : reasons().at("connections"));
    sdk::judge_disk(sink, "owner", limits.disk_kb, database_bytes(owner, database));
}

}  // namespace dbclone::mongodb
