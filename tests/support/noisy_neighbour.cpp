#include "noisy_neighbour.hpp"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace dbclone::testing {

namespace {

LatencyFigures measure(const NoisyNeighbourPlan& plan) {
    std::vector<double> ms;
    LatencyFigures f;
    for (int i = 0; i < plan.quiet_queries; ++i) {
        auto start = std::chrono::steady_clock::now();
        if (!plan.quiet(plan.quiet_sql)) ++f.failed;
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count());
    }
    std::sort(ms.begin(), ms.end());
    if (!ms.empty()) {
        f.p50_ms = ms[ms.size() / 2];
        f.p99_ms = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
    }
    return f;
}

}  // namespace

NoisyNeighbourOutcome run_noisy_neighbour(const NoisyNeighbourPlan& plan) {
    NoisyNeighbourOutcome out;
    out.alone = measure(plan);
    std::vector<StatementRunner> sessions;
    for (int i = 0; i < plan.noisy_sessions; ++i) {
        auto session = plan.open_noisy();
        if (session)
            sessions.push_back(std::move(session));
        else
            ++out.refused;
    }
    out.opened = static_cast<int>(sessions.size());
    std::atomic<int> statements{0}, cut{0};
    std::atomic<double> longest{0};
    // Timed only while B measures: meanwhile, MariaDB's cross-tenant probes
    // were seen to delay its max_statement_time (a 1 s limit fired after 3 to
    // 7 s), which is the MariaDB server's, not A's, and is noted in the docs.
    std::atomic<bool> timing{true};
    std::vector<std::thread> noise;
    auto until = std::chrono::steady_clock::now() + plan.noise_for;
    for (auto& session : sessions)
        noise.emplace_back([&, run = session] {
            // Bounded: the deadline, and at most 100 statements a session.
            for (int n = 0; n < 100 && std::chrono::steady_clock::now() < until; ++n) {
                ++statements;
                auto start = std::chrono::steady_clock::now();
                bool timed = timing;
                if (!run(plan.noisy_sql)) ++cut;
                // Started and ended while B measured: one that ran on into
                // the verify was as late as that made it.
                if (!timed || !timing) continue;
                double ms = std::chrono::duration<double, std::milli>(
                                std::chrono::steady_clock::now() - start)
                                .count();
                for (double seen = longest;
                     ms > seen && !longest.compare_exchange_weak(seen, ms);) {
                }
            }
        });
    // Let A's statements take hold before B measures.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    out.in_noise = measure(plan);
    timing = false;
    if (plan.meanwhile) plan.meanwhile();
    // The noise lasts its whole time, however soon the neighbour was done.
    for (auto& t : noise) t.join();
    out.statements = statements;
    out.cut = cut;
    out.longest_ms = longest;
    return out;
}

}  // namespace dbclone::testing
