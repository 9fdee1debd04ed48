// What every attack on a server backend needs: an engine on that backend's
// test server, root images of the test's own, and a clean server afterwards
// (every tenant the test made removed, every golden copy of its root versions
// dropped).
#pragma once

#include <gtest/gtest.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/engine.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "root_images.hpp"
#include "test_support.hpp"

namespace dbclone::testing {

// `base` with this process's id: ctest runs test processes in parallel.
std::string unique(const std::string& base);

class ServerAttackFixture : public ::testing::Test {
  protected:
    explicit ServerAttackFixture(std::string backend) : backend_(std::move(backend)) {}
    // The admin URL of the backend's test server.
    virtual std::string admin_url() const = 0;
    // Drops the golden copy `name` behind dbclone's back.
    virtual void drop_golden(const std::string& name) = 0;
    void TearDown() override;

    Engine& eng();
    // A root version of this test's own holding `sql` for the backend.
    std::string root(const std::string& tag, const std::string& sql);
    CloneRecord create(const std::string& id, const std::string& version = "v1.0");
    // A second installation (state directory) on the same server tries tenant
    // `id`, which this one has: refused as a conflict, and its reconcile then
    // touches nothing.
    void expect_another_installation_refused(const std::string& id);
    // Each root (tag, SQL) fails its create with an error that names the root
    // file and quotes none of `secret_text`, and leaves no registry row.
    // A golden build (of a new root version) and a clone both succeed within
    // `limit`: nothing a tenant holds stalls provisioning.
    void expect_provisioning_within(std::chrono::seconds limit);
    // Building `version` gives up within `limit`, naming the build lock.
    void expect_build_gives_up(const std::string& version, std::chrono::seconds limit);
    // Each root fails to build, with an error that names the root file and
    // does not contain `secret_text` (a value in the roots), and leaves nothing.
    void expect_roots_refused(const std::vector<std::pair<std::string, std::string>>& roots,
                              const std::string& secret_text);

    TempDir state;
    RootImages roots;
    // Appended to the plugin's config object, e.g. R"(, "lock_timeout_s": 3)".
    std::string plugin_settings;

  private:
    std::string backend_;
    std::vector<std::string> versions_;
    std::unique_ptr<Engine> engine_;
};

}  // namespace dbclone::testing
