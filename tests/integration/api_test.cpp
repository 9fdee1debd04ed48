// The REST API, driven over real HTTP against a `dbclone serve` process.
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dbclone/core/json.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "test_support.hpp"

extern char** environ;

using namespace dbclone::testing;
namespace http = boost::beast::http;

namespace {

struct Reply {
    unsigned status = 0;
    std::string body;
    std::string retry_after;  // the header, when the server sent one
};

// A `dbclone serve` on a free port of 127.0.0.1, stopped with SIGTERM.
class Server {
  public:
    // On a state directory of its own, or on `state_dir` (another server's).
    explicit Server(const std::vector<std::string>& serve_options = {},
                    std::filesystem::path state_dir = {})
        : state_dir_(state_dir.empty() ? own_state_.path() : std::move(state_dir)) {
        std::vector<std::string> argv{DBCLONE_BINARY, "--state-dir", state_dir_.string(),
                                      "serve",        "--listen",    "127.0.0.1:0"};
        argv.insert(argv.end(), serve_options.begin(), serve_options.end());
        std::vector<char*> args;
        for (auto& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        std::string out = (state_dir_ / "serve.out").string();
        std::filesystem::remove(out);
        posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT, 0600);
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        for (int i = 0; i < 500 && port_ == 0; ++i) {
            std::ifstream in(out);
            for (std::string line; std::getline(in, line);)
                if (line.rfind("listening on 127.0.0.1:", 0) == 0)
                    port_ = std::stoi(line.substr(23));
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        std::ifstream token_file(state_dir_ / "api_token");
        std::getline(token_file, token_);
    }
    // A graceful stop, so the server removes what its libraries made (libmongoc's
    // counters in /dev/shm outlive a SIGKILL).
    ~Server() {
        if (pid_ > 0) stop();
    }
    // SIGTERM; the exit status.
    int stop() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    Reply call(http::verb verb, const std::string& target, const std::string& body = "",
               const std::optional<std::string>& token = std::nullopt) const {
        boost::asio::io_context io;
        boost::asio::ip::tcp::socket socket(io);
        socket.connect(
            {boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)});
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::authorization, "Bearer " + token.value_or(token_));
        if (!body.empty()) {
            req.set(http::field::content_type, "application/json");
            req.body() = body;
        }
        req.prepare_payload();
        http::write(socket, req);
        boost::beast::flat_buffer buffer;
        http::response<http::string_body> res;
        http::read(socket, buffer, res);
        auto retry_after = res.find(http::field::retry_after);
        return {res.result_int(), res.body(),
                retry_after != res.end() ? std::string(retry_after->value()) : ""};
    }
    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    const std::filesystem::path& state() const { return state_dir_; }

  private:
    TempDir own_state_;
    std::filesystem::path state_dir_;
    pid_t pid_ = 0;
    int port_ = 0;
    std::string token_;
};

