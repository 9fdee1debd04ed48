// What the benchmarks share: timing statistics and running other programs
// (argv vectors, never a shell).
#pragma once

#include <chrono>
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

// Runs `from | to`: from's stdout feeds to's stdin. Returns 0 when both exit 0.
int run_pipeline(const std::vector<std::string>& from, const std::vector<std::string>& to);

// Milliseconds that `argv` takes, failing loudly if it does not exit 0.
double timed_run(const std::vector<std::string>& argv);

}  // namespace dbclone::bench
