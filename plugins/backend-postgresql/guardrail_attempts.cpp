#include "guardrail_attempts.hpp"

#include <dbclone/guardrails.hpp>

#include <memory>
#include <vector>

#include "isolation_probes.hpp"
#include "pg_connection.hpp"

namespace dbclone::postgresql {

namespace {

// The largest temp_file_limit an attempt fills; above it the setting is read.
constexpr uint64_t temp_fill_max_kb = 64 * 1024;

// A session as the tenant's application gets one: its role defaults hold.
std::unique_ptr<PgConnection> tenant_session(const std::string& url, const dbc_target& login) {
    auto keywords = login_as(login, login.location);
    keywords["options"] = "-c client_min_messages=warning";
    return std::make_unique<PgConnection>(url, keywords);
}

std::optional<std::string> error_of(PgConnection& db, const std::string& sql) {
    auto error = db.try_exec(sql);
    if (!error) return std::nullopt;
    return error->primary + " (SQLSTATE " + error->sqlstate + ")";
}

// Writes as the query login, each in a transaction that is rolled back, so
// that a write that got through changes nothing.
void attempt_writes(const std::string& url, const dbc_target* query, const sdk::Sink& sink) {
    if (query == nullptr) {
        sdk::write_guardrail(sink, "query_login_write", "query", "not_applicable",
                             "the tenant has no query login");
        return;
    }
    auto db = tenant_session(url, *query);
    auto table = db->query(
        "SELECT pg_catalog.quote_ident(schemaname) || '.' || pg_catalog.quote_ident(tablename) "
        "FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') "
        "ORDER BY 1 LIMIT 1");
    std::vector<std::pair<std::string, std::string>> writes{
        {"query_login_create_table", "CREATE TABLE public.dbclone_guardrail_probe (x int)"}};
    if (table.size() != 0)
        // WHERE false: only the privilege can refuse it, never a foreign key.
        writes.push_back({"query_login_delete", "DELETE FROM " + table.at(0, 0) + " WHERE false"});
    for (const auto& [name, sql] : writes) {
        db->exec("BEGIN", "starting a transaction");
        auto error = error_of(*db, sql);
        db->try_exec("ROLLBACK");
        sdk::judge_refusal(sink, name, "query", sql, error);
    }
}

void attempt_temp_file_limit(const std::string& url, const dbc_target& owner, uint64_t limit_kb,
                             const sdk::Sink& sink) {
    const char* name = "temp_file_limit";
    if (limit_kb == 0)
        return sdk::write_guardrail(sink, name, "owner", "not_enforced",
                                    "no temp_file_limit asked");
    auto db = tenant_session(url, owner);
    std::string setting = db->query("SHOW temp_file_limit").at(0, 0);
    if (setting == "-1")
        return sdk::write_guardrail(sink, name, "owner", "not_enforced",
                                    "the session has no temp_file_limit (setting it needs a "
                                    "superuser or SET on it, which the admin login lacks)");
    if (limit_kb > temp_fill_max_kb)
        return sdk::write_guardrail(sink, name, "owner", "passed",
                                    "the session starts with temp_file_limit = " + setting +
                                        " (above the " + std::to_string(temp_fill_max_kb / 1024) +
                                        "MB an attempt writes, so not filled)");
    // A sort with little memory spills; about 40 bytes a row, twice the limit.
    uint64_t rows = limit_kb * 1024 / 20;
    auto error = error_of(*db,
                          "SET work_mem = '64kB'; SELECT count(*) FROM (SELECT g, md5(g::text) "
                          "FROM generate_series(1, " +
                              std::to_string(rows) + ") g ORDER BY 2) s");
    if (error && error->find("53400") != std::string::npos)
        sdk::write_guardrail(sink, name, "owner", "passed",
                             "a sort of " + std::to_string(rows) + " rows stopped: " + *error);
    else if (error)
        sdk::write_guardrail(sink, name, "owner", "error", *error);
    else
        sdk::write_guardrail(
            sink, name, "owner", "failed",
            "a sort of " + std::to_string(rows) + " rows wrote past temp_file_limit = " + setting);
}

}  // namespace

uint64_t database_bytes(PgConnection& db) {
    return std::stoull(
        db.query("SELECT pg_catalog.pg_database_size(pg_catalog.current_database())").at(0, 0));
}

void run_guardrail_attempts(const std::string& url, const dbc_target& owner,
                            const dbc_target* query, const sdk::TenantLimits& limits,
                            const sdk::Sink& sink) {
    attempt_writes(url, query, sink);
    // The timeouts and the connection limit as the login the model's SQL uses.
    const dbc_target& login = query != nullptr ? *query : owner;
    const char* who = query != nullptr ? "query" : "owner";
    {
        auto db = tenant_session(url, login);
        sdk::attempt_statement_timeout(
            sink, who, limits.statement_timeout_ms,
            [&](uint64_t ms) {
                return error_of(*db,
                                "SELECT pg_catalog.pg_sleep(" + std::to_string(ms / 1000.0) + ")");
            },
            [&] { return db->query("SHOW statement_timeout").at(0, 0); });
        sdk::judge_override(sink, who, "SET statement_timeout = 0",
                            error_of(*db, "SET statement_timeout = 0"));
    }
    std::vector<std::unique_ptr<PgConnection>> sessions;
    sdk::attempt_connection_limit(sink, who, limits.connections, [&]() -> std::string {
        try {
            sessions.push_back(tenant_session(url, login));
            return "";
        } catch (const sdk::Failure& f) {
            std::string message = f.what();
            if (message.find("too many connections") == std::string::npos) throw;
            return message;
        }
    });
    sessions.clear();
    attempt_temp_file_limit(url, owner, limits.temp_file_limit_kb, sink);
    sdk::judge_disk(sink, "owner", limits.disk_kb, database_bytes(*tenant_session(url, owner)));
}

}  // namespace dbclone::postgresql