// Polls an async create until it is finished (at most about 5 s); the
// operation's last report.
rapidjson::Document finished_operation(const Server& server, const std::string& id) {
    for (int i = 0;; ++i) {
        auto op = dbclone::json::parse(
            server.call(http::verb::get, "/api/v1/cloning/operations/" + id).body, "op");
        std::string state = op["state"].GetString();
        if ((state != "queued" && state != "running") || i == 500) return op;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

std::string create_body(const std::string& id) {
    return R"({"tenant_id": ")" + id + R"(", "database_type": "sqlite", "root_version": "v1.0"})";
}

}  // namespace

TEST(Api, TheSeedFlowAndAGracefulStop) {
    Server server;
    ASSERT_NE(server.port(), 0) << "the server did not say where it listens";
    EXPECT_EQ(server.call(http::verb::get, "/healthz", "", std::string("none")).status, 200u)
        << "no auth needed";
    auto created = server.call(http::verb::post, "/api/v1/cloning/create", create_body("t1"));
    ASSERT_EQ(created.status, 201u) << created.body;
    auto clone = dbclone::json::parse(created.body, "create");
    EXPECT_EQ(std::string(clone["connection"]["password"].GetString()).size(), 32u);
    auto verify = server.call(http::verb::get, "/api/v1/cloning/verify/t1");
    EXPECT_EQ(verify.status, 200u);
    EXPECT_TRUE(dbclone::json::parse(verify.body, "verify")["isolated"].GetBool()) << verify.body;
    auto status = server.call(http::verb::get, "/api/v1/cloning/status/t1");
    EXPECT_EQ(status.status, 200u);
    EXPECT_EQ(status.body.find("password"), std::string::npos) << "status never shows the password";
    EXPECT_EQ(
        dbclone::json::parse(server.call(http::verb::get, "/api/v1/cloning/list").body, "list")
            .Size(),
        1u);
    EXPECT_EQ(server.call(http::verb::get, "/api/v1/cloning/ports").status, 200u);
    EXPECT_EQ(server.call(http::verb::get, "/api/v1/cloning/system/status").status, 200u);
    auto metrics = server.call(http::verb::get, "/metrics");
    EXPECT_NE(metrics.body.find("dbclone_clones{database_type=\"sqlite\",state=\"ready\"} 1"),
              std::string::npos);
    EXPECT_NE(metrics.body.find("dbclone_create_seconds_count 1"), std::string::npos);
    EXPECT_NE(metrics.body.find("dbclone_operations{state=\"queued\"} 0"), std::string::npos);
    // A dedicated-only action on a tenant without a server is a clear 400.
    EXPECT_EQ(server.call(http::verb::post, "/api/v1/cloning/stop/t1").status, 400u);
    EXPECT_EQ(server.call(http::verb::delete_, "/api/v1/cloning/remove/t1").status, 200u);
    EXPECT_EQ(server.call(http::verb::get, "/api/v1/cloning/status/t1").status, 404u);
    auto openapi =
        dbclone::json::parse(server.call(http::verb::get, "/api/v1/openapi.json").body, "openapi");
    for (const char* path :
         {"/api/v1/cloning/create", "/api/v1/cloning/verify/{tenant_id}", "/api/v1/cloning/list",
          "/api/v1/cloning/status/{tenant_id}", "/api/v1/cloning/start/{tenant_id}",
          "/api/v1/cloning/stop/{tenant_id}", "/api/v1/cloning/remove/{tenant_id}",
          "/api/v1/cloning/ports", "/api/v1/cloning/system/status", "/healthz", "/metrics"})
        EXPECT_TRUE(openapi["paths"].HasMember(path)) << path;
    EXPECT_EQ(server.stop(), 0) << "SIGTERM ends the server cleanly";
}

TEST(Api, AuthFailuresAreJson401s) {
    Server server;
    for (const std::string& token : {std::string(""), std::string("wrong-token-wrong-token")}) {
        auto r = server.call(http::verb::get, "/api/v1/cloning/list", "", token);
        EXPECT_EQ(r.status, 401u);
        EXPECT_EQ(dbclone::json::parse(r.body, "401")["error"].GetString(),
                  std::string("unauthorized"));
    }
}

TEST(Api, BadInputIsA4xxWithJsonAndCreatesNothing) {
    Server server;
    const std::pair<std::string, unsigned> cases[] = {
        {"{bad", 400},
        {R"({"tenant_id": 5, "database_type": "sqlite"})", 400},
        {R"({"tenant_id": "t1", "database_type": "sqlite", "extra": true})", 400},
        {R"({"tenant_id": "../x", "database_type": "sqlite"})", 400},
        {R"({"tenant_id": "t1"})", 400},
        {R"({"tenant_id": "t1", "database_type": "oracle"})", 404},
        {R"({"tenant_id": "t1", "database_type": "sqlite", "root_version": "v9"})", 404},
        {std::string(1100000, 'x'), 413},
        // Attack: 200 000 nested arrays once crashed the server (SIGSEGV).
        {std::string(200000, '['), 400},
    };
    for (const auto& [body, status] : cases) {
        auto r = server.call(http::verb::post, "/api/v1/cloning/create", body);
        EXPECT_EQ(r.status, status) << body.substr(0, 80) << " -> " << r.body;
        auto doc = dbclone::json::parse(r.body, "error");
        EXPECT_TRUE(doc.HasMember("error") && doc.HasMember("detail")) << r.body;
    }
    EXPECT_EQ(server.call(http::verb::get, "/api/v1/cloning/status/nobody").status, 404u);
    EXPECT_EQ(server.call(http::verb::get, "/api/v1/cloning/status/Bad").status, 400u);
    EXPECT_EQ(server.call(http::verb::get, "/api/v1/cloning/list").body, "[]");
    EXPECT_EQ(server.call(http::verb::get, "/healthz").status, 200u) << "the server survived";
}

TEST(Api, ParallelCreatesAndTheSameTenantTwice) {
    Server server;
    std::vector<std::future<Reply>> creates;
    for (int i = 0; i < 8; ++i)
        creates.push_back(std::async(std::launch::async, [&, i] {
            return server.call(http::verb::post, "/api/v1/cloning/create",
                               create_body("p" + std::to_string(i)));
        }));
    for (auto& c : creates) EXPECT_EQ(c.get().status, 201u);
    auto a = std::async(std::launch::async, [&] {
        return server.call(http::verb::post, "/api/v1/cloning/create", create_body("same"));
    });
    auto b = std::async(std::launch::async, [&] {
        return server.call(http::verb::post, "/api/v1/cloning/create", create_body("same"));
    });
    std::multiset<unsigned> statuses{a.get().status, b.get().status};
    EXPECT_EQ(statuses, (std::multiset<unsigned>{201, 409}));
}

TEST(Api, ParallelAsyncCreatesAllFinish) {
    Server server;
    std::vector<std::future<Reply>> accepted;
    for (int i = 0; i < 8; ++i)
        accepted.push_back(std::async(std::launch::async, [&, i] {
            return server.call(http::verb::post, "/api/v1/cloning/create",
                               R"({"tenant_id": "a)" + std::to_string(i) +
                                   R"(", "database_type": "sqlite", "async": true})");
        }));
    std::vector<std::string> ids;
    for (auto& a : accepted) {
        Reply r = a.get();
        ASSERT_EQ(r.status, 202u) << r.body;
        ids.push_back(dbclone::json::parse(r.body, "202")["operation_id"].GetString());
    }
    for (const auto& id : ids)
        EXPECT_STREQ(finished_operation(server, id)["state"].GetString(), "succeeded") << id;
    EXPECT_EQ(
        dbclone::json::parse(server.call(http::verb::get, "/api/v1/cloning/list").body, "list")
            .Size(),
        8u);
    EXPECT_EQ(server.stop(), 0);
}

