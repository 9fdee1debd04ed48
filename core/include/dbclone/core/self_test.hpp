// `dbclone test`: the system's self-test. For each selected database type it
// creates tenants alpha_test_001 and beta_test_002 and runs tests in ten
// categories (prerequisites, root image validation, port management, runtime,
// clone creation, isolation, data leakage, performance, lifecycle, cleanup),
// each with its outcome, duration and details.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "dbclone/core/engine.hpp"

namespace dbclone {

struct SelfTestOptions {
    std::vector<std::string> types;  // empty: every loaded backend
    std::string placement;           // empty: each type's natural placement
    bool cleanup = false;            // remove what was created even when a test fails
};

struct SelfTestCase {
    std::string name;
    std::string category;
    std::string outcome;  // passed, failed, error, not_applicable, not_enforced
    std::string details;
    double duration_ms = 0;
};

struct SelfTestReport {
    std::vector<SelfTestCase> tests;
    std::vector<std::string> clones_created;  // "type/tenant"
    bool isolation_verified = false;
    size_t passed() const;
    size_t failed() const;  // failed or error
    std::string json() const;
};

class SelfTest {
  public:
    explicit SelfTest(Engine& engine) : engine_(engine) {}
    // Runs the self-test; `progress` is told about each test as it finishes.
    SelfTestReport run(const SelfTestOptions& options,
                       const std::function<void(const SelfTestCase&)>& progress = {});

  private:
    Engine& engine_;
};

}  // namespace dbclone
