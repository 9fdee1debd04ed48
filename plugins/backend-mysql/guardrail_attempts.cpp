#include "guardrail_attempts.hpp"

#include <dbclone/guardrails.hpp>

#include <memory>
#include <vector>

#include "isolation_probes.hpp"
#include "mysql_connection.hpp"

namespace dbclone::mysql {

namespace {

std::optional<std::string> error_of(MysqlConnection& db, const std::string& sql) {
    auto error = db.try_exec(sql);
    if (!error) return std::nullopt;
    return error->message + " (error " + std::to_string(error->code) + ")";
}

// Writes as the query login, each in a transaction that is rolled back, so
// that a write that got through changes nothing.
void attempt_writes(const ServerUrl& server, const dbc_target* query, const sdk::Sink& sink) {
    if (query == nullptr) {
        sdk::write_guardrail(sink, "query_login_write", "query", "not_applicable",
                             "the tenant has no query login");
        return;
    }
    MysqlConnection db(server, query->location, login_of(*query));
    auto table = db.query(
        "SELECT CONCAT('`', REPLACE(TABLE_NAME, '`', '``'), '`') FROM information_schema.TABLES "
        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1 LIMIT 1");
    std::vector<std::pair<std::string, std::string>> writes{
        {"query_login_create_table", "CREATE TABLE dbclone_guardrail_probe (x int)"}};
    if (table.size() != 0)
        // WHERE false: only the privilege can refuse it, never a foreign key.
        writes.push_back({"query_login_delete", "DELETE FROM " + table.at(0, 0) + " WHERE false"});
    for (const auto& [name, sql] : writes) {
        db.query("START TRANSACTION", "starting a transaction");
        auto error = error_of(db, sql);
        db.try_exec("ROLLBACK");
        sdk::judge_refusal(sink, name, "query", sql, error);
    }
}

}  // namespace

uint64_t schema_bytes(MysqlConnection& db) {
    return std::stoull(db.query("SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) FROM "
                                "information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()")
                           .at(0, 0));
}

void run_guardrail_attempts(const ServerUrl& server, const dbc_target& owner,
                            const dbc_target* query, const sdk::TenantLimits& limits,
                            const sdk::Sink& sink) {
    attempt_writes(server, query, sink);
    const dbc_target& login = query != nullptr ? *query : owner;
    const char* who = query != nullptr ? "query" : "owner";
    {
        MysqlConnection db(server, login.location, login_of(login));
        sdk::attempt_statement_timeout(
            sink, who, limits.statement_timeout_ms,
            [&](uint64_t ms) {
                return error_of(db, "SELECT SLEEP(" + std::to_string(ms / 1000.0) + ")");
            },
            [&] {
                auto rows = db.query("SHOW SESSION VARIABLES LIKE 'max_statement_time'");
                return rows.size() == 0 ? std::string("none (MySQL has no max_statement_time)")
                                        : rows.at(0, 1) + " s";
            });
        sdk::judge_override(sink, who, "SET SESSION max_statement_time = 0",
                            error_of(db, "SET SESSION max_statement_time = 0"));
    }
    std::vector<std::unique_ptr<MysqlConnection>> sessions;
    sdk::attempt_connection_limit(sink, who, limits.connections, [&]() -> std::string {
        try {
            sessions.push_back(
                std::make_unique<MysqlConnection>(server, login.location, login_of(login)));
            return "";
        } catch (const sdk::Failure& f) {
            std::string message = f.what();
            if (message.find("max_user_connections") == std::string::npos) throw;
            return message;
        }
    });
    sessions.clear();
    auto error = try_load_data_local(server, owner);
    if (!error)
        sdk::write_guardrail(sink, "load_data_local", "owner", "failed",
                             "the server took a file by LOAD DATA LOCAL INFILE");
    else if (refuses_local_infile(*error))
        sdk::write_guardrail(sink, "load_data_local", "owner", "passed",
                             "LOAD DATA LOCAL INFILE refused: " + error->message);
    else
        sdk::write_guardrail(sink, "load_data_local", "owner", "error", error->message);
    MysqlConnection db(server, owner.location, login_of(owner));
    sdk::judge_disk(sink, "owner", limits.disk_kb, schema_bytes(db));
}

}  // namespace dbclone::mysql
