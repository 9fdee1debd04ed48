// The random-kill suite (kill_suite.hpp) on SQLite and on a shared PostgreSQL,
// killing creates and removes.
#include <unistd.h>
#include <dbclone/core/cloner.hpp>

#include "kill_suite.hpp"
#include "pg_session.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

using Command = KillPlan::Command;

struct SqliteKills : KillSuite {
    void run(Command command) {
        Engine engine(test_config(state.path()));
        Cloner(engine).create({"warm", "sqlite", "", ""});
        kill_twenty(engine, {"sqlite", "k", command}, [&](const std::string& id) {
            EXPECT_EQ(files_below(state / "plugins/sqlite/clones"),
                      std::vector<std::string>{"tenant_warm_db.sqlite"})
                << id;
        });
    }
};

struct PostgresqlKills : KillSuite {
    void run(Command command) {
        Engine engine(server_test_config(state.path(), "postgresql", pg_admin_url()));
        std::string base =
            "pk" + std::to_string(::getpid()) + (command == Command::create ? "c_" : "r_");
        Cloner(engine).create({base + "warm", "postgresql", "", ""});
        ::setenv("DBCLONE_PG_URL", pg_admin_url().c_str(), 1);
        PgSession su(pg_superuser_url());
        kill_twenty(engine, {"postgresql", base, command}, [&](const std::string& id) {
            EXPECT_EQ(su.scalar("SELECT count(*) FROM pg_database WHERE datname = 'tenant_" + id +
                                "_db'"),
                      "0")
                << id;
            EXPECT_EQ(
                su.scalar("SELECT count(*) FROM pg_roles WHERE rolname = 'tenant_" + id + "'"), "0")
                << id;
        });
        ::unsetenv("DBCLONE_PG_URL");
        Cloner(engine).remove(base + "warm");
    }
};

}  // namespace

TEST_F(SqliteKills, TwentyKillsOfACreateLeaveNoOrphans) {
    run(Command::create);
}

TEST_F(SqliteKills, TwentyKillsOfARemoveLeaveNoOrphans) {
    run(Command::remove);
}

TEST_F(PostgresqlKills, TwentyKillsOfACreateLeaveNoOrphans) {
    DBCLONE_REQUIRE_POSTGRESQL();
    run(Command::create);
}

TEST_F(PostgresqlKills, TwentyKillsOfARemoveLeaveNoOrphans) {
    DBCLONE_REQUIRE_POSTGRESQL();
    run(Command::remove);
}
