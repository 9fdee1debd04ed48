#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <dbclone/core/error.hpp>
#include <dbclone/core/registry.hpp>

#include <fstream>
#include <functional>

#include "test_support.hpp"

using namespace dbclone;
using dbclone::testing::TempDir;

namespace {
// What schema 6 added to clones, dropped to make an older file.
constexpr const char* schema_6_columns =
    "ALTER TABLE clones DROP COLUMN query_user; ALTER TABLE clones DROP COLUMN query_password; "
    "ALTER TABLE clones DROP COLUMN limits; ALTER TABLE clones DROP COLUMN limits_report; "
    "ALTER TABLE clones DROP COLUMN disk_bytes; ALTER TABLE clones DROP COLUMN disk_measured_at; ";

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
    registry.upsert_golden({"sqlite", "v1.0", "embedded", "aa", "/g1", "f1", "", "{}"});
    registry.upsert_golden(
        {"sqlite", "v1.0", "embedded", "bb", "/g2", "f2", "", R"({"tables":[]})"});
    auto g = registry.find_golden("sqlite", "v1.0", "embedded");
    ASSERT_TRUE(g);
    EXPECT_EQ(g->sha256, "bb");
    EXPECT_EQ(g->content, R"({"tables":[]})");
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
    ASSERT_EQ(
        sqlite3_exec(
            db,
            ("ALTER TABLE clones DROP COLUMN data_dir; ALTER TABLE clones DROP COLUMN server; "
             "ALTER TABLE golden_copies DROP COLUMN content; ALTER TABLE golden_copies DROP "
             "COLUMN bytes; " +
             std::string(schema_6_columns) + "PRAGMA user_version=1")
                .c_str(),
            nullptr, nullptr, nullptr),
        SQLITE_OK);
    sqlite3_close(db);
    Registry migrated(dir / "state.db");
    EXPECT_EQ(migrated.stored_schema_version(), Registry::schema_version);
    auto r = row("a");
    r.data_dir = "/data/a";
    r.server = "dbclone_postgresql_tenant_a";
    migrated.insert_clone(r);
    EXPECT_EQ(migrated.find_clone("a")->data_dir, "/data/a");
    EXPECT_EQ(migrated.find_clone("a")->server, "dbclone_postgresql_tenant_a");
}

namespace {
// Every password column value as stored in the file, read behind the registry's back.
std::vector<std::string> stored_passwords(const std::filesystem::path& file) {
    sqlite3* db = nullptr;
    sqlite3_open(file.c_str(), &db);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "SELECT password FROM clones", -1, &stmt, nullptr);
    std::vector<std::string> out;
    while (sqlite3_step(stmt) == SQLITE_ROW)
        out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
}
}  // namespace

