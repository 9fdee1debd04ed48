// The random-kill suite (kill_suite.hpp) on the process placement: a
// PostgreSQL server of the tenant's own. Orphans here are servers, data
// directories, run directories and ports. (Run serially: real ports.)
#include <unistd.h>
#include <dbclone/core/cloner.hpp>

#include "kill_suite.hpp"

using namespace dbclone;
using namespace dbclone::testing;

TEST_F(KillSuite, TwentyKillsOfAProcessPlacementCreateLeaveNoOrphans) {
    if (::geteuid() != 0) GTEST_SKIP() << "the process runtime runs postgres as its user";
    if (!std::filesystem::exists("/usr/lib/postgresql"))
        GTEST_SKIP() << "PostgreSQL server binaries are not installed";
    Engine engine(test_config(state.path()));
    Cloner(engine).create({"warm", "postgresql", "v1.0", "process"});
    kill_twenty(
        engine, "postgresql", "pk", std::chrono::milliseconds(1500),
        [&](const std::string& id) {
            EXPECT_EQ(files_below(state / "data/tenants" / id), std::vector<std::string>{}) << id;
            auto servers = engine.runtime("process").list();
            ASSERT_TRUE(servers.has_value());
            EXPECT_EQ(servers->size(), 1u) << "a server besides warm's after killing " << id;
            EXPECT_EQ(engine.registry().ports().size(), 1u) << id;
        },
        "process");
    Cloner(engine).remove("warm");
}
