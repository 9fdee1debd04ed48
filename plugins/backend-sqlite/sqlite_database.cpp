#include "sqlite_database.hpp"

#include <dbclone/sqlite_tenant.h>
#include <sqlite3.h>
#include <dbclone/content_record.hpp>
#include <dbclone/plugin_helpers.hpp>
#include <dbclone/sdk.hpp>
#include <dbclone/sha256.hpp>

#include <algorithm>
#include <cctype>
#include <regex>

namespace dbclone::sqlite_backend {

namespace {

std::string column_text(sqlite3_stmt* stmt, int column) {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
    return p != nullptr ? p : "";
}

// Folds every run of white space into one space and trims both ends, so that a
// schema's formatting does not change its fingerprint.
std::string fold_space(const std::string& s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        if (std::isspace(static_cast<unsigned char>(c))) {
            space = !out.empty();
        } else {
            if (space) out += ' ';
            out += c;
            space = false;
        }
    }
    return out;
}

class Query {
  public:
    Query(sqlite3* db, const std::string& sql) : db_(db) {
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
            throw sdk::Failure(DBC_ERROR, std::string("query failed: ") + sqlite3_errmsg(db));
    }
    ~Query() { sqlite3_finalize(stmt_); }
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    // True for a row, false when done; throws on an error, so a partial result is
    // never mistaken for a whole one.
    bool next() {
        int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw sdk::Failure(DBC_ERROR, std::string("query failed: ") + sqlite3_errmsg(db_));
    }
    sqlite3_stmt* get() { return stmt_; }

  private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

SqliteDatabase::SqliteDatabase(const std::string& path, bool read_only, bool create) : path_(path) {
    int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (create) flags |= SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
                        nullptr) != SQLITE_OK ||
        dbclone_sqlite_harden(db_) != SQLITE_OK) {
        std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        db_ = nullptr;
        throw sdk::Failure(DBC_UNAVAILABLE, "cannot open " + path + ": " + message);
    }
    sqlite3_busy_timeout(db_, 5000);
}

SqliteDatabase::~SqliteDatabase() {
    sqlite3_close(db_);
}

void SqliteDatabase::exec(const std::string& sql, const std::string& what) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message != nullptr ? message : sqlite3_errmsg(db_);
        sqlite3_free(message);
        throw sdk::Failure(DBC_ERROR, what + " failed on " + path_ + ": " + text);
    }
}

std::string SqliteDatabase::scalar(const std::string& sql) {
    Query q(db_, sql);
    if (!q.next()) throw sdk::Failure(DBC_ERROR, path_ + ": query returned no row: " + sql);
    return column_text(q.get(), 0);
}

