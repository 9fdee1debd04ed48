#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <dbclone/core/error.hpp>
#include <dbclone/core/registry.hpp>

#include "test_support.hpp"

using namespace dbclone;
using dbclone::testing::TempDir;

namespace {
CloneRecord row(const std::string& id) {
    CloneRecord r;
    r.tenant_id = id;
    r.db_type = "sqlite";
    r.root_version = "v1.0";
    r.placement = "embedded";
    r.state = "creating";
    r.database_name = "tenant_" + id + "_db";
    r.user_name = "tenant_" + id;
    r.password = "secret";
    return r;
}
}  // namespace

TEST(Registry, CreatesPrivateFileAtCurrentSchemaVersion) {
    TempDir dir;
    Registry registry(dir / "state.db");
    struct stat st {};
    ASSERT_EQ(::stat((dir / "state.db").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(registry.stored_schema_version(), Registry::schema_version);
}

TEST(Registry, RefusesAFileFromANewerDbclone) {
    TempDir dir;
    { Registry registry(dir / "state.db"); }
    sqlite3* db = nullptr;
    sqlite3_open((dir / "state.db").c_str(), &db);
    sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    try {
        Registry again(dir / "state.db");
        FAIL() << "opened a newer schema";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("schema version 99"), std::string::npos) << e.what();
    }
}

TEST(Registry, StoresUpdatesAndDeletesClones) {
    TempDir dir;
    Registry registry(dir / "state.db");
    registry.insert_clone(row("a"));
    auto r = row("a");
    r.state = "ready";
    r.location = "/x";
    r.port = 5434;
    registry.update_clone(r);
    auto found = registry.find_clone("a");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->state, "ready");
    EXPECT_EQ(found->location, "/x");
    EXPECT_EQ(found->port, 5434u);
    EXPECT_EQ(found->password, "secret");
    EXPECT_FALSE(found->created_at.empty());
    registry.delete_clone("a");
    EXPECT_FALSE(registry.find_clone("a"));
}

TEST(Registry, SecondInsertOfATenantIsAConflict) {
    TempDir dir;
    Registry registry(dir / "state.db");
    registry.insert_clone(row("a"));
    try {
        registry.insert_clone(row("a"));
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Conflict);
    }
}

TEST(Registry, TransactionRollsBackWhenBodyThrows) {
    TempDir dir;
    Registry registry(dir / "state.db");
    EXPECT_THROW(registry.transaction([&] {
        registry.insert_clone(row("a"));
        registry.insert_port({5434, "postgresql", "a", ""});
        throw std::runtime_error("boom");
    }),
                 std::runtime_error);
    EXPECT_TRUE(registry.clones().empty());
    EXPECT_TRUE(registry.ports().empty());
}

TEST(Registry, KeepsGoldenCopiesAndEvents) {
    TempDir dir;
    Registry registry(dir / "state.db");
    registry.upsert_golden({"sqlite", "v1.0", "embedded", "aa", "/g1", "f1", ""});
    registry.upsert_golden({"sqlite", "v1.0", "embedded", "bb", "/g2", "f2", ""});
    auto g = registry.find_golden("sqlite", "v1.0", "embedded");
    ASSERT_TRUE(g);
    EXPECT_EQ(g->sha256, "bb");
    EXPECT_EQ(g->location, "/g2");
    EXPECT_EQ(registry.goldens().size(), 1u);
    registry.add_event("a", "one", "x");
    registry.add_event("b", "two", "y");
    EXPECT_EQ(registry.events().size(), 2u);
    ASSERT_EQ(registry.events("b").size(), 1u);
    EXPECT_EQ(registry.events("b")[0].kind, "two");
}

TEST(Registry, MigratesAVersionOneFile) {
    TempDir dir;
    { Registry registry(dir / "state.db"); }
    // Turn the file back into what dbclone wrote at schema version 1.
    sqlite3* db = nullptr;
    sqlite3_open((dir / "state.db").c_str(), &db);
    ASSERT_EQ(sqlite3_exec(
                  db,
                  "ALTER TABLE clones DROP COLUMN data_dir; ALTER TABLE clones DROP COLUMN server; "
                  "PRAGMA user_version=1",
                  nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
    Registry migrated(dir / "state.db");
    EXPECT_EQ(migrated.stored_schema_version(), 2);
    auto r = row("a");
    r.data_dir = "/data/a";
    r.server = "dbclone_postgresql_tenant_a";
    migrated.insert_clone(r);
    EXPECT_EQ(migrated.find_clone("a")->data_dir, "/data/a");
    EXPECT_EQ(migrated.find_clone("a")->server, "dbclone_postgresql_tenant_a");
}
