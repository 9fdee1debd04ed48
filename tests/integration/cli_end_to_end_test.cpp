// Drives the built `dbclone` binary as a user would, with the real SQLite plugin.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <dbclone/core/error.hpp>
#include <dbclone/core/json.hpp>
#include <fstream>
#include <set>

#include "root_images.hpp"
#include "test_support.hpp"

using namespace dbclone::testing;
namespace fs = std::filesystem;

namespace {

struct Cli : ::testing::Test {
    TempDir state;
    CommandResult run(std::vector<std::string> args) {
        args.insert(args.begin(), {"--state-dir", state.path().string()});
        return run_dbclone(args);
    }
    // With the roots of `roots` (a copy the test may change).
    CommandResult run_in(const RootImages& roots, std::vector<std::string> args) {
        args.insert(args.begin(), {"--roots-dir", roots.dir().string()});
        return run(args);
    }
};

std::string scalar(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
    std::string out;
    sqlite3_exec(
        db, sql.c_str(),
        [](void* o, int, char** values, char**) {
            *static_cast<std::string*>(o) = values[0] ? values[0] : "";
            return 0;
        },
        &out, nullptr);
    sqlite3_close(db);
    return out;
}

}  // namespace

TEST_F(Cli, TwoTenantsAreIndependentAndRemovalLeavesOnlyState) {
    auto a = run({"create", "alpha", "sqlite", "--json"});
    ASSERT_EQ(a.exit_code, 0) << a.err;
    auto b = run({"create", "beta", "sqlite"});
    ASSERT_EQ(b.exit_code, 0) << b.err;
    EXPECT_NE(b.out.find("password: "), std::string::npos) << "prints connection parameters";

    auto created = dbclone::json::parse(a.out, "create output");
    std::string alpha_file = created["connection"]["location"].GetString();
    std::string beta_file = (state / "plugins/sqlite/clones/tenant_beta_db.sqlite").string();
    auto goldens = files_below(state / "plugins/sqlite/golden");
    ASSERT_EQ(goldens.size(), 1u);
    std::string golden_file = (state / "plugins/sqlite/golden" / goldens[0]).string();

    for (const char* tenant : {"alpha", "beta"}) {
        auto v = run({"verify", tenant, "--json"});
        EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
        // Opened as dbclone/sqlite_tenant.h says, a tenant reaches no other file;
        // a plain sqlite3_open can ATTACH its neighbour, so "isolated" is false.
        auto report = dbclone::json::parse(v.out, "verify");
        EXPECT_FALSE(report["isolated"].GetBool()) << v.out;
        for (const auto& check : report["checks"].GetArray()) {
            if (std::string(check["name"].GetString()) != "cross_tenant_access") continue;
            EXPECT_STREQ(check["outcome"].GetString(), "not_enforced") << v.out;
            for (const auto& probe : check["probes"].GetArray()) {
                std::string name = probe["name"].GetString();
                bool plain = name.find("plain_open") != std::string::npos;
                EXPECT_STREQ(probe["outcome"].GetString(), plain ? "not_enforced" : "denied")
                    << name << ": " << probe["detail"].GetString();
            }
        }
        auto text = run({"verify", tenant});
        EXPECT_NE(text.out.find("NOT isolated: " + std::string(tenant)), std::string::npos)
            << "the text says what the JSON says: " << text.out;
    }

    // Write into alpha; beta and the golden copy must not see it.
    std::string before = scalar(beta_file, "SELECT count(*) FROM customers");
    EXPECT_EQ(before, "100");
    scalar(alpha_file,
           "INSERT INTO customers (email, full_name, country, created_at) "
           "VALUES ('canary@alpha', 'Canary', 'DE', '2026-01-01')");
    EXPECT_EQ(scalar(alpha_file, "SELECT count(*) FROM customers"), "101");
    EXPECT_EQ(scalar(beta_file, "SELECT count(*) FROM customers WHERE email='canary@alpha'"), "0");
    EXPECT_EQ(scalar(golden_file, "SELECT count(*) FROM customers"), "100");
    EXPECT_EQ(run({"verify", "beta"}).exit_code, 0);

    auto list = run({"list", "--json"});
    ASSERT_EQ(list.exit_code, 0);
    auto rows = dbclone::json::parse(list.out, "list");
    ASSERT_EQ(rows.Size(), 2u);
    EXPECT_EQ(list.out.find("password"), std::string::npos) << "list never shows passwords";

    EXPECT_EQ(run({"remove", "alpha", "--force"}).exit_code, 0);
    EXPECT_EQ(run({"remove", "beta", "--force"}).exit_code, 0);
    EXPECT_EQ(run({"list", "--json"}).out, "[]\n");
    EXPECT_TRUE(files_below(state / "plugins/sqlite/clones").empty());
    auto ports = dbclone::json::parse(run({"ports", "--json"}).out, "ports");
    EXPECT_EQ(ports["allocations"].Size(), 0u);
}