void SqliteDatabase::load_script(const std::string& script, const std::string& file) {
    const char* start = script.c_str();
    const char* end = start + script.size();
    for (const char* next = start; next < end;) {
        sqlite3_stmt* stmt = nullptr;
        const char* statement = next;
        int rc = sqlite3_prepare_v2(db_, next, static_cast<int>(end - next), &stmt, &next);
        static const std::regex transaction(
            R"(^\s*(BEGIN|COMMIT|END)(\s+(DEFERRED|IMMEDIATE|EXCLUSIVE))?(\s+TRANSACTION)?\s*;?\s*$)",
            std::regex::icase);
        bool skip = rc == SQLITE_OK && stmt != nullptr &&
                    std::regex_match(std::string(statement, next), transaction);
        while (!skip && rc == SQLITE_OK && stmt != nullptr &&
               (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        }
        sqlite3_finalize(stmt);
        if (rc != SQLITE_OK && rc != SQLITE_DONE) {
            // The statement's first line: skip the white space before it.
            while (statement < end && std::isspace(static_cast<unsigned char>(*statement)))
                ++statement;
            long line = 1 + std::count(start, statement, '\n');
            std::string_view text(statement,
                                  static_cast<size_t>(std::max(next, statement) - statement));
            // The shell's .dump writes a virtual table (FTS5, R*Tree) straight
            // into sqlite_schema, which no tenant's connection may do.
            static const std::regex writes_schema(R"(^\s*PRAGMA\s+writable_schema\b[\s\S]*$)",
                                                  std::regex::icase);
            std::string advice = std::regex_match(std::string(text), writes_schema)
                                     ? "; a .dump of a virtual table writes sqlite_schema "
                                       "directly: give the database file itself as the root"
                                     : "";
            throw sdk::Failure(rc == SQLITE_AUTH ? DBC_DENIED : DBC_ERROR,
                               "loading root file " + file + " failed at line " +
                                   std::to_string(line) + " (" + sdk::sql_excerpt(text, false) +
                                   "): " + sqlite3_errstr(rc) + advice);
        }
        if (stmt == nullptr && next == statement) break;  // only comments were left
    }
}

void SqliteDatabase::copy_from(SqliteDatabase& source) {
    sqlite3_backup* backup = sqlite3_backup_init(db_, "main", source.db_, "main");
    if (backup == nullptr)
        throw sdk::Failure(DBC_ERROR, "copying " + source.path_ + ": " + sqlite3_errmsg(db_));
    int rc = sqlite3_backup_step(backup, -1);
    sqlite3_backup_finish(backup);
    if (rc != SQLITE_DONE)
        throw sdk::Failure(DBC_INVALID_ARGUMENT,
                           "copying root file " + source.path_ + " failed: " + sqlite3_errstr(rc));
}

void SqliteDatabase::vacuum() {
    sqlite3_set_authorizer(db_, nullptr, nullptr);
    sqlite3_limit(db_, SQLITE_LIMIT_ATTACHED, 1);
    struct Reharden {
        sqlite3* db;
        ~Reharden() { dbclone_sqlite_harden(db); }
    } reharden{db_};
    exec("VACUUM", "vacuum");
}

std::string SqliteDatabase::content() {
    sdk::ContentRecord record;
    std::vector<std::string> tables;
    {
        // Virtual tables hold nothing of their own: their shadow tables are
        // ordinary ones. sqlite_sequence holds AUTOINCREMENT's counters.
        Query q(db_,
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND "
                "(name NOT LIKE 'sqlite_%' OR name = 'sqlite_sequence') AND "
                "sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name");
        while (q.next()) tables.push_back(column_text(q.get(), 0));
    }
    for (const auto& table : tables) {
        std::string quoted = "\"";
        for (char c : table) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
        quoted += "\"";
        uint64_t rows = std::stoull(scalar("SELECT count(*) FROM " + quoted));
        Query q(db_, "SELECT * FROM " + quoted + " LIMIT 0");
        std::string order;
        for (int i = 1; i <= sqlite3_column_count(q.get()); ++i)
            order += (i > 1 ? ", " : " ORDER BY ") + std::to_string(i);
        Query all(db_, "SELECT * FROM " + quoted + order);
        sdk::RowChecksum checksum(rows);
        while (all.next()) {
            std::string row;
            for (int i = 0; i < sqlite3_column_count(all.get()); ++i) {
                // type, length, bytes: unambiguous for every value. The type
                // first: it is undefined once the blob call has converted.
                int type = sqlite3_column_type(all.get(), i);
                auto bytes = static_cast<const char*>(sqlite3_column_blob(all.get(), i));
                int size = sqlite3_column_bytes(all.get(), i);
                row += std::to_string(type) + ":" + std::to_string(size) + ":";
                if (bytes != nullptr) row.append(bytes, static_cast<size_t>(size));
            }
            checksum.add(row);
        }
        record.tables.push_back({table, rows, checksum.hex(), checksum.sampled()});
    }
    record.checked_by = "PRAGMA integrity_check";
    Query check(db_, "PRAGMA integrity_check(20)");
    while (check.next())
        if (std::string line = column_text(check.get(), 0); line != "ok")
            record.problems.push_back(line);
    return record.json();
}

std::string SqliteDatabase::schema_fingerprint() {
    Query q(db_,
            "SELECT type, name, tbl_name, sql FROM sqlite_schema "
            "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name");
    sdk::Sha256 hash;
    while (q.next()) {
        hash.update(column_text(q.get(), 0)).update("|").update(column_text(q.get(), 1));
        hash.update("|").update(column_text(q.get(), 2)).update("|");
        hash.update(fold_space(column_text(q.get(), 3))).update("\n");
    }
    return hash.hex();
}

}  // namespace dbclone::sqlite_backend
