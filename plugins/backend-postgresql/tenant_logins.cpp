#include "tenant_logins.hpp"

namespace dbclone::postgresql {

void create_query_role(PgConnection& admin, const std::string& database, const std::string& role,
                       const std::string& password, const std::string& marker) {
    std::string q_role = admin.quote_identifier(role);
    std::string mark =
        marker.empty() ? ""
                       : "COMMENT ON ROLE " + q_role + " IS " + admin.quote_literal(marker) + "; ";
    // One implicit transaction: the role exists with its grant, or not at all.
    admin.exec("CREATE ROLE " + q_role + " LOGIN NOINHERIT PASSWORD " +
                   admin.quote_literal(admin.scram_verifier(role, password)) + "; " + mark +
                   "GRANT CONNECT ON DATABASE " + admin.quote_identifier(database) + " TO " +
                   q_role,
               "creating role " + role);
}

void open_for_reading(PgConnection& inside, const std::string& owner, const std::string& reader) {
    std::string q_owner = inside.quote_identifier(owner),
                q_reader = inside.quote_identifier(reader);
    // public belongs to the database's owner (the admin, which made it).
    std::string sql =
        "GRANT USAGE ON SCHEMA public TO " + q_reader + "; SET ROLE " + q_owner + "; ";
    auto schemas = inside.query(
        "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspowner = $1::regrole OR nspname = "
        "'public'",
        {owner}, "listing the tenant's schemas");
    for (const auto& row : schemas.rows) {
        std::string q_schema = inside.quote_identifier(row[0]);
        if (row[0] != "public")
            sql += "GRANT USAGE ON SCHEMA " + q_schema + " TO " + q_reader + "; ";
        sql += "GRANT SELECT ON ALL TABLES IN SCHEMA " + q_schema + " TO " + q_reader +
               "; GRANT SELECT ON ALL SEQUENCES IN SCHEMA " + q_schema + " TO " + q_reader + "; ";
    }
    for (const char* kind : {"TABLES", "SEQUENCES"})
        sql += std::string("ALTER DEFAULT PRIVILEGES FOR ROLE ") + q_owner + " GRANT SELECT ON " +
               kind + " TO " + q_reader + "; ";
    sql += "ALTER DEFAULT PRIVILEGES FOR ROLE " + q_owner + " GRANT USAGE ON SCHEMAS TO " +
           q_reader + "; RESET ROLE";
    inside.exec(sql, "granting reads to " + reader);
}

std::string apply_limits(PgConnection& admin, const std::vector<std::string>& roles,
                         const sdk::TenantLimits& limits) {
    sdk::LimitsReport report;
    // Role defaults a session starts with; SET changes the user-settable ones.
    struct Setting {
        const char* key;
        const char* parameter;
        uint64_t value;
        const char* unit;
    };
    const Setting settings[] = {
        {"statement_timeout_ms", "statement_timeout", limits.statement_timeout_ms, "ms"},
        {"idle_in_transaction_timeout_ms", "idle_in_transaction_session_timeout",
         limits.idle_in_transaction_timeout_ms, "ms"},
        {"lock_timeout_ms", "lock_timeout", limits.lock_timeout_ms, "ms"},
        {"work_mem_kb", "work_mem", limits.work_mem_kb, "kB"},
        {"temp_file_limit_kb", "temp_file_limit", limits.temp_file_limit_kb, "kB"},
    };
    // temp_file_limit is for superusers to set (PGC_SUSET), and so the tenant
    // cannot change it; a CREATEROLE admin may not set it without SET on it.
    // (GRANT SET ON PARAMETER and has_parameter_privilege came with 15.)
    auto rights = admin.query(
        "SELECT rolsuper, pg_catalog.current_setting('server_version_num')::int >= 150000 FROM "
        "pg_catalog.pg_roles WHERE rolname = current_user",
        {}, "checking the right to set temp_file_limit");
    bool may_set_temp_limit = rights.at(0, 0) == "t";
    if (!may_set_temp_limit && rights.at(0, 1) == "t")
        may_set_temp_limit =
            admin.query("SELECT pg_catalog.has_parameter_privilege('temp_file_limit', 'SET')")
                .at(0, 0) == "t";
    std::string sql;
    for (const auto& role : roles) {
        std::string q_role = admin.quote_identifier(role);
        if (limits.connections != 0)
            sql += "ALTER ROLE " + q_role + " CONNECTION LIMIT " +
                   std::to_string(limits.connections) + "; ";
        for (const auto& s : settings) {
            if (s.value == 0) continue;
            if (std::string(s.parameter) == "temp_file_limit" && !may_set_temp_limit) continue;
            sql += "ALTER ROLE " + q_role + " SET " + s.parameter + " = " +
                   admin.quote_literal(std::to_string(s.value) + s.unit) + "; ";
        }
    }
    if (!sql.empty()) admin.exec(sql, "setting the tenant's limits");
    std::string logins = roles.size() == 1 ? "its login" : "each of its logins";
    if (limits.connections != 0)
        report.enforced("connections",
                        "CONNECTION LIMIT " + std::to_string(limits.connections) + " on " + logins);
    for (const auto& s : settings) {
        if (s.value == 0) continue;
        std::string parameter = s.parameter;
        if (parameter == "temp_file_limit")
            may_set_temp_limit
                ? report.enforced(s.key,
                                  "role default of " + logins + "; only a superuser can change it")
                : report.not_enforced(s.key,
                                      "setting temp_file_limit needs a superuser or SET on it, "
                                      "and the admin login has neither");
        else
            report.overridable(s.key, "role default of " + logins + "; the tenant's SET " +
                                          parameter + " changes it for its session");
    }
    if (limits.queries_per_hour != 0)
        report.not_enforced("queries_per_hour", "PostgreSQL has no per-login query quota");
    if (limits.disk_kb != 0)
        report.measured("disk_kb",
                        "pg_database_size, by status and verify; the server does not "
                        "stop a database that grows past it");
    return report.json();
}

}  // namespace dbclone::postgresql