TEST(Api, AsyncCreatesBeyondTheQueueAreRefusedWith429) {
    // One create may wait; requests come in faster than SQLite clones are made
    // (about 0.1 ms for a request against at least 0.3 ms for a clone).
    Server server({"--max-queued", "1"});
    std::vector<std::string> accepted;
    int refused = 0;
    for (int i = 0; i < 30; ++i) {
        Reply r = server.call(http::verb::post, "/api/v1/cloning/create",
                              R"({"tenant_id": "q)" + std::to_string(i) +
                                  R"(", "database_type": "sqlite", "async": true})");
        if (r.status == 202u) {
            accepted.push_back(dbclone::json::parse(r.body, "202")["operation_id"].GetString());
            continue;
        }
        ASSERT_EQ(r.status, 429u) << r.body;
        EXPECT_STREQ(dbclone::json::parse(r.body, "429")["error"].GetString(),
                     "too_many_operations");
        EXPECT_EQ(r.retry_after, "1");
        ++refused;
    }
    EXPECT_GT(refused, 0) << "30 creates at once against a queue of one";
    for (const auto& id : accepted)
        EXPECT_STREQ(finished_operation(server, id)["state"].GetString(), "succeeded") << id;
    EXPECT_EQ(
        dbclone::json::parse(server.call(http::verb::get, "/api/v1/cloning/list").body, "list")
            .Size(),
        accepted.size())
        << "exactly the accepted creates made tenants";
}

