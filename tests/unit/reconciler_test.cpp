#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/reconciler.hpp>

#include <fstream>

#include "test_support.hpp"

using namespace dbclone;
using dbclone::testing::files_below;
using dbclone::testing::TempDir;

namespace {

// The pid of a process that has exited.
int64_t dead_pid() {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    ::waitpid(pid, nullptr, 0);
    return pid;
}

}  // namespace

TEST(Reconciler, CleansStuckRowsOrphanFilesAndPorts) {
    TempDir state;
    Engine engine(dbclone::testing::test_config(state.path()));
    auto kept = Cloner(engine).create({"kept", "sqlite", "", ""});
    // A create that died after cloning: row `creating`, owner gone, file present.
    auto stuck = Cloner(engine).create({"stuck", "sqlite", "", ""});
    stuck.state = "creating";
    stuck.owner_pid = dead_pid();
    engine.registry().update_clone(stuck);
    // A file no row knows, and a port no clone owns.
    auto clones = state / "plugins/sqlite/clones";
    std::filesystem::copy_file(kept.location, clones / "tenant_orphan_db.sqlite");
    engine.registry().insert_port({5434, "postgresql", "ghost", ""});
    // A create in progress in a live process must be left alone.
    auto busy = Cloner(engine).create({"busy", "sqlite", "", ""});
    busy.state = "creating";
    busy.owner_pid = ::getpid();
    engine.registry().update_clone(busy);

    auto report = Reconciler(engine).run();
    EXPECT_TRUE(report.problems.empty()) << report.problems.front();
    EXPECT_EQ(report.actions.size(), 3u);
    EXPECT_EQ(files_below(clones),
              (std::vector<std::string>{"tenant_busy_db.sqlite", "tenant_kept_db.sqlite"}));
    EXPECT_FALSE(engine.registry().find_clone("stuck"));
    EXPECT_TRUE(engine.registry().find_clone("busy"));
    EXPECT_TRUE(engine.registry().ports().empty());
    EXPECT_TRUE(Reconciler(engine).run().actions.empty()) << "a second run finds nothing";
}

// A registry that lost rows (an old backup restored) must not take the
// tenants it forgot for orphans and delete them all: beyond a quarter of what
// it knows, reconcile leaves them and says so, unless forced.
TEST(Reconciler, LeavesManyOrphansAloneUnlessForced) {
    TempDir state;
    Engine engine(dbclone::testing::test_config(state.path()));
    for (const char* id : {"k1", "k2", "k3", "k4", "f1", "f2", "f3"})
        Cloner(engine).create({id, "sqlite", "", ""});
    for (const char* id : {"f1", "f2", "f3"}) engine.registry().delete_clone(id);  // forgotten
    auto clones = state / "plugins/sqlite/clones";
    auto report = Reconciler(engine).run();
    EXPECT_TRUE(report.actions.empty()) << report.actions.front();
    ASSERT_EQ(report.problems.size(), 1u);
    EXPECT_NE(report.problems[0].find("reconcile --force"), std::string::npos)
        << report.problems[0];
    EXPECT_EQ(files_below(clones).size(), 7u);
    report = Reconciler(engine, true).run();
    EXPECT_EQ(report.actions.size(), 3u);
    EXPECT_EQ(files_below(clones).size(), 4u);
}

// A registry started anew (--init) beside old tenant files deletes none of them.
TEST(Reconciler, ANewRegistryDeletesNothing) {
    TempDir state;
    {
        Engine engine(dbclone::testing::test_config(state.path()));
        Cloner(engine).create({"old", "sqlite", "", ""});
    }
    std::filesystem::remove(state / "dbclone.db");
    auto config = dbclone::testing::test_config(state.path());
    config.init_registry = true;
    Engine engine(config);
    auto report = Reconciler(engine, true).run();
    EXPECT_TRUE(report.actions.empty()) << report.actions.front();
    EXPECT_EQ(files_below(state / "plugins/sqlite/clones").size(), 1u);
}
