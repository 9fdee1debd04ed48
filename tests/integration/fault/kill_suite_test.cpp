// SIGKILL at random points of `dbclone create`, 20 times per engine: after each
// kill, one reconcile must leave zero orphans (rows, ports, files, databases,
// logins) and the same id must be creatable again. Bounded: 20 kills, each
// within the create's own length.
#include <gtest/gtest.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/reconciler.hpp>

#include <chrono>
#include <random>

#include "pg_session.hpp"
#include "test_support.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

struct KillSuite : ::testing::Test {
    TempDir state;
    std::mt19937 random{std::random_device{}()};

    // Kills `create ID TYPE` after a random delay below `longest`; returns
    // whether the kill landed before the create finished.
    bool kill_create(const std::string& id, const std::string& type,
                     std::chrono::microseconds longest, Engine& engine) {
        auto delay = std::chrono::microseconds(
            std::uniform_int_distribution<int64_t>(0, longest.count())(random));
        auto start = std::chrono::steady_clock::now();
        kill_dbclone_when(
            {"--state-dir", state.path().string(), "--plugin-dir", DBCLONE_PLUGIN_DIR, "create", id,
             type},
            [&] { return std::chrono::steady_clock::now() - start >= delay; },
            std::chrono::seconds(30));
        auto row = engine.registry().find_clone(id);
        return !row || row->state != "ready";
    }
};

}  // namespace

TEST_F(KillSuite, TwentyKillsOfASqliteCreateLeaveNoOrphans) {
    Engine engine(test_config(state.path()));
    Cloner(engine).create({"warm", "sqlite", "", ""});
    int landed = 0;
    for (int i = 0; i < 20; ++i) {
        std::string id = "k" + std::to_string(i);
        landed += kill_create(id, "sqlite", std::chrono::milliseconds(40), engine);
        auto report = Reconciler(engine).run();
        EXPECT_TRUE(report.problems.empty()) << report.problems.front();
        if (auto row = engine.registry().find_clone(id)) Cloner(engine).remove(id);
        EXPECT_EQ(files_below(state / "plugins/sqlite/clones"),
                  std::vector<std::string>{"tenant_warm_db.sqlite"})
            << "after kill " << i;
        EXPECT_EQ(engine.registry().clones().size(), 1u) << "after kill " << i;
        EXPECT_NO_THROW(Cloner(engine).create({id, "sqlite", "", ""})) << "after kill " << i;
        Cloner(engine).remove(id);
    }
    EXPECT_GE(landed, 1) << "every create finished before its kill";
    RecordProperty("kills_landed_mid_create", landed);
}

TEST_F(KillSuite, TwentyKillsOfAPostgresqlCreateLeaveNoOrphans) {
    DBCLONE_REQUIRE_POSTGRESQL();
    Engine engine(server_test_config(state.path(), "postgresql", pg_admin_url()));
    std::string base = "pk" + std::to_string(::getpid()) + "_";
    Cloner(engine).create({base + "warm", "postgresql", "", ""});
    ::setenv("DBCLONE_PG_URL", pg_admin_url().c_str(), 1);
    PgSession su(pg_superuser_url());
    int landed = 0;
    for (int i = 0; i < 20; ++i) {
        std::string id = base + std::to_string(i);
        landed += kill_create(id, "postgresql", std::chrono::milliseconds(150), engine);
        auto report = Reconciler(engine).run();
        EXPECT_TRUE(report.problems.empty()) << report.problems.front();
        if (auto row = engine.registry().find_clone(id)) Cloner(engine).remove(id);
        EXPECT_EQ(
            su.scalar("SELECT count(*) FROM pg_database WHERE datname = 'tenant_" + id + "_db'"),
            "0")
            << "after kill " << i;
        EXPECT_EQ(su.scalar("SELECT count(*) FROM pg_roles WHERE rolname = 'tenant_" + id + "'"),
                  "0")
            << "after kill " << i;
        EXPECT_NO_THROW(Cloner(engine).create({id, "postgresql", "", ""})) << "after kill " << i;
        Cloner(engine).remove(id);
    }
    ::unsetenv("DBCLONE_PG_URL");
    EXPECT_GE(landed, 1) << "every create finished before its kill";
    RecordProperty("kills_landed_mid_create", landed);
    Cloner(engine).remove(base + "warm");
}
