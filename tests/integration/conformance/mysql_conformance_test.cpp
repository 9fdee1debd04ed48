// The MariaDB conformance corpus (tests/fixtures/corpus/mysql.sql), dumped
// with the real mariadb-dump in the forms a user would bring, is a root image
// as it is. For each, and for each copy strategy, a clone must equal a native
// restore of the same dump (the mariadb client's `source`): every table's
// rows and definition, every view, trigger, routine and event, the sequence;
// and it must be usable by its tenant, CHECK TABLE finding nothing.
#include <gtest/gtest.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/error.hpp>
#include <dbclone/core/root_importer.hpp>
#include <dbclone/core/verifier.hpp>
#include <dbclone/plugin_helpers.hpp>

#include <fstream>
#include <regex>

#include "mysql_session.hpp"
#include "root_images.hpp"
#include "test_support.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

// What schema `db` holds, as text to compare (definers aside: in dbclone the
// tenant is the definer of everything).
std::string contents(MysqlSession& admin, const std::string& db) {
    admin.scalar("USE `" + db + "`");
    std::string q = "'" + db + "'";
    std::string out;
    auto tables =
        admin.text("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = " + q +
                   " AND TABLE_TYPE IN ('BASE TABLE', 'SEQUENCE') ORDER BY TABLE_NAME");
    std::istringstream names(tables);
    for (std::string table; std::getline(names, table);) {
        out += admin.text("SHOW CREATE TABLE `" + table + "`");
        out += admin.text("SELECT COUNT(*) FROM `" + table + "`");
        out += admin.text("CHECKSUM TABLE `" + table + "` EXTENDED").substr(db.size());
    }
    out += admin.text(
        "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE "
        "TABLE_SCHEMA = " +
        q + " ORDER BY 1");
    out += admin.text(
        "SELECT TRIGGER_NAME, EVENT_MANIPULATION, ACTION_TIMING, ACTION_STATEMENT "
        "FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = " +
        q + " ORDER BY 1");
    out += admin.text(
        "SELECT ROUTINE_NAME, ROUTINE_TYPE, DTD_IDENTIFIER, ROUTINE_DEFINITION, "
        "SQL_DATA_ACCESS FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = " +
        q + " ORDER BY 1");
    out += admin.text(
        "SELECT EVENT_NAME, EVENT_DEFINITION, INTERVAL_VALUE, INTERVAL_FIELD, STATUS "
        "FROM information_schema.EVENTS WHERE EVENT_SCHEMA = " +
        q + " ORDER BY 1");
    const std::regex schema_name("`?" + db + "`?\\.");
    return std::regex_replace(out, schema_name, "<schema>.");
}

