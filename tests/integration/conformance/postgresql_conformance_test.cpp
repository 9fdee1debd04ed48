// The PostgreSQL conformance corpus (tests/fixtures/corpus/postgresql.sql),
// dumped with the real pg_dump in each plain form a user would bring, is a
// root image as it is. For each, a clone must equal a native restore of the
// same dump (`psql -f`): every table's rows (count and checksum), every
// object's definition, sequence values; and it must be usable by its tenant.
#include <gtest/gtest.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/error.hpp>
#include <dbclone/core/root_importer.hpp>
#include <dbclone/core/verifier.hpp>
#include <dbclone/plugin_helpers.hpp>

#include <fstream>

#include "pg_session.hpp"
#include "root_images.hpp"
#include "test_support.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

// The superuser's URL with another database in its path.
std::string url_of(const std::string& database) {
    std::string url = pg_superuser_url();
    auto slash = url.find('/', url.find("//") + 2), query = url.find('?');
    return url.substr(0, slash + 1) + database +
           (query == std::string::npos ? "" : url.substr(query));
}

// What a database holds, as text to compare: per table of the corpus's schema
// its row count and a checksum of its rows in a stable order; each object's
// definition as the server prints it (owners and grants aside: in dbclone the
// tenant owns everything); sequence values.
std::string contents(PgSession& db) {
    const char* queries[] = {
        // rows
        "SELECT string_agg(format('%s %s %s', c.relname, x.n, x.sum), E'\\n' ORDER BY c.relname) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, LATERAL ("
        "SELECT (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM ONLY "
        "%I.%I', n.nspname, c.relname), false, true, '')))[1]::text AS n, "
        "(xpath('/row/s/text()', query_to_xml(format('SELECT md5(coalesce(string_agg(t::text, "
        "chr(10) ORDER BY t::text), '''')) AS s FROM ONLY %I.%I t', n.nspname, c.relname), "
        "false, true, '')))[1]::text AS sum) x WHERE n.nspname = 'shop' AND c.relkind IN ('r', "
        "'m')",
        // columns, with types, defaults, identity and generation
        "SELECT string_agg(format('%s.%s %s %s %s %s %s', c.relname, a.attname, "
        "format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), "
        "a.attidentity, a.attgenerated), E'\\n' ORDER BY c.relname, a.attnum) FROM pg_attribute "
        "a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE "
        "n.nspname = 'shop' AND a.attnum > 0 AND NOT a.attisdropped",
        // constraints, indexes, triggers, rules, policies
        "SELECT string_agg(x, E'\\n' ORDER BY x) FROM ("
        "SELECT conname || ' ' || pg_get_constraintdef(oid) AS x FROM pg_constraint WHERE "
        "connamespace = 'shop'::regnamespace UNION ALL SELECT pg_get_indexdef(indexrelid) FROM "
        "pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = "
        "'shop'::regnamespace UNION ALL SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN "
        "pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = 'shop'::regnamespace AND NOT "
        "t.tgisinternal UNION ALL SELECT definition FROM pg_rules WHERE schemaname = 'shop' "
        "UNION ALL SELECT policyname || ' ' || qual FROM pg_policies WHERE schemaname = 'shop' "
        "UNION ALL SELECT relname || ' rls ' || relrowsecurity FROM pg_class WHERE "
        "relnamespace = 'shop'::regnamespace AND relkind IN ('r', 'p')) s",
        // routines, views, types, partitions and inheritance, comments, extensions
        "SELECT string_agg(x, E'\\n' ORDER BY x) FROM ("
        "SELECT pg_get_functiondef(p.oid) AS x FROM pg_proc p WHERE pronamespace = "
        "'shop'::regnamespace AND prokind <> 'a' UNION ALL SELECT 'aggregate ' || "
        "aggfnoid::regprocedure::text || ' ' || aggtransfn::text || ' ' || aggtranstype::regtype "
        "|| ' ' || coalesce(agginitval, '') FROM pg_aggregate WHERE aggfnoid::regproc::text LIKE "
        "'shop.%' UNION ALL SELECT c.relname || ' ' || pg_get_viewdef(c.oid) FROM pg_class c "
        "WHERE relnamespace = 'shop'::regnamespace AND relkind IN ('v', 'm') UNION ALL SELECT "
        "t.typname || ' ' || t.typtype::text || ' ' || coalesce((SELECT string_agg(enumlabel, ',' "
        "ORDER "
        "BY enumsortorder) FROM pg_enum WHERE enumtypid = t.oid), '') || ' ' || "
        "coalesce(pg_get_constraintdef((SELECT oid FROM pg_constraint WHERE contypid = t.oid)), "
        "'') FROM pg_type t WHERE typnamespace = 'shop'::regnamespace AND typtype IN ('e', 'd', "
        "'c', 'r') UNION ALL SELECT c.relname || ' part of ' || p.relname || ' ' || "
        "pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i JOIN pg_class c ON c.oid = "
        "i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE c.relnamespace = "
        "'shop'::regnamespace UNION ALL SELECT 'comment ' || d.description FROM pg_description d "
        "JOIN pg_class c ON c.oid = d.objoid WHERE c.relnamespace = 'shop'::regnamespace UNION "
        "ALL SELECT 'schema comment ' || obj_description('shop'::regnamespace, 'pg_namespace') "
        "UNION ALL SELECT 'extension ' || extname || ' ' || extversion FROM pg_extension UNION "
        "ALL SELECT 'collation ' || collname || ' ' || colliculocale FROM pg_collation WHERE "
        "collnamespace = 'shop'::regnamespace UNION ALL SELECT 'text search ' || cfgname FROM "
        "pg_ts_config WHERE cfgnamespace = 'shop'::regnamespace) s",
        // sequences
        "SELECT string_agg(format('%s %s %s', sequencename, last_value, increment_by), E'\\n' "
        "ORDER BY sequencename) FROM pg_sequences WHERE schemaname = 'shop'",
    };
    std::string out;
    for (const char* q : queries) out += db.scalar(q) + "\n--\n";
    return out;
}

