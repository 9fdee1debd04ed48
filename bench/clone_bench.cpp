// SQLite clone benchmark: the same root file cloned N times through the core
// library, through the `dbclone` CLI, and by `cp` (the native way), in one run.
//
//   build/bin/clone_bench [--iterations N] [--extra-rows R]
//
// The root is v1.0's schema and data plus R generated customers (about 1 MB
// with the default R), written to a temporary roots directory.
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <dbclone/core/cloner.hpp>
#include <dbclone/sha256.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "bench_support.hpp"
#include "command_line.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
using dbclone::bench::run;
using dbclone::bench::since_ms;
using dbclone::bench::stats;

// v1.0's SQLite root plus `extra_rows` generated customers.
std::string bench_root_sql(int extra_rows) {
    std::ifstream in(fs::path(DBCLONE_SOURCE_DIR) / "config/roots/v1.0/sqlite.sql");
    std::stringstream sql;
    sql << in.rdbuf();
    sql << "\nINSERT INTO customers (email, full_name, country, created_at)\n"
           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
        << extra_rows
        << ")\nSELECT 'bench' || i || '@example.com', 'Bench Customer ' || i, 'DE', "
           "'2026-01-01 00:00:00' FROM n;\n";
    return sql.str();
}

// The three ways, `iterations` times each, in `work`.
void measure(const fs::path& work, int iterations, int extra_rows) {
    dbclone::bench::write_root(work / "roots", "bench", "sqlite", "sqlite.sql",
                               bench_root_sql(extra_rows));

    auto config = dbclone::bench::bench_config(work, "sqlite", work / "roots", "", "");
    config.default_version = "bench";
    dbclone::Engine engine(config);
    dbclone::Cloner cloner(engine);

    // Warm-up: builds the golden copy, which is not what is measured.
    auto warm = cloner.create({"warmup", "sqlite", "bench", ""});
    std::string golden = engine.registry().goldens().at(0).location;
    cloner.remove("warmup");

    std::vector<double> core_ms, cli_ms, cp_ms;
    for (int i = 0; i < iterations; ++i) {
        auto t = Clock::now();
        cloner.create({"core" + std::to_string(i), "sqlite", "bench", ""});
        core_ms.push_back(since_ms(t));
    }
    fs::create_directories(work / "cp");
    for (int i = 0; i < iterations; ++i) {
        auto target = (work / "cp" / ("copy" + std::to_string(i) + ".sqlite")).string();
        auto t = Clock::now();
        if (run({"cp", golden, target}) != 0) throw std::runtime_error("cp failed");
        cp_ms.push_back(since_ms(t));
    }
    for (int i = 0; i < iterations; ++i) {
        auto t = Clock::now();
        int rc = run({DBCLONE_BINARY, "--state-dir", config.state_dir.string(), "--roots-dir",
                      config.roots_dir.string(), "create", "cli" + std::to_string(i), "sqlite",
                      "--version", "bench"});
        cli_ms.push_back(since_ms(t));
        if (rc != 0) throw std::runtime_error("dbclone create cli" + std::to_string(i) + " failed");
    }
    for (int i = 0; i < iterations; ++i) {
        cloner.remove("core" + std::to_string(i));
        cloner.remove("cli" + std::to_string(i));
    }

    auto core = stats(core_ms), cli = stats(cli_ms), cp = stats(cp_ms);
    std::printf("root file: %.2f MB (%s)\niterations: %d\n\n", fs::file_size(golden) / 1048576.0,
                warm.root_version.c_str(), iterations);
    std::printf("| what | median ms | p95 ms | mean ms | median vs cp |\n|---|---|---|---|---|\n");
    std::printf("| core library `Cloner::create` | %.3f | %.3f | %.3f | %.2fx |\n", core.median,
                core.p95, core.mean, core.median / cp.median);
    std::printf("| CLI `dbclone create` (process) | %.3f | %.3f | %.3f | %.2fx |\n", cli.median,
                cli.p95, cli.mean, cli.median / cp.median);
    std::printf("| `cp` of the golden file (process) | %.3f | %.3f | %.3f | 1.00x |\n", cp.median,
                cp.p95, cp.mean);
}

}  // namespace

int main(int argc, char** argv) {
    dbclone::bench::CommandLine command_line("clone_bench", argc, argv,
                                             {{"iterations", "200"}, {"extra-rows", "12000"}});
    int iterations = command_line.number("iterations");
    int extra_rows = command_line.number("extra-rows", 0);
    spdlog::set_level(spdlog::level::warn);
    return dbclone::bench::run_in_work_dir(
        command_line, "dbclone-bench-",
        [&](const fs::path& work) { measure(work, iterations, extra_rows); });
}
