#include "schema_copier.hpp"

#include <dbclone/sdk.hpp>

#include "sql_rewriter.hpp"

namespace dbclone::mysql {

namespace {
constexpr unsigned no_such_table = 1146;
}

SchemaCopier::SchemaCopier(MysqlConnection& admin, std::string golden, std::string tenant)
    : admin_(admin),
      golden_(std::move(golden)),
      tenant_(std::move(tenant)),
      q_golden_(admin.quote_identifier(golden_)),
      q_tenant_(admin.quote_identifier(tenant_)) {}

std::string SchemaCopier::golden_object(const std::string& name) const {
    return q_golden_ + "." + admin_.quote_identifier(name);
}

std::vector<TableInfo> SchemaCopier::base_tables() {
    std::vector<TableInfo> out;
    for (const auto& row :
         admin_
             .query("SELECT t.TABLE_NAME, COALESCE(t.ENGINE, ''), (EXISTS (SELECT "
                    "1 FROM information_schema.STATISTICS s WHERE "
                    "s.TABLE_SCHEMA = t.TABLE_SCHEMA AND s.TABLE_NAME = "
                    "t.TABLE_NAME AND s.INDEX_TYPE IN ('FULLTEXT', 'SPATIAL')) "
                    "OR EXISTS (SELECT 1 FROM information_schema.PARTITIONS p "
                    "WHERE p.TABLE_SCHEMA = t.TABLE_SCHEMA AND p.TABLE_NAME = "
                    "t.TABLE_NAME AND p.PARTITION_NAME IS NOT NULL) OR "
                    "t.ROW_FORMAT = 'Compressed' OR t.CREATE_OPTIONS LIKE "
                    "'%compressed%' OR t.CREATE_OPTIONS LIKE '%encrypt%') FROM "
                    "information_schema.TABLES t WHERE t.TABLE_SCHEMA = " +
                    admin_.quote_string(golden_) +
                    " AND t.TABLE_TYPE = 'BASE TABLE' ORDER BY t.TABLE_NAME")
             .rows)
        out.push_back({row[0], row[1], row[2] == "1"});
    return out;
}

void SchemaCopier::create_schema() {
    auto charset = admin_.query(
        "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM "
        "information_schema.SCHEMATA WHERE SCHEMA_NAME = " +
        admin_.quote_string(golden_));
    if (charset.size() == 0)
        throw sdk::Failure(DBC_NOT_FOUND, "golden schema " + golden_ + " is gone");
    saved_sql_mode_ = admin_.query("SELECT @@SESSION.sql_mode").at(0, 0);
    admin_.query("CREATE DATABASE " + q_tenant_ + " CHARACTER SET " + charset.at(0, 0) +
                     " COLLATE " + charset.at(0, 1) + "; USE " + q_tenant_ +
                     "; SET SESSION foreign_key_checks = 0",
                 "creating schema " + tenant_);
}

void SchemaCopier::create_tables(const std::vector<TableInfo>& tables) {
    std::string batch;
    for (const auto& t : tables) {
        std::string ddl =
            admin_.query("SHOW CREATE TABLE " + golden_object(t.name), "reading " + t.name)
                .at(0, 1);
        batch += rewrite_schema(ddl, golden_, q_tenant_) + ";\n";
    }
    if (!batch.empty()) admin_.query(batch, "creating the tables of " + tenant_);
}

void SchemaCopier::copy_rows(const TableInfo& table) {
    auto columns = admin_.query(
        "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = " +
        admin_.quote_string(golden_) + " AND TABLE_NAME = " + admin_.quote_string(table.name) +
        " AND COALESCE(GENERATION_EXPRESSION, '') = '' AND EXTRA NOT LIKE '%GENERATED%' ORDER BY "
        "ORDINAL_POSITION");
    std::string list;
    for (const auto& row : columns.rows)
        list += (list.empty() ? "" : ", ") + admin_.quote_identifier(row[0]);
    admin_.query("INSERT INTO " + q_tenant_ + "." + admin_.quote_identifier(table.name) + " (" +
                     list + ") SELECT " + list + " FROM " + golden_object(table.name),
                 "copying the rows of " + table.name);
}

void SchemaCopier::copy_sequences() {
    for (const auto& row : admin_
                               .query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE "
                                      "TABLE_SCHEMA = " +
                                      admin_.quote_string(golden_) +
                                      " AND TABLE_TYPE = 'SEQUENCE' ORDER BY TABLE_NAME")
                               .rows) {
        std::string tenant_object = q_tenant_ + "." + admin_.quote_identifier(row[0]);
        auto shown = admin_.query("SHOW CREATE SEQUENCE " + golden_object(row[0]),
                                  "reading sequence " + row[0]);
        std::string next = admin_
                               .query("SELECT next_not_cached_value FROM " + golden_object(row[0]),
                                      "reading sequence " + row[0])
                               .at(0, 0);
        admin_.query(rewrite_schema(shown.at(0, 1), golden_, q_tenant_) + "; ALTER SEQUENCE " +
                         tenant_object + " RESTART WITH " + next,
                     "creating sequence " + row[0]);
    }
}

void SchemaCopier::exec_with_sql_mode(const std::string& sql_mode, const std::string& statement,
                                      const std::string& what) {
    admin_.query("SET SESSION sql_mode = " + admin_.quote_string(sql_mode), "setting sql_mode");
    admin_.query(statement, what);
}

