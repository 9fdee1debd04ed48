#include "schema_fingerprint.hpp"

#include <dbclone/sha256.hpp>

#include "mysql_connection.hpp"
#include "sql_rewriter.hpp"

namespace dbclone::mysql {

namespace {

struct Section {
    const char* name;
    const char* sql;        // "?" stands for the quoted schema name
    int definition_column;  // a column holding SQL to normalize, or -1
};

// Definers, row counts, AUTO_INCREMENT values and timestamps are left out: they
// differ between copies of one schema.
const Section sections[] = {
    {"table",
     "SELECT TABLE_NAME, TABLE_TYPE, COALESCE(ENGINE, ''), COALESCE(TABLE_COLLATION, '') FROM "
     "information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME",
     -1},
    {"column",
     "SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COALESCE(COLUMN_DEFAULT, '<null>'), "
     "IS_NULLABLE, COLUMN_TYPE, COALESCE(CHARACTER_SET_NAME, ''), COALESCE(COLLATION_NAME, ''), "
     "EXTRA, COALESCE(GENERATION_EXPRESSION, '') FROM information_schema.COLUMNS WHERE "
     "TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION",
     -1},
    {"index",
     "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, "
     "COALESCE(SUB_PART, ''), INDEX_TYPE FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = "
     "? ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
     -1},
    {"constraint",
     "SELECT TABLE_NAME, CONSTRAINT_NAME, CONSTRAINT_TYPE FROM "
     "information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? ORDER BY TABLE_NAME, "
     "CONSTRAINT_NAME, CONSTRAINT_TYPE",
     -1},
    {"key_column",
     "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, ORDINAL_POSITION, "
     "IF(REFERENCED_TABLE_SCHEMA = TABLE_SCHEMA, '<schema>', COALESCE(REFERENCED_TABLE_SCHEMA, "
     "'')), COALESCE(REFERENCED_TABLE_NAME, ''), COALESCE(REFERENCED_COLUMN_NAME, '') FROM "
     "information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, "
     "CONSTRAINT_NAME, ORDINAL_POSITION",
     -1},
    {"foreign_key",
     "SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE, REFERENCED_TABLE_NAME FROM "
     "information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? ORDER BY "
     "TABLE_NAME, CONSTRAINT_NAME",
     -1},
    {"check",
     "SELECT CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE "
     "CONSTRAINT_SCHEMA = ? ORDER BY CONSTRAINT_NAME, CHECK_CLAUSE",
     1},
    {"view",
     "SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, IS_UPDATABLE, SECURITY_TYPE FROM "
     "information_schema.VIEWS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME",
     1},
    {"routine",
     "SELECT ROUTINE_NAME, ROUTINE_TYPE, COALESCE(DTD_IDENTIFIER, ''), "
     "COALESCE(ROUTINE_DEFINITION, ''), IS_DETERMINISTIC, SQL_DATA_ACCESS, SECURITY_TYPE FROM "
     "information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY ROUTINE_NAME, ROUTINE_TYPE",
     3},
    {"parameter",
     "SELECT SPECIFIC_NAME, ROUTINE_TYPE, ORDINAL_POSITION, COALESCE(PARAMETER_MODE, ''), "
     "COALESCE(PARAMETER_NAME, ''), DTD_IDENTIFIER FROM information_schema.PARAMETERS WHERE "
     "SPECIFIC_SCHEMA = ? ORDER BY SPECIFIC_NAME, ROUTINE_TYPE, ORDINAL_POSITION",
     -1},
    {"trigger",
     "SELECT TRIGGER_NAME, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_ORDER, ACTION_TIMING, "
     "ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY "
     "TRIGGER_NAME",
     5},
};

}  // namespace

std::string schema_fingerprint(MysqlConnection& db, const std::string& schema) {
    std::string quoted = db.quote_string(schema);
    sdk::Sha256 hash;
    for (const auto& section : sections) {
        std::string sql = section.sql;
        sql.replace(sql.find('?'), 1, quoted);
        for (auto row : db.query(sql, std::string("fingerprint ") + section.name).rows) {
            if (section.definition_column >= 0) {
                auto& text = row[static_cast<size_t>(section.definition_column)];
                text = rewrite_schema(text, schema, "<schema>");
            }
            hash.update(section.name);
            for (const auto& value : row) hash.update("|").update(value);
            hash.update("\n");
        }
    }
    return hash.hex();
}

}  // namespace dbclone::mysql
