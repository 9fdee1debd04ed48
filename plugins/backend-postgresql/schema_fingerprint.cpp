#include "schema_fingerprint.hpp"

#include <dbclone/sha256.hpp>

#include "pg_connection.hpp"

namespace dbclone::postgresql {

namespace {

// Each query returns text columns in a stable order; its rows are hashed under
// its section name.
constexpr const char* user_schemas =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' "
    "AND n.nspname NOT LIKE 'pg_temp%'";

const std::pair<const char*, std::string> sections[] = {
    {"column",
     std::string(
         "SELECT n.nspname, c.relname, c.relkind::text, a.attname, "
         "pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull::text, "
         "coalesce(pg_catalog.pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity::text, "
         "a.attgenerated::text, a.attnum::text "
         "FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
         "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
         "LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
         "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN "
         "('r','p','v','m','f') AND ") +
         user_schemas + " ORDER BY 1, 2, a.attnum"},
    {"constraint",
     std::string("SELECT n.nspname, c.relname, con.conname, con.contype::text, "
                 "pg_catalog.pg_get_constraintdef(con.oid, true) FROM pg_catalog.pg_constraint con "
                 "JOIN pg_catalog.pg_class c ON c.oid = con.conrelid "
                 "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE ") +
         user_schemas + " ORDER BY 1, 2, 3"},
    {"index",
     std::string("SELECT n.nspname, c.relname, pg_catalog.pg_get_indexdef(i.indexrelid) "
                 "FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
                 "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE ") +
         user_schemas + " ORDER BY 1, 2"},
    {"view",
     std::string(
         "SELECT n.nspname, c.relname, pg_catalog.pg_get_viewdef(c.oid, true) "
         "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
         "WHERE c.relkind IN ('v','m') AND ") +
         user_schemas + " ORDER BY 1, 2"},
    {"function",
     std::string("SELECT n.nspname, p.proname, pg_catalog.pg_get_function_identity_arguments("
                 "p.oid), pg_catalog.pg_get_functiondef(p.oid) FROM pg_catalog.pg_proc p "
                 "JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
                 "WHERE p.prokind IN ('f','p') AND ") +
         user_schemas + " ORDER BY 1, 2, 3"},
    {"sequence",
     std::string("SELECT n.nspname, c.relname, pg_catalog.format_type(s.seqtypid, NULL), "
                 "s.seqstart::text, s.seqincrement::text, s.seqmin::text, "
                 "s.seqmax::text, s.seqcycle::text FROM pg_catalog.pg_sequence s "
                 "JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid "
                 "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE ") +
         user_schemas + " ORDER BY 1, 2"},
    {"trigger",
     std::string("SELECT n.nspname, c.relname, t.tgname, pg_catalog.pg_get_triggerdef(t.oid) "
                 "FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid "
                 "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                 "WHERE NOT t.tgisinternal AND ") +
         user_schemas + " ORDER BY 1, 2, 3"},
};

}  // namespace

std::string schema_fingerprint(PgConnection& db) {
    // The session may be the tenant's, whose role settings can put a schema of
    // its own before pg_catalog (views named pg_class, say). Pinned here, with
    // every catalog name qualified besides; pg_temp is searched last, and the
    // order matches a default session's so that pg_get_viewdef prints names as
    // it did when the golden copy was fingerprinted.
    db.exec("SET search_path = pg_catalog, public, pg_temp", "pinning search_path");
    sdk::Sha256 hash;
    for (const auto& [section, sql] : sections) {
        for (const auto& row : db.query(sql, {}, "fingerprint " + std::string(section)).rows) {
            hash.update(section);
            for (const auto& value : row) hash.update("|").update(value);
            hash.update("\n");
        }
    }
    return hash.hex();
}

}  // namespace dbclone::postgresql
