// The REST API's create against the core library's, in one run, per backend:
// the same root (v1.0) cloned by `Cloner::create` in this process and by
// POST /api/v1/cloning/create to a real `dbclone serve` (its access log
// written to a file). Both share one state directory, as the CLI and the API
// do, so their clones land in the same directory: on this machine's ext4
// (no journal) the cost of making a file depends on how many files were
// deleted nearby in the last minutes, and a separate directory would measure
// that instead of the API. They take turns in blocks of ten, the first turn
// alternating.
//
//   build/bin/api_bench [--iterations N] [--server-iterations M]
//
// SQLite always (N per side, default 300); PostgreSQL and MariaDB when
// DBCLONE_PG_URL / DBCLONE_MYSQL_URL are set (M per side, default 30), as for
// postgresql_bench and mysql_bench. The client keeps one HTTP/1.1 connection
// open, as a service calling the API would; GET /healthz on it measures the
// transport alone.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "bench_support.hpp"
#include "command_line.hpp"

namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;
using dbclone::bench::since_ms;
using dbclone::bench::stats;

// `dbclone serve` on a free port of 127.0.0.1 over `state`; the server
// backends' URLs reach it through the environment.
class ApiServer {
  public:
    ApiServer(const fs::path& work, const fs::path& state) {
        pid_ = dbclone::bench::start_in_background(
            {DBCLONE_BINARY, "--state-dir", state.string(), "--roots-dir",
             (fs::path(DBCLONE_SOURCE_DIR) / "config/roots").string(), "serve", "--listen",
             "127.0.0.1:0"},
            work / "serve.out", work / "access.log");
        for (int i = 0; i < 500 && port_ == 0; ++i) {
            std::ifstream in(work / "serve.out");
            for (std::string line; std::getline(in, line);)
                if (line.rfind("listening on 127.0.0.1:", 0) == 0)
                    port_ = static_cast<unsigned short>(std::stoi(line.substr(23)));
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (port_ == 0) throw std::runtime_error("dbclone serve did not start");
        std::ifstream(state / "api_token") >> token_;
        socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port_});
    }
    ~ApiServer() {
        ::kill(pid_, SIGTERM);
        ::waitpid(pid_, nullptr, 0);
    }

    void create(const std::string& tenant, const std::string& type) {
        call(http::verb::post, "/api/v1/cloning/create",
             R"({"tenant_id": ")" + tenant + R"(", "database_type": ")" + type +
                 R"(", "root_version": "v1.0"})",
             201);
    }
    // The transport's share: a request that does no work.
    void health() { call(http::verb::get, "/healthz", "", 200); }

  private:
    // One request on the kept-alive connection; throws unless it answers `expected`.
    void call(http::verb verb, const std::string& target, const std::string& body,
              unsigned expected) {
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::authorization, "Bearer " + token_);
        if (!body.empty()) req.set(http::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
        http::write(socket_, req);
        http::response<http::string_body> res;
        http::read(socket_, buffer_, res);
        if (res.result_int() != expected)
            throw std::runtime_error(target + " answered " + std::to_string(res.result_int()) +
                                     ": " + res.body());
    }

    pid_t pid_ = -1;
    unsigned short port_ = 0;
    std::string token_;
    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_{io_};
    boost::beast::flat_buffer buffer_;
};

struct Backend {
    const char* type;
    const char* url_variable;  // nullptr: embedded
};

// `n` creates each way, in blocks of ten whose first turn alternates; every
// tenant made is added to `made`. The medians' statistics: core, then API.
std::pair<dbclone::bench::Stats, dbclone::bench::Stats> measure(dbclone::Cloner& cloner,
                                                                ApiServer& api,
                                                                const std::string& type, int n,
                                                                std::vector<std::string>& made) {
    std::vector<double> core_ms, api_ms;
    for (int block = 0; block < n; block += 10) {
        for (int turn = 0; turn < 2; ++turn) {
            bool core_turn = (block / 10 + turn) % 2 == 0;
            for (int i = block; i < std::min(n, block + 10); ++i) {
                std::string id = type + (core_turn ? "_core" : "_api") + std::to_string(i);
                auto t = Clock::now();
                if (core_turn)
                    cloner.create({id, type, "v1.0", ""});
                else
                    api.create(id, type);
                (core_turn ? core_ms : api_ms).push_back(since_ms(t));
                made.push_back(id);
            }
        }
    }
    return {stats(core_ms), stats(api_ms)};
}

const Backend backends[] = {
    {"sqlite", nullptr}, {"postgresql", "DBCLONE_PG_URL"}, {"mysql", "DBCLONE_MYSQL_URL"}};

// Both ways for every backend present; the tenants either side made are
// removed even when a step fails.
void compare(const fs::path& work, int iterations, int server_iterations) {
    auto config = dbclone::bench::bench_config(
        work, "shared", fs::path(DBCLONE_SOURCE_DIR) / "config/roots", "", "");
    std::vector<const Backend*> present;
    for (const auto& b : backends) {
        const char* url = b.url_variable ? std::getenv(b.url_variable) : nullptr;
        if (b.url_variable && (url == nullptr || *url == '\0')) continue;
        if (url) config.plugin_settings[b.type] = R"({"url": ")" + std::string(url) + "\"}";
        present.push_back(&b);
    }
    std::printf(
        "| backend | core median ms | API median ms | API / core | API adds ms | n |\n"
        "|---|---|---|---|---|---|\n");
    std::vector<double> health_ms;
    std::vector<std::string> made;
    std::string failure;
    {
        dbclone::Engine engine(config);
        dbclone::Cloner cloner(engine);
        ApiServer api(work, config.state_dir);
        try {
            for (const Backend* b : present) {
                std::string type = b->type;
                int n = b->url_variable ? server_iterations : iterations;
                // Warm-up: the golden copy is built once, which is not what is measured.
                cloner.create({type + "_warm", type, "v1.0", ""});
                made.push_back(type + "_warm");
                auto [core, through_api] = measure(cloner, api, type, n, made);
                for (int i = 0; i < 100; ++i) {
                    auto t = Clock::now();
                    api.health();
                    health_ms.push_back(since_ms(t));
                }
                std::printf("| %s | %.3f | %.3f | %.2fx | %.3f | %d |\n", type.c_str(), core.median,
                            through_api.median, through_api.median / core.median,
                            through_api.median - core.median, n);
            }
        } catch (const std::exception& e) {
            failure = e.what();  // after the clean-up below
        }
    }
    // The server is gone; the shared registry knows every tenant either side made.
    {
        dbclone::Engine engine(config);
        dbclone::Cloner cloner(engine);
        for (const auto& id : made) cloner.remove(id);
    }
    if (!failure.empty()) throw std::runtime_error(failure);
    std::printf("\nGET /healthz on the same connection (the transport alone): median %.3f ms\n",
                stats(health_ms).median);
}

}  // namespace

int main(int argc, char** argv) {
    dbclone::bench::CommandLine command_line("api_bench", argc, argv,
                                             {{"iterations", "300"}, {"server-iterations", "30"}});
    int iterations = command_line.number("iterations");
    int server_iterations = command_line.number("server-iterations");
    spdlog::set_level(spdlog::level::warn);
    return dbclone::bench::run_in_work_dir(
        command_line, "dbclone-api-bench-",
        [&](const fs::path& work) { compare(work, iterations, server_iterations); });
}