// Attack: a SQLite tenant ATTACHes the registry and reads clones.password. It
// finds only sealed text; the key is in a file of its own, mode 0600.
TEST(Registry, StoresPasswordsSealedWithAKeyFileOfItsOwn) {
    TempDir dir;
    {
        Registry registry(dir / "state.db");
        registry.insert_clone(row("a"));
        EXPECT_EQ(registry.find_clone("a")->password, "secret");
        EXPECT_EQ(registry.clones().at(0).password, "secret");
    }
    auto stored = stored_passwords(dir / "state.db");
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(stored[0].rfind("sealed1:", 0), 0u) << stored[0];
    EXPECT_EQ(stored[0].find("secret"), std::string::npos);
    struct stat st {};
    ASSERT_EQ(::stat((dir / "dbclone.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(st.st_size, 32);

    // A changed ciphertext is refused, not decrypted into garbage.
    sqlite3* db = nullptr;
    sqlite3_open((dir / "state.db").c_str(), &db);
    std::string changed = stored[0];
    changed[20] = changed[20] == '0' ? '1' : '0';
    sqlite3_exec(db, ("UPDATE clones SET password='" + changed + "'").c_str(), nullptr, nullptr,
                 nullptr);
    sqlite3_close(db);
    Registry registry(dir / "state.db");
    EXPECT_THROW(registry.find_clone("a"), Error);
}

TEST(Registry, AMissingKeyFileIsAnErrorNamingIt) {
    TempDir dir;
    { Registry(dir / "state.db").insert_clone(row("a")); }
    std::filesystem::remove(dir / "dbclone.key");
    Registry registry(dir / "state.db");
    try {
        registry.find_clone("a");
        ADD_FAILURE() << "read a password without its key";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("dbclone.key"), std::string::npos) << e.what();
    }
}

TEST(Registry, SealsThePlainPasswordsOfAVersionTwoFile) {
    TempDir dir;
    { Registry(dir / "state.db"); }
    sqlite3* db = nullptr;
    sqlite3_open((dir / "state.db").c_str(), &db);
    ASSERT_EQ(
        sqlite3_exec(db,
                     ("INSERT INTO clones (tenant_id, db_type, root_version, placement, "
                      "state, database_name, user_name, password, created_at, updated_at) "
                      "VALUES ('old', 'sqlite', 'v1.0', 'embedded', 'ready', 'tenant_old_db', "
                      "'tenant_old', 'plain-old-password', 'x', 'x'); "
                      "ALTER TABLE golden_copies DROP COLUMN content; ALTER TABLE "
                      "golden_copies DROP COLUMN bytes; " +
                      std::string(schema_6_columns) + "PRAGMA user_version=2")
                         .c_str(),
                     nullptr, nullptr, nullptr),
        SQLITE_OK);
    sqlite3_close(db);
    Registry migrated(dir / "state.db");
    EXPECT_EQ(migrated.find_clone("old")->password, "plain-old-password");
    EXPECT_EQ(stored_passwords(dir / "state.db").at(0).rfind("sealed1:", 0), 0u);
}

namespace {
std::string error_of(const std::function<void()>& body) {
    try {
        body();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}
}  // namespace

// A truncated registry (a crash during a copy, a full disk) was once opened as
// a new, empty one. Now it is refused, names the file, and stays as it was.
TEST(Registry, AnEmptyZeroedOrForeignFileIsRefusedNamingIt) {
    TempDir dir;
    auto file = dir / "state.db";
    { Registry(file).insert_clone(row("a")); }
    auto size = std::filesystem::file_size(file);
    std::filesystem::resize_file(file, 0);
    std::string message = error_of([&] { Registry r(file); });
    EXPECT_NE(message.find(file.string() + " is empty"), std::string::npos) << message;
    EXPECT_NE(message.find("state restore"), std::string::npos) << message;
    EXPECT_EQ(std::filesystem::file_size(file), 0u) << "the refusal wrote to the file";

    std::ofstream(file, std::ios::binary) << std::string(size, '\0');
    message = error_of([&] { Registry r(file); });
    EXPECT_NE(message.find("is not a SQLite database"), std::string::npos) << message;

    std::filesystem::remove(file);
    sqlite3* db = nullptr;
    sqlite3_open(file.c_str(), &db);
    sqlite3_exec(db, "CREATE TABLE songs (title TEXT)", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    message = error_of([&] { Registry r(file); });
    EXPECT_NE(message.find("not a dbclone registry"), std::string::npos) << message;
}

// A missing registry is a new installation only where no dbclone data lies.
TEST(Registry, AMissingFileBesideTenantDataIsRefusedUnlessInit) {
    TempDir dir;
    auto file = dir / "dbclone.db";
    { Registry(file).insert_clone(row("a")); }  // writes dbclone.key
    std::filesystem::remove(file);
    std::string message = error_of([&] { Registry r(file); });
    EXPECT_NE(message.find(file.string() + " is missing"), std::string::npos) << message;
    EXPECT_NE(message.find("dbclone.key"), std::string::npos) << message;
    EXPECT_NE(message.find("--init"), std::string::npos) << message;
    EXPECT_FALSE(std::filesystem::exists(file));
    EXPECT_NE(error_of([&] { Registry r(file, Registry::Open::existing); }), "");
    Registry fresh(file, Registry::Open::create);
    EXPECT_TRUE(fresh.clones().empty());
}

TEST(Registry, BacksUpOnlineAndBeforeEveryMigration) {
    TempDir dir;
    auto file = dir / "dbclone.db";
    Registry registry(file);
    registry.insert_clone(row("a"));
    registry.backup_to(dir / "copy.db");
    EXPECT_TRUE(std::filesystem::exists(dir / "copy.db.key"));
    EXPECT_NE(error_of([&] { registry.backup_to(dir / "copy.db"); }), "") << "overwrote a backup";
    {
        Registry copy(dir / "copy.db", Registry::Open::existing);
        EXPECT_EQ(copy.find_clone("a")->tenant_id, "a");
    }
    sqlite3* db = nullptr;
    sqlite3_open(file.c_str(), &db);
    sqlite3_exec(db,
                 ("ALTER TABLE golden_copies DROP COLUMN content; ALTER TABLE golden_copies DROP "
                  "COLUMN bytes; " +
                  std::string(schema_6_columns) + "PRAGMA user_version=2")
                     .c_str(),
                 nullptr, nullptr, nullptr);
    sqlite3_close(db);
    Registry migrated(file);
    auto backups = dbclone::testing::files_below(dir / "backups");
    ASSERT_EQ(backups.size(), 2u);  // the registry and its key
    EXPECT_EQ(backups[0].rfind("dbclone.db.v2-", 0), 0u) << backups[0];
}
