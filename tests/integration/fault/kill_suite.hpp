// SIGKILL at random points of `dbclone create` or `dbclone remove` until 20
// kills have landed while the command worked: after each kill, one reconcile
// must leave zero orphans and the same id must be creatable again. Each
// engine's test says what "no orphan" means on its server.
#pragma once

#include <gtest/gtest.h>
#include <dbclone/core/engine.hpp>

#include <chrono>
#include <functional>
#include <random>
#include <string>

#include "test_support.hpp"

namespace dbclone::testing {

// What is killed: runs of `command` for the tenant `base`0 of `type` (each
// create after the last one's reconcile, each remove of a new create), each
// killed after a random delay from the moment the command marked its row
// ("creating", "removing"), below the shortest time the command took from that
// mark to its end, on a first run that was not killed and on every run that
// finished before its kill.
struct KillPlan {
    enum class Command { create, remove };
    std::string type;
    std::string base;
    Command command = Command::create;
    std::string placement = "";  // passed to create as --placement when not empty
    std::string version = "";    // passed to create as --version when not empty
    // Run before each kill: a test of golden builds forgets the golden copy
    // here, so that each create builds it again.
    std::function<void()> before_each = nullptr;
};

struct KillSuite : ::testing::Test {
    TempDir state;
    // The roots the killed commands see (a test with versions of its own
    // points this at its RootImages).
    std::filesystem::path roots_dir = std::filesystem::path(DBCLONE_SOURCE_DIR) / "config/roots";
    // More options for the killed commands (a --config with the engine's
    // plugin settings, say), before the command.
    std::vector<std::string> cli_args;
    std::mt19937 random{std::random_device{}()};

    // Runs the plan until 20 kills have landed in the middle of the command's
    // work (at most 60 runs and 6 minutes); after each kill, one reconcile and
    // the checks: `expect_gone(id)` for the server's objects, the registry's
    // rows and ports, and a new create of the id. A remove is run on the tenant
    // first (in-process) when it is given and the kill found nothing to finish.
    // Records the runs (property kills) and the kills that landed
    // (kills_landed), and the untouched run's time (work_ms).
    void kill_twenty(Engine& engine, const KillPlan& plan,
                     const std::function<void(const std::string&)>& expect_gone);
};

}  // namespace dbclone::testing
