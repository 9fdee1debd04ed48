// The random-kill suite (kill_suite.hpp) on a shared MariaDB, killing creates
// and removes.
#include <unistd.h>
#include <dbclone/core/cloner.hpp>

#include "kill_suite.hpp"
#include "mysql_session.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

struct MariadbKills : KillSuite {
    void run(KillPlan::Command command) {
        Engine engine(server_test_config(state.path(), "mysql", mysql_admin_url()));
        std::string base = "mk" + std::to_string(::getpid()) +
                           (command == KillPlan::Command::create ? "c_" : "r_");
        Cloner(engine).create({base + "warm", "mysql", "", ""});
        ::setenv("DBCLONE_MYSQL_URL", mysql_admin_url().c_str(), 1);
        MysqlSession admin;
        kill_twenty(engine, {"mysql", base, command}, [&](const std::string& id) {
            EXPECT_EQ(admin.scalar("SELECT count(*) FROM information_schema.SCHEMATA WHERE "
                                   "SCHEMA_NAME = 'tenant_" +
                                   id + "_db'"),
                      "0")
                << id;
            EXPECT_EQ(
                admin.scalar("SELECT count(*) FROM mysql.user WHERE user = 'tenant_" + id + "'"),
                "0")
                << id;
            EXPECT_EQ(admin.scalar("SELECT count(*) FROM dbclone_meta.tenants WHERE tenant_id = '" +
                                   id + "'"),
                      "0")
                << id;
        });
        ::unsetenv("DBCLONE_MYSQL_URL");
        Cloner(engine).remove(base + "warm");
    }
};

}  // namespace

TEST_F(MariadbKills, TwentyKillsOfACreateLeaveNoOrphans) {
    DBCLONE_REQUIRE_MYSQL();
    run(KillPlan::Command::create);
}

TEST_F(MariadbKills, TwentyKillsOfARemoveLeaveNoOrphans) {
    DBCLONE_REQUIRE_MYSQL();
    run(KillPlan::Command::remove);
}
