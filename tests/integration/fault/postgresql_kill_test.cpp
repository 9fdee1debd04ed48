// dbclone killed with SIGKILL while the server copies a tenant's database: the
// server's session runs on after the client died. One reconcile must end it,
// and no database may appear afterwards; the id must be usable again.
#include <gtest/gtest.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/reconciler.hpp>

#include <chrono>
#include <thread>

#include "pg_session.hpp"
#include "test_support.hpp"

using namespace dbclone;
using namespace dbclone::testing;

TEST(PostgresqlKill, AKillDuringCreateDatabaseLeavesNoDatabaseAfterOneReconcile) {
    DBCLONE_REQUIRE_POSTGRESQL();
    TempDir state;
    Engine engine(server_test_config(state.path(), "postgresql", pg_admin_url()));
    Cloner(engine).create({"warm_" + std::to_string(::getpid()), "postgresql", "v1.0", ""});
    PgSession su(pg_superuser_url());
    ::setenv("DBCLONE_PG_URL", pg_admin_url().c_str(), 1);
    int landed = 0;
    for (int attempt = 0; attempt < 8 && landed < 3; ++attempt) {
        std::string id = "pgkill" + std::to_string(attempt) + "_" + std::to_string(::getpid());
        std::string database = "tenant_" + id + "_db";
        kill_dbclone_when(
            {"--state-dir", state.path().string(), "--plugin-dir", DBCLONE_PLUGIN_DIR, "create", id,
             "postgresql", "--strategy", "file_copy"},
            [&] {
                return su.scalar(
                           "SELECT count(*) FROM pg_stat_activity WHERE "
                           "state = 'active' AND query LIKE "
                           "'CREATE DATABASE \"" +
                           database + "\"%'") != "0";
            },
            std::chrono::seconds(30));
        auto row = engine.registry().find_clone(id);
        if (!row || row->state != "creating") {
            if (row) Cloner(engine).remove(id);
            continue;  // the create finished before the kill landed
        }
        ++landed;
        auto report = Reconciler(engine).run();
        EXPECT_TRUE(report.problems.empty()) << report.problems.front();
        EXPECT_FALSE(engine.registry().find_clone(id));
        // The dead client's copy would have finished by now.
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        EXPECT_EQ(su.scalar("SELECT count(*) FROM pg_database WHERE datname = '" + database + "'"),
                  "0")
            << "a database appeared after the reconcile";
        EXPECT_NO_THROW(Cloner(engine).create({id, "postgresql", "v1.0", ""}));
        Cloner(engine).remove(id);
    }
    ::unsetenv("DBCLONE_PG_URL");
    EXPECT_GE(landed, 1) << "no kill landed while the server copied the database";
    for (const auto& row : engine.registry().clones()) Cloner(engine).remove(row.tenant_id);
}

// A remove killed while its DROP ROLE waits for a lock: the server session
// waits on, and drops the role as soon as the lock is free. The reconcile that
// follows must end that session first, or both drop the same role and the
// reconcile fails ("tuple concurrently deleted", "role does not exist").
TEST(PostgresqlKill, AKillWhileARemoveWaitsForTheRoleLeavesNothingAfterOneReconcile) {
    DBCLONE_REQUIRE_POSTGRESQL();
    TempDir state;
    Engine engine(server_test_config(state.path(), "postgresql", pg_admin_url()));
    std::string id = "pgrmkill_" + std::to_string(::getpid());
    std::string role = "tenant_" + id;
    Cloner(engine).create({id, "postgresql", "v1.0", ""});
    PgSession su(pg_superuser_url());
    // COMMENT ON ROLE locks the role until the transaction ends; DROP ROLE waits.
    PgSession blocker(pg_superuser_url());
    ASSERT_FALSE(blocker.error_of("BEGIN"));
    ASSERT_FALSE(blocker.error_of("COMMENT ON ROLE \"" + role + "\" IS 'held by the test'"));
    ::setenv("DBCLONE_PG_URL", pg_admin_url().c_str(), 1);
    kill_dbclone_when(
        {"--state-dir", state.path().string(), "--plugin-dir", DBCLONE_PLUGIN_DIR, "remove", id,
         "--force"},
        [&] {
            return su.scalar(
                       "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                       "'Lock' AND query LIKE '%DROP ROLE IF EXISTS \"" +
                       role + "\"%'") != "0";
        },
        std::chrono::seconds(30));
    ::unsetenv("DBCLONE_PG_URL");
    auto row = engine.registry().find_clone(id);
    ASSERT_TRUE(row && row->state == "removing") << "the remove was not killed mid-drop";
    // The lock is freed while the reconcile runs, as a real lock would be.
    std::thread release([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(700));
        blocker.error_of("ROLLBACK");
    });
    auto report = Reconciler(engine).run();
    release.join();
    EXPECT_TRUE(report.problems.empty()) << report.problems.front();
    EXPECT_FALSE(engine.registry().find_clone(id));
    EXPECT_EQ(su.scalar("SELECT count(*) FROM pg_roles WHERE rolname = '" + role + "'"), "0");
    EXPECT_NO_THROW(Cloner(engine).create({id, "postgresql", "v1.0", ""}));
    Cloner(engine).remove(id);
}
