#include "table_content.hpp"

#include <dbclone/content_record.hpp>

#include "pg_connection.hpp"

namespace dbclone::postgresql {

namespace {

// amcheck's bt_index_check on every B-tree index of the root's schemas, each
// under a savepoint. Returns false when amcheck is missing or this role may not
// run it, so that the record says no check ran rather than that it passed.
bool check_indexes(PgConnection& db, std::vector<std::string>& problems) {
    auto amcheck = db.query(
        "SELECT extnamespace::regnamespace::text FROM pg_catalog.pg_extension "
        "WHERE extname = 'amcheck'");
    if (amcheck.size() == 0) return false;
    std::string function = amcheck.at(0, 0) + ".bt_index_check(pg_catalog.regclass)";
    auto allowed = db.query("SELECT pg_catalog.has_function_privilege($1, 'EXECUTE')", {function});
    if (allowed.at(0, 0) != "t") return false;
    auto indexes = db.query(
        "SELECT c.oid::regclass::text FROM pg_catalog.pg_index i "
        "JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_catalog.pg_am a ON a.oid = c.relam "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE a.amname = 'btree' AND c.relkind = 'i' AND c.relpersistence <> 't' AND i.indisvalid "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg\\_toast%' ORDER BY 1");
    for (const auto& row : indexes.rows) {
        db.exec("SAVEPOINT dbclone_amcheck", "amcheck");
        auto error = db.try_exec("SELECT " + amcheck.at(0, 0) + ".bt_index_check(" +
                                 db.quote_literal(row[0]) + "::pg_catalog.regclass)");
        if (error) {
            problems.push_back("index " + row[0] + ": " + error->primary);
            db.exec("ROLLBACK TO SAVEPOINT dbclone_amcheck", "amcheck");
        }
        db.exec("RELEASE SAVEPOINT dbclone_amcheck", "amcheck");
    }
    return true;
}

}  // namespace

std::string table_content(PgConnection& db) {
    db.exec(
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
        "SET LOCAL DateStyle = 'ISO, MDY'; SET LOCAL TimeZone = 'UTC'; "
        "SET LOCAL IntervalStyle = 'postgres'; SET LOCAL extra_float_digits = 1; "
        "SET LOCAL bytea_output = 'hex'; SET LOCAL row_security = off; "
        "SET LOCAL search_path = pg_catalog",
        "reading the content");
    try {
        sdk::ContentRecord record;
        auto tables = db.query(
            "SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname), "
            "n.nspname || '.' || c.relname, c.relkind FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'm', 'S') AND c.relpersistence <> 't' "
            "AND NOT c.relforcerowsecurity AND (c.relkind <> 'm' OR c.relispopulated) "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_toast%' ORDER BY 2");
        for (const auto& t : tables.rows) {
            if (t[2] == "S") {  // a sequence: where it stands (not log_cnt, WAL bookkeeping)
                std::string state =
                    db.query("SELECT last_value::text || ',' || is_called::text FROM " + t[0])
                        .at(0, 0);
                record.tables.push_back({t[1], 1, sdk::Sha256::of(state), false});
                continue;
            }
            // ONLY: an inheritance parent's count is its own rows, as a partition's is.
            std::string from = (t[2] == "r" ? "ONLY " : "") + t[0] + " AS t";
            uint64_t rows = std::stoull(db.query("SELECT count(*) FROM " + from).at(0, 0));
            // Above the sample size, BERNOULLI with a fixed seed: it picks rows
            // by their place on the page, which every clone of a template (a
            // copy of its pages) shares.
            std::string sample;
            bool sampled = rows > sdk::checksum_sample_rows;
            if (sampled)
                sample = " TABLESAMPLE BERNOULLI (" +
                         std::to_string(100.0 * static_cast<double>(sdk::checksum_sample_rows) /
                                        static_cast<double>(rows)) +
                         ") REPEATABLE (0)";
            // An order-free sum of each row's 64-bit hash.
            std::string sum = db.query(
                                    "SELECT coalesce(sum(('x' || substr(md5(t::text), 1, 16))"
                                    "::bit(64)::bigint::numeric), 0)::text FROM " +
                                    from + sample)
                                  .at(0, 0);
            record.tables.push_back({t[1], rows, sdk::Sha256::of(sum), sampled});
        }
        if (check_indexes(db, record.problems)) record.checked_by = "amcheck bt_index_check";
        db.exec("COMMIT", "reading the content");
        return record.json();
    } catch (...) {
        db.try_exec("ROLLBACK");
        throw;
    }
}

}  // namespace dbclone::postgresql