// A create holds the engine for its whole length (a dedicated PostgreSQL server:
// a data directory copied and a postgres started); reads go around it.
TEST(Api, ReadsDoNotWaitBehindACreate) {
    const char* url = std::getenv("DBCLONE_TEST_PG_URL");
    if (url == nullptr || *url == '\0')
        GTEST_SKIP() << "DBCLONE_TEST_PG_URL is not set: run scripts/services.sh start";
    ::setenv("DBCLONE_PG_URL", url, 1);
    Server server;
    ::unsetenv("DBCLONE_PG_URL");
    auto accepted = server.call(http::verb::post, "/api/v1/cloning/create",
                                R"({"tenant_id": "slow", "database_type": "postgresql", )"
                                R"("placement": "process", "async": true})");
    ASSERT_EQ(accepted.status, 202u) << accepted.body;
    std::string id = dbclone::json::parse(accepted.body, "202")["operation_id"].GetString();
    for (int i = 0; i < 500; ++i) {
        auto op = dbclone::json::parse(
            server.call(http::verb::get, "/api/v1/cloning/operations/" + id).body, "op");
        if (std::string(op["state"].GetString()) != "queued") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    // The worker runs before it writes the row: wait (bounded) for the row.
    // Had list waited for the engine, its first answer with the row would show
    // the tenant ready.
    rapidjson::Document list;
    for (int i = 0; i < 2000; ++i) {
        list =
            dbclone::json::parse(server.call(http::verb::get, "/api/v1/cloning/list").body, "list");
        if (list.Size() > 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_EQ(list.Size(), 1u);
    EXPECT_STREQ(list[0]["state"].GetString(), "creating");
    EXPECT_EQ(server.call(http::verb::get, "/api/v1/cloning/ports").status, 200u);
    EXPECT_STREQ(finished_operation(server, id)["state"].GetString(), "succeeded");
    EXPECT_EQ(server.call(http::verb::delete_, "/api/v1/cloning/remove/slow").status, 200u);
}

// verify takes the CLI's --against and --checks as query parameters; the
// partner is the one named, and bad ones are 4xx.
TEST(Api, VerifyAttacksTheTenantNamedInAgainst) {
    Server server;
    for (const char* id : {"va", "vb", "vc"})
        ASSERT_EQ(server.call(http::verb::post, "/api/v1/cloning/create", create_body(id)).status,
                  201u);
    auto r = server.call(http::verb::get,
                         "/api/v1/cloning/verify/va?checks=cross_tenant_access&against=vc");
    ASSERT_EQ(r.status, 200u) << r.body;
    auto report = dbclone::json::parse(r.body, "verify");
    ASSERT_EQ(report["checks"].Size(), 1u) << r.body;
    EXPECT_NE(r.body.find("va -> vc"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find("vb"), std::string::npos) << r.body;
    EXPECT_EQ(server.call(http::verb::get, "/api/v1/cloning/verify/va?against=nobody").status,
              404u);
    EXPECT_EQ(server.call(http::verb::get, "/api/v1/cloning/verify/va?against=va").status, 400u);
    EXPECT_EQ(server.call(http::verb::get, "/api/v1/cloning/verify/va?against=Bad;x").status, 400u);
    EXPECT_EQ(server.call(http::verb::get, "/api/v1/cloning/verify/va?checks=nothing").status,
              400u);
}

namespace {
// What process `pid` has open that another process could share with it:
// sockets, pipes and files (not terminals or /dev/null), as readlink shows them.
std::set<std::string> shareable_descriptors(pid_t pid) {
    std::set<std::string> out;
    std::error_code ec;
    for (const auto& fd :
         std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
        std::string target = std::filesystem::read_symlink(fd.path(), ec).string();
        if (ec || target.rfind("/dev/", 0) == 0) continue;
        out.insert(target);
    }
    return out;
}

// The pids of the postgres servers whose command line names `dir`.
std::vector<pid_t> servers_below(const std::filesystem::path& dir) {
    std::vector<pid_t> out;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        std::string cmdline = file_text(entry.path() / "cmdline");
        if (cmdline.find("postgres") != std::string::npos &&
            cmdline.find(dir.string()) != std::string::npos)
            out.push_back(std::stoi(entry.path().filename().string()));
    }
    return out;
}
}  // namespace

// Servers the API starts (process placement) once inherited its listening
// socket: after the API stopped, they still held its port. Now they hold
// nothing of the API process's.
TEST(Api, TenantServersStartedThroughTheApiHoldNoneOfItsDescriptors) {
    const char* url = std::getenv("DBCLONE_TEST_PG_URL");
    if (url == nullptr || *url == '\0')
        GTEST_SKIP() << "DBCLONE_TEST_PG_URL is not set: run scripts/services.sh start";
    if (::geteuid() != 0) GTEST_SKIP() << "the process runtime needs root";
    ::setenv("DBCLONE_PG_URL", url, 1);
    Server server;
    ::unsetenv("DBCLONE_PG_URL");
    for (const char* id : {"fd1", "fd2", "fd3"}) {
        auto created =
            server.call(http::verb::post, "/api/v1/cloning/create",
                        std::string(R"({"tenant_id": ")") + id +
                            R"(", "database_type": "postgresql", "placement": "process"})");
        ASSERT_EQ(created.status, 201u) << created.body;
    }
    auto api = shareable_descriptors(server.pid());
    ASSERT_FALSE(api.empty());
    auto servers = servers_below(server.state() / "data/tenants");
    EXPECT_GE(servers.size(), 3u);
    for (pid_t pid : servers)
        for (const auto& target : shareable_descriptors(pid))
            EXPECT_EQ(api.count(target), 0u) << "postgres " << pid << " holds the API's " << target;
    for (const char* id : {"fd1", "fd2", "fd3"})
        EXPECT_EQ(
            server.call(http::verb::delete_, std::string("/api/v1/cloning/remove/") + id).status,
            200u);
}

// Operations are kept in the registry: after a restart of serve, a finished
// one is still read (within its expiry), and an unknown id is still a 404.
// The tenant's figure in /metrics (0 when it has none).
uint64_t metrics_disk_bytes(const Server& server, const std::string& tenant_id) {
    std::string body = server.call(http::verb::get, "/metrics").body;
    std::string key = "dbclone_tenant_disk_bytes{tenant_id=\"" + tenant_id + "\",";
    auto at = body.find(key);
    if (at == std::string::npos) return 0;
    auto value = body.find("} ", at) + 2;
    return std::stoull(body.substr(value, body.find('\n', value) - value));
}

// Nobody runs status or verify, and /metrics still follows the tenant's
// growth: serve measures every tenant's disk itself.
TEST(Api, ServeMeasuresEveryTenantsDiskInTheBackground) {
    Server server({"--disk-measure-every", "1"});
    auto created = server.call(http::verb::post, "/api/v1/cloning/create", create_body("grows"));
    ASSERT_EQ(created.status, 201u) << created.body;
    std::string file =
        dbclone::json::parse(created.body, "create")["connection"]["location"].GetString();
    auto before = std::filesystem::file_size(file);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TABLE ballast(b BLOB); INSERT INTO ballast "
                           "VALUES (zeroblob(2000000))",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
    uint64_t measured = 0;
    for (int i = 0; i < 50 && measured < before + 2000000; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        measured = metrics_disk_bytes(server, "grows");
    }
    EXPECT_GE(measured, before + 2000000) << "no measure within 5 s of serve's 1 s rounds";
}

TEST(Api, AFinishedOperationSurvivesARestartOfServe) {
    auto server = std::make_unique<Server>();
    auto accepted =
        server->call(http::verb::post, "/api/v1/cloning/create",
                     R"({"tenant_id": "kept", "database_type": "sqlite", "async": true})");
    ASSERT_EQ(accepted.status, 202u) << accepted.body;
    std::string id = dbclone::json::parse(accepted.body, "202")["operation_id"].GetString();
    ASSERT_STREQ(finished_operation(*server, id)["state"].GetString(), "succeeded");
    EXPECT_EQ(server->stop(), 0);
    TempDir keep;  // the first server's directory, which goes with it
    std::filesystem::copy(server->state(), keep.path(), std::filesystem::copy_options::recursive);
    server.reset();
    Server again({}, keep.path());
    auto r = again.call(http::verb::get, "/api/v1/cloning/operations/" + id);
    ASSERT_EQ(r.status, 200u) << r.body;
    auto op = dbclone::json::parse(r.body, "op");
    EXPECT_STREQ(op["state"].GetString(), "succeeded");
    EXPECT_EQ(op["status"].GetInt(), 201);
    EXPECT_STREQ(op["result"]["tenant_id"].GetString(), "kept");
    EXPECT_EQ(again.call(http::verb::get, "/api/v1/cloning/operations/nope").status, 404u);
}

TEST(Api, AsyncCreateReportsItsOperation) {
    Server server;
    auto accepted =
        server.call(http::verb::post, "/api/v1/cloning/create",
                    R"({"tenant_id": "later", "database_type": "sqlite", "async": true})");
    ASSERT_EQ(accepted.status, 202u) << accepted.body;
    std::string id = dbclone::json::parse(accepted.body, "202")["operation_id"].GetString();
    auto op = finished_operation(server, id);
    EXPECT_STREQ(op["state"].GetString(), "succeeded");
    if (op.HasMember("status")) {
        EXPECT_EQ(op["status"].GetUint(), 201u);
    }
    EXPECT_EQ(server.call(http::verb::get, "/api/v1/cloning/status/later").status, 200u);
    EXPECT_EQ(server.call(http::verb::get, "/api/v1/cloning/operations/nope").status, 404u);
}

// The seed's flow on each server backend the test machine has (scripts/services.sh),
// shared placement; PostgreSQL also in a dedicated process, for start and stop.
struct ServerBackend {
    const char* type;
    const char* server_variable;  // what dbclone reads
    const char* test_variable;    // what scripts/services.sh writes
    bool enforces_isolation;      // FerretDB on SQLite has no authorization
};

class ApiOnServerBackends : public ::testing::TestWithParam<ServerBackend> {};

TEST_P(ApiOnServerBackends, TheSeedFlow) {
    const ServerBackend& b = GetParam();
    const char* url = std::getenv(b.test_variable);
    if (url == nullptr || *url == '\0')
        GTEST_SKIP() << b.test_variable << " is not set: run scripts/services.sh start";
    ::setenv(b.server_variable, url, 1);
    Server server;
    ::unsetenv(b.server_variable);
    auto create = [&](const std::string& id, const std::string& placement) {
        return server.call(http::verb::post, "/api/v1/cloning/create",
                           R"({"tenant_id": ")" + id + R"(", "database_type": ")" + b.type +
                               R"(", "placement": ")" + placement + "\"}");
    };
    // A neighbour on the shared server, so that verify really attacks someone.
    std::string neighbour = std::string("api_") + b.type + "_neighbour";
    auto first = create(neighbour, "shared");
    if (first.status == 404u && first.body.find("unknown database type") != std::string::npos)
        GTEST_SKIP() << "this build has no " << b.type << " plugin";
    ASSERT_EQ(first.status, 201u) << first.body;
    std::vector<std::string> placements{"shared"};
    if (std::string(b.type) == "postgresql") placements.push_back("process");
    for (const auto& placement : placements) {
        std::string id = std::string("api_") + b.type + "_" + placement;
        auto created = create(id, placement);
        ASSERT_EQ(created.status, 201u) << placement << ": " << created.body;
        auto verify = server.call(http::verb::get, "/api/v1/cloning/verify/" + id);
        ASSERT_EQ(verify.status, 200u) << verify.body;
        auto report = dbclone::json::parse(verify.body, "verify");
        EXPECT_EQ(report["isolated"].GetBool(), b.enforces_isolation) << verify.body;
        std::string access;
        for (const auto& check : report["checks"].GetArray())
            if (std::string(check["name"].GetString()) == "cross_tenant_access")
                access = check["outcome"].GetString();
        EXPECT_EQ(access, b.enforces_isolation ? "passed" : "not_enforced") << verify.body;
        EXPECT_EQ(server.call(http::verb::get, "/api/v1/cloning/status/" + id).status, 200u);
        unsigned lifecycle = placement == "shared" ? 400u : 200u;
        EXPECT_EQ(server.call(http::verb::post, "/api/v1/cloning/stop/" + id).status, lifecycle);
        EXPECT_EQ(server.call(http::verb::post, "/api/v1/cloning/start/" + id).status, lifecycle);
        auto removed = server.call(http::verb::delete_, "/api/v1/cloning/remove/" + id);
        EXPECT_EQ(removed.status, 200u) << removed.body;
    }
    EXPECT_EQ(server.call(http::verb::delete_, "/api/v1/cloning/remove/" + neighbour).status, 200u);
    auto list =
        dbclone::json::parse(server.call(http::verb::get, "/api/v1/cloning/list").body, "list");
    EXPECT_EQ(list.Size(), 0u) << "every tenant was removed";
    EXPECT_EQ(server.stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Backends, ApiOnServerBackends,
    ::testing::Values(ServerBackend{"postgresql", "DBCLONE_PG_URL", "DBCLONE_TEST_PG_URL", true},
                      ServerBackend{"mysql", "DBCLONE_MYSQL_URL", "DBCLONE_TEST_MYSQL_URL", true},
                      ServerBackend{"mongodb", "DBCLONE_MONGODB_URI", "DBCLONE_TEST_FERRETDB_URI",
                                    false}),
    [](const auto& info) { return std::string(info.param.type); });
