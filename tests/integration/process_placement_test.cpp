// Dedicated placement "process": a PostgreSQL server of the tenant's own, run by
// the process runtime on a clone of the golden data directory.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
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

bool can_log_in(const CloneRecord& as, uint32_t port, const std::string& database) {
    std::string conninfo = "host=127.0.0.1 port=" + std::to_string(port) + " dbname=" + database +
                           " user=" + as.user_name + " password=" + as.password +
                           " connect_timeout=5";
    PGconn* c = PQconnectdb(conninfo.c_str());
    bool ok = PQstatus(c) == CONNECTION_OK;
    PQfinish(c);
    return ok;
}

// Postgres processes whose command line names `dir`.
int servers_on(const fs::path& dir) {
    int n = 0;
    for (const auto& entry : fs::directory_iterator("/proc")) {
        std::string cmdline = file_text(entry.path() / "cmdline");
        bool server = cmdline.find("postgres") != std::string::npos ||
                      cmdline.find("mariadbd") != std::string::npos;
        if (server && cmdline.find(dir.string()) != std::string::npos) ++n;
    }
    return n;
}

struct ProcessPlacement : ::testing::Test {
    void SetUp() override {
        if (::geteuid() != 0)
            GTEST_SKIP()
                << "the process runtime runs PostgreSQL as user postgres, which needs root";
        if (!fs::exists("/usr/lib/postgresql"))
            GTEST_SKIP() << "PostgreSQL server binaries are not installed";
    }
    TempDir state;
    Engine& eng() {
        if (!engine) engine = std::make_unique<Engine>(test_config(state.path()));
        return *engine;
    }
    CloneRecord create(const std::string& id) {
        return Cloner(eng()).create({id, "postgresql", "v1.0", "process"});
    }
    void expect_nothing_left() {
        EXPECT_TRUE(eng().registry().clones().empty());
        EXPECT_TRUE(eng().registry().ports().empty());
        EXPECT_TRUE(files_below(state / "data/tenants").empty());
        EXPECT_EQ(servers_on(state / "data/tenants"), 0);
        auto servers = eng().runtime("process").list();
        ASSERT_TRUE(servers.has_value());
        EXPECT_TRUE(servers->empty()) << servers->front();
    }
    std::unique_ptr<Engine> engine;
};

}  // namespace

TEST_F(ProcessPlacement, TwoTenantsOnServersOfTheirOwn) {
    auto a = create("pa"), b = create("pb");
    EXPECT_NE(a.port, b.port);
    for (uint32_t port : {a.port, b.port}) {
        EXPECT_GE(port, 5434u);
        EXPECT_LE(port, 5500u);
    }
    EXPECT_TRUE(can_log_in(a, a.port, a.database_name));
    EXPECT_FALSE(can_log_in(a, b.port, b.database_name)) << "a's login on b's server";
    auto report = Verifier(eng()).verify("pa", {}, "pb");
    EXPECT_TRUE(report.ok()) << json::report_json(report);
    for (const auto& check : report.checks)
        if (check.name == "cross_tenant_access") {
            EXPECT_EQ(check.outcome, "passed") << check.details;
        }

    Cloner(eng()).stop("pa");
    EXPECT_FALSE(can_log_in(a, a.port, a.database_name));
    EXPECT_EQ(Verifier(eng()).verify("pa", {"connection"}).checks[0].outcome, "failed");
    Cloner(eng()).start("pa");
    EXPECT_TRUE(can_log_in(a, a.port, a.database_name));

    Cloner(eng()).remove("pa");
    Cloner(eng()).remove("pb");
    expect_nothing_left();
}

// Attack 6: every local user that reaches a dedicated server's socket. The OS
// user that runs the engine (postgres, mysql) once logged in there as the
// superuser without a password; now only dbclone's own OS user may, and a
// tenant login needs its password even on the socket.
TEST_F(ProcessPlacement, TheServersOsUserIsNoSuperuserOfATenantsServer) {
    auto a = create("sock_pg");
    std::string socket_dir = eng().run_dir(a.server).string();
    auto as_postgres = [&](const std::string& user) {
        return run_program({"runuser", "-u", "postgres", "--", "psql", "-h", socket_dir, "-p",
                            std::to_string(a.port), "-U", user, "-d", a.database_name, "-w", "-Atc",
                            "SELECT current_user"});
    };
    for (const char* user : {"postgres", "dbclone_root_owner"}) {
        auto r = as_postgres(user);
        EXPECT_NE(r.exit_code, 0) << user << " got in: " << r.out;
    }
    auto tenant = as_postgres(a.user_name);
    EXPECT_NE(tenant.exit_code, 0) << "a tenant login without its password: " << tenant.out;
    EXPECT_TRUE(Verifier(eng()).verify(a.tenant_id, {"connection"}).ok());

    if (fs::exists("/usr/sbin/mariadbd")) {
        auto m = Cloner(eng()).create({"sock_my", "mysql", "v1.0", "process"});
        std::string socket = eng().run_dir(m.server).string() + "/mysqld.sock";
        for (const char* user : {"mysql", "root"}) {
            auto r = run_program({"runuser", "-u", "mysql", "--", "mariadb", "--socket=" + socket,
                                  "-u", user, "-e", "SELECT CURRENT_USER()"});
            EXPECT_NE(r.exit_code, 0) << "OS user mysql got in as " << user << ": " << r.out;
        }
        Cloner(eng()).remove(m.tenant_id);
    }
    Cloner(eng()).remove(a.tenant_id);
    expect_nothing_left();
}