void SchemaCopier::recreate_programs(const std::string& definer) {
    recreate_routines_and_views(definer);
    create_triggers(read_triggers(), definer);
    recreate_events(definer);
}

void SchemaCopier::recreate_events(const std::string& definer) {
    for (const auto& e : admin_
                             .query("SELECT EVENT_NAME FROM information_schema.EVENTS WHERE "
                                    "EVENT_SCHEMA = " +
                                    admin_.quote_string(golden_) + " ORDER BY EVENT_NAME")
                             .rows) {
        // Event, sql_mode, time_zone, Create Event, ...
        auto shown = admin_.query("SHOW CREATE EVENT " + golden_object(e[0]), "reading " + e[0]);
        admin_.query("SET SESSION time_zone = " + admin_.quote_string(shown.at(0, 2)),
                     "setting time_zone");
        exec_with_sql_mode(
            shown.at(0, 1),
            replace_definer(rewrite_schema(shown.at(0, 3), golden_, q_tenant_), definer),
            "creating event " + e[0]);
    }
}

void SchemaCopier::recreate_routines_and_views(const std::string& definer) {
    auto rewrite = [&](const std::string& sql) {
        return replace_definer(rewrite_schema(sql, golden_, q_tenant_), definer);
    };
    std::string q_golden_string = admin_.quote_string(golden_);
    for (const auto& r :
         admin_
             .query("SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES "
                    "WHERE ROUTINE_SCHEMA = " +
                    q_golden_string + " ORDER BY ROUTINE_TYPE, ROUTINE_NAME")
             .rows) {
        auto shown =
            admin_.query("SHOW CREATE " + r[1] + " " + golden_object(r[0]), "reading " + r[0]);
        exec_with_sql_mode(shown.at(0, 1), rewrite(shown.at(0, 2)), "creating routine " + r[0]);
    }
    // A view may read another view: create those whose dependencies exist, and
    // repeat until all are made (or no progress shows a real error).
    std::vector<std::string> pending;
    for (const auto& v : admin_
                             .query("SELECT TABLE_NAME FROM information_schema.VIEWS WHERE "
                                    "TABLE_SCHEMA = " +
                                    q_golden_string + " ORDER BY TABLE_NAME")
                             .rows)
        pending.push_back(v[0]);
    admin_.query("SET SESSION sql_mode = " + admin_.quote_string(saved_sql_mode_));
    while (!pending.empty()) {
        std::vector<std::string> waiting;
        std::string last_error;
        for (const auto& view : pending) {
            auto shown = admin_.query("SHOW CREATE VIEW " + golden_object(view), "reading " + view);
            if (auto error = admin_.try_exec(rewrite(shown.at(0, 1)))) {
                if (error->code != no_such_table)
                    throw sdk::Failure(DBC_ERROR,
                                       "creating view " + view + " failed: " + error->message);
                waiting.push_back(view);
                last_error = error->message;
            }
        }
        if (waiting.size() == pending.size())
            throw sdk::Failure(DBC_ERROR, "cannot create views of " + tenant_ + ": " + last_error);
        pending = waiting;
    }
}

std::vector<TriggerDefinition> SchemaCopier::read_triggers() {
    std::vector<TriggerDefinition> out;
    for (const auto& t : admin_
                             .query("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE "
                                    "TRIGGER_SCHEMA = " +
                                    admin_.quote_string(golden_) +
                                    " ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, "
                                    "EVENT_MANIPULATION, ACTION_ORDER")
                             .rows) {
        auto shown = admin_.query("SHOW CREATE TRIGGER " + golden_object(t[0]), "reading " + t[0]);
        out.push_back({t[0], shown.at(0, 1), shown.at(0, 2)});
    }
    return out;
}

void SchemaCopier::create_triggers(const std::vector<TriggerDefinition>& triggers,
                                   const std::string& definer) {
    for (const auto& t : triggers)
        exec_with_sql_mode(
            t.sql_mode, replace_definer(rewrite_schema(t.statement, golden_, q_tenant_), definer),
            "creating trigger " + t.name);
}

void SchemaCopier::move_tables(const std::vector<TableInfo>& tables,
                               const std::vector<TriggerDefinition>& triggers) {
    // Tables with triggers cannot move to another schema: the triggers go first
    // (they are recreated in the tenant's schema afterwards).
    std::string statements;
    for (const auto& t : triggers) statements += "DROP TRIGGER " + golden_object(t.name) + ";\n";
    std::string renames;
    for (const auto& t : tables)
        renames += (renames.empty() ? "RENAME TABLE " : ", ") + golden_object(t.name) + " TO " +
                   q_tenant_ + "." + admin_.quote_identifier(t.name);
    if (!renames.empty()) statements += renames + ";";
    if (!statements.empty())
        admin_.query(statements, "moving the tables of " + golden_ + " to " + tenant_);
}

void SchemaCopier::finish() {
    admin_.query(
        "SET SESSION foreign_key_checks = 1; SET SESSION time_zone = DEFAULT; SET "
        "SESSION sql_mode = " +
            admin_.quote_string(saved_sql_mode_),
        "restoring the session");
}

}  // namespace dbclone::mysql
