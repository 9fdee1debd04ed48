// The random-kill suite (kill_suite.hpp) on the dedicated placements: a server
// of the tenant's own, as a process or in a container, for PostgreSQL and
// MariaDB. Orphans here are servers, containers, data directories, run
// directories and ports. (Run serially: real ports.)
#include <unistd.h>
#include <dbclone/core/cloner.hpp>

#include <cstdlib>
#include <fstream>
#include <tuple>

#include "kill_suite.hpp"

using namespace dbclone;
using namespace dbclone::testing;

namespace {

using Command = KillPlan::Command;

std::string docker_image() {
    const char* v = std::getenv("DBCLONE_TEST_DOCKER_IMAGE");
    return v != nullptr ? v : "";
}

// (placement, engine, command)
struct DedicatedKills
    : KillSuite,
      ::testing::WithParamInterface<std::tuple<std::string, std::string, Command>> {
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "dedicated servers run as their own OS users";
        if (placement() == "docker" && docker_image().empty())
            GTEST_SKIP() << "DBCLONE_TEST_DOCKER_IMAGE is not set: run scripts/services.sh start";
    }
    std::string placement() const { return std::get<0>(GetParam()); }
    std::string type() const { return std::get<1>(GetParam()); }
};

}  // namespace

TEST_P(DedicatedKills, TwentyKillsLeaveNoOrphans) {
    Config config = test_config(state.path());
    config.plugin_settings["docker"] =
        R"({"images": {")" + type() + R"(": ")" + docker_image() + R"("}, "memory_mb": 256})";
    // The killed commands run on the same settings.
    auto config_file = state / "dbclone.json";
    std::ofstream(config_file) << R"({"port_config": ")" DBCLONE_SOURCE_DIR
                                  R"(/config/port_config.json", "plugins": {"docker": )"
                               << config.plugin_settings["docker"] << "}}";
    cli_args = {"--config", config_file.string()};
    Engine engine(config);
    Cloner(engine).create({"warm", type(), "v1.0", placement()});
    kill_twenty(
        engine, {type(), "pk", std::get<2>(GetParam()), placement()}, [&](const std::string& id) {
            EXPECT_EQ(files_below(state / "data/tenants" / id), std::vector<std::string>{}) << id;
            EXPECT_FALSE(
                std::filesystem::exists(engine.run_dir("dbclone_" + type() + "_tenant_" + id)))
                << id;
            auto servers = engine.runtime(placement()).list();
            ASSERT_TRUE(servers.has_value());
            EXPECT_EQ(servers->size(), 1u) << "a server besides warm's after killing " << id;
            EXPECT_EQ(engine.registry().ports().size(), 1u) << id;
        });
    Cloner(engine).remove("warm");
}

INSTANTIATE_TEST_SUITE_P(Placements, DedicatedKills,
                         ::testing::Values(std::tuple{"process", "postgresql", Command::create},
                                           std::tuple{"process", "postgresql", Command::remove},
                                           std::tuple{"process", "mysql", Command::create},
                                           std::tuple{"process", "mysql", Command::remove},
                                           std::tuple{"docker", "postgresql", Command::create},
                                           std::tuple{"docker", "postgresql", Command::remove},
                                           std::tuple{"docker", "mysql", Command::create},
                                           std::tuple{"docker", "mysql", Command::remove}),
                         [](const auto& info) {
                             return std::get<0>(info.param) + "_" + std::get<1>(info.param) +
                                    (std::get<2>(info.param) == Command::create ? "_create"
                                                                                : "_remove");
                         });
