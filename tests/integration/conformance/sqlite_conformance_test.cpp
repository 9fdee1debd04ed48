// The SQLite conformance corpus (tests/fixtures/corpus/sqlite.sql), built with
// the sqlite3 shell, as a root image in both forms users have: its `.dump`
// text, and the database file itself. Each clone must equal the native
// restore (the shell's `.read` of the dump): the same `.dump` of schema and
// rows; and it must be usable, `PRAGMA integrity_check` finding nothing.
#include <gtest/gtest.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/error.hpp>
#include <dbclone/core/verifier.hpp>
#include <dbclone/plugin_helpers.hpp>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>

#include "root_images.hpp"
#include "sabotage.hpp"
#include "test_support.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

// A .dump's lines in order: VACUUM (which every golden copy gets) may move
// a schema row, so the dump of equal databases may list them otherwise.
std::vector<std::string> sorted_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::sort(lines.begin(), lines.end());
    return lines;
}

struct SqliteConformance : ::testing::Test {
    void SetUp() override {
        auto built = sqlite3(source, ".read " + std::string(DBCLONE_SOURCE_DIR) +
                                         "/tests/fixtures/corpus/sqlite.sql");
        ASSERT_EQ(built.exit_code, 0) << built.err;
    }
    CommandResult sqlite3(const std::filesystem::path& db, const std::string& command) {
        return run_program({"sqlite3", "-bail", db.string(), command});
    }
    std::filesystem::path write(const std::string& text, const std::string& name) {
        auto path = work / name;
        std::ofstream(path, std::ios::binary) << text;
        return path;
    }
    Engine& engine() {
        if (!engine_) {
            Config config = test_config(state.path());
            config.roots_dir = roots.dir();
            engine_ = std::make_unique<Engine>(config);
        }
        return *engine_;
    }
    // Clones `root`; the clone's .dump must be `expected`, and it must be usable.
    void expect_clone_dumps_as(const std::vector<std::string>& root, const std::string& expected,
                               const std::string& tag, bool with_notes) {
        std::string version = roots.add_parts(unique_version("scorpus" + tag), {{"sqlite", root}});
        auto tenant = Cloner(engine()).create({"corpus_" + tag, "sqlite", version, ""});
        EXPECT_EQ(sorted_lines(sqlite3(tenant.location, ".dump").out), sorted_lines(expected))
            << tag;
        auto checked = Verifier(engine()).verify("corpus_" + tag, {"data_integrity"});
        EXPECT_EQ(checked.checks.at(0).outcome, "passed") << checked.checks.at(0).details;
        std::string writes =
            "PRAGMA foreign_keys = ON; INSERT INTO customers (email, name) VALUES ('new@x', "
            "'Neu'); UPDATE customers SET score = score + 1 WHERE id < 10; DELETE FROM customers "
            "WHERE id = 5; INSERT INTO orders (customer_id) VALUES (1); INSERT INTO tags VALUES "
            "('blue', 3); INSERT INTO strict_numbers (n) VALUES (3); ";
        if (with_notes)
            writes +=
                "INSERT INTO notes VALUES ('third', 'more'); SELECT count(*) FROM notes "
                "WHERE notes MATCH 'fox'; ";
        auto used = sqlite3(tenant.location, writes + "PRAGMA integrity_check;");
        EXPECT_EQ(used.exit_code, 0) << tag << ": " << used.err;
        EXPECT_NE(used.out.find("ok\n"), std::string::npos) << used.out;
        Cloner(engine()).remove("corpus_" + tag);
    }

    TempDir work, state;
    std::filesystem::path source = work / "source.db";
    RootImages roots;
    std::unique_ptr<Engine> engine_;
};

}  // namespace

// The database file itself, FTS5 table included: the clone holds what it holds.
TEST_F(SqliteConformance, ADatabaseFileClonesAsItIs) {
    expect_clone_dumps_as({sdk::read_text_file(source.string())}, sqlite3(source, ".dump").out,
                          "file", true);
}

// The shell's .dump, as `.read` restores it natively.
TEST_F(SqliteConformance, ADotDumpClonesLikeANativeRestore) {
    ASSERT_EQ(sqlite3(source, "DROP TABLE notes").exit_code, 0);  // see the next test
    std::string dump = sqlite3(source, ".dump").out;
    ASSERT_NE(dump.find("BEGIN TRANSACTION;"), std::string::npos) << dump.substr(0, 200);
    auto native = work / "native.db";
    auto restored = sqlite3(native, ".read " + write(dump, "dump.sql").string());
    ASSERT_EQ(restored.exit_code, 0) << restored.err;
    expect_clone_dumps_as({dump}, sqlite3(native, ".dump").out, "dump", false);
}

