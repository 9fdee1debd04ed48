// Attacks from a SQLite tenant's SQL and from a SQLite root image: reaching the
// registry's passwords, another tenant's file or a shared library.
#include <dbclone/sqlite_tenant.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/error.hpp>
#include <dbclone/core/record_json.hpp>
#include <dbclone/core/verifier.hpp>

#include "root_images.hpp"
#include "test_support.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

// SQLite's error for running `sql` on `db`, or "" when it succeeded.
std::string error_of(sqlite3* db, const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) == SQLITE_OK) return "";
    std::string out = message != nullptr ? message : "error";
    sqlite3_free(message);
    return out.empty() ? "error" : out;
}

struct Connection {
    sqlite3* db = nullptr;
    ~Connection() { sqlite3_close(db); }
};

struct SqliteAttacks : ::testing::Test {
    TempDir state;
    RootImages roots;
    std::unique_ptr<Engine> engine;
    Engine& eng() {
        if (!engine) {
            Config c = test_config(state.path());
            c.roots_dir = roots.dir();
            engine = std::make_unique<Engine>(c);
        }
        return *engine;
    }
    CloneRecord create(const std::string& id, const std::string& version = "v1.0") {
        return Cloner(eng()).create({id, "sqlite", version, ""});
    }
    std::string registry() const { return (state / "dbclone.db").string(); }
};

}  // namespace

// Attack 1: with a plain open (as a careless application would), ATTACH the
// registry and read every tenant's password. The registry holds them sealed.
TEST_F(SqliteAttacks, TheRegistryHoldsNoPasswordATenantCanRead) {
    auto a = create("attacker");
    auto b = create("victim");
    Connection c;
    ASSERT_EQ(sqlite3_open(a.location.c_str(), &c.db), SQLITE_OK);
    ASSERT_EQ(error_of(c.db, "ATTACH '" + registry() + "' AS r"), "");
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(c.db, "SELECT password FROM r.clones", -1, &stmt, nullptr),
              SQLITE_OK);
    int rows = 0;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        std::string stored = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        EXPECT_NE(stored, a.password);
        EXPECT_NE(stored, b.password);
        EXPECT_EQ(stored.find(b.password), std::string::npos);
        ++rows;
    }
    sqlite3_finalize(stmt);
    EXPECT_EQ(rows, 2);
    // The key is no database: ATTACH cannot read it.
    EXPECT_NE(error_of(c.db, "ATTACH '" + (state / "dbclone.key").string() +
                                 "' AS k; SELECT * FROM k.sqlite_schema"),
              "");
}

// Attack 1: the recipe of dbclone/sqlite_tenant.h leaves no way out of the
// tenant's file; verify reports the plain-open risk as not_enforced, never as
// isolated.
TEST_F(SqliteAttacks, TheHardenedOpenReachesNoOtherFileAndVerifySaysSo) {
    auto a = create("attacker");
    auto b = create("victim");
    Connection c;
    ASSERT_EQ(dbclone_sqlite_open_tenant(a.location.c_str(), &c.db), SQLITE_OK);
    EXPECT_NE(error_of(c.db, "ATTACH '" + b.location + "' AS v"), "");
    EXPECT_NE(error_of(c.db, "ATTACH '" + registry() + "' AS r"), "");
    EXPECT_NE(error_of(c.db, "ATTACH ':memory:' AS m"), "");
    auto copy = (state / "copy.sqlite").string();
    EXPECT_NE(error_of(c.db, "VACUUM INTO '" + copy + "'"), "");
    EXPECT_FALSE(std::filesystem::exists(copy));
    EXPECT_NE(error_of(c.db, "SELECT load_extension('/usr/lib/x86_64-linux-gnu/libc.so.6')"), "");
    EXPECT_NE(error_of(c.db, "PRAGMA writable_schema = ON"), "");
    EXPECT_NE(error_of(c.db, "PRAGMA journal_mode = OFF"), "");
    // The tenant's own work still runs.
    EXPECT_EQ(error_of(c.db,
                       "PRAGMA table_info(customers); SELECT count(*) FROM customers; "
                       "INSERT INTO customers (email, full_name, country, created_at) "
                       "VALUES ('x@y', 'X', 'DE', '2026-01-01')"),
              "");

    auto report = Verifier(eng()).verify(a.tenant_id, {"cross_tenant_access"}, b.tenant_id);
    ASSERT_EQ(report.checks.size(), 1u);
    EXPECT_EQ(report.checks[0].outcome, "not_enforced") << json::report_json(report);
    EXPECT_FALSE(report.isolated());
    for (const auto& p : report.checks[0].probes)
        if (p.name.find("plain_open") == std::string::npos) {
            EXPECT_EQ(p.outcome, "denied") << p.name << ": " << p.detail;
        }
}

// The read-only recipe (the counterpart of a server tenant's query login):
// model-written SQL reads, and can change neither the file nor a temporary
// table, nor turn query_only off again.
TEST_F(SqliteAttacks, TheReadOnlyOpenReadsAndWritesNothing) {
    auto a = create("reader");
    Connection c;
    ASSERT_EQ(dbclone_sqlite_open_tenant_readonly(a.location.c_str(), &c.db), SQLITE_OK);
    EXPECT_EQ(error_of(c.db, "SELECT count(*) FROM customers"), "");
    for (const char* write :
         {"INSERT INTO customers (email, full_name, country, created_at) VALUES ('x@y', 'X', 'DE', "
          "'2026-01-01')",
          "DELETE FROM customers", "DROP TABLE customers", "CREATE TABLE mine (x)",
          "CREATE TEMP TABLE mine (x)", "PRAGMA query_only = 0", "PRAGMA journal_mode = DELETE"})
        EXPECT_NE(error_of(c.db, write), "") << "the read-only open ran: " << write;
    EXPECT_NE(error_of(c.db, "ATTACH '" + registry() + "' AS r"), "") << "still hardened";
    Connection check;
    ASSERT_EQ(dbclone_sqlite_open_tenant(a.location.c_str(), &check.db), SQLITE_OK);
    EXPECT_EQ(error_of(check.db, "SELECT 1 FROM customers LIMIT 1"), "");
}

// Attack 4 for SQLite: a root's SQL runs on the same hardened connection, so it
// cannot reach the registry while the golden copy is built.
TEST_F(SqliteAttacks, ARootCannotReachTheRegistry) {
    create("before");
    std::string version =
        roots.add(unique_version("evil"), {{"sqlite", "CREATE TABLE t (x); ATTACH '" + registry() +
                                                          "' AS r; DELETE FROM r.clones;"}});
    EXPECT_THROW(create("evil", version), Error);
    EXPECT_TRUE(eng().registry().find_clone("before")) << "the root deleted the registry's rows";
    EXPECT_FALSE(eng().registry().find_clone("evil"));
}

// A failed root statement's error names the file, the line and the statement,
// and quotes no value of the file (SQLite's detailed messages would; its
// strings are hidden in the statement).
TEST_F(SqliteAttacks, ARootErrorNamesTheLineAndStatementButNoValue) {
    std::string version = roots.add(
        unique_version("typo"),
        {{"sqlite", "CREATE TABLE a (x);\n\n  INSERT INTO missing VALUES ('secret-xyz');\n"}});
    try {
        create("typo", version);
        ADD_FAILURE() << "a broken root loaded";
    } catch (const Error& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("failed at line 3 (INSERT INTO missing VALUES ('...');)"),
                  std::string::npos)
            << message;
        EXPECT_EQ(message.find("secret-xyz"), std::string::npos) << message;
    }
    EXPECT_FALSE(eng().registry().find_clone("typo"));
}
