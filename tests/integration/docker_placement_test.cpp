// Dedicated placement "docker": a server of the tenant's own in a container,
// run through the Docker Engine API by the docker runtime, on the offline test
// image (scripts/build-test-image.sh) and the dockerd scripts/services.sh starts.
#include <gtest/gtest.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/core/json.hpp>
#include <dbclone/core/reconciler.hpp>
#include <dbclone/core/record_json.hpp>
#include <dbclone/core/verifier.hpp>

#include <chrono>
#include <fstream>

#include "test_support.hpp"

using namespace dbclone;
using namespace dbclone::testing;
namespace fs = std::filesystem;

namespace {

std::string image() {
    const char* v = std::getenv("DBCLONE_TEST_DOCKER_IMAGE");
    return v != nullptr ? v : "";
}

// `docker inspect -f FORMAT NAME`'s output, trimmed (the test inspects with the
// CLI; the runtime itself speaks the Engine API).
std::string inspect(const std::string& name, const std::string& format) {
    auto r = run_program({"docker", "inspect", "-f", format, name});
    std::string out = r.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return r.exit_code == 0 ? out : "";
}

struct DockerPlacement : ::testing::TestWithParam<std::string> {
    void SetUp() override {
        if (image().empty())
            GTEST_SKIP() << "DBCLONE_TEST_DOCKER_IMAGE is not set: run scripts/services.sh start";
        if (::geteuid() != 0)
            GTEST_SKIP() << "data directories for the containers need root to prepare";
    }
    TempDir state;
    Engine& eng() {
        if (!engine) {
            Config c = test_config(state.path());
            c.plugin_settings["docker"] = R"({"images": {"postgresql": ")" + image() +
                                          R"(", "mysql": ")" + image() + R"("}, "memory_mb": 256})";
            engine = std::make_unique<Engine>(c);
        }
        return *engine;
    }
    CloneRecord create(const std::string& id) {
        return Cloner(eng()).create({id, GetParam(), "v1.0", "docker"});
    }
    // The container of a server: its name carries this installation's id.
    std::string container(const std::string& server) {
        return server + "-" + eng().registry().installation_id();
    }
    std::string tenant_container(const std::string& tenant) {
        return container("dbclone_" + GetParam() + "_tenant_" + tenant);
    }
    void expect_nothing_left(const std::vector<std::string>& tenants) {
        EXPECT_TRUE(eng().registry().clones().empty());
        EXPECT_TRUE(eng().registry().ports().empty());
        EXPECT_TRUE(files_below(state / "data/tenants").empty());
        for (const auto& t : tenants)
            EXPECT_EQ(inspect(tenant_container(t), "{{.Name}}"), "") << t << " container";
    }
    std::unique_ptr<Engine> engine;
};

}  // namespace