TEST_F(Cli, BadTenantIdsAreRefusedBeforeAnySideEffect) {
    std::filesystem::remove(state.path());
    for (std::string id :
         std::vector<std::string>{"../x", "a;drop", "Tenant", std::string(49, 'a'), ""}) {
        auto r = run({"create", id, "sqlite"});
        EXPECT_EQ(r.exit_code, 2) << id;
        EXPECT_NE(r.err.find("invalid tenant id"), std::string::npos) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    }
    EXPECT_FALSE(std::filesystem::exists(state.path())) << "not even the state directory";
}

// A bad limit, and logins an engine does not have, are one-line refusals.
TEST_F(Cli, BadLimitsAndMissingLoginsAreRefusedInOneLine) {
    for (const char* limit : {"connections=many", "timeout=5s", "statement_timeout=5"}) {
        auto r = run({"create", "t1", "sqlite", "--limit", limit});
        EXPECT_EQ(r.exit_code, 2) << limit;
        EXPECT_NE(r.err.find("allowed"), std::string::npos) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    }
    EXPECT_EQ(run({"list", "--json"}).out, "[]\n") << "nothing half-made";
    ASSERT_EQ(run({"create", "t1", "sqlite", "--limit", "connections=3"}).exit_code, 0);
    auto status = run({"status", "t1"});
    EXPECT_NE(status.out.find("connections"), std::string::npos) << status.out;
    EXPECT_NE(status.out.find("not_enforced"), std::string::npos)
        << "an embedded file has no server to hold a limit: " << status.out;
    auto rotate = run({"credentials", "rotate", "t1"});
    EXPECT_EQ(rotate.exit_code, 2);
    EXPECT_NE(rotate.err.find("has no owner login"), std::string::npos) << rotate.err;
    auto login = run({"credentials", "rotate", "t1", "--login", "root"});
    EXPECT_EQ(login.exit_code, 2);
    EXPECT_NE(login.err.find("unknown login \"root\"; allowed: owner, query"), std::string::npos)
        << login.err;
}

TEST_F(Cli, UnknownTypeAndVersionListWhatExists) {
    auto type = run({"create", "t1", "oracle"});
    EXPECT_EQ(type.exit_code, 3);
    EXPECT_NE(type.err.find("available: "), std::string::npos) << type.err;
    EXPECT_NE(type.err.find("sqlite"), std::string::npos) << type.err;
    auto version = run({"create", "t1", "sqlite", "--version", "v9"});
    EXPECT_EQ(version.exit_code, 3);
    EXPECT_NE(version.err.find("available: v1.0"), std::string::npos) << version.err;
    EXPECT_EQ(run({"list", "--json"}).out, "[]\n");
}

TEST_F(Cli, RemoveWithoutForceAndWithoutTerminalRefuses) {
    ASSERT_EQ(run({"create", "t1", "sqlite"}).exit_code, 0);
    auto r = run({"remove", "t1"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("without --force"), std::string::npos);
    EXPECT_EQ(run({"status", "t1"}).exit_code, 0) << "the tenant is still there";
}

TEST_F(Cli, PluginWithAbi99IsRefusedNamingBothVersionsWhileOthersLoad) {
    auto r = run({"plugins", "--json", "--plugin-dir", DBCLONE_FIXTURE_PLUGIN_DIR});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("fixture_abi99.so: incompatible ABI major: plugin ABI 99.3, host ABI 1.3"),
              std::string::npos)
        << r.err;
    auto doc = dbclone::json::parse(r.out, "plugins");
    std::vector<std::string> names;
    for (const auto& p : doc["plugins"].GetArray()) names.emplace_back(p["name"].GetString());
    EXPECT_NE(std::find(names.begin(), names.end(), "sqlite"), names.end());
    EXPECT_NE(std::find(names.begin(), names.end(), "fixture"), names.end());
    EXPECT_GE(doc["refused"].Size(), 5u);
}

