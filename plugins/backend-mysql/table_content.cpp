#include "table_content.hpp"

#include <dbclone/content_record.hpp>

#include "mysql_connection.hpp"

namespace dbclone::mysql {

namespace {

// What CHECK TABLE says about each table, and whether every FULLTEXT index
// answers a MATCH: a copy that lost its FTS auxiliary tables fails there (and
// a tablespace copy without them once crashed the whole server on INSERT).
void check_tables(MysqlConnection& db, const std::string& q_schema,
                  const std::vector<std::string>& tables, std::vector<std::string>& problems) {
    for (const auto& table : tables) {
        std::string q_table = q_schema + "." + db.quote_identifier(table);
        auto rows = db.query("CHECK TABLE " + q_table, "checking " + table);
        for (const auto& row : rows.rows)  // Table, Op, Msg_type, Msg_text
            if (row.size() >= 4 && (row[2] == "error" || (row[2] == "status" && row[3] != "OK")))
                problems.push_back("table " + table + ": " + row[3]);
    }
}

void check_fulltext(MysqlConnection& db, const std::string& schema, const std::string& q_schema,
                    std::vector<std::string>& problems) {
    auto indexes = db.query(
        "SELECT TABLE_NAME, INDEX_NAME, GROUP_CONCAT(CONCAT('`', REPLACE(COLUMN_NAME, '`', "
        "'``'), '`') ORDER BY SEQ_IN_INDEX) FROM information_schema.STATISTICS "
        "WHERE TABLE_SCHEMA = " +
            db.quote_string(schema) +
            " AND INDEX_TYPE = 'FULLTEXT' GROUP BY TABLE_NAME, INDEX_NAME ORDER BY 1, 2",
        "listing FULLTEXT indexes");
    for (const auto& row : indexes.rows) {
        auto error =
            db.try_exec("SELECT COUNT(*) FROM " + q_schema + "." + db.quote_identifier(row[0]) +
                        " WHERE MATCH (" + row[2] + ") AGAINST ('dbclone' IN BOOLEAN MODE)");
        if (error)
            problems.push_back("FULLTEXT index " + row[1] + " of " + row[0] + ": " +
                               error->message);
    }
}

}  // namespace

std::string table_content(MysqlConnection& db, const std::string& schema) {
    std::string q_schema = db.quote_identifier(schema);
    auto tables = db.query(
        "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
            db.quote_string(schema) +
            " AND TABLE_TYPE IN ('BASE TABLE', 'SEQUENCE') ORDER BY TABLE_NAME",
        "listing tables");
    sdk::ContentRecord record;
    std::vector<std::string> base_tables;
    for (const auto& t : tables.rows) {
        std::string q_table = q_schema + "." + db.quote_identifier(t[0]);
        if (t[1] == "SEQUENCE") {
            // One row: the next value and the sequence's settings.
            auto state = db.query("SELECT * FROM " + q_table, "reading " + t[0]);
            std::string row;
            for (const auto& value : state.rows.at(0))
                row += std::to_string(value.size()) + ":" + value;
            record.tables.push_back({t[0], 1, sdk::Sha256::of(row), false});
            continue;
        }
        base_tables.push_back(t[0]);
        uint64_t rows = std::stoull(db.query("SELECT COUNT(*) FROM " + q_table).at(0, 0));
        auto checksum = db.query("CHECKSUM TABLE " + q_table, "checksumming " + t[0]);
        record.tables.push_back({t[0], rows, sdk::Sha256::of(checksum.at(0, 1)), false});
    }
    check_tables(db, q_schema, base_tables, record.problems);
    check_fulltext(db, schema, q_schema, record.problems);
    record.checked_by = "CHECK TABLE and a MATCH on every FULLTEXT index";
    return record.json();
}

}  // namespace dbclone::mysql