TEST_P(DockerPlacement, ContainersOfTheirOwnIsolatedAndOnLoopbackOnly) {
    std::string a_id = "da" + std::to_string(::getpid()), b_id = "db" + std::to_string(::getpid());
    auto a = create(a_id), b = create(b_id);
    EXPECT_EQ(a.server, "dbclone_" + GetParam() + "_tenant_" + a_id);
    std::string a_name = container(a.server), b_name = container(b.server);
    EXPECT_EQ(inspect(a_name, "{{index .Config.Labels \"dbclone.managed\"}}"), "true");
    EXPECT_EQ(inspect(a_name, "{{index .Config.Labels \"dbclone.installation\"}}"),
              eng().registry().installation_id());
    EXPECT_EQ(inspect(a_name, "{{index .Config.Labels \"dbclone.tenant\"}}"), a_id);
    EXPECT_EQ(inspect(a_name, "{{index .Config.Labels \"dbclone.root_version\"}}"), "v1.0");
    EXPECT_EQ(inspect(a_name, "{{.HostConfig.Memory}}"), std::to_string(256 << 20));
    // Hardened: no capability, none to gain, a pids limit, a read-only root.
    EXPECT_EQ(inspect(a_name, "{{.HostConfig.CapDrop}}"), "[ALL]");
    EXPECT_EQ(inspect(a_name, "{{.HostConfig.SecurityOpt}}"), "[no-new-privileges:true]");
    EXPECT_EQ(inspect(a_name, "{{.HostConfig.PidsLimit}}"), "256");
    EXPECT_EQ(inspect(a_name, "{{.HostConfig.ReadonlyRootfs}}"), "true");
    EXPECT_EQ(inspect(a_name, "{{.State.Status}}"), "running") << "the server runs so confined";
    std::string port = std::to_string(a.port) + "/tcp";
    EXPECT_EQ(
        inspect(a_name, "{{(index (index .NetworkSettings.Ports \"" + port + "\") 0).HostIp}}"),
        "127.0.0.1")
        << "published on loopback only";
    EXPECT_EQ(
        inspect("dbclone_tenants", "{{index .Options \"com.docker.network.bridge.enable_icc\"}}"),
        "false");

    auto report = Verifier(eng()).verify(a_id, {}, b_id);
    EXPECT_TRUE(report.ok()) << json::report_json(report);
    for (const auto& check : report.checks)
        if (check.name == "cross_tenant_access" || check.name == "container_isolation") {
            EXPECT_EQ(check.outcome, "passed") << check.name << ": " << check.details;
        }

    // From A's container, B's container and port must be unreachable.
    std::string b_ip = inspect(b_name, "{{.NetworkSettings.Networks.dbclone_tenants.IPAddress}}");
    ASSERT_FALSE(b_ip.empty());
    auto reach = run_program({"docker", "exec", a_name, "timeout", "3", "bash", "-c",
                              "exec 3<>/dev/tcp/" + b_ip + "/" + std::to_string(b.port)});
    EXPECT_NE(reach.exit_code, 0) << "A reached B's server at " << b_ip;
    // The same probe does reach A's own server: it can tell the two apart.
    auto own = run_program({"docker", "exec", a_name, "timeout", "3", "bash", "-c",
                            "exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(a.port)});
    EXPECT_EQ(own.exit_code, 0) << own.err;

    Cloner(eng()).stop(a_id);
    EXPECT_EQ(inspect(a_name, "{{.State.Status}}"), "exited");
    Cloner(eng()).start(a_id);
    EXPECT_TRUE(Verifier(eng()).verify(a_id, {"connection"}).ok());

    Cloner(eng()).remove(a_id);
    Cloner(eng()).remove(b_id);
    expect_nothing_left({a_id, b_id});
}

// dbclone killed with SIGKILL once the container exists; reconcile removes it.
TEST_P(DockerPlacement, KillNineMidCreateThenReconcileLeavesNothing) {
    Cloner(eng()).remove(
        create("warm" + std::to_string(::getpid())).tenant_id);  // golden data directory
    std::string id = "killed" + std::to_string(::getpid());
    std::string name = tenant_container(id);
    fs::path config = state / "dbclone.json";
    std::ofstream(config) << R"({"roots_dir": ")" DBCLONE_SOURCE_DIR
                             R"(/config/roots", "port_config": ")" DBCLONE_SOURCE_DIR
                             R"(/config/port_config.json", "plugins": {"docker": {"images": {")"
                          << GetParam() << R"(": ")" << image() << R"("}}}})";
    kill_dbclone_when(
        {"--config", config.string(), "--state-dir", state.path().string(), "--plugin-dir",
         DBCLONE_PLUGIN_DIR, "create", id, GetParam(), "--placement", "docker"},
        [&] { return !inspect(name, "{{.Name}}").empty(); }, std::chrono::seconds(60));
    auto row = eng().registry().find_clone(id);
    ASSERT_TRUE(row && row->state == "creating") << "the create finished before the kill landed";
    EXPECT_FALSE(inspect(name, "{{.Name}}").empty()) << "the container was left behind";
    auto report = Reconciler(eng()).run();
    EXPECT_TRUE(report.problems.empty()) << report.problems.front();
    expect_nothing_left({id});
}

// Two state directories on one Docker engine, with the same tenant id in each:
// each reconcile and remove touches only its own installation's container.
TEST_P(DockerPlacement, TwoInstallationsOnOneEngineNeverTouchEachOther) {
    std::string id = "twin" + std::to_string(::getpid());
    auto mine = create(id);
    TempDir other_state;
    Config c = test_config(other_state.path());
    c.plugin_settings["docker"] = R"({"images": {")" + GetParam() + R"(": ")" + image() + R"("}})";
    Engine other(c);
    auto theirs = Cloner(other).create({id, GetParam(), "v1.0", "docker"});
    std::string their_container = theirs.server + "-" + other.registry().installation_id();
    ASSERT_NE(their_container, tenant_container(id));

    // The other installation's reconcile sees a container its registry does not
    // know (ours) on the same engine, and must leave it alone.
    auto report = Reconciler(other).run();
    EXPECT_TRUE(report.problems.empty()) << report.problems.front();
    for (const auto& action : report.actions) ADD_FAILURE() << "other's reconcile: " << action;
    EXPECT_EQ(inspect(tenant_container(id), "{{.State.Status}}"), "running");
    // And ours leaves theirs alone.
    report = Reconciler(eng()).run();
    for (const auto& action : report.actions) ADD_FAILURE() << "our reconcile: " << action;
    EXPECT_EQ(inspect(their_container, "{{.State.Status}}"), "running");

    Cloner(other).remove(id);
    EXPECT_EQ(inspect(their_container, "{{.Name}}"), "");
    EXPECT_EQ(inspect(tenant_container(id), "{{.State.Status}}"), "running");
    EXPECT_TRUE(Verifier(eng()).verify(mine.tenant_id, {"connection"}).ok());
    Cloner(eng()).remove(id);
    expect_nothing_left({id});
}

INSTANTIATE_TEST_SUITE_P(Engines, DockerPlacement, ::testing::Values("postgresql", "mysql"));