struct PostgresqlConformance : ::testing::Test {
    void SetUp() override {
        DBCLONE_REQUIRE_POSTGRESQL();
        PgSession su(pg_superuser_url());
        su.error_of("DROP DATABASE IF EXISTS " + source + " WITH (FORCE)");
        ASSERT_EQ(su.error_of("CREATE DATABASE " + source), std::nullopt);
        auto built =
            run_program({"psql", "-v", "ON_ERROR_STOP=1", "-q", "-X", "-f",
                         std::string(DBCLONE_SOURCE_DIR) + "/tests/fixtures/corpus/postgresql.sql",
                         url_of(source)});
        ASSERT_EQ(built.exit_code, 0) << built.err;
    }
    void TearDown() override {
        if (pg_admin_url().empty()) return;
        PgSession su(pg_superuser_url());
        for (const auto& db : made) su.error_of("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        su.error_of("DROP DATABASE IF EXISTS " + source + " WITH (FORCE)");
    }

    // The dump pg_dump writes with `options`.
    std::string dump(const std::vector<std::string>& options) {
        auto file = work / "dump.sql";
        std::vector<std::string> argv{"pg_dump", "-f", file.string()};
        argv.insert(argv.end(), options.begin(), options.end());
        argv.push_back(url_of(source));
        auto r = run_program(argv);
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return sdk::read_text_file(file.string());
    }

    // `psql -f` of the dump into a new database (`pg_restore -d` for an
    // archive): the native restore.
    std::string native_restore(const std::string& dump_text, const std::string& tag,
                               bool archive = false) {
        auto file = work / "native.sql";
        std::ofstream(file, std::ios::binary) << dump_text;
        return native_restore_of(file, tag, archive);
    }
    std::string native_restore_of(const std::filesystem::path& dump, const std::string& tag,
                                  bool archive) {
        std::string db = "corpus_native_" + tag + "_" + std::to_string(::getpid());
        made.push_back(db);
        PgSession su(pg_superuser_url());
        su.error_of("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        EXPECT_EQ(su.error_of("CREATE DATABASE " + db), std::nullopt);
        auto r =
            archive
                ? run_program({"pg_restore", "--exit-on-error", "-d", url_of(db), dump.string()})
                : run_program({"psql", "-v", "ON_ERROR_STOP=1", "-q", "-X", "-f", dump.string(),
                               url_of(db)});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return db;
    }

    // Clones the dump (its files in order) as a root and compares the clone
    // with `native`.
    void expect_clone_equals(const std::vector<std::string>& dump_files, const std::string& native,
                             const std::string& tag) {
        expect_version_clones_like(
            roots.add_parts(unique_version("corpus" + tag), {{"postgresql", dump_files}}), native,
            tag);
    }
    // The same for root version `version`, made by the test.
    void expect_version_clones_like(const std::string& version, const std::string& native,
                                    const std::string& tag) {
        Config config = server_test_config(state.path(), "postgresql", pg_admin_url());
        config.roots_dir = roots.dir();
        Engine engine(config);
        made.push_back(shared_golden_name(engine, version));
        std::string id = "corpus_" + tag + "_" + std::to_string(::getpid());
        auto tenant = Cloner(engine).create({id, "postgresql", version, ""});
        {
            PgSession clone(url_of(tenant.database_name)), restored(url_of(native));
            std::string expected = contents(restored);
            EXPECT_NE(expected.find("customers 301 "), std::string::npos) << expected;
            EXPECT_NE(expected.find("invoice_numbers 5000 7"), std::string::npos) << expected;
            EXPECT_EQ(contents(clone), expected) << tag;
        }
        auto report = Verifier(engine).verify(id);
        for (const auto& check : report.checks) {
            EXPECT_TRUE(check.outcome != "failed" && check.outcome != "error")
                << tag << " " << check.name << ": " << check.details;
            if (check.name == "data_integrity") {
                EXPECT_EQ(check.outcome, "passed") << check.details;
            }
        }
        {  // amcheck, where the tenant may run it, checks every B-tree index.
            PgSession su(pg_superuser_url(), tenant.database_name);
            su.scalar(
                "CREATE EXTENSION amcheck; GRANT EXECUTE ON FUNCTION "
                "bt_index_check(regclass) TO " +
                tenant.user_name);
            auto checked = Verifier(engine).verify(id, {"data_integrity"});
            EXPECT_EQ(checked.checks.at(0).outcome, "passed") << checked.checks.at(0).details;
            EXPECT_NE(checked.checks.at(0).details.find("amcheck bt_index_check found nothing"),
                      std::string::npos)
                << checked.checks.at(0).details;
            su.scalar("DROP EXTENSION amcheck");
        }
        {  // Usable by its tenant: a write in every table, through every trigger.
            PgSession as_tenant = PgSession::as_tenant(tenant);
            for (const char* sql :
                 {"INSERT INTO shop.customers (email, name) VALUES ('new@example.com', 'Neu')",
                  "UPDATE shop.customers SET score = score + 1 WHERE id < 10",
                  "DELETE FROM shop.customers WHERE email = 'nulls@example.com'",
                  "INSERT INTO shop.orders (customer_id, quantity, ordered_on) VALUES (1, 2, "
                  "'2026-03-01')",
                  "UPDATE shop.orders SET note = 'x' WHERE id < 5",
                  "DELETE FROM shop.orders WHERE id = 7",
                  "INSERT INTO shop.bookings (room, during) VALUES (99, '[2030-01-01, "
                  "2030-01-02)')",
                  "INSERT INTO shop.gadgets (label, battery_hours) VALUES ('watch', 40)",
                  "DELETE FROM shop.things WHERE label = 'drop'", "CALL shop.bump_scores(1)",
                  "REFRESH MATERIALIZED VIEW shop.mood_counts",
                  "SELECT shop.joined(label) FROM shop.things",
                  "SELECT count(*) FROM shop.customers WHERE name % 'Kunde 1'"})
                EXPECT_EQ(as_tenant.error_of(sql), std::nullopt) << tag << ": " << sql;
        }  // the tenant's session ends before its database goes
        Cloner(engine).remove(id);
    }

    std::string source = "corpus_source_" + std::to_string(::getpid());
    std::vector<std::string> made;
    TempDir work, state;
    RootImages roots;
};

}  // namespace

TEST_F(PostgresqlConformance, APlainPgDumpClonesLikeANativeRestore) {
    std::string text = dump({});
    ASSERT_NE(text.find("COPY shop.customers"), std::string::npos) << "pg_dump wrote no COPY";
    expect_clone_equals({text}, native_restore(text, "plain"), "plain");
}

TEST_F(PostgresqlConformance, APgDumpWithInsertsClonesLikeANativeRestore) {
    std::string text = dump({"--inserts"});
    expect_clone_equals({text}, native_restore(text, "inserts"), "inserts");
}

// --create adds DROP/CREATE DATABASE and \connect, which a native restore runs
// against the source's own name: the clone is compared with the plain restore.
TEST_F(PostgresqlConformance, APgDumpWithCreateAndCleanClonesLikeANativeRestore) {
    std::string text = dump({"--create", "--clean", "--if-exists"});
    ASSERT_NE(text.find("\\connect"), std::string::npos);
    std::string plain = dump({});
    expect_clone_equals({text}, native_restore(plain, "create"), "create");
}

// A custom-format archive (pg_dump -Fc) is read with pg_restore.
TEST_F(PostgresqlConformance, ACustomFormatArchiveClonesLikePgRestore) {
    std::string archive = dump({"-Fc"});
    ASSERT_EQ(archive.rfind("PGDMP", 0), 0u) << "pg_dump wrote no custom archive";
    expect_clone_equals({archive}, native_restore(archive, "custom", true), "custom");
}

// A tar-format archive (pg_dump -Ft) too.
TEST_F(PostgresqlConformance, ATarFormatArchiveClonesLikePgRestore) {
    std::string archive = dump({"-Ft"});
    ASSERT_EQ(archive.substr(257, 5), "ustar") << "pg_dump wrote no tar archive";
    expect_clone_equals({archive}, native_restore(archive, "tar", true), "tar");
}

// A directory-format archive (pg_dump -Fd) is one part: the directory, as
// pg_dump wrote it.
TEST_F(PostgresqlConformance, ADirectoryFormatArchiveClonesLikePgRestore) {
    auto archive = work / "dump.dir";
    auto r = run_program({"pg_dump", "-Fd", "-f", archive.string(), url_of(source)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(std::filesystem::exists(archive / "toc.dat")) << "pg_dump wrote no directory";
    std::string version =
        roots.add_directory(unique_version("corpusdir"), "postgresql", "dump.dir", archive);
    expect_version_clones_like(version, native_restore_of(archive, "directory", true), "directory");
}

// A root of three files applied in order: pg_dump's three sections
// (--section=pre-data, data, post-data), as users who keep schema and data
// apart write them. The clone equals the native restore of the whole dump.
TEST_F(PostgresqlConformance, ThePreDataDataAndPostDataSectionsCloneInOrder) {
    std::vector<std::string> sections;
    for (const char* section : {"pre-data", "data", "post-data"})
        sections.push_back(dump({std::string("--section=") + section}));
    ASSERT_EQ(sections[0].find("COPY "), std::string::npos);
    ASSERT_NE(sections[1].find("COPY "), std::string::npos);
    expect_clone_equals(sections, native_restore(dump({}), "split"), "split");
}

// A root that fails names its file, its own line and the statement, with the
// statement's values hidden; psql meta-commands other than pg_dump's own, and
// a second database, are refused by name.
TEST_F(PostgresqlConformance, ARootErrorNamesItsFileLineAndStatement) {
    Config config = server_test_config(state.path(), "postgresql", pg_admin_url());
    config.roots_dir = roots.dir();
    Engine engine(config);
    const std::vector<BadRoot> cases = {
        {"CREATE TABLE a (x int);\n\n-- the row\nINSERT INTO missing VALUES ('secret-value');\n",
         {"postgresql.sql failed at line 4", "(INSERT INTO missing VALUES ('...');)",
          "relation \"...\" does not exist"}},
        {"CREATE TABLE a (x int);\nCOPY a FROM stdin;\n1\nsecret-value\n\\.\n",
         {"failed at line 4", "(COPY a FROM stdin;)", "invalid input syntax"}},
        {"\\connect shop\nCREATE TABLE a (x int);\n\\connect other\n",
         {"line 3: a second database (\\connect other)"}},
        {"CREATE TABLE a (x int);\n\\copy a from '/etc/passwd'\n",
         {"line 2: the psql meta-command \\copy is not supported"}},
    };
    expect_roots_fail(engine, roots, "postgresql", cases, "secret-value", made);
}

// `roots import` of the live database: pg_dump's output, manifest written,
// cloning like a native restore of the same database's dump.
TEST_F(PostgresqlConformance, RootsImportOfTheLiveDatabaseClonesLikeIt) {
    Config config = server_test_config(state.path(), "postgresql", pg_admin_url());
    config.roots_dir = roots.dir();
    Engine engine(config);
    std::string version = unique_version("import");
    auto root = RootImporter(engine).import(version, "postgresql", url_of(source), "");
    ASSERT_EQ(root.parts.size(), 1u);
    EXPECT_EQ(root.path.filename(), "postgresql.sql");
    std::string manifest = sdk::read_text_file((roots.dir() / version / "manifest.json").string());
    EXPECT_NE(manifest.find(root.sha256), std::string::npos) << manifest;
    std::string url = pg_superuser_url();
    auto from = url.find(':', url.find("//")) + 1;
    std::string password = url.substr(from, url.find('@') - from);
    ASSERT_FALSE(password.empty());
    EXPECT_EQ(manifest.find(password), std::string::npos) << "the password is in " << manifest;
    EXPECT_NE(manifest.find("imported from postgresql://postgres:***@"), std::string::npos)
        << manifest;
    expect_clone_equals({sdk::read_text_file(root.path.string())},
                        native_restore(dump({}), "import"), "import");
    EXPECT_THROW(RootImporter(engine).import(version, "postgresql", url_of(source), ""), Error)
        << "a second postgresql file for one version";
}