TEST_F(Cli, UnknownCommandAndHelp) {
    EXPECT_EQ(run({"frobnicate"}).exit_code, 2);
    auto help = run({"--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("Exit codes:"), std::string::npos);
    EXPECT_EQ(run({"create", "--help"}).exit_code, 0);
}

TEST_F(Cli, RootsValidateAndReconcile) {
    auto v = run({"roots", "validate", "v1.0"});
    EXPECT_EQ(v.exit_code, 0);
    EXPECT_EQ(v.out, "v1.0: ok\n");
    EXPECT_EQ(run({"roots", "validate", "v9"}).exit_code, 1);
    auto r = run({"reconcile"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "nothing to reconcile\n");
}

TEST_F(Cli, SelfTestReportHasItsShapeAndLeavesNothing) {
    fs::path report_file = state / "r.json";
    auto r = run({"test", "--cleanup", "--types", "sqlite", "--report", report_file.string()});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    auto report = dbclone::json::parse(file_text(report_file), "report");
    const auto& summary = report["summary"];
    EXPECT_EQ(summary["failed_tests"].GetUint(), 0u);
    EXPECT_GE(summary["total_tests"].GetUint(), 15u);
    EXPECT_EQ(summary["passed_tests"].GetUint() + summary["failed_tests"].GetUint() <=
                  summary["total_tests"].GetUint(),
              true);
    EXPECT_DOUBLE_EQ(summary["success_rate"].GetDouble(), 1.0);
    // SQLite has no cross-tenant probes: isolation was not proven, so not claimed.
    EXPECT_FALSE(summary["isolation_verified"].GetBool());
    ASSERT_EQ(report["clones_created"].Size(), 2u);
    std::set<std::string> categories;
    for (const auto& t : report["tests"].GetArray()) {
        categories.insert(t["category"].GetString());
        for (const char* key : {"name", "category", "outcome", "details"})
            EXPECT_TRUE(t.HasMember(key)) << key;
        EXPECT_TRUE(t["duration_ms"].IsNumber());
    }
    EXPECT_EQ(categories,
              (std::set<std::string>{"prerequisites", "root image validation", "port management",
                                     "runtime", "clone creation", "isolation", "data leakage",
                                     "clone fidelity", "performance", "guardrails", "lifecycle",
                                     "cleanup"}));
    EXPECT_EQ(run({"list", "--json"}).out, "[]\n");
    EXPECT_TRUE(files_below(state / "plugins/sqlite/clones").empty());
}

// With servers that enforce isolation, the self-test proves it.
TEST_F(Cli, SelfTestVerifiesIsolationOnPostgresqlAndMariadb) {
    const char* pg = std::getenv("DBCLONE_TEST_PG_URL");
    const char* my = std::getenv("DBCLONE_TEST_MYSQL_URL");
    if (pg == nullptr || my == nullptr) GTEST_SKIP() << "needs the servers of scripts/services.sh";
    auto r = run({"--server", pg, "--server", my, "--json", "test", "--cleanup", "--types",
                  "postgresql,mysql"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    auto report = dbclone::json::parse(r.out, "report");
    EXPECT_TRUE(report["summary"]["isolation_verified"].GetBool()) << r.out;
    EXPECT_EQ(report["summary"]["failed_tests"].GetUint(), 0u);
}

// The operator's bad day: the registry truncated to 0 bytes. It was once read
// as a new installation (`list` said 0 tenants, and `reconcile` deleted every
// tenant file). Now every command refuses it, naming the file, and a backup
// brings everything back.
TEST_F(Cli, ATruncatedRegistryLosesNothingAndIsRestoredFromABackup) {
    ASSERT_EQ(run({"create", "keep1", "sqlite"}).exit_code, 0);
    ASSERT_EQ(run({"create", "keep2", "sqlite"}).exit_code, 0);
    auto backup = (state / "registry.backup").string();
    auto saved = run({"state", "backup", backup});
    ASSERT_EQ(saved.exit_code, 0) << saved.err;
    auto registry = state / "dbclone.db";
    std::filesystem::resize_file(registry, 0);
    for (std::vector<std::string> command :
         {std::vector<std::string>{"list"}, {"status"}, {"reconcile"}, {"create", "x", "sqlite"}}) {
        auto r = run(command);
        EXPECT_NE(r.exit_code, 0) << command[0] << ": " << r.out;
        EXPECT_NE(r.err.find(registry.string() + " is empty"), std::string::npos)
            << command[0] << ": " << r.err;
    }
    EXPECT_EQ(files_below(state / "plugins/sqlite/clones").size(), 2u) << "tenant files deleted";
    EXPECT_EQ(std::filesystem::file_size(registry), 0u);

    auto restored = run({"state", "restore", backup});
    ASSERT_EQ(restored.exit_code, 0) << restored.err;
    EXPECT_NE(restored.out.find("backups/dbclone.db.before-restore-"), std::string::npos)
        << "the damaged file is kept: " << restored.out;
    EXPECT_EQ(dbclone::json::parse(run({"list", "--json"}).out, "list").Size(), 2u);
    EXPECT_EQ(run({"verify", "keep1"}).exit_code, 0);
    auto again = run({"state", "restore", backup});
    EXPECT_EQ(again.exit_code, 2) << "restore over tenants needs --force: " << again.err;
}

// A registry that is missing beside tenant files is refused too; --init starts
// an empty one, whose reconcile deletes none of the old files.
TEST_F(Cli, AMissingRegistryBesideTenantFilesNeedsInitAndLosesNothing) {
    ASSERT_EQ(run({"create", "old1", "sqlite"}).exit_code, 0);
    std::filesystem::remove(state / "dbclone.db");
    std::filesystem::remove(state / "dbclone.db-wal");
    std::filesystem::remove(state / "dbclone.db-shm");
    auto r = run({"list"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("is missing"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--init"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(state / "dbclone.db"));
    EXPECT_EQ(run({"--init", "list", "--json"}).out, "[]\n");
    auto reconcile = run({"reconcile", "--force"});
    EXPECT_EQ(files_below(state / "plugins/sqlite/clones").size(), 1u) << reconcile.out;
}

// Golden copies have a lifecycle: `status` lists them with their size, `roots
// gc` removes the ones no tenant uses (its file too), and `roots remove`
// refuses a version in use unless --force, which leaves the tenants and
// moves the root's folder to backups/ instead of deleting a user's dump.
TEST_F(Cli, GoldenCopiesAreListedCollectedAndRemoved) {
    RootImages roots;
    auto in_roots = [&](const std::vector<std::string>& args) { return run_in(roots, args); };
    ASSERT_EQ(in_roots({"create", "keeper", "sqlite"}).exit_code, 0);
    ASSERT_EQ(in_roots({"create", "leaver", "sqlite"}).exit_code, 0);
    auto status = in_roots({"status"});
    EXPECT_NE(status.out.find("golden copies:   1\n  sqlite v1.0 (embedded): "), std::string::npos)
        << status.out;
    EXPECT_NE(status.out.find(" KiB\n"), std::string::npos) << status.out;
    auto listed = in_roots({"roots", "list"});
    EXPECT_NE(listed.out.find("TENANTS"), std::string::npos) << listed.out;
    EXPECT_NE(listed.out.find("v1.0     mongodb,mysql,postgresql,sqlite"), std::string::npos)
        << listed.out;
    auto gc = in_roots({"roots", "gc"});
    EXPECT_EQ(gc.exit_code, 0) << gc.err;
    EXPECT_NE(gc.out.find("0 golden copies"), std::string::npos) << "in use: " << gc.out;

    auto refused = in_roots({"roots", "remove", "v1.0"});
    EXPECT_EQ(refused.exit_code, dbclone::exit_code::conflict);
    EXPECT_NE(refused.err.find("is used by 2 tenants (keeper, leaver)"), std::string::npos)
        << refused.err;
    ASSERT_EQ(in_roots({"remove", "keeper", "--force"}).exit_code, 0);
    ASSERT_EQ(in_roots({"remove", "leaver", "--force"}).exit_code, 0);
    auto dry = in_roots({"roots", "gc", "--dry-run"});
    EXPECT_NE(dry.out.find("would remove sqlite v1.0 (embedded)"), std::string::npos) << dry.out;
    EXPECT_EQ(files_below(state / "plugins/sqlite/golden").size(), 1u)
        << "a dry run removes nothing";
    gc = in_roots({"roots", "gc"});
    EXPECT_NE(gc.out.find("removed sqlite v1.0 (embedded)"), std::string::npos) << gc.out;
    EXPECT_TRUE(files_below(state / "plugins/sqlite/golden").empty());
    EXPECT_NE(in_roots({"status"}).out.find("golden copies:   0"), std::string::npos);

    // A used version goes only with --force, which keeps its tenant and its dump.
    ASSERT_EQ(in_roots({"create", "stayer", "sqlite"}).exit_code, 0);
    auto forced = in_roots({"roots", "remove", "v1.0", "--force"});
    EXPECT_EQ(forced.exit_code, 0) << forced.err;
    EXPECT_NE(forced.out.find("left 1 tenants made from it (independent copies): stayer"),
              std::string::npos)
        << forced.out;
    EXPECT_FALSE(std::filesystem::exists(roots.dir() / "v1.0"));
    auto kept = files_below(state / "backups/roots");
    EXPECT_TRUE(std::any_of(kept.begin(), kept.end(), [](const std::string& f) {
        return f.rfind("v1.0-", 0) == 0 && f.find("/manifest.json") != std::string::npos;
    })) << "the root's folder is kept in backups/roots";
    EXPECT_EQ(in_roots({"verify", "stayer", "--checks", "connection"}).exit_code, 0);
    EXPECT_EQ(in_roots({"roots", "remove", "v9"}).exit_code, dbclone::exit_code::not_found);
}

// `verify --skip` leaves checks out (data_integrity for a tenant in use, whose
// own writes it would rightly report), and names an unknown one.
TEST_F(Cli, VerifySkipLeavesChecksOutAndNamesAnUnknownOne) {
    ASSERT_EQ(run({"create", "used", "sqlite"}).exit_code, 0);
    std::string file = (state / "plugins/sqlite/clones/tenant_used_db.sqlite").string();
    scalar(file, "DELETE FROM order_items WHERE rowid = 1");
    EXPECT_EQ(run({"verify", "used"}).exit_code, dbclone::exit_code::verification_failed);
    auto skipped = run({"verify", "used", "--skip", "data_integrity", "--json"});
    EXPECT_EQ(skipped.exit_code, 0) << skipped.out;
    EXPECT_EQ(skipped.out.find("\"data_integrity\""), std::string::npos) << skipped.out;
    EXPECT_NE(skipped.out.find("\"schema_integrity\""), std::string::npos) << skipped.out;
    auto unknown = run({"verify", "used", "--skip", "nope"});
    EXPECT_EQ(unknown.exit_code, dbclone::exit_code::usage);
    EXPECT_NE(unknown.err.find("unknown check \"nope\" in --skip; available: connection"),
              std::string::npos)
        << unknown.err;
    EXPECT_EQ(run({"remove", "used", "--force"}).exit_code, 0);
}

// `roots import` makes a version from a SQLite database file: the manifest
// and its sha256s are written for the user, a clone of it passes
// data_integrity; a second import of the same backend and a file that is no
// database are refused, and leave nothing behind.
TEST_F(Cli, RootsImportMakesAVersionFromADatabaseFile) {
    RootImages roots;
    auto in_roots = [&](const std::vector<std::string>& args) { return run_in(roots, args); };
    TempDir source;
    auto db = (source / "shop.db").string();
    ASSERT_EQ(run_program({"sqlite3", db, "CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);"})
                  .exit_code,
              0);
    auto imported = in_roots({"roots", "import", "mine", "--from", db});
    EXPECT_EQ(imported.exit_code, 0) << imported.err;
    EXPECT_NE(imported.out.find("imported sqlite from " + db), std::string::npos) << imported.out;
    EXPECT_EQ(in_roots({"roots", "validate", "mine"}).exit_code, 0);
    ASSERT_EQ(in_roots({"create", "t1", "sqlite", "--version", "mine"}).exit_code, 0);
    auto checked = in_roots({"verify", "t1", "--checks", "data_integrity"});
    EXPECT_EQ(checked.exit_code, 0) << checked.out;
    EXPECT_NE(checked.out.find("1 tables, 2 rows"), std::string::npos) << checked.out;
    auto twice = in_roots({"roots", "import", "mine", "--from", db});
    EXPECT_EQ(twice.exit_code, dbclone::exit_code::conflict);
    EXPECT_NE(twice.err.find("has a sqlite file already"), std::string::npos) << twice.err;
    std::ofstream(source / "notes.txt") << "not a database\n";
    auto bad = in_roots({"roots", "import", "bad", "--from", (source / "notes.txt").string()});
    EXPECT_EQ(bad.exit_code, dbclone::exit_code::usage);
    EXPECT_NE(bad.err.find("is not a SQLite database file"), std::string::npos) << bad.err;
    EXPECT_FALSE(std::filesystem::exists(roots.dir() / "bad"));
    for (const auto& entry : std::filesystem::directory_iterator(roots.dir()))
        EXPECT_EQ(entry.path().filename().string().rfind(".", 0), std::string::npos)
            << "left behind: " << entry.path();
    EXPECT_EQ(in_roots({"remove", "t1", "--force"}).exit_code, 0);
}
