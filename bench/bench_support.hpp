// What the benchmarks share: timing statistics and running other programs
// (argv vectors, never a shell).
#pragma once

#include <dbclone/core/config.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace dbclone::bench {

struct Stats {
    double median = 0, p95 = 0, mean = 0;
};

Stats stats(std::vector<double> ms);

double since_ms(std::chrono::steady_clock::time_point start);

// Runs argv[0] (looked up in PATH) with stdout and stderr discarded; returns its
// exit code, -1 when it could not start.
int run(const std::vector<std::string>& argv);

// Starts argv in the background with stdout written to `out` and stderr to
// `err`; its pid, -1 when it could not start. Stop it with ::kill and ::waitpid.
int start_in_background(const std::vector<std::string>& argv, const std::filesystem::path& out,
                        const std::filesystem::path& err);

// Runs `from | to`: from's stdout feeds to's stdin. Returns 0 when both exit 0.
int run_pipeline(const std::vector<std::string>& from, const std::vector<std::string>& to);

// Milliseconds that `argv` takes, failing loudly if it does not exit 0.
double timed_run(const std::vector<std::string>& argv);

// Writes root image `version` under `roots`: one file for `backend` and its
// manifest with the file's sha256.
void write_root(const std::filesystem::path& roots, const std::string& version,
                const std::string& backend, const std::string& file_name,
                const std::string& content);

// pgbench's schema and data at `scale` (as `pgbench -i -s S -I dtGp` makes
// them), as a PostgreSQL root's SQL, generated server-side.
std::string pgbench_root_sql(int scale);

// A Config for a benchmark engine: its own state directory under `work`, the
// build's plugins and the shipped port ranges, `roots`, and `settings` (a JSON
// object) for `backend`.
Config bench_config(const std::filesystem::path& work, const std::string& name,
                    const std::filesystem::path& roots, const std::string& backend,
                    const std::string& settings);

}  // namespace dbclone::bench