struct MariadbConformance : ::testing::Test {
    void SetUp() override {
        DBCLONE_REQUIRE_MYSQL();
        // The client tools read the admin's login from a file of the test's own.
        std::string url = mysql_admin_url();  // mysql://user:password@host:port/
        std::string login = url.substr(8, url.find('@') - 8), at = url.substr(url.find('@') + 1);
        at = at.substr(0, at.find('/'));
        std::ofstream(client_file)
            << "[client]\nuser=" << login.substr(0, login.find(':'))
            << "\npassword=" << login.substr(login.find(':') + 1)
            << "\nhost=127.0.0.1\nport=" << at.substr(at.find(':') + 1) << "\n";
        std::filesystem::permissions(
            client_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
        fresh_database(source);
        source_file(source, std::string(DBCLONE_SOURCE_DIR) + "/tests/fixtures/corpus/mysql.sql");
    }
    void TearDown() override {
        if (mysql_admin_url().empty()) return;
        MysqlSession admin;
        for (const auto& db : made) admin.error_of("DROP DATABASE IF EXISTS `" + db + "`");
        admin.error_of("DROP DATABASE IF EXISTS `" + source + "`");
    }

    void fresh_database(const std::string& db) {
        MysqlSession admin;
        admin.error_of("DROP DATABASE IF EXISTS `" + db + "`");
        ASSERT_EQ(admin.error_of("CREATE DATABASE `" + db + "` CHARACTER SET utf8mb4"),
                  std::nullopt);
    }
    // `mariadb DB` running the script `file`, as a user restores a dump.
    void source_file(const std::string& db, const std::string& file) {
        auto r = run_program({"mariadb", "--defaults-extra-file=" + client_file.string(), db, "-e",
                              "source " + file});
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    std::string dump(const std::vector<std::string>& options) {
        std::vector<std::string> argv{"mariadb-dump",
                                      "--defaults-extra-file=" + client_file.string()};
        argv.insert(argv.end(), options.begin(), options.end());
        auto r = run_program(argv);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return r.out;
    }
    std::string native_restore(const std::string& dump_text, const std::string& tag) {
        std::string db = "corpus_native_" + tag + "_" + std::to_string(::getpid());
        made.push_back(db);
        fresh_database(db);
        auto file = work / (tag + ".sql");
        std::ofstream(file, std::ios::binary) << dump_text;
        source_file(db, file.string());
        return db;
    }

    // Clones the dump as a root with each strategy; each clone must equal
    // `native`, and be usable.
    void expect_clones_equal(const std::vector<std::string>& dump_files, const std::string& native,
                             const std::string& tag) {
        std::string version =
            roots.add_parts(unique_version("mcorpus" + tag), {{"mysql", dump_files}});
        Config config = server_test_config(state.path(), "mysql", mysql_admin_url());
        config.roots_dir = roots.dir();
        Engine engine(config);
        made.push_back(shared_golden_name(engine, version));
        MysqlSession admin;
        std::string expected = contents(admin, native);
        EXPECT_NE(expected.find("customers"), std::string::npos) << expected;
        for (const std::string strategy : {"logical", "tablespace"}) {
            std::string id = "mc_" + tag + "_" + strategy.substr(0, 1) + std::to_string(::getpid());
            auto tenant = Cloner(engine).create({id, "mysql", version, "", strategy});
            EXPECT_EQ(contents(admin, tenant.database_name), expected) << tag << " " << strategy;
            auto report = Verifier(engine).verify(id);
            for (const auto& check : report.checks) {
                EXPECT_TRUE(check.outcome != "failed" && check.outcome != "error")
                    << tag << " " << strategy << " " << check.name << ": " << check.details;
                if (check.name == "data_integrity") {
                    EXPECT_EQ(check.outcome, "passed") << strategy << ": " << check.details;
                }
            }
            {
                MysqlSession as_tenant(tenant);
                for (const char* sql :
                     {"INSERT INTO customers (email, name, bio) VALUES ('new@example.com', "
                      "'Neu', 'fresh bio text')",
                      "SELECT COUNT(*) FROM customers WHERE MATCH (bio) AGAINST ('customer')",
                      "UPDATE customers SET score = score + 1 WHERE id < 10",
                      "DELETE FROM customers WHERE id = 5",
                      "INSERT INTO places (spot) VALUES (ST_GeomFromText('POINT(9 9)'))",
                      "INSERT INTO orders (customer_id, ordered_on) VALUES (1, '2026-03-01')",
                      "UPDATE orders SET note = 'x' WHERE id < 5",
                      "INSERT INTO order_lines (customer_id, amount) VALUES (2, 1.5)",
                      "INSERT INTO notes_aria VALUES (3, 'more')",
                      "INSERT INTO packed VALUES (2, 'more')", "CALL bump_scores(1)",
                      "SELECT order_total(1)", "SELECT NEXTVAL(invoice_numbers)"})
                    EXPECT_EQ(as_tenant.error_of(sql), std::nullopt)
                        << tag << " " << strategy << ": " << sql;
                std::string checked = as_tenant.text(
                    "CHECK TABLE customers, places, orders, order_lines, audit, notes_aria, "
                    "packed EXTENDED");
                EXPECT_EQ(checked.find("error"), std::string::npos) << checked;
                EXPECT_EQ(checked.find("corrupt"), std::string::npos) << checked;
            }
            Cloner(engine).remove(id);
        }
    }

    std::string source = "corpus_source_" + std::to_string(::getpid());
    std::vector<std::string> made;
    TempDir work, state;
    std::filesystem::path client_file = work / "client.cnf";
    RootImages roots;
};

}  // namespace

TEST_F(MariadbConformance, AMariadbDumpClonesLikeANativeRestore) {
    std::string text = dump({"--routines", "--events", "--triggers", source});
    ASSERT_NE(text.find("DELIMITER ;;"), std::string::npos) << "no routine was dumped";
    expect_clones_equal({text}, native_restore(text, "plain"), "plain");
}

// --databases names the database: CREATE DATABASE and USE, which a native
// restore runs against the source's own name: the clones are compared with
// the restore of the same dump without them.
TEST_F(MariadbConformance, ADumpWithDatabasesClonesIntoTheGoldenSchema) {
    std::string text = dump(
        {"--routines", "--events", "--triggers", "--add-drop-database", "--databases", source});
    ASSERT_NE(text.find("USE `" + source + "`"), std::string::npos);
    std::string plain = dump({"--routines", "--events", "--triggers", source});
    expect_clones_equal({text}, native_restore(plain, "databases"), "databases");
}

// A root of three files applied in order, as users who keep schema and data
// apart write them with mariadb-dump: the tables, routines and events
// (--no-data --skip-triggers), the rows (--no-create-info --skip-triggers),
// then the triggers, so that none fires for a loaded row. The clone equals
// the native restore of the whole dump.
TEST_F(MariadbConformance, SchemaDataAndTriggerFilesCloneInOrder) {
    std::string schema = dump({"--no-data", "--skip-triggers", "--routines", "--events", source});
    std::string data = dump({"--no-create-info", "--skip-triggers", source});
    std::string triggers =
        dump({"--no-data", "--no-create-info", "--skip-routines", "--triggers", source});
    ASSERT_NE(data.find("INSERT INTO"), std::string::npos);
    ASSERT_NE(triggers.find("TRIGGER"), std::string::npos);
    std::string whole = dump({"--routines", "--events", "--triggers", source});
    expect_clones_equal({schema, data, triggers}, native_restore(whole, "split"), "split");
}

// A root that fails names its file, its own line and the statement with its
// strings hidden; a second database is refused by name.
TEST_F(MariadbConformance, ARootErrorNamesItsFileLineAndStatement) {
    Config config = server_test_config(state.path(), "mysql", mysql_admin_url());
    config.roots_dir = roots.dir();
    Engine engine(config);
    const std::vector<BadRoot> cases = {
        {"CREATE TABLE a (x int);\n\n# the row\nINSERT INTO missing VALUES ('secret-value');\n",
         {"mysql.sql failed at line 4", "(INSERT INTO missing VALUES ('...'))"}},
        {"CREATE DATABASE shop;\nUSE shop;\nCREATE TABLE a (x int);\nUSE other;\n",
         {"line 4: a second database (USE other)"}},
    };
    expect_roots_fail(engine, roots, "mysql", cases, "secret-value", made);
}

// `roots import` of the live database: mariadb-dump's output (routines,
// events, triggers), manifest written, cloning like a native restore.
TEST_F(MariadbConformance, RootsImportOfTheLiveDatabaseClonesLikeIt) {
    Config config = server_test_config(state.path(), "mysql", mysql_admin_url());
    config.roots_dir = roots.dir();
    Engine engine(config);
    std::string version = unique_version("mimport");
    auto root = RootImporter(engine).import(version, "mysql", mysql_admin_url() + source, "");
    ASSERT_EQ(root.parts.size(), 1u);
    std::string text = sdk::read_text_file(root.path.string());
    EXPECT_NE(text.find("CREATE DEFINER"), std::string::npos) << "routines came with it";
    std::string plain = dump({"--routines", "--events", "--triggers", source});
    expect_clones_equal({text}, native_restore(plain, "import"), "import");
}
