// MongoDB clone benchmark: documents per second of `Cloner::create`, for root
// v1.0 and for a generated root of 100 000 documents (four collections of
// 25 000, so the parallel copy has work to share), by streaming and, where the
// server can $out into another database, server-side; in one run, one server.
//
//   export DBCLONE_MONGODB_URI=mongodb://127.0.0.1:17017/
//   build/bin/mongodb_bench [--iterations N] [--documents D] [--skip-large]
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/sha256.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "bench_support.hpp"
#include "command_line.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
using namespace dbclone::bench;

constexpr int collections = 4;

std::string generated_root(int documents) {
    std::ostringstream s;
    s << "{\"collections\": [";
    for (int c = 0; c < collections; ++c) {
        s << (c ? ", " : "") << "{\"name\": \"events_" << c
          << "\", \"options\": {}, \"indexes\": [{\"key\": {\"account\": 1}, \"name\": "
             "\"account_1\"}], "
             "\"documents\": [";
        for (int i = 0; i < documents / collections; ++i) {
            int id = c * (documents / collections) + i;
            s << (i ? ", " : "") << "{\"_id\": " << id << ", \"account\": " << id % 1000
              << ", \"kind\": \"" << (id % 2 ? "deposit" : "withdrawal")
              << "\", \"amount\": " << id % 9973
              << ", \"at\": {\"$date\": \"2026-01-01T00:00:00Z\"}, \"note\": \"event " << id
              << "\"}";
        }
        s << "]}";
    }
    s << "]}\n";
    return s.str();
}

// Median create time with `strategy` and `parallelism`, or a negative value when
// the server cannot do that strategy.
double measure(const std::string& uri, const fs::path& work, const fs::path& roots,
               const std::string& version, const std::string& strategy, int parallelism,
               int iterations) {
    auto config = bench_config(
        work, version + "-" + strategy + std::to_string(parallelism), roots, "mongodb",
        R"({"url": ")" + uri + R"(", "parallelism": )" + std::to_string(parallelism) + "}");
    dbclone::Engine engine(config);
    dbclone::Cloner cloner(engine);
    cloner.remove(cloner.create({"bench_warm", "mongodb", version, ""}).tenant_id);  // golden copy
    std::vector<double> ms;
    for (int i = 0; i < iterations; ++i) {
        std::string id = "bench" + std::to_string(i);
        auto t = Clock::now();
        try {
            cloner.create({id, "mongodb", version, "", strategy});
        } catch (const std::exception& e) {
            std::printf("(%s: %s)\n", strategy.c_str(), e.what());
            return -1;
        }
        ms.push_back(since_ms(t));
        cloner.remove(id);
    }
    return stats(ms).median;
}

void report(const std::string& uri, const fs::path& work, const fs::path& roots,
            const std::string& version, long documents, int iterations) {
    std::printf(
        "\n### %s (%ld documents)\n\n| strategy | parallelism | median ms | documents/s "
        "|\n|---|---|---|---|\n",
        version.c_str(), documents);
    for (const auto& [strategy, parallelism] : std::vector<std::pair<std::string, int>>{
             {"streaming", 1}, {"streaming", 4}, {"server_side", 4}}) {
        double ms = measure(uri, work, roots, version, strategy, parallelism, iterations);
        if (ms < 0)
            std::printf("| %s | %d | not supported by this server | - |\n", strategy.c_str(),
                        parallelism);
        else
            std::printf("| %s | %d | %.1f | %.0f |\n", strategy.c_str(), parallelism, ms,
                        documents / (ms / 1000.0));
    }
}

}  // namespace

int main(int argc, char** argv) {
    dbclone::bench::CommandLine command_line("mongodb_bench", argc, argv,
                                             {{"iterations", "5"}, {"documents", "100000"}},
                                             {"skip-large"});
    int iterations = command_line.number("iterations");
    int documents = command_line.number("documents");
    bool skip_large = command_line.flag("skip-large");
    std::string uri = command_line.required_env("DBCLONE_MONGODB_URI", "a MongoDB URI");
    spdlog::set_level(spdlog::level::err);
    return dbclone::bench::run_in_work_dir(
        command_line, "dbclone-mongobench-", [&](const fs::path& work) {
            report(uri, work, fs::path(DBCLONE_SOURCE_DIR) / "config/roots", "v1.0", 350,
                   iterations);
            if (!skip_large) {
                std::string version = "docs_" + std::to_string(documents);
                write_root(work / "roots", version, "mongodb", "mongodb.json",
                           generated_root(documents));
                report(uri, work, work / "roots", version, documents, iterations);
            }
        });
}