// A root of two files applied in order: the shell's .schema, then its
// .dump --data-only; and a database file followed by a script of more rows.
TEST_F(SqliteConformance, SeveralFilesApplyInOrder) {
    // The virtual table: see the next test. The trigger: a schema file loaded
    // before the rows would fire it for each of them, in a clone as natively.
    ASSERT_EQ(sqlite3(source, "DROP TABLE notes; DROP TRIGGER customers_audit").exit_code, 0);
    std::string schema = sqlite3(source, ".schema --nosys").out;
    std::string data = sqlite3(source, ".dump --data-only").out;
    ASSERT_NE(data.find("INSERT INTO"), std::string::npos);
    ASSERT_EQ(schema.find("INSERT INTO tags"), std::string::npos);
    auto native = work / "split.db";
    for (const auto& [text, name] : {std::pair{schema, "schema.sql"}, {data, "data.sql"}}) {
        auto restored = sqlite3(native, ".read " + write(text, name).string());
        ASSERT_EQ(restored.exit_code, 0) << restored.err;
    }
    expect_clone_dumps_as({schema, data}, sqlite3(native, ".dump").out, "split", false);
    std::string file = sdk::read_text_file(source.string());
    std::string more = "INSERT INTO tags VALUES ('added-by-a-second-file', 1);\n";
    ASSERT_EQ(sqlite3(source, more).exit_code, 0);
    expect_clone_dumps_as({file, more}, sqlite3(source, ".dump").out, "fileplus", false);
}

// A .dump writes a virtual table into sqlite_schema directly, which a tenant's
// connection may not: refused, naming the line and what to do instead.
TEST_F(SqliteConformance, ADotDumpOfAVirtualTableIsRefusedWithAdvice) {
    std::string dump = sqlite3(source, ".dump").out;
    std::string version = roots.add(unique_version("sqlitefts"), {{"sqlite", dump}});
    try {
        Cloner(engine()).create({"fts", "sqlite", version, ""});
        ADD_FAILURE() << "a .dump with PRAGMA writable_schema loaded";
    } catch (const Error& e) {
        std::string message = e.what();
        EXPECT_NE(message.find("(PRAGMA writable_schema=ON;)"), std::string::npos) << message;
        EXPECT_NE(message.find("give the database file itself as the root"), std::string::npos)
            << message;
    }
}

// Only PostgreSQL takes a directory as a root part (pg_dump -Fd). A directory
// opens and reads as nothing, so without the refusal the tenant would come
// out empty and its create would succeed.
TEST_F(SqliteConformance, ADirectoryRootIsRefusedByName) {
    std::filesystem::create_directories(work / "dump.dir");
    std::ofstream(work / "dump.dir/part.sql") << "CREATE TABLE t (x int);\n";
    std::string version =
        roots.add_directory(unique_version("sqlitedir"), "sqlite", "dump.dir", work / "dump.dir");
    try {
        Cloner(engine()).create({"dir", "sqlite", version, ""});
        ADD_FAILURE() << "a directory loaded as a SQLite root";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("dump.dir is a directory"), std::string::npos)
            << e.what();
    }
    EXPECT_FALSE(engine().registry().find_clone("dir")) << "nothing is left half-made";
}

// verify fails a clone that lost a row, a value or an index, or whose index
// no longer matches its table: data_integrity (counts, checksums, PRAGMA
// integrity_check) and schema_integrity.
TEST_F(SqliteConformance, VerifyFailsASabotagedClone) {
    std::string version =
        roots.add(unique_version("ssabotage"), {{"sqlite", sdk::read_text_file(source.string())}});
    auto as_shell = [&](const std::string& sql) {
        return [this, sql](const CloneRecord& tenant) {
            auto r = sqlite3(tenant.location, sql);
            ASSERT_EQ(r.exit_code, 0) << r.err;
        };
    };
    expect_sabotage_caught(
        engine(),
        [&](const std::string& id) {
            return Cloner(engine()).create({id, "sqlite", version, ""});
        },
        {{"lost_row",
          as_shell("DELETE FROM strict_numbers WHERE id = (SELECT max(id) FROM strict_numbers)"),
          "data_integrity", "table strict_numbers has"},
         {"changed_value",
          as_shell("UPDATE tags SET weight = weight + 1 WHERE name = (SELECT min(name) FROM tags)"),
          "data_integrity", "table tags: the rows' checksum differs"},
         {"lost_index", as_shell("DROP INDEX orders_by_customer"), "schema_integrity", "differs"},
         // The index's entries no longer match its definition, as after a
         // damaged page: integrity_check's "row N missing from index".
         {"broken_index",
          as_shell("PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = 'CREATE INDEX "
                   "orders_by_customer ON orders (id)' WHERE name = 'orders_by_customer'"),
          "data_integrity", "consistency check: row 1 missing from index orders_by_customer"}});
}
