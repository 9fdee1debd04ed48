#include "tenant_logins.hpp"

#include <cstdio>

namespace dbclone::mysql {

std::string resource_clause(const sdk::TenantLimits& limits, bool mariadb) {
    std::string with;
    if (limits.connections != 0)
        with += " MAX_USER_CONNECTIONS " + std::to_string(limits.connections);
    if (limits.queries_per_hour != 0)
        with += " MAX_QUERIES_PER_HOUR " + std::to_string(limits.queries_per_hour);
    if (mariadb && limits.statement_timeout_ms != 0) {
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.3f",
                      static_cast<double>(limits.statement_timeout_ms) / 1000.0);
        with += std::string(" MAX_STATEMENT_TIME ") + seconds;
    }
    return with.empty() ? "" : " WITH" + with;
}

std::string limits_report(const sdk::TenantLimits& limits, bool mariadb, int logins) {
    sdk::LimitsReport report;
    std::string each = logins == 1 ? "its login" : "each of its logins";
    // A login is two accounts (@'%' and @'localhost'), each with its own count.
    if (limits.connections != 0)
        report.enforced("connections",
                        "MAX_USER_CONNECTIONS " + std::to_string(limits.connections) +
                            " on each account of " + each + " (@'%' and @'localhost')");
    if (limits.queries_per_hour != 0)
        report.enforced("queries_per_hour", "MAX_QUERIES_PER_HOUR " +
                                                std::to_string(limits.queries_per_hour) +
                                                " on each account of " + each);
    if (limits.statement_timeout_ms != 0) {
        if (mariadb)
            report.overridable("statement_timeout_ms",
                               "MAX_STATEMENT_TIME of " + each +
                                   "'s accounts; the tenant's SET max_statement_time changes it "
                                   "for its session");
        else
            report.not_enforced("statement_timeout_ms",
                                "MySQL has no per-account statement time; max_execution_time is "
                                "a session setting the tenant controls");
    }
    if (limits.idle_in_transaction_timeout_ms != 0)
        report.not_enforced("idle_in_transaction_timeout_ms",
                            "idle_transaction_timeout is a session setting; no per-account "
                            "default exists");
    if (limits.lock_timeout_ms != 0)
        report.not_enforced("lock_timeout_ms",
                            "innodb_lock_wait_timeout is a session setting; no per-account "
                            "default exists");
    if (limits.work_mem_kb != 0)
        report.not_enforced("work_mem_kb", "no per-account memory limit exists");
    if (limits.temp_file_limit_kb != 0)
        report.not_enforced("temp_file_limit_kb", "no per-account temporary space limit exists");
    if (limits.disk_kb != 0)
        report.measured("disk_kb",
                        "the tables' data and index length, by status and verify; the "
                        "server does not stop a schema that grows past it");
    return report.json();
}

}  // namespace dbclone::mysql
