// An open SQLite database file, closed on destruction, and the queries the
// backend runs on one.
#pragma once

#include <string>

struct sqlite3;

namespace dbclone::sqlite_backend {

class SqliteDatabase {
  public:
    // Opens `path` as an application must open a tenant (dbclone/sqlite_tenant.h:
    // no ATTACH, no extensions, no symbolic link), since a tenant file and a
    // root's SQL are the tenant's or the root's, not ours. `create` allows
    // creating it. Throws sdk::Failure.
    SqliteDatabase(const std::string& path, bool read_only, bool create = false);
    ~SqliteDatabase();
    SqliteDatabase(const SqliteDatabase&) = delete;
    SqliteDatabase& operator=(const SqliteDatabase&) = delete;

    // Runs one or more statements; throws sdk::Failure naming `what`.
    void exec(const std::string& sql, const std::string& what);
    // Runs a root file's `script` statement by statement, inside the caller's
    // transaction: the script's own BEGIN and COMMIT (the sqlite3 shell's
    // .dump writes them) are left out. A failure names the file, the line, the
    // statement's first 200 characters with its strings hidden, and SQLite's
    // generic text for the error code, never the detailed message, which
    // quotes the script's values.
    void load_script(const std::string& script, const std::string& file);
    // Makes this database a copy of `source` (the backup API, page by page).
    void copy_from(SqliteDatabase& source);
    // The first column of the first row of `sql`, as text.
    std::string scalar(const std::string& sql);
    // sha256 of the normalized schema: every table, index, view and trigger as
    // "type|name|table|sql" with white space folded, sorted by type and name.
    std::string schema_fingerprint();
    // The content record (dbclone/content_record.hpp): every table's rows in
    // the order of all their columns (so neither VACUUM nor a copy changes it),
    // and what PRAGMA integrity_check finds.
    std::string content();
    // VACUUM, which attaches a scratch database: the restrictions are lifted
    // for this one statement of ours.
    void vacuum();

  private:
    sqlite3* db_ = nullptr;
    std::string path_;
};

}  // namespace dbclone::sqlite_backend
