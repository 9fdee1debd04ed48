// The random-kill suite (kill_suite.hpp) on a shared FerretDB (MongoDB
// protocol), killing creates and removes.
#include <unistd.h>
#include <dbclone/core/cloner.hpp>

#include <cstdlib>

#include "kill_suite.hpp"
#include "mongo_inspector.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

struct FerretdbKills : KillSuite {
    void run(KillPlan::Command command) {
        const char* uri = std::getenv("DBCLONE_TEST_FERRETDB_URI");
        if (uri == nullptr)
            GTEST_SKIP() << "DBCLONE_TEST_FERRETDB_URI is not set: run scripts/services.sh start";
        Engine engine(server_test_config(state.path(), "mongodb", uri));
        std::string base = "fk" + std::to_string(::getpid()) +
                           (command == KillPlan::Command::create ? "c_" : "r_");
        Cloner(engine).create({base + "warm", "mongodb", "", ""});
        ::setenv("DBCLONE_MONGODB_URI", uri, 1);
        Inspector server(uri);
        kill_twenty(engine, {"mongodb", base, command}, [&](const std::string& id) {
            EXPECT_EQ(server.databases("tenant_" + id + "_"), std::vector<std::string>{}) << id;
        });
        ::unsetenv("DBCLONE_MONGODB_URI");
        Cloner(engine).remove(base + "warm");
    }
};

}  // namespace

TEST_F(FerretdbKills, TwentyKillsOfACreateLeaveNoOrphans) {
    run(KillPlan::Command::create);
}

TEST_F(FerretdbKills, TwentyKillsOfARemoveLeaveNoOrphans) {
    run(KillPlan::Command::remove);
}
