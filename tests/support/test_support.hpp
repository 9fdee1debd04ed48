// Helpers shared by the test suites: temporary directories, a Config that points
// at the build tree, and running the built `dbclone` binary.
#pragma once

#include <dbclone/core/config.hpp>
#include <dbclone/core/registry.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace dbclone::testing {

// A fresh directory under $TMPDIR, removed with everything in it at destruction.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

// The whole of the file at `path`; "" if it cannot be read.
std::string file_text(const std::filesystem::path& path);

// A btrfs filesystem of `megabytes` (a sparse image) on a loop device,
// mounted in a temp directory while this lives. Needs root, mkfs.btrfs and
// loop devices; why_not() says which is missing.
class LoopBtrfs {
  public:
    explicit LoopBtrfs(uint64_t megabytes = 300);
    ~LoopBtrfs();
    LoopBtrfs(const LoopBtrfs&) = delete;
    LoopBtrfs& operator=(const LoopBtrfs&) = delete;
    std::filesystem::path mount_point() const { return dir_ / "mnt"; }
    const std::string& why_not() const { return why_not_; }
    bool ready() const { return mounted_; }
    // Lets other users (the servers run as postgres) pass through the mount
    // point and the temporary directories above it.
    void let_servers_in() const;

  private:
    TempDir dir_;
    bool mounted_ = false;
    std::string why_not_;
};

// A Config using `state_dir`, the source tree's roots and port config, and the
// build's plugin directory (plus `extra_plugin_dirs`, searched first).
Config test_config(const std::filesystem::path& state_dir,
                   std::vector<std::filesystem::path> extra_plugin_dirs = {});

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs the built dbclone with `args` (argv, no shell), stdin from /dev/null.
CommandResult run_dbclone(const std::vector<std::string>& args);

// Runs any program (argv[0] looked up in PATH), capturing its output.
CommandResult run_program(const std::vector<std::string>& argv);

// Starts the built dbclone with `args` (argv, no shell) and kills it with
// SIGKILL as soon as `reached()` is true (polled every 200 us) or after
// `timeout`; returns once it is gone, with the shared memory segment libmongoc
// leaves behind a killed process removed: true when it was killed, false when
// it had exited by itself first. For tests of what a crash leaves behind.
bool kill_dbclone_when(const std::vector<std::string>& args, const std::function<bool()>& reached,
                       std::chrono::milliseconds timeout);

// Forks `count` processes that run body(0) .. body(count - 1) at the same time;
// a child exits 0 when its body returns and 1 when it throws. Returns each child's
// exit status, in order.
std::vector<int> run_in_processes(int count, const std::function<void(int)>& body);

// Files below `dir`, relative, sorted (empty when it does not exist).
std::vector<std::string> files_below(const std::filesystem::path& dir);

}  // namespace dbclone::testing

namespace dbclone {
class Engine;
}

namespace dbclone::testing {

// What `engine`'s backends name the golden copy of `version` on a shared server.
std::string shared_golden_name(Engine& engine, const std::string& version);

// Environment variable `name`, or "" when it is not set.
std::string env(const char* name);

// $DBCLONE_TEST_PG_URL (an admin with CREATEDB and CREATEROLE), or "" when unset.
std::string pg_admin_url();

// `tenant` with its query login (query_user, query_password) in place of its
// owner's, for the sessions of pg_session.hpp and mysql_session.hpp.
CloneRecord as_query_login(CloneRecord tenant);
// $DBCLONE_TEST_PG_SUPERUSER_URL, for test set-up behind dbclone's back.
std::string pg_superuser_url();

// $DBCLONE_TEST_MYSQL_URL (an admin with all privileges), or "" when unset.
std::string mysql_admin_url();

// test_config() with `backend`'s plugin pointed at the server `url`.
Config server_test_config(const std::filesystem::path& state_dir, const std::string& backend,
                          const std::string& url);

}  // namespace dbclone::testing

// Skips the test, saying why, when scripts/services.sh has not provided a
// PostgreSQL server (scripts/test.sh always does).
#define DBCLONE_REQUIRE_MYSQL()                                                                 \
    do {                                                                                        \
        if (dbclone::testing::mysql_admin_url().empty())                                        \
            GTEST_SKIP() << "DBCLONE_TEST_MYSQL_URL is not set: run scripts/services.sh start " \
                            "and source its env file";                                          \
    } while (0)

#define DBCLONE_REQUIRE_POSTGRESQL()                                                         \
    do {                                                                                     \
        if (dbclone::testing::pg_admin_url().empty())                                        \
            GTEST_SKIP() << "DBCLONE_TEST_PG_URL is not set: run scripts/services.sh start " \
                            "and source its env file";                                       \
    } while (0)
