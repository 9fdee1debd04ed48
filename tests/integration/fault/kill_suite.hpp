// SIGKILL at random points of `dbclone create`, 20 times: after each kill, one
// reconcile must leave zero orphans and the same id must be creatable again.
// Each engine's test says what "no orphan" means on its server.
#pragma once

#include <gtest/gtest.h>
#include <dbclone/core/engine.hpp>

#include <chrono>
#include <functional>
#include <random>
#include <string>

#include "test_support.hpp"

namespace dbclone::testing {

struct KillSuite : ::testing::Test {
    TempDir state;
    std::mt19937 random{std::random_device{}()};

    // Twenty creates of `type` (ids `base`0 .. `base`19), each killed after a
    // random delay below `longest`, each followed by one reconcile and the
    // checks: `expect_gone(id)` for the server's objects, the registry's rows
    // and ports, and a new create of the id. Records how many kills landed
    // before the create finished (property kills_landed_mid_create).
    // `placement` is passed to create as --placement when not empty.
    void kill_twenty(Engine& engine, const std::string& type, const std::string& base,
                     std::chrono::microseconds longest,
                     const std::function<void(const std::string&)>& expect_gone,
                     const std::string& placement = "");
};

}  // namespace dbclone::testing