// MariaDB the same way: its root schema's tables move into the tenant's schema.
TEST_F(ProcessPlacement, MariadbTenantsOnServersOfTheirOwn) {
    if (!fs::exists("/usr/sbin/mariadbd"))
        GTEST_SKIP() << "MariaDB server binaries are not installed";
    auto a = Cloner(eng()).create({"ma", "mysql", "v1.0", "process"});
    auto b = Cloner(eng()).create({"mb", "mysql", "v1.0", "process"});
    EXPECT_NE(a.port, b.port);
    EXPECT_GE(a.port, 3309u);
    auto report = Verifier(eng()).verify("ma", {}, "mb");
    EXPECT_TRUE(report.ok()) << json::report_json(report);
    for (const auto& check : report.checks)
        if (check.name == "schema_integrity" || check.name == "cross_tenant_access" ||
            check.name == "data_isolation") {
            EXPECT_EQ(check.outcome, "passed") << check.name << ": " << check.details;
        }
    Cloner(eng()).stop("ma");
    EXPECT_EQ(Verifier(eng()).verify("ma", {"connection"}).checks[0].outcome, "failed");
    Cloner(eng()).start("ma");
    EXPECT_TRUE(Verifier(eng()).verify("ma", {"connection"}).ok());
    Cloner(eng()).remove("ma");
    Cloner(eng()).remove("mb");
    expect_nothing_left();
}

// dbclone killed with SIGKILL in the middle of a create; reconcile cleans up.
TEST_F(ProcessPlacement, KillNineMidCreateThenReconcileLeavesNothing) {
    Cloner(eng()).remove(create("warm").tenant_id);  // the golden data directory exists
    bool killed_mid_create = false;
    for (int attempt = 0; attempt < 3 && !killed_mid_create; ++attempt) {
        std::string id = "killed" + std::to_string(attempt);
        fs::path record =
            state / "plugins/process/servers" / ("dbclone_postgresql_tenant_" + id + ".json");
        kill_dbclone_when(
            {"--state-dir", state.path().string(), "--plugin-dir", DBCLONE_PLUGIN_DIR,
             "--roots-dir", DBCLONE_SOURCE_DIR "/config/roots", "create", id, "postgresql",
             "--placement", "process"},
            [&] { return fs::exists(record); }, std::chrono::seconds(30));
        auto row = eng().registry().find_clone(id);
        killed_mid_create = row && row->state == "creating";
    }
    ASSERT_TRUE(killed_mid_create) << "every create finished before the kill landed";
    auto report = Reconciler(eng()).run();
    EXPECT_TRUE(report.problems.empty()) << report.problems.front();
    expect_nothing_left();
}

// MariaDB 10.11 sent SIGTERM at some moments of its start never finishes
// starting nor stopping: the runtime must kill a server that is still
// starting outright, or the reconcile of a create killed then waits 10 s for
// the stop to time out. The moment is a race: ten creates are killed at ten
// points of their server's start (by the lines of its log), and none of the
// reconciles may take 5 s.
TEST_F(ProcessPlacement, AMariadbStillStartingIsStoppedAtOnce) {
    if (!fs::exists("/usr/sbin/mariadbd"))
        GTEST_SKIP() << "MariaDB server binaries are not installed";
    Cloner(eng()).remove(Cloner(eng()).create({"warm", "mysql", "v1.0", "process"}).tenant_id);
    int killed_while_starting = 0;
    for (size_t lines = 1; lines <= 10; ++lines) {
        std::string id = "starting" + std::to_string(lines);
        fs::path log = eng().run_dir("dbclone_mysql_tenant_" + id) / "error.log";
        kill_dbclone_when(
            {"--state-dir", state.path().string(), "--plugin-dir", DBCLONE_PLUGIN_DIR,
             "--roots-dir", DBCLONE_SOURCE_DIR "/config/roots", "create", id, "mysql",
             "--placement", "process"},
            [&] {
                std::ifstream in(log);
                size_t seen = 0;
                for (std::string line; seen < lines && std::getline(in, line);) ++seen;
                return seen == lines;
            },
            std::chrono::seconds(30));
        auto row = eng().registry().find_clone(id);
        if (row && row->state == "creating") ++killed_while_starting;
        auto start = std::chrono::steady_clock::now();
        auto report = Reconciler(eng()).run();
        EXPECT_TRUE(report.problems.empty()) << report.problems.front();
        EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5))
            << "the reconcile after a kill at line " << lines
            << " of the server's log waited for a server that cannot stop";
        if (eng().registry().find_clone(id)) Cloner(eng()).remove(id);
    }
    EXPECT_GE(killed_while_starting, 5) << "the creates finished before their servers started";
    expect_nothing_left();
}
